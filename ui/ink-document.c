/* ink-document.c: the editable state (one InkProject and its photo); every edit goes through it and it says what changed. */
/* Over 600 lines on purpose: loading, projects, hints and values are one undoable state with one
 * change signal; each edit records history and says what changed in the same few fields. */
#include "ink-config.h"

#include "ink-document.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ink-error.h"
#include "video-input.h"

struct _InkDocument
{
  GObject parent_instance;
  InkProject *project;
  InkSource *source;
  InkStyleParams base_style;   /* the project's preset's values, what a reset returns to */
  guint mask_serial;
};

G_DEFINE_FINAL_TYPE (InkDocument, ink_document, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void take_preset (InkDocument *self, const char *preset);

/* InkSource ----------------------------------------------------------------------------------- */

static void
source_clear (gpointer data)
{
  InkSource *s = data;

  if (s->display != s->image)
    ink_image_free (&s->display);
  ink_image_free (&s->image);
  g_free (s->path);
}

InkSource *
ink_source_ref (InkSource *source)
{
  return g_atomic_rc_box_acquire (source);
}

void
ink_source_unref (InkSource *source)
{
  g_atomic_rc_box_release_full (source, source_clear);
}

/* The document ------------------------------------------------------------------------------- */

static void
ink_document_finalize (GObject *object)
{
  InkDocument *self = INK_DOCUMENT (object);

  ink_project_free (&self->project);
  g_clear_pointer (&self->source, ink_source_unref);
  G_OBJECT_CLASS (ink_document_parent_class)->finalize (object);
}

static void
ink_document_class_init (InkDocumentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ink_document_finalize;

  /* WHAT: InkChange flags; NAME: the parameter that changed, or NULL for several. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
}

static void
ink_document_init (InkDocument *self)
{
  /* Where new work starts, as the settings' default and inkloop-cli do. */
  self->project = ink_project_new ();
  take_preset (self, INK_STYLE_PRESET_INITIAL);
  self->project->style = self->base_style;
}

InkDocument *
ink_document_new (void)
{
  return g_object_new (INK_TYPE_DOCUMENT, NULL);
}

static void
emit_changed (InkDocument *self, InkChange what, const char *name)
{
  g_signal_emit (self, signals[CHANGED], 0, (guint) what, name);
}

InkSource *
ink_document_get_source (InkDocument *self)
{
  return self->source;
}

const char *
ink_document_get_path (InkDocument *self)
{
  return self->source != NULL ? self->source->path : NULL;
}

const InkProject *
ink_document_get_project (InkDocument *self)
{
  return self->project;
}

/* Loading ------------------------------------------------------------------------------------ */

/* A clip's first frame, its length and rate. */
static InkImage *
load_clip (const char *path, InkSource *source, GError **error)
{
  g_autoptr (GError) local = NULL;
  InkVideo *video = ink_video_open (path, error);
  const InkVideoInfo *info;
  InkImage *first;
  double pts = 0.0, end = 0.0;

  if (video == NULL)
    return NULL;
  info = ink_video_get_info (video);
  first = ink_video_read (video, 0, &pts, error);
  if (first != NULL)
    {
      source->clip_fps = info->fps;
      source->clip_start_s = info->start_s;
      end = info->duration_s > 0.0 ? info->start_s + info->duration_s : 0.0;
      /* No length in the container (a stream, a cut file): the last packet's end. */
      if (end <= pts && !ink_video_scan_end (video, 0.0, &end, &local))
        g_debug ("%s: no length found: %s", path, local->message);
      source->clip_seconds = MAX (end - info->start_s, 1.0 / MAX (info->fps, 1.0));
    }
  ink_video_free (&video);
  return first;
}

static InkSource *
load_source (const char *path, GCancellable *cancellable, GError **error)
{
  InkImage *image;
  InkSource *source;
  gboolean is_clip = ink_video_sniff (path);
  InkSource clip = { 0 };

  image = is_clip ? load_clip (path, &clip, error) : ink_image_load (path, NULL, error);
  if (image == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      ink_image_free (&image);
      return NULL;
    }
  source = g_atomic_rc_box_new0 (InkSource);
  *source = clip;
  source->is_clip = is_clip;
  source->path = g_canonicalize_filename (path, NULL);
  source->image = image;
  if (MAX (image->width, image->height) > INK_SOURCE_DISPLAY_EDGE)
    {
      source->display = ink_image_scale (image, INK_SOURCE_DISPLAY_EDGE, error);
      if (source->display == NULL)
        {
          ink_source_unref (source);
          return NULL;
        }
    }
  else
    source->display = image;
  return source;
}

static void
load_thread (GTask *task, gpointer object, gpointer data, GCancellable *cancellable)
{
  const char *path = data;
  GError *error = NULL;
  InkSource *source;

  (void) object;
  source = load_source (path, cancellable, &error);
  if (source == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, source, (GDestroyNotify) ink_source_unref);
}

void
ink_document_load_async (InkDocument *self, const char *path, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ink_document_load_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
ink_document_load_finish (InkDocument *self, GAsyncResult *result, GError **error)
{
  InkSource *source;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  source = g_task_propagate_pointer (G_TASK (result), error);
  if (source == NULL)
    return FALSE;
  g_clear_pointer (&self->source, ink_source_unref);
  self->source = source;
  g_free (self->project->source);
  self->project->source = g_strdup (source->path);
  /* A new clip is taken at its own rate, with its sound: whole, or its first
   * INK_DOCUMENT_CLIP_SECONDS. */
  self->project->is_clip = source->is_clip;
  self->project->clip = (InkClipRange) INK_CLIP_RANGE_DEFAULT;
  if (source->is_clip && source->clip_seconds > INK_DOCUMENT_CLIP_SECONDS)
    self->project->clip.duration = INK_DOCUMENT_CLIP_SECONDS;
  /* Hints and the focus lines' centre are positions on one photo; a new photo starts without
   * the hints and with the centre where the defaults put it. */
  ink_motion_hints_free (&self->project->hints);
  self->project->hints = ink_motion_hints_new ();
  {
    InkMotionParams defaults;
    ink_motion_params_default (&defaults);
    self->project->motion.focus_x = defaults.focus_x;
    self->project->motion.focus_y = defaults.focus_y;
  }
  self->mask_serial++;
  emit_changed (self, INK_CHANGE_SOURCE | INK_CHANGE_HINTS | INK_CHANGE_MOTION | INK_CHANGE_CLIP, NULL);
  return TRUE;
}

/* Projects ----------------------------------------------------------------------------------- */

typedef struct
{
  InkProject *project;
  char *photo;
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *d = data;

  ink_project_free (&d->project);
  g_free (d->photo);
  g_free (d);
}

static void
open_thread (GTask *task, gpointer object, gpointer data, GCancellable *cancellable)
{
  OpenData *d = data;
  GError *error = NULL;
  InkSource *source;

  (void) object;
  source = load_source (d->photo, cancellable, &error);
  if (source == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, source, (GDestroyNotify) ink_source_unref);
}

void
ink_document_open_project_async (InkDocument *self, InkProject *project, const char *photo,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  OpenData *d = g_new0 (OpenData, 1);

  d->project = project;
  d->photo = g_strdup (photo != NULL ? photo : project->source);
  g_task_set_source_tag (task, ink_document_open_project_async);
  g_task_set_task_data (task, d, open_data_free);
  if (d->photo == NULL)
    {
      g_task_return_new_error (task, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s",
                               _("The project names no photo."));
      return;
    }
  g_task_run_in_thread (task, open_thread);
}

gboolean
ink_document_open_project_finish (InkDocument *self, GAsyncResult *result, GError **error)
{
  InkSource *source;
  OpenData *d;
  InkProject *project;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  d = g_task_get_task_data (G_TASK (result));
  source = g_task_propagate_pointer (G_TASK (result), error);
  if (source == NULL)
    return FALSE;
  if (source->is_clip != d->project->is_clip)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   source->is_clip ? _("%s is a video clip, but the project was made from a photo; "
                                       "choose the project's photo")
                                   : _("%s is not a video clip, but the project was made from one; "
                                       "choose the project's clip"),
                   source->path);
      ink_source_unref (source);
      return FALSE;
    }
  project = g_steal_pointer (&d->project);
  g_clear_pointer (&self->source, ink_source_unref);
  self->source = source;
  g_free (project->source);
  project->source = g_strdup (source->path);
  ink_project_free (&self->project);
  self->project = project;
  take_preset (self, project->preset);
  self->mask_serial++;
  emit_changed (self, INK_CHANGE_SOURCE | INK_CHANGE_STYLE | INK_CHANGE_MOTION | INK_CHANGE_PLAYBACK
                      | INK_CHANGE_HINTS | INK_CHANGE_PRESET | INK_CHANGE_CLIP, NULL);
  return TRUE;
}

