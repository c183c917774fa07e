/* test-motion-editing.c: the motion tools under Xvfb: arrows, anchors, freeze paint and focus through their actions, undo/redo, save, reopen, inkloop-cli render of the project, unsaved-changes close, autosave restore, a moved photo, the folding panel, preferences and style. */
#include "ink-config.h"

#include <glib/gstdio.h>
#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <string.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>

#include "animate.h"
#include "clip-build.h"
#include "ink-clip-bar.h"
#include "ink-controls.h"
#include "ink-image-view.h"
#include "video-input.h"
#include "ink-application.h"
#include "ink-export-dialog.h"
#include "ink-preferences.h"
#include "ink-preview.h"
#include "ink-session.h"
#include "ink-window.h"
#include "stylize.h"
#include "test-ui-common.h"

#define PREVIEW_EDGE 256
#define CLI_EDGE 160

static InkApplication *app;
static InkWindow *window;
static char *tmpdir;

#define wait_for test_ui_wait_for

static gboolean
idle_cond (gpointer data)
{
  InkWindow *w = data;
  return ink_window_is_idle (w) && ink_preview_get_n_frames (ink_window_get_preview (w)) > 0;
}

static void
tool (InkWindow *w, const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.tool", "s", name));
  g_assert_cmpstr (ink_tool_to_string (ink_canvas_overlay_get_tool (ink_window_get_canvas (w))), ==, name);
}

/* The Brush label reads as active exactly while a brush tool is: greyed otherwise, never dimmed
 * on top. */
static void
assert_brush_label (InkWindow *w, gboolean active)
{
  GtkWidget *label = test_ui_find_labelled (GTK_WIDGET (w), "Brush");

  g_assert_nonnull (label);
  g_assert_cmpint (gtk_widget_is_sensitive (label), ==, active);
  g_assert_false (gtk_widget_has_css_class (label, "dim-label"));
}

static void
action (InkWindow *w, const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), name, NULL));
}

static const InkMotionHints *
hints_of (InkWindow *w)
{
  return ink_document_get_hints (ink_window_get_document (w));
}

/* Pixels the mask freezes at least half. */
static guint
frozen_pixels (const InkMotionHints *h)
{
  guint n = 0;

  if (h->mask == NULL)
    return 0;
  for (gsize i = 0; i < (gsize) h->mask->width * h->mask->height; i++)
    n += h->mask->pixels[4 * i] >= 32768;
  return n;
}

/* Exactly the same hints: every float, every mask value. */
static void
assert_hints_equal (const InkMotionHints *a, const InkMotionHints *b)
{
  g_assert_cmpuint (a->arrows->len, ==, b->arrows->len);
  g_assert_cmpuint (a->anchors->len, ==, b->anchors->len);
  g_assert_cmpmem (a->arrows->data, a->arrows->len * sizeof (InkArrow), b->arrows->data, b->arrows->len * sizeof (InkArrow));
  g_assert_cmpmem (a->anchors->data, a->anchors->len * sizeof (InkAnchor), b->anchors->data, b->anchors->len * sizeof (InkAnchor));
  g_assert_true ((a->mask == NULL) == (b->mask == NULL));
  if (a->mask != NULL)
    {
      g_assert_cmpint (a->mask->width, ==, b->mask->width);
      g_assert_cmpint (a->mask->height, ==, b->mask->height);
      for (gsize i = 0; i < (gsize) a->mask->width * a->mask->height; i++)
        {
          /* The engine reads grey x alpha; compare that. */
          const guint16 *p = a->mask->pixels + 4 * i, *q = b->mask->pixels + 4 * i;
          guint64 va = ((guint64) p[0] + p[1] + p[2]) * p[3], vb = ((guint64) q[0] + q[1] + q[2]) * q[3];
          if (va != vb)
            g_error ("mask pixel %zu differs: %u,%u,%u,%u vs %u,%u,%u,%u", i, p[0], p[1], p[2], p[3], q[0], q[1], q[2], q[3]);
        }
    }
}

static void
assert_same_motion (InkWindow *a, InkWindow *b)
{
  g_auto (GStrv) ma = ink_document_dup_settings (ink_window_get_document (a), TRUE);
  g_auto (GStrv) mb = ink_document_dup_settings (ink_window_get_document (b), TRUE);
  g_auto (GStrv) sa = ink_document_dup_settings (ink_window_get_document (a), FALSE);
  g_auto (GStrv) sb = ink_document_dup_settings (ink_window_get_document (b), FALSE);

  g_assert_true (g_strv_equal ((const char *const *) ma, (const char *const *) mb));
  g_assert_true (g_strv_equal ((const char *const *) sa, (const char *const *) sb));
}

/* Tests -------------------------------------------------------------------------------------- */

static InkMotionHints *edited;   /* the hints after test_tools */

/* The tool bar's arrow kind and reach act on the selected arrow (one undo step each, a reach
 * drag included) and are greyed with nothing to act on; the arrow tool draws the chosen kind. */
