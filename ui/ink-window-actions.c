/* ink-window-actions.c: the window's actions and their keys: open, save, export (and its toast), transport, zoom, view, the panel, tools, undo and redo. */
#include "ink-config.h"

#include "ink-window-private.h"

#include <glib/gi18n.h>

#include "ink-canvas-overlay.h"
#include "ink-history.h"

/* Files -------------------------------------------------------------------------------------- */

static void
on_open_response (GtkNativeDialog *chooser, int response, InkWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        ink_window_request_open (self, path);
      else
        ink_window_show_message (self, MESSAGE_ERROR, _("Only photos, clips and projects on this computer can be opened."), NULL, NULL);
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
  static const char *const types[] = { "image/png", "image/jpeg", "image/webp", "image/tiff",
                                       "image/bmp", "image/gif", "video/*" };
  /* Clips whose type the system may not know by name. */
  static const char *const suffixes[] = { "inkloop", "mp4", "m4v", "mov", "mkv", "webm", "avi" };

  (void) action, (void) param;
  chooser = gtk_file_chooser_native_new (_("Open a Photo, Clip or Project"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Photos, video clips and projects"));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    gtk_file_filter_add_mime_type (filter, types[i]);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    gtk_file_filter_add_suffix (filter, suffixes[i]);
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
  ink_window_request_open (INK_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
save_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);

  (void) param;
  if (g_str_equal (action, "win.save") && self->project.path != NULL)
    ink_window_start_save (self, self->project.path, FALSE, FALSE);
  else
    ink_window_save_as (self, FALSE);
}

static void
restore_autosave_action (GtkWidget *widget, const char *action, GVariant *param)
{
  (void) action, (void) param;
  ink_session_restore_autosave (INK_WINDOW (widget));
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
  g_autofree char *dir = NULL, *uri = NULL, *base = NULL, *text = NULL, *escaped = NULL, *title = NULL;
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  AdwToast *toast;

  (void) dialog;
  if (!ok)
    {
      if (message != NULL)
        ink_window_show_message (self, MESSAGE_ERROR, message, NULL, NULL);
      return;
    }
  dir = g_path_get_dirname (path);
  uri = g_filename_to_uri (dir, NULL, NULL);
  base = g_path_get_basename (path);
  /* TRANSLATORS: %s is the file's name, then the export's summary */
  text = g_strdup_printf (_("Exported %s: %s"), base, message ? message : "");
  /* A toast over the window (the export window keeps the summary); its title is markup. */
  escaped = g_markup_escape_text (base, -1);
  /* TRANSLATORS: %s is the exported file's name */
  title = g_strdup_printf (_("Exported %s"), escaped);
  toast = adw_toast_new (title);
  if (uri != NULL)
    {
      adw_toast_set_button_label (toast, _("Open Folder"));
      adw_toast_set_action_name (toast, "app.open-folder");
      adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
    }
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toast_overlay), toast);
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
      g_object_add_weak_pointer (G_OBJECT (self->export_dialog), (gpointer *) &self->export_dialog);
      g_signal_connect (self->export_dialog, "finished", G_CALLBACK (on_export_finished), self);
    }
  else if (!ink_export_dialog_get_running (self->export_dialog))
    ink_export_dialog_reset (self->export_dialog);
  gtk_window_present (GTK_WINDOW (self->export_dialog));
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
  /* One view or two: the picture is fitted to what it now has. */
  ink_viewport_fit (self->viewport);
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

/* The panel: shown or hidden; where it folds over the views, this is the header's button. */
static void
toggle_panel_action (GtkWidget *widget, const char *action, GVariant *param)
{
  InkWindow *self = INK_WINDOW (widget);

  (void) action, (void) param;
  if (gtk_widget_get_visible (self->flap_button))
    adw_flap_set_reveal_flap (ADW_FLAP (self->flap), !adw_flap_get_reveal_flap (ADW_FLAP (self->flap)));
}

/* Motion tools and history ------------------------------------------------------------------- */

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
  gtk_widget_set_sensitive (self->brush_label, tool == INK_TOOL_BRUSH || tool == INK_TOOL_ERASER);
  /* Shown only while they act, so the tool bar stays short enough for a narrow window. */
  gtk_widget_set_visible (self->brush_scale, tool == INK_TOOL_BRUSH || tool == INK_TOOL_ERASER);
  gtk_widget_set_visible (self->brush_label, tool == INK_TOOL_BRUSH || tool == INK_TOOL_ERASER);
  ink_window_arrow_sync (self);
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

/* Installing --------------------------------------------------------------------------------- */

void
ink_window_actions_class_init (GtkWidgetClass *widget_class)
{
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
  gtk_widget_class_install_action (widget_class, "win.toggle-panel", NULL, toggle_panel_action);

  /* Space as a window binding (the bubble phase): a focused button or text field gets it first.
   * The frame keys are taken before any control (on_frame_key). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "win.play", NULL);
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

/* The frame keys (Left, Right, Home, End) step the loop whatever has the focus, before a focused
 * button moves the focus or a focused slider moves its value; only text fields and open menus
 * and lists keep them. */
static gboolean
on_frame_key (GtkEventControllerKey *keys, guint keyval, guint keycode, GdkModifierType state,
              InkWindow *self)
{
  const char *action;

  (void) keys, (void) keycode;
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK | GDK_SUPER_MASK))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left: action = "win.previous-frame"; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: action = "win.next-frame"; break;
    case GDK_KEY_Home: case GDK_KEY_KP_Home: action = "win.first-frame"; break;
    case GDK_KEY_End: case GDK_KEY_KP_End: action = "win.last-frame"; break;
    default: return FALSE;
    }
  for (GtkWidget *w = gtk_root_get_focus (GTK_ROOT (self)); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_EDITABLE (w) || GTK_IS_POPOVER (w))
      return FALSE;
  return gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

void
ink_window_actions_init (InkWindow *self)
{
  static const GActionEntry entries[] = {
    { "view-mode", NULL, "s", "'side'", on_view_mode_changed, { 0 } },
    { "onion-skin", NULL, NULL, "false", on_onion_changed, { 0 } },
    { "tool", NULL, "s", "'select'", on_tool_changed, { 0 } },
    { "show-hints", NULL, NULL, "true", on_show_hints_changed, { 0 } },
  };

  GtkEventController *keys = gtk_event_controller_key_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_frame_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}
