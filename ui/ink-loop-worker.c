/* ink-loop-worker.c: regenerates the preview loop in one worker thread with its own stylizer: debounced, cancellable, latest request wins, frames delivered as they are made. */
#include "ink-loop-worker.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "animate.h"
#include "clip.h"
#include "ink-error.h"
#include "stylize.h"

typedef struct
{
  guint serial;
  InkSource *source;
  InkStyleParams style;
  InkMotionParams motion;
  InkMotionHints *hints;
  int preview_edge;
  gboolean draft;      /* one frame at INK_LOOP_WORKER_DRAFT_EDGE, never abandoned */
  gboolean is_clip;    /* SOURCE is a clip: its part CLIP, frame by frame */
  InkClipRange clip;
  char *device;
} Job;

/* Shared by the object and its thread; the thread never touches the GObject. */
typedef struct
{
  GMutex lock;
  GCond cond;
  Job *draft;          /* next draft for the thread (taken first), under lock */
  Job *job;            /* next loop for the thread, under lock */
  gboolean quit;       /* under lock */
  gint latest;         /* serial of the newest request (atomic): older work stops */
  gint playhead;       /* the frame the preview shows (atomic): rendering starts there */
  GMainContext *context;
  GWeakRef owner;
} Shared;

typedef struct
{
  Shared *shared;
  guint serial;
  GBytes *frames;          /* COUNT frames from FIRST, of N_FRAMES */
  int width, height, n_frames, first, count;
  gboolean last;           /* the request's last delivery: done, or failed */
  GBytes *source_rgba;     /* the scaled photo, when it was scaled for this job */
  char *message;           /* failure */
  char *notice;            /* the device notice, once */
  double ms;
} Result;

struct _InkLoopWorker
{
  GObject parent_instance;
  Shared *shared;
  GThread *thread;
  Job *scheduled;          /* waiting for the debounce */
  guint debounce_id;
  guint debounce_ms;
  guint serial;
  guint delivered;         /* newest serial whose frames went out: older ones are dropped */
  int preview_edge;
  char *device;
  gboolean busy;
  double last_ms;
};

G_DEFINE_FINAL_TYPE (InkLoopWorker, ink_loop_worker, G_TYPE_OBJECT)

enum { PROP_0, PROP_BUSY, N_PROPS };
static GParamSpec *props[N_PROPS];

enum { FRAMES_READY, LOOP_DONE, SOURCE_READY, FAILED, NOTICE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
job_free (Job *job)
{
  if (job == NULL)
    return;
  g_clear_pointer (&job->source, ink_source_unref);
  ink_motion_hints_free (&job->hints);
  g_free (job->device);
  g_free (job);
}

static void
shared_clear (gpointer data)
{
  Shared *shared = data;

  job_free (shared->draft);
  job_free (shared->job);
  g_weak_ref_clear (&shared->owner);
  g_main_context_unref (shared->context);
  g_mutex_clear (&shared->lock);
  g_cond_clear (&shared->cond);
}

static void
shared_unref (Shared *shared)
{
  g_atomic_rc_box_release_full (shared, shared_clear);
}

static void
result_free (gpointer data)
{
  Result *r = data;

  if (r->shared != NULL)
    shared_unref (r->shared);

  g_clear_pointer (&r->frames, g_bytes_unref);
  g_clear_pointer (&r->source_rgba, g_bytes_unref);
  g_free (r->message);
  g_free (r->notice);
  g_free (r);
}

static void
set_busy (InkLoopWorker *self, gboolean busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BUSY]);
}

