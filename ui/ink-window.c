/* ink-window.c: the main window: opens photos, wires the document to the controls, the preview worker, the views, transport and export. */
#include "ink-config.h"

#include "ink-window.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ink-application.h"
#include "ink-canvas-overlay.h"
#include "ink-history.h"
#include "ink-image-view.h"
#include "ink-loop-worker.h"
#include "ink-spinner.h"
#include "ink-viewport.h"

#define RECENT_MAX 8
#define AUTOSAVE_SECONDS 30

struct _InkWindow
{
  GtkApplicationWindow parent_instance;

  GtkWidget *header_bar;
  GtkWidget *open_button;
  GtkWidget *recent_button;
  GtkWidget *title_label;
  GtkWidget *subtitle_label;
  GtkWidget *menu_button;
  GtkWidget *export_button;
  GtkWidget *spinner;
  GtkWidget *banner_revealer;
  GtkWidget *banner;
  GtkWidget *banner_icon;
  GtkWidget *banner_label;
  GtkWidget *banner_button;
  GtkWidget *stack;
  GtkWidget *view_toolbar;
  GtkWidget *side_button;
  GtkWidget *compare_button;
  GtkWidget *info_label;
  GtkWidget *zoom_label;
  GtkWidget *views;
  GtkWidget *source_overlay;
  GtkWidget *source_view;
  GtkWidget *preview_overlay;
  GtkWidget *preview;
  GtkWidget *preview_caption;
  GtkWidget *transport;
  GtkWidget *controls;
  GtkWidget *tool_bar;
  GtkWidget *brush_scale;
  GtkWidget *source_canvas;
  GtkWidget *preview_canvas;

  GSettings *settings;
  InkDocument *document;
  InkViewport *viewport;
  InkLoopWorker *worker;
  InkExportDialog *export_dialog;
  GCancellable *load_cancellable;
  char *banner_uri;               /* what the banner's button opens, or */
  char *banner_action;            /* the action it activates */
  InkHistory *history;
  char *project_path;             /* the .inkloop file, NULL until saved or opened */
  gboolean closing;               /* the user chose to close without saving */
  gboolean restoring;             /* the project being opened is the autosave */
  char *opening_path;             /* the project being opened */
  gboolean opening_relocated;     /* ... with its photo located by hand */
  guint saving;                   /* saves in flight */
  guint autosave_id;
  guint autosave_ms;
  GtkWidget *dialog;              /* the question on screen, if any */
  char *open_after;               /* a file to open once the unsaved-changes question is answered */

  guint request_serial;
  gint64 request_time;
  double last_latency_ms;
  int preview_width, preview_height;
};

G_DEFINE_FINAL_TYPE (InkWindow, ink_window, GTK_TYPE_APPLICATION_WINDOW)

/* Messages ----------------------------------------------------------------------------------- */

typedef enum { MESSAGE_INFO, MESSAGE_ERROR } MessageKind;

/* Shows TEXT in the banner; BUTTON_LABEL and URI add a button that opens URI. */
static void
show_message (InkWindow *self, MessageKind kind, const char *text, const char *button_label,
              const char *uri)
{
  gtk_label_set_text (GTK_LABEL (self->banner_label), text);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->banner_icon),
                                kind == MESSAGE_ERROR ? "dialog-warning-symbolic"
                                                      : "emblem-ok-symbolic");
  if (kind == MESSAGE_ERROR)
    gtk_widget_add_css_class (self->banner, "error");
  else
    gtk_widget_remove_css_class (self->banner, "error");
  g_free (self->banner_uri);
  self->banner_uri = g_strdup (uri);
  g_clear_pointer (&self->banner_action, g_free);
  gtk_widget_set_visible (self->banner_button, button_label != NULL && uri != NULL);
  if (button_label != NULL)
    gtk_button_set_label (GTK_BUTTON (self->banner_button), button_label);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->banner_revealer), TRUE);
}

/* The same with a button that activates ACTION (a window action, no parameter). */
static void
show_message_action (InkWindow *self, MessageKind kind, const char *text, const char *button_label,
                     const char *action)
{
  show_message (self, kind, text, button_label, "");
  g_clear_pointer (&self->banner_uri, g_free);
  self->banner_action = g_strdup (action);
}

static void
hide_message (InkWindow *self)
{
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->banner_revealer), FALSE);
}

static void
on_banner_close_clicked (InkWindow *self)
{
  hide_message (self);
}

