/* inkloop-cli.c: the headless command-line tool: still, devices, bench (no GTK, no display). */
#include "ink-config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ink-error.h"
#include "ink-image.h"
#include "ink-params.h"
#include "stylize.h"

#define EXIT_USAGE 2

static gboolean verbose;
static char *device_arg;

static const char *usage_text =
  "Commands:\n"
  "  still INPUT -o OUT.png   stylize a photo into a comic still\n"
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

/* Style options ------------------------------------------------------------------------------- */

typedef struct {
  char *preset;
  GPtrArray *settings;   /* "name", "value" pairs, applied after the preset */
} StyleOptions;

static StyleOptions style_options;

static gboolean
on_style_option (const char *option_name, const char *value, gpointer data, GError **error)
{
  (void) data;
  (void) error;
  g_ptr_array_add (style_options.settings, g_strdup (option_name + 2));
  g_ptr_array_add (style_options.settings, g_strdup (value));
  return TRUE;
}

static GOptionGroup *
style_group (void)
{
  guint n;
  const InkParamSpec *specs = ink_style_param_specs (&n);
  GOptionEntry *entries = g_new0 (GOptionEntry, n + 2);
  GOptionGroup *group;
  g_autofree char *presets = g_strjoinv (", ", (char **) ink_style_preset_names ());

  style_options.settings = g_ptr_array_new_with_free_func (g_free);
  entries[0] = (GOptionEntry) { "preset", 'p', 0, G_OPTION_ARG_STRING, &style_options.preset,
                                NULL, "NAME" };
  entries[0].description = g_strdup_printf ("Start from a preset: %s (default: anime)", presets);
  for (guint i = 0; i < n; i++)
    {
      const InkParamSpec *s = &specs[i];
      entries[i + 1] = (GOptionEntry) {
        .long_name = s->name,
        .arg = G_OPTION_ARG_CALLBACK,
        .arg_data = (gpointer) on_style_option,
      };
      if (s->type == INK_PARAM_COLOR)
        {
          entries[i + 1].description = g_strdup (s->blurb);
          entries[i + 1].arg_description = "#RRGGBB";
        }
      else if (s->type == INK_PARAM_BOOL)
        {
          entries[i + 1].description = g_strdup (s->blurb);
          entries[i + 1].arg_description = "true|false";
        }
      else
        {
          entries[i + 1].description = g_strdup_printf ("%s, %g..%g", s->blurb, s->min, s->max);
          entries[i + 1].arg_description = s->type == INK_PARAM_INT ? "N" : "X";
        }
    }
  group = g_option_group_new ("style", "Style options (spatial sizes are px at a 1024 px long edge):",
                              "Show the style options", NULL, NULL);
  g_option_group_add_entries (group, entries);
  return group;
}

