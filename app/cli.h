/* cli.h: what inkloop-cli's commands share: common options, parsing, errors, the device, signals. */
#pragma once

#include <glib.h>

#include "ink-params.h"
#include "stylize.h"

G_BEGIN_DECLS

/* Bad options or arguments; other failures exit with EXIT_FAILURE. */
#define EXIT_USAGE 2

/* --verbose and --device, options of every command. */
extern gboolean cli_verbose;
extern char *cli_device_arg;

/* Prints "inkloop-cli: [WHAT: ]message" and returns the exit status: EXIT_USAGE for an option
 * error or an invalid parameter, else EXIT_FAILURE. */
int cli_fail (const char *what, const GError *error);

/* A command's options: --device and --verbose, then ENTRIES (may be NULL). */
GOptionContext *cli_command_context (const char *params, const char *summary,
                                     GOptionEntry *entries);
/* Parses the options; "--" ends them, so a photo may be named "-p.png". The arguments left are
 * put back in *ARGV (its own array, freed at exit). */
gboolean cli_parse (GOptionContext *ctx, int *argc, char ***argv, GError **error);

/* A one-letter alias of a registry option: { "format", 'f' }. */
typedef struct {
  const char *name;
  char short_name;
} CliShortName;

/* One --NAME VALUE entry per spec not in SKIP (NULL-terminated, may be NULL), with the SHORTS
 * (ending with a NULL name; may be NULL), NULL-terminated. Each given pair is appended as "name",
 * "value" to the data of the group the entries are added to: for the main group,
 * cli_main_settings (). */
GOptionEntry *cli_spec_entries (const InkParamSpec *specs, guint n, const char *const *skip,
                                const CliShortName *shorts);
/* The registry options given in a command's main group, as "name", "value" pairs. */
GPtrArray *cli_main_settings (void);
/* An option group with one --NAME VALUE per spec not in SKIP (NULL-terminated, may be NULL),
 * after the EXTRA entries; each given pair is appended to SETTINGS as "name", "value". */
GOptionGroup *cli_spec_group (const char *name, const char *title, const char *help,
                              const InkParamSpec *specs, guint n, const char *const *skip,
                              GPtrArray *settings, GOptionEntry *extra);
/* --preset and one option per style parameter. */
GOptionGroup *cli_style_group (void);
/* The style: BASE (the project's style) or, when NULL or with --preset, the preset (default
 * anime), then the style options over it, validated. */
gboolean cli_style_params (InkStyleParams *params, const InkStyleParams *base, GError **error);
/* --preset as given, or NULL. */
const char *cli_preset (void);

/* --size: absent (-1) for the photo's size, else 1 .. INK_IMAGE_MAX_SIDE px; prints why not. */
gboolean cli_check_size (int size);

/* The stylizer on --device (or the best), saying why when it falls back. */
InkStylizer *cli_open_stylizer (GError **error);

/* Opening the device and building its pipelines runs beside the image's decoding:
 * g_thread_new ("open-device", cli_open_job, &job). */
typedef struct {
  InkStylizer *stylizer;
  GError *error;
} CliOpenJob;

gpointer cli_open_job (gpointer data);

/* SIGINT, SIGTERM and SIGHUP remove the unfinished outputs and end the process (128 + the
 * signal); call before any other thread exists. */
void cli_catch_stop_signals (void);

/* A terminal's progress bar with the time left (an InkExportProgress; USER_DATA a CliProgress). */
typedef struct {
  int last;          /* the percentage shown; -1: none yet */
  gint64 started;    /* monotonic time of the first call */
} CliProgress;

void cli_progress (double fraction, gpointer user_data);

#include "export.h"

/* render with a clip as INPUT: the part RANGE into OUTPUT as EXPORT says (long_edge 0: the clip's
 * size), in STYLE. Returns the exit status. */
int cli_render_clip (const char *input, const char *output, const InkClipRange *range,
                     const InkStyleParams *style, const InkExportParams *export);

/* The commands: ARGV[0] is "inkloop-cli COMMAND". */
int cmd_still (int argc, char **argv);
int cmd_render (int argc, char **argv);
int cmd_devices (int argc, char **argv);
int cmd_bench (int argc, char **argv);

G_END_DECLS
