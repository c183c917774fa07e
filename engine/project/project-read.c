/* project-read.c: a project from json-glib's tree, key by key through the registry, every value
 * checked and named in messages; format-1 files migrate. */
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


/* What NODE is, for messages. */
static const char *
node_kind (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT: return "an object";
    case JSON_NODE_ARRAY: return "a list";
    case JSON_NODE_NULL: return "null";
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
        case G_TYPE_DOUBLE: return "a number";
        case G_TYPE_BOOLEAN: return "true or false";
        case G_TYPE_STRING: return "a string";
        default: return "a value";
        }
    }
}

static gboolean
is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && (json_node_get_value_type (node) == G_TYPE_INT64
                                          || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

/* The number NODE holds (is_number) as a double: exactly what json-glib read. */
static double
number_value (JsonNode *node)
{
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  return json_node_get_double (node);
}

/* A whole number in -2^53 .. 2^53 (exact as a double). */
static gboolean
get_whole (JsonNode *node,
           gint64 *value)
{
  double v;

  if (node == NULL || !is_number (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }
  v = json_node_get_double (node);
  if (v != floor (v) || fabs (v) > 9007199254740992.0)
    return FALSE;
  *value = (gint64) v;
  return TRUE;
}

/* Logs OBJECT's keys that are not in KNOWN: files from later versions of the same format may add
 * keys, which this version ignores. */
static void
debug_unknown (JsonObject *object,
               const char *const *known,
               const char *section,
               const char *name)
{
  JsonObjectIter iter;
  const char *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, NULL))
    if (!g_strv_contains (known, member))
      g_debug ("%s: %s%s\"%s\" is not a key this version knows; ignored", name, section,
               *section != '\0' ? ": " : "", member);
}

/* Sets SPEC's field from NODE. KEY ("style.line-weight") names it in messages. */
static gboolean
read_param (const InkParamSpec *table,
            guint n_specs,
            const InkParamSpec *spec,
            JsonNode *node,
            void *params,
            const char *name,
            const char *key,
            GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *text = NULL;
  const char *expected = NULL;
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (spec->type)
    {
    case INK_PARAM_INT:
    case INK_PARAM_INT64:
    case INK_PARAM_FLOAT:
      if (type == G_TYPE_INT64)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else if (type == G_TYPE_DOUBLE)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          /* g_ascii_dtostr's text reads back as the same double, so this sets (float) of it. */
          text = g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
        }
      else
        expected = "a number";
      break;
    case INK_PARAM_BOOL:
      if (type == G_TYPE_BOOLEAN)
        text = g_strdup (json_node_get_boolean (node) ? "true" : "false");
      else
        expected = "true or false";
      break;
    case INK_PARAM_ENUM:
      if (type == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (node));
      else
        expected = "a name in quotes";
      break;
    case INK_PARAM_COLOR:
      if (type == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (node));
      else if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 3)
        {
          JsonArray *array = json_node_get_array (node);
          float *rgb = (float *) ((char *) params + spec->offset);

          for (guint c = 0; c < 3 && expected == NULL; c++)
            {
              JsonNode *item = json_array_get_element (array, c);
              double v;

              if (!is_number (item))
                {
                  expected = "a colour: \"#rrggbb\" or [red, green, blue] from 0 to 1";
                  break;
                }
              /* Checked as the double read, so 1e300 is not reported as the float inf. */
              v = number_value (item);
              if (!(v >= 0.0 && v <= 1.0))
                {
                  g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                               "%s: %s is %g; it must be between 0 and 1", name, key, v);
                  goto error;
                }
              rgb[c] = (float) v;
            }
          if (expected == NULL)
            return TRUE;
        }
      else
        expected = "a colour: \"#rrggbb\" or [red, green, blue] from 0 to 1";
      break;
    }

  if (expected != NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: %s: expected %s, found %s; " INK_PROJECT_FIX_OR_REMOVE,
                   name, key, expected, node_kind (node));
      goto error;
    }
  if (!ink_params_set (table, n_specs, params, spec->name, text, &local))
    {
      /* The setter's messages start with the parameter's name. */
      const char *dot = strchr (key, '.');

      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: %.*s.%s", name,
                   dot != NULL ? (int) (dot - key) : 0, key, local->message);
      goto error;
    }
  return TRUE;

