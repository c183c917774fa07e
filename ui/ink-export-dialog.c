/* ink-export-dialog.c: the export window: settings, destination, progress with cancel; the export runs in a worker with its own stylizer. */
/* Over 600 lines on purpose: the settings, the destination and the running export all read and
 * write the same controls (a running export freezes them and drives the progress bar), so they
 * stay one widget. Sections: settings, destination, the export, GObject. */
#include "ink-config.h"

#include "ink-export-dialog.h"

#include <glib/gi18n.h>
#include <string.h>
#include <math.h>

#include "ink-loop-worker.h"
#include "output-path.h"
#include "stylize.h"

typedef enum { SIZE_SOURCE, SIZE_LONG_EDGE, SIZE_PERCENT } SizeMode;

static const char *const size_mode_ids[] = { "source", "long-edge", "percent", NULL };

/* One export, shared by the dialog and the worker thread. */
typedef struct
{
  InkSource *source;
  InkStyleParams style;
  InkMotionParams motion;
  InkMotionHints *hints;
  gboolean is_clip;         /* SOURCE is a clip: its part CLIP is exported */
  InkClipRange clip;
  InkExportParams params;
  char *path;
  char *device;
  GCancellable *cancellable;
  GMainContext *context;
  GWeakRef dialog;
  gint permille;            /* progress, atomic */
  gint update_pending;      /* a progress update is queued on the main loop, atomic */
  InkExportResult result;
} ExportJob;

struct _InkExportDialog
{
  GtkWindow parent_instance;

  GtkWidget *close_button;
  GtkWidget *export_button;
  GtkWidget *presets_box;
  GtkWidget *format_label;
  GtkWidget *format_dropdown;
  GtkWidget *size_label;
  GtkWidget *size_dropdown;
  GtkWidget *size_spin;
  GtkAdjustment *size_adjustment;
  GtkWidget *size_result;
  GtkWidget *fps_label;
  GtkWidget *fps_spin;
  GtkWidget *quality_label;
  GtkWidget *quality_scale;
  GtkWidget *dither_label;
  GtkWidget *dither_dropdown;
  GtkWidget *colors_label;
  GtkWidget *colors_spin;
  GtkWidget *limit_label;
  GtkWidget *limit_spin;
  GtkWidget *limit_unit;
  GtkWidget *repeat_label;
  GtkWidget *repeat_spin;
  GtkWidget *destination_button;
  GtkWidget *destination_label;
  GtkWidget *progress_box;
  GtkWidget *progress_bar;
  GtkWidget *status_label;
  GtkWidget *grid;

  InkDocument *document;
  GSettings *settings;
  char *device;
  char *path;
  ExportJob *job;              /* the running export, NULL when none */
  GtkNativeDialog *chooser;
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (InkExportDialog, ink_export_dialog, GTK_TYPE_WINDOW)

enum { FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
job_clear (gpointer data)
{
  ExportJob *job = data;

  g_clear_pointer (&job->source, ink_source_unref);
  ink_motion_hints_free (&job->hints);
  g_free (job->path);
  g_free (job->device);
  g_clear_object (&job->cancellable);
  g_main_context_unref (job->context);
  g_weak_ref_clear (&job->dialog);
  ink_export_result_clear (&job->result);
}

static void
job_unref (ExportJob *job)
{
  g_atomic_rc_box_release_full (job, job_clear);
}

/* Settings <-> controls ---------------------------------------------------------------------- */

/* The registry's export entry KEY: labels, ranges, and the names the settings store. */
static const InkParamSpec *
export_spec (const char *key)
{
  guint n;
  const InkParamSpec *specs = ink_export_param_specs (&n);
  const InkParamSpec *spec = ink_params_find (specs, n, key);

  g_assert (spec != NULL);
  return spec;
}

static int
index_of (const char *const *ids, const char *id)
{
  for (int i = 0; ids[i] != NULL; i++)
    if (g_str_equal (ids[i], id))
      return i;
  return 0;
}

static void
source_size (InkExportDialog *self, int *w, int *h)
{
  InkSource *source = ink_document_get_source (self->document);

  *w = source ? source->image->width : 0;
  *h = source ? source->image->height : 0;
}

/* The long edge to ask the engine for (0: the photo's size). */
static int
wanted_long_edge (InkExportDialog *self)
{
  int w, h;
  SizeMode mode = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->size_dropdown));
  int value = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->size_spin));

  source_size (self, &w, &h);
  switch (mode)
    {
    case SIZE_SOURCE: return 0;
    case SIZE_LONG_EDGE: return CLAMP (value, 1, INK_IMAGE_MAX_SIDE);
    case SIZE_PERCENT:
    default:
      return CLAMP ((int) lround (MAX (w, h) * value / 100.0), 1, INK_IMAGE_MAX_SIDE);
    }
}

