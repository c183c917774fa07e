/* ink-loop-worker.c: regenerates the preview loop in one worker thread with its own stylizer: debounced, cancellable, latest request wins. */
#include "ink-loop-worker.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "animate.h"
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
  char *device;
} Job;

/* Shared by the object and its thread; the thread never touches the GObject. */
typedef struct
{
  GMutex lock;
  GCond cond;
  Job *job;            /* next job for the thread, under lock */
  gboolean quit;       /* under lock */
  gint latest;         /* serial of the newest request (atomic): older work stops */
  GMainContext *context;
  GWeakRef owner;
} Shared;

typedef struct
{
  Shared *shared;
  guint serial;
  GBytes *frames;
  int width, height, n_frames;
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
  int preview_edge;
  char *device;
  gboolean busy;
  double last_ms;
};

G_DEFINE_FINAL_TYPE (InkLoopWorker, ink_loop_worker, G_TYPE_OBJECT)

enum { PROP_0, PROP_BUSY, N_PROPS };
static GParamSpec *props[N_PROPS];

enum { LOOP_READY, SOURCE_READY, FAILED, NOTICE, N_SIGNALS };
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
  if (r->serial != self->serial)
    return G_SOURCE_REMOVE;   /* superseded: a newer request is on its way */
  self->last_ms = r->ms;
  set_busy (self, FALSE);
  if (r->message != NULL)
    g_signal_emit (self, signals[FAILED], 0, r->serial, r->message);
  else
    g_signal_emit (self, signals[LOOP_READY], 0, r->serial, r->frames, r->width, r->height,
                   r->n_frames);
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

static void
run_job (Shared *shared, ThreadState *ts, Job *job)
{
  Result *r = g_new0 (Result, 1);
  g_autoptr (GError) error = NULL;
  InkAnimation *animation = NULL;
  gint64 t0 = g_get_monotonic_time ();
  guint32 *frames = NULL;
  gsize frame_px;

  r->serial = job->serial;
  if (ts->stylizer == NULL || g_strcmp0 (ts->device, job->device) != 0)
    {
      char *notice = NULL;

      ink_animation_free (&ts->animation);   /* its layers live on the old stylizer */
      ink_stylizer_free (&ts->stylizer);
      g_free (ts->device);
      ts->device = g_strdup (job->device);
      ts->stylizer = ink_stylizer_new_auto (job->device, FALSE, &notice, &error);
      if (notice != NULL && !ts->told_notice)
        r->notice = notice, ts->told_notice = TRUE;
      else
        g_free (notice);
      if (ts->stylizer == NULL)
        goto error;
      g_debug ("preview worker: stylizer on %s", ink_stylizer_device_name (ts->stylizer));
    }
  if (ts->scaled_from != job->source || ts->scaled_edge != job->preview_edge)
    {
      ink_animation_free (&ts->animation);
      ink_image_free (&ts->scaled);
      g_clear_pointer (&ts->scaled_from, ink_source_unref);
      ts->scaled = ink_image_scale (job->source->image, job->preview_edge, &error);
      if (ts->scaled == NULL)
        goto error;
      ts->scaled_from = ink_source_ref (job->source);
      ts->scaled_edge = job->preview_edge;
      r->source_rgba = to_rgba8 (ts->scaled);
    }
  r->width = ts->scaled->width;
  r->height = ts->scaled->height;
  if (superseded (shared, job->serial))
    goto out;
  if (animation_reusable (ts, &job->style))
    {
      if (!ink_animation_set_motion (ts->animation, &job->motion, job->hints, &error))
        goto error;
      g_debug ("preview worker: motion only, the stylized layers kept");
    }
  else
    {
      ink_animation_free (&ts->animation);
      ts->animation = ink_animation_new (ts->stylizer, ts->scaled, &job->style, &job->motion,
                                         job->hints, NULL, &error);
      if (ts->animation == NULL)
        goto error;
      ts->animation_style = job->style;
    }
  animation = ts->animation;
  r->n_frames = ink_animation_n_frames (animation);
  frame_px = (gsize) r->width * r->height;
  frames = g_try_malloc (frame_px * 4 * r->n_frames);
  if (frames == NULL)
    {
      g_set_error (&error, INK_ERROR, INK_ERROR_TOO_LARGE, "out of memory for %d preview frames",
                   r->n_frames);
      goto error;
    }
  /* Every frame is rendered: with hold > 1 a drawing repeats, but the camera and the flow still
   * move on each frame (animate.c), so frames of one drawing differ. */
  for (int i = 0; i < r->n_frames; i++)
    {
      if (superseded (shared, job->serial))
        goto out;
      if (!ink_animation_render_rgba8 (animation, i, frames + frame_px * i, NULL, &error))
        goto error;
    }
  r->frames = g_bytes_new_take (g_steal_pointer (&frames), frame_px * 4 * r->n_frames);
  r->ms = (g_get_monotonic_time () - t0) / 1000.0;
  goto out;

error:
  r->message = g_strdup (error->message);
out:
  g_free (frames);
  /* A superseded job still delivers a freshly scaled photo (and a notice). */
  if (r->frames != NULL || r->message != NULL || r->source_rgba != NULL || r->notice != NULL)
    post (shared, r);
  else
    result_free (r);
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
      while (!shared->quit && shared->job == NULL)
        g_cond_wait (&shared->cond, &shared->lock);
      if (shared->quit)
        {
          g_mutex_unlock (&shared->lock);
          break;
        }
      job = g_steal_pointer (&shared->job);
      g_mutex_unlock (&shared->lock);
      run_job (shared, &ts, job);
      job_free (job);
    }
  ink_animation_free (&ts.animation);
  ink_image_free (&ts.scaled);
  g_clear_pointer (&ts.scaled_from, ink_source_unref);
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
ink_loop_worker_request (InkLoopWorker *self, InkSource *source, const InkProject *project)
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
  job->device = g_strdup (self->device);
  g_atomic_int_set (&self->shared->latest, (gint) job->serial);
  job_free (self->scheduled);
  self->scheduled = job;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (self->debounce_ms, on_debounced, self);
  set_busy (self, TRUE);
  return job->serial;
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

  signals[LOOP_READY] = g_signal_new ("loop-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 5, G_TYPE_UINT,
                                      G_TYPE_BYTES, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT);
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
