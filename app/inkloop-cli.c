/* inkloop-cli.c: the headless command-line tool: still, devices, bench (no GTK, no display). */
#include "ink-config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ink-error.h"
#include "ink-image.h"
#include "ink-params.h"
#include "animate.h"
#include "export.h"
#include "motion.h"
#include "output-path.h"
#include "project.h"
#include "stylize.h"

#define EXIT_USAGE 2

static gboolean verbose;
static char *device_arg;

static const char *usage_text =
  "Commands:\n"
  "  still INPUT -o OUT.png   stylize a photo into a comic still\n"
  "  render INPUT|PROJECT.inkloop -o OUT.gif|.apng|.mp4|.webp|DIR/\n"
  "                           render the looping animation to a file or PNG frames\n"
  "  devices                  list the Vulkan devices and the one that would be used\n"
  "  bench [INPUT]            time the stylizer per stage and size\n"
  "\n"
  "'inkloop-cli COMMAND --help' describes each command.";

static int
fail (const char *what, const GError *error)
{
  if (what != NULL)
    g_printerr ("inkloop-cli: %s: %s\n", what, error->message);
  else
    g_printerr ("inkloop-cli: %s\n", error->message);
  return error->domain == G_OPTION_ERROR || error->code == INK_ERROR_INVALID_PARAM ? EXIT_USAGE
                                                                                     : EXIT_FAILURE;
}

static void
enable_debug (void)
{
  if (verbose)
    g_log_set_debug_enabled (TRUE);
}

/* Parameter options, from the engine's spec tables ----------------------------------------- */

/* "name", "value" pairs as given, applied after the preset or project. */
static GPtrArray *style_settings, *motion_settings;
static char *preset_arg;

static gboolean
on_param_option (const char *option_name, const char *value, gpointer data, GError **error)
{
  GPtrArray *settings = data;

  (void) error;
  g_ptr_array_add (settings, g_strdup (option_name + 2));
  g_ptr_array_add (settings, g_strdup (value));
  return TRUE;
}

/* An option group with one --NAME VALUE per spec not in SKIP. */
static GOptionGroup *
spec_group (const char *name, const char *title, const char *help, const InkParamSpec *specs,
            guint n, const char *const *skip, GPtrArray *settings, GOptionEntry *extra)
{
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  GOptionGroup *group;

  for (guint e = 0; extra != NULL && extra[e].long_name != NULL; e++)
    g_array_append_val (entries, extra[e]);
  for (guint i = 0; i < n; i++)
    {
      const InkParamSpec *s = &specs[i];
      GOptionEntry entry = {
        .long_name = s->name, .arg = G_OPTION_ARG_CALLBACK, .arg_data = (gpointer) on_param_option,
      };

      if (skip != NULL && g_strv_contains (skip, s->name))
        continue;
      switch (s->type)
        {
        case INK_PARAM_COLOR:
          entry.description = g_strdup (s->blurb);
          entry.arg_description = "#RRGGBB";
          break;
        case INK_PARAM_BOOL:
          entry.description = g_strdup (s->blurb);
          entry.arg_description = "true|false";
          break;
        case INK_PARAM_ENUM:
          entry.description = g_strdup (s->blurb);
          entry.arg_description = g_strjoinv ("|", (char **) s->choices);
          break;
        default:
          entry.description = g_strdup_printf ("%s, %g..%g (default %g)", s->blurb, s->min,
                                               s->max, s->def);
          entry.arg_description = s->type == INK_PARAM_INT ? "N" : "X";
          break;
        }
      g_array_append_val (entries, entry);
    }
  group = g_option_group_new (name, title, help, settings, NULL);
  g_option_group_add_entries (group, (GOptionEntry *) (gpointer) entries->data);
  return group;
}

static GOptionGroup *
style_group (void)
{
  guint n;
  const InkParamSpec *specs = ink_style_param_specs (&n);
  g_autofree char *presets = g_strjoinv (", ", (char **) ink_style_preset_names ());
  GOptionEntry extra[] = {
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &preset_arg,
      g_strdup_printf ("Start from a preset: %s (default: anime)", presets), "NAME" },
    { NULL },
  };

  style_settings = g_ptr_array_new_with_free_func (g_free);
  return spec_group ("style", "Style options (spatial sizes are px at a 1024 px long edge):",
                     "Show the style options", specs, n, NULL, style_settings, extra);
}

/* BASE: the project's style, or NULL for the preset (default anime). */
static gboolean
style_params (InkStyleParams *params, const InkStyleParams *base, GError **error)
{
  if (base != NULL && preset_arg == NULL)
    *params = *base;
  else if (!ink_style_params_preset (params, preset_arg ? preset_arg : "anime", error))
    return FALSE;
  for (guint i = 0; i + 1 < style_settings->len; i += 2)
    if (!ink_style_params_set (params, g_ptr_array_index (style_settings, i),
                               g_ptr_array_index (style_settings, i + 1), error))
      return FALSE;
  return ink_style_params_validate (params, error);
}