static void
update_sensitivity (InkExportDialog *self)
{
  InkExportFormat format = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format_dropdown));
  SizeMode mode = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->size_dropdown));
  gboolean quality = format == INK_FORMAT_GIF || format == INK_FORMAT_MP4 || format == INK_FORMAT_WEBP;
  gboolean gif = format == INK_FORMAT_GIF;
  gboolean limit = gif || format == INK_FORMAT_WEBP;
  gboolean mp4 = format == INK_FORMAT_MP4;
  gboolean running = self->job != NULL;
  int w, h, edge = wanted_long_edge (self);
  g_autofree char *size_text = NULL;

  gtk_widget_set_sensitive (self->quality_label, quality);
  gtk_widget_set_sensitive (self->quality_scale, quality);
  gtk_widget_set_sensitive (self->dither_label, gif);
  gtk_widget_set_sensitive (self->dither_dropdown, gif);
  gtk_widget_set_sensitive (self->colors_label, gif);
  gtk_widget_set_sensitive (self->colors_spin, gif);
  gtk_widget_set_sensitive (self->limit_label, limit);
  gtk_widget_set_sensitive (self->limit_spin, limit);
  /* Repeats are for a loop; a clip plays once. */
  mp4 = mp4 && ink_document_get_clip (self->document) == NULL;
  gtk_widget_set_sensitive (self->repeat_label, mp4);
  gtk_widget_set_sensitive (self->repeat_spin, mp4);
  gtk_widget_set_visible (self->size_spin, mode != SIZE_SOURCE);
  gtk_widget_set_sensitive (self->grid, !running);
  gtk_widget_set_sensitive (self->presets_box, !running);
  gtk_widget_set_sensitive (self->export_button, !running && self->path != NULL
                                                   && ink_document_get_source (self->document) != NULL);

  source_size (self, &w, &h);
  if (w > 0)
    {
      double s = edge == 0 ? 1.0 : edge / (double) MAX (w, h);
      /* TRANSLATORS: the size of the exported frames in pixels */
      size_text = g_strdup_printf (_("%d × %d px"), MAX (1, (int) lround (w * s)), MAX (1, (int) lround (h * s)));
    }
  gtk_label_set_text (GTK_LABEL (self->size_result), size_text ? size_text : "");
}

static void
update_destination_label (InkExportDialog *self)
{
  g_autofree char *display = NULL;

  if (self->path != NULL)
    {
      g_autofree char *base = g_path_get_basename (self->path);
      g_autofree char *dir = g_path_get_dirname (self->path);
      g_autofree char *dir_display = g_filename_display_name (dir);
      g_autofree char *base_display = g_filename_display_name (base);
      display = g_strdup_printf ("%s — %s", base_display, dir_display);
    }
  gtk_label_set_text (GTK_LABEL (self->destination_label), display ? display : _("Choose…"));
}

