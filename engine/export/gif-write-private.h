/* gif-write-private.h: the GIF file writer (gif-write.c): global palette, loop forever, changed
 * rectangles with transparency, LZW with a tolerance. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct InkGifWriter InkGifWriter;

/* How far apart two colours look (8-bit R, G, B; a weighted squared distance): the measure of the
 * nearest-colour search, the temporal snapping and the LZW tolerance. */
static inline gint64
ink_gif_distance (int r, int g, int b, int r2, int g2, int b2)
{
  int dr = r - r2, dg = g - g2, db = b - b2;

  return 2 * dr * dr + 4 * dg * dg + 3 * db * db;   /* roughly perceptual weights */
}

/* Opens TMP_PATH for a WIDTH x HEIGHT GIF whose palette is RGB (COLORS entries, 3 bytes each);
 * a further index, COLORS (when under 256), is transparent. PATH names the file in messages. */
InkGifWriter *ink_gif_writer_new (const char *tmp_path, const char *path, int width, int height,
                                  const guint8 *rgb, int colors, GError **error);
/* Adds a frame of INDICES (WIDTH x HEIGHT) starting at START_CS centiseconds: only the rectangle
 * that changed, its unchanged pixels transparent. WANT: the frame's true colours (RGBA), for the
 * tolerance (see gif-write.c; 0: exact); BEFORE: the frame before's (or NULL): a pixel whose
 * true colour it equals keeps what is on screen, whatever its index. */
gboolean ink_gif_writer_frame (InkGifWriter *writer, const guint8 *indices, const guint32 *want,
                               const guint32 *before, gint64 tolerance, gint64 start_cs,
                               GError **error);
/* The index on screen at each pixel after the frames so far (WIDTH x HEIGHT). */
const guint8 *ink_gif_writer_shown (InkGifWriter *writer);
/* The last frame lasts until END_CS; the file is complete and closed. */
gboolean ink_gif_writer_finish (InkGifWriter *writer, gint64 end_cs, GError **error);
void ink_gif_writer_free (InkGifWriter **writer);

G_END_DECLS
