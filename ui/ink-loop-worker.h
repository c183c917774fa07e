/* ink-loop-worker.h: regenerates the preview loop in one worker thread with its own stylizer: debounced, cancellable, latest request wins, frames delivered as they are made. */
#pragma once

#include <gio/gio.h>

#include "ink-document.h"

G_BEGIN_DECLS

#define INK_TYPE_LOOP_WORKER (ink_loop_worker_get_type ())
G_DECLARE_FINAL_TYPE (InkLoopWorker, ink_loop_worker, INK, LOOP_WORKER, GObject)

/* Default quiet time after the last request before work starts. */
#define INK_LOOP_WORKER_DEBOUNCE_MS 60
/* A draft's long edge at most, px. */
#define INK_LOOP_WORKER_DRAFT_EDGE 320
/* Frames made go out at least this often, ms. */
#define INK_LOOP_WORKER_CHUNK_MS 100
/* A clip's preview holds about this many frames: a longer part is previewed at a lower rate. */
#define INK_LOOP_WORKER_CLIP_FRAMES 120

/* The rate a clip's part RANGE is previewed at (CLIP_FPS, CLIP_SECONDS: the clip's own). */
double ink_loop_worker_clip_fps (const InkClipRange *range, double clip_fps, double clip_seconds);

InkLoopWorker *ink_loop_worker_new (void);

/* Preview long edge in px (the photo is scaled to it) and the device (NULL/"": best, "cpu"). */
void ink_loop_worker_set_preview_size (InkLoopWorker *self, int long_edge);
void ink_loop_worker_set_device (InkLoopWorker *self, const char *device);
void ink_loop_worker_set_debounce (InkLoopWorker *self, guint ms);

/* Asks for PROJECT's loop on SOURCE. Any loop in progress is abandoned at its next frame; the
 * work starts after the debounce. Returns the request's serial. On the main loop, later:
 * "source-ready" (GBytes rgba8, width, height) when the photo was scaled anew; "frames-ready"
 * (serial, GBytes frames, width, height, n_frames, first, count) for each run of frames made,
 * the first being the playhead's frame (ink_loop_worker_set_playhead), the first run one frame,
 * later runs wrapping round the loop; then "loop-done" (serial) or "failed" (serial, message).
 * A DRAFT (while a slider is dragged, or ahead of a loop that restyles) is one frame, the
 * playhead's, with the photo at most INK_LOOP_WORKER_DRAFT_EDGE on its long edge: it starts at
 * once, before any loop, is not abandoned, and its frame is delivered even when newer requests
 * exist. Frames of a request older than ones delivered are
 * dropped. */
guint ink_loop_worker_request (InkLoopWorker *self, InkSource *source, const InkProject *project,
                               gboolean draft);
/* Starts the last request without waiting for the debounce (a change known to be the last of
 * its stream, as a slider's release). */
void ink_loop_worker_start_now (InkLoopWorker *self);
/* The frame the preview shows: a loop's frames are made from there on. */
void ink_loop_worker_set_playhead (InkLoopWorker *self, int frame);
gboolean ink_loop_worker_get_busy (InkLoopWorker *self);
/* Wall time of the last delivered loop from the start of its work to delivery, ms. */
double ink_loop_worker_get_last_ms (InkLoopWorker *self);

/* Lowers the calling worker thread's priority (nice INK_WORKER_NICE) and that of the threads it
 * starts afterwards; for threads that do nothing else. */
#define INK_WORKER_NICE 10
void ink_worker_thread_lower_priority (void);

G_END_DECLS