static void
on_banner_button_clicked (InkWindow *self)
{
  g_autofree char *action = g_strdup (self->banner_action);

  if (self->banner_uri != NULL)
    gtk_show_uri (GTK_WINDOW (self), self->banner_uri, GDK_CURRENT_TIME);
  hide_message (self);
  if (action != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

gboolean
ink_window_get_message (InkWindow *self, const char **text)
{
  if (text != NULL)
    *text = gtk_label_get_text (GTK_LABEL (self->banner_label));
  return gtk_revealer_get_reveal_child (GTK_REVEALER (self->banner_revealer));
}

/* The loop ----------------------------------------------------------------------------------- */

static void
request_loop (InkWindow *self)
{
  InkSource *source = ink_document_get_source (self->document);

  if (source == NULL)
    return;
  self->request_serial = ink_loop_worker_request (self->worker, source,
                                                  ink_document_get_project (self->document));
  self->request_time = g_get_monotonic_time ();
}

static void
on_loop_ready (InkLoopWorker *worker, guint serial, GBytes *frames, int width, int height,
               int n_frames, InkWindow *self)
{
  (void) worker;
  ink_preview_set_loop (INK_PREVIEW (self->preview), frames, width, height, n_frames, serial);
}

static void
on_source_ready (InkLoopWorker *worker, GBytes *rgba, int width, int height, InkWindow *self)
{
  (void) worker;
  self->preview_width = width;
  self->preview_height = height;
  ink_viewport_set_image_size (self->viewport, width, height);
  ink_preview_set_source (INK_PREVIEW (self->preview), rgba, width, height);
}

static void
on_loop_failed (InkLoopWorker *worker, guint serial, const char *message, InkWindow *self)
{
  g_autofree char *text = NULL;

  (void) worker, (void) serial;
  /* TRANSLATORS: %s is the engine's reason */
  text = g_strdup_printf (_("The preview could not be drawn: %s"), message);
  show_message (self, MESSAGE_ERROR, text, NULL, NULL);
}

static void
on_worker_notice (InkLoopWorker *worker, const char *notice, InkWindow *self)
{
  (void) worker;
  show_message (self, MESSAGE_INFO, notice, NULL, NULL);
}

static void
on_loop_shown (InkPreview *preview, guint serial, InkWindow *self)
{
  int n = ink_preview_get_n_frames (preview), w, h;
  g_autofree char *info = NULL;

  if (serial == self->request_serial)
    {
      self->last_latency_ms = (g_get_monotonic_time () - self->request_time) / 1000.0;
      g_debug ("loop %u on screen %.0f ms after the change (worker %.0f ms)", serial,
               self->last_latency_ms, ink_loop_worker_get_last_ms (self->worker));
    }
  ink_preview_get_size (preview, &w, &h);
  /* TRANSLATORS: preview information, as in "Preview 640 × 427 · 24 frames" */
  info = g_strdup_printf (ngettext ("Preview %d × %d · %d frame", "Preview %d × %d · %d frames", n), w, h, n);
  gtk_label_set_text (GTK_LABEL (self->info_label), info);
}

gboolean
ink_window_is_idle (InkWindow *self)
{
  return self->load_cancellable == NULL && self->saving == 0 && !ink_loop_worker_get_busy (self->worker)
         && ink_preview_get_shown_serial (INK_PREVIEW (self->preview)) == self->request_serial;
}

double
ink_window_get_last_latency_ms (InkWindow *self)
{
  return self->last_latency_ms;
}

static void
on_document_changed (InkDocument *document, guint what, const char *name, InkWindow *self)
{
  (void) document, (void) name;
  if (what & INK_CHANGE_PLAYBACK)
    ink_preview_set_fps (INK_PREVIEW (self->preview), ink_document_get_value (self->document, "fps"));
  if (what & (INK_CHANGE_SOURCE | INK_CHANGE_STYLE | INK_CHANGE_MOTION | INK_CHANGE_HINTS))
    request_loop (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", ink_document_get_source (document) != NULL);
}

/* Opening ------------------------------------------------------------------------------------ */

static GdkTexture *
texture_for (InkSource *source)
{
  const InkImage *d = source->display;
  gsize stride = (gsize) d->width * 8;
  g_autoptr (GBytes) bytes = g_bytes_new_with_free_func (d->pixels, stride * d->height,
                                                         (GDestroyNotify) ink_source_unref,
                                                         ink_source_ref (source));

  return gdk_memory_texture_new (d->width, d->height, GDK_MEMORY_R16G16B16A16, bytes, stride);
}

static int
newest_first (gconstpointer a, gconstpointer b)
{
  return g_date_time_compare (gtk_recent_info_get_modified ((GtkRecentInfo *) b),
                              gtk_recent_info_get_modified ((GtkRecentInfo *) a));
}

static void
update_recent_menu (InkWindow *self)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  GList *items = gtk_recent_manager_get_items (manager);
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autoptr (GMenu) section = g_menu_new ();
  int count = 0;

  items = g_list_sort (items, newest_first);
  for (GList *l = items; l != NULL && count < RECENT_MAX; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autofree char *path = NULL;

      if (!gtk_recent_info_has_application (info, g_get_application_name ())
          || !gtk_recent_info_is_local (info))
        continue;
      path = g_filename_from_uri (gtk_recent_info_get_uri (info), NULL, NULL);
      if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      {
        g_autoptr (GMenuItem) item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
        g_menu_item_set_action_and_target_value (item, "win.open-recent", g_variant_new_string (path));
        g_menu_append_item (section, item);
        count++;
      }
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  if (count == 0)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_("No recent photos"), NULL);
      g_menu_append_item (section, item);
    }
  g_menu_append_section (menu, _("Recent Photos"), G_MENU_MODEL (section));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->recent_button), G_MENU_MODEL (menu));
}

/* The title: the project's (or photo's) name, "• " first while there are unsaved changes. */
static void
update_title (InkWindow *self)
{
  const char *path = self->project_path != NULL ? self->project_path : ink_document_get_path (self->document);
  g_autofree char *base = NULL, *display = NULL, *label = NULL, *title = NULL;
  gboolean modified = ink_history_get_modified (self->history) && path != NULL;

  if (path == NULL)
    {
      gtk_window_set_title (GTK_WINDOW (self), "Inkloop");
      gtk_label_set_text (GTK_LABEL (self->title_label), "Inkloop");
      return;
    }
  base = g_path_get_basename (path);
  display = g_filename_display_name (base);
  label = g_strconcat (modified ? "• " : "", display, NULL);
  gtk_label_set_text (GTK_LABEL (self->title_label), label);
  /* TRANSLATORS: the window title: the photo's name and the application */
  title = g_strdup_printf (_("%s — Inkloop"), label);
  gtk_window_set_title (GTK_WINDOW (self), title);
}