/* On the main loop. */
static gboolean
deliver (gpointer data)
{
  Result *r = data;
  g_autoptr (InkLoopWorker) self = g_weak_ref_get (&r->shared->owner);

  if (self == NULL)
    return G_SOURCE_REMOVE;
  if (r->notice != NULL)
    g_signal_emit (self, signals[NOTICE], 0, r->notice);
  if (r->source_rgba != NULL)
    g_signal_emit (self, signals[SOURCE_READY], 0, r->source_rgba, r->width, r->height);
  /* A draft of an older request still shows while a slider is dragged; frames of a request
   * older than ones already shown never do. */
  if (r->frames != NULL && r->serial >= self->delivered)
    {
      self->delivered = r->serial;
      g_signal_emit (self, signals[FRAMES_READY], 0, r->serial, r->frames, r->width, r->height,
                     r->n_frames, r->first, r->count);
    }
  if (r->serial != self->serial || !r->last)
    return G_SOURCE_REMOVE;   /* more to come, or superseded: a newer request is on its way */
  self->last_ms = r->ms;
  set_busy (self, FALSE);
  if (r->message != NULL)
    g_signal_emit (self, signals[FAILED], 0, r->serial, r->message);
  else
    g_signal_emit (self, signals[LOOP_DONE], 0, r->serial);
  return G_SOURCE_REMOVE;
}

static void
post (Shared *shared, Result *r)
{
  r->shared = g_atomic_rc_box_acquire (shared);
  g_main_context_invoke_full (shared->context, G_PRIORITY_DEFAULT, deliver, r, result_free);
}

static gboolean
superseded (Shared *shared, guint serial)
{
  return (guint) g_atomic_int_get (&shared->latest) != serial;
}

/* 16-bit straight RGBA to packed RGBA8. */
static GBytes *
to_rgba8 (const InkImage *image)
{
  gsize n = (gsize) image->width * image->height;
  guint8 *out = g_malloc (n * 4);

  for (gsize i = 0; i < n * 4; i++)
    out[i] = (guint8) ((image->pixels[i] * 255u + 32767u) / 65535u);
  return g_bytes_new_take (out, n * 4);
}

typedef struct
{
  InkStylizer *stylizer;
  char *device;
  gboolean told_notice;
  InkSource *scaled_from;   /* the photo the cached preview image was made from */
  int scaled_edge;
  InkImage *scaled;
  InkSource *draft_from;    /* the same at the draft's size */
  int draft_edge;
  InkImage *draft;
  /* The last animation, kept with the stylized layers on the stylizer: a job that changes only
   * motion, hints or playback renders frames from it without stylizing again. */
  InkAnimation *animation;
  InkStyleParams animation_style;
} ThreadState;

/* Whether the kept animation was stylized from TS->scaled with STYLE. */
static gboolean
animation_reusable (ThreadState *ts, const InkStyleParams *style)
{
  return ts->animation != NULL && memcmp (&ts->animation_style, style, sizeof *style) == 0;
}

/* The photo scaled to EDGE for JOB, kept in *SCALED from *FROM across jobs; TRUE when it was scaled
 * anew. */
static InkImage *
scaled_photo (Job *job, int edge, InkSource **from, int *from_edge, InkImage **scaled,
              gboolean *anew, GError **error)
{
  *anew = FALSE;
  if (*from == job->source && *from_edge == edge)
    return *scaled;
  ink_image_free (scaled);
  g_clear_pointer (from, ink_source_unref);
  *scaled = ink_image_scale (job->source->image, edge, error);
  if (*scaled == NULL)
    return NULL;
  *from = ink_source_ref (job->source);
  *from_edge = edge;
  *anew = TRUE;
  return *scaled;
}

/* Frames go out in runs as they are made: the first at once, then at most every
 * INK_LOOP_WORKER_CHUNK_MS, so the preview shows the new look after one frame. */
typedef struct
{
  Shared *shared;
  Job *job;
  int width, height, n_frames;
  gsize frame_bytes;
  guint8 *run;             /* frames from run_first, room for run_room */
  int run_first, run_count, run_room;
  gint64 last_post;
} Delivery;

static void
delivery_flush (Delivery *d, gboolean last, double ms)
{
  Result *r = g_new0 (Result, 1);

  r->serial = d->job->serial;
  r->width = d->width;
  r->height = d->height;
  r->n_frames = d->n_frames;
  r->first = d->run_first;
  r->count = d->run_count;
  r->last = last;
  r->ms = ms;
  if (d->run_count > 0)
    r->frames = g_bytes_new_take (g_realloc (g_steal_pointer (&d->run), d->frame_bytes * d->run_count),
                                  d->frame_bytes * d->run_count);
  g_clear_pointer (&d->run, g_free);
  d->run_count = d->run_room = 0;
  d->last_post = g_get_monotonic_time ();
  post (d->shared, r);
}