/* Clips -------------------------------------------------------------------------------------- */

const InkClipRange *
ink_document_get_clip (InkDocument *self)
{
  return self->source != NULL && self->project->is_clip ? &self->project->clip : NULL;
}

void
ink_document_set_clip (InkDocument *self, const InkClipRange *range)
{
  InkClipRange r = *range;
  double length;

  g_return_if_fail (ink_document_get_clip (self) != NULL);
  length = self->source->clip_seconds;
  /* At least a frame, inside the clip; a duration to the end is kept as such (0). */
  r.start = CLAMP (r.start, 0.0, MAX (length - 1.0 / MAX (self->source->clip_fps, 1.0), 0.0));
  if (r.duration > 0.0)
    r.duration = CLAMP (r.duration, 1.0 / MAX (self->source->clip_fps, 1.0), length - r.start);
  r.fps = r.fps > 0.0 ? CLAMP (r.fps, INK_CLIP_MIN_FPS, INK_CLIP_MAX_FPS) : 0.0;
  if (memcmp (&r, &self->project->clip, sizeof r) == 0)
    return;
  self->project->clip = r;
  emit_changed (self, INK_CHANGE_CLIP, NULL);
}

InkProject *
ink_document_dup_project (InkDocument *self)
{
  return ink_project_dup (self->project);
}

