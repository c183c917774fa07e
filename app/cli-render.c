/* cli-render.c: inkloop-cli render: a photo or project to the looping animation, a file or frames. */
#include "cli.h"

#include <math.h>
#include <unistd.h>

#include "export.h"
#include "ink-error.h"
#include "ink-image.h"
#include "motion.h"
#include "output-path.h"
#include "project.h"
#include "video-input.h"

/* "name", "value" pairs as given, applied over the project's motion. */
static GPtrArray *motion_settings;

static GOptionGroup *
motion_group (void)
{
  guint n;
  const InkParamSpec *specs = ink_motion_param_specs (&n);
  /* Set by the hint-style options below instead. */
  static const char *const skip[] = { "focus-lines", "focus-x", "focus-y", "speed-lines",
                                      "speed-angle", NULL };

  motion_settings = g_ptr_array_new_with_free_func (g_free);
  return cli_spec_group ("motion", "Motion options (sizes are fractions of the picture):",
                         "Show the motion options", specs, n, skip, motion_settings, NULL);
}

/* Parses "a,b,..." into exactly N floats. */
/* N numbers (or N + OPTIONAL, the rest left as they are) separated by commas. */
static gboolean
parse_floats_opt (const char *option, const char *text, float *out, int n, int optional,
                  GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  int given = (int) g_strv_length (parts);

  if (given < n || given > n + optional)
    goto bad;
  for (int i = 0; i < given; i++)
    {
      char *end;
      out[i] = (float) g_ascii_strtod (g_strstrip (parts[i]), &end);
      if (end == parts[i] || *end != '\0' || !isfinite (out[i]))
        goto bad;
    }
  return TRUE;

bad:
  if (optional > 0)
    g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                 "%s '%s': give %d or %d numbers separated by commas", option, text, n,
                 n + optional);
  else
    g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                 "%s '%s': give %d numbers separated by commas", option, text, n);
  return FALSE;
}

static gboolean
parse_floats (const char *option, const char *text, float *out, int n, GError **error)
{
  return parse_floats_opt (option, text, out, n, 0, error);
}

/* --arrow or --sway: x0,y0,x1,y1 and maybe the arrow's own reach. */
static gboolean
add_arrows (InkMotionHints *hints, const char *option, char **texts, int kind, GError **error)
{
  for (guint i = 0; texts != NULL && texts[i] != NULL; i++)
    {
      float v[5] = { 0, 0, 0, 0, 0 };
      InkArrow a;

      if (!parse_floats_opt (option, texts[i], v, 4, 1, error))
        return FALSE;
      if (v[4] != 0.0f && !(v[4] >= INK_ARROW_REACH_MIN && v[4] <= INK_ARROW_REACH_MAX))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                       "%s '%s': the reach (the fifth number) is %g to %g picture heights",
                       option, texts[i], INK_ARROW_REACH_MIN, INK_ARROW_REACH_MAX);
          return FALSE;
        }
      a = (InkArrow) { v[0], v[1], v[2], v[3], v[4], kind };
      g_array_append_val (hints->arrows, a);
    }
  return TRUE;
}

/* A progress bar on a terminal: "[#####.....]  42%  1:05 left". */
static void
show_progress (double fraction, gpointer user_data)
{
  CliProgress *p = user_data;
  int percent = (int) (fraction * 100.0);
  gint64 now = g_get_monotonic_time ();
  char bar[31];

  if (p->started == 0)
    p->started = now;
  if (percent == p->last)
    return;
  p->last = percent;
  for (int i = 0; i < 30; i++)
    bar[i] = i < percent * 30 / 100 ? '#' : '.';
  bar[30] = '\0';
  /* The time left, once there is enough behind to judge it by. */
  if (fraction >= 0.03 && fraction < 1.0 && now - p->started > G_USEC_PER_SEC)
    {
      int left = (int) ((now - p->started) / 1e6 * (1.0 - fraction) / fraction + 0.5);
      g_printerr ("\r[%s] %3d%%  %d:%02d left ", bar, percent, left / 60, left % 60);
    }
  else
    g_printerr ("\r[%s] %3d%%               ", bar, percent);
}

