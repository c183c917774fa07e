/* ink-application.c: the AdwApplication: windows, app actions and accelerators, settings and style, resources and translations. */
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
  AdwApplication parent_instance;
  GSettings *settings;    /* the color scheme, followed while the application runs */
};

G_DEFINE_FINAL_TYPE (InkApplication, ink_application, ADW_TYPE_APPLICATION)

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

void
ink_application_apply_color_scheme (GSettings *settings)
{
  g_autofree char *scheme = g_settings_get_string (settings, "color-scheme");
  AdwColorScheme adw = g_str_equal (scheme, "light") ? ADW_COLOR_SCHEME_FORCE_LIGHT
                       : g_str_equal (scheme, "dark") ? ADW_COLOR_SCHEME_FORCE_DARK
                       : ADW_COLOR_SCHEME_DEFAULT;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), adw);
}

static void
on_color_scheme_changed (GSettings *settings, const char *key, gpointer data)
{
  (void) key, (void) data;
  ink_application_apply_color_scheme (settings);
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
  static const char *developers[] = { "Inkloop contributors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));
  GtkWidget *about = adw_about_window_new ();

  (void) action, (void) param;
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), "Inkloop");
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), INK_APP_ID);
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), INK_VERSION);
  adw_about_window_set_comments (ADW_ABOUT_WINDOW (about), _("Turn a photo into a looping animated comic"));
  adw_about_window_set_developer_name (ADW_ABOUT_WINDOW (about), "Inkloop contributors");
  adw_about_window_set_developers (ADW_ABOUT_WINDOW (about), developers);
  /* The metainfo's homepage and bug tracker. */
  adw_about_window_set_website (ADW_ABOUT_WINDOW (about), "https://github.com/inkloop/inkloop");
  adw_about_window_set_issue_url (ADW_ABOUT_WINDOW (about), "https://github.com/inkloop/inkloop/issues");
  adw_about_window_set_license_type (ADW_ABOUT_WINDOW (about), GTK_LICENSE_GPL_3_0);
  adw_about_window_set_copyright (ADW_ABOUT_WINDOW (about), "© Inkloop contributors");
  /* TRANSLATORS: your name, to appear in the About window */
  adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about), _("translator-credits"));
  gtk_window_present (GTK_WINDOW (about));
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
  InkApplication *self = INK_APPLICATION (app);
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
    { "win.toggle-panel", { "F9", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  ink_application_init_resources ();
  G_APPLICATION_CLASS (ink_application_parent_class)->startup (app);
  g_free (ink_renderer_choose (gdk_display_get_default ()));
  g_set_application_name ("Inkloop");
  gtk_window_set_default_icon_name (INK_APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  /* Light, dark or the system's, from the preferences, now and whenever they change. */
  self->settings = ink_application_new_settings ();
  ink_application_apply_color_scheme (self->settings);
  g_signal_connect (self->settings, "changed::color-scheme", G_CALLBACK (on_color_scheme_changed), NULL);
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
ink_application_dispose (GObject *object)
{
  g_clear_object (&INK_APPLICATION (object)->settings);
  G_OBJECT_CLASS (ink_application_parent_class)->dispose (object);
}

static void
ink_application_class_init (InkApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_application_dispose;
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
