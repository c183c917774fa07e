/* clip.c: a clip's part as stylized frames at a constant rate. The source frame showing at each
 * output time is taken (frames repeated or dropped where the rates differ, so a variable-rate
 * clip keeps its timing), stabilized against the last frame kept, then stylized with one palette
 * fitted to frames sampled over the whole part. */
#include "clip.h"

#include <math.h>
#include <string.h>

#include "ink-error.h"

/* Frames sampled over the part for its palette, and their long edge. */
#define PALETTE_SAMPLES 8
#define PALETTE_EDGE 256

struct InkClip {
  InkStylizer *stylizer;
  InkStyleParams style;
  InkVideo *video;
  int long_edge;
  double start, end, fps;   /* the part, in the clip's times */
  int n;
  int width, height;
  gboolean has_alpha;

  int next;                 /* the output frame the state below is ready to make */
  InkImage *shown;          /* the source frame showing at the last output time */
  InkImage *pending;        /* the next decoded frame, not yet showing */
  double pending_pts;
  gboolean ended;
  InkImage *stable;         /* the last output frame's source, stabilized */
};

static void
restart_state (InkClip *c)
{
  ink_image_free (&c->shown);
  ink_image_free (&c->pending);
  ink_image_free (&c->stable);
  c->next = 0;
  c->ended = FALSE;
}

/* Decodes the next frame into PENDING (NULL at the end). */
static gboolean
read_pending (InkClip *c, GError **error)
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
  if (c->pending == NULL)
    c->ended = TRUE;
  return TRUE;
}

/* Stabilizes SHOWN against the last output's source into STABLE: a pixel that changed by at
 * most INK_CLIP_STILL_LEVELS keeps its value. */
static gboolean
stabilize (InkClip *c, GError **error)
{
  const int still = INK_CLIP_STILL_LEVELS * 257;
  InkImage *s = c->stable;

  if (s == NULL || s->width != c->shown->width || s->height != c->shown->height)
    {
      ink_image_free (&c->stable);
      c->stable = ink_image_new (c->shown->width, c->shown->height);
      if (c->stable == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory",
                       ink_video_path (c->video));
          return FALSE;
        }
      c->stable->has_alpha = c->shown->has_alpha;
      memcpy (c->stable->pixels, c->shown->pixels,
              (gsize) c->shown->width * c->shown->height * 8);
      return TRUE;
    }
  for (gsize p = 0, n = (gsize) s->width * s->height; p < n; p++)
    {
      const guint16 *in = c->shown->pixels + 4 * p;
      guint16 *out = s->pixels + 4 * p;
      int d = 0;
      for (int k = 0; k < 4; k++)
        d = MAX (d, ABS ((int) in[k] - (int) out[k]));
      if (d > still)
        memcpy (out, in, 8);
    }
  return TRUE;
}

/* Brings the state to output frame INDEX: SHOWN is its source frame, STABLE that stabilized. */
static gboolean
advance_to (InkClip *c, int index, GError **error)
{
  if (index < c->next - 1)
    restart_state (c);   /* an earlier frame: from the start again, through the same states */
  if (c->next == 0 && c->shown == NULL && c->pending == NULL)
    {
      if (!ink_video_seek (c->video, c->start, error) || !read_pending (c, error))
        return FALSE;
      if (c->pending == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: no frame could be decoded at "
                       "%.2f s; the file may be damaged", ink_video_path (c->video), c->start);
          return FALSE;
        }
    }
  while (c->next <= index)
    {
      /* The frame showing at T: the last that starts by then (a quarter frame early counts, for
       * times that round differently). */
      double t = c->start + c->next / c->fps, soon = t + 0.25 / c->fps;
      while (c->pending != NULL && (c->shown == NULL || c->pending_pts <= soon))
        {
          ink_image_free (&c->shown);
          c->shown = g_steal_pointer (&c->pending);
          if (!read_pending (c, error))
            return FALSE;
        }
      if (!stabilize (c, error))
        return FALSE;
      c->next++;
    }
  return TRUE;
}

/* Up to PALETTE_SAMPLES frames spread over the part, side by side in one picture. */
static InkImage *
palette_samples (InkClip *c, GError **error)
{
  InkImage *frames[PALETTE_SAMPLES] = { NULL };
  InkImage *mosaic = NULL;
  int got = 0, width = 0, height = 0;

  for (int k = 0; k < PALETTE_SAMPLES; k++)
    {
      double t = c->start + (c->end - c->start) * (k + 0.5) / PALETTE_SAMPLES, pts = -INFINITY;
      InkImage *f = NULL;

      if (!ink_video_seek (c->video, t, error))
        goto out;
      /* The first frame at or after T (or the last before the end). */
      while (pts < t - 0.5 / c->fps)
        {
          GError *local = NULL;
          InkImage *next = ink_video_read (c->video, PALETTE_EDGE, &pts, &local);
          if (local != NULL)
            {
              g_propagate_error (error, local);
              ink_image_free (&f);
              goto out;
            }
          if (next == NULL)
            break;
          ink_image_free (&f);
          f = next;
        }
      if (f != NULL)
        {
          frames[got++] = f;
          width = MAX (width, f->width);
          height += f->height;
        }
    }
  if (got == 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: no frame could be decoded; the file "
                   "may be damaged", ink_video_path (c->video));
      goto out;
    }
  mosaic = ink_image_new (width, height);
  if (mosaic == NULL)
    goto out;
  /* Rows of the frames one under the other; a narrower frame's row is repeated to the width. */
  for (int k = 0, y0 = 0; k < got; y0 += frames[k]->height, k++)
    for (int y = 0; y < frames[k]->height; y++)
      for (int x = 0; x < width; x++)
        memcpy (mosaic->pixels + ((gsize) (y0 + y) * width + x) * 4,
                frames[k]->pixels + ((gsize) y * frames[k]->width + MIN (x, frames[k]->width - 1))
                                    * 4, 8);
