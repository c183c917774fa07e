/* ink-application.c: the GtkApplication: windows, app actions and accelerators, settings, resources and translations. */
#include "ink-config.h"

#include "ink-application.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ink-preferences.h"
#include "ink-renderer.h"
#include "ink-resources.h"
#include "ink-window.h"

struct _InkApplication
{
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (InkApplication, ink_application, GTK_TYPE_APPLICATION)

void
ink_application_init_resources (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const char *localedir = INK_LOCALEDIR;
      g_autofree char *installed = g_build_filename (INK_LOCALEDIR, "zh_CN", "LC_MESSAGES",
                                                     GETTEXT_PACKAGE ".mo", NULL);

      /* Run from the build folder, the translations are those built beside it. */
      if (!g_file_test (installed, G_FILE_TEST_EXISTS) && g_file_test (INK_BUILD_LOCALEDIR, G_FILE_TEST_IS_DIR))
        localedir = INK_BUILD_LOCALEDIR;
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
      ink_register_resource ();
      g_once_init_leave (&once, 1);
    }
}

GSettings *
ink_application_new_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettingsSchemaSource) build = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, INK_APP_ID, TRUE);
  if (schema == NULL)
    {
      g_autoptr (GError) error = NULL;

      build = g_settings_schema_source_new_from_directory (INK_BUILD_SCHEMADIR, source, FALSE, &error);
      if (build != NULL)
        schema = g_settings_schema_source_lookup (build, INK_APP_ID, FALSE);
      if (schema == NULL)
        g_error ("the settings schema %s is not installed (and not in %s): install Inkloop, or "
                 "build it with meson first", INK_APP_ID, INK_BUILD_SCHEMADIR);
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
new_window (InkApplication *self)
{
  InkWindow *window = ink_window_new (GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (window));
}

static void
ink_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window != NULL)
    gtk_window_present (window);
  else
    new_window (INK_APPLICATION (app));
}

static void
ink_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  (void) hint;
  for (int i = 0; i < n_files; i++)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
      InkWindow *window;
      g_autofree char *path = g_file_get_path (files[i]);

      /* The first file goes into a window that has no photo yet. */
      if (active != NULL && INK_IS_WINDOW (active)
          && ink_document_get_source (ink_window_get_document (INK_WINDOW (active))) == NULL)
        window = INK_WINDOW (active);
      else
        window = ink_window_new (GTK_APPLICATION (app));
      gtk_window_present (GTK_WINDOW (window));
      if (path != NULL)
        ink_window_open_path (window, path);
    }
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (data));

  (void) action, (void) param;
  GList *copy = g_list_copy (windows);

  /* Closing each window saves its state; the application ends with the last one. */
  for (GList *l = copy; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (copy);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  static const char *developers[] = { "The Inkloop developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));

  (void) action, (void) param;
  gtk_show_about_dialog (parent,
                         "program-name", "Inkloop",
                         "logo-icon-name", INK_APP_ID,
                         "version", INK_VERSION,
                         "comments", _("Turn a photo into a looping animated comic"),
                         "website", "https://github.com/inkloop/inkloop",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", developers,
                         /* TRANSLATORS: your name, to appear in the About window */
                         "translator-credits", _("translator-credits"),
                         "copyright", "© The Inkloop developers",
                         NULL);
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));
  GtkWindow *prefs = GTK_WINDOW (ink_preferences_new (parent));

  (void) action, (void) param;
  gtk_window_present (prefs);
}

static void
open_folder_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));

  (void) action;
  gtk_show_uri (parent, g_variant_get_string (param, NULL), GDK_CURRENT_TIME);
}

static void
on_css_error (GtkCssProvider *provider, GtkCssSection *section, const GError *error, gpointer data)
{
  g_autofree char *where = gtk_css_section_to_string (section);

  (void) provider, (void) data;
  g_warning ("ink-style.css: %s: %s", where, error->message);
}

static void
ink_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "quit", quit_action, NULL, NULL, NULL, { 0 } },
    { "about", about_action, NULL, NULL, NULL, { 0 } },
    { "preferences", preferences_action, NULL, NULL, NULL, { 0 } },
    { "open-folder", open_folder_action, "s", NULL, NULL, { 0 } },
  };
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.save", { "<Control>s", NULL } },
    { "win.save-as", { "<Control><Shift>s", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.zoom-fit", { "<Control>0", NULL } },
    { "win.zoom-100", { "<Control>1", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
    { "win.zoom-out", { "<Control>minus", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  ink_application_init_resources ();
  G_APPLICATION_CLASS (ink_application_parent_class)->startup (app);
  g_free (ink_renderer_choose (gdk_display_get_default ()));
  g_set_application_name ("Inkloop");
  gtk_window_set_default_icon_name (INK_APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  {
    g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

    g_signal_connect (css, "parsing-error", G_CALLBACK (on_css_error), NULL);
    gtk_css_provider_load_from_resource (css, "/io/github/inkloop/Inkloop/ink-style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
ink_application_class_init (InkApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = ink_application_startup;
  app_class->activate = ink_application_activate;
  app_class->open = ink_application_open;
}

static void
ink_application_init (InkApplication *self)
{
  (void) self;
}

InkApplication *
ink_application_new (GApplicationFlags flags)
{
  return g_object_new (INK_TYPE_APPLICATION, "application-id", INK_APP_ID,
                       "flags", flags | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/inkloop/Inkloop", NULL);
}
