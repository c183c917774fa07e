/* project.c: reads and writes .inkloop project files (JSON, with json-glib's parser, builder and generator). */
#include "project.h"

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

#define FORMAT_NAME "inkloop-project"

/* Far above the files we write (4 levels) and far below the depth at which json-glib's recursive
 * parser runs out of stack (about 100 000). json-glib only ever reads what ink_json_check passed,
 * strict JSON that it reads the same way, so it recurses exactly as deep as the check measured. */
#define MAX_NESTING 32

/* The embedded mask is the only large part; a full-size 16-bit mask fits easily. */
#define MAX_PROJECT_BYTES (128u << 20)

#define DAMAGED "not an Inkloop project, or the file is damaged"
#define FIX_OR_REMOVE "fix the value, or remove it to use the default"

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
  return copy;
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
static gboolean
check_values (const InkProject *project,
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
  else if (project->size < 0 || project->size > INK_IMAGE_MAX_SIDE)
    g_set_error (&local, INK_ERROR, INK_ERROR_INVALID_PARAM,
                 "export.size is %d px; it must be 0 (the photo's size) or 1 to %d",
                 project->size, INK_IMAGE_MAX_SIDE);
  if (local == NULL)
    return TRUE;
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s%s", section, local->message);
  return FALSE;
}

/* ---- Writing ---- */

/* V as the double nearest its shortest text that reads back as V (ink_params_format's rule): the
 * generator writes that double's exact text, which reads back as the same double, so as V. */
static void
add_float (JsonBuilder *builder,
           float v)
{
  static const InkParamSpec spec = { .name = "value", .type = INK_PARAM_FLOAT, .offset = 0 };
  g_autofree char *text = ink_params_format (&spec, &v);

  json_builder_add_double_value (builder, g_ascii_strtod (text, NULL));
}

/* Whether "#rrggbb" reads back as exactly RGB (ink_params_set divides the byte by 255). */
static gboolean
color_is_hex (const float rgb[3])
{
  for (int c = 0; c < 3; c++)
    {
      long k = lrintf (rgb[c] * 255.0f);

      if (k < 0 || k > 255 || (float) k / 255.0f != rgb[c])
        return FALSE;
    }
  return TRUE;
}

/* "SECTION": { every parameter of the table, in its order }. */
static void
add_params (JsonBuilder *builder,
            const char *section,
            const InkParamSpec *specs,
            guint n_specs,
            const void *params)
{
  json_builder_set_member_name (builder, section);
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_specs; i++)
    {
      const InkParamSpec *spec = &specs[i];
      const void *field = (const char *) params + spec->offset;

      json_builder_set_member_name (builder, spec->name);
      switch (spec->type)
        {
        case INK_PARAM_INT:
          json_builder_add_int_value (builder, *(const int *) field);
          break;
        case INK_PARAM_FLOAT:
          add_float (builder, *(const float *) field);
          break;
        case INK_PARAM_BOOL:
          json_builder_add_boolean_value (builder, *(const gboolean *) field);
          break;
        case INK_PARAM_ENUM:
          json_builder_add_string_value (builder, spec->choices[*(const int *) field]);
          break;
        case INK_PARAM_COLOR:
          if (color_is_hex (field))
            {
              g_autofree char *text = ink_params_format (spec, params);
              json_builder_add_string_value (builder, text);
            }
          else
            {
              json_builder_begin_array (builder);
              for (int c = 0; c < 3; c++)
                add_float (builder, ((const float *) field)[c]);
              json_builder_end_array (builder);
            }
          break;
        }
    }
  json_builder_end_object (builder);
}

