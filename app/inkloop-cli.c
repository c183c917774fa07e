/* inkloop-cli.c: the headless command-line tool's main (): still, render, devices, bench; no GTK. */
#include "ink-config.h"

#include <locale.h>

#include "cli.h"
#include "vk-context.h"

static const char *usage_text =
  "Commands:\n"
  "  still INPUT -o OUT.png   stylize a photo into a comic still\n"
  "  render INPUT|PROJECT.inkloop -o OUT.gif|.apng|.mp4|.webp|DIR/\n"
  "                           render the looping animation to a file or PNG frames\n"
  "  devices                  list the Vulkan devices and the one that would be used\n"
  "  bench [INPUT]            time the stylizer per stage and size\n"
  "\n"
  "'inkloop-cli COMMAND --help' describes each command.";

static const struct {
  const char *name;
  int (*run) (int argc, char **argv);
} commands[] = {
  { "still", cmd_still },
  { "render", cmd_render },
  { "devices", cmd_devices },
  { "bench", cmd_bench },
};

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  ink_vk_skip_absent_gpu_drivers ();   /* before any thread */
  cli_catch_stop_signals ();
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
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        /* Usage lines read "inkloop-cli COMMAND". */
        g_autofree char *name = g_strdup_printf ("inkloop-cli %s", argv[1]);
        argv[1] = name;
        return commands[i].run (argc - 1, argv + 1);
      }
  g_printerr ("inkloop-cli: unknown command '%s'\n\n%s\n", argv[1], usage_text);
  return EXIT_USAGE;
}