static gboolean
style_params (InkStyleParams *params, GError **error)
{
  if (!ink_style_params_preset (params, style_options.preset ? style_options.preset : "anime",
                                error))
    return FALSE;
  for (guint i = 0; i + 1 < style_options.settings->len; i += 2)
    if (!ink_style_params_set (params, g_ptr_array_index (style_options.settings, i),
                               g_ptr_array_index (style_options.settings, i + 1), error))
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

static gboolean
parse (GOptionContext *ctx, int *argc, char ***argv, GError **error)
{
  gboolean ok = g_option_context_parse (ctx, argc, argv, error);
  enable_debug ();
  return ok;
}

/* still ------------------------------------------------------------------------------------- */

static int
cmd_still (int argc, char **argv)
{
  g_autofree char *output = NULL;
  int size = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Where to write the still (.png)", "OUT.png" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Scale so the long edge is this many px (default: the photo's size)", "PX" },
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
  if (!g_str_has_suffix (output, ".png") && !g_str_has_suffix (output, ".PNG"))
    {
      g_printerr ("inkloop-cli: %s: stills are written as PNG; give a name ending in .png\n", output);
      return EXIT_USAGE;
    }
  if (size < 0 || size > INK_IMAGE_MAX_SIDE)
    {
      g_printerr ("inkloop-cli: --size is %d; it must be between 1 and %d px\n", size,
                  INK_IMAGE_MAX_SIDE);
      return EXIT_USAGE;
    }
  if (!style_params (&params, &error))
    return fail (NULL, error);

  load.long_edge = size;
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

static int
cmd_bench (int argc, char **argv)
{
  g_autofree char *sizes_arg = NULL;
  int runs = 5;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes_arg, "Long edges to time (default 512,1920,3840)", "A,B,..." },
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs per size, after one warm-up (default 5)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = command_context ("[INPUT]",
                                                    "Time the stylizer: medians per stage and size on the chosen device.\n"
                                                    "Without INPUT, the bundled sample is used. --help-style lists the style controls.",
                                                    entries);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) sizes = NULL;
  g_autofree char *input = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  InkStyleParams params = INK_STYLE_PARAMS_DEFAULT;
  InkImage *source = NULL;
  InkStylizer *stylizer = NULL;
  int status = EXIT_FAILURE;

  g_option_context_add_group (ctx, style_group ());
  if (!parse (ctx, &argc, &argv, &error))
    return fail (NULL, error);
  if (argc > 2 || runs < 1 || runs > 1000)
    {
      g_printerr ("inkloop-cli: bench takes at most one INPUT and --runs 1..1000\n");
      return EXIT_USAGE;
    }
  if (!style_params (&params, &error))
    return fail (NULL, error);
  sizes = g_strsplit (sizes_arg ? sizes_arg : "512,1920,3840", ",", -1);
  for (int i = 0; sizes[i]; i++)
    {
      char *end;
      long v = strtol (sizes[i], &end, 10);
      if (*end != '\0' || v < 1 || v > INK_IMAGE_MAX_SIDE)
        {
          g_printerr ("inkloop-cli: --sizes: '%s' is not a size between 1 and %d px\n", sizes[i],
                      INK_IMAGE_MAX_SIDE);
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
    g_string_append_printf (out, "device: %s\ninput: %s, %d runs each, medians in ms\n%-11s %9s %9s %9s %9s %9s %9s %9s\n",
                            ink_stylizer_device_name (stylizer), input, runs, "size",
                            "stylize", "device", "smooth", "flatten", "lines", "composite",
                            "upload");
  for (int i = 0; sizes[i]; i++)
    {
      InkImage *scaled = ink_image_scale (source, atoi (sizes[i]), &error);
      g_autofree double *total = g_new (double, runs), *dev = g_new (double, runs);
      g_autofree double *up = g_new (double, runs), *down = g_new (double, runs);
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
      if (json)
        {
          g_string_append_printf (out, "%s{\"width\": %d, \"height\": %d, \"stylize_ms\": %.3f, "
                                  "\"device_ms\": %.3f, \"upload_ms\": %.3f, \"download_ms\": %.3f",
                                  i ? ", " : "", scaled->width, scaled->height,
                                  median (total, runs), median (dev, runs), median (up, runs),
                                  median (down, runs));
          for (int k = 0; k < INK_STAGE_COUNT; k++)
            g_string_append_printf (out, ", \"%s_ms\": %.3f", ink_stage_name (k), st[k]);
          g_string_append (out, "}");
        }
      else
        {
          g_autofree char *dims = g_strdup_printf ("%dx%d", scaled->width, scaled->height);
          g_string_append_printf (out, "%-11s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", dims,
                                  median (total, runs), median (dev, runs), st[0], st[1], st[2],
                                  st[3], median (up, runs));
        }
      ink_image_free (&scaled);
    }
  if (json)
    g_string_append_printf (out, "], \"peak_rss_mb\": %.1f}\n", peak_rss_mb ());
  else
    g_string_append_printf (out, "peak RSS: %.1f MB\n", peak_rss_mb ());
  fputs (out->str, stdout);
  status = EXIT_SUCCESS;

out:
  ink_image_free (&source);
  ink_stylizer_free (&stylizer);
  return status;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
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
      || g_str_equal (argv[1], "bench"))
    {
      /* Usage lines read "inkloop-cli COMMAND". */
      g_autofree char *name = g_strdup_printf ("inkloop-cli %s", argv[1]);
      argv[1] = name;
      if (g_str_equal (name, "inkloop-cli still"))
        return cmd_still (argc - 1, argv + 1);
      if (g_str_equal (name, "inkloop-cli devices"))
        return cmd_devices (argc - 1, argv + 1);
      return cmd_bench (argc - 1, argv + 1);
    }
  g_printerr ("inkloop-cli: unknown command '%s'\n\n%s\n", argv[1], usage_text);
  return EXIT_USAGE;
}
