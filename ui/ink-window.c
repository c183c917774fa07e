/* ink-window.c: the main window: its widgets, the banner, the title, the folding panel, and the views that show the document's photo and loop. */
#include "ink-config.h"

#include "ink-window-private.h"

#include "ink-clip-bar.h"

#include <glib/gi18n.h>

#include "ink-application.h"
#include "ink-canvas-overlay.h"
#include "ink-history.h"
#include "ink-image-view.h"
#include "ink-spinner.h"

G_DEFINE_FINAL_TYPE (InkWindow, ink_window, ADW_TYPE_APPLICATION_WINDOW)

/* Messages ----------------------------------------------------------------------------------- */

void
ink_window_show_message (InkWindow *self, MessageKind kind, const char *text, const char *button_label,
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

void
ink_window_show_message_action (InkWindow *self, MessageKind kind, const char *text,
                                const char *button_label, const char *action)
{
  ink_window_show_message (self, kind, text, button_label, "");
  g_clear_pointer (&self->banner_uri, g_free);
  self->banner_action = g_strdup (action);
}

void
ink_window_hide_message (InkWindow *self)
{
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->banner_revealer), FALSE);
}

static void
on_banner_close_clicked (InkWindow *self)
{
  ink_window_hide_message (self);
}

static void
on_banner_button_clicked (InkWindow *self)
{
  g_autofree char *action = g_strdup (self->banner_action);

  if (self->banner_uri != NULL)
    gtk_show_uri (GTK_WINDOW (self), self->banner_uri, GDK_CURRENT_TIME);
  ink_window_hide_message (self);
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

static gboolean on_settled (gpointer data);

/* Asks for a draft (DRAFT) or the whole loop; a whole loop that restyles (RESTYLE) comes after a
 * draft of the frame on screen, made at once, so the new look shows within a fraction of a
 * second and the loop's frames follow. */
static void
request_loop_as (InkWindow *self, gboolean draft, gboolean restyle)
{
  InkSource *source = self->document != NULL ? ink_document_get_source (self->document) : NULL;
  const InkProject *project;

  if (source == NULL)
    return;
  project = ink_document_get_project (self->document);
  /* A clip's frames come in order from its palette: neither drafts nor a lead draft. */
  if (ink_document_get_clip (self->document) != NULL)
    draft = restyle = FALSE;
  self->draft_requested = draft;
  self->lead_serial = restyle && !draft ? ink_loop_worker_request (self->worker, source, project, TRUE) : 0;
  self->request_serial = ink_loop_worker_request (self->worker, source, project, draft);
  self->request_time = g_get_monotonic_time ();
  self->first_frame_pending = TRUE;
  /* A slider held still for a moment gets its whole loop, released or not. */
  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (draft)
    self->settle_id = g_timeout_add (INK_WINDOW_SETTLE_MS, on_settled, self);
}

/* While a slider is dragged, each change is a draft: one frame at a small size, at once. */
static void
request_loop (InkWindow *self, gboolean restyle)
{
  request_loop_as (self, ink_controls_get_adjusting (INK_CONTROLS (self->controls)), restyle);
}

/* The whole loop for the last draft's values, at once. */
static void
finish_draft (InkWindow *self)
{
  if (!self->draft_requested || self->worker == NULL)
    return;
  request_loop_as (self, FALSE, FALSE);   /* the draft on screen has the new look */
  ink_loop_worker_start_now (self->worker);
}

static gboolean
on_settled (gpointer data)
{
  InkWindow *self = data;

  self->settle_id = 0;
  finish_draft (self);
  return G_SOURCE_REMOVE;
}

static void
on_adjusting_changed (InkControls *controls, GParamSpec *pspec, InkWindow *self)
{
  (void) pspec;
  if (!ink_controls_get_adjusting (controls))
    finish_draft (self);   /* released */
}

static void
on_frames_ready (InkLoopWorker *worker, guint serial, GBytes *frames, int width, int height,
                 int n_frames, int first, int count, InkWindow *self)
{
  (void) worker;
  ink_preview_add_frames (INK_PREVIEW (self->preview), serial, frames, width, height, n_frames,
                          first, count);
}

static void
on_preview_frame (InkPreview *preview, GParamSpec *pspec, InkWindow *self)
{
  (void) pspec;
  if (self->worker != NULL)
    ink_loop_worker_set_playhead (self->worker, ink_preview_get_frame (preview));
}

static void
on_first_frame_shown (InkPreview *preview, guint serial, InkWindow *self)
{
  (void) preview;
  /* The change's first frame on screen: its lead draft's, or its loop's. */
  if (self->first_frame_pending && (serial == self->request_serial || serial == self->lead_serial))
    {
      self->first_frame_pending = FALSE;
      self->last_first_frame_ms = (g_get_monotonic_time () - self->request_time) / 1000.0;
      g_debug ("loop %u: first frame on screen %.0f ms after the change", serial,
               self->last_first_frame_ms);
    }
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
  ink_window_show_message (self, MESSAGE_ERROR, text, NULL, NULL);
}

static void
on_worker_notice (InkLoopWorker *worker, const char *notice, InkWindow *self)
{
  (void) worker;
  ink_window_show_message (self, MESSAGE_INFO, notice, NULL, NULL);
}

static void
on_loop_shown (InkPreview *preview, guint serial, InkWindow *self)
{
  int n = ink_preview_get_n_frames (preview), w, h;
  g_autofree char *info = NULL;

  if (serial == self->request_serial && serial != self->latency_serial)
    {
      self->latency_serial = serial;
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
  return self->opening.cancellable == NULL && self->project.saving == 0 && !ink_loop_worker_get_busy (self->worker)
         && ink_preview_get_shown_serial (INK_PREVIEW (self->preview)) == self->request_serial;
}

double
ink_window_get_last_latency_ms (InkWindow *self)
{
  return self->last_latency_ms;
}

double
ink_window_get_last_first_frame_ms (InkWindow *self)
{
  return self->last_first_frame_ms;
}

GtkWidget *
ink_window_get_clip_bar (InkWindow *self)
{
  return self->clip_bar;
}

gboolean
ink_window_get_request_is_draft (InkWindow *self)
{
  return self->draft_requested;
}

guint
ink_window_get_request_serial (InkWindow *self)
{
  return self->request_serial;
}

/* The rate the preview plays at: the loop's, or the rate a clip's part is previewed at. */
static double
preview_fps (InkWindow *self)
{
  const InkClipRange *range = ink_document_get_clip (self->document);
  InkSource *source = ink_document_get_source (self->document);

  if (range != NULL)
    return ink_loop_worker_clip_fps (range, source->clip_fps, source->clip_seconds);
  return ink_document_get_value (self->document, "fps");
}

/* A clip has the clip bar where a photo has its motion tools (which act on a still). */
static void
show_clip_tools (InkWindow *self)
{
  gboolean clip = ink_document_get_clip (self->document) != NULL;
  GtkWidget *tools = gtk_widget_get_ancestor (self->tool_bar, GTK_TYPE_SCROLLED_WINDOW);

  gtk_widget_set_visible (tools, !clip);
  gtk_widget_set_visible (self->clip_bar, clip);
  gtk_widget_set_sensitive (self->preview_canvas, !clip);
  gtk_widget_set_sensitive (self->source_canvas, !clip);
  if (clip)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.tool", "s", "select");
}

static void
on_source_frame (InkClipBar *bar, GdkTexture *texture, InkWindow *self)
{
  (void) bar;
  ink_image_view_set_texture (INK_IMAGE_VIEW (self->source_view), texture);
}

static void
on_document_changed (InkDocument *document, guint what, const char *name, InkWindow *self)
{
  (void) document, (void) name;
  if (what & (INK_CHANGE_PLAYBACK | INK_CHANGE_SOURCE | INK_CHANGE_CLIP))
    ink_preview_set_fps (INK_PREVIEW (self->preview), preview_fps (self));
  if (what & (INK_CHANGE_SOURCE | INK_CHANGE_CLIP))
    show_clip_tools (self);
  if (what & (INK_CHANGE_SOURCE | INK_CHANGE_STYLE | INK_CHANGE_MOTION | INK_CHANGE_HINTS | INK_CHANGE_CLIP))
    request_loop (self, (what & (INK_CHANGE_SOURCE | INK_CHANGE_STYLE | INK_CHANGE_PRESET)) != 0);
  if (what & (INK_CHANGE_SOURCE | INK_CHANGE_MOTION | INK_CHANGE_HINTS))
    ink_window_arrow_sync (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", ink_document_get_source (document) != NULL);
}

/* The photo, the title and history ----------------------------------------------------------- */

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

void
ink_window_update_title (InkWindow *self)
{
  const char *path = self->project.path != NULL ? self->project.path : ink_document_get_path (self->document);
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

/* Side by side, or the photo above the loop: whichever shows the picture larger in the views'
 * space (a wide window and a landscape photo stack, so the views are not half black). A margin
 * keeps the choice from flipping back and forth near the balance. Runs once, on the frame after
 * the window's size or the picture's shape changed (arrange_soon); a change of layout fits the
 * picture again on the frame after that. */
static gboolean
arrange_views (GtkWidget *views, GdkFrameClock *clock, gpointer data)
{
  InkWindow *self = data;
  int w = gtk_widget_get_width (views), h = gtk_widget_get_height (views), iw, ih;
  GtkOrientation now = gtk_orientable_get_orientation (GTK_ORIENTABLE (views)), want;
  double side, stacked;

  (void) clock;
  if (self->refit_views)
    {
      self->refit_views = FALSE;
      ink_viewport_fit (self->viewport);
    }
  ink_viewport_get_image_size (self->viewport, &iw, &ih);
  if (w <= 0 || h <= 0 || iw <= 0 || ih <= 0)
    {
      self->arrange_id = 0;
      return G_SOURCE_REMOVE;
    }
  side = MIN (w / 2.0 / iw, (double) h / ih);
  stacked = MIN ((double) w / iw, h / 2.0 / ih);
  if (now == GTK_ORIENTATION_HORIZONTAL)
    want = stacked > 1.05 * side ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL;
  else
    want = side > 1.05 * stacked ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL;
  if (want != now)
    {
      gtk_orientable_set_orientation (GTK_ORIENTABLE (views), want);
      self->refit_views = TRUE;
      return G_SOURCE_CONTINUE;   /* once more, to fit */
    }
  self->arrange_id = 0;
  return G_SOURCE_REMOVE;
}

static void
arrange_soon (InkWindow *self)
{
  if (self->arrange_id == 0)
    self->arrange_id = gtk_widget_add_tick_callback (self->views, arrange_views, self, NULL);
}

static void
on_surface_layout (GdkSurface *surface, int width, int height, InkWindow *self)
{
  (void) surface, (void) width, (void) height;
  arrange_soon (self);
}

static void
on_realize_arrange (GtkWidget *widget, InkWindow *self)
{
  (void) widget;
  g_signal_connect_object (gtk_native_get_surface (GTK_NATIVE (self)), "layout",
                           G_CALLBACK (on_surface_layout), self, 0);
}


InkViewport *
ink_window_get_viewport (InkWindow *self)
{
  return self->viewport;
}

GtkOrientation
ink_window_get_views_orientation (InkWindow *self)
{
  return gtk_orientable_get_orientation (GTK_ORIENTABLE (self->views));
}

void
ink_window_show_source (InkWindow *self)
{
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *display = NULL;
  InkSource *source = ink_document_get_source (self->document);

  ink_window_hide_message (self);
  /* The last photo's loop is not this one's: nothing (rather than it stretched to the new shape)
   * until the new loop arrives, and the preview's line says so. */
  ink_preview_clear (INK_PREVIEW (self->preview));
  gtk_label_set_text (GTK_LABEL (self->info_label), _("Making the loop…"));
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
  gtk_widget_set_visible (self->flap_button, TRUE);

  display = g_strdup_printf (_("%d × %d px"), source->image->width, source->image->height);
  gtk_label_set_text (GTK_LABEL (self->subtitle_label), display);
  gtk_widget_set_visible (self->subtitle_label, TRUE);
  ink_window_update_title (self);

  ink_session_note_opened (self, source->path, self->project.path != NULL ? self->project.path : source->path);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", TRUE);
  if (self->export_dialog != NULL)
    ink_export_dialog_reset (self->export_dialog);
}

static void
on_history_changed (InkHistory *history, InkWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", ink_history_can_undo (history));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo", ink_history_can_redo (history));
  ink_window_update_title (self);
  ink_session_schedule_autosave (self);
}

/* Zoom label, brush size, canvas notices and getters ----------------------------------------- */

static void
update_zoom_label (InkWindow *self)
{
  double w = gtk_widget_get_width (self->preview), h = gtk_widget_get_height (self->preview);
  g_autofree char *text = g_strdup_printf ("%.0f %%", 100 * ink_viewport_get_effective_scale (self->viewport, w, h));

  gtk_label_set_text (GTK_LABEL (self->zoom_label), text);
}

static void
on_brush_scale_changed (GtkRange *range, InkWindow *self)
{
  double size = gtk_range_get_value (range);

  ink_canvas_overlay_set_brush_size (INK_CANVAS_OVERLAY (self->source_canvas), size);
  ink_canvas_overlay_set_brush_size (INK_CANVAS_OVERLAY (self->preview_canvas), size);
}

static void
on_canvas_notice (InkCanvasOverlay *canvas, const char *text, InkWindow *self)
{
  (void) canvas;
  ink_window_show_message (self, MESSAGE_ERROR, text, NULL, NULL);
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

InkExportDialog *
ink_window_get_export_dialog (InkWindow *self)
{
  return self->export_dialog;
}

/* Settings and closing ----------------------------------------------------------------------- */

static void
on_preview_settings_changed (GSettings *settings, const char *key, InkWindow *self)
{
  g_autofree char *device = g_settings_get_string (settings, "device");

  (void) key;
  ink_loop_worker_set_preview_size (self->worker, g_settings_get_int (settings, "preview-size"));
  ink_loop_worker_set_device (self->worker, device);
  request_loop (self, TRUE);
}

/* Destroys the export window, once: the pointer is cleared here, and by the weak pointer should
 * GTK destroy the window first (it is the main window's transient). */
void
ink_window_drop_export_dialog (InkWindow *self)
{
  InkExportDialog *dialog = self->export_dialog;

  if (dialog == NULL)
    return;
  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->export_dialog);
  self->export_dialog = NULL;
  g_signal_handlers_disconnect_by_data (dialog, self);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
ink_window_close_request (GtkWindow *window)
{
  InkWindow *self = INK_WINDOW (window);

  if (!self->project.closing && ink_history_get_modified (self->history)
      && ink_document_get_source (self->document) != NULL)
    {
      ink_window_ask_before_closing (self);
      return TRUE;
    }
  ink_session_end (self);
  ink_window_drop_export_dialog (self);
  return GTK_WINDOW_CLASS (ink_window_parent_class)->close_request (window);
}

/* GObject ------------------------------------------------------------------------------------ */

static void
ink_window_dispose (GObject *object)
{
  InkWindow *self = INK_WINDOW (object);

  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (self->opening.cancellable != NULL)
    g_cancellable_cancel (self->opening.cancellable);
  g_clear_object (&self->opening.cancellable);
  if (self->worker != NULL)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_clear_object (&self->worker);
  ink_session_cancel_autosave (self);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  ink_window_drop_export_dialog (self);
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
  g_free (self->project.path);
  g_free (self->project.open_after);
  g_free (self->opening.path);
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
  g_type_ensure (ADW_TYPE_TOAST_OVERLAY);
  g_type_ensure (ADW_TYPE_HEADER_BAR);
  g_type_ensure (ADW_TYPE_FLAP);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/inkloop/Inkloop/ink-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, InkWindow, name)
  BIND (toast_overlay);
  BIND (header_bar);
  BIND (open_button);
  BIND (recent_button);
  BIND (title_label);
  BIND (subtitle_label);
  BIND (flap_button);
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
  BIND (flap);
  BIND (controls);
  BIND (tool_bar);
  BIND (brush_label);
  BIND (brush_scale);
  BIND (arrow_kind);
  BIND (reach_label);
  BIND (reach_scale);
  BIND (source_canvas);
  BIND (preview_canvas);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_banner_close_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_brush_scale_changed);
  ink_window_actions_class_init (widget_class);
}

static void
on_viewport_changed (InkViewport *viewport, InkWindow *self)
{
  (void) viewport;
  update_zoom_label (self);
  arrange_soon (self);   /* the picture's shape may have changed */
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
  g_autofree char *device = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  ink_window_actions_init (self);

  self->settings = ink_application_new_settings ();
  self->document = ink_document_new ();
  self->viewport = ink_viewport_new ();
  self->worker = ink_loop_worker_new ();
  device = g_settings_get_string (self->settings, "device");
  ink_loop_worker_set_preview_size (self->worker, g_settings_get_int (self->settings, "preview-size"));
  ink_loop_worker_set_device (self->worker, device);

  ink_image_view_set_viewport (INK_IMAGE_VIEW (self->source_view), self->viewport);
  ink_preview_set_viewport (INK_PREVIEW (self->preview), self->viewport);
  ink_transport_set_preview (INK_TRANSPORT (self->transport), INK_PREVIEW (self->preview));
  ink_controls_set_document (INK_CONTROLS (self->controls), self->document);
  {
    GtkWidget *tools = gtk_widget_get_ancestor (self->tool_bar, GTK_TYPE_SCROLLED_WINDOW);

    self->clip_bar = ink_clip_bar_new ();
    gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (tools)), self->clip_bar, tools);
    ink_clip_bar_set_document (INK_CLIP_BAR (self->clip_bar), self->document);
    g_signal_connect (self->clip_bar, "source-frame", G_CALLBACK (on_source_frame), self);
  }
  g_signal_connect (self->source_canvas, "notice", G_CALLBACK (on_canvas_notice), self);
  g_signal_connect (self->preview_canvas, "notice", G_CALLBACK (on_canvas_notice), self);

  g_signal_connect (self->document, "changed", G_CALLBACK (on_document_changed), self);
  g_signal_connect (self->worker, "frames-ready", G_CALLBACK (on_frames_ready), self);
  g_signal_connect (self->worker, "source-ready", G_CALLBACK (on_source_ready), self);
  g_signal_connect (self->worker, "failed", G_CALLBACK (on_loop_failed), self);
  g_signal_connect (self->worker, "notice", G_CALLBACK (on_worker_notice), self);
  g_object_bind_property (self->worker, "busy", self->spinner, "spinning", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->worker, "busy", self->spinner, "visible", G_BINDING_SYNC_CREATE);
  g_signal_connect (self->preview, "loop-shown", G_CALLBACK (on_loop_shown), self);
  g_signal_connect (self->preview, "first-frame-shown", G_CALLBACK (on_first_frame_shown), self);
  g_signal_connect (self->preview, "notify::frame", G_CALLBACK (on_preview_frame), self);
  g_signal_connect (self->controls, "notify::adjusting", G_CALLBACK (on_adjusting_changed), self);
  g_signal_connect (self->viewport, "changed", G_CALLBACK (on_viewport_changed), self);
  g_signal_connect (self->preview, "resize", G_CALLBACK (on_preview_resized), self);
  g_signal_connect (self->settings, "changed::preview-size", G_CALLBACK (on_preview_settings_changed), self);
  g_signal_connect (self->settings, "changed::device", G_CALLBACK (on_preview_settings_changed), self);

  ink_window_dnd_init (self);
  ink_window_arrow_init (self);
  g_signal_connect (self, "realize", G_CALLBACK (on_realize_arrange), self);

  /* The last window's size and parameters; then the document drives everything. */
  ink_session_restore (self);
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
  gtk_widget_set_sensitive (self->brush_label, FALSE);
  gtk_widget_set_visible (self->brush_scale, FALSE);
  gtk_widget_set_visible (self->brush_label, FALSE);
  ink_window_arrow_sync (self);
  ink_session_update_recent_menu (self);
  update_zoom_label (self);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
  ink_session_offer_restore_once (self);
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
