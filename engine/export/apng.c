/* apng.c: the APNG writer: the loop's frames at its rate, forever, each after the first only the
 * rectangle that changed, equal neighbours merged.
 *
 * Written here rather than by FFmpeg's APNG encoder (what this file used before): that encoder
 * deflates each frame several times on one thread to choose its disposal and blending, and took
 * 34 s for the sample's 24 frames at 1920 px. Here each frame is deflated once, in slices on every
 * processor (png-write.c), and only where it changed: every frame is "leave it" (dispose_op NONE)
 * and "replace the rectangle" (blend_op SOURCE), which every APNG decoder shows alike, and the
 * colour type is RGB when the loop has no transparency. */
#include "export-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <zlib.h>
#include <libavutil/rational.h>

#include "atomic-file.h"
#include "ink-error.h"
#include "png-write-private.h"

/* zlib's level and strategy. The sample's 24 frames at 1920 px: level 4 5.9 s (41.1 MB), level 6
 * 10.1 s (38.2 MB; 8.3 s on a later machine), level 9 66 s (35.5 MB); FFmpeg's encoder at 6 made
 * 43.0 MB. Runs (Z_RLE, png-write.c says why): 2.8-3.3 s for 39.2 MB on that later machine, where
 * level 6 took 8.3-8.5 s; on a learned still and on a photo, runs were also smaller than level 6. */
#define LEVEL 6
#define STRATEGY Z_RLE
/* fdAT and IDAT chunks of at most this many bytes (some decoders allocate a chunk at once). */
#define MAX_CHUNK (1u << 20)

typedef struct {
  FILE *file;
  const char *path;
  int errsv;
  guint32 sequence;                 /* fcTL and fdAT chunks' running number */
  /* The frame written last, waiting for its duration: its fcTL fields and its zlib stream. */
  GByteArray *pending;
  int x, y, width, height;
  int pending_start;                /* the loop frame it starts at */
} Apng;

static void
put_bytes (Apng *a, const void *data, gsize len)
{
  if (a->errsv == 0 && len > 0 && fwrite (data, 1, len, a->file) != len)
    a->errsv = errno != 0 ? errno : EIO;
}

static void
put (Apng *a, const GByteArray *bytes)
{
  put_bytes (a, bytes->data, bytes->len);
}

/* Writes a chunk of TYPE whose data is HEAD (N_HEAD bytes) then LEN bytes of DATA, straight
 * from where they are. */
static void
put_chunk (Apng *a, const char *type, const guint8 *head, gsize n_head, const guint8 *data,
           gsize len)
{
  guint8 be[4];
  uLong crc = crc32 (0, (const Bytef *) type, 4);

  /* (zlib's crc32 starts afresh when given no buffer.) */
  if (n_head > 0)
    crc = crc32 (crc, head, (uInt) n_head);
  if (len > 0)
    crc = crc32 (crc, data, (uInt) len);
  ink_png_put32 (be, (guint32) (n_head + len));
  put_bytes (a, be, 4);
  put_bytes (a, type, 4);
  put_bytes (a, head, n_head);
  put_bytes (a, data, len);
  ink_png_put32 (be, (guint32) crc);
  put_bytes (a, be, 4);
}

/* The rows of a rectangle of an RGBA8 frame, as RGB or RGBA (an InkPngRows.row). */
typedef struct {
  const guint32 *frame;
  int stride, x, y, width, channels;
} Rect;

static void
rect_row (gconstpointer data, int y, guint8 *dst)
{
  const Rect *r = data;
  const guint8 *src = (const guint8 *) (r->frame + (gsize) (r->y + y) * r->stride + r->x);

  if (r->channels == 4)
    {
      memcpy (dst, src, (gsize) 4 * r->width);
      return;
    }
  for (int x = 0; x < r->width; x++, src += 4, dst += 3)
    dst[0] = src[0], dst[1] = src[1], dst[2] = src[2];
}

