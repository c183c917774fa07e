/* ink-transport.c: the transport bar under the preview: play/pause, stepping, scrubber, frame number and loop length. */
#include "ink-config.h"

#include "ink-transport.h"

#include <glib/gi18n.h>

struct _InkTransport
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkWidget *play_button;
  GtkWidget *scrubber;
  GtkAdjustment *adjustment;
  GtkWidget *frame_label;
  GtkWidget *length_label;
  GtkWidget *onion_button;

  InkPreview *preview;
  gboolean syncing;
};

G_DEFINE_FINAL_TYPE (InkTransport, ink_transport, GTK_TYPE_WIDGET)

static void
sync_widgets (InkTransport *self)
{
  int n = self->preview ? ink_preview_get_n_frames (self->preview) : 0;
  int frame = self->preview ? ink_preview_get_frame (self->preview) : 0;
  double fps = self->preview ? ink_preview_get_fps (self->preview) : 12;
  gboolean playing = self->preview && ink_preview_get_playing (self->preview);
  g_autofree char *frame_text = NULL, *length_text = NULL;

  self->syncing = TRUE;
  gtk_adjustment_configure (self->adjustment, frame, 0, MAX (n - 1, 0) + 1, 1, 1, 1);
  self->syncing = FALSE;
  gtk_widget_set_sensitive (self->scrubber, n > 1);
  /* TRANSLATORS: frame number and count, as in "5 / 24" */
  frame_text = n > 0 ? g_strdup_printf (_("%d / %d"), frame + 1, n) : g_strdup ("– / –");
  gtk_label_set_text (GTK_LABEL (self->frame_label), frame_text);
  /* TRANSLATORS: the loop's length in seconds and its frame rate, as in "2.0 s · 12 fps" */
  length_text = g_strdup_printf (_("%.1f s · %g fps"), n > 0 ? n / fps : 0.0, fps);
  gtk_label_set_text (GTK_LABEL (self->length_label), length_text);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (self->play_button, playing ? _("Pause (Space)") : _("Play (Space)"));
}

static void
on_preview_notify (GObject *object, GParamSpec *pspec, InkTransport *self)
{
  (void) object, (void) pspec;
  sync_widgets (self);
}

static void
on_scrubbed (GtkAdjustment *adjustment, InkTransport *self)
{
  if (self->syncing || self->preview == NULL)
    return;
  ink_preview_set_playing (self->preview, FALSE);
  ink_preview_set_frame (self->preview, (int) (gtk_adjustment_get_value (adjustment) + 0.5));
}

static void
ink_transport_dispose (GObject *object)
{
  InkTransport *self = INK_TRANSPORT (object);

  if (self->preview != NULL)
    g_signal_handlers_disconnect_by_data (self->preview, self);
  g_clear_object (&self->preview);
  gtk_widget_dispose_template (GTK_WIDGET (self), INK_TYPE_TRANSPORT);
  G_OBJECT_CLASS (ink_transport_parent_class)->dispose (object);
}

static void
ink_transport_class_init (InkTransportClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_transport_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/inkloop/Inkloop/ink-transport.ui");
  gtk_widget_class_bind_template_child (widget_class, InkTransport, box);
  gtk_widget_class_bind_template_child (widget_class, InkTransport, play_button);
  gtk_widget_class_bind_template_child (widget_class, InkTransport, scrubber);
  gtk_widget_class_bind_template_child (widget_class, InkTransport, adjustment);
  gtk_widget_class_bind_template_child (widget_class, InkTransport, frame_label);
  gtk_widget_class_bind_template_child (widget_class, InkTransport, length_label);
  gtk_widget_class_bind_template_child (widget_class, InkTransport, onion_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "inktransport");
}

static void
ink_transport_init (InkTransport *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->adjustment, "value-changed", G_CALLBACK (on_scrubbed), self);
  sync_widgets (self);
}

GtkWidget *
ink_transport_new (void)
{
  return g_object_new (INK_TYPE_TRANSPORT, NULL);
}

void
ink_transport_set_preview (InkTransport *self, InkPreview *preview)
{
  static const char *const watched[] = { "notify::frame", "notify::n-frames", "notify::fps",
                                         "notify::playing" };

  if (self->preview != NULL)
    g_signal_handlers_disconnect_by_data (self->preview, self);
  g_set_object (&self->preview, preview);
  if (preview != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
      g_signal_connect (preview, watched[i], G_CALLBACK (on_preview_notify), self);
  sync_widgets (self);
}

GtkWidget *
ink_transport_get_scrubber (InkTransport *self)
{
  return self->scrubber;
}

const char *
ink_transport_get_frame_text (InkTransport *self)
{
  return gtk_label_get_text (GTK_LABEL (self->frame_label));
}
