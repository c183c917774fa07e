/* decoder-input-tiff.c: a TIFF for FFmpeg's decoder: a copy of its image directory with only the pixel tags. */
#include "media-private.h"

#include <stdlib.h>
#include <string.h>

#include "ink-error.h"

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
gboolean
ink_rewrite_tiff (Rewrite *rw,
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
      ink_set_decode_error (error, name, "the TIFF header is cut short");
      goto error;
    }
  le = data[0] == 'I';
  ifd0 = le ? le32 (data + 4) : be32 (data + 4);
  if (!tiff_ifd_fits (data, size, le, ifd0, &count))
    {
      ink_set_decode_error (error, name, "the TIFF image directory lies outside the file; "
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
      ink_set_decode_error (error, name, "the TIFF file is too large");
      goto error;
    }

  memcpy (header, data, 4);
  tiff_put32 (header + 4, le, (guint32) base);
  ink_stream_add_copy (rw->out, header, 8);
  ink_stream_add (rw->out, data + 8, size - 8);
  if (base > size)
    ink_stream_add_copy (rw->out, &pad, 1);
  copies_size = ifds->len;
  copies = g_byte_array_free (g_steal_pointer (&ifds), FALSE);
  g_ptr_array_add (rw->out->owned, copies);
  ink_stream_add (rw->out, copies, copies_size);
  return TRUE;

error:
  g_byte_array_unref (ifds);
  return FALSE;
}