/* Room for frame INDEX at the end of the current run (a run never wraps past the last frame). */
static guint32 *
delivery_slot (Delivery *d, int index, int left, GError **error)
{
  if (d->run_count > 0 && d->run_first + d->run_count != index)
    delivery_flush (d, FALSE, 0);
  if (d->run == NULL)
    {
      d->run_first = index;
      d->run_room = MIN (left, d->n_frames - index);
      d->run = g_try_malloc (d->frame_bytes * d->run_room);
      if (d->run == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "out of memory for %d preview frames",
                       d->run_room);
          return NULL;
        }
    }
  return (guint32 *) (d->run + d->frame_bytes * d->run_count);
}

typedef gboolean (*RenderFrame) (gpointer from, int index, guint32 *rgba8, GError **error);

static gboolean
render_animation_frame (gpointer animation, int index, guint32 *rgba8, GError **error)
{
  return ink_animation_render_rgba8 (animation, index, rgba8, NULL, error);
}

static gboolean
render_clip_frame (gpointer clip, int index, guint32 *rgba8, GError **error)
{
  return ink_clip_render_rgba8 (clip, index, rgba8, error);
}

/* Renders TODO of the frames FROM makes (D's width, height and n_frames set), from START round
 * the loop, and delivers them: the first at once, then in runs. ABANDONABLE: stops (TRUE, nothing
 * more delivered) once a newer request exists. FALSE on failure. WHAT names the work in the log. */
static gboolean
make_frames (Delivery *d, int start, int todo, gboolean abandonable, RenderFrame render,
             gpointer from, const char *what, gint64 t0, GError **error)
{
  d->frame_bytes = (gsize) d->width * d->height * 4;
  for (int i = 0; i < todo; i++)
    {
      int index = (start + i) % d->n_frames;
      guint32 *slot;

      if (abandonable && superseded (d->shared, d->job->serial))
        return TRUE;
      slot = delivery_slot (d, index, todo - i, error);
      if (slot == NULL || !render (from, index, slot, error))
        return FALSE;
      d->run_count++;
      if (i == 0)
        g_debug ("preview worker: request %u (%s, %dx%d, %d frames): first frame after %.0f ms",
                 d->job->serial, what, d->width, d->height, todo,
                 (g_get_monotonic_time () - t0) / 1000.0);
      if (i == 0 || (i + 1 < todo && g_get_monotonic_time () - d->last_post > INK_LOOP_WORKER_CHUNK_MS * 1000))
        delivery_flush (d, FALSE, 0);
    }
  delivery_flush (d, TRUE, (g_get_monotonic_time () - t0) / 1000.0);
  return TRUE;
}

/* The request's last word: it failed. */
static void
post_failure (Shared *shared, Job *job, const GError *error)
{
  Result *r = g_new0 (Result, 1);

  r->serial = job->serial;
  r->message = g_strdup (error->message);
  r->last = TRUE;
  post (shared, r);
}

double
ink_loop_worker_clip_fps (const InkClipRange *range, double clip_fps, double clip_seconds)
{
  double fps = range->fps > 0.0 ? range->fps : clip_fps;
  double seconds = range->duration > 0.0 ? range->duration : clip_seconds - range->start;

  fps = MAX (fps, 1.0);
  /* A loop is at most the part: it fits too. */
  return MIN (fps, MAX (INK_LOOP_WORKER_CLIP_FRAMES / MAX (seconds, 1e-3), 1.0));
}

/* A clip's part: its frames in order at preview size and a rate that keeps them in
 * INK_LOOP_WORKER_CLIP_FRAMES, stylized as the export stylizes them (one palette, still background
 * kept still). The first frame shows once the palette is fitted; the rest follow. */
