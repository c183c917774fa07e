/* gif-write.c: the GIF file itself: a global palette, a loop forever, and each frame as the
 * rectangle that changed, its unchanged pixels transparent, LZW-coded with a tolerance.
 *
 * The tolerance (lossy LZW, after gifsicle's --lossy): where the code being grown has no entry
 * for the next pixel's index, an entry it does have is taken instead when that entry's colour
 * (for the transparent index: the colour already on screen there) is within TOLERANCE (a
 * weighted squared distance) of as close to the pixel's true colour as its own index is. Dither
 * noise then stops cutting every string short. The error is bounded per pixel and per frame,
 * never summed: each frame is judged against its own true colours and what is really on screen.
 *
 * Written by hand rather than through FFmpeg's GIF encoder, which has no such tolerance. */
#include "gif-write-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "atomic-file.h"
#include "ink-error.h"

#define LZW_CODES 4096
#define NO_CODE (-1)

struct InkGifWriter {
  FILE *file;
  char *path;                 /* for messages: the final file's name */
  int width, height;
  int colors;                 /* palette entries; the transparent index is COLORS, if < 256 */
  int transparent;            /* -1: none */
  int bits;                   /* colour table size 2^bits */
  guint8 rgb[256 * 3];
  guint8 *shown;              /* the index on screen at every pixel */
  gboolean started;           /* a frame is on screen */
  GByteArray *pending;        /* the last frame's image, waiting for its delay */
  struct Lzw *lzw;            /* its dictionary kept from frame to frame (reset, not remade) */
  gint64 pending_cs;          /* its start */
  int errsv;                  /* the first write error, 0: none */
};

/* Output ---------------------------------------------------------------------------------------- */

static void
put (InkGifWriter *w, const void *data, gsize n)
{
  if (w->errsv == 0 && fwrite (data, 1, n, w->file) != n)
    w->errsv = errno != 0 ? errno : EIO;
}

static void
put16 (GByteArray *a, guint v)
{
  guint8 b[2] = { v & 0xff, (v >> 8) & 0xff };

  g_byte_array_append (a, b, 2);
}

/* LZW (the GIF variant: codes of growing width, least significant bit first, in sub-blocks of at
 * most 255 bytes) ------------------------------------------------------------------------------- */

typedef struct Lzw {
  GByteArray *out;
  guint8 block[255];
  int block_len;
  guint32 acc;
  int n_bits;
  int min_size, clear, eoi;
  int running_code, running_bits, max_code1;
  /* The dictionary: the code of (prefix code, index) or NO_CODE, and each code's children. */
  gint16 *child;              /* LZW_CODES x 256 */
  gint16 prefix[LZW_CODES], first_child[LZW_CODES], sibling[LZW_CODES];
  guint8 last[LZW_CODES];     /* the index a code ends with */
} Lzw;

static void
lzw_byte (Lzw *z, guint8 b)
{
  z->block[z->block_len++] = b;
  if (z->block_len == 255)
    {
      g_byte_array_append (z->out, (const guint8[]) { 255 }, 1);
      g_byte_array_append (z->out, z->block, 255);
      z->block_len = 0;
    }
}

/* Writes CODE at the running width, and widens it as the decoder will (giflib's rule). */
static void
lzw_output (Lzw *z, int code)
{
  z->acc |= (guint32) code << z->n_bits;
  z->n_bits += z->running_bits;
  while (z->n_bits >= 8)
    {
      lzw_byte (z, z->acc & 0xff);
      z->acc >>= 8;
      z->n_bits -= 8;
    }
  if (z->running_code >= z->max_code1 && z->running_bits < 12)
    z->max_code1 = 1 << ++z->running_bits;
}

