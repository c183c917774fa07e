/* project-write.c: a project as JSON through json-glib's builder and generator, the photo's path relative
 * when it can be, written atomically. */
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
        case INK_PARAM_INT64:
          json_builder_add_int_value (builder, *(const gint64 *) field);
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

/* "arrows": [[x0, y0, x1, y1], ...], each followed by {"kind": ..., "reach": ...} when it is
 * not a flow arrow with the motion's reach; "anchors": [[x, y], ...]. */
static void
add_hints (JsonBuilder *builder, const InkMotionHints *hints)
{
  json_builder_set_member_name (builder, "arrows");
  json_builder_begin_array (builder);
  for (guint i = 0; i < hints->arrows->len; i++)
    {
      const InkArrow *a = &g_array_index (hints->arrows, InkArrow, i);

      json_builder_begin_array (builder);
      add_float (builder, a->x0), add_float (builder, a->y0);
      add_float (builder, a->x1), add_float (builder, a->y1);
      if (a->kind != INK_ARROW_FLOW || a->reach > 0.0f)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, ink_arrow_kind_name (a->kind));
          if (a->reach > 0.0f)
            {
              json_builder_set_member_name (builder, "reach");
              add_float (builder, a->reach);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "anchors");
  json_builder_begin_array (builder);
  for (guint i = 0; i < hints->anchors->len; i++)
    {
      const InkAnchor *a = &g_array_index (hints->anchors, InkAnchor, i);

      json_builder_begin_array (builder);
      add_float (builder, a->x), add_float (builder, a->y);
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
  json_builder_add_string_value (builder, INK_PROJECT_FORMAT_NAME);
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
  add_hints (builder, project->hints);
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
  if (project->is_clip)
    {
      json_builder_set_member_name (builder, "clip");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "start");
      json_builder_add_double_value (builder, project->clip.start);
      json_builder_set_member_name (builder, "duration");
      json_builder_add_double_value (builder, project->clip.duration);
      json_builder_set_member_name (builder, "fps");
      json_builder_add_double_value (builder, project->clip.fps);
      json_builder_set_member_name (builder, "loop");
      json_builder_add_boolean_value (builder, project->clip.loop);
      json_builder_set_member_name (builder, "audio");
      json_builder_add_boolean_value (builder, !project->clip.no_audio);
      json_builder_end_object (builder);
    }
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
  if (!ink_project_check_values (project, &local))
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