static void
run_clip_job (Shared *shared, ThreadState *ts, Job *job, gint64 t0)
{
  g_autoptr (GError) error = NULL;
  InkClipRange range = job->clip;
  Delivery d = { .shared = shared, .job = job };
  InkClip *clip;

  /* The kept animation's layers live on the stylizer the clip uses. */
  ink_animation_free (&ts->animation);
  range.fps = ink_loop_worker_clip_fps (&job->clip, job->source->clip_fps, job->source->clip_seconds);
  range.no_audio = TRUE;
  clip = ink_clip_new (ts->stylizer, job->source->path, &range, &job->style, job->preview_edge, &error);
  if (clip == NULL)
    goto error;
  ink_clip_size (clip, &d.width, &d.height, NULL);
  /* The rate keeps the part near INK_LOOP_WORKER_CLIP_FRAMES; rounding never makes it hold many
   * more. */
  d.n_frames = MIN (ink_clip_n_frames (clip), 2 * INK_LOOP_WORKER_CLIP_FRAMES);
  if (make_frames (&d, 0, d.n_frames, TRUE, render_clip_frame, clip, "clip", t0, &error))
    goto out;

error:
  post_failure (shared, job, error);
out:
  g_free (d.run);
  ink_clip_free (&clip);
}

static void
run_job (Shared *shared, ThreadState *ts, Job *job)
{
  g_autoptr (GError) error = NULL;
  InkAnimation *animation = NULL, *draft_animation = NULL;
  gint64 t0 = g_get_monotonic_time ();
  GBytes *source_rgba = NULL;
  Delivery d = { .shared = shared, .job = job };
  InkImage *photo;
  gboolean anew;
  int start, todo;

  if (ts->stylizer == NULL || g_strcmp0 (ts->device, job->device) != 0)
    {
      char *notice = NULL;

      ink_animation_free (&ts->animation);   /* its layers live on the old stylizer */
      ink_stylizer_free (&ts->stylizer);
      g_free (ts->device);
      ts->device = g_strdup (job->device);
      ts->stylizer = ink_stylizer_new_auto (job->device, FALSE, &notice, &error);
      if (notice != NULL && !ts->told_notice)
        {
          Result *r = g_new0 (Result, 1);

          r->serial = job->serial;
          r->notice = notice;
          ts->told_notice = TRUE;
          post (shared, r);
        }
      else
        g_free (notice);
      if (ts->stylizer == NULL)
        goto error;
      g_debug ("preview worker: stylizer on %s", ink_stylizer_device_name (ts->stylizer));
    }
  photo = scaled_photo (job, job->preview_edge, &ts->scaled_from, &ts->scaled_edge, &ts->scaled,
                        &anew, &error);
  if (photo == NULL)
    goto error;
  if (anew)
    {
      ink_animation_free (&ts->animation);
      source_rgba = to_rgba8 (photo);
    }
  if (source_rgba != NULL)
    {
      Result *r = g_new0 (Result, 1);

      r->serial = job->serial;
      r->source_rgba = source_rgba;
      r->width = photo->width;
      r->height = photo->height;
      post (shared, r);
    }
  if (!job->draft && superseded (shared, job->serial))
    return;
  if (job->is_clip)
    {
      run_clip_job (shared, ts, job, t0);
      return;
    }
  if (animation_reusable (ts, &job->style))
    {
      if (!ink_animation_set_motion (ts->animation, &job->motion, job->hints, &error))
        goto error;
      animation = ts->animation;
      g_debug ("preview worker: motion only, the stylized layers kept");
    }
  else if (job->draft)
    {
      /* The layers of the kept animation live on the stylizer the draft uses: it goes. */
      ink_animation_free (&ts->animation);
      photo = scaled_photo (job, MIN (job->preview_edge, INK_LOOP_WORKER_DRAFT_EDGE), &ts->draft_from,
                            &ts->draft_edge, &ts->draft, &anew, &error);
      if (photo == NULL)
        goto error;
      draft_animation = ink_animation_new (ts->stylizer, photo, &job->style, &job->motion,
                                           job->hints, NULL, &error);
      if (draft_animation == NULL)
        goto error;
      animation = draft_animation;
    }
  else
    {
      ink_animation_free (&ts->animation);
      ts->animation = ink_animation_new (ts->stylizer, photo, &job->style, &job->motion,
                                         job->hints, NULL, &error);
      if (ts->animation == NULL)
        goto error;
      ts->animation_style = job->style;
      animation = ts->animation;
    }
  d.width = photo->width;
  d.height = photo->height;
  d.n_frames = ink_animation_n_frames (animation);
  /* From the frame on screen, round the loop: the preview plays on while the rest arrive. A
   * draft is that one frame. Every frame is rendered: with hold > 1 a drawing repeats, but the
   * camera and the flow still move on each frame (animate.c), so frames of one drawing differ. */
  start = g_atomic_int_get (&shared->playhead) % d.n_frames;
  todo = job->draft ? 1 : d.n_frames;
  if (make_frames (&d, start, todo, !job->draft, render_animation_frame, animation,
                   job->draft ? "draft" : "loop", t0, &error))
    goto out;

error:
  post_failure (shared, job, error);
out:
  g_free (d.run);
  ink_animation_free (&draft_animation);
}