error:
  return FALSE;
}

/* Reads the parameters in ROOT's SECTION ("style", "motion"); missing ones keep their value. */
static gboolean
read_params (JsonObject *root,
             const char *section,
             const InkParamSpec *specs,
             guint n_specs,
             void *params,
             const char *name,
             GError **error)
{
  JsonNode *node = json_object_get_member (root, section);
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: %s: expected an object { ... }, found %s; " INK_PROJECT_FIX_OR_REMOVE, name, section,
                   node_kind (node));
      goto error;
    }

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &member, &value))
    {
      const InkParamSpec *spec = ink_params_find (specs, n_specs, member);
      g_autofree char *key = g_strdup_printf ("%s.%s", section, member);

      if (spec == NULL)
        g_debug ("%s: %s: not a parameter this version knows; ignored", name, key);
      else if (!read_param (specs, n_specs, spec, value, params, name, key, error))
        goto error;
    }
  return TRUE;

error:
  return FALSE;
}

/* An arrow's options, the object after its coordinates: {"kind": "flow" | "sway", "reach": R}
 * (each may be left out: a flow arrow with the motion's reach). */
static gboolean
read_arrow_options (JsonNode *node, InkArrow *arrow, guint index, const char *name,
                    GError **error)
{
  static const char *const keys[] = { "kind", "reach", NULL };
  JsonObject *options = json_node_get_object (node);
  JsonNode *kind = json_object_get_member (options, "kind");
  JsonNode *reach = json_object_get_member (options, "reach");

  debug_unknown (options, keys, "hints.arrows options", name);
  if (kind != NULL)
    {
      const char *text = JSON_NODE_HOLDS_VALUE (kind) && json_node_get_value_type (kind) == G_TYPE_STRING
                         ? json_node_get_string (kind) : NULL;
      arrow->kind = ink_arrow_kind_from_name (text);
      if (arrow->kind < 0)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: hints.arrows: item %u: kind must be \"flow\" or \"sway\"; "
                       INK_PROJECT_FIX_OR_REMOVE, name, index + 1);
          return FALSE;
        }
    }
  if (reach != NULL)
    {
      /* Compared as the float it becomes, as the writer wrote it. */
      float r = is_number (reach) ? (float) number_value (reach) : -1.0f;
      if (!(r >= INK_ARROW_REACH_MIN && r <= INK_ARROW_REACH_MAX))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: hints.arrows: item %u: reach must be a number from %g to %g (picture "
                       "heights); " INK_PROJECT_FIX_OR_REMOVE, name, index + 1,
                       INK_ARROW_REACH_MIN, INK_ARROW_REACH_MAX);
          return FALSE;
        }
      arrow->reach = r;
    }
  return TRUE;
}

/* Appends HINTS' KEY ("arrows": InkArrow, "anchors": InkAnchor): a list of lists of N_COORDS
 * numbers; an arrow's may be followed by its options (read_arrow_options). */
