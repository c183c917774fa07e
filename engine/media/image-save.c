/* image-save.c: encodes an InkImage as PNG: to a file atomically, or to memory. 8-bit pictures
 * (stills, frames) go through png-write.c, on several threads; the lossless layouts (16-bit,
 * grey) through libavcodec's encoder. */
#include "ink-image.h"

#include <libavcodec/avcodec.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#include "atomic-file.h"
#include "ffmpeg-private.h"
#include "image-save-private.h"
#include "ink-error.h"
#include "png-write-private.h"

/* Speed against size, measured on 1920x1080 images (one core; libavcodec 59, zlib 1.2.13):
 *   photo:        paeth level 3 137 ms 2.36 MB, level 4 128 ms 2.32 MB, level 6 444 ms 2.20 MB,
 *                 "mixed" level 4 145 ms 2.32 MB, no filter level 4 133 ms 4.41 MB;
 *   comic-like:   paeth level 3 31 ms 319 KB, level 4 34 ms 283 KB, level 6 62 ms 238 KB.
 * zlib's level 4 is its first lazy-matching level: faster than 3 on photos and smaller on both.
 * On a stylized 1920x1080 result (what inkloop-cli writes): level 4 106 ms 1.42 MB, level 2 86 ms
 * 1.58 MB, level 1 77 ms 1.63 MB; level 2 keeps the whole still command well under the time of
 * the peers it is measured against, for 11 % more bytes. png-write.c now deflates as runs (Z_RLE):
 * smaller than level 4 and faster than level 1 there. */
#define PNG_COMPRESSION_LEVEL 2
#define PNG_PREDICTION "paeth"

static void
set_encode_error (GError **error,
                  const char *path,
                  int ret)
{
  char text[AV_ERROR_MAX_STRING_SIZE] = "";

  if (ret == AVERROR (ENOMEM))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "%s: cannot write: out of memory", path);
      return;
    }
  av_strerror (ret, text, sizeof text);
  g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "%s: cannot write: PNG encoding failed (%s)",
               path, text);
}

/* The smallest layout that holds IMAGE exactly (see ink_image_encode_png). */
static enum AVPixelFormat
lossless_format (const InkImage *image)
{
  gsize n = (gsize) image->width * image->height;
  int channels = image->has_alpha ? 4 : 3;
  gboolean grey = TRUE, deep = FALSE;

  for (gsize i = 0; i < n && (grey || !deep); i++)
    {
      const guint16 *p = image->pixels + i * 4;

      if (p[0] != p[1] || p[0] != p[2])
        grey = FALSE;
      for (int c = 0; c < channels; c++)
        if (p[c] % 257 != 0)
          deep = TRUE;
    }
  if (grey)
    return image->has_alpha ? (deep ? AV_PIX_FMT_YA16BE : AV_PIX_FMT_YA8)
                            : (deep ? AV_PIX_FMT_GRAY16BE : AV_PIX_FMT_GRAY8);
  return image->has_alpha ? (deep ? AV_PIX_FMT_RGBA64BE : AV_PIX_FMT_RGBA)
                          : (deep ? AV_PIX_FMT_RGB48BE : AV_PIX_FMT_RGB24);
}

/* Copies IMAGE into FRAME's FORMAT: 8-bit samples rounded to nearest, 16-bit ones big-endian;
 * grey formats take the red channel (the caller checked R = G = B). */
static void
fill_frame (AVFrame *frame,
            const InkImage *image)
{
  const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get (frame->format);
  gboolean deep = desc->comp[0].depth == 16;
  int colours = desc->nb_components <= 2 ? 1 : 3;
  int channels = colours + ((desc->flags & AV_PIX_FMT_FLAG_ALPHA) != 0);

  for (int y = 0; y < image->height; y++)
    {
      const guint16 *src = image->pixels + (gsize) y * image->width * 4;
      guint8 *dst = frame->data[0] + (gsize) y * frame->linesize[0];

      if (!deep && colours == 3) /* RGB24, RGBA: what every still and frame takes */
        {
          for (int x = 0; x < image->width; x++, src += 4, dst += channels)
            for (int c = 0; c < channels; c++)
              dst[c] = ink_image_to8 (src[c]);
          continue;
        }
      for (int x = 0; x < image->width; x++, src += 4)
        for (int c = 0; c < channels; c++)
          {
            guint16 v = src[c < colours ? c : 3];

            if (deep)
              {
                *dst++ = (guint8) (v >> 8);
                *dst++ = (guint8) (v & 0xff);
              }
            else
              *dst++ = ink_image_to8 (v);
          }
    }
}

