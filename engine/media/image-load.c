/* image-load.c: decodes a photo (PNG, JPEG, WebP, TIFF, BMP) from a file or memory into an InkImage. */
#include "ink-image.h"

#include <math.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "ffmpeg-private.h"
#include "file-read.h"
#include "ink-error.h"
#include "media-private.h"

/* FFmpeg prints its own diagnostics to stderr; the user should see only ours. INKLOOP_FFMPEG_LOG
 * (any value; "debug" for everything) lets them through for debugging. */
void
ink_ffmpeg_init_logging (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      const char *env = g_getenv ("INKLOOP_FFMPEG_LOG");

      if (env == NULL)
        av_log_set_level (AV_LOG_QUIET);
      else if (g_strcmp0 (env, "debug") == 0)
        av_log_set_level (AV_LOG_DEBUG);
      g_once_init_leave (&done, 1);
    }
}

/* ---- Loading ---- */

/* Checks what the header says before anything is decoded: the size (so a hostile header never
 * reaches an allocation) and, for JPEG, that the data is complete. */
static gboolean
check_header (const guint8 *data,
              gsize size,
              const char *name,
              GError **error)
{
  ImageKind kind = ink_sniff_kind (data, size);
  guint32 width, height;
  gboolean complete;
  gboolean known = ink_sniff_size (kind, data, size, &width, &height, &complete);

  if (known && (width == 0 || height == 0))
    {
      g_autofree char *detail = g_strdup_printf ("the header says %ux%u pixels", width, height);

      ink_set_decode_error (error, name, detail);
      goto error;
    }
  if (known && ink_size_too_large (width, height))
    {
      ink_set_too_large (error, name, width, height);
      goto error;
    }
  /* FFmpeg decodes a truncated JPEG without complaint and leaves the missing part as it was
   * allocated (green after colour conversion). A picture with a band of garbage makes a bad comic,
   * so a JPEG whose data ends before the end-of-image marker is refused, like a truncated PNG. */
  if (kind == KIND_JPEG && !complete)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: the JPEG data ends early; the file is truncated "
                   "(an incomplete download or copy?)", name);
      goto error;
    }
  return TRUE;

error:
  return FALSE;
}

/* The demuxers that read one still image; anything else FFmpeg recognises is refused. */
static const char *const image_demuxers[] = {
  "png_pipe", "jpeg_pipe", "webp_pipe", "tiff_pipe", "bmp_pipe",
};

/* Which of the allowed demuxers reads DATA (an animated PNG is read as a still: its default
 * image). */