/* The views and labels for the document's photo, after a photo or a project was opened. */
static void
show_source (InkWindow *self)
{
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *folder = NULL, *uri = NULL, *display = NULL;
  InkSource *source = ink_document_get_source (self->document);

  hide_message (self);
  texture = texture_for (source);
  ink_image_view_set_texture (INK_IMAGE_VIEW (self->source_view), texture);
  /* Until the worker reports the preview's size, lay the views out with the photo's shape. */
  {
    int edge = g_settings_get_int (self->settings, "preview-size");
    double s = edge / (double) MAX (source->image->width, source->image->height);
    ink_viewport_set_image_size (self->viewport, MAX (1, (int) (source->image->width * s + 0.5)),
                                 MAX (1, (int) (source->image->height * s + 0.5)));
  }
  ink_viewport_fit (self->viewport);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "editor");

  display = g_strdup_printf (_("%d × %d px"), source->image->width, source->image->height);
  gtk_label_set_text (GTK_LABEL (self->subtitle_label), display);
  gtk_widget_set_visible (self->subtitle_label, TRUE);
  update_title (self);

  folder = g_path_get_dirname (source->path);
  g_settings_set_string (self->settings, "last-folder", folder);
  uri = g_filename_to_uri (self->project_path != NULL ? self->project_path : source->path, NULL, NULL);
  if (uri != NULL)
    gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
  update_recent_menu (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", TRUE);
  if (self->export_dialog != NULL)
    ink_export_dialog_reset (self->export_dialog);
}

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
      g_clear_object (&self->load_cancellable);
      if (ink_document_get_source (document) != NULL)
        display = g_strdup_printf (_("%s. The photo on screen is unchanged; choose another file."), error->message);
      else
        display = g_strdup_printf (_("%s. Choose another file."), error->message);
      show_message (self, MESSAGE_ERROR, display, NULL, NULL);
      return;
    }
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->project_path, g_free);
  show_source (self);
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
  g_autofree char *path = g_steal_pointer (&self->opening_path);
  gboolean relocated = self->opening_relocated;
  gboolean restoring = self->restoring;

  self->restoring = FALSE;
  self->opening_relocated = FALSE;
  if (!ink_document_open_project_finish (INK_DOCUMENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_object (&self->load_cancellable);
      show_message (self, MESSAGE_ERROR, error->message, NULL, NULL);
      return;
    }
  g_clear_object (&self->load_cancellable);
  g_free (self->project_path);
  /* A restored autosave is new work: saving it asks for a name. */
  self->project_path = restoring ? NULL : g_steal_pointer (&path);
  if (relocated || restoring)
    ink_history_set_modified (self->history);
  show_source (self);
}

/* Decodes PROJECT's photo (PHOTO when it was located by hand) and opens the project. */
static void
open_project_photo (InkWindow *self, InkProject *project, const char *photo, const char *path)
{
  if (self->load_cancellable == NULL)
    self->load_cancellable = g_cancellable_new ();
  g_free (self->opening_path);
  self->opening_path = g_strdup (path);
  self->opening_relocated = photo != NULL;
  ink_document_open_project_async (self->document, project, photo, self->load_cancellable,
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
  g_clear_object (&self->load_cancellable);
  self->restoring = FALSE;
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

static void
on_missing_response (GtkDialog *dialog, int response, InkWindow *self)
{
  ProjectRead *r = g_object_steal_data (G_OBJECT (dialog), "project-read");
  g_autofree char *path = g_object_steal_data (G_OBJECT (dialog), "project-path");

  self->dialog = NULL;
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    locate_photo (self, r, path);
  else
    {
      project_read_free (r);
      g_clear_object (&self->load_cancellable);
      self->restoring = FALSE;
    }
}

/* The project's photo is not where it says: ask for it instead of failing. */
static void
ask_for_photo (InkWindow *self, ProjectRead *r, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  GtkWidget *dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                              _("The photo of %s was not found"), base);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("It was at %s. It may have been moved or renamed: locate it to open the project."),
                                            r->project->source != NULL ? r->project->source : "?");
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL, _("_Locate…"),
                          GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_object_set_data (G_OBJECT (dialog), "project-read", r);
  g_object_set_data (G_OBJECT (dialog), "project-path", g_strdup (path));
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
      g_clear_object (&self->load_cancellable);
      self->restoring = FALSE;
      show_message (self, MESSAGE_ERROR, error->message, NULL, NULL);
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
  g_autoptr (GTask) task = g_task_new (NULL, self->load_cancellable, on_project_read, g_object_ref (self));

  g_task_set_task_data (task, g_canonicalize_filename (path, NULL), g_free);
  g_task_run_in_thread (task, read_project_thread);
}

void
ink_window_open_path (InkWindow *self, const char *path)
{
  g_autofree char *lower = NULL;

  g_return_if_fail (INK_IS_WINDOW (self));
  self->restoring = FALSE;
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".inkloop"))
    open_project (self, path);
  else
    ink_document_load_async (self->document, path, self->load_cancellable, on_loaded, g_object_ref (self));
}

gboolean
ink_window_get_loading (InkWindow *self)
{
  return self->load_cancellable != NULL;
}

static void ask_before_closing (InkWindow *self);

