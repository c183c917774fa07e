/* ink-preferences.c: the preferences window: preview size and compute device, bound to GSettings. */
#include "ink-config.h"

#include "ink-preferences.h"

#include "ink-application.h"

struct _InkPreferences
{
  GtkWindow parent_instance;
  GtkWidget *preview_spin;
  GtkWidget *device_dropdown;
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (InkPreferences, ink_preferences, GTK_TYPE_WINDOW)

static gboolean
device_to_index (GValue *value, GVariant *variant, gpointer data)
{
  (void) data;
  g_value_set_uint (value, g_str_equal (g_variant_get_string (variant, NULL), "cpu") ? 1 : 0);
  return TRUE;
}

static GVariant *
index_to_device (const GValue *value, const GVariantType *type, gpointer data)
{
  (void) type, (void) data;
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "cpu" : "");
}

static void
ink_preferences_dispose (GObject *object)
{
  InkPreferences *self = INK_PREFERENCES (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (ink_preferences_parent_class)->dispose (object);
}

static void
ink_preferences_class_init (InkPreferencesClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_preferences_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/inkloop/Inkloop/ink-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, InkPreferences, preview_spin);
  gtk_widget_class_bind_template_child (widget_class, InkPreferences, device_dropdown);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ink_preferences_init (InkPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = ink_application_new_settings ();
  g_settings_bind (self->settings, "preview-size", self->preview_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "device", self->device_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, device_to_index, index_to_device, NULL, NULL);
}

InkPreferences *
ink_preferences_new (GtkWindow *parent)
{
  return g_object_new (INK_TYPE_PREFERENCES, "transient-for", parent, NULL);
}