static void
check_arrow_controls (void)
{
  InkDocument *doc = ink_window_get_document (window);
  InkCanvasOverlay *canvas = ink_window_get_canvas (window);
  GtkWidget *kind = test_ui_find_tooltip (GTK_WIDGET (window), GTK_TYPE_DROP_DOWN, "Flow streams");
  GtkWidget *reach = test_ui_find_tooltip (GTK_WIDGET (window), GTK_TYPE_SCALE, "How far around the selected");
  const InkArrow *a;
  InkArrow before;

  g_assert_nonnull (kind);
  g_assert_nonnull (reach);
  tool (window, "select");
  ink_canvas_overlay_drag (canvas, 0.99, 0.01, 0.99, 0.01);   /* empty space: nothing selected */
  g_assert_false (gtk_widget_get_sensitive (reach));
  g_assert_false (gtk_widget_get_sensitive (kind));
  /* Pick the arrow by its head: the controls show it (a flow arrow with the motion's reach). */
  ink_canvas_overlay_drag (canvas, 0.55, 0.72, 0.55, 0.72);
  g_assert_cmpint (ink_canvas_overlay_get_selection (canvas, NULL), ==, INK_HINT_ARROW);
  g_assert_true (gtk_widget_get_sensitive (reach));
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (kind)), ==, INK_ARROW_FLOW);
  g_assert_cmpfloat_with_epsilon (gtk_range_get_value (GTK_RANGE (reach)),
                                  100.0 * ink_document_get_value (doc, "flow-reach"), 1e-4);
  before = g_array_index (hints_of (window)->arrows, InkArrow, 0);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), INK_ARROW_SWAY);
  for (int v = 30; v <= 40; v += 2)
    gtk_range_set_value (GTK_RANGE (reach), v);
  a = &g_array_index (hints_of (window)->arrows, InkArrow, 0);
  g_assert_cmpint (a->kind, ==, INK_ARROW_SWAY);
  g_assert_cmpfloat_with_epsilon (a->reach, 0.40, 1e-6);
  g_assert_cmpfloat (a->x0, ==, before.x0);
  action (window, "win.undo");   /* the whole reach drag */
  a = &g_array_index (hints_of (window)->arrows, InkArrow, 0);
  g_assert_cmpfloat (a->reach, ==, 0.0f);
  g_assert_cmpint (a->kind, ==, INK_ARROW_SWAY);
  g_assert_cmpfloat_with_epsilon (gtk_range_get_value (GTK_RANGE (reach)),
                                  100.0 * ink_document_get_value (doc, "flow-reach"), 1e-4);
  action (window, "win.undo");   /* the kind */
  g_assert_cmpint (g_array_index (hints_of (window)->arrows, InkArrow, 0).kind, ==, INK_ARROW_FLOW);
  action (window, "win.redo");
  action (window, "win.redo");
  g_assert_cmpfloat_with_epsilon (g_array_index (hints_of (window)->arrows, InkArrow, 0).reach, 0.40, 1e-6);

  /* The arrow tool draws the kind chosen; the new arrow is selected, so the reach acts on it. */
  tool (window, "arrow");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), INK_ARROW_SWAY);
  ink_canvas_overlay_drag (canvas, 0.3, 0.3, 0.33, 0.28);
  a = &g_array_index (hints_of (window)->arrows, InkArrow, hints_of (window)->arrows->len - 1);
  g_assert_cmpint (a->kind, ==, INK_ARROW_SWAY);
  g_assert_cmpfloat (a->reach, ==, 0.0f);
  gtk_range_set_value (GTK_RANGE (reach), 15);
  a = &g_array_index (hints_of (window)->arrows, InkArrow, hints_of (window)->arrows->len - 1);
  g_assert_cmpfloat_with_epsilon (a->reach, 0.15, 1e-6);
  tool (window, "select");
  ink_canvas_overlay_drag (canvas, 0.99, 0.01, 0.99, 0.01);
  g_assert_cmpint (ink_canvas_overlay_get_selection (canvas, NULL), ==, INK_HINT_NONE);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), INK_ARROW_FLOW);   /* the tool's, only */
  g_assert_cmpint (a->kind, ==, INK_ARROW_SWAY);
}

static void
test_tools (void)
{
  InkDocument *doc = ink_window_get_document (window);
  InkHistory *history = ink_window_get_history (window);
  InkCanvasOverlay *canvas = ink_window_get_canvas (window);
  const InkMotionHints *h;
  InkMotionHints *before_undo = NULL;
  double weight;
  guint frozen;
  g_autofree char *preset = NULL;

  ink_window_open_path (window, g_getenv ("INKLOOP_SAMPLE"));
  g_assert_true (wait_for (idle_cond, window, 120));
  g_assert_false (ink_history_can_undo (history));
  g_assert_false (ink_history_get_modified (history));

  /* An arrow: water flowing right along the bottom. */
  tool (window, "arrow");
  ink_canvas_overlay_drag (canvas, 0.2, 0.75, 0.5, 0.72);
  h = hints_of (window);
  g_assert_cmpuint (h->arrows->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (g_array_index (h->arrows, InkArrow, 0).x0, 0.2, 0.01);
  g_assert_cmpfloat_with_epsilon (g_array_index (h->arrows, InkArrow, 0).x1, 0.5, 0.01);
  g_assert_cmpfloat_with_epsilon (g_array_index (h->arrows, InkArrow, 0).y1, 0.72, 0.01);
  /* A click with the arrow tool makes none. */
  ink_canvas_overlay_drag (canvas, 0.3, 0.3, 0.3, 0.3);
  g_assert_cmpuint (h->arrows->len, ==, 1);
  g_assert_false (ink_window_is_idle (window));   /* the loop regenerates */
  g_assert_true (ink_history_get_modified (history));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "• "));

  /* An anchor, the freeze brush, the focus centre. */
  tool (window, "anchor");
  assert_brush_label (window, FALSE);
  ink_canvas_overlay_drag (canvas, 0.6, 0.8, 0.6, 0.8);
  g_assert_cmpuint (h->anchors->len, ==, 1);
  tool (window, "brush");
  assert_brush_label (window, TRUE);
  ink_canvas_overlay_drag (canvas, 0.4, 0.2, 0.6, 0.35);
  g_assert_nonnull (h->mask);
  frozen = frozen_pixels (h);
  g_assert_cmpuint (frozen, >, 100);
  tool (window, "focus");
  ink_canvas_overlay_drag (canvas, 0.7, 0.4, 0.7, 0.4);
  g_assert_cmpfloat (ink_document_get_value (doc, "focus-lines"), ==, 1);
  g_assert_cmpfloat_with_epsilon (ink_document_get_value (doc, "focus-x"), 0.7, 0.01);

  /* Undo all four steps, then redo them: exactly the same state. */
  before_undo = ink_motion_hints_copy (h);
  for (int i = 0; i < 4; i++)
    action (window, "win.undo");
  h = hints_of (window);
  g_assert_cmpuint (h->arrows->len, ==, 0);
  g_assert_cmpuint (h->anchors->len, ==, 0);
  g_assert_null (h->mask);
  g_assert_cmpfloat (ink_document_get_value (doc, "focus-lines"), ==, 0);
  g_assert_false (ink_history_can_undo (history));
  g_assert_false (ink_history_get_modified (history));
  for (int i = 0; i < 4; i++)
    action (window, "win.redo");
  g_assert_false (ink_history_can_redo (history));
  assert_hints_equal (hints_of (window), before_undo);
  g_assert_cmpfloat (ink_document_get_value (doc, "focus-lines"), ==, 1);

  /* The eraser takes paint away, as one step. */
  tool (window, "eraser");
  ink_canvas_overlay_drag (canvas, 0.4, 0.2, 0.6, 0.35);
  g_assert_cmpuint (frozen_pixels (hints_of (window)), <, frozen / 4);
  action (window, "win.undo");
  g_assert_cmpuint (frozen_pixels (hints_of (window)), ==, frozen);

  /* Select and move the anchor; Delete removes it; each undoes in one step. */
  tool (window, "select");
  ink_canvas_overlay_drag (canvas, 0.6, 0.8, 0.7, 0.8);
  h = hints_of (window);
  g_assert_cmpfloat_with_epsilon (g_array_index (h->anchors, InkAnchor, 0).x, 0.7, 0.01);
  g_assert_cmpint (ink_canvas_overlay_get_selection (canvas, NULL), ==, INK_HINT_ANCHOR);
  action (window, "win.delete-hint");
  g_assert_cmpuint (hints_of (window)->anchors->len, ==, 0);
  action (window, "win.undo");
  g_assert_cmpuint (hints_of (window)->anchors->len, ==, 1);
  action (window, "win.undo");
  assert_hints_equal (hints_of (window), before_undo);
  /* Dragging an arrow's head changes its speed. */
  ink_canvas_overlay_drag (canvas, 0.5, 0.72, 0.55, 0.72);
  g_assert_cmpfloat_with_epsilon (g_array_index (hints_of (window)->arrows, InkArrow, 0).x1, 0.55, 0.01);
  g_assert_cmpfloat (g_array_index (hints_of (window)->arrows, InkArrow, 0).x0, ==,
                     g_array_index (before_undo->arrows, InkArrow, 0).x0);

  /* A slider drag (many values of one control) is one step; so is a preset change. */
  weight = ink_document_get_value (doc, "line-weight");
  preset = g_strdup (ink_document_get_preset (doc));
  g_assert_cmpstr (preset, !=, "manga");
  for (int i = 1; i <= 10; i++)
    ink_document_set_value (doc, "line-weight", weight + 0.2 * i);
  g_assert_true (ink_document_set_preset (doc, "manga"));
  action (window, "win.undo");
  g_assert_cmpstr (ink_document_get_preset (doc), ==, preset);
  g_assert_cmpfloat_with_epsilon (ink_document_get_value (doc, "line-weight"), weight + 2.0, 1e-5);
  action (window, "win.undo");
  g_assert_cmpfloat (ink_document_get_value (doc, "line-weight"), ==, weight);
  action (window, "win.redo");
  action (window, "win.redo");
  g_assert_cmpstr (ink_document_get_preset (doc), ==, "manga");
  g_test_message ("history: %zu bytes for its steps", ink_history_get_size (history));

  check_arrow_controls ();

  /* Hiding the hints changes nothing in the document. */
  action (window, "win.show-hints");
  action (window, "win.show-hints");
  edited = ink_motion_hints_copy (hints_of (window));
  ink_motion_hints_free (&before_undo);
  g_assert_true (wait_for (idle_cond, window, 120));
  g_free (test_ui_save_png (GTK_WIDGET (window), tmpdir, "editor-hints.png"));
}