/* Opens PATH for the user: with unsaved changes, asks first (Save, Discard, Cancel). */
static void
request_open (InkWindow *self, const char *path)
{
  if (ink_history_get_modified (self->history) && ink_document_get_source (self->document) != NULL)
    {
      g_free (self->open_after);
      self->open_after = g_strdup (path);
      ask_before_closing (self);
      return;
    }
  ink_window_open_path (self, path);
}

static void
on_open_response (GtkNativeDialog *chooser, int response, InkWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        request_open (self, path);
      else
        show_message (self, MESSAGE_ERROR, _("Only photos on this computer can be opened."), NULL, NULL);
    }
  g_object_unref (chooser);
}

static void
open_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter = gtk_file_filter_new ();
  g_autofree char *folder = g_settings_get_string (self->settings, "last-folder");
  static const char *const types[] = { "image/png", "image/jpeg", "image/webp", "image/tiff", "image/bmp" };

  (void) action, (void) param;
  chooser = gtk_file_chooser_native_new (_("Open a Photo or Project"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Photos and projects"));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    gtk_file_filter_add_mime_type (filter, types[i]);
  gtk_file_filter_add_suffix (filter, "inkloop");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  if (*folder != '\0' && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), dir, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_recent_action (GtkWidget *widget, const char *action, GVariant *param)
{
  (void) action;
  request_open (INK_WINDOW (widget), g_variant_get_string (param, NULL));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, InkWindow *self)
{
  GSList *files;

  (void) target, (void) x, (void) y;
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      if (path != NULL)
        {
          request_open (self, path);
          return TRUE;
        }
    }
  show_message (self, MESSAGE_ERROR, _("Only photos on this computer can be opened."), NULL, NULL);
  return FALSE;
}

/* Saving the project ------------------------------------------------------------------------- */

static char *
autosave_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "inkloop", "autosave.inkloop", NULL);
}

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
      g_autofree char *autosave = autosave_path ();
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
  g_autofree char *uri = g_filename_to_uri (dir, NULL, NULL), *file_uri = NULL;

  (void) data;
  self->saving--;
  if (job->autosave)
    {
      if (!g_task_propagate_boolean (G_TASK (result), &error))
        g_warning ("autosave: %s", error->message);
      return;
    }
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      show_message (self, MESSAGE_ERROR, error->message, NULL, NULL);
      g_clear_pointer (&self->open_after, g_free);   /* keep the unsaved work on screen */
      return;
    }
  g_free (self->project_path);
  self->project_path = g_strdup (job->path);
  ink_history_mark_saved (self->history, job->state);
  file_uri = g_filename_to_uri (job->path, NULL, NULL);
  if (file_uri != NULL)
    gtk_recent_manager_add_item (gtk_recent_manager_get_default (), file_uri);
  if (job->close_after)
    {
      self->closing = TRUE;
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  if (self->open_after != NULL)
    {
      g_autofree char *next = g_steal_pointer (&self->open_after);
      ink_window_open_path (self, next);
      return;
    }
  text = g_strdup_printf (_("Saved the project as %s."), base);
  show_message (self, MESSAGE_INFO, text, _("Open Folder"), uri);
  update_title (self);
}

static void
start_save (InkWindow *self, const char *path, gboolean close_after, gboolean autosave)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, on_saved, NULL);
  SaveJob *job = g_new0 (SaveJob, 1);

  job->project = ink_document_dup_project (self->document);
  job->path = g_strdup (path);
  job->state = ink_history_get_state (self->history);
  job->close_after = close_after;
  job->autosave = autosave;
  self->saving++;
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
  start_save (self, path, FALSE, FALSE);
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
        show_message (self, MESSAGE_ERROR, _("Projects can only be saved on this computer."), NULL, NULL);
      else
        {
          if (!g_str_has_suffix (path, ".inkloop"))
            {
              char *with = g_strconcat (path, ".inkloop", NULL);
              g_free (path);
              path = with;
            }
          start_save (self, path, close_after, FALSE);
          g_object_unref (chooser);
          return;
        }
    }
  /* Not saved: a file waiting to be opened after the save stays closed. */
  g_clear_pointer (&self->open_after, g_free);
  g_object_unref (chooser);
}

static void
save_as (InkWindow *self, gboolean close_after)
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
  base = g_path_get_basename (self->project_path != NULL ? self->project_path : photo);
  dot = strrchr (base, '.');
  if (dot != NULL)
    *dot = '\0';
  name = g_strconcat (base, ".inkloop", NULL);
  dir = g_path_get_dirname (self->project_path != NULL ? self->project_path : photo);
  folder = g_file_new_for_path (dir);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data (G_OBJECT (chooser), "close-after", GINT_TO_POINTER (close_after));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);

  (void) param;
  if (g_str_equal (action, "win.save") && self->project_path != NULL)
    start_save (self, self->project_path, FALSE, FALSE);
  else
    save_as (self, FALSE);
}

const char *
ink_window_get_project_path (InkWindow *self)
{
  return self->project_path;
}

/* Autosave ----------------------------------------------------------------------------------- */

