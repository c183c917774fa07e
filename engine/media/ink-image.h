/* ink-image.h: host images (16-bit straight-alpha sRGB RGBA) and their loading and saving. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Limits checked before any pixel memory is allocated. */
#define INK_IMAGE_MAX_SIDE 16384           /* px, either side */
#define INK_IMAGE_MAX_PIXELS 50000000      /* width x height (8K x 6K fits) */
#define INK_IMAGE_MAX_FILE_BYTES (512u << 20)

typedef struct {
  int width;           /* px, >= 1 */
  int height;          /* px, >= 1 */
  gboolean has_alpha;  /* the source had an alpha channel (not all pixels need be translucent) */
  guint16 *pixels;     /* width * height * 4 values, R G B A, sRGB-encoded, straight alpha, rows packed */
} InkImage;

/* A WIDTH x HEIGHT picture (its pixels not cleared). ink_image_new aborts when the memory cannot
 * be had, for pictures of sizes the program chose; pictures sized by a file use try_new, which
 * says so in ERROR (INK_ERROR_TOO_LARGE) and gives NULL. */
InkImage *ink_image_new (int width, int height);
InkImage *ink_image_try_new (int width, int height, GError **error);

/* A 16-bit sample in 8 bits, rounded to nearest. */
static inline guint8
ink_image_to8 (guint16 v)
{
  return (guint8) (((guint32) v * 255 + 32767) / 65535);
}
void ink_image_free (InkImage **image);
InkImage *ink_image_copy (const InkImage *image);
InkImage *ink_image_try_copy (const InkImage *image, GError **error);

typedef struct {
  int long_edge;  /* px; 0 keeps the source size, else 1..INK_IMAGE_MAX_SIDE: scale so the longer side is this */
} InkLoadParams;

#define INK_LOAD_PARAMS_DEFAULT { .long_edge = 0 }

/* Decodes PNG, JPEG (EXIF orientation applied), WebP, TIFF or BMP; 8 or 16 bit; grey, palette,
 * RGB, with or without alpha. The file is named in every error message. */
InkImage *ink_image_load (const char *path, const InkLoadParams *params, GError **error);

/* The same from memory; NAME is used in messages only. */
InkImage *ink_image_load_data (const guint8 *data, gsize size, const char *name,
                               const InkLoadParams *params, GError **error);

/* Scales IMAGE so its longer side is LONG_EDGE (area-averaged down, bicubic up). */
InkImage *ink_image_scale (const InkImage *image, int long_edge, GError **error);

/* Writes an 8-bit PNG (RGB when the image has no alpha). The file appears whole or not at all:
 * it is written to a temporary file in the same folder, synced and renamed over PATH; on any
 * failure PATH is left as it was. */
gboolean ink_image_save_png (const InkImage *image, const char *path, GError **error);

G_END_DECLS