void
cli_progress (double fraction, gpointer user_data)
{
  show_progress (fraction, user_data);
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

/* The export's options, from the registry: --format (-f), --quality (-q), --dither,
 * --gif-colors, --repeat, --max-bytes. */
static GOptionEntry *
export_entries (void)
{
  static const char *const skip[] = { "long-edge", NULL };
  static const CliShortName shorts[] = { { "format", 'f' }, { "quality", 'q' }, { NULL, 0 } };
  guint n;
  const InkParamSpec *specs = ink_export_param_specs (&n);

  return cli_spec_entries (specs, n, skip, shorts);
}

/* The export options over the defaults; without --format, the format OUTPUT's name asks for. */
static gboolean
export_params (const char *output, InkExportParams *export, GError **error)
{
  GPtrArray *settings = cli_main_settings ();
  gboolean format_given = FALSE;
  guint n;
  const InkParamSpec *specs = ink_export_param_specs (&n);

  ink_export_params_default (export);
  for (guint i = 0; i + 1 < settings->len; i += 2)
    {
      const char *name = g_ptr_array_index (settings, i), *value = g_ptr_array_index (settings, i + 1);

      /* The format's name may also be an alias ("frames"). */
      if (g_str_equal (name, "format"))
        {
          if (!ink_export_format_from_name (value, &export->format, error))
            return FALSE;
          format_given = TRUE;
        }
      else if (!ink_params_set (specs, n, export, name, value, error))
        return FALSE;
    }
  if (!format_given && !ink_export_format_from_path (output, &export->format, error))
    return FALSE;
  return ink_export_params_validate (export, error);
}

/* The clip options as given. */
typedef struct {
  const char *start, *duration;   /* the text given; NULL: not given */
  gboolean no_audio, loop;
  int size;
} ClipOptions;

/* --start or --duration (OPTION) as given in TEXT into *SECONDS (kept when TEXT is NULL: not
 * given). Any number is taken, NaN and negatives included: the clip's validation judges them
 * with the same words as a project's. */
static gboolean
clip_seconds (const char *option, const char *text, double *seconds, GError **error)
{
  char *end;
  double value;

  if (text == NULL)
    return TRUE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s '%s': give a number of seconds", option, text);
      return FALSE;
    }
  *seconds = value;
  return TRUE;
}

/* render with a clip, or PROJECT of one: the options over the project's (or a new project's)
 * settings, the clip rendered, then the project saved when SAVE_PROJECT asks. Of the motion
 * options only --fps applies (the result's rate). */
static int
render_clip (const char *input, InkProject *project, const ClipOptions *options,
             gboolean motion_given, const char *output, InkExportParams *export,
             const char *save_project)
{
  g_autoptr (GError) error = NULL;
  InkProject *made = NULL;
  double fps_given = -1.0;
  int status;

  for (guint i = 0; i + 1 < motion_settings->len; i += 2)
    {
      const char *name = g_ptr_array_index (motion_settings, i);
      char *end;
      double fps = g_ascii_strtod (g_ptr_array_index (motion_settings, i + 1), &end);
      if (!g_str_equal (name, "fps"))
        motion_given = TRUE;
      else if (*end != '\0' || !(fps >= INK_CLIP_MIN_FPS && fps <= INK_CLIP_MAX_FPS))
        {
          g_printerr ("inkloop-cli: --fps: give a rate of %g to %g frames a second\n",
                      INK_CLIP_MIN_FPS, INK_CLIP_MAX_FPS);
          return EXIT_USAGE;
        }
      else
        fps_given = fps;
    }
  if (motion_given)
    {
      g_printerr ("inkloop-cli: %s is a clip, which moves by itself: of the motion options only "
                  "--fps (the result's rate) applies\n", project != NULL ? project->source : input);
      return EXIT_USAGE;
    }
  if (project == NULL)
    {
      project = made = ink_project_new ();
      g_free (project->source);
      project->source = g_canonicalize_filename (input, NULL);
      project->is_clip = TRUE;
      project->clip = (InkClipRange) INK_CLIP_RANGE_DEFAULT;
      if (!ink_project_set_preset (project, INK_STYLE_PRESET_INITIAL, &error))
        goto failed;
    }
  if (fps_given > 0.0)
    project->clip.fps = fps_given;
  if (!clip_seconds ("--start", options->start, &project->clip.start, &error)
      || !clip_seconds ("--duration", options->duration, &project->clip.duration, &error))
    goto usage;
  project->clip.no_audio |= options->no_audio;
  project->clip.loop |= options->loop;
  if (options->size > 0)
    project->size = options->size;
  if (!cli_style_params (&project->style, &project->style, &error))
    goto usage;
  if (cli_preset () != NULL)
    ink_project_set_preset_name (project, cli_preset ());
  if (!ink_project_clip_validate (&project->clip, &error))
    goto usage;
  if (!check_outputs (input, project, NULL, output, export->format, save_project, &error))
    goto failed;
  export->long_edge = project->size;
  status = cli_render_clip (project->source, output, &project->clip, &project->style, export);
  if (status == EXIT_SUCCESS && save_project != NULL
      && !ink_project_save (project, save_project, &error))
    goto failed;
  ink_project_free (&made);
  return status;

usage:
  ink_project_free (&made);
  cli_fail (NULL, error);
  return EXIT_USAGE;
failed:
  ink_project_free (&made);
  return cli_fail (NULL, error);
}