/* Replaces the path's extension with the one FORMAT writes (a folder for PNG frames). */
static void
retarget_path (InkExportDialog *self)
{
  InkExportFormat format = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format_dropdown));
  g_autofree char *dir = NULL, *base = NULL, *stem = NULL;
  char *dot;

  if (self->path == NULL)
    return;
  dir = g_path_get_dirname (self->path);
  base = g_path_get_basename (self->path);
  dot = strrchr (base, '.');
  stem = dot != NULL && dot != base ? g_strndup (base, dot - base) : g_strdup (base);
  g_free (self->path);
  self->path = g_strconcat (dir, G_DIR_SEPARATOR_S, stem, ink_export_format_extension (format), NULL);
  update_destination_label (self);
}

static void
save_settings (InkExportDialog *self)
{
  InkExportFormat format = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format_dropdown));
  SizeMode mode = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->size_dropdown));
  int value = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->size_spin));

  if (self->loading || self->settings == NULL)
    return;
  g_settings_set_string (self->settings, "export-format", export_spec ("format")->choices[format]);
  g_settings_set_string (self->settings, "export-size-mode", size_mode_ids[mode]);
  if (mode == SIZE_LONG_EDGE)
    g_settings_set_int (self->settings, "export-long-edge", CLAMP (value, 16, INK_IMAGE_MAX_SIDE));
  else if (mode == SIZE_PERCENT)
    g_settings_set_int (self->settings, "export-percent", CLAMP (value, 1, 400));
  g_settings_set_int (self->settings, "export-quality",
                      (int) gtk_range_get_value (GTK_RANGE (self->quality_scale)));
  g_settings_set_string (self->settings, "export-dither",
                         export_spec ("dither")->choices[gtk_drop_down_get_selected (GTK_DROP_DOWN (self->dither_dropdown))]);
  g_settings_set_int (self->settings, "export-repeat",
                      gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->repeat_spin)));
  g_settings_set_int (self->settings, "export-colors",
                      gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->colors_spin)));
  g_settings_set_double (self->settings, "export-max-mb",
                         gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->limit_spin)));
}

static void
set_size_mode (InkExportDialog *self, SizeMode mode)
{
  gboolean percent = mode == SIZE_PERCENT;

  self->loading = TRUE;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->size_dropdown), mode);
  gtk_adjustment_configure (self->size_adjustment,
                            self->settings == NULL ? 1080
                              : g_settings_get_int (self->settings, percent ? "export-percent" : "export-long-edge"),
                            percent ? 1 : 16, percent ? 400 : export_spec ("long-edge")->max,
                            percent ? 5 : export_spec ("long-edge")->step, percent ? 25 : 100, 0);
  self->loading = FALSE;
}

static void
on_control_changed (InkExportDialog *self)
{
  save_settings (self);
  update_sensitivity (self);
}

static void
on_format_changed (InkExportDialog *self)
{
  retarget_path (self);
  on_control_changed (self);
}

static void
on_size_mode_changed (InkExportDialog *self)
{
  if (self->loading)
    return;
  set_size_mode (self, gtk_drop_down_get_selected (GTK_DROP_DOWN (self->size_dropdown)));
  on_control_changed (self);
}

void
ink_export_dialog_set_format (InkExportDialog *self, InkExportFormat format)
{
  g_return_if_fail (format < INK_FORMAT_COUNT);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->format_dropdown), format);
}

