/* media-input.c: decodes a photo (PNG, JPEG, WebP, TIFF, BMP) from a file or memory into an InkImage. */
#include "ink-image.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/crc.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "ffmpeg-private.h"
#include "file-read.h"
#include "ink-error.h"
#include "media-input-private.h"

#define INK_SWS_EXACT (SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)
#define AVIO_BUFFER_SIZE 4096

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

/* ---- What FFmpeg reads: pieces of the file, as an AVIOContext ---- */

/* The bytes handed to FFmpeg: the file itself, or (see "What the decoder gets" below) the file
 * without its metadata, described as pieces of the original plus a few bytes made here, so a large
 * clean file is never copied. */
typedef struct {
  const guint8 *data;
  gsize size;
} Piece;

typedef struct {
  GArray *pieces;     /* Piece, in stream order */
  GPtrArray *owned;   /* the bytes made here that pieces point into */
  gsize size;         /* bytes, all pieces together */
  gsize pos;          /* read position */
  guint piece;        /* the piece that holds pos (pieces->len at the end) */
  gsize piece_start;  /* where that piece begins in the stream */
} Stream;

/* Past this many pieces (a file of many small chunks, alternately kept and left out), the stream
 * is copied into one buffer: the piece list must not outgrow the bytes it describes. */
#define STREAM_MAX_PIECES 4096

static void
stream_init (Stream *stream)
{
  stream->pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  stream->owned = g_ptr_array_new_with_free_func (g_free);
  stream->size = stream->pos = stream->piece_start = 0;
  stream->piece = 0;
}

static void
stream_clear (Stream *stream)
{
  g_clear_pointer (&stream->pieces, g_array_unref);
  g_clear_pointer (&stream->owned, g_ptr_array_unref);
}

/* Appends SIZE bytes at DATA, which must outlive the stream. */
static void
stream_add (Stream *stream,
            const guint8 *data,
            gsize size)
{
  Piece *last = stream->pieces->len > 0
                  ? &g_array_index (stream->pieces, Piece, stream->pieces->len - 1) : NULL;

  if (size == 0)
    return;
  stream->size += size;
  if (last != NULL && last->data + last->size == data)
    {
      last->size += size; /* contiguous with the previous piece */
      return;
    }
  g_array_append_val (stream->pieces, ((Piece) { data, size }));
}

/* Appends a copy of SIZE bytes made here; returns the copy, which may still be changed. */
static guint8 *
stream_add_copy (Stream *stream,
                 const void *data,
                 gsize size)
{
  guint8 *copy = g_memdup2 (data, size);

  g_ptr_array_add (stream->owned, copy);
  stream_add (stream, copy, size);
  return copy;
}

/* The whole stream in one new buffer. */
static guint8 *
stream_flatten (const Stream *stream)
{
  guint8 *flat = g_malloc (MAX (stream->size, 1)), *at = flat;

  for (guint i = 0; i < stream->pieces->len; i++)
    {
      const Piece *piece = &g_array_index (stream->pieces, Piece, i);

      memcpy (at, piece->data, piece->size);
      at += piece->size;
    }
  return flat;
}

/* Copies the pieces into one buffer when there are too many of them. */
static void
stream_finish (Stream *stream)
{
  guint8 *flat;
  gsize size = stream->size;

  if (stream->pieces->len <= STREAM_MAX_PIECES)
    return;
  flat = stream_flatten (stream);
  g_array_set_size (stream->pieces, 0);
  g_ptr_array_set_size (stream->owned, 0);
  g_ptr_array_add (stream->owned, flat);
  stream->size = 0;
  stream_add (stream, flat, size);
}

static int
stream_read (void *opaque,
             uint8_t *buf,
             int buf_size)
{
  Stream *stream = opaque;
  gsize done = 0;

  if (stream->pos >= stream->size)
    return AVERROR_EOF;
  while (done < (gsize) buf_size && stream->pos < stream->size)
    {
      const Piece *piece = &g_array_index (stream->pieces, Piece, stream->piece);
      gsize offset = stream->pos - stream->piece_start;
      gsize n = MIN ((gsize) buf_size - done, piece->size - offset);

      memcpy (buf + done, piece->data + offset, n);
      done += n;
      stream->pos += n;
      if (offset + n == piece->size)
        {
          stream->piece_start += piece->size;
          stream->piece++;
        }
    }
  return (int) done;
}

static int64_t
stream_seek (void *opaque,
             int64_t offset,
             int whence)
{
  Stream *stream = opaque;
  int64_t base;
  gsize target;

  switch (whence & ~AVSEEK_FORCE)
    {
    case AVSEEK_SIZE:
      return (int64_t) stream->size;
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = (int64_t) stream->pos;
      break;
    case SEEK_END:
      base = (int64_t) stream->size;
      break;
    default:
      return AVERROR (EINVAL);
    }
  if (offset < -base || base + offset > (int64_t) stream->size)
    return AVERROR (EINVAL);
  target = (gsize) (base + offset);
  if (target < stream->piece_start)
    {
      stream->piece = 0;
      stream->piece_start = 0;
    }
  while (stream->piece < stream->pieces->len &&
         target >= stream->piece_start + g_array_index (stream->pieces, Piece, stream->piece).size)
    {
      stream->piece_start += g_array_index (stream->pieces, Piece, stream->piece).size;
      stream->piece++;
    }
  stream->pos = target;
  return (int64_t) stream->pos;
}

