/* fuzz-load.c: libFuzzer target for the image loader (any bytes in, an image or an INK_ERROR out). */
#include <stdint.h>
#include <stdlib.h>

#include <glib.h>

#include "ink-error.h"
#include "ink-image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  static const int long_edges[] = { 0, 64 };

  for (gsize i = 0; i < G_N_ELEMENTS (long_edges); i++)
    {
      InkLoadParams params = INK_LOAD_PARAMS_DEFAULT;
      GError *error = NULL;
      InkImage *image;

      params.long_edge = long_edges[i];
      image = ink_image_load_data (data, size, "fuzz", &params, &error);
      if (image != NULL)
        {
          /* A result is always whole and within the limits. */
          if (error != NULL || image->width < 1 || image->height < 1 ||
              image->width > INK_IMAGE_MAX_SIDE || image->height > INK_IMAGE_MAX_SIDE ||
              (gint64) image->width * image->height > INK_IMAGE_MAX_PIXELS ||
              (params.long_edge > 0 && MAX (image->width, image->height) != params.long_edge))
            abort ();
          ink_image_free (&image);
        }
      else if (error == NULL || error->domain != INK_ERROR ||
               !g_str_has_prefix (error->message, "fuzz"))
        abort ();
      g_clear_error (&error);
    }
  return 0;
}