static char *project_path;

static gboolean
saved_cond (gpointer data)
{
  InkWindow *w = data;
  return ink_window_is_idle (w) && ink_window_get_project_path (w) != NULL;
}

static void
test_save_reopen (void)
{
  InkWindow *second;
  GBytes *a, *b;

  project_path = g_build_filename (tmpdir, "water.inkloop", NULL);
  ink_window_save_project (window, project_path);
  g_assert_true (wait_for (saved_cond, window, 60));
  g_assert_false (ink_history_get_modified (ink_window_get_history (window)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "water.inkloop — Inkloop");

  /* One playing view at a time keeps llvmpipe quick. */
  ink_preview_set_playing (ink_window_get_preview (window), FALSE);
  second = ink_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (second), 1200, 800);
  gtk_window_present (GTK_WINDOW (second));
  ink_window_open_path (second, project_path);
  if (!wait_for (idle_cond, second, 120))
    g_error ("second window: loading %d idle %d frames %d message %d", ink_window_get_loading (second),
             ink_window_is_idle (second), ink_preview_get_n_frames (ink_window_get_preview (second)),
             ink_window_get_message (second, NULL));
  g_assert_cmpstr (ink_window_get_project_path (second), ==, project_path);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (second)), ==, "water.inkloop — Inkloop");
  g_assert_false (ink_history_get_modified (ink_window_get_history (second)));
  assert_hints_equal (hints_of (second), edited);
  assert_same_motion (window, second);

  /* The same loop, frame for frame. */
  g_assert_cmpint (ink_preview_get_n_frames (ink_window_get_preview (second)), ==,
                   ink_preview_get_n_frames (ink_window_get_preview (window)));
  a = ink_preview_get_loop (ink_window_get_preview (window));
  b = ink_preview_get_loop (ink_window_get_preview (second));
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a), g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_test_message ("reopened: %u arrows, %u anchors, %d x %d mask; %d identical frames",
                  edited->arrows->len, edited->anchors->len, edited->mask->width, edited->mask->height,
                  ink_preview_get_n_frames (ink_window_get_preview (second)));
  gtk_window_destroy (GTK_WINDOW (second));
}

static void
test_cli_render (void)
{
  g_autofree char *out = g_build_filename (tmpdir, "frames", NULL);
  g_autofree char *out_arg = g_strconcat (out, "/", NULL);
  g_autofree char *size = g_strdup_printf ("%d", CLI_EDGE);
  const char *argv[] = { g_getenv ("INKLOOP_CLI"), "render", project_path, "-o", out_arg, "--size", size, NULL };
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *notice = NULL;
  InkProject *project;
  InkLoadParams load = INK_LOAD_PARAMS_DEFAULT;
  InkImage *source;
  InkStylizer *stylizer;
  InkAnimation *animation;
  int status, n;

  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("inkloop-cli render failed: %s", err);

  /* The same project rendered here, at that size. */
  project = ink_project_load (project_path, &error);
  g_assert_no_error (error);
  assert_hints_equal (project->hints, edited);
  load.long_edge = CLI_EDGE;
  source = ink_image_load (project->source, &load, &error);
  g_assert_no_error (error);
  stylizer = ink_stylizer_new_auto (NULL, FALSE, &notice, &error);
  g_assert_no_error (error);
  animation = ink_animation_new (stylizer, source, &project->style, &project->motion, project->hints, NULL, &error);
  g_assert_no_error (error);
  n = ink_animation_n_frames (animation);
  g_assert_cmpint (n, ==, project->motion.frames);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("frame-%04d.png", i + 1);
      g_autofree char *path = g_build_filename (out, name, NULL);
      g_autofree guint32 *rgba = g_new (guint32, (gsize) source->width * source->height);
      InkImage *frame = ink_image_load (path, NULL, &error);
      gsize differ = 0;

      g_assert_no_error (error);
      g_assert_cmpint (frame->width, ==, source->width);
      g_assert_cmpint (frame->height, ==, source->height);
      g_assert_true (ink_animation_render_rgba8 (animation, i, rgba, NULL, &error));
      for (gsize p = 0; p < (gsize) frame->width * frame->height; p++)
        for (int c = 0; c < 4; c++)
          differ += (frame->pixels[4 * p + c] >> 8) != ((rgba[p] >> (8 * c)) & 0xff);
      g_assert_cmpuint (differ, ==, 0);
      ink_image_free (&frame);
      g_unlink (path);
    }
  g_rmdir (out);
  g_test_message ("inkloop-cli render: %d frames of %d x %d identical to the engine's", n, source->width, source->height);
  ink_animation_free (&animation);
  ink_stylizer_free (&stylizer);
  ink_image_free (&source);
  ink_project_free (&project);
}

static gboolean
dialog_cond (gpointer data)
{
  return ink_window_get_dialog (data) != NULL;
}