void
ink_export_dialog_apply_preset (InkExportDialog *self, const char *preset)
{
  struct { const char *name; InkExportFormat format; int edge; int quality; double mb; } presets[] = {
    { "mastodon", INK_FORMAT_MP4, 1280, 70, 0 },
    { "x", INK_FORMAT_GIF, 1080, 90, 15 },
    { "discord", INK_FORMAT_GIF, 800, 90, 10 },
  };

  /* A running export's settings stay as they were started. */
  if (self->job != NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].name, preset))
      {
        int w, h;

        ink_export_dialog_set_format (self, presets[i].format);
        /* The site's size caps the photo's; a smaller photo is never scaled up. */
        source_size (self, &w, &h);
        if (w > 0 && MAX (w, h) <= presets[i].edge)
          set_size_mode (self, SIZE_SOURCE);
        else
          {
            set_size_mode (self, SIZE_LONG_EDGE);
            gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->size_spin), presets[i].edge);
          }
        gtk_range_set_value (GTK_RANGE (self->quality_scale), presets[i].quality);
        gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->limit_spin), presets[i].mb);
        gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->repeat_spin), export_spec ("repeat")->def);
        gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->colors_spin), export_spec ("gif-colors")->def);
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->dither_dropdown), (guint) export_spec ("dither")->def);
        on_control_changed (self);
        return;
      }
  g_warning ("no export preset named %s", preset);
}

static void
on_mastodon_clicked (InkExportDialog *self)
{
  ink_export_dialog_apply_preset (self, "mastodon");
}

static void
on_x_clicked (InkExportDialog *self)
{
  ink_export_dialog_apply_preset (self, "x");
}

static void
on_discord_clicked (InkExportDialog *self)
{
  ink_export_dialog_apply_preset (self, "discord");
}

/* Destination ------------------------------------------------------------------------------- */

static void
on_chooser_response (GtkNativeDialog *chooser, int response, InkExportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      InkExportFormat format;

      if (path != NULL)
        {
          /* A name with a known extension picks its format; otherwise it gets the format's. */
          if (strrchr (path, '.') != NULL && ink_export_format_from_path (path, &format, NULL)
              && format != INK_FORMAT_PNG_FRAMES)
            {
              ink_export_dialog_set_path (self, path);
              ink_export_dialog_set_format (self, format);
            }
          else
            {
              ink_export_dialog_set_path (self, path);
              retarget_path (self);
            }
        }
    }
  g_clear_object (&self->chooser);
}

static void
on_destination_clicked (InkExportDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *dir = NULL, *base = NULL;

  chooser = gtk_file_chooser_native_new (_("Export Loop"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (self->path != NULL)
    {
      g_autoptr (GFile) folder = NULL;
      dir = g_path_get_dirname (self->path);
      base = g_path_get_basename (self->path);
      folder = g_file_new_for_path (dir);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), base);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  g_clear_object (&self->chooser);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

void
ink_export_dialog_set_path (InkExportDialog *self, const char *path)
{
  g_free (self->path);
  self->path = g_strdup (path);
  update_destination_label (self);
  update_sensitivity (self);
}

const char *
ink_export_dialog_get_path (InkExportDialog *self)
{
  return self->path;
}

void
ink_export_dialog_reset (InkExportDialog *self)
{
  const char *photo = ink_document_get_path (self->document);
  InkExportFormat format = INK_FORMAT_GIF;
  g_autofree char *folder = NULL;

  if (self->job != NULL)
    return;
  self->loading = TRUE;
  if (self->settings != NULL)
    {
      g_autofree char *name = g_settings_get_string (self->settings, "export-format");
      g_autofree char *mode = g_settings_get_string (self->settings, "export-size-mode");
      g_autofree char *dither = g_settings_get_string (self->settings, "export-dither");

      format = index_of (export_spec ("format")->choices, name);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->format_dropdown), format);
      self->loading = FALSE;
      set_size_mode (self, index_of (size_mode_ids, mode));
      self->loading = TRUE;
      gtk_range_set_value (GTK_RANGE (self->quality_scale), g_settings_get_int (self->settings, "export-quality"));
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->dither_dropdown), index_of (export_spec ("dither")->choices, dither));
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->repeat_spin), g_settings_get_int (self->settings, "export-repeat"));
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->colors_spin), g_settings_get_int (self->settings, "export-colors"));
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->limit_spin), g_settings_get_double (self->settings, "export-max-mb"));
      folder = g_settings_get_string (self->settings, "export-folder");
    }
  {
    /* A clip is exported at its part's rate (its own unless set), a photo's loop at the loop's. */
    const InkClipRange *range = ink_document_get_clip (self->document);
    InkSource *source = ink_document_get_source (self->document);
    double fps = range == NULL ? ink_document_get_value (self->document, "fps")
                 : range->fps > 0.0 ? range->fps : source->clip_fps;

    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->fps_spin), fps);
  }
  if (photo != NULL)
    {
      g_autofree char *base = g_path_get_basename (photo);
      char *dot = strrchr (base, '.');
      g_autofree char *stem = dot != NULL && dot != base ? g_strndup (base, dot - base) : g_strdup (base);
      g_autofree char *name = g_strdup_printf ("%s-loop%s", stem, ink_export_format_extension (format));

      if (folder == NULL || *folder == '\0' || !g_file_test (folder, G_FILE_TEST_IS_DIR))
        {
          g_free (folder);
          folder = g_path_get_dirname (photo);
        }
      g_free (self->path);
      self->path = g_build_filename (folder, name, NULL);
    }
  self->loading = FALSE;
  update_destination_label (self);
  gtk_widget_set_visible (self->status_label, FALSE);
  update_sensitivity (self);
}