static gboolean
autosave_timeout (gpointer data)
{
  InkWindow *self = data;
  g_autofree char *path = autosave_path ();

  self->autosave_id = 0;
  if (ink_history_get_modified (self->history) && ink_document_get_source (self->document) != NULL)
    start_save (self, path, FALSE, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_history_changed (InkHistory *history, InkWindow *self)
{
  gboolean modified = ink_history_get_modified (history);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", ink_history_can_undo (history));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo", ink_history_can_redo (history));
  update_title (self);
  if (modified && self->autosave_id == 0 && ink_document_get_source (self->document) != NULL)
    self->autosave_id = g_timeout_add (self->autosave_ms, autosave_timeout, self);
}

void
ink_window_set_autosave_interval (InkWindow *self, guint ms)
{
  self->autosave_ms = MAX (ms, 1);
}

static void
restore_autosave_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);
  g_autofree char *path = autosave_path ();

  (void) action, (void) param;
  ink_window_open_path (self, path);
  self->restoring = TRUE;
}

static void
autosave_exists_thread (GTask *task, gpointer object, gpointer data, GCancellable *cancellable)
{
  g_autofree char *path = autosave_path ();

  (void) object, (void) data, (void) cancellable;
  g_task_return_boolean (task, g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static void
on_autosave_checked (GObject *object, GAsyncResult *result, gpointer data)
{
  InkWindow *self = INK_WINDOW (object);

  (void) data;
  if (g_task_propagate_boolean (G_TASK (result), NULL) && ink_document_get_source (self->document) == NULL
      && self->load_cancellable == NULL)
    show_message_action (self, MESSAGE_INFO,
                         _("Inkloop did not close properly last time. Your unsaved project can be restored."),
                         _("_Restore"), "win.restore-autosave");
}

void
ink_window_offer_restore (InkWindow *self)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, on_autosave_checked, NULL);

  g_task_run_in_thread (task, autosave_exists_thread);
}

/* Export ------------------------------------------------------------------------------------- */

static void
on_notification_server (GObject *object, GAsyncResult *result, gpointer data)
{
  g_autoptr (GNotification) notification = data;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  gboolean has_owner = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  if (has_owner)
    g_application_send_notification (g_object_get_data (G_OBJECT (notification), "ink-app"),
                                     "export-done", notification);
}

static void
on_export_finished (InkExportDialog *dialog, gboolean ok, const char *path, const char *message,
                    InkWindow *self)
{
  g_autofree char *dir = NULL, *uri = NULL, *base = NULL, *text = NULL;
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  (void) dialog;
  if (!ok)
    {
      if (message != NULL)
        show_message (self, MESSAGE_ERROR, message, NULL, NULL);
      return;
    }
  dir = g_path_get_dirname (path);
  uri = g_filename_to_uri (dir, NULL, NULL);
  base = g_path_get_basename (path);
  /* TRANSLATORS: %s is the file's name, then the export's summary */
  text = g_strdup_printf (_("Exported %s: %s"), base, message ? message : "");
  show_message (self, MESSAGE_INFO, text, _("Open Folder"), uri);
  /* A desktop notification too, for when the window is in the background. */
  if (app != NULL && g_application_get_dbus_connection (app) != NULL && uri != NULL
      && !gtk_window_is_active (GTK_WINDOW (self)))
    {
      GNotification *notification = g_notification_new (_("Loop exported"));

      g_notification_set_body (notification, text);
      g_notification_add_button_with_target_value (notification, _("Open Folder"), "app.open-folder",
                                                   g_variant_new_string (uri));
      g_object_set_data_full (G_OBJECT (notification), "ink-app", g_object_ref (app), g_object_unref);
      /* Only where a notification server runs (asking is asynchronous). */
      g_dbus_connection_call (g_application_get_dbus_connection (app), "org.freedesktop.DBus",
                              "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                              g_variant_new ("(s)", "org.freedesktop.Notifications"),
                              G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                              on_notification_server, notification);
    }
}

static void
export_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);
  g_autofree char *device = g_settings_get_string (self->settings, "device");

  (void) action, (void) param;
  if (ink_document_get_source (self->document) == NULL)
    return;
  if (self->export_dialog == NULL)
    {
      self->export_dialog = ink_export_dialog_new (GTK_WINDOW (self), self->document, self->settings, device);
      g_signal_connect (self->export_dialog, "finished", G_CALLBACK (on_export_finished), self);
    }
  else if (!ink_export_dialog_get_running (self->export_dialog))
    ink_export_dialog_reset (self->export_dialog);
  gtk_window_present (GTK_WINDOW (self->export_dialog));
}

InkExportDialog *
ink_window_get_export_dialog (InkWindow *self)
{
  return self->export_dialog;
}

/* Transport and view actions ----------------------------------------------------------------- */

static void
play_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkPreview *preview = INK_PREVIEW (INK_WINDOW (widget)->preview);

  (void) action, (void) param;
  ink_preview_set_playing (preview, !ink_preview_get_playing (preview));
}

static void
step_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkPreview *preview = INK_PREVIEW (INK_WINDOW (widget)->preview);
  int n = ink_preview_get_n_frames (preview);

  (void) param;
  if (g_str_equal (action, "win.previous-frame"))
    ink_preview_step (preview, -1);
  else if (g_str_equal (action, "win.next-frame"))
    ink_preview_step (preview, 1);
  else
    {
      ink_preview_set_playing (preview, FALSE);
      ink_preview_set_frame (preview, g_str_equal (action, "win.first-frame") ? 0 : n - 1);
    }
}

static void
update_zoom_label (InkWindow *self)
{
  double w = gtk_widget_get_width (self->preview), h = gtk_widget_get_height (self->preview);
  g_autofree char *text = g_strdup_printf ("%.0f %%", 100 * ink_viewport_get_effective_scale (self->viewport, w, h));

  gtk_label_set_text (GTK_LABEL (self->zoom_label), text);
}

