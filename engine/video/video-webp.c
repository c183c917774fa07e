/* video-webp.c: animated WebP clips through libwebp's demuxer (FFmpeg 5.1 decodes WebP stills
 * only): frames composed on the canvas, with their times. */
#include "video-webp.h"

#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

#include "file-read.h"
#include "ink-error.h"
#include "ink-image.h"
#include "media-private.h"

struct InkWebpAnim {
  char *path;
  GBytes *bytes;
  WebPAnimDecoder *dec;
  WebPAnimInfo info;
  int last_ms;              /* the end of the frame read last */
};

gboolean
ink_webp_is_animated (const guint8 *head, gsize n)
{
  /* RIFF size WEBP, then a VP8X chunk whose flags (byte 20) have the animation bit. */
  return n >= 21 && memcmp (head, "RIFF", 4) == 0 && memcmp (head + 8, "WEBPVP8X", 8) == 0
         && (head[20] & 0x02) != 0;
}

InkWebpAnim *
ink_webp_anim_open (const char *path, GError **error)
{
  InkWebpAnim *a = g_new0 (InkWebpAnim, 1);
  WebPAnimDecoderOptions options;
  WebPData data;
  gsize size;

  char *contents = NULL, *name = NULL;
  gsize length = 0;

  a->path = g_strdup (path);
  if (!ink_file_read_all (path, INK_IMAGE_MAX_FILE_BYTES, "clip", &name, &contents, &length,
                          error))
    {
      g_free (name);
      goto error;
    }
  g_free (name);
  a->bytes = g_bytes_new_take (contents, length);
  if (!WebPAnimDecoderOptionsInit (&options))
    goto broken;
  options.color_mode = MODE_RGBA;
  options.use_threads = 1;
  data.bytes = g_bytes_get_data (a->bytes, &size);
  data.size = size;
  /* The canvas's size first, from the header: the animation decoder allocates the whole canvas
   * as it opens (a few bytes of header can ask for gigabytes). */
  {
    WebPBitstreamFeatures features;

    if (WebPGetFeatures (data.bytes, data.size, &features) != VP8_STATUS_OK
        || features.width < 1 || features.height < 1)
      goto broken;
    if (ink_size_too_large ((guint) features.width, (guint) features.height))
      {
        ink_set_too_large (error, path, (guint) features.width, (guint) features.height);
        goto error;
      }
  }
  a->dec = WebPAnimDecoderNew (&data, &options);
  if (a->dec == NULL || !WebPAnimDecoderGetInfo (a->dec, &a->info))
    goto broken;
  if (a->info.frame_count < 1 || a->info.canvas_width < 1 || a->info.canvas_height < 1)
    goto broken;
  return a;

broken:
  g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: an animated WebP that libwebp cannot "
               "read; the file may be damaged", path);
error:
  ink_webp_anim_free (&a);
  return NULL;
}

void
ink_webp_anim_free (InkWebpAnim **pa)
{
  InkWebpAnim *a = *pa;

  if (a == NULL)
    return;
  if (a->dec != NULL)
    WebPAnimDecoderDelete (a->dec);
  g_clear_pointer (&a->bytes, g_bytes_unref);
  g_free (a->path);
  g_free (a);
  *pa = NULL;
}

void
ink_webp_anim_size (InkWebpAnim *a, int *width, int *height, int *frames)
{
  *width = a->info.canvas_width;
  *height = a->info.canvas_height;
  *frames = a->info.frame_count;
}

void
ink_webp_anim_rewind (InkWebpAnim *a)
{
  WebPAnimDecoderReset (a->dec);
  a->last_ms = 0;
}

const guint8 *
ink_webp_anim_next (InkWebpAnim *a, double *pts, double *end, GError **error)
{
  guint8 *rgba = NULL;
  int ms = 0;

  if (!WebPAnimDecoderHasMoreFrames (a->dec))
    return NULL;
  if (!WebPAnimDecoderGetNext (a->dec, &rgba, &ms))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: a damaged frame after %.2f s",
                   a->path, a->last_ms / 1000.0);
      return NULL;
    }
  *pts = a->last_ms / 1000.0;
  /* A frame of no time still shows for a moment, as browsers show it. */
  a->last_ms = MAX (ms, a->last_ms + 10);
  *end = a->last_ms / 1000.0;
  return rgba;
}
