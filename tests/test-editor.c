/* test-editor.c: the editor under Xvfb: first loop, a control changes the preview, frame stepping, GIF export and its toast, a corrupt photo, 30 regenerations; saves a screenshot. */
#include "ink-config.h"

#include <glib/gstdio.h>
#include <adwaita.h>
#include <string.h>
#include <X11/extensions/XTest.h>

#include "ink-application.h"
#include "ink-window.h"
#include "test-ui-common.h"

static InkApplication *app;
static InkWindow *window;
static char *tmpdir;

/* Frame-clock gaps: the longest time between two ticks while MEASURING. */
static gboolean measuring;
static gint64 last_tick, max_gap_us;

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  (void) widget, (void) clock, (void) data;
  if (measuring && last_tick != 0)
    max_gap_us = MAX (max_gap_us, now - last_tick);
  last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
start_measuring (void)
{
  max_gap_us = 0;
  last_tick = 0;
  measuring = TRUE;
}

static double
stop_measuring (void)
{
  measuring = FALSE;
  return max_gap_us / 1000.0;
}

#define wait_for test_ui_wait_for
#define run_for test_ui_run_for
#define render_widget test_ui_render_widget

static gboolean
idle_cond (gpointer data)
{
  (void) data;
  return ink_window_is_idle (window) && ink_preview_get_n_frames (ink_window_get_preview (window)) > 0;
}



