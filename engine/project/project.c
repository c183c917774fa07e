/* project.c: the project's API: new, copy, presets, loading a file (strict check, then
 * json-glib), and whether --save-project may replace a path. The reader is project-read.c, the
 * writer project-write.c. */
#include "project-private.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "atomic-file.h"
#include "image-save-private.h"
#include "ink-config.h"
#include "file-read.h"
#include "ink-error.h"
#include "json-check.h"

/* Far above the files we write (5 levels) and far below the depth at which json-glib's recursive
 * parser runs out of stack (about 100 000). json-glib only ever reads what ink_json_check passed,
 * strict JSON that it reads the same way, so it recurses exactly as deep as the check measured. */
#define MAX_NESTING 32

/* The embedded mask is the only large part; a full-size 16-bit mask fits easily. */
#define MAX_PROJECT_BYTES (128u << 20)

InkProject *
ink_project_new (void)
{
  InkProject *project = g_new0 (InkProject, 1);

  project->preset = g_strdup (INK_STYLE_PRESET_DEFAULT);
  ink_style_params_default (&project->style);
  ink_motion_params_default (&project->motion);
  project->hints = ink_motion_hints_new ();
  return project;
}

void
ink_project_free (InkProject **project)
{
  if (project == NULL || *project == NULL)
    return;
  g_free ((*project)->source);
  g_free ((*project)->preset);
  g_free ((*project)->generator);
  ink_motion_hints_free (&(*project)->hints);
  g_free (*project);
  *project = NULL;
}

InkProject *
ink_project_dup (const InkProject *project)
{
  InkProject *copy = g_new0 (InkProject, 1);

  copy->source = g_strdup (project->source);
  copy->preset = g_strdup (project->preset);
  copy->generator = g_strdup (project->generator);
  copy->style = project->style;
  copy->motion = project->motion;
  copy->hints = ink_motion_hints_copy (project->hints);
  copy->size = project->size;
  copy->is_clip = project->is_clip;
  copy->clip = project->clip;
  return copy;
}

gboolean
ink_project_clip_validate (const InkClipRange *clip, GError **error)
{
  if (!(clip->start >= 0.0 && clip->start <= 1e6))
    g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "start is %g s; it must be 0 to 1e6",
                 clip->start);
  else if (!(clip->duration >= 0.0 && clip->duration <= INK_VIDEO_MAX_SECONDS))
    g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                 "duration is %g s; it must be 0 (to the end) to %d", clip->duration,
                 INK_VIDEO_MAX_SECONDS);
  else if (!(clip->fps == 0.0
              || (clip->fps >= INK_CLIP_MIN_FPS && clip->fps <= INK_CLIP_MAX_FPS)))
    g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                 "fps is %g; it must be 0 (the clip's own) or %g to %g", clip->fps,
                 INK_CLIP_MIN_FPS, INK_CLIP_MAX_FPS);
  else
    return TRUE;
  return FALSE;
}

gboolean
ink_project_set_preset_name (InkProject *project, const char *name)
{
  const InkStylePreset *preset = ink_style_preset_find (name);

  if (preset == NULL)
    return FALSE;
  g_free (project->preset);
  project->preset = g_strdup (preset->name);
  return TRUE;
}

gboolean
ink_project_set_preset (InkProject *project, const char *name, GError **error)
{
  InkStyleParams style;

  if (!ink_style_params_preset (&style, name, error))
    return FALSE;
  project->style = style;
  return ink_project_set_preset_name (project, name);
}

/* Checks every value a file holds; messages start with the key ("style.line-weight is 9; ..."). */
gboolean
ink_project_check_values (const InkProject *project,
              GError **error)
{
  g_autoptr (GError) local = NULL;
  const char *section = "";

  if (!ink_style_params_validate (&project->style, &local))
    section = "style.";
  else if (!ink_motion_params_validate (&project->motion, &local))
    section = "motion.";
  else if (!ink_motion_hints_validate (project->hints, &local))
    section = "hints: ";
  else if (project->is_clip && !ink_project_clip_validate (&project->clip, &local))
    section = "clip.";
  else if (project->size < 0 || project->size > INK_IMAGE_MAX_SIDE)
    g_set_error (&local, INK_ERROR, INK_ERROR_INVALID_PARAM,
                 "export.size is %d px; it must be 0 (the photo's size) or 1 to %d",
                 project->size, INK_IMAGE_MAX_SIDE);
  if (local == NULL)
    return TRUE;
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s%s", section, local->message);
  return FALSE;
}

/* json-glib's "<data>:LINE:COLUMN: Parse error: WHAT" as "line LINE, column COLUMN: WHAT". */
static char *
parse_error_text (const char *message)
{
  int line, column, consumed = -1;

  if (sscanf (message, "<data>:%d:%d: Parse error: %n", &line, &column, &consumed) == 2 && consumed > 0)
    return g_strdup_printf ("line %d, column %d: %s", line, column, message + consumed);
  return g_strdup (message);
}

