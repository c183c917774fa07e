/* cli-bench.c: inkloop-cli bench: the stylizer per stage and size, a frame, the loop, each export. */
#include "ink-config.h"

#include "cli.h"
#include "cli-bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "ink-config.h"
#include "animate.h"
#include "export.h"
#include "ink-image.h"
#include "motion.h"
#include "output-path.h"

/* One size's medians, in ms. */
typedef struct {
  int width, height;
  double stylize, device, upload, download;   /* the stylizer, whole and its parts */
  double stage[INK_STAGE_COUNT];
  double frame, frame_download;               /* one animated frame */
  double loop;                                /* the whole loop, once */
  double flow_loop;                           /* the loop with a flow and a sway arrow, on the
                                               * kept layers (motion set, every frame) */
} BenchRow;

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
cli_bench_median (double *values, int n)
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


/* The stylizer at SCALED's size: one warm-up, then RUNS timed runs. */
static gboolean
bench_stylize (InkStylizer *stylizer, const InkImage *scaled, const InkStyleParams *params,
               int runs, BenchRow *row, GError **error)
{
  g_autofree double *total = g_new (double, runs), *dev = g_new (double, runs);
  g_autofree double *up = g_new (double, runs), *down = g_new (double, runs);
  double stage[INK_STAGE_COUNT][1000];

  for (int r = -1; r < runs; r++)
    {
      InkStylizeStats stats;
      InkImage *res = ink_stylizer_run (stylizer, scaled, params, &stats, error);
      if (res == NULL)
        return FALSE;
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
  row->width = scaled->width;
  row->height = scaled->height;
  row->stylize = cli_bench_median (total, runs);
  row->device = cli_bench_median (dev, runs);
  row->upload = cli_bench_median (up, runs);
  row->download = cli_bench_median (down, runs);
  for (int k = 0; k < INK_STAGE_COUNT; k++)
    row->stage[k] = cli_bench_median (stage[k], runs);
  return TRUE;
}

/* The whole default loop once (stylize and every frame into memory), the same with a flow and a
 * sway arrow on the kept layers, then one animated frame
 * (default motion, so every default layer runs) and its download: one warm-up, RUNS timed. */
static gboolean
bench_frames (InkStylizer *stylizer, const InkImage *scaled, const InkStyleParams *params,
              int runs, BenchRow *row, GError **error)
{
  InkMotionParams motion = INK_MOTION_PARAMS_DEFAULT;
  InkAnimation *animation = ink_animation_new (stylizer, scaled, params, &motion, NULL, NULL,
                                               error);
  g_autofree guint32 *rgba8 = g_new (guint32, (gsize) scaled->width * scaled->height);
  g_autofree double *frame = g_new (double, runs), *fdown = g_new (double, runs);
  gint64 t0;
  gboolean ok;

  if (animation == NULL)
    return FALSE;
  t0 = g_get_monotonic_time ();
  ink_animation_free (&animation);
  animation = ink_animation_new (stylizer, scaled, params, &motion, NULL, NULL, error);
  ok = animation != NULL;
  for (int f = 0; ok && f < motion.frames; f++)
    ok = ink_animation_render_rgba8 (animation, f, rgba8, NULL, error);
  row->loop = (g_get_monotonic_time () - t0) / 1000.0;
  if (ok)
    {
      /* The same loop with hints: a flow arrow and a sway arrow (new motion on the kept layers,
       * as the editor does when a hint changes). */
      InkMotionHints *hints = ink_motion_hints_new ();
      InkArrow sway = { 0.7f, 0.3f, 0.72f, 0.33f, 0.0f, INK_ARROW_SWAY };

      ink_motion_hints_add_arrow (hints, 0.3f, 0.5f, 0.5f, 0.5f);
      g_array_append_val (hints->arrows, sway);
      t0 = g_get_monotonic_time ();
      ok = ink_animation_set_motion (animation, &motion, hints, error);
      for (int f = 0; ok && f < motion.frames; f++)
        ok = ink_animation_render_rgba8 (animation, f, rgba8, NULL, error);
      row->flow_loop = (g_get_monotonic_time () - t0) / 1000.0;
      ok = ok && ink_animation_set_motion (animation, &motion, NULL, error);
      ink_motion_hints_free (&hints);
    }
  for (int r = -1; ok && r < runs; r++)
    {
      InkFrameStats fs;
      ok = ink_animation_render_rgba8 (animation, (r + 1) % motion.frames, rgba8, &fs, error);
      if (ok && r >= 0)
        frame[r] = fs.frame_ms, fdown[r] = fs.download_ms;
    }
  ink_animation_free (&animation);
  if (!ok)
    return FALSE;
  row->frame = cli_bench_median (frame, runs);
  row->frame_download = cli_bench_median (fdown, runs);
  return TRUE;
}

/* The table's head: the device, the input and the columns; or the JSON object's start. */
static void
bench_append_head (GString *out, InkStylizer *stylizer, const char *input, int runs,
                   gboolean json)
{
  if (json)
    g_string_append_printf (out, "{\"device\": \"%s\", \"input\": \"%s\", \"runs\": %d, \"sizes\": [",
                            ink_stylizer_device_name (stylizer), input, runs);
  else
    g_string_append_printf (out, "device: %s\ninput: %s, %d runs each, medians in ms\n%-11s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n",
                            ink_stylizer_device_name (stylizer), input, runs, "size",
                            "stylize", "device", "smooth", "flatten", "lines", "composite",
                            "upload", "frame", "download", "loop", "flow loop");
}

/* One size's row of the table, or its object in "sizes" (FIRST: no comma before it). */
static void
bench_append_row (GString *out, const BenchRow *row, gboolean first, gboolean json)
{
  if (json)
    {
      g_string_append_printf (out, "%s{\"width\": %d, \"height\": %d, \"stylize_ms\": %.3f, "
                              "\"device_ms\": %.3f, \"upload_ms\": %.3f, \"stylize_download_ms\": %.3f",
                              first ? "" : ", ", row->width, row->height, row->stylize,
                              row->device, row->upload, row->download);
      for (int k = 0; k < INK_STAGE_COUNT; k++)
        g_string_append_printf (out, ", \"%s_ms\": %.3f", ink_stage_name (k), row->stage[k]);
      g_string_append_printf (out, ", \"frame_ms\": %.3f, \"download_ms\": %.3f, "
                              "\"loop_ms\": %.3f, \"flow_loop_ms\": %.3f}", row->frame,
                              row->frame_download, row->loop, row->flow_loop);
    }
  else
    {
      g_autofree char *dims = g_strdup_printf ("%dx%d", row->width, row->height);
      g_string_append_printf (out, "%-11s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n",
                              dims, row->stylize, row->device, row->stage[0], row->stage[1],
                              row->stage[2], row->stage[3], row->upload, row->frame,
                              row->frame_download, row->loop, row->flow_loop);
    }
}

/* The stylizer, a frame and the loop at each long edge in SIZES, one row each. *WHAT: the name to
 * give with the error (the input; NULL when scaling failed). */
static gboolean
bench_sizes (InkStylizer *stylizer, const InkImage *source, const InkStyleParams *params,
             char **sizes, int runs, gboolean json, const char *input, GString *out,
             const char **what, GError **error)
{
  for (int i = 0; sizes[i]; i++)
    {
      InkImage *scaled = ink_image_scale (source, atoi (sizes[i]), error);
      BenchRow row = { 0 };
      gboolean ok;

      *what = NULL;
      if (scaled == NULL)
        return FALSE;
      *what = input;
      ok = bench_stylize (stylizer, scaled, params, runs, &row, error)
           && bench_frames (stylizer, scaled, params, runs, &row, error);
      if (ok)
        bench_append_row (out, &row, i == 0, json);
      ink_image_free (&scaled);
      if (!ok)
        return FALSE;
    }
  if (json)
    g_string_append (out, "]");
  return TRUE;
}

/* Exports the default loop as PARAMS to PATH, RUNS times: the median time in ms, the bytes. */
static gboolean
bench_export_one (InkStylizer *stylizer, const InkImage *source, const InkStyleParams *style,
                  const InkMotionParams *motion, const InkExportParams *params, const char *path,
                  int runs, double *ms, gint64 *bytes, GError **error)
{
  g_autofree double *each = g_new (double, runs);

  for (int r = 0; r < runs; r++)
    {
      InkExportResult result = { 0 };
      if (!ink_export (stylizer, source, style, motion, NULL, path, params, NULL, NULL, NULL,
                       &result, error))
        return FALSE;
      each[r] = result.seconds * 1000.0;
      *bytes = result.bytes;
      ink_export_result_clear (&result);
    }
  *ms = cli_bench_median (each, runs);
  return TRUE;
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
  /* Removed on Ctrl+C too. */
  ink_partial_register (dir, TRUE);
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
          g_autofree char *name = g_strdup_printf ("bench.%s", f == INK_FORMAT_PNG_FRAMES
                                                                 ? "frames" : ink_export_format_name (f));
          g_autofree char *path = g_build_filename (dir, name, NULL);
          gint64 bytes = 0;
          double ms;
          params.format = f;
          if (!bench_export_one (stylizer, source, style, &motion, &params, path, runs, &ms,
                                 &bytes, error))
            {
              ink_remove_tree (dir, NULL);
              ink_partial_unregister (dir);
              return FALSE;
            }
          if (json)
            g_string_append_printf (out, ", \"%s_ms\": %.1f, \"%s_bytes\": %" G_GINT64_FORMAT,
                                    ink_export_format_name (f), ms, ink_export_format_name (f),
                                    bytes);
          else
            {
              g_autofree char *cell = g_strdup_printf ("%.0f (%" G_GINT64_FORMAT ")", ms, bytes);
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
    ink_partial_unregister (dir);
  }
  return TRUE;
}

/* --sizes and --export-sizes: each 1 .. INK_IMAGE_MAX_SIDE px; prints why not. */
static gboolean
check_sizes (char **sizes, char **export_sizes)
{
  for (char **list = sizes; list != NULL; list = list == sizes ? export_sizes : NULL)
    for (int i = 0; list[i]; i++)
      {
        char *end;
        long v = strtol (list[i], &end, 10);
        if (*end != '\0' || v < 1 || v > INK_IMAGE_MAX_SIDE)
          {
            g_printerr ("inkloop-cli: --%ssizes: '%s' is not a size between 1 and %d px\n",
                        list == sizes ? "" : "export-", list[i], INK_IMAGE_MAX_SIDE);
            return FALSE;
          }
      }
  return TRUE;
}

/* The end of a benchmark: when OK, the peak memory and the whole report OUT on standard output,
 * else the error (about WHAT); frees *SOURCE and *STYLIZER. Returns the exit status. */
static int
bench_finish (gboolean ok, GString *out, gboolean json, const char *what, const GError *error,
              InkImage **source, InkStylizer **stylizer)
{
  int status = EXIT_SUCCESS;

  if (ok && json)
    g_string_append_printf (out, ", \"peak_rss_mb\": %.1f}\n", peak_rss_mb ());
  else if (ok)
    g_string_append_printf (out, "peak RSS: %.1f MB\n", peak_rss_mb ());
  if (ok)
    fputs (out->str, stdout);
  else
    status = cli_fail (what, error);
  ink_image_free (source);
  ink_stylizer_free (stylizer);
  return status;
}

/* bench --generator learned: the network at SIZES_ARG (default 640,1920). */
static int
bench_learned (int argc, char **argv, const char *sizes_arg, const char *model_arg,
               const char *precision, int runs, gboolean json)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) sizes = g_strsplit (sizes_arg ? sizes_arg : "640,1920", ",", -1);
  g_auto (GStrv) none = g_new0 (char *, 1);
  g_autofree char *input = NULL, *model = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  InkImage *source = NULL;
  InkStylizer *stylizer = NULL;
  const char *what = NULL;
  gboolean ok = FALSE;

  if (!check_sizes (sizes, none))
    return EXIT_USAGE;
  if (precision != NULL && !g_str_equal (precision, "fp32") && !g_str_equal (precision, "fp16")
      && !g_str_equal (precision, "fp16-math"))
    {
      g_printerr ("inkloop-cli: --precision is fp32, fp16 or fp16-math, not '%s'\n", precision);
      return EXIT_USAGE;
    }
  model = model_arg != NULL ? g_strdup (model_arg) : cli_bench_default_model ();
  if (model == NULL)
    {
      g_printerr ("inkloop-cli: there is no learned generator here yet; give one with --model "
                  "FILE\n");
      return EXIT_USAGE;
    }
  input = argc == 2 ? g_strdup (argv[1]) : default_sample ();
  source = ink_image_load (input, NULL, &error);
  what = input;
  if (source == NULL)
    goto failed;
  stylizer = cli_open_stylizer (&error);
  what = NULL;   /* the network's errors name its file */
  ok = stylizer != NULL
       && cli_bench_network (ink_stylizer_vk_context (stylizer), model, source, input, sizes,
                             runs, precision != NULL ? precision : "fp32", json, out, &error);