/* Mean absolute difference of two renderings of the preview, 0 .. 255. */
static double
preview_difference (const guint8 *a, const guint8 *b, int width, int height)
{
  double sum = 0;
  gsize n = (gsize) width * height;

  for (gsize i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      sum += abs ((int) a[i * 4 + c] - (int) b[i * 4 + c]);
  return sum / (n * 3.0);
}

static guint8 *
render_preview_frame (int frame, int *width, int *height)
{
  InkPreview *preview = ink_window_get_preview (window);

  ink_preview_set_playing (preview, FALSE);
  ink_preview_set_frame (preview, frame);
  run_for (0.1);
  return render_widget (GTK_WIDGET (preview), width, height);
}

static gsize
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line ? (gsize) g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

/* Tests -------------------------------------------------------------------------------------- */

static void
test_first_loop (void)
{
  const char *sample = g_getenv ("INKLOOP_SAMPLE");
  InkPreview *preview = ink_window_get_preview (window);
  g_autofree guint8 *pixels = NULL;
  int w, h;
  double gap;

  g_assert_nonnull (sample);
  ink_window_open_path (window, sample);
  start_measuring ();
  g_assert_true (wait_for (idle_cond, NULL, 120));
  gap = stop_measuring ();
  g_test_message ("first loop: worst frame-clock gap %.1f ms (includes device start-up)", gap);
  g_assert_cmpstr (ink_document_get_path (ink_window_get_document (window)), !=, NULL);
  g_assert_cmpint (ink_preview_get_n_frames (preview), ==, 24);
  g_assert_false (ink_window_get_message (window, NULL));

  /* The preview shows a picture, not the empty canvas. */
  pixels = render_preview_frame (0, &w, &h);
  {
    guint8 lo = 255, hi = 0;
    for (gsize i = 0; i < (gsize) w * h * 4; i += 4)
      lo = MIN (lo, pixels[i + 1]), hi = MAX (hi, pixels[i + 1]);
    g_assert_cmpint (hi - lo, >, 100);
  }
}

static void
test_control_changes_preview (void)
{
  InkControls *controls = ink_window_get_controls (window);
  InkDocument *document = ink_window_get_document (window);
  GtkWidget *scale = ink_controls_get_control (controls, "line-weight");
  g_autofree guint8 *before = NULL, *after = NULL;
  int w, h, w2, h2;
  double diff, gap;

  g_assert_true (GTK_IS_RANGE (scale));
  before = render_preview_frame (0, &w, &h);
  start_measuring ();
  gtk_range_set_value (GTK_RANGE (scale), 6.0);
  g_assert_cmpfloat_with_epsilon (ink_document_get_value (document, "line-weight"), 6.0, 1e-6);
  g_assert_false (ink_window_is_idle (window));
  g_assert_true (wait_for (idle_cond, NULL, 60));
  gap = stop_measuring ();
  after = render_preview_frame (0, &w2, &h2);
  g_assert_cmpint (w, ==, w2);
  g_assert_cmpint (h, ==, h2);
  diff = preview_difference (before, after, w, h);
  g_test_message ("line weight 2 -> 6: preview differs by %.2f (mean |d| of 255); first frame on "
                  "screen %.0f ms after the change, the whole loop %.0f ms; worst frame-clock gap "
                  "%.1f ms", diff, ink_window_get_last_first_frame_ms (window),
                  ink_window_get_last_latency_ms (window), gap);
  g_assert_cmpfloat (diff, >, 1.0);

  /* The reset button returns the preset's value. */
  ink_document_reset_value (document, "line-weight");
  g_assert_cmpfloat (gtk_range_get_value (GTK_RANGE (scale)), ==,
                     ink_document_get_base_value (document, "line-weight"));
  g_assert_true (wait_for (idle_cond, NULL, 60));
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static guint first_shown;   /* serial of the last "first-frame-shown" */

static void
on_first_frame_shown (InkPreview *preview, guint serial, gpointer data)
{
  (void) preview, (void) data;
  first_shown = serial;
}

static gboolean
request_first_shown (gpointer data)
{
  (void) data;
  return first_shown == ink_window_get_request_serial (window);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return values->len == 0 ? 0.0 : g_array_index (values, double, (values->len - 1) / 2);
}

/* The line weight is no longer *DATA (which takes the new value). */
static gboolean
value_moved (gpointer data)
{
  double *value = data, now = ink_document_get_value (ink_window_get_document (window), "line-weight");

  if (now == *value)
    return FALSE;
  *value = now;
  return TRUE;
}

/* Line weight dragged with the pointer (XTest): while it is held each change shows a draft (one
 * frame, the photo at most 320 px) at once; on release the whole loop comes at full size. */
static void
test_drag_slider (void)
{
  InkControls *controls = ink_window_get_controls (window);
  InkPreview *preview = ink_window_get_preview (window);
  InkDocument *document = ink_window_get_document (window);
  GtkWidget *scale = ink_controls_get_control (controls, "line-weight");
  Display *x = test_ui_x_display (scale);
  g_autoptr (GArray) drafts = g_array_new (FALSE, FALSE, sizeof (double));
  gulong id = g_signal_connect (preview, "first-frame-shown", G_CALLBACK (on_first_frame_shown), NULL);
  double start = ink_document_get_value (document, "line-weight"), weight = start, gap;
  int full_w, full_h, w, h, px, py;

  g_assert_true (wait_for (idle_cond, NULL, 60));
  ink_preview_get_size (preview, &full_w, &full_h);
  test_ui_x_point (scale, 0.2, 0.5, &px, &py);
  XTestFakeMotionEvent (x, -1, px, py, 0);
  XTestFakeButtonEvent (x, 1, True, 0);
  XFlush (x);
  start_measuring ();
  g_assert_true (wait_for (value_moved, &weight, 10));
  g_assert_true (wait_for (request_first_shown, NULL, 30));
  g_assert_true (ink_controls_get_adjusting (controls));
  for (int i = 1; i <= 6; i++)
    {
      double ms;

      test_ui_x_point (scale, 0.2 + 0.1 * i, 0.5, &px, &py);
      XTestFakeMotionEvent (x, -1, px, py, 0);
      XFlush (x);
      g_assert_true (wait_for (value_moved, &weight, 10));
      g_assert_true (wait_for (request_first_shown, NULL, 30));
      /* A step slower than the settling time (a loaded machine) brings the whole loop between
       * drafts; the drafts are what is measured. */
      if (!ink_window_get_request_is_draft (window))
        continue;
      ms = ink_window_get_last_first_frame_ms (window);
      g_array_append_val (drafts, ms);
      ink_preview_get_size (preview, &w, &h);
      g_assert_cmpint (MAX (w, h), <=, 320);
      g_assert_cmpint (MAX (w, h), <, MAX (full_w, full_h));
    }
  g_assert_cmpuint (drafts->len, >, 0);
  g_assert_cmpfloat (ink_document_get_value (document, "line-weight"), >, start);
  XTestFakeButtonEvent (x, 1, False, 0);
  XFlush (x);
  g_assert_true (wait_for (idle_cond, NULL, 60));
  gap = stop_measuring ();
  g_assert_false (ink_controls_get_adjusting (controls));
  ink_preview_get_size (preview, &w, &h);
  g_assert_cmpint (w, ==, full_w);
  g_assert_cmpint (h, ==, full_h);
  g_test_message ("slider drag: %u drafts, change to draft on screen median %.0f ms; on release "
                  "first frame %.0f ms, whole loop %.0f ms; worst frame-clock gap %.1f ms",
                  drafts->len, median (drafts), ink_window_get_last_first_frame_ms (window),
                  ink_window_get_last_latency_ms (window), gap);
  g_signal_handler_disconnect (preview, id);
  ink_document_reset_value (document, "line-weight");
  g_assert_true (wait_for (idle_cond, NULL, 60));
}

static void
test_step_frames (void)
{
  InkPreview *preview = ink_window_get_preview (window);
  InkTransport *transport = ink_window_get_transport (window);
  GtkWidget *widget = GTK_WIDGET (window);
  int n = ink_preview_get_n_frames (preview), w, h;
  g_autofree guint8 *first = NULL, *second = NULL;

  g_assert_true (gtk_widget_activate_action (widget, "win.first-frame", NULL));
  g_assert_false (ink_preview_get_playing (preview));
  g_assert_cmpint (ink_preview_get_frame (preview), ==, 0);
  g_assert_cmpstr (ink_transport_get_frame_text (transport), ==, "1 / 24");
  first = render_widget (GTK_WIDGET (preview), &w, &h);
  gtk_widget_activate_action (widget, "win.next-frame", NULL);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, 1);
  g_assert_cmpstr (ink_transport_get_frame_text (transport), ==, "2 / 24");
  run_for (0.1);
  second = render_widget (GTK_WIDGET (preview), &w, &h);
  g_assert_cmpfloat (preview_difference (first, second, w, h), >, 0.01);
  gtk_widget_activate_action (widget, "win.previous-frame", NULL);
  gtk_widget_activate_action (widget, "win.previous-frame", NULL);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, n - 1);   /* wraps around */
  gtk_widget_activate_action (widget, "win.first-frame", NULL);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, 0);
  gtk_widget_activate_action (widget, "win.last-frame", NULL);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, n - 1);
  g_assert_cmpstr (ink_transport_get_frame_text (transport), ==, "24 / 24");
  gtk_widget_activate_action (widget, "win.play", NULL);
  g_assert_true (ink_preview_get_playing (preview));
  run_for (0.5);   /* 12 fps: several frames pass */
  g_assert_cmpint (ink_preview_get_frame (preview), !=, n - 1);
}

