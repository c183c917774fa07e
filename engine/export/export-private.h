/* export-private.h: what the exporter's files share: the job, the muxer wrapper, the writers. */
#pragma once

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "animate.h"
#include "clip.h"
#include "export.h"

G_BEGIN_DECLS

/* The job: one size of the loop, its frames on demand (frame-pump.c) ------------------------- */

typedef struct {
  InkStylizer *stylizer;
  const InkImage *source;
  const InkStyleParams *style;
  const InkMotionParams *motion;
  const InkMotionHints *hints;
  const char *clip_path;            /* a clip's part instead of a loop (SOURCE, MOTION NULL) */
  const InkClipRange *range;
  const char *path;                 /* the target, for messages */
  InkExportProgress progress;
  gpointer user_data;
  GCancellable *cancellable;

  InkAnimation *animation;
  InkClip *clip;
  int width, height, n;
  double fps;
  char *note;                       /* said after the summary (what happened to a clip's sound) */
  gboolean has_alpha;
  gboolean reread;                  /* the writer reads the frames more than once (set before the size) */
  guint32 **cache;                  /* with REREAD, n frames when they fit in the cache budget */
  guint32 *scratch;                 /* the frame being encoded when not cached */
  guint32 *flat;                    /* SCRATCH over white, for formats without alpha */

  /* Render-ahead: a thread renders the next frame while the caller encodes this one. While it
   * is busy, nothing else touches the stylizer or the cache. */
  GThread *ahead_thread;
  GMutex ahead_lock;
  GCond ahead_cond;
  int ahead_request;                /* frame to render; -1: none; -2: quit */
  gboolean ahead_busy;
  int ahead_index;                  /* frame in AHEAD (or in the cache); -1: none */
  guint32 *ahead;                   /* its pixels when not cached */
  GError *ahead_error;

  double done, total;               /* progress: frames rendered or encoded */
  double reported;
} InkExportJob;

/* Stylizes the source at LONG_EDGE (0: its own size) and prepares the motion layers; for a
 * clip, opens its part at that size. */
gboolean ink_export_job_set_size (InkExportJob *job, int long_edge, GError **error);
/* Stops the render-ahead thread and frees the size's frames and animation. */
void ink_export_job_clear_size (InkExportJob *job);
/* One frame done: advances the progress. */
void ink_export_job_step (InkExportJob *job);
/* Frame I, rendered or from the cache; valid until the next call. FLATTEN: over white. NEXT:
 * the frame the caller will ask for next, rendered meanwhile in a thread; -1: none. */
const guint32 *ink_export_job_frame (InkExportJob *job, int i, int next, gboolean flatten,
                                     GError **error);

/* The smallest rectangle (X0, Y0 to X1, Y1, inclusive) holding every pixel where the WIDTH x
 * HEIGHT frames FRAME and PREV differ, grown to whole cells of an ALIGN px grid (within the
 * frame); FALSE: they are equal. */
gboolean ink_export_changed_rect (const guint32 *frame, const guint32 *prev, int width,
                                  int height, int align, int *x0, int *y0, int *x1, int *y1);

/* FFmpeg output: one encoder into one muxer (muxer.c) ----------------------------------------- */

typedef struct {
  AVFormatContext *fmt;
  AVCodecContext *enc;
  AVStream *st;
  AVPacket *pkt;
  AVFrame *frame;
  const char *path;                 /* the target, for messages */
} InkMuxer;

/* Makes the muxer and an encoder of WIDTH x HEIGHT FORMAT frames timed in TICKs (RATE frames a
 * second; {0, 1} when not constant); the caller sets any other option, then calls
 * ink_muxer_open. */
gboolean ink_muxer_new (InkMuxer *o, const char *muxer, const char *tmp_path,
                        enum AVCodecID codec_id, const char *codec_name, int width, int height,
                        enum AVPixelFormat format, AVRational tick, AVRational rate,
                        GError **error);
/* Opens the encoder (with ENC_OPTS) and its frame buffer, the file, and writes the header (with
 * MUX_OPTS). */
gboolean ink_muxer_open (InkMuxer *o, AVDictionary **enc_opts, AVDictionary **mux_opts,
                         GError **error);
/* The frame to fill next, writable (the encoder may still hold the last one). */
AVFrame *ink_muxer_frame (InkMuxer *o, GError **error);
/* Encodes FRAME (NULL: flushes) and writes what the encoder gives back. */
gboolean ink_muxer_send (InkMuxer *o, AVFrame *frame, GError **error);
/* Flushes the encoder, writes the trailer and closes the file. */
gboolean ink_muxer_finish (InkMuxer *o, GError **error);
void ink_muxer_free (InkMuxer *o);
/* One frame's duration at FPS, as a time base. */
AVRational ink_muxer_frame_duration (double fps);

/* The writers: the job's frames into TMP_PATH (DIR for PNG frames) -------------------------- */

/* gif.c: one libimagequant palette for the loop, COLORS entries at most, at QUALITY. */
gboolean ink_export_write_gif (InkExportJob *job, const char *tmp_path,
                               const InkExportParams *params, int colors, int quality,
                               InkExportResult *result, GError **error);
/* apng.c */
gboolean ink_export_write_apng (InkExportJob *job, const char *tmp_path, InkExportResult *result,
                                GError **error);
/* webp.c */
gboolean ink_export_write_webp (InkExportJob *job, const char *tmp_path, int quality,
                                InkExportResult *result, GError **error);
/* mp4.c: H.264 at QUALITY, the loop PARAMS->repeat times. */
gboolean ink_export_write_mp4 (InkExportJob *job, const char *tmp_path,
                               const InkExportParams *params, int quality,
                               InkExportResult *result, GError **error);
/* frames.c: PNG frames into a temporary folder that then replaces DIR whole. */
gboolean ink_export_write_frames (InkExportJob *job, const char *dir, InkExportResult *result,
                                  GError **error);

G_END_DECLS