/* Writes the pending frame lasting TICKS ticks of TICK seconds. */
static void
flush_pending (Apng *a, AVRational tick, int ticks)
{
  guint8 fctl[26];
  int num, den;

  if (a->pending == NULL)
    return;
  /* The delay as a fraction with 16-bit terms, as near as they allow. */
  av_reduce (&num, &den, (gint64) tick.num * ticks, tick.den, 65535);
  ink_png_put32 (fctl, a->sequence++);
  ink_png_put32 (fctl + 4, (guint32) a->width);
  ink_png_put32 (fctl + 8, (guint32) a->height);
  ink_png_put32 (fctl + 12, (guint32) a->x);
  ink_png_put32 (fctl + 16, (guint32) a->y);
  fctl[20] = (guint8) (num >> 8), fctl[21] = (guint8) num;
  fctl[22] = (guint8) (den >> 8), fctl[23] = (guint8) den;
  fctl[24] = 0;   /* dispose_op NONE: the frame stays as the canvas for the next */
  fctl[25] = 0;   /* blend_op SOURCE: the rectangle replaces what was there */
  put_chunk (a, "fcTL", fctl, sizeof fctl, NULL, 0);
  for (gsize at = 0; at < a->pending->len; at += MAX_CHUNK)
    {
      gsize len = MIN (MAX_CHUNK, a->pending->len - at);
      guint8 sequence[4];

      if (a->pending_start == 0)   /* the first frame is the PNG's own image */
        put_chunk (a, "IDAT", NULL, 0, a->pending->data + at, len);
      else
        {
          ink_png_put32 (sequence, a->sequence++);
          put_chunk (a, "fdAT", sequence, 4, a->pending->data + at, len);
        }
    }
  g_clear_pointer (&a->pending, g_byte_array_unref);
}

gboolean
ink_export_write_apng (InkExportJob *job, const char *tmp_path, InkExportResult *result,
                       GError **error)
{
  AVRational tick = ink_muxer_frame_duration (job->fps);
  gsize pixels = (gsize) job->width * job->height;
  g_autofree guint32 *prev = g_try_malloc (pixels * 4);
  g_autoptr (GByteArray) head = g_byte_array_new ();
  Apng a = { .path = job->path };
  int channels = job->has_alpha ? 4 : 3;
  guint8 actl[8];
  long actl_at;
  int written = 0;
  gboolean ok = FALSE;

  job->total = job->done + job->n;
  if (prev == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      return FALSE;
    }
  a.file = g_fopen (tmp_path, "wb");
  if (a.file == NULL)
    {
      ink_set_write_error (error, job->path, errno);
      return FALSE;
    }
  /* acTL says how many frames there are, known at the end (equal neighbours merge): written as
   * 0 now and filled in then. Plays: 0, forever. */
  ink_png_header (head, job->width, job->height, channels);
  actl_at = (long) head->len + 8;
  memset (actl, 0, sizeof actl);
  ink_png_chunk (head, "acTL", actl, sizeof actl);
  put (&a, head);

  for (int i = 0; i < job->n; i++)
    {
      const guint32 *frame = ink_export_job_frame (job, i, i + 1 < job->n ? i + 1 : -1, FALSE,
                                                   error);
      int x0 = 0, y0 = 0, x1 = job->width - 1, y1 = job->height - 1;
      Rect rect;
      InkPngRows rows;

      if (frame == NULL)
        goto out;
      ink_export_job_step (job);
      if (written > 0
          && !ink_export_changed_rect (frame, prev, job->width, job->height, 1, &x0, &y0, &x1,
                                       &y1))
        continue;   /* lengthens the frame before */
      flush_pending (&a, tick, i - a.pending_start);
      rect = (Rect) { frame, job->width, x0, y0, x1 - x0 + 1, channels };
      rows = (InkPngRows) { rect_row, &rect, rect.width, y1 - y0 + 1, channels };
      a.pending = ink_png_deflate (&rows, LEVEL, STRATEGY, ink_png_slices (rows.height));
      if (a.pending == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
          goto out;
        }
      a.x = x0, a.y = y0, a.width = rows.width, a.height = rows.height;
      a.pending_start = i;
      memcpy (prev, frame, pixels * 4);
      written++;
      if (a.errsv != 0)
        break;
    }
  /* The last frame lasts to the end of the loop. */
  flush_pending (&a, tick, job->n - a.pending_start);
  g_byte_array_set_size (head, 0);
  ink_png_chunk (head, "IEND", NULL, 0);
  put (&a, head);
  /* The frame count into acTL, and its CRC. */
  g_byte_array_set_size (head, 0);
  ink_png_put32 (actl, (guint32) written);
  ink_png_chunk (head, "acTL", actl, sizeof actl);
  if (a.errsv == 0
      && (fseek (a.file, actl_at - 8, SEEK_SET) != 0
          || fwrite (head->data, 1, head->len, a.file) != head->len))
    a.errsv = errno != 0 ? errno : EIO;
  if (a.errsv == 0 && fflush (a.file) != 0)
    a.errsv = errno != 0 ? errno : EIO;
  if (fclose (a.file) != 0 && a.errsv == 0)
    a.errsv = errno != 0 ? errno : EIO;
  a.file = NULL;
  if (a.errsv != 0)
    {
      ink_set_write_error (error, job->path, a.errsv);
      goto out;
    }
  result->frames = written;
  ok = TRUE;
out:
  if (a.file != NULL)
    fclose (a.file);
  if (a.pending != NULL)
    g_byte_array_unref (a.pending);
  return ok;
}