static InkStylizer *
open_stylizer (GError **error)
{
  g_autofree char *notice = NULL;
  InkStylizer *s = ink_stylizer_new_auto (device_arg, FALSE, &notice, error);

  if (notice != NULL)
    g_printerr ("inkloop-cli: %s\n", notice);
  if (s != NULL && verbose)
    g_printerr ("inkloop-cli: device: %s\n", ink_stylizer_device_name (s));
  return s;
}

/* Opening the device and building its pipelines runs beside the image's decoding. */
typedef struct {
  InkStylizer *stylizer;
  GError *error;
} OpenJob;

static gpointer
open_job (gpointer data)
{
  OpenJob *job = data;

  job->stylizer = open_stylizer (&job->error);
  if (job->stylizer != NULL && !ink_stylizer_prepare (job->stylizer, &job->error))
    ink_stylizer_free (&job->stylizer);
  return NULL;
}

static GOptionContext *
command_context (const char *params, const char *summary, GOptionEntry *entries)
{
  GOptionContext *ctx = g_option_context_new (params);
  GOptionEntry common[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device_arg,
      "Vulkan device: index or name part, or 'cpu' for the C reference (default: $INKLOOP_DEVICE or the best)",
      "DEVICE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Say what is happening", NULL },
    { NULL },
  };

  g_option_context_set_summary (ctx, summary);
  g_option_context_add_main_entries (ctx, common, NULL);
  if (entries != NULL)
    g_option_context_add_main_entries (ctx, entries, NULL);
  return ctx;
}

/* Parses the options; "--" ends them, so a photo may be named "-p.png". GOption alone keeps "--"
 * in the arguments when a name after it starts with '-'. The arguments left are put back in
 * *ARGV (its own array, freed at exit). */
static gboolean
parse (GOptionContext *ctx, int *argc, char ***argv, GError **error)
{
  static GPtrArray *kept;
  int end = 1;
  char **head;
  int n_head;
  gboolean ok;

  while (end < *argc && strcmp ((*argv)[end], "--") != 0)
    end++;
  n_head = end;
  head = g_new0 (char *, n_head + 1);
  memcpy (head, *argv, sizeof (char *) * n_head);
  ok = g_option_context_parse (ctx, &n_head, &head, error);
  enable_debug ();
  if (kept == NULL)
    kept = g_ptr_array_new ();
  g_ptr_array_set_size (kept, 0);
  for (int i = 0; i < n_head; i++)
    g_ptr_array_add (kept, head[i]);
  for (int i = end + 1; i < *argc; i++)
    g_ptr_array_add (kept, (*argv)[i]);
  g_ptr_array_add (kept, NULL);
  g_free (head);
  *argc = (int) kept->len - 1;
  *argv = (char **) kept->pdata;
  return ok;
}

/* --size: absent (-1) for the photo's size, else 1 .. INK_IMAGE_MAX_SIDE px. */
static gboolean
check_size (int size)
{
  if (size == -1 || (size >= 1 && size <= INK_IMAGE_MAX_SIDE))
    return TRUE;
  g_printerr ("inkloop-cli: --size is %d; it must be between 1 and %d px (leave it out for the "
              "photo's size)\n", size, INK_IMAGE_MAX_SIDE);
  return FALSE;
}

/* still ------------------------------------------------------------------------------------- */