static gboolean
mapped_cond (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static gboolean
gone_cond (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_close_asks (void)
{
  InkWindow *w = ink_window_new (GTK_APPLICATION (app));
  GtkWidget *dialog;

  g_object_add_weak_pointer (G_OBJECT (w), (gpointer *) &w);
  gtk_window_present (GTK_WINDOW (w));
  ink_window_open_path (w, project_path);
  g_assert_true (wait_for (idle_cond, w, 120));
  /* Unchanged: closes at once. */
  tool (w, "anchor");
  ink_canvas_overlay_drag (ink_window_get_canvas (w), 0.1, 0.1, 0.1, 0.1);
  gtk_window_close (GTK_WINDOW (w));
  dialog = ink_window_get_dialog (w);
  g_assert_nonnull (dialog);
  /* Cancel, Discard (destructive) and Save (suggested, the default). */
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "cancel"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save"), ==,
                   ADW_RESPONSE_SUGGESTED);
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "save");
  g_assert_cmpstr (adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  g_assert_true (wait_for (mapped_cond, dialog, 10));
  g_free (test_ui_save_png (dialog, tmpdir, "unsaved-changes.png"));
  test_ui_click (dialog, "_Cancel");
  g_assert_nonnull (w);
  g_assert_null (ink_window_get_dialog (w));
  /* Opening another file over unsaved changes asks too; Cancel keeps the project and its edit. */
  gtk_widget_activate_action (GTK_WIDGET (w), "win.open-recent", "s", g_getenv ("INKLOOP_SAMPLE"));
  dialog = ink_window_get_dialog (w);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  test_ui_click (dialog, "_Cancel");
  g_assert_null (ink_window_get_dialog (w));
  g_assert_cmpstr (ink_window_get_project_path (w), ==, project_path);
  g_assert_false (ink_window_get_loading (w));
  gtk_window_close (GTK_WINDOW (w));
  test_ui_click (ink_window_get_dialog (w), "_Discard");
  g_assert_true (wait_for (gone_cond, &w, 10));
}

static char *
autosave_file (void)
{
  return g_build_filename (g_get_user_cache_dir (), "inkloop", "autosave.inkloop", NULL);
}

static gboolean
autosave_cond (gpointer data)
{
  g_autofree char *path = autosave_file ();
  (void) data;
  return g_file_test (path, G_FILE_TEST_EXISTS) && ink_window_is_idle (window);
}

static gboolean
message_cond (gpointer data)
{
  return ink_window_get_message (data, NULL);
}

static void
test_autosave_restore (void)
{
  InkWindow *w;
  g_autofree char *path = autosave_file ();
  InkMotionHints *expected = NULL;

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));   /* removed by the clean save */
  ink_window_set_autosave_interval (window, 100);
  tool (window, "anchor");
  ink_canvas_overlay_drag (ink_window_get_canvas (window), 0.9, 0.2, 0.9, 0.2);
  g_assert_true (wait_for (autosave_cond, NULL, 60));
  expected = ink_motion_hints_copy (hints_of (window));
  {
    g_autoptr (GError) error = NULL;
    InkProject *saved = ink_project_load (path, &error);

    g_assert_no_error (error);
    assert_hints_equal (saved->hints, expected);
    ink_project_free (&saved);
  }

  /* As after a crash: a new window offers it back. */
  w = ink_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (w));
  ink_window_offer_restore (w);
  g_assert_true (wait_for (message_cond, w, 30));
  action (w, "win.restore-autosave");
  g_assert_true (wait_for (idle_cond, w, 120));
  assert_hints_equal (hints_of (w), expected);
  g_assert_null (ink_window_get_project_path (w));
  g_assert_true (ink_history_get_modified (ink_window_get_history (w)));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (w)), "• "));
  gtk_window_destroy (GTK_WINDOW (w));
  ink_motion_hints_free (&expected);
}

static void
test_moved_photo (void)
{
  g_autofree char *photo = g_build_filename (tmpdir, "beach.png", NULL);
  g_autofree char *project = g_build_filename (tmpdir, "beach.inkloop", NULL);
  g_autofree char *data = NULL;
  gsize size;
  InkWindow *w = ink_window_new (GTK_APPLICATION (app));
  GtkWidget *dialog;

  g_assert_true (g_file_get_contents (g_getenv ("INKLOOP_SAMPLE"), &data, &size, NULL));
  g_assert_true (g_file_set_contents (photo, data, (gssize) size, NULL));
  gtk_window_present (GTK_WINDOW (w));
  ink_window_open_path (w, photo);
  g_assert_true (wait_for (idle_cond, w, 120));
  ink_window_save_project (w, project);
  g_assert_true (wait_for (saved_cond, w, 60));
  g_unlink (photo);
  ink_window_open_path (w, project);
  g_assert_true (wait_for (dialog_cond, w, 30));
  dialog = ink_window_get_dialog (w);
  {
    g_autofree char *secondary = NULL;
    g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
    g_object_get (dialog, "body", &secondary, NULL);
    g_test_message ("moved photo: %s", secondary);
    g_assert_nonnull (strstr (secondary, "beach.png"));
  }
  test_ui_click (dialog, "_Cancel");
  g_assert_null (ink_window_get_dialog (w));
  g_assert_false (ink_window_get_loading (w));
  g_assert_cmpstr (ink_document_get_path (ink_window_get_document (w)), !=, NULL);   /* kept what it had */
  gtk_window_destroy (GTK_WINDOW (w));
  g_unlink (project);
}

/* Recent files: what the editor opened or saved (the photo, the project), each with its folder;
 * not a file the chooser added by itself (an export), not a file that is gone. */
static void
test_recent (void)
{
  g_autofree char *gif = g_build_filename (tmpdir, "exported.gif", NULL);
  g_autofree char *gif_uri = g_filename_to_uri (gif, NULL, NULL);
  g_autofree char *folder = g_filename_display_name (tmpdir);
  g_autoptr (GPtrArray) entries = NULL;
  gboolean project = FALSE, photo = FALSE;

  g_assert_true (g_file_set_contents (gif, "GIF89a", 6, NULL));
  /* What GtkFileChooser does with a chosen save name. */
  g_assert_true (gtk_recent_manager_add_item (gtk_recent_manager_get_default (), gif_uri));
  entries = ink_session_recent_entries ();
  for (guint i = 0; i + 1 < entries->len; i += 2)
    {
      const char *label = g_ptr_array_index (entries, i), *path = g_ptr_array_index (entries, i + 1);

      g_test_message ("recent: %s", label);
      g_assert_cmpstr (path, !=, gif);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      if (g_strcmp0 (path, project_path) == 0)
        {
          project = TRUE;
          g_assert_true (g_str_has_suffix (label, folder));
          g_assert_true (g_str_has_prefix (label, "water.inkloop — "));
        }
      photo = photo || g_strcmp0 (path, g_getenv ("INKLOOP_SAMPLE")) == 0;
    }
  g_assert_true (project);
  g_assert_true (photo);
  g_unlink (gif);
}

static const char *opened_path;

static gboolean
opened_cond (gpointer data)
{
  return !ink_window_get_loading (data)
         && g_strcmp0 (ink_document_get_path (ink_window_get_document (data)), opened_path) == 0;
}

/* Opening another photo of another shape: the last photo's loop is never shown stretched to it
 * (the preview is empty or already the new shape), and the focus centre and hints start afresh. */
