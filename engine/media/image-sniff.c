/* image-sniff.c: a photo's format and pixel size, read from its header before FFmpeg allocates; the loader's errors. */
#include "media-private.h"

#include <string.h>

#include <libavutil/error.h>

#include "ink-error.h"

ImageKind
ink_sniff_kind (const guint8 *data,
                gsize size)
{
  if (size >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return KIND_PNG;
  if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return KIND_JPEG;
  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return KIND_WEBP;
  if (size >= 8 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    return KIND_TIFF;
  if (size >= 26 && data[0] == 'B' && data[1] == 'M')
    return KIND_BMP;
  return KIND_UNKNOWN;
}

/* Walks a JPEG's segments. Finds the frame size in the first SOFn and whether the data reaches an
 * EOI marker (entropy-coded data is scanned byte by byte; other segments are skipped by length, so an
 * EXIF thumbnail's EOI does not count). Stray bytes between segments are skipped like libjpeg does. */
static void
jpeg_walk (const guint8 *data,
           gsize size,
           guint32 *width,
           guint32 *height,
           gboolean *complete)
{
  gsize pos = 2;

  *complete = FALSE;
  while (pos + 1 < size)
    {
      guint8 marker;

      if (data[pos] != 0xff)
        {
          pos++;
          continue;
        }
      marker = data[pos + 1];
      if (marker == 0xff)
        {
          pos++; /* fill byte */
          continue;
        }
      if (marker == 0x00 || (marker >= 0xd0 && marker <= 0xd8) || marker == 0x01)
        {
          pos += 2; /* stuffed 0xff, restart marker, SOI or TEM: no length */
          continue;
        }
      if (marker == 0xd9)
        {
          *complete = TRUE;
          return;
        }
      /* A segment with a length. */
      if (pos + 4 > size)
        return;
      {
        gsize length = be16 (data + pos + 2);

        if (length < 2)
          return;
        if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc &&
            *width == 0 && pos + 9 <= size)
          {
            *height = be16 (data + pos + 5);
            *width = be16 (data + pos + 7);
          }
        pos += 2 + length;
      }
    }
}

/* Reads the pixel size from the header. Returns FALSE when the header is too short or not understood
 * here (the decoder then decides). *complete is FALSE only for a JPEG whose data stops before EOI. */
gboolean
ink_sniff_size (ImageKind kind,
                const guint8 *data,
                gsize size,
                guint32 *width,
                guint32 *height,
                gboolean *complete)
{
  *width = *height = 0;
  *complete = TRUE;

  switch (kind)
    {
    case KIND_PNG:
      if (size < 24 || memcmp (data + 12, "IHDR", 4) != 0)
        return FALSE;
      *width = be32 (data + 16);
      *height = be32 (data + 20);
      return TRUE;

    case KIND_JPEG:
      jpeg_walk (data, size, width, height, complete);
      return *width != 0 && *height != 0;

    case KIND_WEBP:
      {
        const guint8 *chunk = data + 12;
        gsize left = size - 12;

        if (left < 8 + 10)
          return FALSE;
        if (memcmp (chunk, "VP8X", 4) == 0)
          {
            *width = le24 (chunk + 8 + 4) + 1;
            *height = le24 (chunk + 8 + 7) + 1;
            return TRUE;
          }
        if (memcmp (chunk, "VP8 ", 4) == 0 && chunk[8 + 3] == 0x9d && chunk[8 + 4] == 0x01 &&
            chunk[8 + 5] == 0x2a)
          {
            *width = le16 (chunk + 8 + 6) & 0x3fff;
            *height = le16 (chunk + 8 + 8) & 0x3fff;
            return TRUE;
          }
        if (memcmp (chunk, "VP8L", 4) == 0 && chunk[8] == 0x2f)
          {
            guint32 bits = le32 (chunk + 9);

            *width = (bits & 0x3fff) + 1;
            *height = ((bits >> 14) & 0x3fff) + 1;
            return TRUE;
          }
        return FALSE;
      }

    case KIND_TIFF:
      {
        gboolean le = data[0] == 'I';
        guint32 ifd = le ? le32 (data + 4) : be32 (data + 4);
        guint32 count, i;

        if (ifd < 8 || (gsize) ifd + 2 > size)
          return FALSE;
        count = le ? le16 (data + ifd) : be16 (data + ifd);
        for (i = 0; i < count && (gsize) ifd + 2 + 12 * (i + 1) <= size; i++)
          {
            const guint8 *entry = data + ifd + 2 + 12 * i;
            guint32 tag = le ? le16 (entry) : be16 (entry);
            guint32 type = le ? le16 (entry + 2) : be16 (entry + 2);
            guint32 value;

            if (type == 3)
              value = le ? le16 (entry + 8) : be16 (entry + 8);
            else if (type == 4)
              value = le ? le32 (entry + 8) : be32 (entry + 8);
            else
              continue;
            if (tag == 256)
              *width = value;
            else if (tag == 257)
              *height = value;
          }
        return *width != 0 && *height != 0;
      }

    case KIND_BMP:
      {
        guint32 header = le32 (data + 14);

        if (header == 12)
          {
            *width = le16 (data + 18);
            *height = le16 (data + 20);
            return TRUE;
          }
        if (header >= 40)
          {
            gint32 w = (gint32) le32 (data + 18), h = (gint32) le32 (data + 22);

            *width = w < 0 ? (guint32) -(gint64) w : (guint32) w;
            *height = h < 0 ? (guint32) -(gint64) h : (guint32) h;
            return TRUE;
          }
        return FALSE;
      }

    case KIND_UNKNOWN:
    default:
      return FALSE;
    }
}

gboolean
ink_size_too_large (guint64 width,
                    guint64 height)
{
  return width > INK_IMAGE_MAX_SIDE || height > INK_IMAGE_MAX_SIDE ||
         width * height > INK_IMAGE_MAX_PIXELS;
}

void
ink_set_too_large (GError **error,
                   const char *name,
                   guint64 width,
                   guint64 height)
{
  g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
               "%s: the image is %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
               " pixels; Inkloop accepts at most %d px a side and %d megapixels "
               "(scale it down with an image editor first)",
               name, width, height, INK_IMAGE_MAX_SIDE, INK_IMAGE_MAX_PIXELS / 1000000);
}

void
ink_set_decode_error (GError **error,
                      const char *name,
                      const char *detail)
{
  g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
               "%s: not a supported image or the file is damaged (%s)", name, detail);
}

void
ink_set_av_error (GError **error,
                  const char *name,
                  const char *what,
                  int ret)
{
  char text[AV_ERROR_MAX_STRING_SIZE] = "";
  g_autofree char *detail = NULL;

  if (ret == AVERROR (ENOMEM))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "%s: out of memory while %s", name, what);
      return;
    }
  av_strerror (ret, text, sizeof text);
  detail = g_strdup_printf ("%s: %s", what, text);
  ink_set_decode_error (error, name, detail);
}
