/* clip.c: a clip's part as stylized frames at a constant rate. The source frame showing at each
 * output time is taken (frames repeated or dropped where the rates differ, so a variable-rate
 * clip keeps its timing), stabilized (a pixel that barely changed keeps its value), then stylized
 * with one palette fitted to frames sampled over the whole part. A loop is the stretch of the
 * part whose last frame leads best into its first, its end cross-faded into the frames before its
 * start. */
#include "clip.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ink-error.h"

/* Frames sampled over the part for its palette, and their long edge. */
#define PALETTE_SAMPLES 8
#define PALETTE_EDGE 256
/* Loops: the thumbnails compared, px; the shortest loop, s; the longest part searched, s. */
#define THUMB_EDGE 32
#define LOOP_MIN_SECONDS 0.5
#define LOOP_SEARCH_SECONDS 60.0

/* A position in the clip: frame K of the part is the source frame showing at BASE + K / FPS. */
typedef struct {
  InkVideo *video;
  double base, fps;
  int long_edge;
  int next;                 /* SHOWN is frame NEXT - 1 */
  gboolean started, ended;
  InkImage *shown;          /* the source frame showing at frame NEXT - 1's time */
  InkImage *pending;        /* the next decoded frame, not yet showing */
  double pending_pts;
} Cursor;

struct InkClip {
  InkStylizer *stylizer;
  InkStyleParams style;
  int long_edge;
  double start, end, fps;   /* the part, in the clip's times */
  int n;                    /* frames of the result */
  int width, height;
  gboolean has_alpha;
  Cursor main, tail;        /* TAIL: the frames before a loop's start, faded into its end */
  gboolean loop;
  int first, fade;          /* a loop: its first frame in the part; frames cross-faded */
  double seam;              /* a loop: the jump at its seam over the typical frame change */
  InkImage *mixed;          /* a cross-faded source frame */
  InkImage *anchor;         /* a loop: its first frame, what still pixels keep */
  int made;                 /* frames stabilized in order since the start (not for loops) */
  InkImage *stable;         /* the last frame's source, stabilized */
};

/* Cursors ---------------------------------------------------------------------------------------- */

static void
cursor_reset (Cursor *c)
{
  ink_image_free (&c->shown);
  ink_image_free (&c->pending);
  c->next = 0;
  c->started = c->ended = FALSE;
}

static void
cursor_clear (Cursor *c)
{
  cursor_reset (c);
  ink_video_free (&c->video);
}

/* Decodes the next frame into PENDING (NULL at the end). */
static gboolean
cursor_read (Cursor *c, GError **error)
{
  GError *local = NULL;

  ink_image_free (&c->pending);
  if (c->ended)
    return TRUE;
  c->pending = ink_video_read (c->video, c->long_edge, &c->pending_pts, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  c->ended = c->pending == NULL;
  return TRUE;
}

/* Brings C to frame K: C->shown is its source frame. Going back starts again from a seek. */
static gboolean
cursor_to (Cursor *c, int k, GError **error)
{
  if (k < c->next - 1)
    cursor_reset (c);
  if (!c->started)
    {
      /* Straight to K: frames before it are decoded only as far as the seek needs. */
      if (!ink_video_seek (c->video, c->base + k / c->fps - 0.5 / c->fps, error)
          || !cursor_read (c, error))
        return FALSE;
      /* A seek that missed: nothing decodable after it, or its first frame after frame K's time
       * (MPEG-TS seeks by time alone; past the key frame, the decoder shows nothing until the
       * next, if any). From the clip's start then, decoding forward. */
      if (c->pending == NULL || c->pending_pts > c->base + (k + 0.25) / c->fps)
        {
          c->ended = FALSE;
          if (!ink_video_rewind (c->video, error) || !cursor_read (c, error))
            return FALSE;
        }
      if (c->pending == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: no frame could be decoded at "
                       "%.2f s; the file may be damaged", ink_video_path (c->video),
                       c->base + k / c->fps);
          return FALSE;
        }
      c->next = k;
      c->started = TRUE;
    }
  while (c->next <= k)
    {
      /* The frame showing at T: the last that starts by then (a quarter frame early counts, for
       * times that round differently). */
      double soon = c->base + (c->next + 0.25) / c->fps;
      while (c->pending != NULL && (c->shown == NULL || c->pending_pts <= soon))
        {
          ink_image_free (&c->shown);
          c->shown = g_steal_pointer (&c->pending);
          if (!cursor_read (c, error))
            return FALSE;
        }
      c->next++;
    }
  return TRUE;
}