static gboolean
read_points (JsonObject *hints,
             const char *key,
             const char *what,
             guint n_coords,
             GArray *out,
             const char *name,
             GError **error)
{
  JsonNode *node = json_object_get_member (hints, key);
  gboolean arrows = g_array_get_element_size (out) == sizeof (InkArrow);
  JsonArray *list;

  g_assert (arrows ? n_coords == 4
                   : g_array_get_element_size (out) == sizeof (InkAnchor) && n_coords == 2);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: hints.%s: expected a list, found %s; "
                   INK_PROJECT_FIX_OR_REMOVE, name, key, node_kind (node));
      goto error;
    }
  list = json_node_get_array (node);
  if (json_array_get_length (list) > INK_MAX_HINTS)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: hints: %u %s; at most %d arrows and anchors are allowed: remove some",
                   name, json_array_get_length (list), key, INK_MAX_HINTS);
      goto error;
    }

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *item = json_array_get_element (list, i);
      JsonArray *coords = JSON_NODE_HOLDS_ARRAY (item) ? json_node_get_array (item) : NULL;
      guint length = coords != NULL ? json_array_get_length (coords) : 0;
      JsonNode *options = arrows && length == n_coords + 1
                          ? json_array_get_element (coords, n_coords) : NULL;
      float v[4];

      if (options != NULL && !JSON_NODE_HOLDS_OBJECT (options))
        coords = NULL;
      for (guint c = 0; coords != NULL && c < n_coords; c++)
        {
          if ((length != n_coords && options == NULL)
              || !is_number (json_array_get_element (coords, c)))
            coords = NULL;
          else
            v[c] = (float) number_value (json_array_get_element (coords, c));
        }
      if (coords == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: hints.%s: item %u is not a list of %u numbers [%s]%s; "
                       INK_PROJECT_FIX_OR_REMOVE, name, key, i + 1, n_coords, what,
                       arrows ? ", maybe followed by {\"kind\": ..., \"reach\": ...}" : "");
          goto error;
        }
      if (arrows)
        {
          InkArrow a = { v[0], v[1], v[2], v[3], 0.0f, INK_ARROW_FLOW };
          if (options != NULL && !read_arrow_options (options, &a, i, name, error))
            goto error;
          g_array_append_val (out, a);
        }
      else
        {
          InkAnchor a = { v[0], v[1] };
          g_array_append_val (out, a);
        }
    }
  return TRUE;

error:
  return FALSE;
}

/* Whether TEXT is strict base64: the alphabet, padded to a multiple of 4. */
static gboolean
base64_ok (const char *text)
{
  gsize length = strlen (text), pad = 0;

  if (length % 4 != 0)
    return FALSE;
  if (length >= 1 && text[length - 1] == '=')
    pad = length >= 2 && text[length - 2] == '=' ? 2 : 1;
  for (gsize i = 0; i < length - pad; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/')
      return FALSE;
  return TRUE;
}

/* The freeze mask: embedded as a data: URI, or a file relative to the project's folder DIR. */
static gboolean
read_mask (JsonNode *node,
           const char *dir,
           const char *name,
           InkImage **mask,
           GError **error)
{
  g_autofree char *label = g_strdup_printf ("%s: hints.mask", name);
  g_autofree guchar *data = NULL;
  g_autofree char *path = NULL;
  const char *text, *comma;
  gsize size = 0;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: expected an image (\"data:image/png;base64,...\" or a file name), found "
                   "%s; " INK_PROJECT_FIX_OR_REMOVE, label, node_kind (node));
      goto error;
    }
  text = json_node_get_string (node);

  if (g_str_has_prefix (text, "data:"))
    {
      comma = strchr (text, ',');
      if (!g_str_has_prefix (text, "data:image/") || comma == NULL
          || comma - text < 7 || memcmp (comma - 7, ";base64", 7) != 0
          || !base64_ok (comma + 1))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: the embedded image is not valid base64 (\"data:image/png;base64,...\"): "
                       "the file is damaged; remove the mask or paint it again", label);
          goto error;
        }
      data = g_base64_decode (comma + 1, &size);
      *mask = ink_image_load_data (data, size, label, NULL, error);
    }
  else
    {
      g_autofree char *local_path = g_filename_from_utf8 (text, -1, NULL, NULL, NULL);

      path = g_canonicalize_filename (local_path != NULL ? local_path : text, dir);
      *mask = ink_image_load (path, NULL, error);
      g_prefix_error (error, "%s: ", label);
    }
  if (*mask == NULL)
    goto error;
  return TRUE;