static void
zoom_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);
  double w = gtk_widget_get_width (self->preview), h = gtk_widget_get_height (self->preview);

  (void) param;
  if (g_str_equal (action, "win.zoom-fit"))
    ink_viewport_fit (self->viewport);
  else if (g_str_equal (action, "win.zoom-100"))
    ink_viewport_set_scale (self->viewport, 1.0);
  else
    ink_viewport_zoom_at (self->viewport, g_str_equal (action, "win.zoom-in") ? 1.25 : 0.8, w, h,
                          w / 2, h / 2);
}

static void
set_view_mode (InkWindow *self, const char *mode)
{
  gboolean compare = g_str_equal (mode, "compare");

  gtk_widget_set_visible (self->source_overlay, !compare);
  /* The split line is dragged on the loop view itself; hints are edited on the photo view. */
  gtk_widget_set_can_target (self->preview_canvas, !compare);
  ink_preview_set_compare (INK_PREVIEW (self->preview), compare);
  gtk_label_set_text (GTK_LABEL (self->preview_caption), compare ? _("Photo | Loop") : _("Loop"));
}

static void
on_view_mode_changed (GSimpleAction *action, GVariant *state, gpointer data)
{
  g_simple_action_set_state (action, state);
  set_view_mode (INK_WINDOW (data), g_variant_get_string (state, NULL));
}

static void
on_onion_changed (GSimpleAction *action, GVariant *state, gpointer data)
{
  g_simple_action_set_state (action, state);
  ink_preview_set_onion_skin (INK_PREVIEW (INK_WINDOW (data)->preview), g_variant_get_boolean (state));
}

/* Motion tools and history ------------------------------------------------------------------ */

static void
on_tool_changed (GSimpleAction *action, GVariant *state, gpointer data)
{
  InkWindow *self = INK_WINDOW (data);
  int tool = ink_tool_from_string (g_variant_get_string (state, NULL));

  if (tool < 0)
    return;
  g_simple_action_set_state (action, state);
  ink_canvas_overlay_set_tool (INK_CANVAS_OVERLAY (self->source_canvas), tool);
  ink_canvas_overlay_set_tool (INK_CANVAS_OVERLAY (self->preview_canvas), tool);
  gtk_widget_set_sensitive (self->brush_scale, tool == INK_TOOL_BRUSH || tool == INK_TOOL_ERASER);
}

static void
on_show_hints_changed (GSimpleAction *action, GVariant *state, gpointer data)
{
  InkWindow *self = INK_WINDOW (data);

  g_simple_action_set_state (action, state);
  ink_canvas_overlay_set_show_hints (INK_CANVAS_OVERLAY (self->source_canvas), g_variant_get_boolean (state));
  ink_canvas_overlay_set_show_hints (INK_CANVAS_OVERLAY (self->preview_canvas), g_variant_get_boolean (state));
}

static void
on_brush_scale_changed (GtkRange *range, InkWindow *self)
{
  double size = gtk_range_get_value (range);

  ink_canvas_overlay_set_brush_size (INK_CANVAS_OVERLAY (self->source_canvas), size);
  ink_canvas_overlay_set_brush_size (INK_CANVAS_OVERLAY (self->preview_canvas), size);
}

static void
brush_size_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);
  double size = gtk_range_get_value (GTK_RANGE (self->brush_scale));

  (void) param;
  size = g_str_equal (action, "win.brush-larger") ? size * 1.25 : size / 1.25;
  gtk_range_set_value (GTK_RANGE (self->brush_scale), CLAMP (round (size), INK_BRUSH_MIN, INK_BRUSH_MAX));
}

static void
delete_hint_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);

  (void) action, (void) param;
  if (!ink_canvas_overlay_delete_selection (INK_CANVAS_OVERLAY (self->source_canvas)))
    ink_canvas_overlay_delete_selection (INK_CANVAS_OVERLAY (self->preview_canvas));
}

static void
history_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);

  (void) param;
  if (g_str_equal (action, "win.undo"))
    ink_history_undo (self->history);
  else
    ink_history_redo (self->history);
}

static void
on_canvas_notice (InkCanvasOverlay *canvas, const char *text, InkWindow *self)
{
  (void) canvas;
  show_message (self, MESSAGE_ERROR, text, NULL, NULL);
}

InkHistory *
ink_window_get_history (InkWindow *self)
{
  return self->history;
}

InkCanvasOverlay *
ink_window_get_canvas (InkWindow *self)
{
  return INK_CANVAS_OVERLAY (self->source_canvas);
}

GtkWidget *
ink_window_get_dialog (InkWindow *self)
{
  return self->dialog;
}

/* Settings ----------------------------------------------------------------------------------- */