static gboolean
cursor_init (Cursor *c, const char *path, double base, double fps, int long_edge, GError **error)
{
  *c = (Cursor) { .base = base, .fps = fps, .long_edge = long_edge };
  c->video = ink_video_open (path, error);
  return c->video != NULL;
}

/* Frames ----------------------------------------------------------------------------------------- */

static gboolean
out_of_memory (GError **error, InkClip *c)
{
  g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory for %dx%d frames",
               ink_video_path (c->main.video), c->width, c->height);
  return FALSE;
}

/* A copy of IMAGE at the clip's size into *TO (made or remade as needed). */
static gboolean
copy_frame (InkClip *c, const InkImage *image, InkImage **to, GError **error)
{
  if (*to == NULL || (*to)->width != c->width || (*to)->height != c->height)
    {
      ink_image_free (to);
      *to = ink_image_try_new (c->width, c->height, NULL);
      if (*to == NULL)
        return out_of_memory (error, c);
    }
  (*to)->has_alpha = image->has_alpha;
  for (int y = 0; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      memcpy ((*to)->pixels + ((gsize) y * c->width + x) * 4,
              image->pixels + ((gsize) (y * image->height / c->height) * image->width
                               + x * image->width / c->width) * 4, 8);
  return TRUE;
}

/* The source of result frame I, not yet stabilized: the part's frame, or in a loop's last FADE
 * frames that mixed with the frames before the loop's start. */
static gboolean
source_for (InkClip *c, int i, const InkImage **out, GError **error)
{
  int into;
  double w;

  if (!cursor_to (&c->main, c->first + i, error))
    return FALSE;
  into = i - (c->n - c->fade);
  if (!c->loop || into < 0)
    {
      *out = c->main.shown;
      return TRUE;
    }
  if (!cursor_to (&c->tail, c->first + i - c->n, error)
      || !copy_frame (c, c->main.shown, &c->mixed, error))
    return FALSE;
  /* The weight of the frames before the start grows to nearly 1 at the last frame, which then
   * leads into the first as the clip itself did. */
  w = (into + 1.0) / (c->fade + 1.0);
  for (int y = 0; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      {
        const InkImage *t = c->tail.shown;
        const guint16 *b = t->pixels + ((gsize) (y * t->height / c->height) * t->width
                                        + x * t->width / c->width) * 4;
        guint16 *a = c->mixed->pixels + ((gsize) y * c->width + x) * 4;
        for (int k = 0; k < 4; k++)
          a[k] = (guint16) lround (a[k] + (b[k] - (double) a[k]) * w);
      }
  *out = c->mixed;
  return TRUE;
}

/* Whether a pixel changed by more than INK_CLIP_STILL_LEVELS between A and B. */
static inline gboolean
moved (const guint16 *a, const guint16 *b)
{
  for (int k = 0; k < 4; k++)
    if (ABS ((int) a[k] - (int) b[k]) > INK_CLIP_STILL_LEVELS * 257)
      return TRUE;
  return FALSE;
}

/* Brings c->stable to result frame I. In a clip, a pixel keeps its value while it changes by
 * at most INK_CLIP_STILL_LEVELS from the last frame's (so frames are made in order, from the
 * start again when an earlier one is asked for). In a loop, it keeps the loop's first frame's
 * value while within that of it, so the last frame leads into the first. */
static gboolean
stable_for (InkClip *c, int i, GError **error)
{
  const InkImage *src;

  if (c->loop)
    {
      if (!source_for (c, i, &src, error) || !copy_frame (c, src, &c->stable, error))
        return FALSE;
      for (gsize p = 0, n = (gsize) c->width * c->height; p < n; p++)
        if (!moved (c->stable->pixels + 4 * p, c->anchor->pixels + 4 * p))
          memcpy (c->stable->pixels + 4 * p, c->anchor->pixels + 4 * p, 8);
      return TRUE;
    }
  if (i < c->made - 1)
    c->made = 0;
  while (c->made <= i)
    {
      if (!source_for (c, c->made, &src, error))
        return FALSE;
      if (c->made == 0)
        {
          if (!copy_frame (c, src, &c->stable, error))
            return FALSE;
        }
      else
        for (int y = 0; y < c->height; y++)
          for (int x = 0; x < c->width; x++)
            {
              const guint16 *in = src->pixels + ((gsize) (y * src->height / c->height)
                                                 * src->width + x * src->width / c->width) * 4;
              guint16 *keep = c->stable->pixels + ((gsize) y * c->width + x) * 4;
              if (moved (in, keep))
                memcpy (keep, in, 8);
            }
      c->made++;
    }
  return TRUE;
}

/* Palette and loop points ------------------------------------------------------------------------ */

/* Up to PALETTE_SAMPLES frames spread over the part, one under the other in one picture. */
static InkImage *
palette_samples (InkClip *c, const char *path, GError **error)
{
  InkImage *frames[PALETTE_SAMPLES] = { NULL };
  InkImage *mosaic = NULL;
  Cursor cur;
  int got = 0, width = 0, height = 0, total = (int) lround ((c->end - c->start) * c->fps);

  if (!cursor_init (&cur, path, c->start, c->fps, PALETTE_EDGE, error))
    return NULL;
  for (int k = 0; k < PALETTE_SAMPLES; k++)
    {
      int frame = (int) ((k + 0.5) * MAX (total, 1) / PALETTE_SAMPLES);
      cursor_reset (&cur);
      if (!cursor_to (&cur, MIN (frame, MAX (total - 1, 0)), error))
        goto out;
      frames[got] = g_steal_pointer (&cur.shown);
      width = MAX (width, frames[got]->width);
      height += frames[got]->height;
      got++;
    }
  mosaic = ink_image_try_new (width, height, NULL);
  if (mosaic == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", path);
      goto out;
    }
  /* A narrower frame's rows are repeated to the width. */
  for (int k = 0, y0 = 0; k < got; y0 += frames[k]->height, k++)
    for (int y = 0; y < frames[k]->height; y++)
      for (int x = 0; x < width; x++)
        memcpy (mosaic->pixels + ((gsize) (y0 + y) * width + x) * 4,
                frames[k]->pixels + ((gsize) y * frames[k]->width + MIN (x, frames[k]->width - 1))
                                    * 4, 8);
out:
  for (int k = 0; k < got; k++)
    ink_image_free (&frames[k]);
  cursor_clear (&cur);
  return mosaic;
}

static int
compare_floats (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

/* Chooses the loop: frames FIRST .. FIRST + N - 1 of the part such that frame FIRST + N (what
 * would follow the last) is most like FIRST, at least LOOP_MIN_SECONDS long and leaving FADE
 * frames before FIRST for the cross-fade; among nearly equal seams, the longest. */
static gboolean
choose_loop (InkClip *c, const char *path, int total, GError **error)
{
  Cursor cur;
  int side = THUMB_EDGE * THUMB_EDGE, min_len = MAX (4, (int) ceil (LOOP_MIN_SECONDS * c->fps));
  g_autofree float *thumbs = NULL, *steps = NULL;
  double best = INFINITY, typical;
  int best_a = -1, best_len = 0;

  if (total < min_len + 4)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s: a loop needs at least %.1f s "
                   "of the clip, and this part is %.2f s", path, (min_len + 4) / c->fps,
                   total / c->fps);
      return FALSE;
    }
  c->fade = CLAMP ((int) lround (0.3 * c->fps), 2, min_len / 2);
  thumbs = g_new0 (float, (gsize) total * side);
  if (!cursor_init (&cur, path, c->start, c->fps, THUMB_EDGE, error))
    return FALSE;
  /* Each frame as THUMB_EDGE x THUMB_EDGE grey values (stretched to a square). */
  for (int k = 0; k < total; k++)
    {
      const InkImage *f;
      if (!cursor_to (&cur, k, error))
        {
          cursor_clear (&cur);
          return FALSE;
        }
      f = cur.shown;
      for (int y = 0; y < THUMB_EDGE; y++)
        for (int x = 0; x < THUMB_EDGE; x++)
          {
            const guint16 *p = f->pixels + ((gsize) (y * f->height / THUMB_EDGE) * f->width
                                            + x * f->width / THUMB_EDGE) * 4;
            thumbs[(gsize) k * side + y * THUMB_EDGE + x] = (p[0] + 2.0f * p[1] + p[2]) / 1028.0f;
          }
    }
  cursor_clear (&cur);

  /* The typical change from one frame to the next: what a seam should look like. */
  steps = g_new (float, total - 1);
  for (int k = 0; k + 1 < total; k++)
    {
      double d = 0.0;
      for (int p = 0; p < side; p++)
        d += fabsf (thumbs[(gsize) k * side + p] - thumbs[(gsize) (k + 1) * side + p]);
      steps[k] = d / side;
    }
  qsort (steps, total - 1, sizeof *steps, compare_floats);
  typical = MAX (steps[(total - 1) / 2], 0.05);

  /* Every pair: the loop from A to B - 1, which jumps back from B - 1 to A where the clip went on
   * to B. The jump is A against B, and their neighbours against each other, so that the motion
   * goes on the same way (a swing at the middle of its path going left is not the swing there
   * going right). */
  for (int len = total - 2 - c->fade; len >= min_len; len--)
    for (int a = c->fade; a + len + 1 < total; a++)
      {
        double d = 0.0;
        for (int o = -1; o <= 1; o++)
          {
            const float *ta = thumbs + (gsize) (a + o) * side;
            const float *tb = thumbs + (gsize) (a + len + o) * side;
            for (int p = 0; p < side; p++)
              d += fabsf (ta[p] - tb[p]);
          }
        d /= 3.0 * side;
        /* Longer loops are tried first: a shorter one must be clearly better to win. */
        if (d < best - 0.1 * typical)
          best = d, best_a = a, best_len = len;
      }
  if (best_a < 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s: no loop fits this part; give "
                   "a longer --duration", path);
      return FALSE;
    }
  c->first = best_a;
  c->n = best_len;
  c->seam = best / typical;
  return TRUE;
}

