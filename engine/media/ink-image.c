/* ink-image.c: host RGBA images: allocation, copying and scaling with libswscale. */
#include "ink-image.h"

#include <math.h>
#include <string.h>

#include <libavutil/common.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>

#include "ink-error.h"
#include "ink-memory.h"

/* Flags shared by every swscale call on images: the same input gives the same output everywhere. */
#define INK_SWS_EXACT (SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)
#define PLANE_PADDING 256 /* bytes after the last row of a buffer libswscale touches */

InkImage *
ink_image_try_new (int width,
                   int height,
                   GError **error)
{
  InkImage *image;

  g_return_val_if_fail (width >= 1 && height >= 1, NULL);

  image = g_new0 (InkImage, 1);
  image->width = width;
  image->height = height;
  /* Large pictures are first touched by a whole-picture pass (decoding, a download): huge pages
   * make that cheaper. */
  if ((gsize) width * (gsize) height > G_MAXSIZE / 8
      || (image->pixels = ink_alloc_large ((gsize) width * height * 4 * sizeof (guint16))) == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                   "out of memory for a %dx%d picture (%" G_GSIZE_FORMAT " MB); close other "
                   "programs, or use a smaller picture or --size", width, height,
                   (gsize) width * height * 8 >> 20);
      g_free (image);
      return NULL;
    }
  return image;
}

InkImage *
ink_image_new (int width,
               int height)
{
  g_autoptr (GError) error = NULL;
  InkImage *image = ink_image_try_new (width, height, &error);

  if (image == NULL)
    g_error ("%s", error->message);
  return image;
}

void
ink_image_free (InkImage **image)
{
  if (image == NULL || *image == NULL)
    return;
  ink_free_large ((*image)->pixels);
  g_free (*image);
  *image = NULL;
}

InkImage *
ink_image_copy (const InkImage *image)
{
  g_autoptr (GError) error = NULL;
  InkImage *copy = ink_image_try_copy (image, &error);

  if (copy == NULL)
    g_error ("%s", error->message);
  return copy;
}

InkImage *
ink_image_try_copy (const InkImage *image, GError **error)
{
  InkImage *copy;

  g_return_val_if_fail (image != NULL, NULL);

  copy = ink_image_try_new (image->width, image->height, error);
  if (copy == NULL)
    return NULL;
  copy->has_alpha = image->has_alpha;
  memcpy (copy->pixels, image->pixels, (gsize) image->width * image->height * 4 * sizeof (guint16));
  return copy;
}

/* The scaler works on one channel at a time, as 16-bit grey planes: given RGBA64, libswscale
 * would go through YCbCr internally and shift colours by up to ~35/65535 (pure green gains some
 * blue); plane by plane a flat colour or a ramp comes out exact. */
InkImage *
ink_image_scale (const InkImage *image,
                 int long_edge,
                 GError **error)
{
  struct SwsContext *sws = NULL;
  InkImage *out = NULL;
  guint8 *src_plane = NULL, *dst_plane = NULL;
  int width, height, longer, flags, src_stride, dst_stride;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (long_edge < 1 || long_edge > INK_IMAGE_MAX_SIDE)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "long edge %d px is out of range: it must be 1 to %d", long_edge,
                   INK_IMAGE_MAX_SIDE);
      goto error;
    }

  longer = MAX (image->width, image->height);
  if (image->width >= image->height)
    {
      width = long_edge;
      height = (int) CLAMP (lround ((double) image->height * long_edge / longer), 1, INK_IMAGE_MAX_SIDE);
    }
  else
    {
      height = long_edge;
      width = (int) CLAMP (lround ((double) image->width * long_edge / longer), 1, INK_IMAGE_MAX_SIDE);
    }
  if ((gint64) width * height > INK_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                   "scaling to %dx%d pixels is too large: at most %d megapixels are allowed",
                   width, height, INK_IMAGE_MAX_PIXELS / 1000000);
      goto error;
    }

  if (width == image->width && height == image->height)
    return ink_image_try_copy (image, error);

  flags = INK_SWS_EXACT | (long_edge < longer ? SWS_AREA : SWS_BICUBIC);
  sws = sws_getContext (image->width, image->height, AV_PIX_FMT_GRAY16,
                        width, height, AV_PIX_FMT_GRAY16, flags, NULL, NULL, NULL);
  if (sws == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED,
                   "cannot set up scaling from %dx%d to %dx%d (libswscale refused)",
                   image->width, image->height, width, height);
      goto error;
    }

  out = ink_image_try_new (width, height, error);
  if (out == NULL)
    goto error;
  out->has_alpha = image->has_alpha;
  /* libswscale's SIMD code reads and writes a little past the end of rows: aligned, padded planes. */
  src_stride = FFALIGN (image->width * 2, 64);
  dst_stride = FFALIGN (width * 2, 64);
  src_plane = ink_alloc_large0 ((gsize) src_stride * image->height + PLANE_PADDING);
  dst_plane = ink_alloc_large0 ((gsize) dst_stride * height + PLANE_PADDING);
  if (src_plane == NULL || dst_plane == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "out of memory scaling to %dx%d", width, height);
      goto error;
    }
  for (int c = 0; c < 4; c++)
    {
      const guint8 *src[4] = { src_plane };
      guint8 *dst[4] = { dst_plane };
      int src_strides[4] = { src_stride }, dst_strides[4] = { dst_stride };

      if (c == 3 && !image->has_alpha)
        {
          for (gsize i = 0; i < (gsize) width * height; i++)
            out->pixels[4 * i + 3] = 65535;
          break;
        }
      for (int y = 0; y < image->height; y++)
        {
          const guint16 *in = image->pixels + (gsize) y * image->width * 4 + c;
          guint16 *plane = (guint16 *) (src_plane + (gsize) y * src_stride);

          for (int x = 0; x < image->width; x++)
            plane[x] = in[4 * x];
        }
      if (sws_scale (sws, src, src_strides, 0, image->height, dst, dst_strides) != height)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_FAILED,
                       "scaling from %dx%d to %dx%d failed in libswscale",
                       image->width, image->height, width, height);
          goto error;
        }
      for (int y = 0; y < height; y++)
        {
          const guint16 *plane = (const guint16 *) (dst_plane + (gsize) y * dst_stride);
          guint16 *o = out->pixels + (gsize) y * width * 4 + c;

          for (int x = 0; x < width; x++)
            o[4 * x] = plane[x];
        }
    }

  ink_free_large (src_plane);
  ink_free_large (dst_plane);
  sws_freeContext (sws);
  return out;

error:
  ink_free_large (src_plane);
  ink_free_large (dst_plane);
  sws_freeContext (sws);
  ink_image_free (&out);
  return NULL;
}