error:
  return FALSE;
}

/* Whether ROOT says it is a project: "format": INK_PROJECT_FORMAT_NAME. */
/* "clip": the part of a video clip the project renders (see project.h). */
static gboolean
read_clip (JsonNode *node, InkProject *project, const char *name, GError **error)
{
  static const char *const numbers[] = { "start", "duration", "fps" };
  static const char *const flags[] = { "loop", "audio" };
  static const char *const keys[] = { "start", "duration", "fps", "loop", "audio", NULL };
  double *values[] = { &project->clip.start, &project->clip.duration, &project->clip.fps };
  gboolean audio = TRUE, *bools[] = { &project->clip.loop, &audio };
  JsonObject *clip;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: clip: expected an object { ... }, "
                   "found %s; " INK_PROJECT_FIX_OR_REMOVE, name, node_kind (node));
      return FALSE;
    }
  clip = json_node_get_object (node);
  debug_unknown (clip, keys, "clip", name);
  project->is_clip = TRUE;
  project->clip = (InkClipRange) INK_CLIP_RANGE_DEFAULT;
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      JsonNode *v = json_object_get_member (clip, numbers[i]);
      if (v == NULL)
        continue;
      if (!is_number (v))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: clip.%s: expected a number, "
                       "found %s; " INK_PROJECT_FIX_OR_REMOVE, name, numbers[i], node_kind (v));
          return FALSE;
        }
      *values[i] = number_value (v);
    }
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      JsonNode *v = json_object_get_member (clip, flags[i]);
      if (v == NULL)
        continue;
      if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: clip.%s: expected true or false, "
                       "found %s; " INK_PROJECT_FIX_OR_REMOVE, name, flags[i], node_kind (v));
          return FALSE;
        }
      *bools[i] = json_node_get_boolean (v);
    }
  project->clip.no_audio = !audio;
  return TRUE;
}

gboolean
ink_project_has_format (JsonObject *root)
{
  JsonNode *node = json_object_get_member (root, "format");

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         && g_str_equal (json_node_get_string (node), INK_PROJECT_FORMAT_NAME);
}