/* The clip ------------------------------------------------------------------------------------- */

InkClip *
ink_clip_new (InkStylizer *stylizer, const char *path, const InkClipRange *range,
              const InkStyleParams *style, int long_edge, GError **error)
{
  InkClip *c = g_new0 (InkClip, 1);
  const InkVideoInfo *info;
  double end, wanted;
  InkImage *samples;
  InkVideo *v;
  int total;

  c->stylizer = stylizer;
  c->style = *style;
  c->long_edge = long_edge;
  c->loop = range->loop;
  if (!cursor_init (&c->main, path, 0.0, 1.0, long_edge, error))
    goto error;
  v = c->main.video;
  info = ink_video_get_info (v);
  if (!(range->start >= 0.0 && range->start < 1e7) || !(range->duration < 1e7))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: the start must be 0 s or later and the duration a number of seconds",
                   path);
      goto error;
    }
  if (range->fps > 0.0 && !(range->fps >= INK_CLIP_MIN_FPS && range->fps <= INK_CLIP_MAX_FPS))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: the rate is %g frames a second; give --fps %g to %g", path, range->fps,
                   INK_CLIP_MIN_FPS, INK_CLIP_MAX_FPS);
      goto error;
    }
  /* The clip's own rate, within the result's: frames are picked by time either way. */
  c->fps = range->fps > 0.0 ? range->fps
                            : CLAMP (info->fps, INK_CLIP_MIN_FPS, INK_CLIP_MAX_FPS);
  c->start = info->start_s + range->start;
  wanted = range->duration > 0.0 ? range->duration : INFINITY;
  if (!ink_video_seek (v, c->start, error)
      || !ink_video_scan_end (v, c->start + MIN (wanted, INK_VIDEO_MAX_SECONDS + 1.0), &end,
                              error))
    goto error;
  if (!(end > c->start))
    {
      /* Where the clip really ends, for the message (the container's figure can be off). */
      if (!isfinite (end) && (!ink_video_seek (v, info->start_s, NULL)
                              || !ink_video_scan_end (v, INFINITY, &end, NULL)))
        end = -INFINITY;
      /* No frame anywhere: the file, not the start, is at fault. */
      if (!isfinite (end))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: no frame of the clip could be "
                       "read; the file is damaged or cut short", path);
          goto error;
        }
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: nothing to render from %.2f s: the clip ends at %.2f s; give an "
                   "earlier --start", path, range->start, MAX (end - info->start_s, 0.0));
      goto error;
    }
  c->end = MIN (end, c->start + wanted);
  if (c->end - c->start > (c->loop ? LOOP_SEARCH_SECONDS : INK_VIDEO_MAX_SECONDS) + 1e-6)
    {
      if (c->loop)
        g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: --loop looks for its loop in "
                     "at most %.0f s; choose a part with --start and --duration", path,
                     LOOP_SEARCH_SECONDS);
      else
        g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                     "%s: Inkloop renders at most %d minutes of a clip at once; choose a part "
                     "with --start and --duration", path, INK_VIDEO_MAX_SECONDS / 60);
      goto error;
    }
  total = MAX (1, (int) lround ((c->end - c->start) * c->fps));
  c->main.base = c->start;
  c->main.fps = c->fps;
  c->n = total;
  if (c->loop && (!choose_loop (c, path, total, error)
                  || !cursor_init (&c->tail, path, c->start, c->fps, long_edge, error)))
    goto error;

  samples = palette_samples (c, path, error);
  if (samples == NULL)
    goto error;
  ink_stylizer_fix_palette (stylizer, samples, style->colors);
  ink_image_free (&samples);

  /* The size: the first frame's. */
  if (!cursor_to (&c->main, c->first, error))
    goto error;
  c->width = c->main.shown->width;
  c->height = c->main.shown->height;
  c->has_alpha = c->main.shown->has_alpha;
  if (c->loop && !copy_frame (c, c->main.shown, &c->anchor, error))
    goto error;
  return c;

