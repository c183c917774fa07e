/* ink-clip-bar.c: a clip's bar: scrub the source, set the part's in and out points, loop it, keep its sound. */
#include "ink-config.h"

#include "ink-clip-bar.h"

#include <glib/gi18n.h>
#include <math.h>

#include "video-input.h"

/* Scrubbed frames are decoded at most this size (the source view shows them fitted). */
#define SCRUB_EDGE 1280

struct _InkClipBar
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkWidget *scale;
  GtkWidget *position_label;
  GtkWidget *range_label;
  GtkWidget *loop_switch;
  GtkWidget *sound_switch;

  InkDocument *document;
  gboolean syncing;

  /* Scrubbing: one decode at a time, the newest position next. */
  gboolean decoding;
  double scrub_next;      /* < 0: none waiting */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (InkClipBar, ink_clip_bar, GTK_TYPE_WIDGET)

enum { SOURCE_FRAME, N_SIGNALS };
static guint signals[N_SIGNALS];

/* "m:ss.cc" for SECONDS. */
static char *
format_time (double seconds)
{
  int cs = (int) lround (MAX (seconds, 0.0) * 100.0);

  return g_strdup_printf ("%d:%02d.%02d", cs / 6000, cs / 100 % 60, cs % 100);
}

static double
clip_length (InkClipBar *self)
{
  InkSource *source = ink_document_get_source (self->document);

  return source != NULL && source->is_clip ? source->clip_seconds : 0.0;
}

/* The part's end (seconds from the clip's first frame). */
static double
range_end (InkClipBar *self, const InkClipRange *range)
{
  return range->duration > 0.0 ? range->start + range->duration : clip_length (self);
}

static void
sync_bar (InkClipBar *self)
{
  const InkClipRange *range = self->document != NULL ? ink_document_get_clip (self->document) : NULL;
  g_autofree char *in = NULL, *out = NULL, *length = NULL, *text = NULL, *at = NULL;
  double end;

  gtk_widget_set_visible (GTK_WIDGET (self), range != NULL);
  if (range == NULL)
    return;
  self->syncing = TRUE;
  end = range_end (self, range);
  gtk_range_set_range (GTK_RANGE (self->scale), 0.0, MAX (clip_length (self), 0.01));
  gtk_scale_clear_marks (GTK_SCALE (self->scale));
  gtk_scale_add_mark (GTK_SCALE (self->scale), range->start, GTK_POS_BOTTOM, NULL);
  gtk_scale_add_mark (GTK_SCALE (self->scale), end, GTK_POS_BOTTOM, NULL);
  gtk_switch_set_active (GTK_SWITCH (self->loop_switch), range->loop);
  gtk_switch_set_active (GTK_SWITCH (self->sound_switch), !range->no_audio);
  in = format_time (range->start);
  out = format_time (end);
  /* TRANSLATORS: the clip's part: in point – out point (its length in seconds) */
  text = g_strdup_printf (_("%s – %s (%.2f\u00a0s)"), in, out, end - range->start);
  gtk_label_set_text (GTK_LABEL (self->range_label), text);
  at = format_time (gtk_range_get_value (GTK_RANGE (self->scale)));
  gtk_label_set_text (GTK_LABEL (self->position_label), at);
  self->syncing = FALSE;
}

static void
on_document_changed (InkDocument *document, guint what, const char *name, InkClipBar *self)
{
  (void) document, (void) name;
  if (what & INK_CHANGE_SOURCE)
    {
      self->syncing = TRUE;
      gtk_range_set_value (GTK_RANGE (self->scale), 0.0);
      self->syncing = FALSE;
    }
  if (what & (INK_CHANGE_SOURCE | INK_CHANGE_CLIP))
    sync_bar (self);
}

/* Scrubbing ---------------------------------------------------------------------------------- */

typedef struct
{
  char *path;
  double t;       /* the clip's own time */
} Scrub;

static void
scrub_free (gpointer data)
{
  Scrub *s = data;

  g_free (s->path);
  g_free (s);
}

