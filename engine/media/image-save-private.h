/* image-save-private.h: PNG encoding into memory, for engine files that embed images (project files). */
#pragma once

#include <glib.h>

#include "ink-image.h"

G_BEGIN_DECLS

/* Encodes IMAGE as a PNG in memory. LOSSLESS FALSE: 8-bit RGB (RGBA when the image has alpha), the
 * bytes ink_image_save_png writes. LOSSLESS TRUE: the smallest PNG that ink_image_load_data reads
 * back to the same 16-bit pixels and alpha flag (grey when R = G = B everywhere, 16 bits when a
 * value is not a multiple of 257). NAME is used in messages only. */
GBytes *ink_image_encode_png (const InkImage *image, gboolean lossless, const char *name,
                              GError **error);

G_END_DECLS