static void
test_another_photo (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tall = g_build_filename (tmpdir, "tall.png", NULL);
  g_autofree char *canonical = NULL;
  InkLoadParams load = { 0 };
  InkImage *sample = ink_image_load (g_getenv ("INKLOOP_SAMPLE"), &load, &error), *crop;
  InkWindow *w = ink_window_new (GTK_APPLICATION (app));
  InkDocument *doc = ink_window_get_document (w);
  int pw, ph;

  g_assert_no_error (error);
  crop = ink_image_new (sample->height / 2, sample->height);
  for (int y = 0; y < crop->height; y++)
    memcpy (crop->pixels + 4 * (gsize) y * crop->width, sample->pixels + 4 * (gsize) y * sample->width,
            (gsize) crop->width * 8);
  g_assert_true (ink_image_save_png (crop, tall, &error));
  gtk_window_present (GTK_WINDOW (w));
  ink_window_open_path (w, g_getenv ("INKLOOP_SAMPLE"));
  g_assert_true (wait_for (idle_cond, w, 120));
  {
    /* Projects were saved in TMPDIR before: Save Project opens there, not in the photo's folder. */
    g_autofree char *folder = ink_window_save_folder (w);
    g_assert_cmpstr (folder, ==, tmpdir);
  }
  ink_document_set_focus (doc, 0.8f, 0.2f);
  ink_document_add_arrow (doc, &(InkArrow) { 0.1f, 0.1f, 0.2f, 0.1f, 0.0f, INK_ARROW_FLOW });
  g_assert_true (wait_for (idle_cond, w, 120));

  canonical = g_canonicalize_filename (tall, NULL);
  opened_path = canonical;
  ink_window_open_path (w, tall);
  g_assert_true (wait_for (opened_cond, w, 60));
  ink_preview_get_size (ink_window_get_preview (w), &pw, &ph);
  g_test_message ("another photo: preview %d frames, %d x %d", ink_preview_get_n_frames (ink_window_get_preview (w)), pw, ph);
  g_assert_true (ink_preview_get_n_frames (ink_window_get_preview (w)) == 0 || pw < ph);
  g_assert_cmpfloat (ink_document_get_value (doc, "focus-x"), ==, 0.5);
  g_assert_cmpfloat (ink_document_get_value (doc, "focus-y"), ==, 0.5);
  g_assert_cmpuint (hints_of (w)->arrows->len, ==, 0);
  {
    /* Without arrows the panel says, under the Flow slider, why it does nothing; an arrow
     * turns it on and the note goes. */
    GtkWidget *why = test_ui_find_labelled (GTK_WIDGET (w), "Flow moves material along flow arrows "
                                            "drawn on the picture; this picture has none yet");
    g_assert_nonnull (why);
    g_assert_true (gtk_widget_get_visible (why));
    ink_document_add_arrow (doc, &(InkArrow) { 0.2f, 0.5f, 0.3f, 0.5f, 0.0f, INK_ARROW_FLOW });
    g_assert_false (gtk_widget_get_visible (why));
    action (w, "win.undo");
    g_assert_true (gtk_widget_get_visible (why));
  }
  g_assert_true (wait_for (idle_cond, w, 120));
  ink_preview_get_size (ink_window_get_preview (w), &pw, &ph);
  g_assert_cmpint (pw, <, ph);
  gtk_window_destroy (GTK_WINDOW (w));
  ink_image_free (&crop);
  ink_image_free (&sample);
}

/* The export's result line never wraps a figure away from its unit. */
static void
test_keep_units (void)
{
  g_autofree char *text = ink_export_keep_units ("loop 2.gif: 1.4 MiB, 600x400, 24 frames, 6.00 s");

  g_assert_cmpstr (text, ==, "loop 2.gif: 1.4\u00a0MiB, 600x400, 24\u00a0frames, 6.00\u00a0s");
}

/* Real input through the X server (XTest), as a user's keyboard and mouse give it. */
static Display *
x_display (void)
{
  return test_ui_x_display (GTK_WIDGET (window));
}

static void
x_key (KeySym sym)
{
  KeyCode code = XKeysymToKeycode (x_display (), sym);

  XTestFakeKeyEvent (x_display (), code, True, 0);
  XTestFakeKeyEvent (x_display (), code, False, 0);
  XFlush (x_display ());
  test_ui_run_for (0.3);
}

/* NOTCHES wheel steps down (button 5) at the pointer. */
static void
x_wheel_down (int notches)
{
  for (int i = 0; i < notches; i++)
    {
      XTestFakeButtonEvent (x_display (), 5, True, 0);
      XTestFakeButtonEvent (x_display (), 5, False, 0);
    }
  XFlush (x_display ());
  test_ui_run_for (0.3);
}

/* The panel's slider for the control labelled LABEL (its mnemonic text). */
static GtkWidget *
panel_scale (const char *label)
{
  GtkWidget *l = test_ui_find_labelled (GTK_WIDGET (window), label);

  g_assert_nonnull (l);
  return test_ui_find_tooltip (gtk_widget_get_parent (gtk_widget_get_parent (l)), GTK_TYPE_SCALE, NULL);
}

static gboolean
texture_changed (gpointer data)
{
  GdkTexture **before = data;
  GtkWidget *view = test_ui_find_tooltip (GTK_WIDGET (window), INK_TYPE_IMAGE_VIEW, NULL);

  return ink_image_view_get_texture (INK_IMAGE_VIEW (view)) != *before;
}

static gboolean
export_done (gpointer data)
{
  return !ink_export_dialog_get_running (data);
}

/* The Style section's Generator choice: Learned repaints the preview with the network (a tiny
 * model of its graph here: $INKLOOP_MODEL), is one undo step, and goes back. */
static void
test_generator (void)
{
  InkDocument *doc = ink_window_get_document (window);
  GtkWidget *label = test_ui_find_labelled (GTK_WIDGET (window), "_Generator");
  InkPreview *preview = ink_window_get_preview (window);
  GtkWidget *choice;
  guint before;

  g_assert_nonnull (label);
  choice = test_ui_find_tooltip (gtk_widget_get_parent (gtk_widget_get_parent (label)),
                                 GTK_TYPE_DROP_DOWN, NULL);
  g_assert_nonnull (choice);
  g_assert_true (wait_for (idle_cond, window, 120));
  g_assert_cmpfloat (ink_document_get_value (doc, "generator"), ==, INK_GENERATOR_PROCEDURAL);
  before = ink_preview_get_shown_serial (preview);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (choice), INK_GENERATOR_LEARNED);
  g_assert_cmpfloat (ink_document_get_value (doc, "generator"), ==, INK_GENERATOR_LEARNED);
  g_assert_true (wait_for (idle_cond, window, 120));
  g_assert_cmpuint (ink_preview_get_shown_serial (preview), >, before);
  action (window, "win.undo");
  g_assert_cmpfloat (ink_document_get_value (doc, "generator"), ==, INK_GENERATOR_PROCEDURAL);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (choice)), ==,
                    INK_GENERATOR_PROCEDURAL);
  g_assert_true (wait_for (idle_cond, window, 120));
}