static void
scrub_thread (GTask *task, gpointer object, gpointer data, GCancellable *cancellable)
{
  Scrub *s = data;
  GError *error = NULL;
  InkVideo *video = ink_video_open (s->path, &error);
  InkImage *image = NULL;
  GdkTexture *texture;
  GBytes *bytes;
  double pts;

  (void) object, (void) cancellable;
  if (video != NULL && ink_video_seek (video, s->t, &error))
    image = ink_video_read (video, SCRUB_EDGE, &pts, &error);
  ink_video_free (&video);
  if (image == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  bytes = g_bytes_new (image->pixels, (gsize) image->width * image->height * 8);
  texture = gdk_memory_texture_new (image->width, image->height, GDK_MEMORY_R16G16B16A16, bytes,
                                    (gsize) image->width * 8);
  g_bytes_unref (bytes);
  ink_image_free (&image);
  g_task_return_pointer (task, texture, g_object_unref);
}

static void start_scrub (InkClipBar *self, double t);

static void
on_scrubbed (GObject *object, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);
  InkClipBar *self = INK_CLIP_BAR (object);

  (void) data;
  self->decoding = FALSE;
  if (texture != NULL)
    g_signal_emit (self, signals[SOURCE_FRAME], 0, texture);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("scrub: %s", error->message);
  if (self->scrub_next >= 0.0)
    {
      double t = self->scrub_next;
      self->scrub_next = -1.0;
      start_scrub (self, t);
    }
}

static void
start_scrub (InkClipBar *self, double t)
{
  InkSource *source = ink_document_get_source (self->document);
  g_autoptr (GTask) task = NULL;
  Scrub *s;

  if (source == NULL || !source->is_clip)
    return;
  if (self->decoding)
    {
      self->scrub_next = t;   /* the newest position, once the decode under way is done */
      return;
    }
  s = g_new0 (Scrub, 1);
  s->path = g_strdup (source->path);
  s->t = source->clip_start_s + t;
  self->decoding = TRUE;
  task = g_task_new (self, self->cancellable, on_scrubbed, NULL);
  g_task_set_task_data (task, s, scrub_free);
  g_task_run_in_thread (task, scrub_thread);
}

static void
on_scale_changed (GtkRange *range, InkClipBar *self)
{
  g_autofree char *at = format_time (gtk_range_get_value (range));

  gtk_label_set_text (GTK_LABEL (self->position_label), at);
  if (!self->syncing)
    start_scrub (self, gtk_range_get_value (range));
}

/* Edits -------------------------------------------------------------------------------------- */

void
ink_clip_bar_set_in (InkClipBar *self)
{
  const InkClipRange *range = ink_document_get_clip (self->document);
  InkClipRange r;
  double at = gtk_range_get_value (GTK_RANGE (self->scale)), end;

  if (range == NULL)
    return;
  r = *range;
  end = range_end (self, range);
  /* The out point stays where it is; past it, the part runs to the clip's end. */
  r.start = at;
  r.duration = at < end && range->duration > 0.0 ? end - at : 0.0;
  ink_document_set_clip (self->document, &r);
}

void
ink_clip_bar_set_out (InkClipBar *self)
{
  const InkClipRange *range = ink_document_get_clip (self->document);
  InkClipRange r;
  double at = gtk_range_get_value (GTK_RANGE (self->scale));

  if (range == NULL)
    return;
  r = *range;
  if (at <= range->start)
    r.start = 0.0;   /* an out point before the in point: the part starts at the clip's start */
  /* At least a frame (the document rounds it up): 0 would mean "to the end". */
  r.duration = MAX (at - r.start, 1e-3);
  ink_document_set_clip (self->document, &r);
}

static void
on_switch_changed (GtkSwitch *sw, GParamSpec *pspec, InkClipBar *self)
{
  const InkClipRange *range = ink_document_get_clip (self->document);
  InkClipRange r;

  (void) sw, (void) pspec;
  if (self->syncing || range == NULL)
    return;
  r = *range;
  r.loop = gtk_switch_get_active (GTK_SWITCH (self->loop_switch));
  r.no_audio = !gtk_switch_get_active (GTK_SWITCH (self->sound_switch));
  ink_document_set_clip (self->document, &r);
}