static gboolean finished, finished_ok;

static void
on_finished (InkExportDialog *dialog, gboolean ok, const char *path, const char *message, gpointer data)
{
  (void) dialog, (void) path, (void) data;
  finished = TRUE;
  finished_ok = ok;
  g_test_message ("export: %s", message ? message : "(cancelled)");
}

static gboolean
finished_cond (gpointer data)
{
  (void) data;
  return finished;
}

/* Walks a GIF's blocks: its size, its frames, and whether it loops. */
static void
check_gif (const char *path, int want_width, int want_height, int want_frames)
{
  g_autofree guint8 *data = NULL;
  gsize size, p;
  int frames = 0;
  gboolean loops = FALSE;

  g_assert_true (g_file_get_contents (path, (char **) &data, &size, NULL));
  g_assert_cmpuint (size, >, 13);
  g_assert_cmpint (memcmp (data, "GIF89a", 6), ==, 0);
  g_assert_cmpint (data[6] | data[7] << 8, ==, want_width);
  g_assert_cmpint (data[8] | data[9] << 8, ==, want_height);
  p = 13;
  if (data[10] & 0x80)
    p += 3u << ((data[10] & 7) + 1);
  for (;;)
    {
      g_assert_cmpuint (p, <, size);
      if (data[p] == 0x3B)   /* trailer */
        break;
      if (data[p] == 0x21)   /* extension: label, then sub-blocks */
        {
          if (data[p + 1] == 0xFF && p + 14 < size && memcmp (data + p + 3, "NETSCAPE2.0", 11) == 0)
            loops = TRUE;
          p += 2;
        }
      else
        {
          g_assert_cmpint (data[p], ==, 0x2C);   /* an image */
          frames++;
          {
            guint8 flags = data[p + 9];
            p += 10;
            if (flags & 0x80)
              p += 3u << ((flags & 7) + 1);
          }
          p++;   /* LZW minimum code size */
        }
      while (p < size && data[p] != 0)
        p += data[p] + 1;
      p++;
    }
  g_assert_cmpint (frames, ==, want_frames);
  g_assert_true (loops);
}

