/* media-input.c: decodes a photo (PNG, JPEG, WebP, TIFF, BMP) from a file or memory into an InkImage. */
#include "ink-image.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "ffmpeg-private.h"
#include "file-read.h"
#include "ink-error.h"

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

/* ---- The buffer as an AVIOContext ---- */

typedef struct {
  const guint8 *data;
  gsize size;
  gsize pos;
} MemReader;

static int
mem_read (void *opaque,
          uint8_t *buf,
          int buf_size)
{
  MemReader *reader = opaque;
  gsize n;

  if (reader->pos >= reader->size)
    return AVERROR_EOF;
  n = MIN ((gsize) buf_size, reader->size - reader->pos);
  memcpy (buf, reader->data + reader->pos, n);
  reader->pos += n;
  return (int) n;
}

static int64_t
mem_seek (void *opaque,
          int64_t offset,
          int whence)
{
  MemReader *reader = opaque;
  int64_t base;

  switch (whence & ~AVSEEK_FORCE)
    {
    case AVSEEK_SIZE:
      return (int64_t) reader->size;
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = (int64_t) reader->pos;
      break;
    case SEEK_END:
      base = (int64_t) reader->size;
      break;
    default:
      return AVERROR (EINVAL);
    }
  if (offset < -base || base + offset > (int64_t) reader->size)
    return AVERROR (EINVAL);
  reader->pos = (gsize) (base + offset);
  return (int64_t) reader->pos;
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

/* The EXIF Orientation (1..8) of the decoded frame; 1 when there is none. FFmpeg 5.1's mjpeg
 * decoder copies the EXIF IFD0 tags into the frame's metadata ("Orientation" = "    6") and also
 * attaches a display matrix, which is ignored here: the tag also says whether to mirror. Any other
 * decoder that fills the same tag gets the same treatment. */
static int
frame_orientation (const AVFrame *frame)
{
  const AVDictionaryEntry *entry = av_dict_get (frame->metadata, "Orientation", NULL, 0);
  g_autofree char *text = NULL;
  gint64 value;

  if (entry == NULL)
    return 1;
  /* FFmpeg writes the number padded: "    6". */
  text = g_strstrip (g_strdup (entry->value));
  if (!g_ascii_string_to_signed (text, 10, 1, 8, &value, NULL))
    return 1;
  return (int) value;
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

/* The demuxers that read one still image; anything else FFmpeg recognises is refused. */
static const char *const image_demuxers[] = {
  "png_pipe", "jpeg_pipe", "webp_pipe", "tiff_pipe", "bmp_pipe",
};

/* Demuxes and decodes the first image in DATA; *CODEC_ID says which decoder made it. */
static AVFrame *
decode_first_frame (const guint8 *data,
                    gsize size,
                    const char *name,
                    enum AVCodecID *codec_id,
                    GError **error)
{
  MemReader reader = { data, size, 0 };
  guint8 *avio_buffer = NULL;
  AVIOContext *avio = NULL;
  const AVInputFormat *format = NULL;
  AVFormatContext *demuxer = NULL;
  const AVCodec *codec;
  AVCodecContext *decoder = NULL;
  AVPacket *packet = NULL;
  AVFrame *frame = NULL;
  gboolean allowed = FALSE;
  int ret;

  avio_buffer = av_malloc (AVIO_BUFFER_SIZE);
  if (avio_buffer == NULL)
    {
      set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  avio = avio_alloc_context (avio_buffer, AVIO_BUFFER_SIZE, 0, &reader, mem_read, NULL, mem_seek);
  if (avio == NULL)
    {
      set_av_error (error, name, "allocating", AVERROR (ENOMEM));
      goto error;
    }
  avio_buffer = NULL; /* owned by avio now */

  ret = av_probe_input_buffer2 (avio, &format, "", NULL, 0, 0);
  if (ret < 0 || format == NULL)
    {
      set_decode_error (error, name, "the data is not in a format Inkloop reads: "
                                     "PNG, JPEG, WebP, TIFF or BMP");
      goto error;
    }
  if (g_strcmp0 (format->name, "apng") == 0)
    format = av_find_input_format ("png_pipe"); /* an animated PNG: its default image */
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
  av_freep (&avio->buffer); /* not necessarily avio_buffer: FFmpeg may have replaced it */
  avio_context_free (&avio);
  return frame;

error:
  av_frame_free (&frame);
  av_packet_free (&packet);
  avcodec_free_context (&decoder);
  avformat_close_input (&demuxer);
  if (avio != NULL)
    av_freep (&avio->buffer);
  avio_context_free (&avio);
  av_free (avio_buffer);
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

  frame = decode_first_frame (data, size, name, &codec_id, error);
  if (frame == NULL)
    goto error;
  if (size_too_large ((guint) frame->width, (guint) frame->height))
    {
      set_too_large (error, name, (guint) frame->width, (guint) frame->height);
      goto error;
    }

  /* The long edge is the displayed image's; turning by 90 degrees swaps the sides, which does not
   * change which side is longer, so the stored image is scaled to the swapped target. */
  orientation = frame_orientation (frame);
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