void
ink_document_restore (InkDocument *self, const char *preset, const InkStyleParams *style,
                      const InkMotionParams *motion, InkMotionHints *hints)
{
  g_return_if_fail (INK_IS_DOCUMENT (self));
  take_preset (self, preset);
  self->project->style = *style;
  self->project->motion = *motion;
  ink_motion_hints_free (&self->project->hints);
  self->project->hints = hints != NULL ? hints : ink_motion_hints_new ();
  self->mask_serial++;
  emit_changed (self, INK_CHANGE_STYLE | INK_CHANGE_MOTION | INK_CHANGE_PLAYBACK | INK_CHANGE_HINTS
                      | INK_CHANGE_PRESET, NULL);
}

/* Hints -------------------------------------------------------------------------------------- */

const InkMotionHints *
ink_document_get_hints (InkDocument *self)
{
  return self->project->hints;
}

static gboolean
room_for_hint (InkDocument *self)
{
  const InkMotionHints *h = self->project->hints;
  return h->arrows->len + h->anchors->len < INK_MAX_HINTS;
}

gboolean
ink_document_add_arrow (InkDocument *self, const InkArrow *arrow)
{
  g_return_val_if_fail (INK_IS_DOCUMENT (self), FALSE);
  if (!room_for_hint (self))
    return FALSE;
  g_array_append_val (self->project->hints->arrows, *arrow);
  emit_changed (self, INK_CHANGE_HINTS, NULL);
  return TRUE;
}