static void
test_export_gif (void)
{
  InkExportDialog *dialog;
  g_autofree char *path = g_build_filename (tmpdir, "loop.gif", NULL);
  InkExportParams params;
  double fps, gap;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  dialog = ink_window_get_export_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  ink_export_dialog_apply_preset (dialog, "discord");
  ink_export_dialog_get_params (dialog, &params, &fps);
  g_assert_cmpint (params.format, ==, INK_FORMAT_GIF);
  /* Discord's 800 px caps the size; the 600 px sample is not scaled up. */
  g_assert_cmpint (params.long_edge, ==, 0);
  g_assert_cmpint (params.max_bytes, ==, 10000000);
  g_assert_cmpint (params.colors, ==, 256);
  g_assert_true (ink_export_params_validate (&params, NULL));
  ink_export_dialog_set_path (dialog, path);
  run_for (0.3);
  g_free (test_ui_save_png (GTK_WIDGET (dialog), tmpdir, "export-dialog.png"));
  g_signal_connect (dialog, "finished", G_CALLBACK (on_finished), NULL);
  start_measuring ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.start", NULL));
  g_assert_true (ink_export_dialog_get_running (dialog));
  /* The site buttons wait for the export, as the settings do. */
  g_assert_false (gtk_widget_is_sensitive (test_ui_find_labelled (GTK_WIDGET (dialog), "Discord")));
  ink_export_dialog_apply_preset (dialog, "mastodon");
  {
    InkExportParams now;
    double now_fps;
    ink_export_dialog_get_params (dialog, &now, &now_fps);
    g_assert_cmpint (now.format, ==, INK_FORMAT_GIF);
  }
  /* The window stays usable while exporting. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-frame", NULL));
  g_assert_true (wait_for (finished_cond, NULL, 300));
  gap = stop_measuring ();
  g_test_message ("export: worst frame-clock gap %.1f ms", gap);
  g_assert_true (finished_ok);
  /* The window says so in a toast, not the banner, with a button that opens the folder. */
  g_assert_false (ink_window_get_message (window, NULL));
  {
    GtkWidget *overlay = test_ui_find_tooltip (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY, NULL);
    GtkWidget *open_folder;
    g_autofree char *folder_uri = g_filename_to_uri (tmpdir, NULL, NULL);
    GVariant *target;

    g_assert_nonnull (overlay);
    g_assert_nonnull (test_ui_find_labelled (overlay, "Exported loop.gif"));
    open_folder = test_ui_find_labelled (overlay, "Open Folder");
    g_assert_true (GTK_IS_ACTIONABLE (open_folder));
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (open_folder)), ==, "app.open-folder");
    target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (open_folder));
    g_assert_nonnull (target);
    g_assert_cmpstr (g_variant_get_string (target, NULL), ==, folder_uri);
    test_ui_run_for (0.5);   /* the toast slides in */
    g_free (test_ui_save_png (GTK_WIDGET (window), tmpdir, "editor-exported.png"));
  }
  check_gif (path, 600, 400, 24);
  g_assert_true (gtk_widget_is_sensitive (test_ui_find_labelled (GTK_WIDGET (dialog), "Discord")));
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
test_corrupt_image (void)
{
  static const char garbage[] = "\x89PNG\r\n\x1a\n this is not a picture at all";
  g_autofree char *path = g_build_filename (tmpdir, "broken.png", NULL);
  InkDocument *document = ink_window_get_document (window);
  g_autofree char *before = g_strdup (ink_document_get_path (document));
  const char *message = NULL;
  InkPreview *preview = ink_window_get_preview (window);

  g_assert_true (g_file_set_contents (path, garbage, sizeof garbage - 1, NULL));
  ink_window_open_path (window, path);
  g_assert_true (wait_for (idle_cond, NULL, 30));
  g_assert_true (ink_window_get_message (window, &message));
  g_test_message ("corrupt photo: %s", message);
  g_assert_nonnull (strstr (message, "broken.png"));
  g_assert_cmpstr (ink_document_get_path (document), ==, before);
  g_assert_cmpint (ink_preview_get_n_frames (preview), ==, 24);
  /* Still working. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.first-frame", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.next-frame", NULL);
  g_assert_cmpint (ink_preview_get_frame (preview), ==, 1);
  ink_document_set_value (document, "colors", 8);
  g_assert_true (wait_for (idle_cond, NULL, 60));
  /* A missing file, too. */
  ink_window_open_path (window, "/nonexistent/photo.jpg");
  g_assert_true (wait_for (idle_cond, NULL, 30));
  g_assert_true (ink_window_get_message (window, &message));
  g_assert_nonnull (strstr (message, "photo.jpg"));
  g_assert_cmpstr (ink_document_get_path (document), ==, before);
}

