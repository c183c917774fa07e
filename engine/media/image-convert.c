/* image-convert.c: a decoded frame as an RGBA64 InkImage (exact, or through libswscale), turned as EXIF says. */
#include "media-private.h"

#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "ink-error.h"

#define INK_SWS_EXACT (SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)

/* ---- EXIF orientation ---- */

/* Turns the stored image so it looks the way the EXIF orientation says it should be displayed. */
InkImage *
ink_apply_orientation (InkImage *stored,
                       int orientation,
                       GError **error)
{
  InkImage *out;
  const guint64 *src = (const guint64 *) stored->pixels;
  guint64 *dst;
  int sw = stored->width, sh = stored->height;
  gboolean swap = orientation >= 5;
  int dw = swap ? sh : sw, dh = swap ? sw : sh;

  if (orientation <= 1 || orientation > 8)
    return stored;

  out = ink_image_try_new (dw, dh, error);
  if (out == NULL)
    {
      ink_image_free (&stored);
      return NULL;
    }
  out->has_alpha = stored->has_alpha;
  dst = (guint64 *) out->pixels;
  for (int dy = 0; dy < dh; dy++)
    for (int dx = 0; dx < dw; dx++)
      {
        int sx, sy;

        switch (orientation)
          {
          case 2: sx = sw - 1 - dx; sy = dy; break;           /* mirrored */
          case 3: sx = sw - 1 - dx; sy = sh - 1 - dy; break;  /* turned 180 degrees */
          case 4: sx = dx; sy = sh - 1 - dy; break;           /* upside down */
          case 5: sx = dy; sy = dx; break;                    /* transposed */
          case 6: sx = dy; sy = sh - 1 - dx; break;           /* turn 90 degrees clockwise */
          case 7: sx = sw - 1 - dy; sy = sh - 1 - dx; break;  /* transversed */
          default: sx = sw - 1 - dy; sy = dx; break;          /* 8: turn 90 degrees anticlockwise */
          }
        dst[(gsize) dy * dw + dx] = src[(gsize) sy * sw + sx];
      }
  ink_image_free (&stored);
  return out;
}

/* ---- Conversion to RGBA64 ---- */