void
ink_export_dialog_get_params (InkExportDialog *self, InkExportParams *params, double *fps)
{
  ink_export_params_default (params);
  params->format = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format_dropdown));
  params->long_edge = wanted_long_edge (self);
  params->quality = (int) gtk_range_get_value (GTK_RANGE (self->quality_scale));
  params->dither = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->dither_dropdown));
  params->repeat = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->repeat_spin));
  params->colors = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->colors_spin));
  if (params->format == INK_FORMAT_GIF || params->format == INK_FORMAT_WEBP)
    {
      const InkParamSpec *limit = export_spec ("max-bytes");

      ink_param_set_number (limit, params,
                            gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->limit_spin))
                            / limit->display_scale);
    }
  *fps = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->fps_spin));
}

gboolean
ink_export_dialog_get_running (InkExportDialog *self)
{
  return self->job != NULL;
}

/* The export ------------------------------------------------------------------------------- */

static gboolean
progress_on_main (gpointer data)
{
  ExportJob *job = data;
  g_autoptr (InkExportDialog) self = g_weak_ref_get (&job->dialog);
  int permille;

  g_atomic_int_set (&job->update_pending, 0);
  permille = g_atomic_int_get (&job->permille);
  if (self != NULL && self->job == job)
    {
      g_autofree char *text = g_strdup_printf ("%d %%", permille / 10);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), permille / 1000.0);
      gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress_bar), text);
    }
  return G_SOURCE_REMOVE;
}

/* In the exporting thread: at most one update waits on the main loop at a time. */
static void
on_progress (double fraction, gpointer data)
{
  ExportJob *job = data;

  g_atomic_int_set (&job->permille, (int) (CLAMP (fraction, 0.0, 1.0) * 1000));
  if (g_atomic_int_compare_and_exchange (&job->update_pending, 0, 1))
    g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, progress_on_main,
                                g_atomic_rc_box_acquire (job), (GDestroyNotify) job_unref);
}

/* A thread of its own (its priority is lowered, which a shared GTask thread must not be). */
static gpointer
export_run (gpointer data)
{
  ExportJob *job = data;
  GError *error = NULL;
  InkStylizer *stylizer;

  ink_worker_thread_lower_priority ();
  {
    /* Never over the photo: the engine checks the rest itself. */
    const char *inputs[] = { job->source->path, NULL };
    if (!ink_output_check (job->path, job->params.format == INK_FORMAT_PNG_FRAMES, inputs,
                           &error))
      return error;
  }
  stylizer = ink_stylizer_new_auto (job->device, FALSE, NULL, &error);
  if (stylizer != NULL)
    {
      if (job->is_clip)
        ink_export_clip (stylizer, job->source->path, &job->clip, &job->style, job->path,
                         &job->params, on_progress, job, job->cancellable, &job->result, &error);
      else
        ink_export (stylizer, job->source->image, &job->style, &job->motion, job->hints, job->path,
                    &job->params, on_progress, job, job->cancellable, &job->result, &error);
      ink_stylizer_free (&stylizer);
    }
  return error;
}