error:
  ink_clip_free (&c);
  return NULL;
}

void
ink_clip_free (InkClip **pc)
{
  InkClip *c = *pc;

  if (c == NULL)
    return;
  if (c->stylizer != NULL)
    ink_stylizer_fix_palette (c->stylizer, NULL, 0);
  cursor_clear (&c->main);
  cursor_clear (&c->tail);
  ink_image_free (&c->mixed);
  ink_image_free (&c->anchor);
  ink_image_free (&c->stable);
  g_free (c);
  *pc = NULL;
}

int
ink_clip_n_frames (InkClip *c)
{
  return c->n;
}

double
ink_clip_fps (InkClip *c)
{
  return c->fps;
}

void
ink_clip_size (InkClip *c, int *width, int *height, gboolean *has_alpha)
{
  *width = c->width;
  *height = c->height;
  if (has_alpha != NULL)
    *has_alpha = c->has_alpha;
}

InkVideo *
ink_clip_video (InkClip *c)
{
  return c->main.video;
}

void
ink_clip_span (InkClip *c, double *start, double *end)
{
  *start = c->start + c->first / c->fps;
  *end = c->loop ? *start + c->n / c->fps : c->end;
}

double
ink_clip_seam (InkClip *c)
{
  return c->loop ? c->seam : 0.0;
}

