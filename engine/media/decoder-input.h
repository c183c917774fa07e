/* decoder-input.h: what the image loader hands FFmpeg, for the tests. */
#pragma once

#include <glib.h>

/* The bytes the loader gives FFmpeg's decoder for DATA: the file without the metadata the picture
 * does not need (see ink_rewrite_for_decoder () in decoder-input.c). *ORIENTATION (may be NULL)
 * gets the EXIF orientation read on the way, 1 when none. NULL with an INK_ERROR when the data is
 * not in an allowed format or its structure lies outside it. */
GBytes *ink_image_decoder_input (const guint8 *data, gsize size, const char *name, int *orientation,
                                 GError **error);