failed:
  return bench_finish (ok, out, json, what, error, &source, &stylizer);
}

int
cmd_bench (int argc, char **argv)
{
  g_autofree char *sizes_arg = NULL, *export_arg = NULL, *generator = NULL, *model = NULL;
  g_autofree char *precision = NULL;
  int runs = 5, export_runs = 1;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes_arg, "Long edges to time (default 512,1920,3840)", "A,B,..." },
    { "export-sizes", 0, 0, G_OPTION_ARG_STRING, &export_arg, "Long edges to time every export format at (default 512,1920; 0: none)", "A,B,..." },
    { "export-runs", 0, 0, G_OPTION_ARG_INT, &export_runs, "Timed exports per format and size (default 1)", "N" },
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs per size, after one warm-up (default 5)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { "generator", 0, 0, G_OPTION_ARG_STRING, &generator, "procedural (default) or learned: the network runtime, whole and per layer, at --sizes (default 640,1920)", "NAME" },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision, "With --generator learned: fp32 (default), fp16 (the values between layers kept as halves; weights and arithmetic fp32) or fp16-math (also the convolutions' products and sums in halves, on devices with shaderFloat16)", "P" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "With --generator learned: the network to time (default: $INKLOOP_MODEL or the bundled generator; in a source tree without one, the tests' 0.2 M-parameter U-Net of random weights)", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_command_context ("[INPUT]",
    "Time the stylizer (medians per stage and size), one animated frame (frame_ms: device\n"
    "time; download_ms: fetching it) and a whole default loop once (loop_ms: stylize and\n"
    "every frame into memory; flow_loop_ms: the same loop with a flow and a sway arrow on\n"
    "the stylized layers, motion fields and every frame) on the chosen device; then each\n"
    "export format, whole (stylize, frames, encoding, writing), at --export-sizes.\n"
    "Without INPUT, the bundled sample is used. --help-style lists the style controls.",
    entries);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) sizes = NULL, export_sizes = NULL;
  g_autofree char *input = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  InkStyleParams params = INK_STYLE_PARAMS_DEFAULT;
  InkImage *source = NULL;
  InkStylizer *stylizer = NULL;
  const char *what = NULL;
  gboolean ok = FALSE;

  g_option_context_add_group (ctx, cli_style_group ());
  if (!cli_parse (ctx, &argc, &argv, &error))
    return cli_fail (NULL, error);
  if (argc > 2 || runs < 1 || runs > 1000 || export_runs < 1 || export_runs > 100)
    {
      g_printerr ("inkloop-cli: bench takes at most one INPUT, --runs 1..1000 and --export-runs 1..100\n");
      return EXIT_USAGE;
    }
  if (!cli_style_params (&params, NULL, &error))
    return cli_fail (NULL, error);
  if (generator != NULL && !g_str_equal (generator, "procedural")
      && !g_str_equal (generator, "learned"))
    {
      g_printerr ("inkloop-cli: --generator is procedural or learned, not '%s'\n", generator);
      return EXIT_USAGE;
    }
  if (generator != NULL && g_str_equal (generator, "learned"))
    return bench_learned (argc, argv, sizes_arg, model, precision, runs, json);
  if (model != NULL || precision != NULL)
    {
      g_printerr ("inkloop-cli: --model and --precision go with --generator learned\n");
      return EXIT_USAGE;
    }
  sizes = g_strsplit (sizes_arg ? sizes_arg : "512,1920,3840", ",", -1);
  export_sizes = g_strsplit (export_arg == NULL ? "512,1920"
                             : g_str_equal (export_arg, "0") ? "" : export_arg, ",", -1);
  if (!check_sizes (sizes, export_sizes))
    return EXIT_USAGE;

  input = argc == 2 ? g_strdup (argv[1]) : default_sample ();
  source = ink_image_load (input, NULL, &error);
  if (source == NULL)
    goto failed;
  stylizer = cli_open_stylizer (&error);
  if (stylizer == NULL || !ink_stylizer_prepare (stylizer, &error))
    goto failed;

  bench_append_head (out, stylizer, input, runs, json);
  if (!bench_sizes (stylizer, source, &params, sizes, runs, json, input, out, &what, &error))
    goto failed;
  what = input;
  ok = bench_export (stylizer, source, &params, export_sizes, export_runs, json, out, &error);
failed:
  return bench_finish (ok, out, json, what, error, &source, &stylizer);
}