const AVInputFormat *
ink_probe_format (const guint8 *data,
                  gsize size,
                  const char *name,
                  GError **error)
{
  Stream file;
  AVIOContext *avio = NULL;
  const AVInputFormat *format = NULL;
  gboolean allowed = FALSE;
  int ret;

  ink_stream_init (&file);
  ink_stream_add (&file, data, size);
  avio = ink_open_avio (&file);
  if (avio == NULL)
    {
      ink_set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  ret = av_probe_input_buffer2 (avio, &format, "", NULL, 0, 0);
  if (ret < 0 || format == NULL)
    {
      ink_set_decode_error (error, name, "the data is not in a format Inkloop reads: "
                                     "PNG, JPEG, WebP, TIFF or BMP");
      goto error;
    }
  if (g_strcmp0 (format->name, "apng") == 0)
    format = av_find_input_format ("png_pipe");
  for (gsize i = 0; format != NULL && i < G_N_ELEMENTS (image_demuxers); i++)
    allowed |= g_strcmp0 (format->name, image_demuxers[i]) == 0;
  if (!allowed)
    {
      /* A clip: say where clips go. */
      static const char *const clips[] = { "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi",
                                           "gif", "mpegts", "flv", "ogg", "mpeg" };
      gboolean clip = FALSE;
      g_autofree char *detail = NULL;
      for (gsize i = 0; format != NULL && i < G_N_ELEMENTS (clips); i++)
        clip |= g_strcmp0 (format->name, clips[i]) == 0;
      detail = clip ? g_strdup_printf ("it is a video clip (%s); 'inkloop-cli render' turns clips "
                                       "into stylized clips and loops, and this takes photos: "
                                       "PNG, JPEG, WebP, TIFF and BMP", format->name)
                    : g_strdup_printf ("it looks like %s data; Inkloop reads PNG, JPEG, WebP, "
                                       "TIFF and BMP", format != NULL ? format->name : "unknown");
      ink_set_decode_error (error, name, detail);
      goto error;
    }
  ink_close_avio (&avio);
  ink_stream_clear (&file);
  return format;

error:
  ink_close_avio (&avio);
  ink_stream_clear (&file);
  return NULL;
}

/* Demuxes and decodes the first image in DATA (without its metadata: see
 * ink_rewrite_for_decoder (); a WebP with libwebp); *CODEC_ID says which decoder made it and
 * *ORIENTATION is its EXIF orientation (1 when none). */
static AVFrame *
decode_first_frame (const guint8 *data,
                    gsize size,
                    const char *name,
                    enum AVCodecID *codec_id,
                    int *orientation,
                    GError **error)
{
  Stream clean;
  AVIOContext *avio = NULL;
  const AVInputFormat *format = NULL;
  AVFormatContext *demuxer = NULL;
  const AVCodec *codec;
  AVCodecContext *decoder = NULL;
  AVPacket *packet = NULL;
  AVFrame *frame = NULL;
  int ret;

  ink_stream_init (&clean);
  format = ink_probe_format (data, size, name, error);
  if (format == NULL)
    goto error;
  if (!ink_rewrite_for_decoder (data, size, format->name, name, &clean, orientation, error))
    goto error;
  if (g_strcmp0 (format->name, "webp_pipe") == 0)
    {
      /* WebP: libwebp rather than FFmpeg (see image-webp.c). */
      guint8 *flat = ink_stream_flatten (&clean);

      frame = ink_webp_decode (flat, clean.size, name, error);
      g_free (flat);
      if (frame == NULL)
        goto error;
      *codec_id = AV_CODEC_ID_WEBP;
      ink_stream_clear (&clean);
      return frame;
    }
  avio = ink_open_avio (&clean);
  if (avio == NULL)
    {
      ink_set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }

  demuxer = avformat_alloc_context ();
  if (demuxer == NULL)
    {
      ink_set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  demuxer->pb = avio;
  demuxer->flags |= AVFMT_FLAG_CUSTOM_IO;
  ret = avformat_open_input (&demuxer, "", format, NULL);
  if (ret < 0)
    {
      ink_set_av_error (error, name, "reading the container", ret);
      goto error;
    }
  if (demuxer->nb_streams < 1 ||
      (codec = avcodec_find_decoder (demuxer->streams[0]->codecpar->codec_id)) == NULL)
    {
      ink_set_decode_error (error, name, "no decoder for its contents");
      goto error;
    }

  decoder = avcodec_alloc_context3 (codec);
  if (decoder == NULL)
    {
      ink_set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  ret = avcodec_parameters_to_context (decoder, demuxer->streams[0]->codecpar);
  if (ret < 0)
    {
      ink_set_av_error (error, name, "setting up the decoder", ret);
      goto error;
    }
  decoder->max_pixels = INK_IMAGE_MAX_PIXELS;
  decoder->thread_count = 1;
  /* PNG: check every chunk's CRC. Like libpng, a damaged chunk is skipped (without AV_EF_EXPLODE),
   * which is harmless for an ancillary chunk and fails the decode for image data. */
  if (codec->id == AV_CODEC_ID_PNG)
    decoder->err_recognition |= AV_EF_CRCCHECK;
  ret = avcodec_open2 (decoder, codec, NULL);
  if (ret < 0)
    {
      ink_set_av_error (error, name, "opening the decoder", ret);
      goto error;
    }

  packet = av_packet_alloc ();
  frame = av_frame_alloc ();
  if (packet == NULL || frame == NULL)
    {
      ink_set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  ret = av_read_frame (demuxer, packet);
  if (ret < 0)
    {
      ink_set_av_error (error, name, "reading the image data", ret);
      goto error;
    }
  ret = avcodec_send_packet (decoder, packet);
  if (ret >= 0)
    {
      ret = avcodec_receive_frame (decoder, frame);
      if (ret == AVERROR (EAGAIN))
        {
          ret = avcodec_send_packet (decoder, NULL);
          if (ret >= 0)
            ret = avcodec_receive_frame (decoder, frame);
        }
    }
  if (ret < 0)
    {
      if (ret == AVERROR (EINVAL)) /* what the decoder says for a size above max_pixels, too */
        ink_set_decode_error (error, name, "decoding: invalid size or parameters; images above "
                                       G_STRINGIFY (INK_IMAGE_MAX_SIDE) " px a side or 50 "
                                       "megapixels are refused");
      else
        ink_set_av_error (error, name, "decoding", ret);
      goto error;
    }
  if (frame->width < 1 || frame->height < 1)
    {
      ink_set_decode_error (error, name, "the decoder returned an empty image");
      goto error;
    }

  *codec_id = codec->id;
  av_packet_free (&packet);
  avcodec_free_context (&decoder);
  avformat_close_input (&demuxer);
  ink_close_avio (&avio);
  ink_stream_clear (&clean);
  return frame;

error:
  av_frame_free (&frame);
  av_packet_free (&packet);
  avcodec_free_context (&decoder);
  avformat_close_input (&demuxer);
  ink_close_avio (&avio);
  ink_stream_clear (&clean);
  return NULL;
}

InkImage *
ink_image_load_data (const guint8 *data,
                     gsize size,
                     const char *name,
                     const InkLoadParams *params,
                     GError **error)
{
  InkLoadParams defaults = INK_LOAD_PARAMS_DEFAULT;
  enum AVCodecID codec_id = AV_CODEC_ID_NONE;
  AVFrame *frame = NULL;
  InkImage *image = NULL;
  const AVPixFmtDescriptor *desc;
  int orientation, width, height;

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ink_ffmpeg_init_logging ();
  if (params == NULL)
    params = &defaults;

  if (params->long_edge < 0 || params->long_edge > INK_IMAGE_MAX_SIDE)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: long edge %d px is out of range: use 0 (keep the size) or 1 to %d",
                   name, params->long_edge, INK_IMAGE_MAX_SIDE);
      goto error;
    }
  if (size == 0)
    {
      ink_set_decode_error (error, name, "the file is empty");
      goto error;
    }
  if (size > INK_IMAGE_MAX_FILE_BYTES || size > INT_MAX)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                   "%s: the file is %" G_GSIZE_FORMAT " MiB; Inkloop reads image files of at most %u MiB",
                   name, size >> 20, INK_IMAGE_MAX_FILE_BYTES >> 20);
      goto error;
    }
  if (!check_header (data, size, name, error))
    goto error;

  frame = decode_first_frame (data, size, name, &codec_id, &orientation, error);
  if (frame == NULL)
    goto error;
  if (ink_size_too_large ((guint) frame->width, (guint) frame->height))
    {
      ink_set_too_large (error, name, (guint) frame->width, (guint) frame->height);
      goto error;
    }

  /* The long edge is the displayed image's; turning by 90 degrees swaps the sides, which does not
   * change which side is longer, so the stored image is scaled to the swapped target. */
  width = frame->width;
  height = frame->height;
  if (params->long_edge > 0)
    {
      int longer = MAX (width, height);
      int shorter = (int) CLAMP (lround ((double) MIN (width, height) * params->long_edge / longer),
                                 1, INK_IMAGE_MAX_SIDE);

      if ((gint64) shorter * params->long_edge > INK_IMAGE_MAX_PIXELS)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                       "%s: scaling to a long edge of %d px makes %dx%d pixels, above the limit of "
                       "%d megapixels", name, params->long_edge,
                       width >= height ? params->long_edge : shorter,
                       width >= height ? shorter : params->long_edge, INK_IMAGE_MAX_PIXELS / 1000000);
          goto error;
        }
      width = frame->width >= frame->height ? params->long_edge : shorter;
      height = frame->width >= frame->height ? shorter : params->long_edge;
    }

  desc = av_pix_fmt_desc_get (frame->format);
  if (desc != NULL && ink_is_exact_format (desc))
    {
      /* Exact samples first; then the per-channel scaler, which keeps them exact where it can. */
      image = ink_convert_exact (frame, desc, error);
      if (image == NULL)
        {
          g_prefix_error (error, "%s: ", name);
          goto error;
        }
      if (width != frame->width || height != frame->height)
        {
          InkImage *scaled = ink_image_scale (image, params->long_edge, error);

          ink_image_free (&image);
          if (scaled == NULL)
            {
              g_prefix_error (error, "%s: ", name);
              goto error;
            }
          image = scaled;
        }
    }
  else
    {
      /* YCbCr: converted and scaled in one libswscale call, without a full-size RGBA copy. */
      image = ink_frame_to_image (frame, width, height, name, error);
      if (image == NULL)
        goto error;
    }
  /* JPEG has no alpha; FFmpeg hands over CMYK (Adobe) JPEGs, converted, as YCbCr + opaque alpha. */
  if (codec_id == AV_CODEC_ID_MJPEG && image->has_alpha)
    {
      image->has_alpha = FALSE;
      for (gsize i = 0; i < (gsize) image->width * image->height; i++)
        image->pixels[4 * i + 3] = 65535;
    }
  image = ink_apply_orientation (image, orientation, error);
  if (image == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      goto error;
    }

  av_frame_free (&frame);
  return image;

error:
  av_frame_free (&frame);
  ink_image_free (&image);
  return NULL;
}

InkImage *
ink_image_load (const char *path,
                const InkLoadParams *params,
                GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  InkImage *image;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ink_file_read_all (path, INK_IMAGE_MAX_FILE_BYTES, "image", &name, &contents, &length,
                          error))
    goto error;

  image = ink_image_load_data ((const guint8 *) contents, length, name, params, error);
  if (image == NULL)
    goto error;
  return image;

error:
  return NULL;
}