static void
lzw_reset (Lzw *z)
{
  for (int c = z->eoi + 1; c < z->running_code; c++)
    z->child[(gsize) z->prefix[c] * 256 + z->last[c]] = NO_CODE;
  for (int c = 0; c < LZW_CODES; c++)
    z->first_child[c] = NO_CODE;
  z->running_code = z->eoi + 1;
  z->running_bits = z->min_size + 1;
  z->max_code1 = 1 << z->running_bits;
}

static void
lzw_add (Lzw *z, int prefix, guint8 index)
{
  int code = z->running_code++;

  z->child[(gsize) prefix * 256 + index] = (gint16) code;
  z->prefix[code] = (gint16) prefix;
  z->last[code] = index;
  z->sibling[code] = z->first_child[prefix];
  z->first_child[prefix] = (gint16) code;
}

static inline gint64
distance (const guint8 *c, const guint8 *want)
{
  return ink_gif_distance (c[0], c[1], c[2], want[0], want[1], want[2]);
}

/* Whether pixel AT's true colour is the frame before's (BEFORE NULL: no frame before). */
static inline gboolean
unchanged (const guint32 *want, const guint32 *before, gsize at)
{
  return before != NULL && before[at] == want[at];
}

/* The colour index I shows at pixel AT. */
static inline const guint8 *
colour_of (const InkGifWriter *w, int i, gsize at)
{
  return w->rgb + 3 * (i == w->transparent ? w->shown[at] : i);
}

/* Codes SYMBOLS (N indices of the rectangle X0, Y0, RW x RH, row by row) into Z's output. WANT:
 * the frame's true colours (RGBA, the whole picture), for the tolerance; BEFORE: the frame
 * before's (NULL: none), whose pixels that did not change are never given another entry, so a
 * still part of the picture stays exactly still. SYMBOLS are changed where the tolerance took
 * another entry. */
static void
lzw_encode (InkGifWriter *w, Lzw *z, guint8 *symbols, int x0, int y0, int rw, int rh,
            const guint32 *want, const guint32 *before, gint64 tolerance)
{
  gsize n = (gsize) rw * rh;
  int cur;

  lzw_reset (z);
  lzw_output (z, z->clear);
  cur = symbols[0];
  for (gsize k = 1; k < n; k++)
    {
      guint8 s = symbols[k];
      int next = z->child[(gsize) cur * 256 + s];
      gsize at = (gsize) (y0 + k / rw) * w->width + x0 + k % rw;

      if (next == NO_CODE && tolerance > 0 && !unchanged (want, before, at))
        {
          guint8 true_rgb[3] = { want[at] & 0xff, (want[at] >> 8) & 0xff, (want[at] >> 16) & 0xff };
          gint64 limit = distance (colour_of (w, s, at), true_rgb) + tolerance, best = G_MAXINT64;

          /* The closest of the entries close enough (looking a few pixels ahead for the one
             whose string goes on furthest gained 0.05 %). */
          for (int c = z->first_child[cur]; c != NO_CODE; c = z->sibling[c])
            {
              gint64 d = distance (colour_of (w, z->last[c], at), true_rgb);
              if (d <= limit && d < best)
                best = d, next = c;
            }
          if (next != NO_CODE)
            symbols[k] = z->last[next];
        }
      if (next != NO_CODE)
        {
          cur = next;
          continue;
        }
      lzw_output (z, cur);
      if (z->running_code >= LZW_CODES - 1)
        {
          lzw_output (z, z->clear);
          lzw_reset (z);
        }
      else
        lzw_add (z, cur, s);
      cur = s;
    }
  lzw_output (z, cur);
  lzw_output (z, z->eoi);
  if (z->n_bits > 0)
    lzw_byte (z, z->acc & 0xff);
  z->acc = 0, z->n_bits = 0;
  if (z->block_len > 0)
    {
      guint8 len = (guint8) z->block_len;
      g_byte_array_append (z->out, &len, 1);
      g_byte_array_append (z->out, z->block, z->block_len);
      z->block_len = 0;
    }
  g_byte_array_append (z->out, (const guint8[]) { 0 }, 1);   /* the block terminator */
}

