/* export.h: the loop to GIF, APNG, MP4, animated WebP or PNG frames, streamed, written whole or not at all. */
#pragma once

#include <gio/gio.h>
#include "clip.h"
#include "ink-image.h"
#include "ink-params.h"
#include "motion.h"
#include "stylize.h"

G_BEGIN_DECLS

typedef enum {
  INK_FORMAT_GIF,
  INK_FORMAT_APNG,
  INK_FORMAT_MP4,
  INK_FORMAT_WEBP,
  INK_FORMAT_PNG_FRAMES,   /* frame-0001.png ... in a folder */
  INK_FORMAT_COUNT,
} InkExportFormat;

typedef enum {
  INK_DITHER_NONE,
  INK_DITHER_ORDERED,      /* an 8x8 Bayer matrix: stable from frame to frame, compresses well */
  INK_DITHER_DIFFUSION,    /* error diffusion (the GIF writer's own Floyd-Steinberg, serpentine) */
  INK_DITHER_COUNT,
} InkDither;

/* What to write. Each field's range, default and meaning are in its registry entry
 * (ink_export_param_specs (), params/export-params.c), the one place they are written. */
typedef struct {
  InkExportFormat format;  /* "format" */
  int long_edge;           /* "long-edge", px */
  int quality;             /* "quality"; MP4: CRF = round (51 * (100 - quality) / 100) */
  InkDither dither;        /* "dither", GIF only */
  int colors;              /* "gif-colors" */
  int repeat;              /* "repeat", MP4 only */
  gint64 max_bytes;        /* "max-bytes", GIF and WebP only */
} InkExportParams;

/* The registry's defaults (params/export-params.c) as an initializer; test-params checks that it
 * equals the table. */
#define INK_EXPORT_PARAMS_DEFAULT                                                                  \
  { .format = INK_FORMAT_GIF, .long_edge = 0, .quality = -1, .dither = INK_DITHER_DIFFUSION,     \
    .colors = 256, .repeat = 1, .max_bytes = 0 }

/* "gif", "apng", "mp4", "webp", "png". */
const char *ink_export_format_name (InkExportFormat format);
/* A name as above (also "png-frames", "frames"). */
gboolean ink_export_format_from_name (const char *name, InkExportFormat *format, GError **error);
/* From PATH's extension (.gif .apng .png .mp4 .m4v .webp, case-insensitive, even when PATH is a
 * folder); a trailing '/', or an existing folder or a name with no known extension, is a folder
 * of PNG frames. */
gboolean ink_export_format_from_path (const char *path, InkExportFormat *format, GError **error);
/* The extension new names of FORMAT get: ".gif", ".png" (APNG, which every viewer opens as PNG),
 * ".mp4", ".webp"; "" for PNG frames (a folder). */
const char *ink_export_format_extension (InkExportFormat format);
/* The longest side FORMAT can hold, px (WebP 16383; the others INK_IMAGE_MAX_SIDE). */
int ink_export_format_max_side (InkExportFormat format);
const char *ink_dither_name (InkDither dither);
/* Every field in its registry range, and max_bytes only where the format can be fitted. */
gboolean ink_export_params_validate (const InkExportParams *params, GError **error);
/* The defaults, from the registry. */
void ink_export_params_default (InkExportParams *params);

/* FRACTION of the whole export done, 0 .. 1; called from the exporting thread. */
typedef void (*InkExportProgress) (double fraction, gpointer user_data);

typedef struct {
  int width, height;       /* of the written frames (MP4: before padding to even) */
  int frames;              /* frames in the file (MP4: the loop's frames times repeat) */
  int colors;              /* GIF: palette entries used */
  gint64 bytes;            /* the file's size (PNG frames: all of them) */
  double duration_s;       /* playing time of the file */
  double seconds;          /* wall time of the export */
  char *summary;           /* one line for the user: what was written, and what was reduced
                              to meet max_bytes; free with g_free */
} InkExportResult;

void ink_export_result_clear (InkExportResult *result);

/* Stylizes SOURCE, animates it and writes the loop to PATH, one frame at a time. Writes go to a
 * temporary file (or folder) beside PATH that replaces PATH only when complete and synced; on
 * error or cancellation it is removed and PATH is untouched. STYLIZER is used for the whole
 * call. HINTS, PROGRESS, CANCELLABLE and RESULT may be NULL. Cancelled: G_IO_ERROR_CANCELLED. */
gboolean ink_export (InkStylizer *stylizer, const InkImage *source, const InkStyleParams *style,
                     const InkMotionParams *motion, const InkMotionHints *hints, const char *path,
                     const InkExportParams *params, InkExportProgress progress,
                     gpointer user_data, GCancellable *cancellable, InkExportResult *result,
                     GError **error);

/* The part RANGE of the clip at CLIP, stylized frame by frame (one palette, still background
 * kept still) and written to PATH as ink_export writes a loop: decoded, stylized and encoded one
 * frame at a time, so memory does not grow with the clip; PARAMS->long_edge 0 keeps the clip's
 * size. PATH may not be CLIP. */
gboolean ink_export_clip (InkStylizer *stylizer, const char *clip, const InkClipRange *range,
                          const InkStyleParams *style, const char *path,
                          const InkExportParams *params, InkExportProgress progress,
                          gpointer user_data, GCancellable *cancellable, InkExportResult *result,
                          GError **error);

G_END_DECLS