/* ---- Reading the size from the header, before FFmpeg allocates anything ---- */

typedef enum {
  KIND_UNKNOWN,
  KIND_PNG,
  KIND_JPEG,
  KIND_WEBP,
  KIND_TIFF,
  KIND_BMP,
} ImageKind;

static guint32
be16 (const guint8 *p)
{
  return (guint32) p[0] << 8 | p[1];
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint32
le16 (const guint8 *p)
{
  return (guint32) p[1] << 8 | p[0];
}

static guint32
le24 (const guint8 *p)
{
  return (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static ImageKind
sniff_kind (const guint8 *data,
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
static gboolean
sniff_size (ImageKind kind,
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

static gboolean
size_too_large (guint64 width,
                guint64 height)
{
  return width > INK_IMAGE_MAX_SIDE || height > INK_IMAGE_MAX_SIDE ||
         width * height > INK_IMAGE_MAX_PIXELS;
}

static void
set_too_large (GError **error,
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

static void
set_decode_error (GError **error,
                  const char *name,
                  const char *detail)
{
  g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
               "%s: not a supported image or the file is damaged (%s)", name, detail);
}

static void
set_av_error (GError **error,
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
  set_decode_error (error, name, detail);
}

/* ---- EXIF orientation ---- */

/* The Orientation (1..8) in the first directory (IFD0) of TIFF-structured EXIF data (what follows
 * "Exif\0\0" in a JPEG's APP1, or a WebP EXIF chunk); 1 when there is none. Read here rather than
 * by FFmpeg, which walks every directory an EXIF block points to, repeatedly (see "What the
 * decoder gets"). Only IFD0 counts, as in libjpeg-based viewers and browsers. */
static int
exif_orientation (const guint8 *tiff,
                  gsize size)
{
  gboolean le;
  guint32 ifd, count;

  if (size < 8 || (memcmp (tiff, "II*\0", 4) != 0 && memcmp (tiff, "MM\0*", 4) != 0))
    return 1;
  le = tiff[0] == 'I';
  ifd = le ? le32 (tiff + 4) : be32 (tiff + 4);
  if (ifd < 8 || ifd > size - 2)
    return 1;
  count = le ? le16 (tiff + ifd) : be16 (tiff + ifd);
  for (guint32 i = 0; i < count && (gsize) ifd + 2 + 12 * (i + 1) <= size; i++)
    {
      const guint8 *entry = tiff + ifd + 2 + 12 * i;
      guint32 tag = le ? le16 (entry) : be16 (entry);
      guint32 type = le ? le16 (entry + 2) : be16 (entry + 2);
      guint32 n = le ? le32 (entry + 4) : be32 (entry + 4);
      guint32 value;

      if (tag != 0x0112)
        continue;
      if (n != 1 || (type != 3 && type != 4)) /* SHORT, as the standard says, or LONG */
        return 1;
      if (type == 3)
        value = le ? le16 (entry + 8) : be16 (entry + 8);
      else
        value = le ? le32 (entry + 8) : be32 (entry + 8);
      return value >= 1 && value <= 8 ? (int) value : 1;
    }
  return 1;
}

/* Turns the stored image so it looks the way the EXIF orientation says it should be displayed. */
static InkImage *
apply_orientation (InkImage *stored,
                   int orientation)
{
  InkImage *out;
  const guint64 *src = (const guint64 *) stored->pixels;
  guint64 *dst;
  int sw = stored->width, sh = stored->height;
  gboolean swap = orientation >= 5;
  int dw = swap ? sh : sw, dh = swap ? sw : sh;

  if (orientation <= 1 || orientation > 8)
    return stored;

  out = ink_image_new (dw, dh);
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

/* Whether FRAME holds plain RGB, grey or palette samples that convert_exact() reads. Everything else
 * (YCbCr from JPEG and lossy WebP, float, Bayer) goes through libswscale. */
static gboolean
is_exact_format (const AVPixFmtDescriptor *desc)
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
static InkImage *
convert_exact (const AVFrame *frame,
               const AVPixFmtDescriptor *desc)
{
  InkImage *image = ink_image_new (frame->width, frame->height);
  int w = frame->width;
  guint16 *row = NULL;

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
static InkImage *
frame_to_image (const AVFrame *frame,
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
      set_decode_error (error, name, detail);
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
      set_av_error (error, name, "converting", AVERROR (ENOMEM));
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
  image = ink_image_new (width, height);
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

/* ---- Loading ---- */

/* Checks what the header says before anything is decoded: the size (so a hostile header never
 * reaches an allocation) and, for JPEG, that the data is complete. */
static gboolean
check_header (const guint8 *data,
              gsize size,
              const char *name,
              GError **error)
{
  ImageKind kind = sniff_kind (data, size);
  guint32 width, height;
  gboolean complete;
  gboolean known = sniff_size (kind, data, size, &width, &height, &complete);

  if (known && (width == 0 || height == 0))
    {
      g_autofree char *detail = g_strdup_printf ("the header says %ux%u pixels", width, height);

      set_decode_error (error, name, detail);
      goto error;
    }
  if (known && size_too_large (width, height))
    {
      set_too_large (error, name, width, height);
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

/* ---- What the decoder gets: the picture without its metadata ---- */

/* FFmpeg 5.1's decoders also read metadata, which the loader does not use, and some of it costs
 * memory or time set by what the file declares rather than by its pixels:
 * - PNG: each zTXt, iTXt and iCCP chunk is inflated whole, without a limit (a 4 MB file with a few
 *   chunks of compressed zeros takes 4 GB and most of a minute); 300 000 tiny tEXt chunks take
 *   minutes of dictionary inserts; image data that goes on after the last row is inflated to its
 *   end (a 4 MB IDAT: 30 s).
 * - JPEG (APP1) and WebP EXIF: every directory pointer is followed three levels deep, also one
 *   that points back at its own directory, so n entries cost n^3 steps (a 5 KB JPEG: 16 s).
 * - TIFF: every string tag gets its own copy of its value, and every GeoTIFF key its own copy of
 *   the key's value (a 600 KB TIFF: 4 GB).
 * - JPEG: every scan costs a pass over the picture, and their number is the file's to choose
 *   (JPEG_MAX_SCANS).
 * So the decoder is handed the file without them. PNG keeps IHDR, PLTE, tRNS, IDAT and IEND, its
 * image data cut where it inflates to well beyond its rows; JPEG loses its APP1 (EXIF, XMP), APP2
 * (ICC, FlashPix) and APP13 (Photoshop) segments; WebP keeps VP8X, VP8, VP8L and ALPH (and ANIM
 * and ANMF, which FFmpeg refuses); a TIFF's image directory is replaced by a copy with only the
 * tags that describe the pixels. Nothing left out changes a pixel here: the loader does no colour management (ICC
 * profiles, gAMA, cHRM and sRGB are ignored either way) and reads the EXIF orientation itself.
 * Each part is checked against the file's size before it is used; a part cut short by the end of
 * the file stays cut short, so the decoder still reports the truncation. */

typedef struct {
  Stream *out;
  const guint8 *data;   /* the file */
  gsize size;
  int orientation;      /* EXIF orientation met on the way; 1 when none */
  guint dropped;        /* chunks, segments or tags left out */
  gsize dropped_bytes;
  gsize cut_bytes;      /* PNG: compressed image data beyond its rows, left out */
} Rewrite;

static void
put_be32 (guint8 *p,
          guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* -- PNG -- */

/* Bytes of filtered image data a PNG's IHDR promises: per row a filter byte and the packed
 * samples, for each of Adam7's seven passes when interlaced (an empty pass has none). 0 when the
 * header is not valid (the decoder then refuses the file). */
static guint64
png_image_bytes (const guint8 *ihdr)
{
  static const guint8 adam7[7][4] = { /* first column, first row, column step, row step */
    { 0, 0, 8, 8 }, { 4, 0, 8, 8 }, { 0, 4, 4, 8 }, { 2, 0, 4, 4 },
    { 0, 2, 2, 4 }, { 1, 0, 2, 2 }, { 0, 1, 1, 2 },
  };
  static const guint8 whole[1][4] = { { 0, 0, 1, 1 } };
  guint64 width = be32 (ihdr), height = be32 (ihdr + 4), bytes = 0;
  guint depth = ihdr[8], colour = ihdr[9], interlace = ihdr[12];
  guint channels;
  gboolean valid;

  switch (colour)
    {
    case 0: channels = 1; valid = depth <= 16 && (depth & (depth - 1)) == 0; break; /* grey */
    case 3: channels = 1; valid = depth <= 8 && (depth & (depth - 1)) == 0; break;  /* palette */
    case 2: channels = 3; valid = depth == 8 || depth == 16; break;                 /* RGB */
    case 4: channels = 2; valid = depth == 8 || depth == 16; break;                 /* grey, alpha */
    case 6: channels = 4; valid = depth == 8 || depth == 16; break;                 /* RGBA */
    default: return 0;
    }
  if (!valid || depth == 0 || width == 0 || height == 0 || width > G_MAXINT32 ||
      height > G_MAXINT32 || interlace > 1)
    return 0;
  for (int p = 0; p < (interlace ? 7 : 1); p++)
    {
      const guint8 *pass = interlace ? adam7[p] : whole[0];
      guint64 columns = width > pass[0] ? (width - pass[0] + pass[2] - 1) / pass[2] : 0;
      guint64 rows = height > pass[1] ? (height - pass[1] + pass[3] - 1) / pass[3] : 0;

      if (columns > 0 && rows > 0)
        bytes += rows * (1 + (columns * depth * channels + 7) / 8);
    }
  return bytes;
}

/* How much a PNG's image data may inflate to beyond its rows before the rest is left out: a
 * damaged stream usually fails (or ends, and fails its checksum) within a few bytes, and the
 * decoder should see that; a stream that goes on for megabytes is a bomb. */
#define ROWS_SLACK(rows) ((rows) / 16 + (1 << 20))

typedef enum {
  ROWS_UNCHECKED, /* no valid IHDR, a damaged stream or its end reached: IDATs pass as they are */
  ROWS_COUNTING,  /* less inflated than the limit */
  ROWS_AT_LIMIT,  /* exactly the limit inflated: any more is too much */
  ROWS_EXTRA,     /* more than the limit: the rest of the image data is left out */
} RowsState;

typedef struct {
  GConverter *inflater;
  guint64 limit;        /* png_image_bytes () and ROWS_SLACK () */
  guint64 produced;
  RowsState state;
} RowsCheck;

/* Inflates one IDAT payload, as the decoder will, and returns how many of its bytes to keep: all,
 * unless the data inflates to more than the limit; then those up to where it reached the limit (0
 * when that was in an earlier chunk). The work is bounded by the rows' size, not by the file's. */
static gsize
rows_check (RowsCheck *check,
            const guint8 *payload,
            gsize length)
{
  guint8 sink[16384];
  gsize offset = 0, limit_at = 0;
  gboolean limit_here = FALSE;

  if (check->state == ROWS_EXTRA)
    return 0;
  while (check->state != ROWS_UNCHECKED && offset < length)
    {
      gsize want = check->state == ROWS_COUNTING
                     ? (gsize) MIN (check->limit - check->produced, (guint64) sizeof sink) : 1;
      gsize read = 0, written = 0;
      GConverterResult result = g_converter_convert (check->inflater, payload + offset,
                                                     length - offset, sink, want,
                                                     G_CONVERTER_NO_FLAGS, &read, &written, NULL);

      if (result == G_CONVERTER_ERROR || (read == 0 && written == 0))
        {
          check->state = ROWS_UNCHECKED; /* damaged: the decoder says so */
          break;
        }
      offset += read;
      if (check->state == ROWS_COUNTING)
        {
          check->produced += written;
          if (check->produced == check->limit)
            {
              check->state = ROWS_AT_LIMIT;
              limit_here = TRUE;
              limit_at = offset;
            }
        }
      else if (written > 0)
        {
          check->state = ROWS_EXTRA;
          return limit_here ? limit_at : 0;
        }
      if (result == G_CONVERTER_FINISHED)
        check->state = ROWS_UNCHECKED; /* the zlib stream ends: the decoder stops there too */
    }
  return length;
}

static gboolean
png_kept_chunk (const guint8 *type)
{
  static const char kept[][5] = { "IHDR", "PLTE", "tRNS", "IDAT", "IEND" };

  for (gsize i = 0; i < G_N_ELEMENTS (kept); i++)
    if (memcmp (type, kept[i], 4) == 0)
      return TRUE;
  return FALSE;
}

/* PNG and APNG (whose default image is all the loader reads): the critical chunks, the rest left
 * out, and the image data cut where it inflates to well beyond the rows. FFmpeg checks each
 * chunk's CRC and skips a damaged one; the check here skips the same ones, so it inflates exactly
 * what the decoder will. */
static void
rewrite_png (Rewrite *rw)
{
  const AVCRC *crc_table = av_crc_get_table (AV_CRC_32_IEEE_LE);
  const guint8 *data = rw->data;
  gsize size = rw->size, pos = MIN (size, 8);
  RowsCheck rows = { NULL, 0, 0, ROWS_UNCHECKED };
  gboolean seen_ihdr = FALSE;

  stream_add (rw->out, data, pos);
  while (pos < size)
    {
      const guint8 *chunk = data + pos;
      gsize left = size - pos, payload;
      guint32 length;
      gboolean whole, crc_ok;

      if (left < 8)
        {
          stream_add (rw->out, chunk, left); /* a cut chunk header: the decoder says so */
          break;
        }
      length = be32 (chunk);
      whole = left >= 12 && length <= left - 12;
      payload = MIN ((gsize) length, left - 8);
      if (!png_kept_chunk (chunk + 4) ||
          (memcmp (chunk + 4, "IDAT", 4) == 0 && rows.state == ROWS_EXTRA))
        {
          rw->dropped++;
          rw->dropped_bytes += whole ? 12 + (gsize) length : left - 8;
          if (!whole)
            {
              stream_add (rw->out, chunk, 8); /* cut short: only its header, to show the cut */
              break;
            }
          pos += 12 + (gsize) length;
          continue;
        }

      crc_ok = whole && (av_crc (crc_table, UINT32_MAX, chunk + 4, 4 + (gsize) length) ^
                         UINT32_MAX) == be32 (chunk + 8 + length);
      if (memcmp (chunk + 4, "IHDR", 4) == 0 && !seen_ihdr && crc_ok && length == 13)
        {
          seen_ihdr = TRUE;
          rows.limit = png_image_bytes (chunk + 8);
          rows.limit += rows.limit > 0 ? ROWS_SLACK (rows.limit) : 0;
          if (rows.limit > 0)
            {
              rows.inflater = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB));
              rows.state = ROWS_COUNTING;
            }
        }
      else if (memcmp (chunk + 4, "IDAT", 4) == 0 && (crc_ok || !whole))
        {
          gsize keep = rows_check (&rows, chunk + 8, payload);

          if (keep < payload)
            {
              rw->cut_bytes += payload - keep;
              if (!whole)
                {
                  stream_add (rw->out, chunk, 8 + keep); /* still cut short */
                  break;
                }
              if (keep > 0)
                {
                  /* The chunk up to the limit, with a new length and CRC. */
                  guint8 head[8], crc[4];

                  put_be32 (head, (guint32) keep);
                  memcpy (head + 4, "IDAT", 4);
                  put_be32 (crc, av_crc (crc_table, UINT32_MAX, chunk + 4, 4 + keep) ^ UINT32_MAX);
                  stream_add_copy (rw->out, head, 8);
                  stream_add (rw->out, chunk + 8, keep);
                  stream_add_copy (rw->out, crc, 4);
                }
              pos += 12 + (gsize) length;
              continue;
            }
        }

      if (!whole)
        {
          stream_add (rw->out, chunk, left); /* cut short: the decoder says so */
          break;
        }
      stream_add (rw->out, chunk, 12 + (gsize) length);
      pos += 12 + (gsize) length;
      if (memcmp (chunk + 4, "IEND", 4) == 0)
        break; /* what follows is not part of the image */
    }
  g_clear_object (&rows.inflater);
}

/* -- JPEG -- */

/* A progressive JPEG may have any number of scans, and FFmpeg goes over every block of the
 * picture for each one (9 ms a scan at 49 megapixels here: a 170 KB file of 1000 scans takes 13 s).
 * Encoders write 6 to about 20; libjpeg-turbo suggests this limit for untrusted files. */
#define JPEG_MAX_SCANS 500

/* Leaves out APP1, APP2 and APP13, walking the segments like jpeg_walk () (and FFmpeg, which
 * skips a segment by its length and scans entropy-coded data for the next marker). Everything
 * else stays: APP0 (JFIF), APP14 (Adobe's colour transform) and comments can change the pixels
 * in FFmpeg, and are at most 64 KB each. FALSE when there are too many scans. */
static gboolean
rewrite_jpeg (Rewrite *rw,
              const char *name,
              GError **error)
{
  const guint8 *data = rw->data;
  gsize size = rw->size, pos = 2, kept_from = 0, end = size;
  gboolean seen_exif = FALSE;
  guint scans = 0;

  while (pos + 1 < size)
    {
      guint8 marker;
      gsize length;

      if (data[pos] != 0xff || data[pos + 1] == 0xff)
        {
          pos++; /* entropy-coded data, a stray or a fill byte */
          continue;
        }
      marker = data[pos + 1];
      if (marker == 0x00 || (marker >= 0xd0 && marker <= 0xd8) || marker == 0x01)
        {
          pos += 2; /* stuffed 0xff, restart marker, SOI or TEM: no length */
          continue;
        }
      if (marker == 0xd9)
        {
          end = pos + 2; /* EOI: what follows is not this picture */
          break;
        }
      if (pos + 4 > size)
        break;
      length = be16 (data + pos + 2);
      if (length < 2 || pos + 2 + length > size)
        {
          end = pos + MIN (size - pos, 4); /* cut short or damaged: its marker shows where */
          break;
        }
      if (marker == 0xda && ++scans > JPEG_MAX_SCANS)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: the JPEG has more than %d scans, where a photo has a few dozen at most; "
                       "the file is damaged or made to stall the decoder", name, JPEG_MAX_SCANS);
          goto error;
        }
      if (marker == 0xe1 || marker == 0xe2 || marker == 0xed)
        {
          if (marker == 0xe1 && !seen_exif && length >= 8 &&
              memcmp (data + pos + 4, "Exif", 4) == 0)
            {
              rw->orientation = exif_orientation (data + pos + 10, length - 8);
              seen_exif = TRUE;
            }
          stream_add (rw->out, data + kept_from, pos - kept_from);
          rw->dropped++;
          rw->dropped_bytes += 2 + length;
          kept_from = pos + 2 + length;
        }
      pos += 2 + length;
    }
  stream_add (rw->out, data + kept_from, MAX (end, kept_from) - kept_from);
  return TRUE;

error:
  return FALSE;
}

/* -- WebP -- */

static gboolean
webp_kept_chunk (const guint8 *type)
{
  static const char kept[][5] = { "VP8X", "VP8 ", "VP8L", "ALPH", "ANIM", "ANMF" };

  for (gsize i = 0; i < G_N_ELEMENTS (kept); i++)
    if (memcmp (type, kept[i], 4) == 0)
      return TRUE;
  return FALSE;
}

/* Leaves out ICCP, EXIF, XMP and unknown chunks, and corrects the RIFF size (the parser frames the
 * image by it). A chunk cut short by the end of the file stays when it is kept; FFmpeg stops at a
 * cut chunk without an error, so one that is left out simply goes. */
static void
rewrite_webp (Rewrite *rw)
{
  const guint8 *data = rw->data;
  gsize size = rw->size, pos = 12, riff_end;
  guint32 riff_size;
  guint8 *header;
  gboolean seen_exif = FALSE;

  if (size < 12)
    {
      stream_add (rw->out, data, size);
      return;
    }
  riff_size = le32 (data + 4);
  riff_end = MIN (size, 8 + (gsize) riff_size);
  header = stream_add_copy (rw->out, data, 12);
  while (pos + 8 <= riff_end)
    {
      const guint8 *chunk = data + pos;
      gsize length = le32 (chunk + 4);
      gsize total = 8 + length + (length & 1);
      gboolean kept = webp_kept_chunk (chunk);

      if (total > riff_end - pos && 8 + length <= riff_end - pos)
        total = 8 + length; /* only the final padding byte is missing */
      if (total > riff_end - pos)
        {
          if (kept)
            stream_add (rw->out, chunk, riff_end - pos);
          else
            {
              rw->dropped++;
              rw->dropped_bytes += riff_end - pos;
            }
          pos = riff_end;
          break;
        }
      if (kept)
        stream_add (rw->out, chunk, total);
      else
        {
          if (memcmp (chunk, "EXIF", 4) == 0 && !seen_exif)
            {
              rw->orientation = exif_orientation (chunk + 8, length);
              seen_exif = TRUE; /* FFmpeg, too, reads only the first */
            }
          rw->dropped++;
          rw->dropped_bytes += total;
        }
      pos += total;
    }
  stream_add (rw->out, data + pos, riff_end - MIN (pos, riff_end)); /* a cut chunk header */
  /* The RIFF size less what was left out; still larger than the data when the file is cut short. */
  riff_size -= (guint32) MIN (rw->dropped_bytes, (gsize) riff_size);
  header[4] = (guint8) riff_size;
  header[5] = (guint8) (riff_size >> 8);
  header[6] = (guint8) (riff_size >> 16);
  header[7] = (guint8) (riff_size >> 24);
}

/* -- TIFF -- */

/* The tags FFmpeg's TIFF decoder reads to find and decode the pixels (baseline TIFF, its
 * extensions and DNG), sorted. Everything else is metadata: strings, GeoTIFF, ICC, EXIF, XMP. */
static const guint16 tiff_pixel_tags[] = {
  254,                                    /* NewSubfileType: a DNG's thumbnail */
  256, 257, 258, 259, 262, 266,           /* size, bits, compression, photometric, fill order */
  273, 277, 278, 279, 284, 292, 293,      /* strips, samples, planar layout, fax options */
  317, 320, 322, 323, 324, 325, 330,      /* predictor, palette, tiles, SubIFDs */
  338, 339, 530, 531,                     /* extra samples, sample format, YCbCr subsampling */
  33421, 33422,                           /* CFA pattern */
  50706, 50707, 50712, 50714, 50717,      /* DNG version, linearization, black and white level */
  50721, 50722, 50723, 50724, 50727, 50728, 50729, /* DNG colour matrices, white balance */
};

static int
compare_tag (const void *a,
             const void *b)
{
  return (int) *(const guint16 *) a - (int) *(const guint16 *) b;
}

/* Whether the directory at OFFSET lies inside the file; *COUNT is its number of entries. */
static gboolean
tiff_ifd_fits (const guint8 *data,
               gsize size,
               gboolean le,
               guint32 offset,
               guint32 *count)
{
  if (offset < 8 || (gsize) offset + 2 > size)
    return FALSE;
  *count = le ? le16 (data + offset) : be16 (data + offset);
  return (gsize) offset + 2 + 12 * (gsize) *count <= size;
}

/* Appends to IFD a copy of the directory at OFFSET (which must fit) with only the pixel tags and
 * no next directory. With SUB, a SubIFDs tag becomes one LONG whose value is left for the caller:
 * *SUB is the first SubIFD's offset and *SUB_ENTRY where in IFD that entry is (both 0 if none). */
static void
tiff_copy_ifd (Rewrite *rw,
               gboolean le,
               guint32 offset,
               GByteArray *ifd,
               guint32 *sub,
               gsize *sub_entry)
{
  const guint8 *data = rw->data;
  guint32 count = le ? le16 (data + offset) : be16 (data + offset), kept = 0;
  gsize count_at = ifd->len;
  guint8 zero[4] = { 0 };

  g_byte_array_append (ifd, zero, 2);
  for (guint32 i = 0; i < count; i++)
    {
      const guint8 *entry = data + offset + 2 + 12 * (gsize) i;
      guint16 tag = (guint16) (le ? le16 (entry) : be16 (entry));
      guint32 type = le ? le16 (entry + 2) : be16 (entry + 2);
      guint32 n = le ? le32 (entry + 4) : be32 (entry + 4);
      guint32 value = le ? le32 (entry + 8) : be32 (entry + 8);
      guint32 first = 0, sub_count;

      if (bsearch (&tag, tiff_pixel_tags, G_N_ELEMENTS (tiff_pixel_tags), sizeof (guint16),
                   compare_tag) == NULL)
        {
          rw->dropped++;
          rw->dropped_bytes += 12;
          continue;
        }
      if (tag == 330)
        {
          /* LONG or IFD offsets; FFmpeg follows the first one only. */
          if ((type == 4 || type == 13) && n == 1)
            first = value;
          else if ((type == 4 || type == 13) && n > 1 && (gsize) value + 4 <= rw->size)
            first = le ? le32 (data + value) : be32 (data + value);
          if (sub == NULL || *sub_entry != 0 ||
              !tiff_ifd_fits (data, rw->size, le, first, &sub_count))
            {
              rw->dropped++;
              rw->dropped_bytes += 12;
              continue;
            }
          *sub = first;
          *sub_entry = ifd->len;
          g_byte_array_append (ifd, entry, 4); /* tag and type: patched by the caller */
          g_byte_array_append (ifd, zero, 4);  /* count */
          g_byte_array_append (ifd, zero, 4);  /* value */
          kept++;
          continue;
        }
      g_byte_array_append (ifd, entry, 12);
      kept++;
    }
  ifd->data[count_at] = (guint8) (le ? kept : kept >> 8);
  ifd->data[count_at + 1] = (guint8) (le ? kept >> 8 : kept);
  g_byte_array_append (ifd, zero, 4);
}

static void
tiff_put32 (guint8 *p,
            gboolean le,
            guint32 v)
{
  if (le)
    {
      p[0] = (guint8) v;
      p[1] = (guint8) (v >> 8);
      p[2] = (guint8) (v >> 16);
      p[3] = (guint8) (v >> 24);
    }
  else
    put_be32 (p, v);
}

/* The file as it is, with copies of its first image directory (and of the first SubIFD, where a
 * DNG keeps its raw image) after its end, holding only tiff_pixel_tags; the header points to the
 * copy. The values the tags point to stay where they were. */
static gboolean
rewrite_tiff (Rewrite *rw,
              const char *name,
              GError **error)
{
  const guint8 *data = rw->data;
  gsize size = rw->size, base = size + (size & 1); /* the copies start word-aligned */
  gboolean le;
  guint32 ifd0, count, sub = 0;
  gsize sub_entry = 0, sub_at, copies_size;
  GByteArray *ifds = g_byte_array_new ();
  guint8 header[8], pad = 0, *copies;

  if (size < 8)
    {
      set_decode_error (error, name, "the TIFF header is cut short");
      goto error;
    }
  le = data[0] == 'I';
  ifd0 = le ? le32 (data + 4) : be32 (data + 4);
  if (!tiff_ifd_fits (data, size, le, ifd0, &count))
    {
      set_decode_error (error, name, "the TIFF image directory lies outside the file; "
                                     "it is truncated");
      goto error;
    }
  tiff_copy_ifd (rw, le, ifd0, ifds, &sub, &sub_entry);
  if (sub_entry != 0)
    {
      sub_at = ifds->len;
      tiff_copy_ifd (rw, le, sub, ifds, NULL, NULL);
      ifds->data[sub_entry + 2] = le ? 4 : 0; /* type LONG */
      ifds->data[sub_entry + 3] = le ? 0 : 4;
      tiff_put32 (ifds->data + sub_entry + 4, le, 1);
      tiff_put32 (ifds->data + sub_entry + 8, le, (guint32) (base + sub_at));
    }
  if (base + ifds->len > G_MAXUINT32)
    {
      set_decode_error (error, name, "the TIFF file is too large");
      goto error;
    }

  memcpy (header, data, 4);
  tiff_put32 (header + 4, le, (guint32) base);
  stream_add_copy (rw->out, header, 8);
  stream_add (rw->out, data + 8, size - 8);
  if (base > size)
    stream_add_copy (rw->out, &pad, 1);
  copies_size = ifds->len;
  copies = g_byte_array_free (g_steal_pointer (&ifds), FALSE);
  g_ptr_array_add (rw->out->owned, copies);
  stream_add (rw->out, copies, copies_size);
  return TRUE;

error:
  g_byte_array_unref (ifds);
  return FALSE;
}

/* -- All formats -- */

/* Writes to OUT what the decoder for FORMAT (a demuxer's name) gets of DATA; *ORIENTATION is the
 * EXIF orientation found on the way (1 when none). */
static gboolean
rewrite_for_decoder (const guint8 *data,
                     gsize size,
                     const char *format,
                     const char *name,
                     Stream *out,
                     int *orientation,
                     GError **error)
{
  Rewrite rw = { out, data, size, 1, 0, 0, 0 };

  if (g_strcmp0 (format, "png_pipe") == 0 || g_strcmp0 (format, "apng") == 0)
    rewrite_png (&rw);
  else if (g_strcmp0 (format, "jpeg_pipe") == 0)
    {
      if (!rewrite_jpeg (&rw, name, error))
        goto error;
    }
  else if (g_strcmp0 (format, "webp_pipe") == 0)
    rewrite_webp (&rw);
  else if (g_strcmp0 (format, "tiff_pipe") == 0)
    {
      if (!rewrite_tiff (&rw, name, error))
        goto error;
    }
  else
    stream_add (out, data, size); /* BMP: headers, a palette and pixels */
  stream_finish (out);

  if (rw.dropped > 0)
    g_debug ("%s: %u metadata chunks, segments or tags (%" G_GSIZE_FORMAT " bytes) left out; "
             "the picture does not need them", name, rw.dropped, rw.dropped_bytes);
  if (rw.cut_bytes > 0)
    g_debug ("%s: the image data inflates to far more than its rows; %" G_GSIZE_FORMAT
             " bytes of it left out",
             name, rw.cut_bytes);
  *orientation = rw.orientation;
  return TRUE;

error:
  return FALSE;
}

/* The demuxers that read one still image; anything else FFmpeg recognises is refused. */
static const char *const image_demuxers[] = {
  "png_pipe", "jpeg_pipe", "webp_pipe", "tiff_pipe", "bmp_pipe",
};

/* An AVIOContext reading STREAM; NULL when out of memory. */
static AVIOContext *
open_avio (Stream *stream)
{
  guint8 *buffer = av_malloc (AVIO_BUFFER_SIZE);
  AVIOContext *avio;

  if (buffer == NULL)
    return NULL;
  avio = avio_alloc_context (buffer, AVIO_BUFFER_SIZE, 0, stream, stream_read, NULL, stream_seek);
  if (avio == NULL)
    av_free (buffer);
  return avio;
}

static void
close_avio (AVIOContext **avio)
{
  if (*avio != NULL)
    av_freep (&(*avio)->buffer); /* not necessarily the first buffer: FFmpeg may replace it */
  avio_context_free (avio);
}

/* Which of the allowed demuxers reads DATA (an animated PNG is read as a still: its default
 * image). */
static const AVInputFormat *
probe_format (const guint8 *data,
              gsize size,
              const char *name,
              GError **error)
{
  Stream file;
  AVIOContext *avio = NULL;
  const AVInputFormat *format = NULL;
  gboolean allowed = FALSE;
  int ret;

  stream_init (&file);
  stream_add (&file, data, size);
  avio = open_avio (&file);
  if (avio == NULL)
    {
      set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  ret = av_probe_input_buffer2 (avio, &format, "", NULL, 0, 0);
  if (ret < 0 || format == NULL)
    {
      set_decode_error (error, name, "the data is not in a format Inkloop reads: "
                                     "PNG, JPEG, WebP, TIFF or BMP");
      goto error;
    }
  if (g_strcmp0 (format->name, "apng") == 0)
    format = av_find_input_format ("png_pipe");
  for (gsize i = 0; format != NULL && i < G_N_ELEMENTS (image_demuxers); i++)
    allowed |= g_strcmp0 (format->name, image_demuxers[i]) == 0;
  if (!allowed)
    {
      g_autofree char *detail = g_strdup_printf ("it looks like %s data; Inkloop reads PNG, JPEG, "
                                                 "WebP, TIFF and BMP",
                                                 format != NULL ? format->name : "unknown");
      set_decode_error (error, name, detail);
      goto error;
    }
  close_avio (&avio);
  stream_clear (&file);
  return format;

error:
  close_avio (&avio);
  stream_clear (&file);
  return NULL;
}

GBytes *
ink_image_decoder_input (const guint8 *data,
                         gsize size,
                         const char *name,
                         int *orientation,
                         GError **error)
{
  const AVInputFormat *format;
  Stream clean;
  GBytes *bytes = NULL;
  int unused;

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ink_ffmpeg_init_logging ();
  stream_init (&clean);
  format = probe_format (data, size, name, error);
  if (format == NULL ||
      !rewrite_for_decoder (data, size, format->name, name, &clean,
                            orientation != NULL ? orientation : &unused, error))
    goto error;
  bytes = g_bytes_new_take (stream_flatten (&clean), clean.size);

error:
  stream_clear (&clean);
  return bytes;
}

/* Demuxes and decodes the first image in DATA (without its metadata: see rewrite_for_decoder ());
 * *CODEC_ID says which decoder made it and *ORIENTATION is its EXIF orientation (1 when none). */
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

  stream_init (&clean);
  format = probe_format (data, size, name, error);
  if (format == NULL)
    goto error;
  if (!rewrite_for_decoder (data, size, format->name, name, &clean, orientation, error))
    goto error;
  avio = open_avio (&clean);
  if (avio == NULL)
    {
      set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }

  demuxer = avformat_alloc_context ();
  if (demuxer == NULL)
    {
      set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  demuxer->pb = avio;
  demuxer->flags |= AVFMT_FLAG_CUSTOM_IO;
  ret = avformat_open_input (&demuxer, "", format, NULL);
  if (ret < 0)
    {
      set_av_error (error, name, "reading the container", ret);
      goto error;
    }
  if (demuxer->nb_streams < 1 ||
      (codec = avcodec_find_decoder (demuxer->streams[0]->codecpar->codec_id)) == NULL)
    {
      set_decode_error (error, name, "no decoder for its contents");
      goto error;
    }

  decoder = avcodec_alloc_context3 (codec);
  if (decoder == NULL)
    {
      set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  ret = avcodec_parameters_to_context (decoder, demuxer->streams[0]->codecpar);
  if (ret < 0)
    {
      set_av_error (error, name, "setting up the decoder", ret);
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
      set_av_error (error, name, "opening the decoder", ret);
      goto error;
    }

  packet = av_packet_alloc ();
  frame = av_frame_alloc ();
  if (packet == NULL || frame == NULL)
    {
      set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  ret = av_read_frame (demuxer, packet);
  if (ret < 0)
    {
      set_av_error (error, name, "reading the image data", ret);
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
        set_decode_error (error, name, "decoding: invalid size or parameters; images above "
                                       G_STRINGIFY (INK_IMAGE_MAX_SIDE) " px a side or 50 "
                                       "megapixels are refused");
      else
        set_av_error (error, name, "decoding", ret);
      goto error;
    }
  if (frame->width < 1 || frame->height < 1)
    {
      set_decode_error (error, name, "the decoder returned an empty image");
      goto error;
    }

  *codec_id = codec->id;
  av_packet_free (&packet);
  avcodec_free_context (&decoder);
  avformat_close_input (&demuxer);
  close_avio (&avio);
  stream_clear (&clean);
  return frame;

error:
  av_frame_free (&frame);
  av_packet_free (&packet);
  avcodec_free_context (&decoder);
  avformat_close_input (&demuxer);
  close_avio (&avio);
  stream_clear (&clean);
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
      set_decode_error (error, name, "the file is empty");
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
  if (size_too_large ((guint) frame->width, (guint) frame->height))
    {
      set_too_large (error, name, (guint) frame->width, (guint) frame->height);
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
  if (desc != NULL && is_exact_format (desc))
    {
      /* Exact samples first; then the per-channel scaler, which keeps them exact where it can. */
      image = convert_exact (frame, desc);
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
      image = frame_to_image (frame, width, height, name, error);
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
  image = apply_orientation (image, orientation);

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