/* The file ------------------------------------------------------------------------------------- */

InkGifWriter *
ink_gif_writer_new (const char *tmp_path, const char *path, int width, int height,
                    const guint8 *rgb, int colors, GError **error)
{
  InkGifWriter *w;
  g_autoptr (GByteArray) head = g_byte_array_new ();

  g_return_val_if_fail (width >= 1 && width <= 65535 && height >= 1 && height <= 65535, NULL);
  g_return_val_if_fail (colors >= 1 && colors <= 256, NULL);
  w = g_new0 (InkGifWriter, 1);
  w->path = g_strdup (path);
  w->width = width, w->height = height;
  w->colors = colors;
  w->transparent = colors < 256 ? colors : -1;
  w->bits = 1;
  while ((1 << w->bits) < colors + (w->transparent >= 0))
    w->bits++;
  memcpy (w->rgb, rgb, (gsize) colors * 3);
  w->shown = g_try_malloc0 ((gsize) width * height);
  w->lzw = g_try_new0 (Lzw, 1);
  if (w->lzw != NULL)
    {
      w->lzw->child = g_try_new (gint16, (gsize) LZW_CODES * 256);
      if (w->lzw->child != NULL)
        memset (w->lzw->child, 0xff, sizeof (gint16) * LZW_CODES * 256);   /* NO_CODE */
      w->lzw->min_size = MAX (2, w->bits);
      w->lzw->clear = 1 << w->lzw->min_size;
      w->lzw->eoi = w->lzw->clear + 1;
      w->lzw->running_code = w->lzw->eoi + 1;
    }
  w->file = g_fopen (tmp_path, "wb");
  if (w->file == NULL || w->shown == NULL || w->lzw == NULL || w->lzw->child == NULL)
    {
      if (w->file == NULL)
        ink_set_write_error (error, path, errno);
      else
        g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", path);
      ink_gif_writer_free (&w);
      return NULL;
    }
  /* Header; the logical screen with a global colour table of 2^bits entries; the
   * NETSCAPE2.0 extension: play forever. */
  g_byte_array_append (head, (const guint8 *) "GIF89a", 6);
  put16 (head, width);
  put16 (head, height);
  g_byte_array_append (head, (const guint8[]) { 0xf0 | (w->bits - 1), 0, 0 }, 3);
  g_byte_array_append (head, w->rgb, (guint) (3 << w->bits));
  g_byte_array_append (head, (const guint8[]) { 0x21, 0xff, 11 }, 3);
  g_byte_array_append (head, (const guint8 *) "NETSCAPE2.0", 11);
  g_byte_array_append (head, (const guint8[]) { 3, 1, 0, 0, 0 }, 5);
  put (w, head->data, head->len);
  return w;
}

/* Writes the pending frame with DELAY centiseconds. */
static void
flush_pending (InkGifWriter *w, gint64 delay)
{
  guint8 gce[8] = {
    0x21, 0xf9, 4,
    /* disposal 1 (leave the frame on screen), transparency when there is an index for it */
    (guint8) (1 << 2 | (w->transparent >= 0)),
    (guint8) (CLAMP (delay, 1, 65535) & 0xff), (guint8) (CLAMP (delay, 1, 65535) >> 8),
    (guint8) MAX (w->transparent, 0), 0,
  };

  if (w->pending == NULL)
    return;
  put (w, gce, sizeof gce);
  put (w, w->pending->data, w->pending->len);
  g_byte_array_unref (w->pending);
  w->pending = NULL;
}