/* Encodes IMAGE in FORMAT; NAME is used in messages only. */
static AVPacket *
encode_png (const InkImage *image,
            enum AVPixelFormat format,
            const char *name,
            GError **error)
{
  const AVCodec *codec;
  AVCodecContext *encoder = NULL;
  AVFrame *frame = NULL;
  AVPacket *packet = NULL;
  int ret;

  ink_ffmpeg_init_logging ();

  codec = avcodec_find_encoder (AV_CODEC_ID_PNG);
  if (codec == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED,
                   "%s: cannot write: this FFmpeg has no PNG encoder", name);
      goto error;
    }
  encoder = avcodec_alloc_context3 (codec);
  frame = av_frame_alloc ();
  packet = av_packet_alloc ();
  if (encoder == NULL || frame == NULL || packet == NULL)
    {
      set_encode_error (error, name, AVERROR (ENOMEM));
      goto error;
    }

  encoder->width = image->width;
  encoder->height = image->height;
  encoder->pix_fmt = format;
  encoder->time_base = (AVRational) { 1, 1 };
  encoder->compression_level = PNG_COMPRESSION_LEVEL;
  encoder->thread_count = 1;
  av_opt_set (encoder->priv_data, "pred", PNG_PREDICTION, 0);
  ret = avcodec_open2 (encoder, codec, NULL);
  if (ret < 0)
    {
      set_encode_error (error, name, ret);
      goto error;
    }

  frame->width = image->width;
  frame->height = image->height;
  frame->format = encoder->pix_fmt;
  ret = av_frame_get_buffer (frame, 0);
  if (ret < 0)
    {
      set_encode_error (error, name, ret);
      goto error;
    }
  fill_frame (frame, image);

  ret = avcodec_send_frame (encoder, frame);
  if (ret >= 0)
    ret = avcodec_receive_packet (encoder, packet);
  if (ret < 0)
    {
      set_encode_error (error, name, ret);
      goto error;
    }

  av_frame_free (&frame);
  avcodec_free_context (&encoder);
  return packet;

error:
  av_packet_free (&packet);
  av_frame_free (&frame);
  avcodec_free_context (&encoder);
  return NULL;
}

GBytes *
ink_image_encode_png (const InkImage *image,
                      gboolean lossless,
                      const char *name,
                      GError **error)
{
  AVPacket *packet;
  GBytes *bytes;

  g_return_val_if_fail (image != NULL && image->pixels != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lossless)
    return ink_png_encode_8bit (image, name, error);
  packet = encode_png (image, lossless_format (image), name, error);
  if (packet == NULL)
    return NULL;
  bytes = g_bytes_new (packet->data, (gsize) packet->size);
  av_packet_free (&packet);
  return bytes;
}

gboolean
ink_image_save_png (const InkImage *image,
                    const char *path,
                    GError **error)
{
  g_autoptr (GBytes) png = NULL;
  InkAtomicFile *file = NULL;
  gsize size;
  const void *data;

  g_return_val_if_fail (image != NULL && image->pixels != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  png = ink_png_encode_8bit (image, path, error);
  if (png == NULL)
    return FALSE;
  data = g_bytes_get_data (png, &size);
  file = ink_atomic_file_open (path, error);
  if (file == NULL
      || !ink_atomic_file_write (file, data, size, error)
      || !ink_atomic_file_commit (&file, error))
    {
      ink_atomic_file_abort (&file);
      return FALSE;
    }
  return TRUE;
}