static void
export_thread (GTask *task, gpointer object, gpointer data, GCancellable *cancellable)
{
  GError *error;

  (void) object, (void) cancellable;
  error = g_thread_join (g_thread_new ("ink-export", export_run, data));
  if (error == NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
set_running (InkExportDialog *self, gboolean running)
{
  gtk_widget_set_visible (self->progress_box, running);
  gtk_widget_set_sensitive (self->close_button, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.cancel", running);
  update_sensitivity (self);
}

/* TEXT with each space after a digit made a no-break space, so a figure never wraps away from its
 * unit ("2.00 s", "24 frames", "1.4 MiB"). */
char *
ink_export_keep_units (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 16);

  for (const char *p = text; *p != '\0'; p++)
    if (*p == ' ' && p > text && g_ascii_isdigit (p[-1]))
      g_string_append (out, "\u00a0");
    else
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static void
on_export_done (GObject *object, GAsyncResult *result, gpointer data)
{
  InkExportDialog *self = INK_EXPORT_DIALOG (object);
  ExportJob *job = data;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);
  g_autofree char *message = NULL;
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  self->job = NULL;
  set_running (self, FALSE);
  if (ok)
    message = ink_export_keep_units (job->result.summary);
  else if (!cancelled)
    /* TRANSLATORS: the engine's message names the file and the cause */
    message = g_strdup_printf (_("The loop was not exported: %s"), error->message);
  gtk_label_set_text (GTK_LABEL (self->status_label),
                      ok ? message : cancelled ? _("Export cancelled; nothing was written.") : message);
  gtk_widget_set_visible (self->status_label, TRUE);
  if (ok)
    gtk_widget_remove_css_class (self->status_label, "error");
  else
    gtk_widget_add_css_class (self->status_label, "error");
  if (ok && self->settings != NULL)
    {
      g_autofree char *folder = g_path_get_dirname (job->path);
      g_settings_set_string (self->settings, "export-folder", folder);
    }
  g_signal_emit (self, signals[FINISHED], 0, ok, job->path, cancelled ? NULL : message);
  job_unref (job);
}

static void
start_export (GtkWidget *widget, const char *action, GVariant *param)
{
  InkExportDialog *self = INK_EXPORT_DIALOG (widget);
  InkSource *source = ink_document_get_source (self->document);
  const InkProject *project = ink_document_get_project (self->document);
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  ExportJob *job;
  double fps;

  (void) action, (void) param;
  if (self->job != NULL || source == NULL || self->path == NULL)
    return;
  job = g_atomic_rc_box_new0 (ExportJob);
  job->source = ink_source_ref (source);
  job->style = project->style;
  job->motion = project->motion;
  job->hints = ink_motion_hints_copy (project->hints);
  ink_export_dialog_get_params (self, &job->params, &fps);
  job->motion.fps = (float) fps;
  if (ink_document_get_clip (self->document) != NULL)
    {
      job->is_clip = TRUE;
      job->clip = *ink_document_get_clip (self->document);
      job->clip.fps = fps;
      job->params.repeat = 1;
    }
  job->path = g_strdup (self->path);
  job->device = g_strdup (self->device);
  job->cancellable = g_cancellable_new ();
  job->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&job->dialog, self);
  if (!ink_export_params_validate (&job->params, &error))
    {
      gtk_label_set_text (GTK_LABEL (self->status_label), error->message);
      gtk_widget_add_css_class (self->status_label, "error");
      gtk_widget_set_visible (self->status_label, TRUE);
      job_unref (job);
      return;
    }
  self->job = job;
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), 0);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress_bar), _("Starting…"));
  gtk_widget_set_visible (self->status_label, FALSE);
  set_running (self, TRUE);

  task = g_task_new (self, job->cancellable, on_export_done, job);
  g_task_set_source_tag (task, start_export);
  g_task_set_task_data (task, g_atomic_rc_box_acquire (job), (GDestroyNotify) job_unref);
  g_task_run_in_thread (task, export_thread);
}