static int
cmd_still (int argc, char **argv)
{
  g_autofree char *output = NULL;
  int size = -1;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Where to write the still (.png; never one of the inputs)", "OUT.png" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Scale so the long edge is this many px, 1-16384 (default: the photo's size)", "PX" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = command_context ("INPUT -o OUT.png",
                                                    "Turn a photo into a comic-style still. --help-style lists the style controls.",
                                                    entries);
  g_autoptr (GError) error = NULL;
  InkStyleParams params = INK_STYLE_PARAMS_DEFAULT;
  InkLoadParams load = INK_LOAD_PARAMS_DEFAULT;
  InkImage *source = NULL, *result = NULL;
  InkStylizer *stylizer = NULL;
  InkStylizeStats stats;
  int status = EXIT_FAILURE;
  gint64 t0, t_load, t_open, t_run;
  OpenJob job = { NULL, NULL };
  GThread *opener;

  g_option_context_add_group (ctx, style_group ());
  if (!parse (ctx, &argc, &argv, &error))
    return fail (NULL, error);
  if (argc != 2 || output == NULL)
    {
      g_printerr ("inkloop-cli: still needs one INPUT and -o OUT.png; see 'inkloop-cli still --help'\n");
      return EXIT_USAGE;
    }
  if (strcmp (output, "-") == 0)
    {
      g_printerr ("inkloop-cli: -: writing to standard output is not supported; give a file name\n");
      return EXIT_USAGE;
    }
  if (!g_str_has_suffix (output, ".png") && !g_str_has_suffix (output, ".PNG"))
    {
      g_printerr ("inkloop-cli: %s: stills are written as PNG; give a name ending in .png\n", output);
      return EXIT_USAGE;
    }
  if (!check_size (size))
    return EXIT_USAGE;
  if (!style_params (&params, NULL, &error))
    return fail (NULL, error);
  {
    const char *inputs[] = { argv[1], NULL };
    if (!ink_output_check (output, FALSE, inputs, &error))
      return fail (NULL, error);
  }

  load.long_edge = MAX (size, 0);
  t0 = g_get_monotonic_time ();
  opener = g_thread_new ("open-device", open_job, &job);
  source = ink_image_load (argv[1], &load, &error);
  t_load = g_get_monotonic_time ();
  g_thread_join (opener);
  t_open = g_get_monotonic_time ();
  stylizer = job.stylizer;
  if (source == NULL)
    {
      status = fail (NULL, error);
      goto out;
    }
  if (stylizer == NULL)
    {
      status = fail (NULL, job.error);
      goto out;
    }
  result = ink_stylizer_run (stylizer, source, &params, &stats, &error);
  if (result == NULL)
    {
      status = fail (argv[1], error);
      goto out;
    }
  t_run = g_get_monotonic_time ();
  if (!ink_image_save_png (result, output, &error))
    {
      status = fail (NULL, error);
      goto out;
    }
  if (verbose)
    g_printerr ("inkloop-cli: %dx%d -> %s: load %.0f ms, device set-up %.0f ms more, stylize %.0f ms "
                "(device %.0f ms), save %.0f ms\n", result->width, result->height, output,
                (t_load - t0) / 1e3, (t_open - t_load) / 1e3, stats.total_ms, stats.device_ms,
                (g_get_monotonic_time () - t_run) / 1e3);
  status = EXIT_SUCCESS;

out:
  g_clear_error (&job.error);
  ink_image_free (&source);
  ink_image_free (&result);
  ink_stylizer_free (&stylizer);
  return status;
}

/* render ------------------------------------------------------------------------------------ */

static GOptionGroup *
motion_group (void)
{
  guint n;
  const InkParamSpec *specs = ink_motion_param_specs (&n);
  /* Set by the hint-style options below instead. */
  static const char *const skip[] = { "focus-lines", "focus-x", "focus-y", "speed-lines",
                                      "speed-angle", NULL };

  motion_settings = g_ptr_array_new_with_free_func (g_free);
  return spec_group ("motion", "Motion options (sizes are fractions of the picture):",
                     "Show the motion options", specs, n, skip, motion_settings, NULL);
}

/* Parses "a,b,..." into exactly N floats. */
static gboolean
parse_floats (const char *option, const char *text, float *out, int n, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  if ((int) g_strv_length (parts) != n)
    goto bad;
  for (int i = 0; i < n; i++)
    {
      char *end;
      out[i] = (float) g_ascii_strtod (g_strstrip (parts[i]), &end);
      if (end == parts[i] || *end != '\0' || !isfinite (out[i]))
        goto bad;
    }
  return TRUE;

bad:
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
               "%s '%s': give %d numbers separated by commas", option, text, n);
  return FALSE;
}

/* A progress bar on a terminal: "[#####.....]  42%". */
static void
show_progress (double fraction, gpointer user_data)
{
  int *last = user_data;
  int percent = (int) (fraction * 100.0);
  char bar[31];

  if (percent == *last)
    return;
  *last = percent;
  for (int i = 0; i < 30; i++)
    bar[i] = i < percent * 30 / 100 ? '#' : '.';
  bar[30] = '\0';
  g_printerr ("\r[%s] %3d%%", bar, percent);
}

/* Every output checked before any work: none is an input, each can be written, and the project
 * goes over nothing but a project (nor over the export). */
static gboolean
check_outputs (const char *input, const InkProject *project, const char *mask_path,
               const char *output, InkExportFormat format, const char *save_project,
               GError **error)
{
  const char *inputs[5] = { NULL };
  int n = 0;

  inputs[n++] = input;
  if (project->source != NULL)
    inputs[n++] = project->source;
  if (mask_path != NULL)
    inputs[n++] = mask_path;
  if (!ink_output_check (output, format == INK_FORMAT_PNG_FRAMES, inputs, error))
    return FALSE;
  if (save_project == NULL)
    return TRUE;
  {
    g_autofree char *a = g_canonicalize_filename (save_project, NULL);
    g_autofree char *b = g_canonicalize_filename (output, NULL);
    if (g_str_equal (a, b) || ink_same_file (save_project, output))
      {
        g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                     "--save-project %s: is the export's own name; give the project another "
                     "name (NAME.inkloop)", save_project);
        return FALSE;
      }
  }
  inputs[n++] = output;
  return ink_output_check (save_project, FALSE, inputs, error)
         && ink_project_check_replaceable (save_project, error);
}

