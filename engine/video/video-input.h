/* video-input.h: a clip's frames, decoded by FFmpeg one at a time: rotation applied, scaled,
 * as RGBA64 host images, with their times. */
#pragma once

#include <glib.h>

#include "ink-image.h"

G_BEGIN_DECLS

/* The longest part of a clip that is rendered (--duration), seconds. */
#define INK_VIDEO_MAX_SECONDS (10 * 60)

typedef struct {
  int width, height;       /* as displayed: the rotation applied */
  int rotation;            /* degrees clockwise applied to the stored frames: 0, 90, 180, 270 */
  double fps;              /* the average frame rate the file declares (or measures) */
  double start_s;          /* the first frame's time */
  double duration_s;       /* as the container says; 0 when it does not */
  gboolean has_audio;
  gboolean has_alpha;
  char *codec;             /* the video codec's name */
  char *audio_codec;       /* NULL without audio */
} InkVideoInfo;

typedef struct InkVideo InkVideo;

/* Whether PATH looks like a clip rather than a photo: a container or codec FFmpeg reads as video
 * (MP4, MOV, MKV, WebM, AVI, animated GIF ...). Photos (PNG, JPEG, WebP, TIFF, BMP) are not,
 * whatever FFmpeg would make of them, nor is anything but a regular file (a FIFO is not opened:
 * it would block). */
gboolean ink_video_sniff (const char *path);
/* Whether PATH is a regular file that can be opened, checked without blocking: what FFmpeg is
 * given to open (a FIFO or a device would block it for ever). Errors name the file:
 * INK_ERROR_NOT_FOUND, INK_ERROR_READ (not a regular file, cannot be read). */
gboolean ink_video_check_regular (const char *path, GError **error);

/* Opens PATH's best video stream. Errors name the file (INK_ERROR_NOT_FOUND; INK_ERROR_READ: not
 * a regular file, cannot be read; INK_ERROR_DECODE: not a clip, no video (audio only), damaged;
 * INK_ERROR_TOO_LARGE: frames above INK_IMAGE_MAX_SIDE or
 * INK_IMAGE_MAX_PIXELS). */
InkVideo *ink_video_open (const char *path, GError **error);
void ink_video_free (InkVideo **video);
const InkVideoInfo *ink_video_get_info (InkVideo *video);
const char *ink_video_path (InkVideo *video);

/* Goes to time T (seconds, as in InkVideoInfo.start_s): the next frame read is the last one
 * showing at T, or the first after it. */
gboolean ink_video_seek (InkVideo *video, double t, GError **error);
/* Back to the clip's first frame, the file opened again: what a seek that missed falls back to
 * (MPEG-TS seeks by time alone, and may land past the key frame the frames at T need). */
gboolean ink_video_rewind (InkVideo *video, GError **error);
/* The time the clip's frames end from the current position, without decoding: the last video
 * packet's end, by its presentation time or else its decoding time (reads the file to its end,
 * or to STOP seconds); -INFINITY when no video packet with a time follows. */
gboolean ink_video_scan_end (InkVideo *video, double stop, double *end, GError **error);

/* The next frame, scaled so its long edge is LONG_EDGE (0: as it is) and turned as displayed;
 * *PTS its time in seconds. NULL with no error at the end of the clip. Damaged packets are
 * skipped. */
InkImage *ink_video_read (InkVideo *video, int long_edge, double *pts, GError **error);

G_END_DECLS
