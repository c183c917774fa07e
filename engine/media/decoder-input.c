/* decoder-input.c: what FFmpeg's decoder is handed: the photo without the metadata it does not need. */
#include "decoder-input.h"

#include <string.h>

#include <gio/gio.h>
#include <libavformat/avformat.h>
#include <libavutil/crc.h>

#include "ffmpeg-private.h"
#include "ink-error.h"
#include "media-private.h"

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

/* ---- EXIF orientation ---- */

/* The Orientation (1..8) in the first directory (IFD0) of TIFF-structured EXIF data (what follows
 * "Exif\0\0" in a JPEG's APP1, a WebP EXIF or PNG eXIf chunk, or a TIFF file itself); 1 when
 * there is none. Read here rather than
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
  gboolean seen_ihdr = FALSE, seen_exif = FALSE;

  ink_stream_add (rw->out, data, pos);
  while (pos < size)
    {
      const guint8 *chunk = data + pos;
      gsize left = size - pos, payload;
      guint32 length;
      gboolean whole, crc_ok;

      if (left < 8)
        {
          ink_stream_add (rw->out, chunk, left); /* a cut chunk header: the decoder says so */
          break;
        }
      length = be32 (chunk);
      whole = left >= 12 && length <= left - 12;
      payload = MIN ((gsize) length, left - 8);
      if (!png_kept_chunk (chunk + 4) ||
          (memcmp (chunk + 4, "IDAT", 4) == 0 && rows.state == ROWS_EXTRA))
        {
          /* The first eXIf chunk's orientation, as browsers and viewers turn the picture by it
           * (PNG 1.5: TIFF-structured EXIF; some writers put JPEG's "Exif\0\0" in front). */
          if (memcmp (chunk + 4, "eXIf", 4) == 0 && whole && !seen_exif
              && (av_crc (crc_table, UINT32_MAX, chunk + 4, 4 + (gsize) length) ^ UINT32_MAX)
                   == be32 (chunk + 8 + length))
            {
              gboolean prefixed = length >= 6 && memcmp (chunk + 8, "Exif\0\0", 6) == 0;

              rw->orientation = exif_orientation (chunk + 8 + (prefixed ? 6 : 0),
                                                  length - (prefixed ? 6 : 0));
              seen_exif = TRUE;
            }
          rw->dropped++;
          rw->dropped_bytes += whole ? 12 + (gsize) length : left - 8;
          if (!whole)
            {
              ink_stream_add (rw->out, chunk, 8); /* cut short: only its header, to show the cut */
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
                  ink_stream_add (rw->out, chunk, 8 + keep); /* still cut short */
                  break;
                }
              if (keep > 0)
                {
                  /* The chunk up to the limit, with a new length and CRC. */
                  guint8 head[8], crc[4];

                  put_be32 (head, (guint32) keep);
                  memcpy (head + 4, "IDAT", 4);
                  put_be32 (crc, av_crc (crc_table, UINT32_MAX, chunk + 4, 4 + keep) ^ UINT32_MAX);
                  ink_stream_add_copy (rw->out, head, 8);
                  ink_stream_add (rw->out, chunk + 8, keep);
                  ink_stream_add_copy (rw->out, crc, 4);
                }
              pos += 12 + (gsize) length;
              continue;
            }
        }

      if (!whole)
        {
          ink_stream_add (rw->out, chunk, left); /* cut short: the decoder says so */
          break;
        }
      ink_stream_add (rw->out, chunk, 12 + (gsize) length);
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
          ink_stream_add (rw->out, data + kept_from, pos - kept_from);
          rw->dropped++;
          rw->dropped_bytes += 2 + length;
          kept_from = pos + 2 + length;
        }
      pos += 2 + length;
    }
  ink_stream_add (rw->out, data + kept_from, MAX (end, kept_from) - kept_from);
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
      ink_stream_add (rw->out, data, size);
      return;
    }
  riff_size = le32 (data + 4);
  riff_end = MIN (size, 8 + (gsize) riff_size);
  header = ink_stream_add_copy (rw->out, data, 12);
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
            ink_stream_add (rw->out, chunk, riff_end - pos);
          else
            {
              rw->dropped++;
              rw->dropped_bytes += riff_end - pos;
            }
          pos = riff_end;
          break;
        }
      if (kept)
        ink_stream_add (rw->out, chunk, total);
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
  ink_stream_add (rw->out, data + pos, riff_end - MIN (pos, riff_end)); /* a cut chunk header */
  /* The RIFF size less what was left out; still larger than the data when the file is cut short. */
  riff_size -= (guint32) MIN (rw->dropped_bytes, (gsize) riff_size);
  header[4] = (guint8) riff_size;
  header[5] = (guint8) (riff_size >> 8);
  header[6] = (guint8) (riff_size >> 16);
  header[7] = (guint8) (riff_size >> 24);
}

/* -- All formats -- */

/* Writes to OUT what the decoder for FORMAT (a demuxer's name) gets of DATA; *ORIENTATION is the
 * EXIF orientation found on the way (1 when none). */
gboolean
ink_rewrite_for_decoder (const guint8 *data,
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
      if (!ink_rewrite_tiff (&rw, name, error))
        goto error;
      /* A TIFF is TIFF-structured data itself: its first directory's Orientation tag. */
      rw.orientation = exif_orientation (data, size);
    }
  else
    ink_stream_add (out, data, size); /* BMP: headers, a palette and pixels */
  ink_stream_finish (out);

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
  ink_stream_init (&clean);
  format = ink_probe_format (data, size, name, error);
  if (format == NULL ||
      !ink_rewrite_for_decoder (data, size, format->name, name, &clean,
                                orientation != NULL ? orientation : &unused, error))
    goto error;
  bytes = g_bytes_new_take (ink_stream_flatten (&clean), clean.size);

error:
  ink_stream_clear (&clean);
  return bytes;
}