static void
on_preview_settings_changed (GSettings *settings, const char *key, InkWindow *self)
{
  g_autofree char *device = g_settings_get_string (settings, "device");

  (void) key;
  ink_loop_worker_set_preview_size (self->worker, g_settings_get_int (settings, "preview-size"));
  ink_loop_worker_set_device (self->worker, device);
  request_loop (self);
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

static gboolean
close_later (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
on_close_response (GtkDialog *dialog, int response, InkWindow *self)
{
  self->dialog = NULL;
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    {
      /* When opening another file, it opens once the save is done (on_saved). */
      gboolean close_after = self->open_after == NULL;
      if (self->project_path != NULL)
        start_save (self, self->project_path, close_after, FALSE);
      else
        save_as (self, close_after);
    }
  else if (response == GTK_RESPONSE_REJECT && self->open_after != NULL)
    {
      g_autofree char *path = g_steal_pointer (&self->open_after);
      ink_window_open_path (self, path);
    }
  else if (response != GTK_RESPONSE_REJECT)
    g_clear_pointer (&self->open_after, g_free);
  else
    {
      self->closing = TRUE;
      /* After the dialog's response is over: it still refers to this window. */
      g_idle_add_full (G_PRIORITY_HIGH_IDLE, close_later, g_object_ref (self), g_object_unref);
    }
}

/* Unsaved changes: Save, Discard or Cancel. */
static void
ask_before_closing (InkWindow *self)
{
  const char *path = self->project_path != NULL ? self->project_path : ink_document_get_path (self->document);
  g_autofree char *base = g_path_get_basename (path);
  GtkWidget *dialog, *discard;

  if (self->dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->dialog));
      return;
    }
  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   self->open_after != NULL
                                     ? _("Save the changes to %s before opening another file?")
                                     : _("Save the changes to %s before closing?"), base);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("Unsaved hints and settings are lost if you don't save them."));
  discard = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Discard"), GTK_RESPONSE_REJECT);
  gtk_widget_add_css_class (discard, "destructive-action");
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  gtk_widget_add_css_class (gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Save"), GTK_RESPONSE_ACCEPT),
                            "suggested-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_response), self);
  self->dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
ink_window_close_request (GtkWindow *window)
{
  InkWindow *self = INK_WINDOW (window);

  if (!self->closing && ink_history_get_modified (self->history)
      && ink_document_get_source (self->document) != NULL)
    {
      ask_before_closing (self);
      return TRUE;
    }
  /* Closed on purpose: nothing to restore next time. */
  {
    g_autofree char *path = autosave_path ();
    g_autoptr (GFile) file = g_file_new_for_path (path);
    g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  }
  if (self->autosave_id != 0)
    g_source_remove (self->autosave_id);
  self->autosave_id = 0;
  save_state (self);
  if (self->export_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->export_dialog));
  return GTK_WINDOW_CLASS (ink_window_parent_class)->close_request (window);
}

/* GObject ------------------------------------------------------------------------------------ */

static void
ink_window_dispose (GObject *object)
{
  InkWindow *self = INK_WINDOW (object);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->worker != NULL)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_clear_object (&self->worker);
  if (self->autosave_id != 0)
    g_source_remove (self->autosave_id);
  self->autosave_id = 0;
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->export_dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->export_dialog, self);
      gtk_window_destroy (GTK_WINDOW (self->export_dialog));
      self->export_dialog = NULL;
    }
  g_clear_object (&self->document);
  g_clear_object (&self->viewport);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (ink_window_parent_class)->dispose (object);
}

static void
ink_window_finalize (GObject *object)
{
  InkWindow *self = INK_WINDOW (object);

  g_free (self->banner_uri);
  g_free (self->banner_action);
  g_free (self->project_path);
  g_free (self->open_after);
  g_free (self->opening_path);
  G_OBJECT_CLASS (ink_window_parent_class)->finalize (object);
}

