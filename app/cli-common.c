/* cli-common.c: what inkloop-cli's commands share: parsing, parameter options, errors, device, signals. */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ink-error.h"
#include "ink-image.h"
#include "output-path.h"

gboolean cli_verbose;
char *cli_device_arg;

int
cli_fail (const char *what, const GError *error)
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
  if (cli_verbose)
    g_log_set_debug_enabled (TRUE);
}

/* Parameter options, from the engine's spec tables ----------------------------------------- */

/* "name", "value" pairs as given, applied after the preset or project. */
static GPtrArray *style_settings;
static char *preset_arg;

/* The long name of each one-letter alias given to cli_spec_entries. */
static const char *short_aliases[128];

static gboolean
on_param_option (const char *option_name, const char *value, gpointer data, GError **error)
{
  GPtrArray *settings = data;
  /* GOption names the option as given: "--quality" or "-q". */
  const char *name = option_name[1] == '-' ? option_name + 2
                                           : short_aliases[(guchar) option_name[1] & 0x7f];

  (void) error;
  g_assert (name != NULL);
  g_ptr_array_add (settings, g_strdup (name));
  g_ptr_array_add (settings, g_strdup (value));
  return TRUE;
}

GOptionEntry *
cli_spec_entries (const InkParamSpec *specs, guint n, const char *const *skip,
                  const CliShortName *shorts)
{
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));

  for (guint i = 0; i < n; i++)
    {
      const InkParamSpec *s = &specs[i];
      GOptionEntry entry = {
        .long_name = s->name, .arg = G_OPTION_ARG_CALLBACK, .arg_data = (gpointer) on_param_option,
      };

      if (skip != NULL && g_strv_contains (skip, s->name))
        continue;
      for (guint k = 0; shorts != NULL && shorts[k].name != NULL; k++)
        if (g_str_equal (shorts[k].name, s->name))
          {
            entry.short_name = shorts[k].short_name;
            short_aliases[(guchar) entry.short_name & 0x7f] = s->name;
          }
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
          entry.description = g_strdup_printf ("%s, %.15g..%.15g (default %.15g)", s->blurb,
                                               s->min, s->max, s->def);
          entry.arg_description = s->type == INK_PARAM_FLOAT ? "X" : "N";
          break;
        }
      g_array_append_val (entries, entry);
    }
  return (GOptionEntry *) (gpointer) g_array_free (entries, FALSE);
}

GOptionGroup *
cli_spec_group (const char *name, const char *title, const char *help, const InkParamSpec *specs,
                guint n, const char *const *skip, GPtrArray *settings, GOptionEntry *extra)
{
  GOptionGroup *group = g_option_group_new (name, title, help, settings, NULL);

  if (extra != NULL)
    g_option_group_add_entries (group, extra);
  g_option_group_add_entries (group, cli_spec_entries (specs, n, skip, NULL));
  return group;
}

GOptionGroup *
cli_style_group (void)
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
  return cli_spec_group ("style", "Style options (spatial sizes are px at a 1024 px long edge):",
                         "Show the style options", specs, n, NULL, style_settings, extra);
}

const char *
cli_preset (void)
{
  return preset_arg;
}

gboolean
cli_style_params (InkStyleParams *params, const InkStyleParams *base, GError **error)
{
  if (base != NULL && preset_arg == NULL)
    *params = *base;
  else if (!ink_style_params_preset (params, preset_arg ? preset_arg : INK_STYLE_PRESET_INITIAL,
                                     error))
    return FALSE;
  for (guint i = 0; i + 1 < style_settings->len; i += 2)
    if (!ink_style_params_set (params, g_ptr_array_index (style_settings, i),
                               g_ptr_array_index (style_settings, i + 1), error))
      return FALSE;
  return ink_style_params_validate (params, error);
}

/* Options and arguments -------------------------------------------------------------------- */

static GPtrArray *main_settings;

GPtrArray *
cli_main_settings (void)
{
  if (main_settings == NULL)
    main_settings = g_ptr_array_new_with_free_func (g_free);
  return main_settings;
}

GOptionContext *
cli_command_context (const char *params, const char *summary, GOptionEntry *entries)
{
  GOptionContext *ctx = g_option_context_new (params);
  GOptionEntry common[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &cli_device_arg,
      "Vulkan device: index or name part, or 'cpu' for the C reference (default: $INKLOOP_DEVICE or the best)",
      "DEVICE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli_verbose, "Say what is happening", NULL },
    { NULL },
  };

  /* The main group's data is where registry options given in it go. */
  g_option_context_set_main_group (ctx, g_option_group_new (NULL, NULL, NULL,
                                                            cli_main_settings (), NULL));
  g_option_context_set_summary (ctx, summary);
  g_option_context_add_main_entries (ctx, common, NULL);
  if (entries != NULL)
    g_option_context_add_main_entries (ctx, entries, NULL);
  return ctx;
}

/* GOption alone keeps "--" in the arguments when a name after it starts with '-': the options
 * before "--" are parsed alone, and the names after it appended to what is left. */
gboolean
cli_parse (GOptionContext *ctx, int *argc, char ***argv, GError **error)
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

gboolean
cli_check_size (int size)
{
  if (size == -1 || (size >= 1 && size <= INK_IMAGE_MAX_SIDE))
    return TRUE;
  g_printerr ("inkloop-cli: --size is %d; it must be between 1 and %d px (leave it out for the "
              "photo's size)\n", size, INK_IMAGE_MAX_SIDE);
  return FALSE;
}

/* The device ------------------------------------------------------------------------------- */

InkStylizer *
cli_open_stylizer (GError **error)
{
  g_autofree char *notice = NULL;
  InkStylizer *s = ink_stylizer_new_auto (cli_device_arg, FALSE, &notice, error);

  if (notice != NULL)
    g_printerr ("inkloop-cli: %s\n", notice);
  if (s != NULL && cli_verbose)
    g_printerr ("inkloop-cli: device: %s\n", ink_stylizer_device_name (s));
  return s;
}

gpointer
cli_open_job (gpointer data)
{
  CliOpenJob *job = data;

  job->stylizer = cli_open_stylizer (&job->error);
  if (job->stylizer != NULL && !ink_stylizer_prepare (job->stylizer, &job->error))
    ink_stylizer_free (&job->stylizer);
  return NULL;
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

void
cli_catch_stop_signals (void)
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
