/* ink-session.c: what the editor keeps between runs: the autosave and its restore, recent files, the window's size and the last parameters. */
#include "ink-config.h"

#include "ink-window-private.h"

#include <glib/gi18n.h>

#include "ink-history.h"

#define RECENT_MAX 8
#define AUTOSAVE_SECONDS 30

/* Autosave ----------------------------------------------------------------------------------- */

char *
ink_session_autosave_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "inkloop", "autosave.inkloop", NULL);
}

static gboolean
autosave_timeout (gpointer data)
{
  InkWindow *self = data;
  g_autofree char *path = ink_session_autosave_path ();

  self->session.autosave_id = 0;
  if (ink_history_get_modified (self->history) && ink_document_get_source (self->document) != NULL)
    ink_window_start_save (self, path, FALSE, TRUE);
  return G_SOURCE_REMOVE;
}

void
ink_session_schedule_autosave (InkWindow *self)
{
  if (ink_history_get_modified (self->history) && self->session.autosave_id == 0
      && ink_document_get_source (self->document) != NULL)
    self->session.autosave_id = g_timeout_add (self->session.autosave_ms, autosave_timeout, self);
}

void
ink_session_cancel_autosave (InkWindow *self)
{
  if (self->session.autosave_id != 0)
    g_source_remove (self->session.autosave_id);
  self->session.autosave_id = 0;
}

void
ink_window_set_autosave_interval (InkWindow *self, guint ms)
{
  self->session.autosave_ms = MAX (ms, 1);
}

/* Restoring after a crash -------------------------------------------------------------------- */

static void
autosave_exists_thread (GTask *task, gpointer object, gpointer data, GCancellable *cancellable)
{
  g_autofree char *path = ink_session_autosave_path ();

  (void) object, (void) data, (void) cancellable;
  g_task_return_boolean (task, g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static void
on_autosave_checked (GObject *object, GAsyncResult *result, gpointer data)
{
  InkWindow *self = INK_WINDOW (object);

  (void) data;
  if (g_task_propagate_boolean (G_TASK (result), NULL) && ink_document_get_source (self->document) == NULL
      && self->opening.cancellable == NULL)
    ink_window_show_message_action (self, MESSAGE_INFO,
                                    _("Inkloop did not close properly last time. Your unsaved project can be restored."),
                                    _("_Restore"), "win.restore-autosave");
}

void
ink_window_offer_restore (InkWindow *self)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, on_autosave_checked, NULL);

  g_task_run_in_thread (task, autosave_exists_thread);
}

void
ink_session_offer_restore_once (InkWindow *self)
{
  static gboolean offered;

  /* Once per run: the first window offers what a crash left behind. */
  if (!offered)
    {
      offered = TRUE;
      ink_window_offer_restore (self);
    }
}

void
ink_session_restore_autosave (InkWindow *self)
{
  g_autofree char *path = ink_session_autosave_path ();

  ink_window_open_path (self, path);
  self->opening.restoring = TRUE;
}

/* Recent files ------------------------------------------------------------------------------- */

static int
newest_first (gconstpointer a, gconstpointer b)
{
  return g_date_time_compare (gtk_recent_info_get_modified ((GtkRecentInfo *) b),
                              gtk_recent_info_get_modified ((GtkRecentInfo *) a));
}

/* Inkloop's own entries carry this group: the file chooser also adds what it saves (exported
 * GIFs, videos) to the recent files under the application's name, and those cannot be opened. */
#define RECENT_GROUP "inkloop-opened"

GPtrArray *
ink_session_recent_entries (void)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  GList *items = g_list_sort (gtk_recent_manager_get_items (manager), newest_first);
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_free);

  for (GList *l = items; l != NULL && entries->len < 2 * RECENT_MAX; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autofree char *path = NULL, *folder = NULL, *folder_display = NULL;

      if (!gtk_recent_info_has_group (info, RECENT_GROUP) || !gtk_recent_info_is_local (info))
        continue;
      path = g_filename_from_uri (gtk_recent_info_get_uri (info), NULL, NULL);
      if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      folder = g_path_get_dirname (path);
      folder_display = g_filename_display_name (folder);
      /* TRANSLATORS: a recent file in the Open menu: its name, then its folder */
      g_ptr_array_add (entries, g_strdup_printf (_("%s — %s"), gtk_recent_info_get_display_name (info),
                                                 folder_display));
      g_ptr_array_add (entries, g_steal_pointer (&path));
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  return entries;
}

void
ink_session_update_recent_menu (InkWindow *self)
{
  g_autoptr (GPtrArray) entries = ink_session_recent_entries ();
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autoptr (GMenu) section = g_menu_new ();

  for (guint i = 0; i + 1 < entries->len; i += 2)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (g_ptr_array_index (entries, i), NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-recent",
                                               g_variant_new_string (g_ptr_array_index (entries, i + 1)));
      g_menu_append_item (section, item);
    }
  if (entries->len == 0)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_("No recent photos"), NULL);
      g_menu_append_item (section, item);
    }
  g_menu_append_section (menu, _("Recent Photos"), G_MENU_MODEL (section));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->recent_button), G_MENU_MODEL (menu));
}

void
ink_session_add_recent (const char *path)
{
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autofree char *type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime = g_content_type_get_mime_type (type);
  const char *groups[] = { RECENT_GROUP, NULL };
  GtkRecentData data = {
    .mime_type = mime != NULL ? mime : (char *) "application/octet-stream",
    .app_name = (char *) g_get_application_name (),
    .app_exec = (char *) "inkloop %f",
    .groups = (char **) groups,
  };

  if (uri != NULL)
    gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
}

void
ink_session_note_opened (InkWindow *self, const char *photo, const char *file)
{
  g_autofree char *folder = g_path_get_dirname (photo);

  g_settings_set_string (self->settings, "last-folder", folder);
  ink_session_add_recent (file);
  ink_session_update_recent_menu (self);
}

/* The window's size and the parameters ------------------------------------------------------- */

void
ink_session_restore (InkWindow *self)
{
  self->session.autosave_ms = AUTOSAVE_SECONDS * 1000;
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* The last parameters. */
  {
    g_autofree char *preset = g_settings_get_string (self->settings, "preset");
    g_auto (GStrv) style = g_settings_get_strv (self->settings, "style");
    g_auto (GStrv) motion = g_settings_get_strv (self->settings, "motion");
    ink_document_restore_settings (self->document, preset, (const char *const *) style,
                                   (const char *const *) motion);
  }
}

static void
save_state (InkWindow *self)
{
  g_auto (GStrv) style = ink_document_dup_settings (self->document, FALSE);
  g_auto (GStrv) motion = ink_document_dup_settings (self->document, TRUE);
  int w, h;

  gtk_window_get_default_size (GTK_WINDOW (self), &w, &h);
  g_settings_delay (self->settings);
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && w > 0 && h > 0)
    {
      g_settings_set_int (self->settings, "window-width", w);
      g_settings_set_int (self->settings, "window-height", h);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_set_string (self->settings, "preset", ink_document_get_preset (self->document));
  g_settings_set_strv (self->settings, "style", (const char *const *) style);
  g_settings_set_strv (self->settings, "motion", (const char *const *) motion);
  g_settings_apply (self->settings);
}

void
ink_session_end (InkWindow *self)
{
  /* Closed on purpose: nothing to restore next time. */
  {
    g_autofree char *path = ink_session_autosave_path ();
    g_autoptr (GFile) file = g_file_new_for_path (path);
    g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  }
  ink_session_cancel_autosave (self);
  save_state (self);
}
