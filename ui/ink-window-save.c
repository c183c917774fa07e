/* ink-window-save.c: saving the project in a worker, Save As, and the unsaved-changes question before closing or opening another file. */
#include "ink-config.h"

#include "ink-window-private.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ink-history.h"

/* Saving the project ------------------------------------------------------------------------- */

typedef struct
{
  InkProject *project;
  char *path;
  guint state;              /* the history's state the copy was taken at */
  gboolean close_after;
  gboolean autosave;
} SaveJob;

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  ink_project_free (&job->project);
  g_free (job->path);
  g_free (job);
}

static void
save_thread (GTask *task, gpointer object, gpointer data, GCancellable *cancellable)
{
  SaveJob *job = data;
  g_autoptr (GError) error = NULL;

  (void) object, (void) cancellable;
  if (job->autosave)
    {
      g_autofree char *dir = g_path_get_dirname (job->path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", dir, g_strerror (errno));
          return;
        }
    }
  if (!ink_project_save (job->project, job->path, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A clean save leaves nothing to restore. */
  if (!job->autosave)
    {
      g_autofree char *autosave = ink_session_autosave_path ();
      g_unlink (autosave);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_saved (GObject *object, GAsyncResult *result, gpointer data)
{
  InkWindow *self = INK_WINDOW (object);
  SaveJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL, *base = g_path_get_basename (job->path), *dir = g_path_get_dirname (job->path);
  g_autofree char *uri = g_filename_to_uri (dir, NULL, NULL);

  (void) data;
  self->project.saving--;
  if (job->autosave)
    {
      if (!g_task_propagate_boolean (G_TASK (result), &error))
        g_warning ("autosave: %s", error->message);
      return;
    }
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      ink_window_show_message (self, MESSAGE_ERROR, error->message, NULL, NULL);
      g_clear_pointer (&self->project.open_after, g_free);   /* keep the unsaved work on screen */
      return;
    }
  g_free (self->project.path);
  self->project.path = g_strdup (job->path);
  ink_history_mark_saved (self->history, job->state);
  ink_session_add_recent (job->path);
  if (job->close_after)
    {
      self->project.closing = TRUE;
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  if (self->project.open_after != NULL)
    {
      g_autofree char *next = g_steal_pointer (&self->project.open_after);
      ink_window_open_path (self, next);
      return;
    }
  text = g_strdup_printf (_("Saved the project as %s."), base);
  ink_window_show_message (self, MESSAGE_INFO, text, _("Open Folder"), uri);
  ink_window_update_title (self);
}

void
ink_window_start_save (InkWindow *self, const char *path, gboolean close_after, gboolean autosave)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, on_saved, NULL);
  SaveJob *job = g_new0 (SaveJob, 1);

  job->project = ink_document_dup_project (self->document);
  job->path = g_strdup (path);
  job->state = ink_history_get_state (self->history);
  job->close_after = close_after;
  job->autosave = autosave;
  if (!autosave)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_settings_set_string (self->settings, "project-folder", dir);
    }
  self->project.saving++;
  g_task_set_task_data (task, job, save_job_free);
  g_task_run_in_thread (task, save_thread);
}

void
ink_window_save_project (InkWindow *self, const char *path)
{
  g_autofree char *with = NULL;

  g_return_if_fail (INK_IS_WINDOW (self));
  if (ink_document_get_source (self->document) == NULL)
    return;
  if (!g_str_has_suffix (path, ".inkloop"))
    path = with = g_strconcat (path, ".inkloop", NULL);
  ink_window_start_save (self, path, FALSE, FALSE);
}

static void
on_save_response (GtkNativeDialog *chooser, int response, InkWindow *self)
{
  gboolean close_after = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "close-after"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path == NULL)
        ink_window_show_message (self, MESSAGE_ERROR, _("Projects can only be saved on this computer."), NULL, NULL);
      else
        {
          if (!g_str_has_suffix (path, ".inkloop"))
            {
              char *with = g_strconcat (path, ".inkloop", NULL);
              g_free (path);
              path = with;
            }
          ink_window_start_save (self, path, close_after, FALSE);
          g_object_unref (chooser);
          return;
        }
    }
  /* Not saved: a file waiting to be opened after the save stays closed. */
  g_clear_pointer (&self->project.open_after, g_free);
  g_object_unref (chooser);
}

char *
ink_window_save_folder (InkWindow *self)
{
  const char *photo = ink_document_get_path (self->document);
  g_autofree char *last = g_settings_get_string (self->settings, "project-folder");

  /* A saved project's own folder; else the folder the last project went to, if it is still
   * there; else the photo's. */
  if (self->project.path != NULL)
    return g_path_get_dirname (self->project.path);
  if (*last != '\0' && g_file_test (last, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&last);
  return photo != NULL ? g_path_get_dirname (photo) : g_strdup (g_get_home_dir ());
}

void
ink_window_save_as (InkWindow *self, gboolean close_after)
{
  const char *photo = ink_document_get_path (self->document);
  GtkFileChooserNative *chooser;
  g_autofree char *base = NULL, *name = NULL, *dir = NULL;
  g_autoptr (GFile) folder = NULL;
  char *dot;

  if (photo == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save Project"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  base = g_path_get_basename (self->project.path != NULL ? self->project.path : photo);
  dot = strrchr (base, '.');
  if (dot != NULL)
    *dot = '\0';
  name = g_strconcat (base, ".inkloop", NULL);
  dir = ink_window_save_folder (self);
  folder = g_file_new_for_path (dir);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data (G_OBJECT (chooser), "close-after", GINT_TO_POINTER (close_after));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

const char *
ink_window_get_project_path (InkWindow *self)
{
  return self->project.path;
}

/* Unsaved changes ---------------------------------------------------------------------------- */

static gboolean
close_later (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

/* The dialog closes itself after its response. */
static void
on_close_response (AdwMessageDialog *dialog, const char *response, InkWindow *self)
{
  (void) dialog;
  self->dialog = NULL;
  if (g_str_equal (response, "save"))
    {
      /* When opening another file, it opens once the save is done (on_saved). */
      gboolean close_after = self->project.open_after == NULL;
      if (self->project.path != NULL)
        ink_window_start_save (self, self->project.path, close_after, FALSE);
      else
        ink_window_save_as (self, close_after);
    }
  else if (g_str_equal (response, "discard") && self->project.open_after != NULL)
    {
      g_autofree char *path = g_steal_pointer (&self->project.open_after);
      ink_window_open_path (self, path);
    }
  else if (!g_str_equal (response, "discard"))
    g_clear_pointer (&self->project.open_after, g_free);
  else
    {
      self->project.closing = TRUE;
      /* After the dialog's response is over: it still refers to this window. */
      g_idle_add_full (G_PRIORITY_HIGH_IDLE, close_later, g_object_ref (self), g_object_unref);
    }
}

void
ink_window_ask_before_closing (InkWindow *self)
{
  const char *path = self->project.path != NULL ? self->project.path : ink_document_get_path (self->document);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->dialog));
      return;
    }
  heading = g_strdup_printf (self->project.open_after != NULL
                               ? _("Save the changes to %s before opening another file?")
                               : _("Save the changes to %s before closing?"), base);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Unsaved hints and settings are lost if you don't save them."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "discard", _("_Discard"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_response), self);
  self->dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}
