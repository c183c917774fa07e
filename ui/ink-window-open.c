/* ink-window-open.c: opening photos and projects in the background, and asking for a project's missing photo. */
#include "ink-config.h"

#include "ink-window-private.h"

#include <glib/gi18n.h>

#include "ink-history.h"

/* Photos ------------------------------------------------------------------------------------- */

static void
on_loaded (GObject *object, GAsyncResult *result, gpointer data)
{
  InkDocument *document = INK_DOCUMENT (object);
  g_autoptr (InkWindow) self = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *display = NULL;

  if (!ink_document_load_finish (document, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_object (&self->opening.cancellable);
      if (ink_document_get_source (document) != NULL)
        display = g_strdup_printf (_("%s. The photo on screen is unchanged; choose another file."), error->message);
      else
        display = g_strdup_printf (_("%s. Choose another file."), error->message);
      ink_window_show_message (self, MESSAGE_ERROR, display, NULL, NULL);
      return;
    }
  g_clear_object (&self->opening.cancellable);
  g_clear_pointer (&self->project.path, g_free);
  ink_window_show_source (self);
}

/* Projects ----------------------------------------------------------------------------------- */

typedef struct
{
  InkProject *project;
  gboolean photo_found;
} ProjectRead;

static void
project_read_free (gpointer data)
{
  ProjectRead *r = data;

  ink_project_free (&r->project);
  g_free (r);
}

static void
read_project_thread (GTask *task, gpointer object, gpointer data, GCancellable *cancellable)
{
  const char *path = data;
  GError *error = NULL;
  ProjectRead *r = g_new0 (ProjectRead, 1);

  (void) object, (void) cancellable;
  r->project = ink_project_load (path, &error);
  if (r->project == NULL)
    {
      project_read_free (r);
      g_task_return_error (task, error);
      return;
    }
  r->photo_found = r->project->source != NULL && g_file_test (r->project->source, G_FILE_TEST_IS_REGULAR);
  g_task_return_pointer (task, r, project_read_free);
}

static void
on_project_opened (GObject *object, GAsyncResult *result, gpointer data)
{
  g_autoptr (InkWindow) self = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_steal_pointer (&self->opening.path);
  gboolean relocated = self->opening.relocated;
  gboolean restoring = self->opening.restoring;

  self->opening.restoring = FALSE;
  self->opening.relocated = FALSE;
  if (!ink_document_open_project_finish (INK_DOCUMENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_object (&self->opening.cancellable);
      ink_window_show_message (self, MESSAGE_ERROR, error->message, NULL, NULL);
      return;
    }
  g_clear_object (&self->opening.cancellable);
  g_free (self->project.path);
  /* A restored autosave is new work: saving it asks for a name. */
  self->project.path = restoring ? NULL : g_steal_pointer (&path);
  if (relocated || restoring)
    ink_history_set_modified (self->history);
  ink_window_show_source (self);
}

/* Decodes PROJECT's photo (PHOTO when it was located by hand) and opens the project. */
static void
open_project_photo (InkWindow *self, InkProject *project, const char *photo, const char *path)
{
  if (self->opening.cancellable == NULL)
    self->opening.cancellable = g_cancellable_new ();
  g_free (self->opening.path);
  self->opening.path = g_strdup (path);
  self->opening.relocated = photo != NULL;
  ink_document_open_project_async (self->document, project, photo, self->opening.cancellable,
                                   on_project_opened, g_object_ref (self));
}

static void
on_locate_response (GtkNativeDialog *chooser, int response, InkWindow *self)
{
  ProjectRead *r = g_object_get_data (G_OBJECT (chooser), "project-read");
  const char *path = g_object_get_data (G_OBJECT (chooser), "project-path");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *photo = file ? g_file_get_path (file) : NULL;

      if (photo != NULL)
        {
          open_project_photo (self, g_steal_pointer (&r->project), photo, path);
          g_object_unref (chooser);
          return;
        }
    }
  g_clear_object (&self->opening.cancellable);
  self->opening.restoring = FALSE;
  g_object_unref (chooser);
}

static void
locate_photo (InkWindow *self, ProjectRead *r, const char *path)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Locate the Photo"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GFile) folder = g_file_new_for_path (dir);

  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_object_set_data_full (G_OBJECT (chooser), "project-read", r, project_read_free);
  g_object_set_data_full (G_OBJECT (chooser), "project-path", g_strdup (path), g_free);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_locate_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The dialog closes itself after its response. */
static void
on_missing_response (AdwMessageDialog *dialog, const char *response, InkWindow *self)
{
  ProjectRead *r = g_object_steal_data (G_OBJECT (dialog), "project-read");
  g_autofree char *path = g_object_steal_data (G_OBJECT (dialog), "project-path");

  self->dialog = NULL;
  if (g_str_equal (response, "locate"))
    locate_photo (self, r, path);
  else
    {
      project_read_free (r);
      g_clear_object (&self->opening.cancellable);
      self->opening.restoring = FALSE;
    }
}

/* The project's photo is not where it says: ask for it instead of failing. */
static void
ask_for_photo (InkWindow *self, ProjectRead *r, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *heading = g_strdup_printf (_("The photo of %s was not found"), base);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, NULL);

  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("It was at %s. It may have been moved or renamed: locate it to open the project."),
                                  r->project->source != NULL ? r->project->source : "?");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "locate", _("_Locate…"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "locate", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "locate");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "project-read", r);
  g_object_set_data (G_OBJECT (dialog), "project-path", g_strdup (path));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_missing_response), self);
  self->dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_project_read (GObject *object, GAsyncResult *result, gpointer data)
{
  g_autoptr (InkWindow) self = data;
  g_autoptr (GError) error = NULL;
  ProjectRead *r = g_task_propagate_pointer (G_TASK (result), &error);
  const char *path = g_task_get_task_data (G_TASK (result));

  (void) object;
  if (r == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_object (&self->opening.cancellable);
      self->opening.restoring = FALSE;
      ink_window_show_message (self, MESSAGE_ERROR, error->message, NULL, NULL);
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      project_read_free (r);
      return;
    }
  if (!r->photo_found)
    {
      ask_for_photo (self, r, path);
      return;
    }
  open_project_photo (self, g_steal_pointer (&r->project), NULL, path);
  project_read_free (r);
}

static void
open_project (InkWindow *self, const char *path)
{
  g_autoptr (GTask) task = g_task_new (NULL, self->opening.cancellable, on_project_read, g_object_ref (self));

  g_task_set_task_data (task, g_canonicalize_filename (path, NULL), g_free);
  g_task_run_in_thread (task, read_project_thread);
}

void
ink_window_open_path (InkWindow *self, const char *path)
{
  g_autofree char *lower = NULL;

  g_return_if_fail (INK_IS_WINDOW (self));
  self->opening.restoring = FALSE;
  if (self->opening.cancellable != NULL)
    g_cancellable_cancel (self->opening.cancellable);
  g_clear_object (&self->opening.cancellable);
  self->opening.cancellable = g_cancellable_new ();
  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".inkloop"))
    open_project (self, path);
  else
    ink_document_load_async (self->document, path, self->opening.cancellable, on_loaded, g_object_ref (self));
}

gboolean
ink_window_get_loading (InkWindow *self)
{
  return self->opening.cancellable != NULL;
}

void
ink_window_request_open (InkWindow *self, const char *path)
{
  if (ink_history_get_modified (self->history) && ink_document_get_source (self->document) != NULL)
    {
      g_free (self->project.open_after);
      self->project.open_after = g_strdup (path);
      ink_window_ask_before_closing (self);
      return;
    }
  ink_window_open_path (self, path);
}
