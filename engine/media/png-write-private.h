/* png-write-private.h: 8-bit PNG encoding on several threads (png-write.c). */
#pragma once

#include <glib.h>

#include "ink-image.h"

G_BEGIN_DECLS

/* Rows of 8-bit pixels to deflate: ROW writes row Y (0 .. HEIGHT-1) of DATA into DST, WIDTH
 * pixels of CHANNELS bytes (3: RGB, 4: RGBA). It may be called from several threads at once. */
typedef struct {
  void (*row) (gconstpointer data, int y, guint8 *dst);
  gconstpointer data;
  int width, height, channels;
} InkPngRows;

/* PNG's IDAT stream of ROWS (a zlib stream of Paeth-filtered rows), deflated at zlib LEVEL with
 * STRATEGY (Z_DEFAULT_STRATEGY, Z_RLE, ...) in N slices (1 .. the height) on as many threads as
 * there are processors, as pigz does: the bytes depend on N, the pixels never. NULL: out of
 * memory. */
GByteArray *ink_png_deflate (const InkPngRows *rows, int level, int strategy, int n);
/* The slices for ROWS rows: depends on the size alone, so the bytes do not depend on the machine. */
int ink_png_slices (int rows);
/* Appends the signature and IHDR of an 8-bit WIDTH x HEIGHT PNG of CHANNELS (3 or 4). */
void ink_png_header (GByteArray *out, int width, int height, int channels);
/* Appends a chunk of TYPE holding LEN bytes of DATA, with its CRC. */
void ink_png_chunk (GByteArray *out, const char *type, const guint8 *data, gsize len);
/* V big-endian at P. */
static inline void
ink_png_put32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24, p[1] = (v >> 16) & 0xff, p[2] = (v >> 8) & 0xff, p[3] = v & 0xff;
}

/* IMAGE as an 8-bit RGB PNG (RGBA when it has alpha), samples rounded to nearest; NAME is used
 * in messages only. */
GBytes *ink_png_encode_8bit (const InkImage *image, const char *name, GError **error);
/* The same in N slices (1 .. the height), each deflated on a thread of its own: the bytes differ
 * with N, the pixels never. */
GBytes *ink_png_encode_8bit_slices (const InkImage *image, int n, const char *name,
                                    GError **error);

G_END_DECLS
