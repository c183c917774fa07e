/* frame-pump.c: the export job: one size of the loop, its frames on demand, rendered ahead, cached. */
#include "export-private.h"

#include <string.h>

#include "ink-error.h"
#include "ink-memory.h"

/* Frames of one size are kept in memory between passes (GIF palette, MP4 repeats, --max-bytes
 * retries) while they fit in this; beyond it they are rendered again, so memory stays flat. A
 * writer that reads each frame once keeps none: at 1920x1280 the 24 frames of an MP4 were 236 MB
 * of fresh pages for the kernel to clear, for nothing. */
#define CACHE_BUDGET ((gsize) 256 << 20)

/* Renders frame I into the cache or OUT. Called with the stylizer free. */
static gboolean
render_frame (InkExportJob *job, int i, guint32 *out, GError **error)
{
  if (job->cache != NULL)
    {
      if (job->cache[i] != NULL)
        return TRUE;
      out = job->cache[i] = ink_alloc_large ((gsize) job->width * job->height * 4);
    }
  if (out == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      return FALSE;
    }
  if (job->clip != NULL)
    return ink_clip_render_rgba8 (job->clip, i, out, error);
  return ink_animation_render_rgba8 (job->animation, i, out, NULL, error);
}

static gpointer
ahead_main (gpointer data)
{
  InkExportJob *job = data;

  g_mutex_lock (&job->ahead_lock);
  for (;;)
    {
      int i;
      GError *error = NULL;
      while (job->ahead_request == -1)
        g_cond_wait (&job->ahead_cond, &job->ahead_lock);
      if (job->ahead_request == -2)
        break;
      i = job->ahead_request;
      job->ahead_request = -1;
      g_mutex_unlock (&job->ahead_lock);
      render_frame (job, i, job->ahead, &error);
      g_mutex_lock (&job->ahead_lock);
      job->ahead_index = i;
      job->ahead_error = error;
      job->ahead_busy = FALSE;
      g_cond_broadcast (&job->ahead_cond);
    }
  g_mutex_unlock (&job->ahead_lock);
  return NULL;
}

/* Waits for the render-ahead thread to be idle; call with the lock held. */
static void
ahead_wait (InkExportJob *job)
{
  while (job->ahead_busy)
    g_cond_wait (&job->ahead_cond, &job->ahead_lock);
}

static void
ahead_stop (InkExportJob *job)
{
  if (job->ahead_thread == NULL)
    return;
  g_mutex_lock (&job->ahead_lock);
  ahead_wait (job);
  job->ahead_request = -2;
  g_cond_broadcast (&job->ahead_cond);
  g_mutex_unlock (&job->ahead_lock);
  g_thread_join (job->ahead_thread);
  job->ahead_thread = NULL;
  g_clear_error (&job->ahead_error);
  g_mutex_clear (&job->ahead_lock);
  g_cond_clear (&job->ahead_cond);
}

void
ink_export_job_clear_size (InkExportJob *job)
{
  ahead_stop (job);
  g_clear_pointer (&job->ahead, ink_free_large);
  if (job->cache != NULL)
    for (int i = 0; i < job->n; i++)
      ink_free_large (job->cache[i]);
  g_clear_pointer (&job->cache, g_free);
  g_clear_pointer (&job->scratch, ink_free_large);
  g_clear_pointer (&job->flat, ink_free_large);
  ink_animation_free (&job->animation);
  ink_clip_free (&job->clip);
}

static gboolean job_buffers (InkExportJob *job, GError **error);

/* Stylizes the source at LONG_EDGE (0: its own size) and prepares the motion layers. */
gboolean
ink_export_job_set_size (InkExportJob *job, int long_edge, GError **error)
{
  InkImage *scaled = NULL;
  const InkImage *image = job->source;

  ink_export_job_clear_size (job);
  if (job->clip_path != NULL)
    {
      job->clip = ink_clip_new (job->stylizer, job->clip_path, job->range, job->style, long_edge,
                                error);
      if (job->clip == NULL)
        return FALSE;
      ink_clip_size (job->clip, &job->width, &job->height, &job->has_alpha);
      job->n = ink_clip_n_frames (job->clip);
      job->fps = ink_clip_fps (job->clip);
      return job_buffers (job, error);
    }
  if (long_edge > 0 && long_edge != MAX (job->source->width, job->source->height))
    {
      image = scaled = ink_image_scale (job->source, long_edge, error);
      if (scaled == NULL)
        return FALSE;
    }
  job->animation = ink_animation_new (job->stylizer, image, job->style, job->motion, job->hints,
                                      NULL, error);
  job->width = image->width;
  job->height = image->height;
  job->has_alpha = image->has_alpha;
  ink_image_free (&scaled);
  if (job->animation == NULL)
    return FALSE;
  job->n = ink_animation_n_frames (job->animation);
  job->fps = job->motion->fps;
  return job_buffers (job, error);
}