gboolean
ink_document_add_anchor (InkDocument *self, const InkAnchor *anchor)
{
  g_return_val_if_fail (INK_IS_DOCUMENT (self), FALSE);
  if (!room_for_hint (self))
    return FALSE;
  g_array_append_val (self->project->hints->anchors, *anchor);
  emit_changed (self, INK_CHANGE_HINTS, NULL);
  return TRUE;
}

void
ink_document_set_arrow (InkDocument *self, guint index, const InkArrow *arrow)
{
  GArray *arrows = self->project->hints->arrows;

  g_return_if_fail (index < arrows->len);
  if (memcmp (&g_array_index (arrows, InkArrow, index), arrow, sizeof *arrow) == 0)
    return;
  g_array_index (arrows, InkArrow, index) = *arrow;
  emit_changed (self, INK_CHANGE_HINTS, NULL);
}

void
ink_document_edit_arrow (InkDocument *self, guint index, const InkArrow *arrow, const char *what)
{
  GArray *arrows = self->project->hints->arrows;
  g_autofree char *name = NULL;

  g_return_if_fail (index < arrows->len);
  if (memcmp (&g_array_index (arrows, InkArrow, index), arrow, sizeof *arrow) == 0)
    return;
  g_array_index (arrows, InkArrow, index) = *arrow;
  name = g_strdup_printf ("arrow %u %s", index, what);
  emit_changed (self, INK_CHANGE_HINTS, name);
}

void
ink_document_set_anchor (InkDocument *self, guint index, const InkAnchor *anchor)
{
  GArray *anchors = self->project->hints->anchors;

  g_return_if_fail (index < anchors->len);
  if (memcmp (&g_array_index (anchors, InkAnchor, index), anchor, sizeof *anchor) == 0)
    return;
  g_array_index (anchors, InkAnchor, index) = *anchor;
  emit_changed (self, INK_CHANGE_HINTS, NULL);
}

void
ink_document_remove_hint (InkDocument *self, InkHintKind kind, guint index)
{
  GArray *array = kind == INK_HINT_ARROW ? self->project->hints->arrows : self->project->hints->anchors;

  g_return_if_fail (kind != INK_HINT_NONE && index < array->len);
  g_array_remove_index (array, index);
  emit_changed (self, INK_CHANGE_HINTS, NULL);
}

void
ink_document_set_focus (InkDocument *self, float x, float y)
{
  InkMotionParams *m = &self->project->motion;

  x = CLAMP (x, 0.0f, 1.0f);
  y = CLAMP (y, 0.0f, 1.0f);
  if (m->focus_lines && m->focus_x == x && m->focus_y == y)
    return;
  m->focus_lines = TRUE;
  m->focus_x = x;
  m->focus_y = y;
  emit_changed (self, INK_CHANGE_MOTION, NULL);
}

guint
ink_document_get_mask_serial (InkDocument *self)
{
  return self->mask_serial;
}

/* The mask's effective grey level at pixel P, 0 .. 255 (as the engine reads it). */
static int
mask_level (const guint16 *p)
{
  return (int) lround (ink_mask_grey (p) * 255.0);
}