/* The frames of the clip or animated GIF at PATH. */
static int
count_frames (const char *path)
{
  g_autoptr (GError) error = NULL;
  InkVideo *video = ink_video_open (path, &error);
  InkImage *frame;
  double pts;
  int n = 0;

  g_assert_no_error (error);
  while ((frame = ink_video_read (video, 64, &pts, &error)) != NULL)
    {
      ink_image_free (&frame);
      n++;
    }
  ink_video_free (&video);
  return n;
}

/* A video clip: opened whole, its frames stylized in the preview at its own rate; scrubbing
 * shows its frames; in and out points make the part, which the preview, a saved project and an
 * export keep; the motion tools give way to the clip bar. */
static void
test_clip (void)
{
  ClipSpec spec = { .codec = CLIP_H264_MP4, .width = 320, .height = 180, .frames = 48, .fps = 24,
                    .pan = 2.0, .audio = TRUE };
  g_autofree char *clip_path = g_build_filename (tmpdir, "pan.mp4", NULL);
  g_autofree char *project = g_build_filename (tmpdir, "pan.inkloop", NULL);
  g_autofree char *gif = g_build_filename (tmpdir, "pan.gif", NULL);
  g_autoptr (GError) error = NULL;
  InkDocument *document = ink_window_get_document (window);
  InkPreview *preview = ink_window_get_preview (window);
  InkClipBar *bar = INK_CLIP_BAR (ink_window_get_clip_bar (window));
  GtkWidget *view = test_ui_find_tooltip (GTK_WIDGET (window), INK_TYPE_IMAGE_VIEW, NULL);
  const InkClipRange *range;
  InkExportDialog *dialog;
  InkProject *saved;
  GdkTexture *before;
  InkImage *photo;

  photo = ink_image_load (g_getenv ("INKLOOP_SAMPLE"), NULL, &error);
  g_assert_no_error (error);
  clip_build (clip_path, photo, &spec);
  ink_image_free (&photo);

  ink_window_open_path (window, clip_path);
  g_assert_true (wait_for (idle_cond, window, 180));
  g_assert_false (ink_window_get_message (window, NULL));
  range = ink_document_get_clip (document);
  g_assert_nonnull (range);
  g_assert_cmpfloat (range->start, ==, 0.0);
  g_assert_cmpfloat (range->duration, ==, 0.0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (bar)));
  /* The motion tools act on a still: the clip bar takes their place. */
  g_assert_false (gtk_widget_is_visible (test_ui_find_labelled (GTK_WIDGET (window), "Arrow")));
  /* ... and the panel keeps only the style: a clip has no loop, motion or effects of its own. */
  g_assert_true (gtk_widget_is_visible (ink_controls_get_control (ink_window_get_controls (window), "line-weight")));
  g_assert_false (gtk_widget_is_visible (ink_controls_get_control (ink_window_get_controls (window), "frames")));
  g_assert_false (gtk_widget_is_visible (ink_controls_get_control (ink_window_get_controls (window), "camera")));
  /* 2 s at the clip's 24 fps, played at that rate. */
  g_assert_cmpint (ink_preview_get_n_frames (preview), ==, 48);
  g_assert_cmpfloat_with_epsilon (ink_preview_get_fps (preview), 24.0, 1e-6);

  /* Scrubbing shows the source frame there. */
  before = ink_image_view_get_texture (INK_IMAGE_VIEW (view));
  ink_clip_bar_set_position (bar, 1.0);
  g_assert_true (wait_for (texture_changed, &before, 30));

  /* In at 1 s, out at 1.5 s: half a second, 12 frames. */
  ink_clip_bar_set_in (bar);
  g_assert_cmpfloat_with_epsilon (ink_document_get_clip (document)->start, 1.0, 1e-6);
  g_assert_true (wait_for (idle_cond, window, 120));
  g_assert_cmpint (ink_preview_get_n_frames (preview), ==, 24);
  ink_clip_bar_set_position (bar, 1.5);
  ink_clip_bar_set_out (bar);
  g_assert_cmpfloat_with_epsilon (ink_document_get_clip (document)->duration, 0.5, 1e-6);
  g_assert_true (wait_for (idle_cond, window, 120));
  g_assert_cmpint (ink_preview_get_n_frames (preview), ==, 12);
  /* In and out points are steps of the history. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_cmpfloat (ink_document_get_clip (document)->duration, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (ink_document_get_clip (document)->start, 1.0, 1e-6);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL));
  g_assert_cmpfloat_with_epsilon (ink_document_get_clip (document)->duration, 0.5, 1e-6);
  g_assert_true (wait_for (idle_cond, window, 120));

  /* The project keeps the clip and its part. */
  ink_window_save_project (window, project);
  g_assert_true (wait_for (saved_cond, window, 60));
  saved = ink_project_load (project, &error);
  g_assert_no_error (error);
  g_assert_true (saved->is_clip);
  g_assert_cmpfloat_with_epsilon (saved->clip.start, 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (saved->clip.duration, 0.5, 1e-6);
  ink_project_free (&saved);

  /* The export dialog writes the part: 12 frames at 24 fps. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  dialog = ink_window_get_export_dialog (window);
  ink_export_dialog_apply_preset (dialog, "discord");
  ink_export_dialog_set_path (dialog, gif);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.start", NULL));
  g_assert_true (wait_for (export_done, dialog, 180));
  g_assert_true (g_file_test (gif, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (count_frames (gif), ==, 12);
  gtk_window_close (GTK_WINDOW (dialog));

  /* Loop: the part's best-looping stretch, its seam cross-faded. */
  {
    InkClipRange r = *ink_document_get_clip (document);
    r.start = 0.0;
    r.duration = 1.5;
    r.loop = TRUE;
    ink_document_set_clip (document, &r);
  }
  g_assert_true (wait_for (idle_cond, window, 180));
  {
    const char *text = NULL;
    if (ink_window_get_message (window, &text))
      g_assert_null (strstr (text, "could not"));
  }
  g_assert_cmpint (ink_preview_get_n_frames (preview), >=, 12);
  g_assert_cmpint (ink_preview_get_n_frames (preview), <=, 36);
  g_test_message ("clip loop: %d of the part's 36 frames", ink_preview_get_n_frames (preview));
  test_ui_run_for (0.2);
  g_free (test_ui_save_png (GTK_WIDGET (window), tmpdir, "editor-clip.png"));
}

/* Real keys and wheel: the frame keys step the loop after a click on a button or a slider,
 * without moving the focus or the slider; the wheel over a slider without the focus scrolls
 * the panel and leaves the slider alone. */