out:
  for (int k = 0; k < got; k++)
    ink_image_free (&frames[k]);
  return mosaic;
}

InkClip *
ink_clip_new (InkStylizer *stylizer, const char *path, const InkClipRange *range,
              const InkStyleParams *style, int long_edge, GError **error)
{
  InkClip *c = g_new0 (InkClip, 1);
  const InkVideoInfo *info;
  double end, wanted;
  InkImage *samples;

  c->stylizer = stylizer;
  c->style = *style;
  c->long_edge = long_edge;
  c->video = ink_video_open (path, error);
  if (c->video == NULL)
    goto error;
  info = ink_video_get_info (c->video);
  c->fps = range->fps > 0.0 ? range->fps : info->fps;
  if (!(range->start >= 0.0 && range->start < 1e7) || !(range->duration < 1e7)
      || !(c->fps > 0.0 && c->fps <= INK_CLIP_MAX_FPS))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: the start must be 0 s or later and the rate 0 to %g frames a second",
                   path, INK_CLIP_MAX_FPS);
      goto error;
    }
  c->start = info->start_s + range->start;
  wanted = range->duration > 0.0 ? range->duration : INFINITY;
  if (!ink_video_seek (c->video, c->start, error)
      || !ink_video_scan_end (c->video, c->start + MIN (wanted, INK_VIDEO_MAX_SECONDS + 1.0),
                              &end, error))
    goto error;
  if (!(end > c->start))
    {
      /* Where the clip really ends, for the message (the container's figure can be off). */
      if (!isfinite (end) && ink_video_seek (c->video, info->start_s, NULL)
          && !ink_video_scan_end (c->video, INFINITY, &end, NULL))
        end = -INFINITY;
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: nothing to render from %.2f s: the clip ends at %.2f s; give an "
                   "earlier --start", path, range->start,
                   isfinite (end) ? MAX (end - info->start_s, 0.0) : info->duration_s);
      goto error;
    }
  c->end = MIN (end, c->start + wanted);
  if (c->end - c->start > INK_VIDEO_MAX_SECONDS + 1e-6)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                   "%s: Inkloop renders at most %d minutes of a clip at once; choose a part "
                   "with --start and --duration", path, INK_VIDEO_MAX_SECONDS / 60);
      goto error;
    }
  c->n = MAX (1, (int) lround ((c->end - c->start) * c->fps));

  samples = palette_samples (c, error);
  if (samples == NULL)
    goto error;
  ink_stylizer_fix_palette (stylizer, samples, style->colors);
  ink_image_free (&samples);

  /* The size: the first frame's. */
  if (!advance_to (c, 0, error))
    goto error;
  c->width = c->shown->width;
  c->height = c->shown->height;
  c->has_alpha = c->shown->has_alpha;
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
  restart_state (c);
  ink_video_free (&c->video);
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
  return c->video;
}

void
ink_clip_span (InkClip *c, double *start, double *end)
{
  *start = c->start;
  *end = c->end;
}

/* IMAGE to 8-bit RGBA at the clip's size (a frame of another size is stretched to it). */
static void
to_rgba8 (InkClip *c, const InkImage *image, guint32 *rgba8)
{
  for (int y = 0; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      {
        int sx = x * image->width / c->width, sy = y * image->height / c->height;
        const guint16 *p = image->pixels + ((gsize) sy * image->width + sx) * 4;
        guint32 v = 0;
        for (int k = 0; k < 4; k++)
          v |= (guint32) ((p[k] * 255u + 32767u) / 65535u) << (8 * k);
        rgba8[(gsize) y * c->width + x] = v;
      }
}

gboolean
ink_clip_source_rgba8 (InkClip *c, int index, guint32 *rgba8, GError **error)
{
  g_return_val_if_fail (index >= 0 && index < c->n, FALSE);
  if (!advance_to (c, index, error))
    return FALSE;
  to_rgba8 (c, c->shown, rgba8);
  return TRUE;
}

gboolean
ink_clip_render_rgba8 (InkClip *c, int index, guint32 *rgba8, GError **error)
{
  InkImage *out;

  g_return_val_if_fail (index >= 0 && index < c->n, FALSE);
  if (!advance_to (c, index, error))
    return FALSE;
  out = ink_stylizer_run (c->stylizer, c->stable, &c->style, NULL, error);
  if (out == NULL)
    return FALSE;
  to_rgba8 (c, out, rgba8);
  ink_image_free (&out);
  return TRUE;
}
