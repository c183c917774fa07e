/* cli-still.c: inkloop-cli still: a photo into one comic-style PNG. */
#include "cli.h"

#include <string.h>

#include "ink-image.h"
#include "output-path.h"

int
cmd_still (int argc, char **argv)
{
  g_autofree char *output = NULL;
  int size = -1;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Where to write the still (.png; never one of the inputs)", "OUT.png" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Scale so the long edge is this many px, 1-16384 (default: the photo's size)", "PX" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_command_context ("INPUT -o OUT.png",
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
  CliOpenJob job = { NULL, NULL };
  GThread *opener;

  g_option_context_add_group (ctx, cli_style_group ());
  if (!cli_parse (ctx, &argc, &argv, &error))
    return cli_fail (NULL, error);
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
  if (!cli_check_size (size))
    return EXIT_USAGE;
  if (!cli_style_params (&params, NULL, &error))
    return cli_fail (NULL, error);
  {
    const char *inputs[] = { argv[1], NULL };
    if (!ink_output_check (output, FALSE, inputs, &error))
      return cli_fail (NULL, error);
  }

  load.long_edge = MAX (size, 0);
  t0 = g_get_monotonic_time ();
  opener = g_thread_new ("open-device", cli_open_job, &job);
  source = ink_image_load (argv[1], &load, &error);
  t_load = g_get_monotonic_time ();
  g_thread_join (opener);
  t_open = g_get_monotonic_time ();
  stylizer = job.stylizer;
  if (source == NULL)
    {
      status = cli_fail (NULL, error);
      goto out;
    }
  if (stylizer == NULL)
    {
      status = cli_fail (NULL, job.error);
      goto out;
    }
  result = ink_stylizer_run (stylizer, source, &params, &stats, &error);
  if (result == NULL)
    {
      status = cli_fail (argv[1], error);
      goto out;
    }
  t_run = g_get_monotonic_time ();
  if (!ink_image_save_png (result, output, &error))
    {
      status = cli_fail (NULL, error);
      goto out;
    }
  if (cli_verbose)
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