gboolean
ink_gif_writer_frame (InkGifWriter *w, const guint8 *indices, const guint32 *want,
                      const guint32 *before, gint64 tolerance, gint64 start_cs, GError **error)
{
  int x0 = w->width, y0 = w->height, x1 = -1, y1 = -1;
  int rw, rh;
  g_autofree guint8 *symbols = NULL;
  Lzw *z = w->lzw;

  if (!w->started)
    before = NULL;
  /* The rectangle that changes (all of the first frame). A pixel whose true colour is the frame
   * before's keeps what is on screen, whatever index it is given. */
  for (int y = 0; y < w->height; y++)
    for (int x = 0; x < w->width; x++)
      {
        gsize at = (gsize) y * w->width + x;
        if (!w->started
            || (indices[at] != w->shown[at] && !unchanged (want, before, at)))
          {
            x0 = MIN (x0, x), x1 = MAX (x1, x);
            y0 = MIN (y0, y), y1 = MAX (y1, y);
          }
      }
  if (x1 < 0)   /* nothing changes: one pixel left as it is */
    x0 = y0 = x1 = y1 = 0;
  rw = x1 - x0 + 1, rh = y1 - y0 + 1;
  symbols = g_try_malloc ((gsize) rw * rh);
  if (symbols == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", w->path);
      return FALSE;
    }
  for (int y = 0; y < rh; y++)
    for (int x = 0; x < rw; x++)
      {
        gsize at = (gsize) (y0 + y) * w->width + x0 + x;
        guint8 i = unchanged (want, before, at) ? w->shown[at] : indices[at];
        symbols[(gsize) y * rw + x] = w->started && w->transparent >= 0 && i == w->shown[at]
                                        ? (guint8) w->transparent : i;
      }

  z->out = g_byte_array_sized_new ((guint) MIN ((gsize) rw * rh + 64, G_MAXUINT / 2));
  g_byte_array_append (z->out, (const guint8[]) { 0x2c }, 1);   /* the image descriptor */
  put16 (z->out, x0);
  put16 (z->out, y0);
  put16 (z->out, rw);
  put16 (z->out, rh);
  g_byte_array_append (z->out, (const guint8[]) { 0, (guint8) z->min_size }, 2);
  lzw_encode (w, z, symbols, x0, y0, rw, rh, want, before, tolerance);
  /* What is on screen now. */
  for (int y = 0; y < rh; y++)
    for (int x = 0; x < rw; x++)
      {
        guint8 s = symbols[(gsize) y * rw + x];
        if (s != w->transparent || !w->started)
          w->shown[(gsize) (y0 + y) * w->width + x0 + x] = s;
      }
  flush_pending (w, start_cs - w->pending_cs);
  w->pending = z->out;
  z->out = NULL;
  w->pending_cs = start_cs;
  w->started = TRUE;
  if (w->errsv != 0)
    {
      ink_set_write_error (error, w->path, w->errsv);
      return FALSE;
    }
  return TRUE;
}

gboolean
ink_gif_writer_finish (InkGifWriter *w, gint64 end_cs, GError **error)
{
  flush_pending (w, end_cs - w->pending_cs);
  put (w, (const guint8[]) { 0x3b }, 1);   /* the trailer */
  if (w->errsv == 0 && fflush (w->file) != 0)
    w->errsv = errno != 0 ? errno : EIO;
  if (fclose (w->file) != 0 && w->errsv == 0)
    w->errsv = errno != 0 ? errno : EIO;
  w->file = NULL;
  if (w->errsv != 0)
    {
      ink_set_write_error (error, w->path, w->errsv);
      return FALSE;
    }
  return TRUE;
}

const guint8 *
ink_gif_writer_shown (InkGifWriter *w)
{
  return w->shown;
}

void
ink_gif_writer_free (InkGifWriter **pw)
{
  InkGifWriter *w = *pw;

  if (w == NULL)
    return;
  if (w->file != NULL)
    fclose (w->file);
  if (w->pending != NULL)
    g_byte_array_unref (w->pending);
  if (w->lzw != NULL)
    g_free (w->lzw->child);
  g_free (w->lzw);
  g_free (w->shown);
  g_free (w->path);
  g_free (w);
  *pw = NULL;
}