void
ink_worker_thread_lower_priority (void)
{
  /* Per thread on Linux, and inherited by the threads this one starts (lavapipe's): the main
   * loop keeps the processor it needs to draw while a loop is being made. */
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), INK_WORKER_NICE) != 0)
    g_debug ("worker thread priority unchanged: %s", g_strerror (errno));
}

static gpointer
thread_main (gpointer data)
{
  Shared *shared = data;
  ThreadState ts = { 0 };

  ink_worker_thread_lower_priority ();

  for (;;)
    {
      Job *job;

      g_mutex_lock (&shared->lock);
      while (!shared->quit && shared->draft == NULL && shared->job == NULL)
        g_cond_wait (&shared->cond, &shared->lock);
      if (shared->quit)
        {
          g_mutex_unlock (&shared->lock);
          break;
        }
      job = shared->draft != NULL ? g_steal_pointer (&shared->draft) : g_steal_pointer (&shared->job);
      g_mutex_unlock (&shared->lock);
      run_job (shared, &ts, job);
#ifdef __GLIBC__
      /* A loop's frames are tens of MB freed at once, in this thread's arena and lavapipe's:
       * hand the free pages back rather than keep them as the process's high-water mark. A
       * draft's one small frame is not worth the walk through the arenas while a slider moves. */
      if (!job->draft)
        malloc_trim (0);
#endif
      job_free (job);
    }
  ink_animation_free (&ts.animation);
  ink_image_free (&ts.scaled);
  g_clear_pointer (&ts.scaled_from, ink_source_unref);
  ink_image_free (&ts.draft);
  g_clear_pointer (&ts.draft_from, ink_source_unref);
  ink_stylizer_free (&ts.stylizer);
  g_free (ts.device);
  shared_unref (shared);
  return NULL;
}

static gboolean
on_debounced (gpointer data)
{
  InkLoopWorker *self = data;
  Shared *shared = self->shared;

  self->debounce_id = 0;
  g_mutex_lock (&shared->lock);
  job_free (shared->job);
  shared->job = g_steal_pointer (&self->scheduled);
  g_cond_signal (&shared->cond);
  g_mutex_unlock (&shared->lock);
  return G_SOURCE_REMOVE;
}

guint
ink_loop_worker_request (InkLoopWorker *self, InkSource *source, const InkProject *project,
                         gboolean draft)
{
  Job *job;

  g_return_val_if_fail (INK_IS_LOOP_WORKER (self), 0);
  g_return_val_if_fail (source != NULL && project != NULL, 0);
  job = g_new0 (Job, 1);
  job->serial = ++self->serial;
  job->source = ink_source_ref (source);
  job->style = project->style;
  job->motion = project->motion;
  job->hints = ink_motion_hints_copy (project->hints);
  job->preview_edge = self->preview_edge;
  job->is_clip = project->is_clip && source->is_clip;
  job->clip = project->clip;
  job->draft = draft && !job->is_clip;   /* a clip's frames come in order, from its palette */
  job->device = g_strdup (self->device);
  g_atomic_int_set (&self->shared->latest, (gint) job->serial);
  set_busy (self, TRUE);
  if (draft)
    {
      /* A draft goes to the thread at once, before any loop (it takes the newest when it is
       * free): a dragged slider shows a picture per draft, where a debounce would wait for the
       * pointer to rest. A loop still waiting is older: it would stop at once, so it goes. */
      g_clear_handle_id (&self->debounce_id, g_source_remove);
      g_clear_pointer (&self->scheduled, job_free);
      g_mutex_lock (&self->shared->lock);
      job_free (self->shared->draft);
      self->shared->draft = job;
      g_cond_signal (&self->shared->cond);
      g_mutex_unlock (&self->shared->lock);
      return job->serial;
    }
  job_free (self->scheduled);
  self->scheduled = job;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (self->debounce_ms, on_debounced, self);
  return job->serial;
}

