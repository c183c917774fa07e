/* png-write-private.h: 8-bit PNG encoding on several threads (png-write.c). */
#pragma once

#include <glib.h>

#include "ink-image.h"

G_BEGIN_DECLS

/* IMAGE as an 8-bit RGB PNG (RGBA when it has alpha), samples rounded to nearest; NAME is used
 * in messages only. */
GBytes *ink_png_encode_8bit (const InkImage *image, const char *name, GError **error);
/* The same in N slices (1 .. the height), each deflated on a thread of its own: the bytes differ
 * with N, the pixels never. */
GBytes *ink_png_encode_8bit_slices (const InkImage *image, int n, const char *name,
                                    GError **error);

G_END_DECLS