static void
ink_window_class_init (InkWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = ink_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = ink_window_close_request;

  g_type_ensure (INK_TYPE_IMAGE_VIEW);
  g_type_ensure (INK_TYPE_SPINNER);
  g_type_ensure (INK_TYPE_PREVIEW);
  g_type_ensure (INK_TYPE_TRANSPORT);
  g_type_ensure (INK_TYPE_CONTROLS);
  g_type_ensure (INK_TYPE_CANVAS_OVERLAY);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/inkloop/Inkloop/ink-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, InkWindow, name)
  BIND (header_bar);
  BIND (open_button);
  BIND (recent_button);
  BIND (title_label);
  BIND (subtitle_label);
  BIND (menu_button);
  BIND (export_button);
  BIND (spinner);
  BIND (banner_revealer);
  BIND (banner);
  BIND (banner_icon);
  BIND (banner_label);
  BIND (banner_button);
  BIND (stack);
  BIND (view_toolbar);
  BIND (side_button);
  BIND (compare_button);
  BIND (info_label);
  BIND (zoom_label);
  BIND (views);
  BIND (source_overlay);
  BIND (source_view);
  BIND (preview_overlay);
  BIND (preview);
  BIND (preview_caption);
  BIND (transport);
  BIND (controls);
  BIND (tool_bar);
  BIND (brush_scale);
  BIND (source_canvas);
  BIND (preview_canvas);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_banner_close_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_brush_scale_changed);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "win.brush-smaller", NULL, brush_size_action);
  gtk_widget_class_install_action (widget_class, "win.brush-larger", NULL, brush_size_action);
  gtk_widget_class_install_action (widget_class, "win.delete-hint", NULL, delete_hint_action);
  gtk_widget_class_install_action (widget_class, "win.restore-autosave", NULL, restore_autosave_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.play", NULL, play_action);
  gtk_widget_class_install_action (widget_class, "win.previous-frame", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.next-frame", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.first-frame", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.last-frame", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-100", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);

  /* Transport keys as window bindings (the bubble phase): a focused slider or text field gets
   * its own arrow keys and Space first. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "win.play", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "win.previous-frame", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "win.next-frame", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "win.first-frame", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "win.last-frame", NULL);
  /* Single keys for the tools, as bindings too: a focused text field keeps its letters. */
  {
    static const struct { guint key; const char *tool; } tool_keys[] = {
      { GDK_KEY_v, "select" }, { GDK_KEY_a, "arrow" }, { GDK_KEY_n, "anchor" },
      { GDK_KEY_b, "brush" }, { GDK_KEY_e, "eraser" }, { GDK_KEY_f, "focus" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (tool_keys); i++)
      gtk_widget_class_add_binding_action (widget_class, tool_keys[i].key, 0, "win.tool", "s", tool_keys[i].tool);
  }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, 0, "win.show-hints", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketleft, 0, "win.brush-smaller", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketright, 0, "win.brush-larger", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete-hint", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "win.delete-hint", NULL);
}

static void
on_viewport_changed (InkViewport *viewport, InkWindow *self)
{
  (void) viewport;
  update_zoom_label (self);
}

static void
on_preview_resized (GtkGLArea *area, int width, int height, InkWindow *self)
{
  (void) area, (void) width, (void) height;
  update_zoom_label (self);
}

static void
ink_window_init (InkWindow *self)
{
  static const GActionEntry entries[] = {
    { "view-mode", NULL, "s", "'side'", on_view_mode_changed, { 0 } },
    { "onion-skin", NULL, NULL, "false", on_onion_changed, { 0 } },
    { "tool", NULL, "s", "'select'", on_tool_changed, { 0 } },
    { "show-hints", NULL, NULL, "true", on_show_hints_changed, { 0 } },
  };
  GtkDropTarget *drop;
  g_autofree char *device = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);

  self->settings = ink_application_new_settings ();
  self->document = ink_document_new ();
  self->viewport = ink_viewport_new ();
  self->worker = ink_loop_worker_new ();
  self->autosave_ms = AUTOSAVE_SECONDS * 1000;
  device = g_settings_get_string (self->settings, "device");
  ink_loop_worker_set_preview_size (self->worker, g_settings_get_int (self->settings, "preview-size"));
  ink_loop_worker_set_device (self->worker, device);

  ink_image_view_set_viewport (INK_IMAGE_VIEW (self->source_view), self->viewport);
  ink_preview_set_viewport (INK_PREVIEW (self->preview), self->viewport);
  ink_transport_set_preview (INK_TRANSPORT (self->transport), INK_PREVIEW (self->preview));
  ink_controls_set_document (INK_CONTROLS (self->controls), self->document);
  g_signal_connect (self->source_canvas, "notice", G_CALLBACK (on_canvas_notice), self);
  g_signal_connect (self->preview_canvas, "notice", G_CALLBACK (on_canvas_notice), self);

  g_signal_connect (self->document, "changed", G_CALLBACK (on_document_changed), self);
  g_signal_connect (self->worker, "loop-ready", G_CALLBACK (on_loop_ready), self);
  g_signal_connect (self->worker, "source-ready", G_CALLBACK (on_source_ready), self);
  g_signal_connect (self->worker, "failed", G_CALLBACK (on_loop_failed), self);
  g_signal_connect (self->worker, "notice", G_CALLBACK (on_worker_notice), self);
  g_object_bind_property (self->worker, "busy", self->spinner, "spinning", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->worker, "busy", self->spinner, "visible", G_BINDING_SYNC_CREATE);
  g_signal_connect (self->preview, "loop-shown", G_CALLBACK (on_loop_shown), self);
  g_signal_connect (self->viewport, "changed", G_CALLBACK (on_viewport_changed), self);
  g_signal_connect (self->preview, "resize", G_CALLBACK (on_preview_resized), self);
  g_signal_connect (self->settings, "changed::preview-size", G_CALLBACK (on_preview_settings_changed), self);
  g_signal_connect (self->settings, "changed::device", G_CALLBACK (on_preview_settings_changed), self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* The last parameters; then the document drives everything. */
  {
    g_autofree char *preset = g_settings_get_string (self->settings, "preset");
    g_auto (GStrv) style = g_settings_get_strv (self->settings, "style");
    g_auto (GStrv) motion = g_settings_get_strv (self->settings, "motion");
    ink_document_restore_settings (self->document, preset, (const char *const *) style,
                                   (const char *const *) motion);
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", FALSE);
  /* The saved settings are where a new document starts, not an edit to undo. */
  self->history = ink_history_new (self->document);
  ink_canvas_overlay_set_document (INK_CANVAS_OVERLAY (self->source_canvas), self->document, self->history, self->viewport);
  ink_canvas_overlay_set_document (INK_CANVAS_OVERLAY (self->preview_canvas), self->document, self->history, self->viewport);
  g_signal_connect (self->history, "changed", G_CALLBACK (on_history_changed), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo", FALSE);
  gtk_widget_set_sensitive (self->brush_scale, FALSE);
  update_recent_menu (self);
  update_zoom_label (self);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
  {
    static gboolean offered;
    /* Once per run: the first window offers what a crash left behind. */
    if (!offered)
      {
        offered = TRUE;
        ink_window_offer_restore (self);
      }
  }
}

InkWindow *
ink_window_new (GtkApplication *application)
{
  return g_object_new (INK_TYPE_WINDOW, "application", application, NULL);
}

InkDocument *
ink_window_get_document (InkWindow *self)
{
  return self->document;
}

InkPreview *
ink_window_get_preview (InkWindow *self)
{
  return INK_PREVIEW (self->preview);
}

InkControls *
ink_window_get_controls (InkWindow *self)
{
  return INK_CONTROLS (self->controls);
}

InkTransport *
ink_window_get_transport (InkWindow *self)
{
  return INK_TRANSPORT (self->transport);
}