static void
cancel_export (GtkWidget *widget, const char *action, GVariant *param)
{
  InkExportDialog *self = INK_EXPORT_DIALOG (widget);

  (void) action, (void) param;
  if (self->job != NULL)
    {
      g_cancellable_cancel (self->job->cancellable);
      gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress_bar), _("Cancelling…"));
    }
}

/* GObject ----------------------------------------------------------------------------------- */

static void
ink_export_dialog_dispose (GObject *object)
{
  InkExportDialog *self = INK_EXPORT_DIALOG (object);

  if (self->job != NULL)
    g_cancellable_cancel (self->job->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->document);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (ink_export_dialog_parent_class)->dispose (object);
}

static void
ink_export_dialog_finalize (GObject *object)
{
  InkExportDialog *self = INK_EXPORT_DIALOG (object);

  g_free (self->path);
  g_free (self->device);
  G_OBJECT_CLASS (ink_export_dialog_parent_class)->finalize (object);
}

static void
ink_export_dialog_class_init (InkExportDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_export_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = ink_export_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/inkloop/Inkloop/ink-export-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, InkExportDialog, name)
  BIND (close_button);
  BIND (export_button);
  BIND (presets_box);
  BIND (format_label);
  BIND (format_dropdown);
  BIND (size_label);
  BIND (size_dropdown);
  BIND (size_spin);
  BIND (size_adjustment);
  BIND (size_result);
  BIND (fps_label);
  BIND (fps_spin);
  BIND (quality_label);
  BIND (quality_scale);
  BIND (dither_label);
  BIND (dither_dropdown);
  BIND (colors_label);
  BIND (colors_spin);
  BIND (limit_label);
  BIND (limit_spin);
  BIND (limit_unit);
  BIND (repeat_label);
  BIND (repeat_spin);
  BIND (destination_button);
  BIND (destination_label);
  BIND (progress_box);
  BIND (progress_bar);
  BIND (status_label);
  BIND (grid);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_mastodon_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_x_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_discord_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_destination_clicked);

  gtk_widget_class_install_action (widget_class, "export.start", NULL, start_export);
  gtk_widget_class_install_action (widget_class, "export.cancel", NULL, cancel_export);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_BOOLEAN,
                                    G_TYPE_STRING, G_TYPE_STRING);
}

static GListModel *
string_model (const char *const *labels)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; labels[i] != NULL; i++)
    gtk_string_list_append (list, _(labels[i]));
  return G_LIST_MODEL (list);
}

/* LABEL's text and mnemonic, CONTROL's tooltip and accessible name, and the range, step, digits
 * and default of ADJUSTMENT (may be NULL) from the registry entry SPEC, in its display units. */
static void
bind_spec (GtkWidget *label, GtkWidget *control, GtkAdjustment *adjustment,
           const InkParamSpec *spec)
{
  gtk_label_set_text_with_mnemonic (GTK_LABEL (label), _(spec->label));
  if (spec->tooltip != NULL)
    gtk_widget_set_tooltip_text (control, _(spec->tooltip));
  gtk_accessible_update_property (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(spec->accessible), -1);
  if (adjustment == NULL)
    return;
  gtk_adjustment_configure (adjustment, spec->def * spec->display_scale,
                            spec->min * spec->display_scale, spec->max * spec->display_scale,
                            spec->step * spec->display_scale,
                            spec->step * spec->display_scale * 10, 0);
  if (GTK_IS_SPIN_BUTTON (control))
    gtk_spin_button_set_digits (GTK_SPIN_BUTTON (control), (guint) spec->digits);
  else
    gtk_scale_set_digits (GTK_SCALE (control), spec->digits);
}