void
ink_loop_worker_start_now (InkLoopWorker *self)
{
  g_return_if_fail (INK_IS_LOOP_WORKER (self));
  if (self->debounce_id != 0)
    {
      g_clear_handle_id (&self->debounce_id, g_source_remove);
      on_debounced (self);
    }
}

gboolean
ink_loop_worker_get_busy (InkLoopWorker *self)
{
  return self->busy;
}

double
ink_loop_worker_get_last_ms (InkLoopWorker *self)
{
  return self->last_ms;
}

void
ink_loop_worker_set_preview_size (InkLoopWorker *self, int long_edge)
{
  self->preview_edge = CLAMP (long_edge, 64, INK_IMAGE_MAX_SIDE);
}

void
ink_loop_worker_set_device (InkLoopWorker *self, const char *device)
{
  g_free (self->device);
  self->device = g_strdup (device != NULL && *device != '\0' ? device : NULL);
}

void
ink_loop_worker_set_playhead (InkLoopWorker *self, int frame)
{
  g_atomic_int_set (&self->shared->playhead, MAX (frame, 0));
}

void
ink_loop_worker_set_debounce (InkLoopWorker *self, guint ms)
{
  self->debounce_ms = ms;
}

static void
ink_loop_worker_dispose (GObject *object)
{
  InkLoopWorker *self = INK_LOOP_WORKER (object);

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->thread != NULL)
    {
      g_mutex_lock (&self->shared->lock);
      self->shared->quit = TRUE;
      g_atomic_int_set (&self->shared->latest, 0);   /* stops a loop in progress */
      g_cond_signal (&self->shared->cond);
      g_mutex_unlock (&self->shared->lock);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  G_OBJECT_CLASS (ink_loop_worker_parent_class)->dispose (object);
}

static void
ink_loop_worker_finalize (GObject *object)
{
  InkLoopWorker *self = INK_LOOP_WORKER (object);
  Shared *shared = self->shared;

  job_free (self->scheduled);
  shared_unref (shared);
  g_free (self->device);
  G_OBJECT_CLASS (ink_loop_worker_parent_class)->finalize (object);
}

static void
ink_loop_worker_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  InkLoopWorker *self = INK_LOOP_WORKER (object);

  switch (id)
    {
    case PROP_BUSY: g_value_set_boolean (value, self->busy); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
ink_loop_worker_class_init (InkLoopWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ink_loop_worker_dispose;
  object_class->finalize = ink_loop_worker_finalize;
  object_class->get_property = ink_loop_worker_get_property;

  props[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[FRAMES_READY] = g_signal_new ("frames-ready", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 7,
                                        G_TYPE_UINT, G_TYPE_BYTES, G_TYPE_INT, G_TYPE_INT,
                                        G_TYPE_INT, G_TYPE_INT, G_TYPE_INT);
  signals[LOOP_DONE] = g_signal_new ("loop-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SOURCE_READY] = g_signal_new ("source-ready", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                        G_TYPE_BYTES, G_TYPE_INT, G_TYPE_INT);
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  /* Once: the device situation worth telling the user (no Vulkan device: the C path). */
  signals[NOTICE] = g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ink_loop_worker_init (InkLoopWorker *self)
{
  Shared *shared = g_atomic_rc_box_new0 (Shared);

  g_mutex_init (&shared->lock);
  g_cond_init (&shared->cond);
  shared->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&shared->owner, self);
  self->shared = shared;
  self->debounce_ms = INK_LOOP_WORKER_DEBOUNCE_MS;
  self->preview_edge = 640;
  self->thread = g_thread_new ("ink-preview", thread_main, g_atomic_rc_box_acquire (shared));
}

InkLoopWorker *
ink_loop_worker_new (void)
{
  return g_object_new (INK_TYPE_LOOP_WORKER, NULL);
}