/* The frame buffers, the cache when the frames fit, and the render-ahead thread. */
static gboolean
job_buffers (InkExportJob *job, GError **error)
{
  gsize frame_bytes;

  frame_bytes = (gsize) job->width * job->height * 4;
  job->scratch = ink_alloc_large (frame_bytes);
  job->flat = job->has_alpha ? ink_alloc_large (frame_bytes) : NULL;   /* only to flatten alpha */
  job->ahead = ink_alloc_large (frame_bytes);
  if (job->scratch == NULL || (job->has_alpha && job->flat == NULL) || job->ahead == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory for %dx%d frames",
                   job->path, job->width, job->height);
      return FALSE;
    }
  if (job->reread && frame_bytes * job->n <= CACHE_BUDGET)
    job->cache = g_new0 (guint32 *, job->n);
  g_mutex_init (&job->ahead_lock);
  g_cond_init (&job->ahead_cond);
  job->ahead_request = -1;
  job->ahead_index = -1;
  job->ahead_busy = FALSE;
  job->ahead_thread = g_thread_new ("ink-export-ahead", ahead_main, job);
  return TRUE;
}

void
ink_export_job_step (InkExportJob *job)
{
  double f;

  job->done += 1.0;
  if (job->progress == NULL)
    return;
  f = MIN (0.99, job->done / MAX (1.0, job->total));
  if (f > job->reported)
    {
      job->reported = f;
      job->progress (f, job->user_data);
    }
}

/* Frame I, rendered or from the cache; valid until the next call. FLATTEN: over white. NEXT:
 * the frame the caller will ask for next, rendered meanwhile in a thread; -1: none. */
const guint32 *
ink_export_job_frame (InkExportJob *job, int i, int next, gboolean flatten, GError **error)
{
  const guint32 *frame;
  GError *ahead_error = NULL;
  gboolean have;

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return NULL;
  g_mutex_lock (&job->ahead_lock);
  ahead_wait (job);
  have = job->ahead_index == i;
  if (have && job->cache == NULL)
    {
      guint32 *t = job->scratch;   /* the caller's frame swaps with the thread's buffer */
      job->scratch = job->ahead;
      job->ahead = t;
    }
  if (have)
    ahead_error = g_steal_pointer (&job->ahead_error);
  job->ahead_index = -1;
  g_clear_error (&job->ahead_error);
  g_mutex_unlock (&job->ahead_lock);
  if (ahead_error != NULL)
    {
      g_propagate_error (error, ahead_error);
      return NULL;
    }
  if (!have && !render_frame (job, i, job->scratch, error))
    return NULL;
  frame = job->cache != NULL ? job->cache[i] : job->scratch;

  if (next >= 0 && next != i)
    {
      g_mutex_lock (&job->ahead_lock);
      job->ahead_request = next;
      job->ahead_busy = TRUE;
      g_cond_broadcast (&job->ahead_cond);
      g_mutex_unlock (&job->ahead_lock);
    }
  if (!flatten || !job->has_alpha)
    return frame;
  for (gsize p = 0, n = (gsize) job->width * job->height; p < n; p++)
    {
      guint32 v = frame[p], a = v >> 24, out = 0xff000000u;
      for (int c = 0; c < 24; c += 8)
        out |= (((v >> c & 0xff) * a + 255 * (255 - a) + 127) / 255) << c;
      job->flat[p] = out;
    }
  return job->flat;
}

gboolean
ink_export_changed_rect (const guint32 *frame, const guint32 *prev, int width, int height,
                         int align, int *x0, int *y0, int *x1, int *y1)
{
  *x0 = width, *y0 = height, *x1 = -1, *y1 = -1;
  for (int y = 0; y < height; y++)
    {
      const guint32 *f = frame + (gsize) y * width, *p = prev + (gsize) y * width;
      int left = 0, right = width - 1;

      if (memcmp (f, p, (gsize) width * 4) == 0)
        continue;
      while (f[left] == p[left])
        left++;
      while (f[right] == p[right])
        right--;
      *x0 = MIN (*x0, left), *x1 = MAX (*x1, right);
      *y0 = MIN (*y0, y), *y1 = y;
    }
  if (*x1 < 0)
    return FALSE;
  *x0 -= *x0 % align, *y0 -= *y0 % align;
  *x1 = MIN (width - 1, *x1 - *x1 % align + align - 1);
  *y1 = MIN (height - 1, *y1 - *y1 % align + align - 1);
  return TRUE;
}
