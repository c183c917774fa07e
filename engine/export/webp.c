/* webp.c: the animated WebP writer: libwebp's animation encoder at the loop's rate, played
 * forever, each frame lasting until the next (the last one to the loop's end).
 *
 * libwebp directly rather than through FFmpeg's libwebp_anim (what this file used before): the
 * encoder can then use a second thread within each frame (WebPConfig.thread_level), which FFmpeg's
 * wrapper leaves off, and the last frame gets its true duration instead of one tick. */
#include "export-private.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#include <glib/gstdio.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "atomic-file.h"
#include "ink-error.h"

/* Frame I's start in ms at FPS, rounded on the running total so the loop keeps its length. */
static int
start_ms (int i, double fps)
{
  return (int) lrint (1000.0 * i / fps);
}

static const char *
encoder_error (WebPEncodingError code)
{
  switch (code)
    {
    case VP8_ENC_ERROR_OUT_OF_MEMORY:
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_ENC_ERROR_BAD_DIMENSION:
      return "the picture is too large for WebP (16383 px a side at most); try a smaller --size";
    case VP8_ENC_ERROR_FILE_TOO_BIG:
      return "the animation is larger than WebP allows (4 GiB); try a smaller --size";
    default:
      return "the WebP encoder failed";
    }
}

gboolean
ink_export_write_webp (InkExportJob *job, const char *tmp_path, int quality,
                       InkExportResult *result, GError **error)
{
  WebPAnimEncoderOptions options;
  WebPAnimEncoder *enc = NULL;
  WebPConfig config;
  WebPPicture picture;
  WebPData data = { NULL, 0 };
  gboolean ok = FALSE, picture_ready = FALSE;
  FILE *file = NULL;
  int errsv = 0;

  job->total = job->done + job->n;
  if (!WebPAnimEncoderOptionsInit (&options) || !WebPConfigPreset (&config, WEBP_PRESET_DRAWING, quality)
      || !WebPPictureInit (&picture))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "%s: this libwebp is not the one Inkloop was "
                   "built with; reinstall libwebp", job->path);
      return FALSE;
    }
  options.anim_params.loop_count = 0;   /* forever */
  /* A second thread within each frame (the analysis and the filter search): the same bytes. */
  config.thread_level = 1;
  picture.use_argb = 1;
  picture.width = job->width;
  picture.height = job->height;
  enc = WebPAnimEncoderNew (job->width, job->height, &options);
  if (enc == NULL || !WebPPictureAlloc (&picture))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: %s", job->path,
                   enc == NULL ? "out of memory"
                               : encoder_error (picture.error_code));
      goto out;
    }
  picture_ready = TRUE;
  for (int i = 0; i < job->n; i++)
    {
      const guint32 *frame = ink_export_job_frame (job, i, i + 1 < job->n ? i + 1 : -1, FALSE,
                                                   error);
      if (frame == NULL)
        goto out;
      ink_export_job_step (job);
      /* R G B A bytes to libwebp's ARGB words. */
      for (int y = 0; y < job->height; y++)
        {
          const guint32 *src = frame + (gsize) y * job->width;
          guint32 *dst = picture.argb + (gsize) y * picture.argb_stride;
          for (int x = 0; x < job->width; x++)
            dst[x] = (src[x] & 0xff00ff00u) | (src[x] >> 16 & 0xff) | (src[x] & 0xff) << 16;
        }
      /* Equal neighbours merge inside the encoder. */
      if (!WebPAnimEncoderAdd (enc, &picture, start_ms (i, job->fps), &config))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: %s", job->path,
                       encoder_error (picture.error_code));
          goto out;
        }
    }
  /* The end of the loop: the last frame's duration. */
  if (!WebPAnimEncoderAdd (enc, NULL, start_ms (job->n, job->fps), NULL)
      || !WebPAnimEncoderAssemble (enc, &data))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: %s", job->path,
                   WebPAnimEncoderGetError (enc));
      goto out;
    }
  file = g_fopen (tmp_path, "wb");
  if (file == NULL || fwrite (data.bytes, 1, data.size, file) != data.size || fflush (file) != 0)
    errsv = errno != 0 ? errno : EIO;
  if (file != NULL && fclose (file) != 0 && errsv == 0)
    errsv = errno != 0 ? errno : EIO;
  if (errsv != 0)
    {
      ink_set_write_error (error, job->path, errsv);
      goto out;
    }
  result->frames = job->n;
  ok = TRUE;
out:
  WebPDataClear (&data);
  if (picture_ready)
    WebPPictureFree (&picture);
  WebPAnimEncoderDelete (enc);
  return ok;
}