/* Parses DATA into PARSER and returns its root object, or NULL with INK_ERROR_DECODE (or
 * INK_ERROR_TOO_LARGE) naming NAME. json-glib only sees what ink_json_check accepts. */
static JsonObject *
parse_root (JsonParser *parser,
            const char *data,
            gsize length,
            const char *name,
            GError **error)
{
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (length > MAX_PROJECT_BYTES)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                   "%s: the project is %" G_GSIZE_FORMAT " MiB; Inkloop reads project (.inkloop) "
                   "files of at most %u MiB", name, length >> 20, MAX_PROJECT_BYTES >> 20);
      goto error;
    }
  /* A UTF-8 byte order mark, which some editors write, says nothing: skipped. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    data += 3, length -= 3;
  if (!ink_json_check (data, length, MAX_NESTING, &local))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: not a valid project: %s", name,
                   local->message);
      goto error;
    }
  /* Not reached with what the check passed, unless json-glib and the check disagree. */
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local))
    {
      g_autofree char *detail = parse_error_text (local->message);
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: " INK_PROJECT_DAMAGED " (%s)", name, detail);
      goto error;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: " INK_PROJECT_DAMAGED " (%s)", name,
                   root == NULL ? "the file is empty" : JSON_NODE_HOLDS_ARRAY (root)
                   ? "it holds a JSON list, not an object" : "it holds a single JSON value, not an object");
      goto error;
    }
  return json_node_get_object (root);

error:
  return NULL;
}

InkProject *
ink_project_load_data (const char *data,
                       gsize length,
                       const char *name,
                       const char *dir,
                       GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  InkProject *project = NULL;
  JsonObject *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parser = json_parser_new_immutable ();
  root = parse_root (parser, data != NULL ? data : "", length, name, error);
  if (root == NULL)
    goto error;
  project = ink_project_new ();
  if (!ink_project_read (root, project, dir, name, error))
    goto error;
  return project;

error:
  ink_project_free (&project);
  return NULL;
}

InkProject *
ink_project_load (const char *path,
                  GError **error)
{
  g_autofree char *name = NULL, *contents = NULL, *abs_path = NULL, *dir = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ink_file_read_all (path, MAX_PROJECT_BYTES, "project (.inkloop)", &name, &contents,
                          &length, error))
    return NULL;
  abs_path = g_canonicalize_filename (path, NULL);
  dir = g_path_get_dirname (abs_path);
  return ink_project_load_data (contents, length, name, dir, error);
}

gboolean
ink_project_check_replaceable (const char *path,
                               GError **error)
{
  g_autofree char *shown = NULL, *name = NULL, *contents = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;
  JsonObject *root;
  GStatBuf st;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  shown = g_filename_display_name (path);
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved == ENOENT || saved == ENOTDIR)
        return TRUE; /* nothing there (writing may still fail, with its own message) */
      g_set_error (error, INK_ERROR, INK_ERROR_WRITE, "%s: cannot tell what is there (%s); refusing "
                   "to write a project over it", shown, g_strerror (saved));
      goto error;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_WRITE,
                   "%s: exists and is a folder; refusing to write a project over it", shown);
      goto error;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_WRITE, "%s: exists and is not a regular file (a "
                   "device, pipe or socket); refusing to write a project over it", shown);
      goto error;
    }
  if (st.st_size == 0)
    return TRUE; /* an empty file: nothing to lose */

  if (!ink_file_read_all (path, MAX_PROJECT_BYTES, "project (.inkloop)", &name, &contents,
                          &length, &local))
    {
      if (g_error_matches (local, INK_ERROR, INK_ERROR_TOO_LARGE))
        g_set_error (error, INK_ERROR, INK_ERROR_WRITE, "%s: exists and is not an Inkloop project "
                     "(it is larger than any project); refusing to write a project over it", shown);
      else
        g_set_error (error, INK_ERROR, INK_ERROR_WRITE, "%s: exists and cannot be read (%s); "
                     "refusing to write a project over it", shown, local->message);
      goto error;
    }
  parser = json_parser_new_immutable ();
  root = parse_root (parser, contents, length, name, &local);
  if (root == NULL || !ink_project_has_format (root))
    {
      /* Why, for a .inkloop file: likely a project someone edited by hand. */
      gboolean why = local != NULL && g_str_has_suffix (name, ".inkloop")
                     && g_str_has_prefix (local->message, name);
      const char *detail = why ? local->message + strlen (name) + strspn (local->message + strlen (name), ": ")
                           : "";

      g_set_error (error, INK_ERROR, INK_ERROR_WRITE, "%s: exists and is not an Inkloop project%s%s%s; "
                   "refusing to write a project over it", shown, why ? " (" : "", detail, why ? ")" : "");
      goto error;
    }
  return TRUE;

error:
  return FALSE;
}