static GtkAdjustment *
spin_adjustment (GtkWidget *spin)
{
  return gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin));
}

static void
ink_export_dialog_init (InkExportDialog *self)
{
  static const char *const sizes[] = { N_("Photo size"), N_("Long edge (px)"), N_("Percent of the photo"), NULL };
  const InkParamSpec *format = export_spec ("format"), *dither = export_spec ("dither");

  gtk_widget_init_template (GTK_WIDGET (self));
  bind_spec (self->format_label, self->format_dropdown, NULL, format);
  bind_spec (self->size_label, self->size_spin, NULL, export_spec ("long-edge"));
  bind_spec (self->fps_label, self->fps_spin, spin_adjustment (self->fps_spin),
             ink_param_lookup ("fps", NULL));
  bind_spec (self->quality_label, self->quality_scale,
             gtk_range_get_adjustment (GTK_RANGE (self->quality_scale)), export_spec ("quality"));
  /* The dialog always names a quality; -1 (the format's own) is for the command line. */
  gtk_adjustment_set_lower (gtk_range_get_adjustment (GTK_RANGE (self->quality_scale)), 0);
  bind_spec (self->dither_label, self->dither_dropdown, NULL, dither);
  bind_spec (self->colors_label, self->colors_spin, spin_adjustment (self->colors_spin),
             export_spec ("gif-colors"));
  bind_spec (self->limit_label, self->limit_spin, spin_adjustment (self->limit_spin),
             export_spec ("max-bytes"));
  {
    /* TRANSLATORS: after the size limit's box: its unit, and what 0 means */
    g_autofree char *unit = g_strdup_printf (_("%s (0: none)"), _(export_spec ("max-bytes")->display_unit));
    gtk_label_set_text (GTK_LABEL (self->limit_unit), unit);
  }
  bind_spec (self->repeat_label, self->repeat_spin, spin_adjustment (self->repeat_spin),
             export_spec ("repeat"));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->format_dropdown), string_model (format->choice_labels));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->size_dropdown), string_model (sizes));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->dither_dropdown), string_model (dither->choice_labels));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->size_dropdown), SIZE_LONG_EDGE);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->dither_dropdown), (guint) dither->def);
  g_signal_connect_swapped (self->format_dropdown, "notify::selected", G_CALLBACK (on_format_changed), self);
  g_signal_connect_swapped (self->size_dropdown, "notify::selected", G_CALLBACK (on_size_mode_changed), self);
  g_signal_connect_swapped (self->dither_dropdown, "notify::selected", G_CALLBACK (on_control_changed), self);
  g_signal_connect_swapped (self->size_spin, "value-changed", G_CALLBACK (on_control_changed), self);
  g_signal_connect_swapped (self->quality_scale, "value-changed", G_CALLBACK (on_control_changed), self);
  g_signal_connect_swapped (self->repeat_spin, "value-changed", G_CALLBACK (on_control_changed), self);
  g_signal_connect_swapped (self->colors_spin, "value-changed", G_CALLBACK (on_control_changed), self);
  g_signal_connect_swapped (self->limit_spin, "value-changed", G_CALLBACK (on_control_changed), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.cancel", FALSE);
}

InkExportDialog *
ink_export_dialog_new (GtkWindow *parent, InkDocument *document, GSettings *settings,
                       const char *device)
{
  InkExportDialog *self = g_object_new (INK_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);

  self->document = g_object_ref (document);
  self->settings = settings ? g_object_ref (settings) : NULL;
  self->device = g_strdup (device);
  ink_export_dialog_reset (self);
  return self;
}