/* IMAGE to 8-bit RGBA at the clip's size. */
static void
to_rgba8 (InkClip *c, const InkImage *image, guint32 *rgba8)
{
  for (int y = 0; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      {
        const guint16 *p = image->pixels + ((gsize) (y * image->height / c->height) * image->width
                                             + x * image->width / c->width) * 4;
        guint32 v = 0;
        for (int k = 0; k < 4; k++)
          v |= (guint32) ink_image_to8 (p[k]) << (8 * k);
        rgba8[(gsize) y * c->width + x] = v;
      }
}

gboolean
ink_clip_source_rgba8 (InkClip *c, int index, guint32 *rgba8, GError **error)
{
  const InkImage *src;

  g_return_val_if_fail (index >= 0 && index < c->n, FALSE);
  if (!source_for (c, index, &src, error))
    return FALSE;
  to_rgba8 (c, src, rgba8);
  return TRUE;
}

gboolean
ink_clip_render_rgba8 (InkClip *c, int index, guint32 *rgba8, GError **error)
{
  InkImage *out;

  g_return_val_if_fail (index >= 0 && index < c->n, FALSE);
  if (!stable_for (c, index, error))
    return FALSE;
  out = ink_stylizer_run (c->stylizer, c->stable, &c->style, NULL, error);
  if (out == NULL)
    return FALSE;
  to_rgba8 (c, out, rgba8);
  ink_image_free (&out);
  return TRUE;
}
