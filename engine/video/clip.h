/* clip.h: a clip's part as stylized frames at a constant rate: one palette for the whole part,
 * and still background kept still (frames stabilized before they are stylized). */
#pragma once

#include <glib.h>

#include "ink-image.h"
#include "ink-params.h"
#include "stylize.h"
#include "video-input.h"

G_BEGIN_DECLS

typedef struct {
  double start;      /* seconds from the clip's first frame, >= 0 */
  double duration;   /* seconds; <= 0: to the end (at most INK_VIDEO_MAX_SECONDS) */
  double fps;        /* frames a second of the result, INK_CLIP_MIN_FPS to INK_CLIP_MAX_FPS;
                      * <= 0: the clip's own, brought within them */
  gboolean no_audio; /* leave the sound out of an MP4 */
  gboolean loop;     /* make a seamless loop of the stretch of the part that loops best */
} InkClipRange;

#define INK_CLIP_RANGE_DEFAULT \
  { .start = 0.0, .duration = 0.0, .fps = 0.0, .no_audio = FALSE, .loop = FALSE }
/* The rates a result can have (frames a second). A clip faster than the maximum (a phone's
 * 240 fps slow motion) is rendered at the maximum, one slower than the minimum at the minimum,
 * its frames picked by time as for a rate given. */
#define INK_CLIP_MIN_FPS 1.0
#define INK_CLIP_MAX_FPS 120.0

/* Changes of a source pixel (largest over R, G, B, in 1/255) at or below this from the last
 * frame kept are noise: the pixel keeps its value, so still background draws the same. */
#define INK_CLIP_STILL_LEVELS 4

typedef struct InkClip InkClip;

/* The part RANGE of the clip at PATH (with RANGE->loop: the stretch of it, at least 0.5 s, whose
 * end leads best into its start, the last 0.3 s cross-faded into the frames before the start;
 * parts of at most 60 s), frames scaled so the long edge is LONG_EDGE (0: as it is),
 * stylized with STYLE on STYLIZER (used by the clip until it is freed). Errors name the file:
 * not a regular file, not a clip, no frame that can be read (INK_ERROR_DECODE), a range outside
 * it or longer than INK_VIDEO_MAX_SECONDS, a bad rate (INK_ERROR_INVALID_PARAM). */
InkClip *ink_clip_new (InkStylizer *stylizer, const char *path, const InkClipRange *range,
                       const InkStyleParams *style, int long_edge, GError **error);
void ink_clip_free (InkClip **clip);

int ink_clip_n_frames (InkClip *clip);
double ink_clip_fps (InkClip *clip);
void ink_clip_size (InkClip *clip, int *width, int *height, gboolean *has_alpha);
InkVideo *ink_clip_video (InkClip *clip);
/* The part's (or the loop's) start and end in the clip's own times (as InkVideoInfo.start_s). */
void ink_clip_span (InkClip *clip, double *start, double *end);
/* A loop's seam: how much its last frame's source differs from what followed it in the clip
 * (its first frame), over the typical change from frame to frame; 0 when not a loop. */
double ink_clip_seam (InkClip *clip);

/* Frame INDEX (0 .. n-1) of the result: the source frame showing at start + INDEX / fps,
 * stabilized and stylized. Frames are made in order; asking for an earlier one starts the clip
 * again (the same frames come out). */
gboolean ink_clip_render_rgba8 (InkClip *clip, int index, guint32 *rgba8, GError **error);
/* The same source frame, stabilized but not stylized (for tests and measurements). */
gboolean ink_clip_source_rgba8 (InkClip *clip, int index, guint32 *rgba8, GError **error);

G_END_DECLS