/* "KEY": [[a, b, ...], ...] from an array of N_COORDS floats per element. */
static void
add_points (JsonBuilder *builder,
            const char *key,
            const GArray *points,
            guint n_coords)
{
  json_builder_set_member_name (builder, key);
  json_builder_begin_array (builder);
  for (guint i = 0; i < points->len; i++)
    {
      const float *v = (const float *) (points->data + (gsize) i * n_coords * sizeof (float));

      json_builder_begin_array (builder);
      for (guint c = 0; c < n_coords; c++)
        add_float (builder, v[c]);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
}

/* The file's text: every key in the documented order. */
static char *
project_text (const InkProject *project,
              const char *source_utf8,
              const char *mask_base64,
              gsize *length)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  guint n_style, n_motion;
  const InkParamSpec *style_specs = ink_style_param_specs (&n_style);
  const InkParamSpec *motion_specs = ink_motion_param_specs (&n_motion);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, FORMAT_NAME);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, INK_PROJECT_VERSION);
  json_builder_set_member_name (builder, "generator");
  json_builder_add_string_value (builder, "Inkloop " INK_VERSION);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source_utf8);
  json_builder_set_member_name (builder, "style-version");
  json_builder_add_int_value (builder, INK_STYLE_PARAMS_VERSION);
  json_builder_set_member_name (builder, "preset");
  json_builder_add_string_value (builder, project->preset);
  add_params (builder, "style", style_specs, n_style, &project->style);
  json_builder_set_member_name (builder, "motion-version");
  json_builder_add_int_value (builder, INK_MOTION_PARAMS_VERSION);
  add_params (builder, "motion", motion_specs, n_motion, &project->motion);
  json_builder_set_member_name (builder, "hints");
  json_builder_begin_object (builder);
  add_points (builder, "arrows", project->hints->arrows, 4);
  add_points (builder, "anchors", project->hints->anchors, 2);
  if (mask_base64 != NULL)
    {
      g_autofree char *uri = g_strconcat ("data:image/png;base64,", mask_base64, NULL);

      json_builder_set_member_name (builder, "mask");
      json_builder_add_string_value (builder, uri);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "export");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, project->size);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, length);
  /* json-glib before 1.8 writes U+001F inside a string as it is, which JSON forbids (the others
   * below U+0020 it escapes). Outside strings the generator writes no such byte, so each one is
   * that character: escaped here. */
  if (memchr (text, 0x1f, *length) != NULL)
    {
      g_autoptr (GString) fixed = g_string_new_len (text, (gssize) *length);

      g_string_replace (fixed, "\x1f", "\\u001f", 0);
      g_free (text);
      *length = fixed->len;
      text = g_string_free (g_steal_pointer (&fixed), FALSE);
    }
  *length += 1;
  return g_strconcat (text, "\n", NULL);
}

/* Split into its non-empty components: "/a/b" gives "a", "b". */
static GStrv
split_path (const char *path)
{
  char **parts = g_strsplit (path, G_DIR_SEPARATOR_S, -1);
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      parts[n++] = parts[i];
    else
      g_free (parts[i]);
  parts[n] = NULL;
  return parts;
}

/* How a project file in DIR names SOURCE (both absolute and canonical): relative ("photo.jpg",
 * "shots/photo.jpg", "../photos/photo.jpg") when the two share a folder below the root and lie on
 * one file system, so a folder holding both can move; absolute otherwise. */
static char *
source_text (const char *source,
             const char *dir)
{
  g_auto (GStrv) s = split_path (source);
  g_auto (GStrv) d = split_path (dir);
  g_autofree char *source_dir = g_path_get_dirname (source);
  guint ns = g_strv_length (s), nd = g_strv_length (d), common = 0;
  GStatBuf source_st, dir_st;
  GString *text;

  while (common < nd && common + 1 < ns && g_str_equal (s[common], d[common]))
    common++;
  if (common == 0)
    return g_strdup (source);
  if (g_stat (source_dir, &source_st) == 0 && g_stat (dir, &dir_st) == 0
      && source_st.st_dev != dir_st.st_dev)
    return g_strdup (source);

  text = g_string_new (NULL);
  for (guint i = common; i < nd; i++)
    g_string_append (text, ".." G_DIR_SEPARATOR_S);
  for (guint i = common; i < ns; i++)
    g_string_append_printf (text, "%s%s", s[i], i + 1 < ns ? G_DIR_SEPARATOR_S : "");
  return g_string_free (text, FALSE);
}

gboolean
ink_project_save (const InkProject *project,
                  const char *path,
                  GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *abs_path = NULL, *dir = NULL, *abs_source = NULL, *source = NULL;
  g_autofree char *source_utf8 = NULL, *mask_base64 = NULL;
  g_autoptr (GBytes) mask_png = NULL;
  g_autofree char *text = NULL;
  InkAtomicFile *file = NULL;
  gsize length = 0;

  g_return_val_if_fail (project != NULL && project->hints != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (project->source == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: cannot save: the project has no photo yet; choose one first", path);
      goto error;
    }
  if (!check_values (project, &local))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s: cannot save: %s", path,
                   local->message);
      goto error;
    }

  abs_path = g_canonicalize_filename (path, NULL);
  dir = g_path_get_dirname (abs_path);
  abs_source = g_canonicalize_filename (project->source, NULL);
  source = source_text (abs_source, dir);
  source_utf8 = g_filename_to_utf8 (source, -1, NULL, NULL, NULL);
  if (source_utf8 == NULL)
    {
      g_autofree char *shown = g_filename_display_name (source);
      g_set_error (error, INK_ERROR, INK_ERROR_WRITE,
                   "%s: cannot save: the photo's path (%s) is not valid UTF-8, which a project "
                   "file cannot hold; rename the photo or its folder", path, shown);
      goto error;
    }
  if (project->hints->mask != NULL)
    {
      mask_png = ink_image_encode_png (project->hints->mask, TRUE, path, error);
      if (mask_png == NULL)
        goto error;
      mask_base64 = g_base64_encode (g_bytes_get_data (mask_png, NULL), g_bytes_get_size (mask_png));
    }

  text = project_text (project, source_utf8, mask_base64, &length);

  file = ink_atomic_file_open (path, error);
  if (file == NULL)
    goto error;
  if (!ink_atomic_file_write (file, text, length, error))
    goto error;
  if (!ink_atomic_file_commit (&file, error))
    goto error;
  return TRUE;