static void
test_real_input (void)
{
  InkPreview *preview = ink_window_get_preview (window);
  GtkWidget *button = test_ui_find_labelled (GTK_WIDGET (window), "Select");
  GtkWidget *strength = panel_scale ("_Strength"), *weight, *scroller;
  GtkAdjustment *panel;
  double value, top;
  Window xid;

  g_assert_true (wait_for (idle_cond, window, 120));
  g_assert_nonnull (button);
  g_assert_nonnull (strength);
  xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window)));
  test_ui_x_pointer_to (GTK_WIDGET (preview));
  XSetInputFocus (x_display (), xid, RevertToParent, CurrentTime);
  action (window, "win.first-frame");

  gtk_widget_grab_focus (button);
  x_key (XK_Right);
  x_key (XK_Right);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, 2);
  g_assert_true (gtk_widget_has_focus (button));
  x_key (XK_Left);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, 1);

  gtk_widget_grab_focus (strength);
  value = gtk_range_get_value (GTK_RANGE (strength));
  x_key (XK_Right);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, 2);
  g_assert_cmpfloat (gtk_range_get_value (GTK_RANGE (strength)), ==, value);
  x_key (XK_End);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, ink_preview_get_n_frames (preview) - 1);

  /* The wheel over a slider that lacks the focus (the panel's first, in view at the top)
   * scrolls the panel. */
  gtk_widget_grab_focus (button);
  weight = panel_scale ("Line _weight");
  scroller = gtk_widget_get_ancestor (weight, GTK_TYPE_SCROLLED_WINDOW);
  panel = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (panel, 0.0);
  test_ui_run_for (0.2);
  value = gtk_range_get_value (GTK_RANGE (weight));
  test_ui_x_pointer_to (weight);
  top = gtk_adjustment_get_value (panel);
  x_wheel_down (3);
  g_test_message ("real input: wheel over Line weight moved the panel %.0f px, the slider %.3f",
                  gtk_adjustment_get_value (panel) - top,
                  gtk_range_get_value (GTK_RANGE (weight)) - value);
  g_assert_cmpfloat (gtk_range_get_value (GTK_RANGE (weight)), ==, value);
  g_assert_cmpfloat (gtk_adjustment_get_value (panel), >, top);
  gtk_adjustment_set_value (panel, 0.0);
}

/* Closing a window after its export window was used, then quitting: no double destroy (GTK's
 * criticals are fatal in these tests, through the end). */
static void
test_close_after_export_window (void)
{
  InkWindow *w = ink_window_new (GTK_APPLICATION (app));
  GtkWidget *dialog;

  gtk_window_present (GTK_WINDOW (w));
  ink_window_open_path (w, g_getenv ("INKLOOP_SAMPLE"));
  g_assert_true (wait_for (idle_cond, w, 120));
  action (w, "win.export");
  dialog = GTK_WIDGET (ink_window_get_export_dialog (w));
  g_assert_nonnull (dialog);
  test_ui_run_for (0.3);
  gtk_window_close (GTK_WINDOW (dialog));   /* hidden, kept for the next export */
  test_ui_run_for (0.2);
  action (w, "win.export");
  g_assert_true (GTK_WIDGET (ink_window_get_export_dialog (w)) == dialog);
  test_ui_run_for (0.3);
  gtk_window_close (GTK_WINDOW (w));
  test_ui_run_for (0.5);
  {
    GList *windows = gtk_window_list_toplevels ();
    g_assert_null (g_list_find (windows, dialog));
    g_list_free (windows);
  }
}

static void
narrow_report (GtkWidget *w, int depth)
{
  int m, n;

  gtk_widget_measure (w, GTK_ORIENTATION_HORIZONTAL, -1, &m, &n, NULL, NULL);
  if (m < 250 || depth > 7)
    return;
  g_test_message ("%*s%s %s: %d", 2 * depth, "", G_OBJECT_TYPE_NAME (w),
                  gtk_widget_get_css_classes (w)[0] ? gtk_widget_get_css_classes (w)[0] : "", m);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    narrow_report (c, depth + 1);
}

static const char *
orientation_name (void)
{
  return ink_window_get_views_orientation (window) == GTK_ORIENTATION_VERTICAL ? "stacked" : "side by side";
}

/* Resizes the window to WIDTH x HEIGHT and lets the panel fold or unfold and the views settle. */
static void
resize_to (int width, int height)
{
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  test_ui_run_for (1.0);
  g_assert_true (wait_for (idle_cond, window, 120));
  g_test_message ("window at %d x %d (%d x %d inside): views %s", width, height,
                  gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)),
                  orientation_name ());
}

/* The window fits half of a 1600 px screen: its minimum width, with a photo open, is at most
 * 800 px. There the panel folds away (the header's button brings it over the views); at full
 * size it stands beside them. */