/* GObject ------------------------------------------------------------------------------------ */

static GtkWidget *
labelled_switch (GtkWidget *box, const char *label, const char *tooltip, GtkWidget **sw)
{
  GtkWidget *l = gtk_label_new_with_mnemonic (label);

  *sw = gtk_switch_new ();
  gtk_widget_set_valign (*sw, GTK_ALIGN_CENTER);
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), *sw);
  gtk_widget_set_tooltip_text (l, tooltip);
  gtk_widget_set_tooltip_text (*sw, tooltip);
  gtk_box_append (GTK_BOX (box), l);
  gtk_box_append (GTK_BOX (box), *sw);
  return l;
}

static GtkWidget *
action_button (GtkWidget *box, const char *label, const char *tooltip, GCallback callback,
               InkClipBar *self)
{
  GtkWidget *b = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (b, tooltip);
  g_signal_connect_swapped (b, "clicked", callback, self);
  gtk_box_append (GTK_BOX (box), b);
  return b;
}

static void
ink_clip_bar_dispose (GObject *object)
{
  InkClipBar *self = INK_CLIP_BAR (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (ink_clip_bar_parent_class)->dispose (object);
}

static void
ink_clip_bar_class_init (InkClipBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_clip_bar_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "inkclipbar");
  /* A scrubbed source frame was decoded (GdkTexture, at most SCRUB_EDGE on its long edge). */
  signals[SOURCE_FRAME] = g_signal_new ("source-frame", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        GDK_TYPE_TEXTURE);
}

static void
ink_clip_bar_init (InkClipBar *self)
{
  self->scrub_next = -1.0;
  self->cancellable = g_cancellable_new ();
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (self->box, "toolbar");
  gtk_widget_add_css_class (self->box, "ink-clip-bar");
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  action_button (self->box, _("Set _In"), _("Start the clip's part at the source frame shown"),
                 G_CALLBACK (ink_clip_bar_set_in), self);
  self->scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0.0, 1.0, 0.01);
  gtk_scale_set_draw_value (GTK_SCALE (self->scale), FALSE);
  gtk_widget_set_hexpand (self->scale, TRUE);
  gtk_widget_set_size_request (self->scale, 120, -1);
  gtk_widget_set_tooltip_text (self->scale, _("Scrub through the source clip; the marks are the part's in and out points"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Source position"), -1);
  g_signal_connect (self->scale, "value-changed", G_CALLBACK (on_scale_changed), self);
  gtk_box_append (GTK_BOX (self->box), self->scale);
  self->position_label = gtk_label_new ("0:00.00");
  gtk_widget_add_css_class (self->position_label, "numeric");
  gtk_box_append (GTK_BOX (self->box), self->position_label);
  action_button (self->box, _("Set O_ut"), _("End the clip's part at the source frame shown"),
                 G_CALLBACK (ink_clip_bar_set_out), self);
  self->range_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->range_label, "numeric");
  gtk_widget_add_css_class (self->range_label, "dim-label");
  gtk_box_append (GTK_BOX (self->box), self->range_label);
  labelled_switch (self->box, _("_Loop"),
                   _("Make a seamless loop of the stretch of the part that loops best"),
                   &self->loop_switch);
  labelled_switch (self->box, _("Sou_nd"), _("Copy the clip's sound into an MP4 export"),
                   &self->sound_switch);
  g_signal_connect (self->loop_switch, "notify::active", G_CALLBACK (on_switch_changed), self);
  g_signal_connect (self->sound_switch, "notify::active", G_CALLBACK (on_switch_changed), self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
ink_clip_bar_new (void)
{
  return g_object_new (INK_TYPE_CLIP_BAR, NULL);
}

void
ink_clip_bar_set_document (InkClipBar *self, InkDocument *document)
{
  g_return_if_fail (INK_IS_CLIP_BAR (self));
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  if (document != NULL)
    g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  sync_bar (self);
}

void
ink_clip_bar_set_position (InkClipBar *self, double seconds)
{
  gtk_range_set_value (GTK_RANGE (self->scale), seconds);
}