error:
  ink_atomic_file_abort (&file);
  return FALSE;
}

/* ---- Reading ---- */

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
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: %s: expected %s, found %s; " FIX_OR_REMOVE,
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
                   "%s: %s: expected an object { ... }, found %s; " FIX_OR_REMOVE, name, section,
                   node_kind (node));
      goto error;
    }

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &member, &value))
    {
      const InkParamSpec *spec = NULL;
      g_autofree char *key = g_strdup_printf ("%s.%s", section, member);

      for (guint i = 0; i < n_specs && spec == NULL; i++)
        if (g_str_equal (specs[i].name, member))
          spec = &specs[i];
      if (spec == NULL)
        g_debug ("%s: %s: not a parameter this version knows; ignored", name, key);
      else if (!read_param (specs, n_specs, spec, value, params, name, key, error))
        goto error;
    }
  return TRUE;

error:
  return FALSE;
}

/* Appends HINTS' KEY ("arrows", "anchors"): a list of lists of N_COORDS numbers. */
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
  JsonArray *list;

  g_assert (g_array_get_element_size (out) == n_coords * sizeof (float));

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: hints.%s: expected a list, found %s; "
                   FIX_OR_REMOVE, name, key, node_kind (node));
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
      float v[4];

      for (guint c = 0; coords != NULL && c < n_coords; c++)
        {
          if (json_array_get_length (coords) != n_coords
              || !is_number (json_array_get_element (coords, c)))
            coords = NULL;
          else
            v[c] = (float) number_value (json_array_get_element (coords, c));
        }
      if (coords == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: hints.%s: item %u is not a list of %u numbers [%s]; " FIX_OR_REMOVE,
                       name, key, i + 1, n_coords, what);
          goto error;
        }
      g_array_append_vals (out, v, 1);
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
                   "%s; " FIX_OR_REMOVE, label, node_kind (node));
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

/* Whether ROOT says it is a project: "format": FORMAT_NAME. */
static gboolean
has_format (JsonObject *root)
{
  JsonNode *node = json_object_get_member (root, "format");

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         && g_str_equal (json_node_get_string (node), FORMAT_NAME);
}

/* Fills PROJECT from ROOT, the file's object; DIR is the project's folder. */
static gboolean
read_project (JsonObject *root,
              InkProject *project,
              const char *dir,
              const char *name,
              GError **error)
{
  static const char *const known[] = { "format", "version", "generator", "source", "style-version",
                                       "preset", "style", "motion-version", "motion", "hints",
                                       "export", NULL };
  static const char *const versioned[] = { "style-version", "motion-version" };
  static const int readable[] = { INK_STYLE_PARAMS_VERSION, INK_MOTION_PARAMS_VERSION };
  g_autoptr (GError) local = NULL;
  g_autofree char *source = NULL;
  JsonNode *node, *hints_node, *export_node;
  guint n_style, n_motion;
  const InkParamSpec *style_specs = ink_style_param_specs (&n_style);
  const InkParamSpec *motion_specs = ink_motion_param_specs (&n_motion);
  gint64 version = 0;

  if (!has_format (root))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: not an Inkloop project (it has no \"format\": \"" FORMAT_NAME "\"); "
                   "open the .inkloop file Inkloop saved", name);
      goto error;
    }
  if (!get_whole (json_object_get_member (root, "version"), &version) || version < 1)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                   "%s: " DAMAGED " (\"version\" must be a whole number from 1)", name);
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
                       "%s: " DAMAGED " (\"%s\" must be a whole number from 1)", name, versioned[i]);
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
                       "%s: preset: expected a preset's name in quotes, found %s; " FIX_OR_REMOVE,
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
                   "found %s; " FIX_OR_REMOVE, name, node_kind (hints_node));
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
                   FIX_OR_REMOVE, name, INK_IMAGE_MAX_SIDE);
      goto error;
    }
  if (node != NULL)
    project->size = (int) version;
  if (export_node != NULL)
    {
      static const char *const export_keys[] = { "size", NULL };
      debug_unknown (json_node_get_object (export_node), export_keys, "export", name);
    }

  if (!check_values (project, &local))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: %s", name, local->message);
      goto error;
    }
  return TRUE;

error:
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
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: " DAMAGED " (%s)", name, detail);
      goto error;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: " DAMAGED " (%s)", name,
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
  if (!read_project (root, project, dir, name, error))
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
  if (root == NULL || !has_format (root))
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