static int
cmd_render (int argc, char **argv)
{
  g_autofree char *output = NULL, *mask_path = NULL, *focus = NULL, *speed = NULL;
  g_autofree char *save_project = NULL, *format_arg = NULL, *dither_arg = NULL;
  g_auto (GStrv) arrows = NULL, anchors = NULL;
  int size = -1, quality = -1, repeat = 1, colors = 256;
  gint64 max_bytes = 0;
  InkExportParams export = INK_EXPORT_PARAMS_DEFAULT;
  InkExportResult result = { 0 };
  int last_percent = -1;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The file (.gif .apng .mp4 .webp), or a folder for PNG frames (frame-0001.png ...; new, empty or holding only frames); never an input, never '-'", "OUT|DIR/" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_arg, "gif, apng, mp4, webp or png (PNG frames); default: from OUT's extension", "F" },
    { "quality", 'q', 0, G_OPTION_ARG_INT, &quality, "0-100 (default GIF 100, WebP 85, MP4 65 = x264 CRF 18; CRF = 51 x (100 - Q) / 100)", "Q" },
    { "dither", 0, 0, G_OPTION_ARG_STRING, &dither_arg, "GIF dithering: none, ordered or diffusion (default)", "D" },
    { "colors", 0, 0, G_OPTION_ARG_INT, &colors, "GIF palette size, 2-256 (default 256)", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "MP4: play the loop K times in the file (default 1)", "K" },
    { "max-bytes", 0, 0, G_OPTION_ARG_INT64, &max_bytes, "GIF, WebP: fit the file under N bytes (fewer colours or lower quality, then a smaller size)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Scale so the long edge is this many px, 1-16384 (default: the photo's or the project's size; WebP: at most 16383)", "PX" },
    { "arrow", 0, 0, G_OPTION_ARG_STRING_ARRAY, &arrows, "Flow: material at x0,y0 moves to x1,y1 over the loop (fractions of the picture; repeatable)", "x0,y0,x1,y1" },
    { "anchor", 0, 0, G_OPTION_ARG_STRING_ARRAY, &anchors, "Flow: a point that stays still (repeatable)", "x,y" },
    { "mask", 0, 0, G_OPTION_ARG_FILENAME, &mask_path, "Flow: freeze mask, a grey image of any size (white = frozen)", "FILE" },
    { "focus-lines", 0, 0, G_OPTION_ARG_STRING, &focus, "Focus lines toward this centre", "x,y" },
    { "speed-lines", 0, 0, G_OPTION_ARG_STRING, &speed, "Speed lines along this direction (degrees, 0 = along x, 90 = down)", "ANGLE" },
    { "save-project", 0, 0, G_OPTION_ARG_FILENAME, &save_project, "Also write the project that reproduces this render (replaces only a project)", "FILE.inkloop" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = command_context ("INPUT|PROJECT.inkloop -o OUT.gif|.apng|.mp4|.webp|DIR/",
    "Render the looping animation to an animated GIF, APNG, MP4 (H.264) or WebP, or to PNG frames in\n"
    "a folder. The file appears only when complete; an existing one is replaced only then. Ctrl+C\n"
    "removes the unfinished file (exit 130). '--' ends the options.\n"
    "--help-style and --help-motion list the controls.",
    entries);
  g_autoptr (GError) error = NULL;
  InkProject *project = NULL;
  InkImage *source = NULL;
  InkStylizer *stylizer = NULL;
  InkLoadParams load = INK_LOAD_PARAMS_DEFAULT;
  int status = EXIT_FAILURE;
  OpenJob job = { NULL, NULL };
  GThread *opener;

  g_option_context_add_group (ctx, style_group ());
  g_option_context_add_group (ctx, motion_group ());
  if (!parse (ctx, &argc, &argv, &error))
    return fail (NULL, error);
  if (argc != 2 || output == NULL)
    {
      g_printerr ("inkloop-cli: render needs one INPUT and -o OUT; see 'inkloop-cli render --help'\n");
      return EXIT_USAGE;
    }
  if (!check_size (size))
    return EXIT_USAGE;

  if (format_arg != NULL ? !ink_export_format_from_name (format_arg, &export.format, &error)
                         : !ink_export_format_from_path (output, &export.format, &error))
    {
      fail (NULL, error);
      return EXIT_USAGE;
    }
  if (dither_arg != NULL && !ink_dither_from_name (dither_arg, &export.dither, &error))
    {
      fail (NULL, error);
      return EXIT_USAGE;
    }
  export.quality = quality;
  export.colors = colors;
  export.repeat = repeat;
  export.max_bytes = max_bytes;
  if (!ink_export_params_validate (&export, &error))
    {
      g_printerr ("inkloop-cli: --%s\n", error->message);
      return EXIT_USAGE;
    }

  /* The project (or a new one around the photo), then the options over it. */
  if (g_str_has_suffix (argv[1], ".inkloop"))
    {
      project = ink_project_load (argv[1], &error);
      if (project == NULL)
        return fail (NULL, error);
    }
  else
    {
      project = ink_project_new ();
      g_free (project->source);
      project->source = g_canonicalize_filename (argv[1], NULL);
      if (!ink_style_params_preset (&project->style, "anime", &error))
        goto failed;
    }
  if (!style_params (&project->style, &project->style, &error))
    goto usage;
  for (guint i = 0; i + 1 < motion_settings->len; i += 2)
    if (!ink_motion_params_set (&project->motion, g_ptr_array_index (motion_settings, i),
                                g_ptr_array_index (motion_settings, i + 1), &error))
      goto usage;
  if (focus != NULL)
    {
      float xy[2];
      if (!parse_floats ("--focus-lines", focus, xy, 2, &error))
        goto usage;
      project->motion.focus_lines = TRUE;
      project->motion.focus_x = xy[0], project->motion.focus_y = xy[1];
    }
  if (speed != NULL)
    {
      float angle;
      if (!parse_floats ("--speed-lines", speed, &angle, 1, &error))
        goto usage;
      project->motion.speed_lines = TRUE;
      project->motion.speed_angle = angle;
    }
  for (guint i = 0; arrows != NULL && arrows[i] != NULL; i++)
    {
      float v[4];
      if (!parse_floats ("--arrow", arrows[i], v, 4, &error))
        goto usage;
      ink_motion_hints_add_arrow (project->hints, v[0], v[1], v[2], v[3]);
    }
  for (guint i = 0; anchors != NULL && anchors[i] != NULL; i++)
    {
      float v[2];
      if (!parse_floats ("--anchor", anchors[i], v, 2, &error))
        goto usage;
      ink_motion_hints_add_anchor (project->hints, v[0], v[1]);
    }
  if (mask_path != NULL)
    {
      ink_image_free (&project->hints->mask);
      project->hints->mask = ink_image_load (mask_path, NULL, &error);
      if (project->hints->mask == NULL)
        goto failed;
    }
  if (size > 0)
    project->size = size;
  if (!ink_motion_params_validate (&project->motion, &error)
      || !ink_motion_hints_validate (project->hints, &error))
    goto usage;

  if (!check_outputs (argv[1], project, mask_path, output, export.format, save_project, &error))
    goto failed;

  load.long_edge = project->size;
  opener = g_thread_new ("open-device", open_job, &job);
  source = ink_image_load (project->source, &load, &error);
  g_thread_join (opener);
  stylizer = job.stylizer;
  if (source == NULL)
    goto failed;
  if (stylizer == NULL)
    {
      g_propagate_error (&error, g_steal_pointer (&job.error));
      goto failed;
    }
  {
    gboolean tty = isatty (STDERR_FILENO);
    gboolean done = ink_export (stylizer, source, &project->style, &project->motion,
                                project->hints, output, &export, tty ? show_progress : NULL,
                                &last_percent, NULL, &result, &error);
    if (tty && last_percent >= 0)
      g_printerr ("\n");
    if (!done)
      goto failed;
  }
  g_print ("%s\n", result.summary);
  if (save_project != NULL && !ink_project_save (project, save_project, &error))
    goto failed;
  status = EXIT_SUCCESS;
  goto out;

usage:
  status = fail (NULL, error);
  goto out;
failed:
  status = fail (NULL, error);
out:
  g_clear_error (&job.error);
  ink_export_result_clear (&result);
  ink_image_free (&source);
  ink_stylizer_free (&stylizer);
  ink_project_free (&project);
  return status;
}

/* devices ----------------------------------------------------------------------------------- */

static int
cmd_devices (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = command_context ("",
                                                    "List the Vulkan devices; * marks the one that would be used.",
                                                    NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;

  if (!parse (ctx, &argc, &argv, &error))
    return fail (NULL, error);
  list = ink_vk_list_devices (device_arg, &error);
  if (list == NULL)
    {
      fail (NULL, error);
      g_printerr ("inkloop-cli: the CPU reference path will be used\n");
      return EXIT_FAILURE;
    }
  for (guint i = 0; i < list->len; i++)
    {
      InkVkDeviceInfo *d = g_ptr_array_index (list, i);
      g_print ("%s %u: %s (%s, Vulkan %s, %s)%s\n", d->chosen ? "*" : " ", d->index, d->name,
               d->type, d->api_version, d->driver, d->usable ? "" : " [not usable]");
    }
  return EXIT_SUCCESS;
}

/* bench ------------------------------------------------------------------------------------- */

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values, int n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

static char *
default_sample (void)
{
  char *path = g_build_filename (INK_DATADIR, "sample.png", NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  g_free (path);
  return g_build_filename (INK_SOURCE_DATADIR, "sample.png", NULL);
}

static double
peak_rss_mb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* Times ink_export for every format at each long edge in SIZES (the default loop, RUNS runs,
 * medians) into a temporary folder, and appends a table (or JSON) to OUT. */
static gboolean
bench_export (InkStylizer *stylizer, const InkImage *source, const InkStyleParams *style,
              char **sizes, int runs, gboolean json, GString *out, GError **error)
{
  InkMotionParams motion = INK_MOTION_PARAMS_DEFAULT;
  g_autofree char *dir = g_dir_make_tmp ("inkloop-bench-XXXXXX", error);

  if (dir == NULL)
    return FALSE;
  if (json)
    g_string_append (out, ", \"export\": [");
  else
    g_string_append_printf (out, "\nexport, %d frames at %g fps, %d run(s) each, medians in ms "
                            "(bytes)\n%-11s", motion.frames, motion.fps, runs, "size");
  if (!json)
    for (int f = 0; f < INK_FORMAT_COUNT; f++)
      g_string_append_printf (out, " %22s", ink_export_format_name (f));
  for (int i = 0; sizes[i] != NULL; i++)
    {
      InkExportParams params = INK_EXPORT_PARAMS_DEFAULT;
      params.long_edge = atoi (sizes[i]);
      if (json)
        g_string_append_printf (out, "%s{\"long_edge\": %d", i ? ", " : "", params.long_edge);
      else
        g_string_append_printf (out, "\n%-11d", params.long_edge);
      for (int f = 0; f < INK_FORMAT_COUNT; f++)
        {
          g_autofree double *ms = g_new (double, runs);
          g_autofree char *name = g_strdup_printf ("bench.%s", f == INK_FORMAT_PNG_FRAMES
                                                                 ? "frames" : ink_export_format_name (f));
          g_autofree char *path = g_build_filename (dir, name, NULL);
          gint64 bytes = 0;
          params.format = f;
          for (int r = 0; r < runs; r++)
            {
              InkExportResult result = { 0 };
              if (!ink_export (stylizer, source, style, &motion, NULL, path, &params, NULL, NULL,
                               NULL, &result, error))
                {
                  ink_remove_tree (dir, NULL);
                  return FALSE;
                }
              ms[r] = result.seconds * 1000.0;
              bytes = result.bytes;
              ink_export_result_clear (&result);
            }
          if (json)
            g_string_append_printf (out, ", \"%s_ms\": %.1f, \"%s_bytes\": %" G_GINT64_FORMAT,
                                    ink_export_format_name (f), median (ms, runs),
                                    ink_export_format_name (f), bytes);
          else
            {
              g_autofree char *cell = g_strdup_printf ("%.0f (%" G_GINT64_FORMAT ")",
                                                       median (ms, runs), bytes);
              g_string_append_printf (out, " %22s", cell);
            }
        }
      if (json)
        g_string_append (out, "}");
    }
  if (json)
    g_string_append (out, "]");
  else
    g_string_append (out, "\n");
  {
    g_autoptr (GError) local = NULL;
    if (!ink_remove_tree (dir, &local))
      g_printerr ("inkloop-cli: could not remove the benchmark's folder: %s\n", local->message);
  }
  return TRUE;
}

static int
cmd_bench (int argc, char **argv)
{
  g_autofree char *sizes_arg = NULL, *export_arg = NULL;
  int runs = 5, export_runs = 1;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes_arg, "Long edges to time (default 512,1920,3840)", "A,B,..." },
    { "export-sizes", 0, 0, G_OPTION_ARG_STRING, &export_arg, "Long edges to time every export format at (default 512,1920; 0: none)", "A,B,..." },
    { "export-runs", 0, 0, G_OPTION_ARG_INT, &export_runs, "Timed exports per format and size (default 1)", "N" },
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs per size, after one warm-up (default 5)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = command_context ("[INPUT]",
                                                    "Time the stylizer (medians per stage and size), one animated frame (frame_ms: device\n"
                                                    "time; download_ms: fetching it) and a whole default loop once (loop_ms: stylize and\n"
                                                    "every frame into memory) on the chosen device; then each export format, whole\n"
                                                    "(stylize, frames, encoding, writing), at --export-sizes.\n"
                                                    "Without INPUT, the bundled sample is used. --help-style lists the style controls.",
                                                    entries);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) sizes = NULL, export_sizes = NULL;
  g_autofree char *input = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  InkStyleParams params = INK_STYLE_PARAMS_DEFAULT;
  InkImage *source = NULL;
  InkStylizer *stylizer = NULL;
  int status = EXIT_FAILURE;

  g_option_context_add_group (ctx, style_group ());
  if (!parse (ctx, &argc, &argv, &error))
    return fail (NULL, error);
  if (argc > 2 || runs < 1 || runs > 1000 || export_runs < 1 || export_runs > 100)
    {
      g_printerr ("inkloop-cli: bench takes at most one INPUT, --runs 1..1000 and --export-runs 1..100\n");
      return EXIT_USAGE;
    }
  if (!style_params (&params, NULL, &error))
    return fail (NULL, error);
  sizes = g_strsplit (sizes_arg ? sizes_arg : "512,1920,3840", ",", -1);
  export_sizes = g_strsplit (export_arg == NULL ? "512,1920"
                             : g_str_equal (export_arg, "0") ? "" : export_arg, ",", -1);
  for (char **list = sizes; list != NULL; list = list == sizes ? export_sizes : NULL)
    for (int i = 0; list[i]; i++)
      {
        char *end;
        long v = strtol (list[i], &end, 10);
        if (*end != '\0' || v < 1 || v > INK_IMAGE_MAX_SIDE)
          {
            g_printerr ("inkloop-cli: --%ssizes: '%s' is not a size between 1 and %d px\n",
                        list == sizes ? "" : "export-", list[i], INK_IMAGE_MAX_SIDE);
            return EXIT_USAGE;
          }
      }

  input = argc == 2 ? g_strdup (argv[1]) : default_sample ();
  source = ink_image_load (input, NULL, &error);
  if (source == NULL)
    {
      status = fail (NULL, error);
      goto out;
    }
  stylizer = open_stylizer (&error);
  if (stylizer == NULL || !ink_stylizer_prepare (stylizer, &error))
    {
      status = fail (NULL, error);
      goto out;
    }

  if (json)
    g_string_append_printf (out, "{\"device\": \"%s\", \"input\": \"%s\", \"runs\": %d, \"sizes\": [",
                            ink_stylizer_device_name (stylizer), input, runs);
  else
    g_string_append_printf (out, "device: %s\ninput: %s, %d runs each, medians in ms\n%-11s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n",
                            ink_stylizer_device_name (stylizer), input, runs, "size",
                            "stylize", "device", "smooth", "flatten", "lines", "composite",
                            "upload", "frame", "download", "loop");
  for (int i = 0; sizes[i]; i++)
    {
      InkImage *scaled = ink_image_scale (source, atoi (sizes[i]), &error);
      g_autofree double *total = g_new (double, runs), *dev = g_new (double, runs);
      g_autofree double *up = g_new (double, runs), *down = g_new (double, runs);
      g_autofree double *frame = g_new (double, runs), *fdown = g_new (double, runs);
      double loop_ms = 0.0;
      double stage[INK_STAGE_COUNT][1000];
      double st[INK_STAGE_COUNT];

      if (scaled == NULL)
        {
          status = fail (NULL, error);
          goto out;
        }
      for (int r = -1; r < runs; r++)
        {
          InkStylizeStats stats;
          InkImage *res = ink_stylizer_run (stylizer, scaled, &params, &stats, &error);
          if (res == NULL)
            {
              ink_image_free (&scaled);
              status = fail (input, error);
              goto out;
            }
          ink_image_free (&res);
          if (r < 0)
            continue;
          total[r] = stats.total_ms;
          dev[r] = stats.device_ms;
          up[r] = stats.upload_ms;
          down[r] = stats.download_ms;
          for (int k = 0; k < INK_STAGE_COUNT; k++)
            stage[k][r] = stats.stage_ms[k];
        }
      for (int k = 0; k < INK_STAGE_COUNT; k++)
        st[k] = median (stage[k], runs);

      /* One animated frame (default motion, so every default layer runs), and its download. */
      {
        InkMotionParams motion = INK_MOTION_PARAMS_DEFAULT;
        InkAnimation *animation = ink_animation_new (stylizer, scaled, &params, &motion, NULL,
                                                     NULL, &error);
        g_autofree guint32 *rgba8 = g_new (guint32, (gsize) scaled->width * scaled->height);

        if (animation == NULL)
          {
            ink_image_free (&scaled);
            status = fail (input, error);
            goto out;
          }
        /* The whole loop once: stylize and every frame into memory. */
        {
          gint64 t0 = g_get_monotonic_time ();
          InkAnimation *whole = NULL;
          gboolean ok;

          ink_animation_free (&animation);
          whole = ink_animation_new (stylizer, scaled, &params, &motion, NULL, NULL, &error);
          ok = whole != NULL;
          for (int f = 0; ok && f < motion.frames; f++)
            ok = ink_animation_render_rgba8 (whole, f, rgba8, NULL, &error);
          loop_ms = (g_get_monotonic_time () - t0) / 1000.0;
          animation = whole;
          if (!ok)
            {
              ink_animation_free (&animation);
              ink_image_free (&scaled);
              status = fail (input, error);
              goto out;
            }
        }
        for (int r = -1; r < runs; r++)
          {
            InkFrameStats fs;
            if (!ink_animation_render_rgba8 (animation, (r + 1) % motion.frames, rgba8, &fs,
                                             &error))
              {
                ink_animation_free (&animation);
                ink_image_free (&scaled);
                status = fail (input, error);
                goto out;
              }
            if (r >= 0)
              frame[r] = fs.frame_ms, fdown[r] = fs.download_ms;
          }
        ink_animation_free (&animation);
      }
      if (json)
        {
          g_string_append_printf (out, "%s{\"width\": %d, \"height\": %d, \"stylize_ms\": %.3f, "
                                  "\"device_ms\": %.3f, \"upload_ms\": %.3f, \"stylize_download_ms\": %.3f",
                                  i ? ", " : "", scaled->width, scaled->height,
                                  median (total, runs), median (dev, runs), median (up, runs),
                                  median (down, runs));
          for (int k = 0; k < INK_STAGE_COUNT; k++)
            g_string_append_printf (out, ", \"%s_ms\": %.3f", ink_stage_name (k), st[k]);
          g_string_append_printf (out, ", \"frame_ms\": %.3f, \"download_ms\": %.3f, "
                                  "\"loop_ms\": %.3f}", median (frame, runs), median (fdown, runs),
                                  loop_ms);
        }
      else
        {
          g_autofree char *dims = g_strdup_printf ("%dx%d", scaled->width, scaled->height);
          g_string_append_printf (out, "%-11s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n",
                                  dims, median (total, runs), median (dev, runs), st[0], st[1],
                                  st[2], st[3], median (up, runs), median (frame, runs),
                                  median (fdown, runs), loop_ms);
        }
      ink_image_free (&scaled);
    }
  if (json)
    g_string_append (out, "]");
  if (!bench_export (stylizer, source, &params, export_sizes, export_runs, json, out, &error))
    {
      status = fail (input, error);
      goto out;
    }
  if (json)
    g_string_append_printf (out, ", \"peak_rss_mb\": %.1f}\n", peak_rss_mb ());
  else
    g_string_append_printf (out, "peak RSS: %.1f MB\n", peak_rss_mb ());
  fputs (out->str, stdout);
  status = EXIT_SUCCESS;

out:
  ink_image_free (&source);
  ink_stylizer_free (&stylizer);
  return status;
}

/* Interruption ------------------------------------------------------------------------------ */

static sigset_t stop_signals;

/* SIGINT, SIGTERM and SIGHUP arrive here (blocked in every other thread): the unfinished outputs
 * are removed and the process ends with 128 + the signal's number, as a shell expects. */
static gpointer
signal_main (gpointer data)
{
  int sig = 0, removed;

  (void) data;
  while (sigwait (&stop_signals, &sig) != 0)
    ;
  removed = ink_partial_remove_all ();
  g_printerr ("\ninkloop-cli: %s; %s\n",
              sig == SIGINT ? "interrupted" : sig == SIGTERM ? "terminated" : "hung up",
              removed > 0 ? "removed the unfinished output" : "no unfinished output was left");
  _exit (128 + sig);
}

static void
catch_stop_signals (void)
{
  /* A file size limit (ulimit -f) is then a write error with a message, not a silent death that
   * leaves half a file. */
  signal (SIGXFSZ, SIG_IGN);
  sigemptyset (&stop_signals);
  sigaddset (&stop_signals, SIGINT);
  sigaddset (&stop_signals, SIGTERM);
  sigaddset (&stop_signals, SIGHUP);
  /* Before any other thread exists, so that all of them inherit the mask. */
  pthread_sigmask (SIG_BLOCK, &stop_signals, NULL);
  g_thread_unref (g_thread_new ("signals", signal_main, NULL));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  catch_stop_signals ();
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      g_print ("Usage: inkloop-cli COMMAND [OPTIONS]\n\nInkloop turns a photo into a comic-style "
               "still.\n\n%s\n", usage_text);
      return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("inkloop-cli %s\n", INK_VERSION);
      return EXIT_SUCCESS;
    }
  if (g_str_equal (argv[1], "still") || g_str_equal (argv[1], "devices")
      || g_str_equal (argv[1], "bench") || g_str_equal (argv[1], "render"))
    {
      /* Usage lines read "inkloop-cli COMMAND". */
      g_autofree char *name = g_strdup_printf ("inkloop-cli %s", argv[1]);
      argv[1] = name;
      if (g_str_equal (name, "inkloop-cli still"))
        return cmd_still (argc - 1, argv + 1);
      if (g_str_equal (name, "inkloop-cli devices"))
        return cmd_devices (argc - 1, argv + 1);
      if (g_str_equal (name, "inkloop-cli render"))
        return cmd_render (argc - 1, argv + 1);
      return cmd_bench (argc - 1, argv + 1);
    }
  g_printerr ("inkloop-cli: unknown command '%s'\n\n%s\n", argv[1], usage_text);
  return EXIT_USAGE;
}
