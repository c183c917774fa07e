/* image-webp.c: decodes a WebP still with libwebp, whose memory follows the pixels, into a frame. */
#include "media-private.h"

#include <webp/decode.h>

#include "ink-error.h"

/* FFmpeg 5.1's WebP decoder is not used: a lossless bitstream (or a lossy file's alpha, which is
 * compressed the same way) names a Huffman group for each block of its entropy image, and FFmpeg
 * allocates the tables of every group up to the largest index named, up to 65 536 of them, however
 * few pixels there are (a 64x64 file of 944 KB took 454 MB). libwebp counts only the groups the
 * entropy image uses, at most one a pixel of it. Its lossy output is the same YCbCr, and lossless
 * the same RGB and alpha, as FFmpeg's decoder gives: both follow the format's reference decoder. */

static void
set_webp_error (GError **error,
                const char *name,
                VP8StatusCode status)
{
  switch (status)
    {
    case VP8_STATUS_OUT_OF_MEMORY:
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "%s: out of memory while decoding", name);
      break;
    case VP8_STATUS_NOT_ENOUGH_DATA:
      ink_set_decode_error (error, name,
                            "decoding: the WebP data ends early; the file is truncated");
      break;
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      ink_set_decode_error (error, name, "decoding: a WebP feature that is not supported");
      break;
    default:
      ink_set_decode_error (error, name, "decoding: invalid WebP data");
      break;
    }
}

AVFrame *
ink_webp_decode (const guint8 *data,
                 gsize size,
                 const char *name,
                 GError **error)
{
  WebPDecoderConfig config;
  WebPDecBuffer *out = &config.output;
  AVFrame *frame = NULL;
  gboolean lossless, alpha;
  VP8StatusCode status;
  int ret;

  if (!WebPInitDecoderConfig (&config))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED,
                   "%s: libwebp does not match the version Inkloop was built with", name);
      goto error;
    }
  status = WebPGetFeatures (data, size, &config.input);
  if (status != VP8_STATUS_OK)
    {
      set_webp_error (error, name, status);
      goto error;
    }
  if (config.input.has_animation)
    {
      ink_set_decode_error (error, name, "it is an animated WebP, a clip; 'inkloop-cli render' "
                                         "turns clips into stylized clips and loops, and this "
                                         "takes still images");
      goto error;
    }
  if (config.input.width < 1 || config.input.height < 1)
    {
      ink_set_decode_error (error, name, "the decoder returned an empty image");
      goto error;
    }
  if (ink_size_too_large ((guint) config.input.width, (guint) config.input.height))
    {
      ink_set_too_large (error, name, (guint) config.input.width, (guint) config.input.height);
      goto error;
    }

  /* Lossy: YCbCr 4:2:0, limited range, BT.601 (what FFmpeg's decoder says too), converted by
   * libswscale like a JPEG; lossless: RGB samples, converted exactly. */
  lossless = config.input.format == 2;
  alpha = config.input.has_alpha;
  frame = av_frame_alloc ();
  if (frame == NULL)
    {
      ink_set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  frame->width = config.input.width;
  frame->height = config.input.height;
  if (lossless)
    frame->format = alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24;
  else
    {
      frame->format = alpha ? AV_PIX_FMT_YUVA420P : AV_PIX_FMT_YUV420P;
      frame->color_range = AVCOL_RANGE_MPEG;
      frame->colorspace = AVCOL_SPC_BT470BG;
    }
  ret = av_frame_get_buffer (frame, 0);
  if (ret < 0)
    {
      ink_set_av_error (error, name, "allocating", ret);
      goto error;
    }

  /* libwebp writes straight into the frame. */
  out->is_external_memory = 1;
  if (lossless)
    {
      out->colorspace = alpha ? MODE_RGBA : MODE_RGB; /* straight alpha */
      out->u.RGBA.rgba = frame->data[0];
      out->u.RGBA.stride = frame->linesize[0];
      out->u.RGBA.size = (size_t) frame->linesize[0] * frame->height;
    }
  else
    {
      int chroma_rows = (frame->height + 1) / 2;

      out->colorspace = alpha ? MODE_YUVA : MODE_YUV;
      out->u.YUVA.y = frame->data[0];
      out->u.YUVA.u = frame->data[1];
      out->u.YUVA.v = frame->data[2];
      out->u.YUVA.y_stride = frame->linesize[0];
      out->u.YUVA.u_stride = frame->linesize[1];
      out->u.YUVA.v_stride = frame->linesize[2];
      out->u.YUVA.y_size = (size_t) frame->linesize[0] * frame->height;
      out->u.YUVA.u_size = (size_t) frame->linesize[1] * chroma_rows;
      out->u.YUVA.v_size = (size_t) frame->linesize[2] * chroma_rows;
      if (alpha)
        {
          out->u.YUVA.a = frame->data[3];
          out->u.YUVA.a_stride = frame->linesize[3];
          out->u.YUVA.a_size = (size_t) frame->linesize[3] * frame->height;
        }
    }
  status = WebPDecode (data, size, &config);
  WebPFreeDecBuffer (out);
  if (status != VP8_STATUS_OK)
    {
      set_webp_error (error, name, status);
      goto error;
    }
  return frame;

error:
  av_frame_free (&frame);
  return NULL;
}