gboolean
ink_document_paint_mask (InkDocument *self, float x0, float y0, float x1, float y1, float radius,
                         gboolean freeze)
{
  InkMotionHints *hints = self->project->hints;
  InkImage *mask;
  double r, ax, ay, bx, by, len;
  int minx, maxx, miny, maxy;
  gboolean changed = FALSE;

  g_return_val_if_fail (INK_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (isfinite (x0) && isfinite (y0) && isfinite (x1) && isfinite (y1), FALSE);
  if (self->source == NULL || radius <= 0)
    return FALSE;
  if (hints->mask == NULL)
    {
      const InkImage *photo = self->source->image;
      double s = MIN (1.0, INK_MASK_EDGE / (double) MAX (photo->width, photo->height));

      if (!freeze)
        return FALSE;
      hints->mask = ink_image_new (MAX (1, (int) lround (photo->width * s)),
                                   MAX (1, (int) lround (photo->height * s)));
      for (gsize i = 0; i < (gsize) hints->mask->width * hints->mask->height; i++)
        {
          guint16 *p = hints->mask->pixels + 4 * i;
          p[0] = p[1] = p[2] = 0;
          p[3] = 65535;
        }
    }
  mask = hints->mask;
  /* In mask pixels; a pixel's centre is at (i + 0.5). */
  r = MAX (0.5, radius * mask->width);
  ax = x0 * mask->width, ay = y0 * mask->height;
  bx = x1 * mask->width, by = y1 * mask->height;
  len = hypot (bx - ax, by - ay);
  minx = MAX (0, (int) floor (MIN (ax, bx) - r - 1));
  maxx = MIN (mask->width - 1, (int) ceil (MAX (ax, bx) + r + 1));
  miny = MAX (0, (int) floor (MIN (ay, by) - r - 1));
  maxy = MIN (mask->height - 1, (int) ceil (MAX (ay, by) + r + 1));
  for (int y = miny; y <= maxy; y++)
    for (int x = minx; x <= maxx; x++)
      {
        double px = x + 0.5, py = y + 0.5, t = 0, d, cover;
        guint16 *p = mask->pixels + 4 * ((gsize) y * mask->width + x);
        int before, after;

        /* Distance to the segment: the dabs along it, merged. */
        if (len > 1e-9)
          t = CLAMP (((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / (len * len), 0.0, 1.0);
        d = hypot (px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
        cover = CLAMP (r + 0.5 - d, 0.0, 1.0);   /* one pixel of antialiasing at the rim */
        if (cover <= 0)
          continue;
        before = mask_level (p);
        after = freeze ? MAX (before, (int) lround (cover * 255.0))
                       : MIN (before, (int) lround ((1.0 - cover) * 255.0));
        if (after == before && p[0] == p[1] && p[1] == p[2] && p[3] == 65535)
          continue;
        p[0] = p[1] = p[2] = (guint16) (after * 257);
        p[3] = 65535;
        changed = TRUE;
      }
  if (!changed)
    return FALSE;
  self->mask_serial++;
  emit_changed (self, INK_CHANGE_HINTS, NULL);
  return TRUE;
}

/* Values ------------------------------------------------------------------------------------- */

/* A style or motion entry of the registry (not the export's), and which. */
static const InkParamSpec *
document_spec (const char *name, InkParamGroup *group)
{
  const InkParamSpec *spec = ink_param_lookup (name, group);

  return spec != NULL && *group != INK_PARAM_GROUP_EXPORT ? spec : NULL;
}

static void *
params_for (InkDocument *self, InkParamGroup group)
{
  return group == INK_PARAM_GROUP_MOTION ? (void *) &self->project->motion
                                         : (void *) &self->project->style;
}

static InkChange
change_of (const InkParamSpec *spec)
{
  switch (spec->change)
    {
    case INK_CHANGE_CLASS_STYLE: return INK_CHANGE_STYLE;
    case INK_CHANGE_CLASS_MOTION: return INK_CHANGE_MOTION;
    case INK_CHANGE_CLASS_PLAYBACK: return INK_CHANGE_PLAYBACK;
    case INK_CHANGE_CLASS_EXPORT:
    case INK_CHANGE_CLASS_NONE:
    default: g_return_val_if_reached (INK_CHANGE_STYLE | INK_CHANGE_MOTION);
    }
}

gboolean
ink_document_has_value (const char *name)
{
  InkParamGroup group;
  const InkParamSpec *spec = document_spec (name, &group);

  return spec != NULL && spec->type != INK_PARAM_COLOR;
}

double
ink_document_get_value (InkDocument *self, const char *name)
{
  InkParamGroup group;
  const InkParamSpec *spec = document_spec (name, &group);

  g_return_val_if_fail (spec != NULL, 0.0);
  return ink_param_get_number (spec, params_for (self, group));
}

gboolean
ink_document_set_value (InkDocument *self, const char *name, double value)
{
  InkParamGroup group;
  const InkParamSpec *spec = document_spec (name, &group);

  g_return_val_if_fail (INK_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (spec != NULL && spec->type != INK_PARAM_COLOR, FALSE);
  g_return_val_if_fail (isfinite (value), FALSE);
  if (!ink_param_set_number (spec, params_for (self, group), value))
    return FALSE;
  emit_changed (self, change_of (spec), spec->name);
  return TRUE;
}

double
ink_document_get_base_value (InkDocument *self, const char *name)
{
  InkParamGroup group;
  const InkParamSpec *spec = document_spec (name, &group);

  g_return_val_if_fail (spec != NULL, 0.0);
  if (group == INK_PARAM_GROUP_STYLE)
    return ink_param_get_number (spec, &self->base_style);
  return spec->def;
}

void
ink_document_reset_value (InkDocument *self, const char *name)
{
  ink_document_set_value (self, name, ink_document_get_base_value (self, name));
}

const char *
ink_document_get_preset (InkDocument *self)
{
  return self->project->preset;
}

/* Records PRESET (an unknown one or NULL: "default") and its values as what resets return to;
 * the style itself is the caller's. */
static void
take_preset (InkDocument *self, const char *preset)
{
  if (!ink_project_set_preset_name (self->project, preset))
    ink_project_set_preset_name (self->project, INK_STYLE_PRESET_DEFAULT);
  if (!ink_style_params_preset (&self->base_style, self->project->preset, NULL))
    g_assert_not_reached ();
}

gboolean
ink_document_set_preset (InkDocument *self, const char *preset)
{
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (INK_IS_DOCUMENT (self), FALSE);
  if (!ink_project_set_preset (self->project, preset, &error))
    {
      g_warning ("%s", error->message);
      return FALSE;
    }
  take_preset (self, preset);
  emit_changed (self, INK_CHANGE_STYLE | INK_CHANGE_PRESET, NULL);
  return TRUE;
}

char **
ink_document_dup_settings (InkDocument *self, gboolean motion)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  InkParamGroup group = motion ? INK_PARAM_GROUP_MOTION : INK_PARAM_GROUP_STYLE;
  guint n;
  const InkParamSpec *specs = ink_param_group_specs (group, &n);
  const void *params = params_for (self, group);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *value = ink_params_format (&specs[i], params);
      g_autofree char *entry = g_strdup_printf ("%s=%s", specs[i].name, value);
      g_strv_builder_add (builder, entry);
    }
  return g_strv_builder_end (builder);
}

static void
restore_into (InkParamGroup group, void *params, const char *const *settings)
{
  guint n;
  const InkParamSpec *specs = ink_param_group_specs (group, &n);

  for (guint i = 0; settings != NULL && settings[i] != NULL; i++)
    {
      g_auto (GStrv) kv = g_strsplit (settings[i], "=", 2);
      g_autoptr (GError) error = NULL;

      if (kv[0] == NULL || kv[1] == NULL || !ink_params_set (specs, n, params, kv[0], kv[1], &error))
        g_debug ("settings: ignoring '%s': %s", settings[i], error ? error->message : "not name=value");
    }
}

void
ink_document_restore_settings (InkDocument *self, const char *preset, const char *const *style,
                               const char *const *motion)
{
  take_preset (self, preset);
  self->project->style = self->base_style;
  restore_into (INK_PARAM_GROUP_STYLE, &self->project->style, style);
  restore_into (INK_PARAM_GROUP_MOTION, &self->project->motion, motion);
  emit_changed (self, INK_CHANGE_STYLE | INK_CHANGE_MOTION | INK_CHANGE_PLAYBACK | INK_CHANGE_PRESET, NULL);
}