static void
test_narrow (void)
{
  int minimum, natural;
  GtkWidget *flap = test_ui_find_tooltip (GTK_WIDGET (window), ADW_TYPE_FLAP, NULL);
  GtkWidget *toggle = test_ui_find_tooltip (GTK_WIDGET (window), GTK_TYPE_TOGGLE_BUTTON, "Show or hide the panel");
  GtkWidget *controls = GTK_WIDGET (ink_window_get_controls (window));

  g_assert_nonnull (flap);
  g_assert_nonnull (toggle);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural,
                      NULL, NULL);
  g_test_message ("window: minimum width %d px, natural %d px", minimum, natural);
  narrow_report (GTK_WIDGET (window), 0);
  g_assert_cmpint (minimum, <=, 800);

  /* 800 x 600: folded and hidden, the views have the whole width, and the landscape photo shows
   * larger beside its loop than above it. */
  resize_to (800, 600);
  g_assert_true (adw_flap_get_folded (ADW_FLAP (flap)));
  g_assert_false (adw_flap_get_reveal_flap (ADW_FLAP (flap)));
  g_assert_true (gtk_widget_get_visible (toggle));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_cmpint (ink_window_get_views_orientation (window), ==, GTK_ORIENTATION_HORIZONTAL);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (ink_window_get_preview (window))), >=, 380);
  g_free (test_ui_save_png (GTK_WIDGET (window), tmpdir, "editor-800x600.png"));
  /* The button shows the panel over the views, at its full width, and hides it again. */
  g_signal_emit_by_name (toggle, "clicked");
  test_ui_run_for (0.6);
  g_assert_true (adw_flap_get_reveal_flap (ADW_FLAP (flap)));
  g_assert_true (gtk_widget_get_mapped (controls));
  g_assert_cmpint (gtk_widget_get_width (controls), >=, 330);
  g_assert_nonnull (panel_scale ("Line _weight"));
  g_free (test_ui_save_png (GTK_WIDGET (window), tmpdir, "editor-800x600-panel.png"));
  g_signal_emit_by_name (toggle, "clicked");
  test_ui_run_for (0.6);
  g_assert_false (adw_flap_get_reveal_flap (ADW_FLAP (flap)));
  /* F9 does the same. */
  action (window, "win.toggle-panel");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  action (window, "win.toggle-panel");
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));

  /* 1600 x 1000: the panel beside the views, unfolded and shown again. */
  resize_to (1600, 1000);
  g_assert_false (adw_flap_get_folded (ADW_FLAP (flap)));
  g_assert_true (adw_flap_get_reveal_flap (ADW_FLAP (flap)));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_cmpint (gtk_widget_get_width (controls), >=, 330);
  g_free (test_ui_save_png (GTK_WIDGET (window), tmpdir, "editor-1600x1000.png"));

  /* A landscape photo in a wide, short window: side by side shows it larger. */
  resize_to (1500, 620);
  g_assert_cmpint (ink_window_get_views_orientation (window), ==, GTK_ORIENTATION_HORIZONTAL);
  /* Narrower and tall, the panel still beside the views: stacked shows it larger. */
  resize_to (900, 1000);
  g_assert_false (adw_flap_get_folded (ADW_FLAP (flap)));
  g_assert_cmpint (ink_window_get_views_orientation (window), ==, GTK_ORIENTATION_VERTICAL);
  /* Compare (one view) and back: the picture is fitted again each time, even after a zoom. */
  action (window, "win.zoom-in");
  g_assert_false (ink_viewport_get_fit (ink_window_get_viewport (window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.view-mode", "s", "compare"));
  g_assert_true (ink_viewport_get_fit (ink_window_get_viewport (window)));
  action (window, "win.zoom-in");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.view-mode", "s", "side"));
  g_assert_true (ink_viewport_get_fit (ink_window_get_viewport (window)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  test_ui_run_for (0.5);
}

static gboolean
device_known (gpointer data)
{
  return !g_str_has_prefix (ink_preferences_get_device_text (data), "Looking")
         && gtk_widget_get_width (data) > 0;
}

/* Preferences say which device the editor computes on, and what kind it is; the style row
 * switches between light, dark and the system's style at once. */
static void
test_preferences (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = ink_vk_list_devices (NULL, &error);
  g_autoptr (GSettings) settings = ink_application_new_settings ();
  InkPreferences *prefs = ink_preferences_new (GTK_WINDOW (window));
  GtkWidget *device = test_ui_find_tooltip (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, "The best Vulkan");
  GtkWidget *style = test_ui_find_tooltip (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, "Light or dark");
  AdwStyleManager *manager = adw_style_manager_get_default ();
  const InkVkDeviceInfo *chosen = NULL;
  g_autofree char *scheme = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (device);
  g_assert_nonnull (style);
  for (guint i = 0; i < list->len; i++)
    if (((InkVkDeviceInfo *) g_ptr_array_index (list, i))->chosen)
      chosen = g_ptr_array_index (list, i);
  g_assert_nonnull (chosen);
  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (wait_for (device_known, prefs, 30));
  g_test_message ("preferences: %s", ink_preferences_get_device_text (prefs));
  g_assert_nonnull (strstr (ink_preferences_get_device_text (prefs), chosen->name));
  if (g_str_equal (chosen->type, "cpu"))
    g_assert_nonnull (strstr (ink_preferences_get_device_text (prefs), "software Vulkan"));
  g_free (test_ui_save_png (GTK_WIDGET (prefs), tmpdir, "preferences.png"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (device), 1);
  g_assert_nonnull (strstr (ink_preferences_get_device_text (prefs), "without Vulkan"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (device), 0);
  g_assert_nonnull (strstr (ink_preferences_get_device_text (prefs), chosen->name));

  /* Dark, then light, then the system's again: stored, and applied by the application. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (style)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (style), 2);
  test_ui_run_for (1.0);   /* restyled and laid out again */
  scheme = g_settings_get_string (settings, "color-scheme");
  g_assert_cmpstr (scheme, ==, "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (manager));
  g_free (test_ui_save_png (GTK_WIDGET (prefs), tmpdir, "preferences-dark.png"));
  g_free (test_ui_save_png (GTK_WIDGET (window), tmpdir, "editor-dark.png"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (style), 1);
  test_ui_run_for (0.1);
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_false (adw_style_manager_get_dark (manager));
  adw_combo_row_set_selected (ADW_COMBO_ROW (style), 0);
  test_ui_run_for (0.1);
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (prefs));
}

/* About: an AdwAboutWindow with the version, the licence and the contributors. */
static void
test_about (void)
{
  AdwAboutWindow *about = NULL;
  GList *windows;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  windows = gtk_window_list_toplevels ();
  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_ABOUT_WINDOW (l->data))
      about = l->data;
  g_list_free (windows);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Inkloop");
  g_assert_cmpstr (adw_about_window_get_version (about), ==, INK_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "Inkloop contributors");
  g_assert_cmpstr (adw_about_window_get_website (about), ==, "https://github.com/inkloop/inkloop");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) != NULL);
  g_assert_true (wait_for (mapped_cond, about, 10));
  g_free (test_ui_save_png (GTK_WIDGET (about), tmpdir, "about.png"));
  gtk_window_destroy (GTK_WINDOW (about));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettings) settings = NULL;
  static const char *const motion[] = { "frames=6", NULL };
  int status;

  /* The learned generator's model: a tiny one, so its test is quick (before any thread). */
  {
    g_autofree char *model = g_build_filename (INK_SOURCE_DATADIR, "..", "tests", "data",
                                              "network", "generator-tiny.safetensors", NULL);
    g_setenv ("INKLOOP_MODEL", model, TRUE);
  }
  tmpdir = g_dir_make_tmp ("inkloop-motion-XXXXXX", &error);
  g_assert_no_error (error);
  /* The autosave goes to the cache folder: a private one, whatever the isolation does. */
  {
    g_autofree char *cache = g_build_filename (tmpdir, "cache", NULL);
    g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  }
  gtk_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ink_application_init_resources ();
  /* A small, short preview keeps the test quick. */
  settings = ink_application_new_settings ();
  g_settings_set_int (settings, "preview-size", PREVIEW_EDGE);
  g_settings_set_strv (settings, "motion", motion);

  app = ink_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = ink_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/motion-editing/tools-undo-redo", test_tools);
  g_test_add_func ("/motion-editing/save-reopen", test_save_reopen);
  g_test_add_func ("/motion-editing/recent", test_recent);
  g_test_add_func ("/motion-editing/preferences", test_preferences);
  g_test_add_func ("/motion-editing/about", test_about);
  g_test_add_func ("/motion-editing/real-input", test_real_input);
  g_test_add_func ("/motion-editing/narrow", test_narrow);
  g_test_add_func ("/motion-editing/close-after-export-window", test_close_after_export_window);
  g_test_add_func ("/motion-editing/keep-units", test_keep_units);
  g_test_add_func ("/motion-editing/another-photo", test_another_photo);
  g_test_add_func ("/motion-editing/cli-render", test_cli_render);
  g_test_add_func ("/motion-editing/close-asks", test_close_asks);
  g_test_add_func ("/motion-editing/autosave-restore", test_autosave_restore);
  g_test_add_func ("/motion-editing/moved-photo", test_moved_photo);
  g_test_add_func ("/motion-editing/generator", test_generator);
  g_test_add_func ("/motion-editing/clip", test_clip);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (app);
  ink_motion_hints_free (&edited);
  {
    g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);
        g_unlink (p);
      }
  }
  {
    g_autofree char *cache = g_build_filename (tmpdir, "cache", NULL);
    const char *rm[] = { "rm", "-rf", cache, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (project_path);
  return status;
}
