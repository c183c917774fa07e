/* ink-preferences.c: the preferences window: preview size, compute device and style, bound to
 * GSettings, and which device that is, with its kind. */
#include "ink-config.h"

#include "ink-preferences.h"

#include <glib/gi18n.h>

#include "ink-application.h"
#include "vk-context.h"

struct _InkPreferences
{
  AdwPreferencesWindow parent_instance;
  GtkWidget *style_row;
  GtkWidget *preview_spin;
  GtkWidget *device_row;
  GtkWidget *device_label;
  GSettings *settings;
  char *best;           /* what "Best graphics device" is here, once known */
};

G_DEFINE_FINAL_TYPE (InkPreferences, ink_preferences, ADW_TYPE_PREFERENCES_WINDOW)

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

/* The style row's items, in order, as the color-scheme key has them. */
static const char *const schemes[] = { "default", "light", "dark" };

static gboolean
scheme_to_index (GValue *value, GVariant *variant, gpointer data)
{
  const char *scheme = g_variant_get_string (variant, NULL);

  (void) data;
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_str_equal (scheme, schemes[i]))
      g_value_set_uint (value, i);
  return TRUE;
}

static GVariant *
index_to_scheme (const GValue *value, const GVariantType *type, gpointer data)
{
  guint i = g_value_get_uint (value);

  (void) type, (void) data;
  return g_variant_new_string (schemes[i < G_N_ELEMENTS (schemes) ? i : 0]);
}

/* "llvmpipe (LLVM 15.0.6, 256 bits): the processor, through software Vulkan". */
static char *
describe (const InkVkDeviceInfo *info)
{
  const char *kind = g_str_equal (info->type, "discrete") ? _("a graphics card")
                     : g_str_equal (info->type, "integrated") ? _("built-in graphics")
                     : g_str_equal (info->type, "virtual") ? _("a virtual graphics device")
                     : g_str_equal (info->type, "cpu") ? _("the processor, through software Vulkan (slower than a graphics device)")
                     : _("a Vulkan device");
  /* TRANSLATORS: the device the editor computes on, then what kind of device it is */
  return g_strdup_printf (_("In use: %s: %s"), info->name, kind);
}

static void
list_devices (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;

  (void) source, (void) data, (void) cancellable;
  list = ink_vk_list_devices (NULL, &error);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const InkVkDeviceInfo *info = g_ptr_array_index (list, i);
      if (info->chosen)
        {
          g_task_return_pointer (task, describe (info), g_free);
          return;
        }
    }
  g_task_return_pointer (task,
                         g_strdup (_("In use: no Vulkan device was found, so Inkloop's own code on "
                                     "the processor")),
                         g_free);
}

static void
show_device (InkPreferences *self)
{
  gboolean cpu = adw_combo_row_get_selected (ADW_COMBO_ROW (self->device_row)) == 1;

  gtk_label_set_text (GTK_LABEL (self->device_label),
                      cpu ? _("In use: Inkloop's own code on the processor, without Vulkan")
                          : self->best != NULL ? self->best : _("Looking for devices…"));
}

static void
on_devices_listed (GObject *source, GAsyncResult *result, gpointer data)
{
  InkPreferences *self = INK_PREFERENCES (source);

  (void) data;
  g_free (self->best);
  self->best = g_task_propagate_pointer (G_TASK (result), NULL);
  show_device (self);
}

static void
on_device_selected (GObject *row, GParamSpec *pspec, InkPreferences *self)
{
  (void) row, (void) pspec;
  show_device (self);
}

static void
ink_preferences_dispose (GObject *object)
{
  InkPreferences *self = INK_PREFERENCES (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->best, g_free);
  G_OBJECT_CLASS (ink_preferences_parent_class)->dispose (object);
}

static void
ink_preferences_class_init (InkPreferencesClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_preferences_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/inkloop/Inkloop/ink-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, InkPreferences, style_row);
  gtk_widget_class_bind_template_child (widget_class, InkPreferences, preview_spin);
  gtk_widget_class_bind_template_child (widget_class, InkPreferences, device_row);
  gtk_widget_class_bind_template_child (widget_class, InkPreferences, device_label);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ink_preferences_init (InkPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = ink_application_new_settings ();
  g_settings_bind (self->settings, "preview-size", self->preview_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "device", self->device_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, device_to_index, index_to_device, NULL, NULL);
  /* The application applies the style when the key changes (ink-application.c). */
  g_settings_bind_with_mapping (self->settings, "color-scheme", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, scheme_to_index, index_to_scheme, NULL, NULL);
  g_signal_connect (self->device_row, "notify::selected", G_CALLBACK (on_device_selected), self);
  show_device (self);
  {
    /* Listing opens a Vulkan instance: off the main thread. */
    g_autoptr (GTask) task = g_task_new (self, NULL, on_devices_listed, NULL);
    g_task_run_in_thread (task, list_devices);
  }
}

/* The device line's text, for tests. */
const char *
ink_preferences_get_device_text (InkPreferences *self)
{
  return gtk_label_get_text (GTK_LABEL (self->device_label));
}

InkPreferences *
ink_preferences_new (GtkWindow *parent)
{
  return g_object_new (INK_TYPE_PREFERENCES, "transient-for", parent, NULL);
}