gboolean
ink_project_read (JsonObject *root,
              InkProject *project,
              const char *dir,
              const char *name,
              GError **error)
{
  static const char *const known[] = { "format", "version", "generator", "source", "style-version",
                                       "preset", "style", "motion-version", "motion", "hints",
                                       "export", "clip", NULL };
  static const char *const versioned[] = { "style-version", "motion-version" };
  static const int readable[] = { INK_STYLE_PARAMS_VERSION, INK_MOTION_PARAMS_VERSION };
  g_autoptr (GError) local = NULL;
  g_autofree char *source = NULL;
  JsonNode *node, *hints_node, *export_node;
  guint n_style, n_motion;
  const InkParamSpec *style_specs = ink_style_param_specs (&n_style);
  const InkParamSpec *motion_specs = ink_motion_param_specs (&n_motion);
  gint64 version = 0;

  if (!ink_project_has_format (root))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: not an Inkloop project (it has no \"format\": \"" INK_PROJECT_FORMAT_NAME "\"); "
                   "open the .inkloop file Inkloop saved", name);
      goto error;
    }
  if (!get_whole (json_object_get_member (root, "version"), &version) || version < 1)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: " INK_PROJECT_DAMAGED " (\"version\" must be a whole number from 1)", name);
      goto error;
    }
  if (version > INK_PROJECT_VERSION)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s was saved by a newer Inkloop (project format %" G_GINT64_FORMAT "); this "
                   "version reads format %d: update Inkloop", name, version, INK_PROJECT_VERSION);
      goto error;
    }
  for (guint i = 0; i < G_N_ELEMENTS (versioned); i++)
    {
      node = json_object_get_member (root, versioned[i]);
      version = readable[i];
      if (node != NULL && (!get_whole (node, &version) || version < 1))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: " INK_PROJECT_DAMAGED " (\"%s\" must be a whole number from 1)", name, versioned[i]);
          goto error;
        }
      if (version > readable[i])
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s was saved by a newer Inkloop (%s %" G_GINT64_FORMAT "); this version "
                       "reads %d: update Inkloop", name, versioned[i], version, readable[i]);
          goto error;
        }
    }

  debug_unknown (root, known, "", name);

  node = json_object_get_member (root, "source");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: \"source\" must name the photo, found %s; add the photo's path",
                   name, node == NULL ? "nothing" : node_kind (node));
      goto error;
    }
  source = g_filename_from_utf8 (json_node_get_string (node), -1, NULL, NULL, NULL);
  project->source = g_canonicalize_filename (source != NULL ? source : json_node_get_string (node),
                                             dir);

  /* What wrote it: kept, never checked. */
  node = json_object_get_member (root, "generator");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    project->generator = g_strdup (json_node_get_string (node));

  /* The preset (format 2); format 1 files have none and keep "default". */
  node = json_object_get_member (root, "preset");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: preset: expected a preset's name in quotes, found %s; " INK_PROJECT_FIX_OR_REMOVE,
                       name, node_kind (node));
          goto error;
        }
      if (!ink_project_set_preset_name (project, json_node_get_string (node)))
        g_debug ("%s: preset: \"%s\" is not a preset this version knows; read as \"%s\"", name,
                 json_node_get_string (node), INK_STYLE_PRESET_DEFAULT);
    }

  if (!read_params (root, "style", style_specs, n_style, &project->style, name, error)
      || !read_params (root, "motion", motion_specs, n_motion, &project->motion, name, error))
    goto error;

  hints_node = json_object_get_member (root, "hints");
  if (hints_node != NULL && !JSON_NODE_HOLDS_OBJECT (hints_node) && !JSON_NODE_HOLDS_NULL (hints_node))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: hints: expected an object { ... }, "
                   "found %s; " INK_PROJECT_FIX_OR_REMOVE, name, node_kind (hints_node));
      goto error;
    }
  if (hints_node != NULL && JSON_NODE_HOLDS_OBJECT (hints_node))
    {
      static const char *const hint_keys[] = { "arrows", "anchors", "mask", NULL };
      JsonObject *hints = json_node_get_object (hints_node);

      debug_unknown (hints, hint_keys, "hints", name);

      if (!read_points (hints, "arrows", "x0, y0, x1, y1", 4, project->hints->arrows, name, error)
          || !read_points (hints, "anchors", "x, y", 2, project->hints->anchors, name, error))
        goto error;
      node = json_object_get_member (hints, "mask");
      if (node != NULL && !read_mask (node, dir, name, &project->hints->mask, error))
        goto error;
    }

  export_node = json_object_get_member (root, "export");
  node = export_node != NULL && JSON_NODE_HOLDS_OBJECT (export_node)
    ? json_object_get_member (json_node_get_object (export_node), "size") : NULL;
  if ((export_node != NULL && !JSON_NODE_HOLDS_OBJECT (export_node))
      || (node != NULL && (!get_whole (node, &version) || version < 0 || version > INK_IMAGE_MAX_SIDE)))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: export.size must be 0 (the photo's size) or a long edge from 1 to %d px; "
                   INK_PROJECT_FIX_OR_REMOVE, name, INK_IMAGE_MAX_SIDE);
      goto error;
    }
  if (node != NULL)
    project->size = (int) version;
  if (export_node != NULL)
    {
      static const char *const export_keys[] = { "size", NULL };
      debug_unknown (json_node_get_object (export_node), export_keys, "export", name);
    }

  node = json_object_get_member (root, "clip");
  if (node != NULL && !read_clip (node, project, name, error))
    goto error;

  if (!ink_project_check_values (project, &local))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: %s", name, local->message);
      goto error;
    }
  return TRUE;

error:
  return FALSE;
}