#define N_REGENERATIONS 30

static void
test_regenerations (void)
{
  InkDocument *document = ink_window_get_document (window);
  GArray *latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) firsts = g_array_new (FALSE, FALSE, sizeof (double));
  gsize rss_10 = 0, rss_last;
  double gap;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.play", NULL);
  start_measuring ();
  /* 30, not 100: on a machine where a 640 px loop takes 1.2 s in the CLI, a regeneration while
   * the preview plays takes about 9 s, and 100 of them outlast the test's time. */
  for (int i = 1; i <= N_REGENERATIONS; i++)
    {
      double latency, first;
      ink_document_set_value (document, "line-sensitivity", 0.3 + 0.4 * (i % 2));
      g_assert_true (wait_for (idle_cond, NULL, 60));
      latency = ink_window_get_last_latency_ms (window);
      first = ink_window_get_last_first_frame_ms (window);
      g_array_append_val (latencies, latency);
      g_array_append_val (firsts, first);
      if (i == 10)
        rss_10 = rss_kb ();
    }
  gap = stop_measuring ();
  rss_last = rss_kb ();
  g_array_sort (latencies, compare_doubles);
  g_test_message ("%d regenerations: change to first frame on screen median %.0f ms; to the "
                  "whole loop median %.0f ms, 90th %.0f ms, max %.0f ms; worst frame-clock gap "
                  "%.1f ms; RSS after 10: %zu MB, after %d: %zu MB",
                  N_REGENERATIONS, median (firsts),
                  g_array_index (latencies, double, N_REGENERATIONS / 2 - 1),
                  g_array_index (latencies, double, N_REGENERATIONS * 9 / 10 - 1),
                  g_array_index (latencies, double, N_REGENERATIONS - 1), gap, rss_10 / 1024,
                  N_REGENERATIONS, rss_last / 1024);
  /* Flat memory: 20 more loops (26 MB of frames each) add less than two loops' worth. */
  g_assert_cmpuint (rss_last, <, rss_10 + 60 * 1024);
  g_array_unref (latencies);
}

static void
test_screenshot (void)
{
  g_autofree char *path = NULL;

  /* A clean window: the sample again (which also clears the last message), parameters reset. */
  ink_window_open_path (window, g_getenv ("INKLOOP_SAMPLE"));
  g_assert_true (wait_for (idle_cond, NULL, 60));
  g_assert_false (ink_window_get_message (window, NULL));
  ink_document_reset_value (ink_window_get_document (window), "colors");
  ink_document_reset_value (ink_window_get_document (window), "line-sensitivity");
  g_assert_true (wait_for (idle_cond, NULL, 60));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.first-frame", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.next-frame", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.next-frame", NULL);
  run_for (0.3);
  path = test_ui_save_png (GTK_WIDGET (window), tmpdir, "editor-window.png");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  gtk_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ink_application_init_resources ();
  tmpdir = g_dir_make_tmp ("inkloop-editor-XXXXXX", &error);
  g_assert_no_error (error);

  app = ink_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = ink_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_add_tick_callback (GTK_WIDGET (window), on_tick, NULL, NULL);

  g_test_add_func ("/editor/first-loop", test_first_loop);
  g_test_add_func ("/editor/control-changes-preview", test_control_changes_preview);
  g_test_add_func ("/editor/drag-slider", test_drag_slider);
  g_test_add_func ("/editor/step-frames", test_step_frames);
  g_test_add_func ("/editor/export-gif", test_export_gif);
  g_test_add_func ("/editor/corrupt-image", test_corrupt_image);
  g_test_add_func ("/editor/regenerations", test_regenerations);
  g_test_add_func ("/editor/screenshot", test_screenshot);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (app);
  {
    g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);
  return status;
}