int
cmd_render (int argc, char **argv)
{
  g_autofree char *output = NULL, *mask_path = NULL, *focus = NULL, *speed = NULL;
  g_autofree char *save_project = NULL, *clip_start = NULL, *clip_duration = NULL;
  g_auto (GStrv) arrows = NULL, sways = NULL, anchors = NULL;
  int size = -1;
  InkExportParams export;
  InkExportResult result = { 0 };
  CliProgress progress = { .last = -1 };
  gboolean no_audio = FALSE, loop = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The file (.gif .apng .mp4 .webp), or a folder for PNG frames (frame-0001.png ...; new, empty or holding only frames); never an input, never '-'", "OUT|DIR/" },
    /* The project's size, not the export's long-edge: the photo is stylized at it, and
     * --save-project records it. */
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Scale so the long edge is this many px, 1-16384 (default: the photo's or the project's size; WebP: at most 16383)", "PX" },
    { "arrow", 0, 0, G_OPTION_ARG_STRING_ARRAY, &arrows, "Flow: material at x0,y0 moves to x1,y1 over the loop (fractions of the picture; repeatable); a fifth number is this arrow's reach in picture heights (default --flow-reach)", "x0,y0,x1,y1[,reach]" },
    { "sway", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sways, "Sway: material at x0,y0 swings toward x1,y1 and as far the other way, back by the loop's end (hair, grass, cloth; repeatable); a fifth number is its reach", "x0,y0,x1,y1[,reach]" },
    { "anchor", 0, 0, G_OPTION_ARG_STRING_ARRAY, &anchors, "Flow: a point that stays still (repeatable)", "x,y" },
    { "mask", 0, 0, G_OPTION_ARG_FILENAME, &mask_path, "Flow: freeze mask, a grey image of any size (white = frozen)", "FILE" },
    { "focus-lines", 0, 0, G_OPTION_ARG_STRING, &focus, "Focus lines toward this centre", "x,y" },
    { "speed-lines", 0, 0, G_OPTION_ARG_STRING, &speed, "Speed lines along this direction (degrees, 0 = along x, 90 = down)", "ANGLE" },
    { "save-project", 0, 0, G_OPTION_ARG_FILENAME, &save_project, "Also write the project that reproduces this render (replaces only a project)", "FILE.inkloop" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &clip_start, "A clip: begin this many seconds in (default 0); --fps sets a clip's result's rate (default: its own)", "S" },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &clip_duration, "A clip: render this many seconds (default: to the end; at most 600)", "S" },
    { "no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, "A clip: leave its sound out of the MP4", NULL },
    { "loop", 0, 0, G_OPTION_ARG_NONE, &loop, "A clip: make a seamless loop of the stretch of it (at least 0.5 s, of at most 60 s given) that loops best", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_command_context ("INPUT|CLIP|PROJECT.inkloop -o OUT.gif|.apng|.mp4|.webp|DIR/",
    "Render the looping animation of a photo, or a video clip (MP4, MOV, MKV, WebM, AVI, GIF ...)\n"
    "frame by frame, to an animated GIF, APNG, MP4 (H.264) or WebP, or to PNG frames in a folder.\n"
    "The file appears only when complete; an existing one is replaced only then. Ctrl+C removes\n"
    "the unfinished file (exit 130). '--' ends the options.\n"
    "--help-style and --help-motion list the controls.",
    entries);
  g_autoptr (GError) error = NULL;
  InkProject *project = NULL;
  InkImage *source = NULL;
  InkStylizer *stylizer = NULL;
  InkLoadParams load = INK_LOAD_PARAMS_DEFAULT;
  int status = EXIT_FAILURE;
  CliOpenJob job = { NULL, NULL };
  GThread *opener;

  g_option_context_add_main_entries (ctx, export_entries (), NULL);
  g_option_context_add_group (ctx, cli_style_group ());
  g_option_context_add_group (ctx, motion_group ());
  if (!cli_parse (ctx, &argc, &argv, &error))
    return cli_fail (NULL, error);
  if (argc != 2 || output == NULL)
    {
      g_printerr ("inkloop-cli: render needs one INPUT and -o OUT; see 'inkloop-cli render --help'\n");
      return EXIT_USAGE;
    }
  if (!cli_check_size (size))
    return EXIT_USAGE;

  if (!export_params (output, &export, &error))
    {
      cli_fail (NULL, error);
      return EXIT_USAGE;
    }
  /* A clip, or a project of one: rendered frame by frame. */
  if (g_str_has_suffix (argv[1], ".inkloop"))
    {
      project = ink_project_load (argv[1], &error);
      if (project == NULL)
        return cli_fail (NULL, error);
    }
  if ((project != NULL && project->is_clip)
      || (project == NULL && ink_video_sniff (argv[1])))
    {
      ClipOptions options = { clip_start, clip_duration, no_audio, loop, size };
      gboolean motion_given = arrows != NULL || sways != NULL || anchors != NULL
                              || mask_path != NULL || focus != NULL || speed != NULL;
      status = render_clip (argv[1], project, &options, motion_given, output, &export,
                            save_project);
      ink_project_free (&project);
      return status;
    }
  if (clip_start != NULL || clip_duration != NULL || no_audio || loop)
    {
      g_printerr ("inkloop-cli: --start, --duration, --no-audio and --loop are for clips, and %s "
                  "is not one (a photo's render is a loop already)\n", argv[1]);
      ink_project_free (&project);
      return EXIT_USAGE;
    }

  /* The project (or a new one around the photo), then the options over it. */
  if (project == NULL)
    {
      project = ink_project_new ();
      g_free (project->source);
      project->source = g_canonicalize_filename (argv[1], NULL);
      if (!ink_project_set_preset (project, INK_STYLE_PRESET_INITIAL, &error))
        goto failed;
    }
  if (!cli_style_params (&project->style, &project->style, &error))
    goto usage;
  /* The project remembers the preset the style started from (its resets go there). */
  if (cli_preset () != NULL)
    ink_project_set_preset_name (project, cli_preset ());
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
  if (!add_arrows (project->hints, "--arrow", arrows, INK_ARROW_FLOW, &error)
      || !add_arrows (project->hints, "--sway", sways, INK_ARROW_SWAY, &error))
    goto usage;
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
  opener = g_thread_new ("open-device", cli_open_job, &job);
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
                                &progress, NULL, &result, &error);
    if (tty && progress.last >= 0)
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
  status = cli_fail (NULL, error);
  goto out;
failed:
  status = cli_fail (NULL, error);
out:
  g_clear_error (&job.error);
  ink_export_result_clear (&result);
  ink_image_free (&source);
  ink_stylizer_free (&stylizer);
  ink_project_free (&project);
  return status;
}