static gboolean
pix_fmt_has_alpha (const AVFrame *frame)
{
  const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get (frame->format);

  if (frame->format == AV_PIX_FMT_PAL8)
    {
      /* A palette has alpha only where the file gave one (PNG tRNS); FFmpeg fills 0xff elsewhere. */
      const guint32 *palette = (const guint32 *) frame->data[1];

      for (int i = 0; i < 256; i++)
        if ((palette[i] >> 24) != 0xff)
          return TRUE;
      return FALSE;
    }
  return desc != NULL && (desc->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
}

/* Whether FRAME holds plain RGB, grey or palette samples that ink_convert_exact() reads. Everything else
 * (YCbCr from JPEG and lossy WebP, float, Bayer) goes through libswscale. */
gboolean
ink_is_exact_format (const AVPixFmtDescriptor *desc)
{
  if (desc->flags & (AV_PIX_FMT_FLAG_FLOAT | AV_PIX_FMT_FLAG_BAYER | AV_PIX_FMT_FLAG_HWACCEL))
    return FALSE;
  if (desc->flags & AV_PIX_FMT_FLAG_PAL)
    return desc->nb_components == 1;
  if (desc->flags & AV_PIX_FMT_FLAG_RGB)
    return desc->nb_components == 3 || desc->nb_components == 4;
  return desc->nb_components == 1 || desc->nb_components == 2; /* grey, grey + alpha */
}

/* A DEPTH-bit sample as 16 bits, rounded: 8-bit v becomes v * 257. */
static inline guint16
widen (guint32 v,
       int depth)
{
  guint32 max = (1u << depth) - 1;

  if (depth == 16)
    return (guint16) v;
  return (guint16) (((guint64) MIN (v, max) * 65535 + max / 2) / max);
}

/* Converts RGB, grey and palette frames bit-exactly (libswscale's RGB path loses up to a level:
 * it turns 8-bit white into 65266). The common layouts have their own loops; the rest go through
 * av_read_image_line2(), which reads any packed, planar or bit-packed layout. */
InkImage *
ink_convert_exact (const AVFrame *frame,
                   const AVPixFmtDescriptor *desc,
                   GError **error)
{
  InkImage *image = ink_image_try_new (frame->width, frame->height, error);
  int w = frame->width;
  guint16 *row = NULL;

  if (image == NULL)
    return NULL;
  image->has_alpha = pix_fmt_has_alpha (frame);
  for (int y = 0; y < frame->height; y++)
    {
      const guint8 *src = frame->data[0] + (gsize) y * frame->linesize[0];
      guint16 *dst = image->pixels + (gsize) y * w * 4;

      switch (frame->format)
        {
        case AV_PIX_FMT_RGB24:
        case AV_PIX_FMT_BGR24:
          {
            int r = frame->format == AV_PIX_FMT_RGB24 ? 0 : 2;

            for (int x = 0; x < w; x++, src += 3, dst += 4)
              {
                dst[0] = src[r] * 257;
                dst[1] = src[1] * 257;
                dst[2] = src[2 - r] * 257;
                dst[3] = 65535;
              }
          }
          continue;
        case AV_PIX_FMT_RGBA:
          for (int x = 0; x < w * 4; x++)
            dst[x] = src[x] * 257;
          continue;
        case AV_PIX_FMT_RGB48BE:
          for (int x = 0; x < w; x++, src += 6, dst += 4)
            {
              dst[0] = (guint16) (src[0] << 8 | src[1]);
              dst[1] = (guint16) (src[2] << 8 | src[3]);
              dst[2] = (guint16) (src[4] << 8 | src[5]);
              dst[3] = 65535;
            }
          continue;
        case AV_PIX_FMT_RGBA64BE:
          for (int x = 0; x < w * 4; x++, src += 2)
            dst[x] = (guint16) (src[0] << 8 | src[1]);
          continue;
        case AV_PIX_FMT_GRAY8:
          for (int x = 0; x < w; x++, dst += 4)
            {
              dst[0] = dst[1] = dst[2] = src[x] * 257;
              dst[3] = 65535;
            }
          continue;
        case AV_PIX_FMT_PAL8:
          {
            const guint32 *palette = (const guint32 *) frame->data[1];

            for (int x = 0; x < w; x++, dst += 4)
              {
                guint32 argb = palette[src[x]];

                dst[0] = ((argb >> 16) & 0xff) * 257;
                dst[1] = ((argb >> 8) & 0xff) * 257;
                dst[2] = (argb & 0xff) * 257;
                dst[3] = (argb >> 24) * 257;
              }
          }
          continue;
        default:
          break;
        }

      /* Any other layout, one component at a time. */
      if (row == NULL)
        row = g_new (guint16, w);
      for (int c = 0; c < 4; c++)
        {
          int comp = c, depth;

          if (desc->nb_components <= 2) /* grey: Y Y Y A */
            comp = c < 3 ? 0 : 1;
          if (comp >= desc->nb_components || (c == 3 && !(desc->flags & AV_PIX_FMT_FLAG_ALPHA)))
            {
              for (int x = 0; x < w; x++)
                dst[4 * x + c] = 65535;
              continue;
            }
          depth = desc->comp[comp].depth;
          av_read_image_line2 (row, (const uint8_t **) frame->data, frame->linesize, desc, 0, y,
                               comp, w, 0, 2);
          for (int x = 0; x < w; x++)
            {
              guint32 v = row[x];

              if (frame->format == AV_PIX_FMT_MONOWHITE)
                v = !v;
              dst[4 * x + c] = widen (v, depth);
            }
        }
    }
  g_free (row);
  return image;
}

/* The yuvj formats are plain YUV with full range; swscale wants them spelled that way. */
static enum AVPixelFormat
unjpeg_format (enum AVPixelFormat format,
               gboolean *full_range)
{
  switch (format)
    {
    case AV_PIX_FMT_YUVJ420P: *full_range = TRUE; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: *full_range = TRUE; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: *full_range = TRUE; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: *full_range = TRUE; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: *full_range = TRUE; return AV_PIX_FMT_YUV411P;
    default: return format;
    }
}

static void
set_sws_error (GError **error,
               const char *name,
               const AVFrame *frame,
               int width,
               int height)
{
  g_set_error (error, INK_ERROR, INK_ERROR_FAILED,
               "%s: converting the %dx%d %s image to %dx%d RGBA failed in libswscale", name,
               frame->width, frame->height, av_get_pix_fmt_name (frame->format), width, height);
}

/* Converts (and scales) FRAME into a new WIDTH x HEIGHT RGBA64 image. */
InkImage *
ink_frame_to_image (const AVFrame *frame,
                    int width,
                    int height,
                    const char *name,
                    GError **error)
{
  struct SwsContext *sws = NULL;
  InkImage *image = NULL;
  const AVPixFmtDescriptor *desc;
  gboolean full_range = frame->color_range == AVCOL_RANGE_JPEG;
  enum AVPixelFormat format = unjpeg_format (frame->format, &full_range);
  gboolean shrink = (gint64) width * height < (gint64) frame->width * frame->height;
  guint8 *dst[4] = { NULL };
  int dst_stride[4] = { 0 };
  guint8 *buffer = NULL;
  int ret;

  desc = av_pix_fmt_desc_get (format);
  if (desc == NULL || !sws_isSupportedInput (format))
    {
      g_autofree char *detail = g_strdup_printf ("pixel format %s is not supported",
                                                 desc != NULL ? desc->name : "unknown");
      ink_set_decode_error (error, name, detail);
      goto error;
    }

  sws = sws_alloc_context ();
  if (sws == NULL)
    {
      set_sws_error (error, name, frame, width, height);
      goto error;
    }
  av_opt_set_int (sws, "srcw", frame->width, 0);
  av_opt_set_int (sws, "srch", frame->height, 0);
  av_opt_set_int (sws, "src_format", format, 0);
  av_opt_set_int (sws, "dstw", width, 0);
  av_opt_set_int (sws, "dsth", height, 0);
  av_opt_set_int (sws, "dst_format", AV_PIX_FMT_RGBA64, 0);
  av_opt_set_int (sws, "sws_flags", INK_SWS_EXACT | (shrink ? SWS_AREA : SWS_BICUBIC), 0);
  if (!(desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) && desc->nb_components >= 3)
    {
      /* YUV (JPEG, lossy WebP): BT.601 unless told otherwise; chroma sited at the centre, as JPEG
       * and WebP do it, unless the decoder said where. */
      int x = 128, y = 128;

      if (frame->chroma_location != AVCHROMA_LOC_UNSPECIFIED)
        avcodec_enum_to_chroma_pos (&x, &y, frame->chroma_location);
      av_opt_set_int (sws, "src_h_chr_pos", x, 0);
      av_opt_set_int (sws, "src_v_chr_pos", y, 0);
      av_opt_set_int (sws, "src_range", full_range, 0);
      av_opt_set_int (sws, "dst_range", 1, 0);
    }
  if (sws_init_context (sws, NULL, NULL) < 0)
    {
      set_sws_error (error, name, frame, width, height);
      goto error;
    }
  if (!(desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) && desc->nb_components >= 3)
    {
      int matrix = frame->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_ITU601;

      sws_setColorspaceDetails (sws, sws_getCoefficients (matrix), full_range,
                                sws_getCoefficients (SWS_CS_ITU601), 1, 0, 1 << 16, 1 << 16);
    }

  /* libswscale's SIMD code writes a little past the end of rows: an aligned, padded buffer. */
  dst_stride[0] = FFALIGN (width * 8, 64);
  buffer = av_mallocz ((gsize) dst_stride[0] * height + 256);
  if (buffer == NULL)
    {
      ink_set_av_error (error, name, "converting", AVERROR (ENOMEM));
      goto error;
    }
  dst[0] = buffer;
  ret = sws_scale (sws, (const uint8_t *const *) frame->data, frame->linesize, 0, frame->height,
                   dst, dst_stride);
  if (ret != height)
    {
      set_sws_error (error, name, frame, width, height);
      goto error;
    }
  image = ink_image_try_new (width, height, error);
  if (image == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      goto error;
    }
  image->has_alpha = pix_fmt_has_alpha (frame);
  for (int y = 0; y < height; y++)
    memcpy (image->pixels + (gsize) y * width * 4, buffer + (gsize) y * dst_stride[0],
            (gsize) width * 8);
  av_freep (&buffer);
  /* libswscale widens D-bit YCbCr (and alpha) by shifting (8-bit white comes out as 65280, mid grey
   * as 32768), not by scaling to the full 16-bit range; stretch the channels so full-range white is
   * 65535 and 8-bit values land on v * 257, as for PNG. */
  if (desc->comp[0].depth < 16 && !(desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)))
    {
      int depth = desc->comp[0].depth;
      guint32 top = ((1u << depth) - 1) << (16 - depth);
      gboolean alpha = (desc->flags & AV_PIX_FMT_FLAG_ALPHA) != 0; /* else it is 65535 already */
      guint16 *stretch = g_new (guint16, 65536);

      for (guint32 v = 0; v < 65536; v++)
        stretch[v] = (guint16) MIN (65535u, (v * 65535u + top / 2) / top);
      for (gsize i = 0; i < (gsize) width * height * 4; i++)
        if (alpha || i % 4 != 3)
          image->pixels[i] = stretch[image->pixels[i]];
      g_free (stretch);
    }

  sws_freeContext (sws);
  return image;

error:
  av_free (buffer);
  sws_freeContext (sws);
  ink_image_free (&image);
  return NULL;
}
