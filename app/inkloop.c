/* inkloop.c: the editor's entry point: starts the GtkApplication, which opens any photos named on the command line. */
#include "ink-config.h"

#include <locale.h>
#include <signal.h>

#include "ink-application.h"
#include "vk-context.h"

int
main (int argc, char **argv)
{
  g_autoptr (InkApplication) app = NULL;

  setlocale (LC_ALL, "");
  ink_vk_skip_absent_gpu_drivers ();   /* before any thread */
  /* A file size limit (ulimit -f) is a write error with a message, not a silent death. */
  signal (SIGXFSZ, SIG_IGN);
  ink_application_init_resources ();
  app = ink_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
