/* test-project.c: .inkloop project files: exact round trip of every field, source paths, bad files. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "image-save-private.h"
#include "ink-error.h"
#include "json-check.h"
#include "project.h"

/* ---- Helpers ---- */

static char *
make_tmp (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("inkloop-project-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static guint
count_entries (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

static void
write_text (const char *path,
            const char *text,
            gssize length)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, text, length, &error);
  g_assert_no_error (error);
}

static JsonObject *
parse_file (JsonParser *parser,
            const char *path)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static gsize
field_size (const InkParamSpec *spec)
{
  return spec->type == INK_PARAM_COLOR ? 3 * sizeof (float)
         : spec->type == INK_PARAM_FLOAT ? sizeof (float)
         : spec->type == INK_PARAM_BOOL ? sizeof (gboolean) : sizeof (int);
}

/* Every field of the table bit for bit; names the first that differs. */
static void
assert_params_equal (const InkParamSpec *specs,
                     guint n_specs,
                     const void *a,
                     const void *b)
{
  for (guint i = 0; i < n_specs; i++)
    {
      const char *fa = (const char *) a + specs[i].offset, *fb = (const char *) b + specs[i].offset;

      if (memcmp (fa, fb, field_size (&specs[i])) != 0)
        {
          g_autofree char *ta = ink_params_format (&specs[i], a);
          g_autofree char *tb = ink_params_format (&specs[i], b);
          g_error ("%s differs: %s (%.9g) and %s (%.9g)", specs[i].name, ta, *(const float *) fa, tb,
                   *(const float *) fb);
        }
    }
}

static void
assert_params_all_differ (const InkParamSpec *specs,
                          guint n_specs,
                          const void *a,
                          const void *b)
{
  for (guint i = 0; i < n_specs; i++)
    if (memcmp ((const char *) a + specs[i].offset, (const char *) b + specs[i].offset,
                field_size (&specs[i])) == 0)
      g_error ("the test leaves %s at its default", specs[i].name);
}

static void
assert_images_equal (const InkImage *a,
                     const InkImage *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->has_alpha, ==, b->has_alpha);
  g_assert_cmpmem (a->pixels, (gsize) a->width * a->height * 8, b->pixels,
                   (gsize) b->width * b->height * 8);
}

static void
assert_projects_equal (const InkProject *a,
                       const InkProject *b)
{
  guint n_style, n_motion;
  const InkParamSpec *style = ink_style_param_specs (&n_style);
  const InkParamSpec *motion = ink_motion_param_specs (&n_motion);

  g_assert_cmpstr (a->source, ==, b->source);
  g_assert_cmpstr (a->preset, ==, b->preset);
  assert_params_equal (style, n_style, &a->style, &b->style);
  assert_params_equal (motion, n_motion, &a->motion, &b->motion);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpmem (a->hints->arrows->data, a->hints->arrows->len * sizeof (InkArrow),
                   b->hints->arrows->data, b->hints->arrows->len * sizeof (InkArrow));
  g_assert_cmpmem (a->hints->anchors->data, a->hints->anchors->len * sizeof (InkAnchor),
                   b->hints->anchors->data, b->hints->anchors->len * sizeof (InkAnchor));
  if (a->hints->mask == NULL)
    g_assert_null (b->hints->mask);
  else
    assert_images_equal (a->hints->mask, b->hints->mask);
}

static InkProject *
save_and_load (const InkProject *project,
               const char *path)
{
  g_autoptr (GError) error = NULL;
  InkProject *loaded;

  g_assert_true (ink_project_save (project, path, &error));
  g_assert_no_error (error);
  loaded = ink_project_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  return loaded;
}

/* A grey mask with values that need 16 bits. */
static InkImage *
make_grey_mask (int width,
                int height)
{
  InkImage *mask = ink_image_new (width, height);

  for (int i = 0; i < width * height; i++)
    {
      guint16 v = (guint16) ((i * 40503u + 17) & 0xffff);

      mask->pixels[4 * i + 0] = mask->pixels[4 * i + 1] = mask->pixels[4 * i + 2] = v;
      mask->pixels[4 * i + 3] = 65535;
    }
  mask->has_alpha = FALSE;
  return mask;
}

/* A project with every field away from its default, and awkward floats. */
static InkProject *
make_project (const char *source)
{
  InkProject *p = ink_project_new ();
  guint n_style, n_motion;
  const InkParamSpec *style = ink_style_param_specs (&n_style);
  const InkParamSpec *motion = ink_motion_param_specs (&n_motion);
  InkStyleParams style_default = INK_STYLE_PARAMS_DEFAULT;
  InkMotionParams motion_default = INK_MOTION_PARAMS_DEFAULT;
  g_autoptr (GError) error = NULL;

  p->source = g_strdup (source);
  g_assert_true (ink_project_set_preset_name (p, "manga"));
  p->style.smooth_passes = 5;
  p->style.smooth_spatial = 1.0f / 3.0f + 0.5f;
  p->style.smooth_range = 0.1f + 0.5f;
  p->style.structure_scale = 9.999999f;
  p->style.colors = 31;
  p->style.flatten = 0.1f;
  p->style.cel_tones = 3;
  p->style.cel_amount = 1.0f / 3.0f;
  p->style.line_weight = 1e-7f;
  p->style.line_sensitivity = 0.123456789f;
  p->style.line_smoothness = 2.0f / 3.0f;
  p->style.line_color[0] = 0.1f;
  p->style.line_color[1] = 1.0f / 3.0f;
  p->style.line_color[2] = 1.4e-45f; /* the smallest subnormal */
  p->style.saturation = 1.9999999f;
  p->style.contrast = 0.7f;
  p->style.mono = TRUE;
  p->style.screentone = 0.3f;
  p->style.tone_size = 31.9f;

  p->motion.frames = 239;
  p->motion.fps = 23.976f;
  p->motion.hold = 3;
  p->motion.motion = 0.9f;
  p->motion.seed = G_MAXINT32;
  p->motion.boil = 1e-6f;
  p->motion.flow = 1.7f;
  p->motion.camera = INK_CAMERA_SHAKE;
  p->motion.camera_amount = 0.05f;
  p->motion.focus_lines = TRUE;
  p->motion.focus_x = 0.2f;
  p->motion.focus_y = 0.8f;
  p->motion.focus_amount = 0.15f;
  p->motion.speed_lines = TRUE;
  p->motion.speed_angle = -123.456f;
  p->motion.speed_amount = 0.99f;
  p->motion.particles = INK_PARTICLES_SPARKLES;
  p->motion.particle_amount = 0.01f;

  assert_params_all_differ (style, n_style, &p->style, &style_default);
  assert_params_all_differ (motion, n_motion, &p->motion, &motion_default);
  g_assert_true (ink_style_params_validate (&p->style, &error));
  g_assert_true (ink_motion_params_validate (&p->motion, &error));

  ink_motion_hints_add_arrow (p->hints, 0.1f, 0.2f, 0.3f, 0.4f);
  ink_motion_hints_add_arrow (p->hints, -0.5f, 1.0f / 3.0f, 1.9999f, 1e-7f);
  ink_motion_hints_add_arrow (p->hints, 0.5f, 0.5f, 0.5f, 0.6f);
  ink_motion_hints_add_anchor (p->hints, 0.25f, 0.75f);
  ink_motion_hints_add_anchor (p->hints, 2.0f / 3.0f, 0.0f);
  p->hints->mask = make_grey_mask (37, 23);
  p->size = 1234;
  return p;
}

/* ---- Tests ---- */

/* project.c writes floats as ink_params_format's text and reads json-glib's double cast to float:
 * that must give back every float, subnormals included. */
static void
test_float_text (void)
{
  static const InkParamSpec spec = { .name = "v", .type = INK_PARAM_FLOAT, .offset = 0 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (1234);
  g_autoptr (GString) json = g_string_new ("[");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  const guint n = 50000;
  g_autofree float *values = g_new (float, n);
  JsonArray *array;

  for (guint i = 0; i < n; i++)
    {
      guint32 bits = g_rand_int (rand);
      float v;
      g_autofree char *text = NULL;

      if (i % 4 == 1)
        bits &= 0x807fffffu; /* subnormal */
      else if (i % 4 == 2)
        bits = (bits & 0x00ffffffu) | 0x3e000000u; /* 0.125 .. 1 */
      memcpy (&v, &bits, sizeof v);
      if (!isfinite (v))
        v = (float) i / 7.0f;
      if (i < 8)
        v = (float[]) { 0.1f, 1.0f / 3.0f, 1e-7f, 0.7f, 1.15f, 4.25f, 23.976f, 16777217.0f }[i];
      values[i] = v;
      text = ink_params_format (&spec, &values[i]);
      g_string_append_printf (json, "%s%s", i > 0 ? "," : "", text);
    }
  g_string_append (json, "]");

  json_parser_load_from_data (parser, json->str, (gssize) json->len, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      double d = json_node_get_value_type (node) == G_TYPE_INT64 ? (double) json_node_get_int (node)
                 : json_node_get_double (node);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      if ((float) d != values[i])
        g_error ("%.9g read back as %.17g", values[i], d);
      /* project.c hands the double to ink_params_set as g_ascii_dtostr text. */
      g_assert_true ((float) g_ascii_strtod (g_ascii_dtostr (buf, sizeof buf, d), NULL) == values[i]);
    }
}

/* The spec tables name every field of the structs, so a project file holds all of them. */
static void
test_tables_cover_structs (void)
{
  guint n_style, n_motion;
  const InkParamSpec *style = ink_style_param_specs (&n_style);
  const InkParamSpec *motion = ink_motion_param_specs (&n_motion);
  gsize style_bytes = 0, motion_bytes = 0;

  for (guint i = 0; i < n_style; i++)
    style_bytes += field_size (&style[i]);
  for (guint i = 0; i < n_motion; i++)
    motion_bytes += field_size (&motion[i]);
  g_assert_cmpuint (style_bytes, ==, sizeof (InkStyleParams));
  g_assert_cmpuint (motion_bytes, ==, sizeof (InkMotionParams));
}

static void
test_round_trip (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *path = g_build_filename (tmp, "photo.inkloop", NULL);
  g_autofree char *again = g_build_filename (tmp, "again.inkloop", NULL);
  g_autofree char *photo = g_build_filename (tmp, "photo.jpg", NULL);
  g_autofree char *first = NULL, *second = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  InkProject *project = make_project (photo);
  InkProject *loaded = save_and_load (project, path);
  InkProject *reloaded = NULL;
  JsonObject *root, *style, *motion;
  guint n_style, n_motion;
  const InkParamSpec *specs;

  assert_projects_equal (project, loaded);

  /* Saving what was loaded writes the same bytes. */
  reloaded = save_and_load (loaded, again);
  assert_projects_equal (project, reloaded);
  g_assert_true (g_file_get_contents (path, &first, NULL, NULL));
  g_assert_true (g_file_get_contents (again, &second, NULL, NULL));
  g_assert_cmpstr (first, ==, second);

  /* Numbers as JSON numbers, switches as booleans, names as strings; every parameter present. */
  root = parse_file (parser, path);
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "inkloop-project");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, INK_PROJECT_VERSION);
  style = json_object_get_object_member (root, "style");
  motion = json_object_get_object_member (root, "motion");
  specs = ink_style_param_specs (&n_style);
  for (guint i = 0; i < n_style; i++)
    g_assert_true (json_object_has_member (style, specs[i].name));
  specs = ink_motion_param_specs (&n_motion);
  for (guint i = 0; i < n_motion; i++)
    g_assert_true (json_object_has_member (motion, specs[i].name));
  g_assert_cmpuint (json_node_get_value_type (json_object_get_member (style, "smooth-passes")), ==, G_TYPE_INT64);
  g_assert_cmpuint (json_node_get_value_type (json_object_get_member (style, "flatten")), ==, G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (style, "flatten"), ==, 0.1);
  g_assert_true (json_object_get_boolean_member (style, "mono"));
  g_assert_cmpstr (json_object_get_string_member (motion, "camera"), ==, "shake");
  g_assert_cmpint (json_object_get_int_member (motion, "seed"), ==, G_MAXINT32);
  /* A colour #rrggbb cannot hold exactly: three numbers. */
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (style, "line-color")));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (
    json_object_get_object_member (root, "hints"), "mask"), "data:image/png;base64,"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "export"), "size"),
                   ==, 1234);

  /* A colour #rrggbb holds exactly is written so; an 8-bit colour mask with alpha; no hints. */
  ink_project_free (&loaded);
  project->style.line_color[0] = 0.0f;
  project->style.line_color[1] = 51.0f / 255.0f;
  project->style.line_color[2] = 1.0f;
  g_array_set_size (project->hints->arrows, 0);
  g_array_set_size (project->hints->anchors, 0);
  for (int i = 0; i < project->hints->mask->width * project->hints->mask->height * 4; i++)
    project->hints->mask->pixels[i] = (guint16) ((i * 7 % 256) * 257);
  project->hints->mask->has_alpha = TRUE;
  loaded = save_and_load (project, path);
  assert_projects_equal (project, loaded);
  json_parser_load_from_file (parser, path, NULL);
  root = json_node_get_object (json_parser_get_root (parser));
  style = json_object_get_object_member (root, "style");
  g_assert_cmpstr (json_object_get_string_member (style, "line-color"), ==, "#0033ff");

  /* No mask at all; defaults everywhere. */
  ink_project_free (&loaded);
  ink_project_free (&project);
  project = ink_project_new ();
  project->source = g_strdup (photo);
  loaded = save_and_load (project, path);
  assert_projects_equal (project, loaded);

  ink_project_free (&project);
  ink_project_free (&loaded);
  ink_project_free (&reloaded);
  g_assert_null (project);
  remove_tree (tmp);
}

/* Format 2 keeps the preset; format 1 files (no preset) read as "default"; the generator is kept;
 * duplicates are deep. */
static void
test_preset (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *path = g_build_filename (tmp, "p.inkloop", NULL);
  g_autofree char *again = g_build_filename (tmp, "again.inkloop", NULL);
  g_autofree char *golden = g_build_filename (g_getenv ("INKLOOP_TEST_DATA"), "..", "golden",
                                              "manga-focus.inkloop", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  InkProject *project, *loaded, *copy;
  InkStyleParams comic;
  JsonObject *root;

  /* Format 1: no preset. */
  write_text (path, "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"photo.png\"}", -1);
  loaded = ink_project_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->preset, ==, "default");
  g_assert_null (loaded->generator);
  ink_project_free (&loaded);

  /* The golden projects are format 1 and load likewise; saved again they are format 2. */
  loaded = ink_project_load (golden, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->preset, ==, "default");
  g_assert_nonnull (loaded->generator);
  copy = save_and_load (loaded, again);
  assert_projects_equal (loaded, copy);
  ink_project_free (&copy);
  ink_project_free (&loaded);

  /* Format 2: the preset and the generator read back; an unknown preset reads as "default". */
  write_text (path, "{\"format\": \"inkloop-project\", \"version\": 2, \"source\": \"photo.png\", "
              "\"generator\": \"Inkloop 9.9\", \"preset\": \"comic\"}", -1);
  loaded = ink_project_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->preset, ==, "comic");
  g_assert_cmpstr (loaded->generator, ==, "Inkloop 9.9");
  ink_project_free (&loaded);
  write_text (path, "{\"format\": \"inkloop-project\", \"version\": 2, \"source\": \"photo.png\", "
              "\"preset\": \"vaporwave\"}", -1);
  loaded = ink_project_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->preset, ==, "default");
  ink_project_free (&loaded);

  /* Setting a preset sets the style and the name; an unknown one changes nothing. */
  project = ink_project_new ();
  g_assert_cmpstr (project->preset, ==, "default");
  project->source = g_build_filename (tmp, "photo.png", NULL);
  g_assert_true (ink_project_set_preset (project, "comic", &error));
  g_assert_no_error (error);
  g_assert_true (ink_style_params_preset (&comic, "comic", NULL));
  g_assert_cmpmem (&project->style, sizeof comic, &comic, sizeof comic);
  g_assert_false (ink_project_set_preset (project, "vaporwave", &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  g_assert_false (ink_project_set_preset_name (project, "vaporwave"));
  g_assert_cmpstr (project->preset, ==, "comic");
  g_assert_cmpmem (&project->style, sizeof comic, &comic, sizeof comic);

  /* Saved: format 2 with the preset, after the style's version and before the style. */
  loaded = save_and_load (project, path);
  assert_projects_equal (project, loaded);
  root = parse_file (parser, path);
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (root, "preset"), ==, "comic");
  {
    g_autoptr (GList) members = json_object_get_members (root);
    const char *order[] = { "format", "version", "generator", "source", "style-version", "preset",
                            "style", "motion-version", "motion", "hints", "export" };
    GList *m = members;

    for (guint i = 0; i < G_N_ELEMENTS (order); i++, m = m->next)
      g_assert_cmpstr (m->data, ==, order[i]);
    g_assert_null (m);
  }
  ink_project_free (&loaded);

  /* A duplicate is deep: changing it leaves the original alone. */
  ink_motion_hints_add_arrow (project->hints, 0.1f, 0.2f, 0.3f, 0.4f);
  project->hints->mask = make_grey_mask (5, 3);
  copy = ink_project_dup (project);
  assert_projects_equal (project, copy);
  g_assert_true (copy->hints != project->hints && copy->hints->mask != project->hints->mask);
  g_assert_true (copy->preset != project->preset && copy->source != project->source);
  g_array_index (copy->hints->arrows, InkArrow, 0).x0 = 0.9f;
  copy->hints->mask->pixels[0] = 1;
  g_assert_cmpfloat (g_array_index (project->hints->arrows, InkArrow, 0).x0, ==, 0.1f);
  g_assert_cmpuint (project->hints->mask->pixels[0], !=, 1);
  ink_project_free (&copy);

  ink_project_free (&project);
  remove_tree (tmp);
}

/* The lossless encoder picks 8 or 16 bits, grey or colour, and the loader gives back every pixel. */
static void
test_mask_encoding (void)
{
  const struct { gboolean grey, deep, alpha; } cases[] = {
    { TRUE, FALSE, FALSE }, { TRUE, TRUE, FALSE }, { TRUE, FALSE, TRUE }, { TRUE, TRUE, TRUE },
    { FALSE, FALSE, FALSE }, { FALSE, TRUE, FALSE }, { FALSE, FALSE, TRUE }, { FALSE, TRUE, TRUE },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) png = NULL;
      InkImage *image = ink_image_new (19, 11), *back;

      image->has_alpha = cases[k].alpha;
      for (int i = 0; i < 19 * 11; i++)
        for (int c = 0; c < 4; c++)
          {
            guint v = (guint) (i * 97 + (cases[k].grey ? 0 : c * 31)) % 256;
            guint16 *p = &image->pixels[4 * i + c];

            *p = (guint16) (v * 257 + (cases[k].deep && i % 3 == 0 ? 1 : 0));
            if (c == 3 && !cases[k].alpha)
              *p = 65535;
          }
      png = ink_image_encode_png (image, TRUE, "mask", &error);
      g_assert_no_error (error);
      back = ink_image_load_data (g_bytes_get_data (png, NULL), g_bytes_get_size (png), "mask",
                                  NULL, &error);
      g_assert_no_error (error);
      assert_images_equal (image, back);
      ink_image_free (&back);
      ink_image_free (&image);
    }
}

static char *
written_source (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  return g_strdup (json_object_get_string_member (parse_file (parser, path), "source"));
}

static void
test_source_paths (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *proj_dir = g_build_filename (tmp, "project", NULL);
  g_autofree char *moved_dir = g_build_filename (tmp, "moved", NULL);
  g_autofree char *path = g_build_filename (proj_dir, "photo.inkloop", NULL);
  g_autofree char *moved = g_build_filename (moved_dir, "photo.inkloop", NULL);
  const struct { const char *source, *written; } cases[] = {
    { "project/photo.jpg", "photo.jpg" },                  /* beside */
    { "project/shots/day 1/photo.jpg", "shots/day 1/photo.jpg" }, /* below */
    { "photos/photo.jpg", "../photos/photo.jpg" },          /* a sibling folder */
    { "photo.jpg", "../photo.jpg" },                        /* the parent */
  };

  g_assert_cmpint (g_mkdir (proj_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (moved_dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *source = g_build_filename (tmp, cases[i].source, NULL);
      g_autofree char *text = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *expected = NULL;
      g_autoptr (GError) error = NULL;
      InkProject *project = ink_project_new ();
      InkProject *loaded;

      project->source = g_strdup (source);
      loaded = save_and_load (project, path);
      text = written_source (path);
      g_assert_cmpstr (text, ==, cases[i].written);
      g_assert_cmpstr (loaded->source, ==, source);
      ink_project_free (&loaded);

      /* Moved to another folder, the relative path follows. */
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      write_text (moved, contents, -1);
      loaded = ink_project_load (moved, &error);
      g_assert_no_error (error);
      expected = g_canonicalize_filename (cases[i].written, moved_dir);
      g_assert_cmpstr (loaded->source, ==, expected);
      ink_project_free (&loaded);
      ink_project_free (&project);
    }

  /* Nothing shared below the root: absolute. A relative source is taken from the working folder. */
  {
    InkProject *project = ink_project_new ();
    InkProject *loaded;
    g_autofree char *text = NULL;
    g_autofree char *cwd = g_get_current_dir ();
    g_autofree char *from_cwd = NULL;

    project->source = g_strdup ("/inkloop-no-such-folder/photo.png");
    loaded = save_and_load (project, path);
    text = written_source (path);
    g_assert_cmpstr (text, ==, "/inkloop-no-such-folder/photo.png");
    g_assert_cmpstr (loaded->source, ==, "/inkloop-no-such-folder/photo.png");
    ink_project_free (&loaded);

    /* Every byte a UTF-8 path can hold, control characters and quotes included. */
    g_free (project->source);
    project->source = g_strdup ("/inkloop-no-such-folder/tab\there \x01\x1f\x7f \"q\" \\ [{/* */}] "
                                "\xc3\xa9 \xf0\x9f\x98\x80.png");
    loaded = save_and_load (project, path);
    g_assert_cmpstr (loaded->source, ==, project->source);
    ink_project_free (&loaded);

    g_free (project->source);
    project->source = g_strdup ("some/./photo.png");
    from_cwd = g_canonicalize_filename ("some/photo.png", cwd);
    loaded = save_and_load (project, path);
    g_assert_cmpstr (loaded->source, ==, from_cwd);
    ink_project_free (&loaded);
    ink_project_free (&project);
  }
  remove_tree (tmp);
}

#define HEAD "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"photo.png\""

/* Minimal files load with the defaults; hand-edited numbers, unknown keys, a mask file beside. */
static void
test_lenient (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *path = g_build_filename (tmp, "hand.inkloop", NULL);
  g_autofree char *mask_path = g_build_filename (tmp, "mask.png", NULL);
  g_autoptr (GError) error = NULL;
  InkProject *defaults = ink_project_new ();
  InkProject *loaded;
  InkImage *mask = ink_image_new (8, 4);

  write_text (path, HEAD "}", -1);
  loaded = ink_project_load (path, &error);
  g_assert_no_error (error);
  defaults->source = g_build_filename (tmp, "photo.png", NULL);
  assert_projects_equal (defaults, loaded);
  ink_project_free (&loaded);

  for (int i = 0; i < 8 * 4; i++)
    {
      mask->pixels[4 * i] = mask->pixels[4 * i + 1] = mask->pixels[4 * i + 2] = (guint16) (i * 8 * 257);
      mask->pixels[4 * i + 3] = 65535;
    }
  mask->has_alpha = FALSE;
  g_assert_true (ink_image_save_png (mask, mask_path, &error));
  write_text (path, HEAD ", \"comment\": \"from the future\", \"generator\": 7,\n"
              "\"style\": {\"line-weight\": 3, \"flatten\": 5e-1, \"colors\": 8.0, \"glow\": 1,\n"
              "           \"line-color\": \"#FF0000\", \"mono\": true},\n"
              "\"motion\": {\"frames\": 1.2e1, \"camera\": \"pan\", \"seed\": 0},\n"
              "\"hints\": {\"anchors\": [[0, 1]], \"mask\": \"mask.png\", \"strokes\": []},\n"
              "\"export\": {\"size\": 640, \"format\": \"gif\"}}", -1);
  loaded = ink_project_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (loaded->style.line_weight, ==, 3.0f);
  g_assert_cmpfloat (loaded->style.flatten, ==, 0.5f);
  g_assert_cmpint (loaded->style.colors, ==, 8);
  g_assert_cmpfloat (loaded->style.line_color[0], ==, 1.0f);
  g_assert_cmpfloat (loaded->style.line_color[1], ==, 0.0f);
  g_assert_true (loaded->style.mono);
  g_assert_cmpint (loaded->motion.frames, ==, 12);
  g_assert_cmpint (loaded->motion.camera, ==, INK_CAMERA_PAN);
  g_assert_cmpint (loaded->motion.seed, ==, 0);
  g_assert_cmpfloat (loaded->style.smooth_range, ==, defaults->style.smooth_range);
  g_assert_cmpuint (loaded->hints->anchors->len, ==, 1);
  g_assert_cmpint (loaded->size, ==, 640);
  assert_images_equal (mask, loaded->hints->mask);
  ink_project_free (&loaded);

  ink_image_free (&mask);
  ink_project_free (&defaults);
  remove_tree (tmp);
}

static void
test_bad_files (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *good_path = g_build_filename (tmp, "good.inkloop", NULL);
  g_autofree char *good = NULL;
  g_autofree char *deep = NULL;
  g_autofree char *many = NULL;
  g_autofree char *not_image = g_base64_encode ((const guchar *) "hello, world", 12);
  g_autofree char *not_image_json = NULL;
  InkProject *project = make_project ("/photos/photo.jpg");
  gsize good_length = 0;
  GString *anchors = g_string_new (HEAD ", \"hints\": {\"anchors\": [");
  struct {
    const char *name, *text, *says;
    int code;
  } cases[] = {
    { "empty", "", "not a valid project: the file is empty", INK_ERROR_DECODE },
    { "blank", " \n\t\n", "not a valid project: the file is empty", INK_ERROR_DECODE },
    { "truncated", NULL, "not a valid project: line", INK_ERROR_DECODE },
    { "not-json", "hello, world", "line 1, column 1: 'hello' is not a JSON value", INK_ERROR_DECODE },
    { "png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "line 1, column 1: expected a value", INK_ERROR_DECODE },
    { "array", "[1, 2, 3]", "JSON list", INK_ERROR_DECODE },
    { "number", "42", "damaged", INK_ERROR_DECODE },
    { "no-format", "{\"version\": 1, \"source\": \"a.png\"}", "not an Inkloop project", INK_ERROR_DECODE },
    { "format", "{\"format\": \"krita\", \"version\": 1}", "not an Inkloop project", INK_ERROR_DECODE },
    { "format-type", "{\"format\": 1, \"version\": 1}", "not an Inkloop project", INK_ERROR_DECODE },
    { "version-3", "{\"format\": \"inkloop-project\", \"version\": 3, \"source\": \"a.png\", \"new\": 1}",
      "saved by a newer Inkloop (project format 3); this version reads format 2: update Inkloop",
      INK_ERROR_DECODE },
    { "preset-type", HEAD ", \"preset\": 2}", "preset: expected a preset's name in quotes, found a number",
      INK_ERROR_DECODE },
    { "version-0", "{\"format\": \"inkloop-project\", \"version\": 0}", "\"version\"", INK_ERROR_DECODE },
    { "version-text", "{\"format\": \"inkloop-project\", \"version\": \"1\"}", "\"version\"", INK_ERROR_DECODE },
    { "version-missing", "{\"format\": \"inkloop-project\"}", "\"version\"", INK_ERROR_DECODE },
    { "style-version", HEAD ", \"style-version\": 2}", "newer Inkloop (style-version 2)", INK_ERROR_DECODE },
    { "no-source", "{\"format\": \"inkloop-project\", \"version\": 1}", "\"source\"", INK_ERROR_DECODE },
    { "source-type", "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": 3}", "\"source\"", INK_ERROR_DECODE },
    { "number-type", HEAD ", \"style\": {\"line-weight\": \"2\"}}",
      "style.line-weight: expected a number, found a string", INK_ERROR_DECODE },
    { "bool-type", HEAD ", \"style\": {\"mono\": 1}}", "style.mono: expected true or false", INK_ERROR_DECODE },
    { "enum-type", HEAD ", \"motion\": {\"camera\": 2}}", "motion.camera: expected", INK_ERROR_DECODE },
    { "null-value", HEAD ", \"motion\": {\"fps\": null}}", "motion.fps: expected a number, found null", INK_ERROR_DECODE },
    { "string-for-object", HEAD ", \"style\": \"anime\"}", "style: expected an object", INK_ERROR_DECODE },
    { "list-for-object", HEAD ", \"hints\": []}", "hints: expected an object", INK_ERROR_DECODE },
    { "export-type", HEAD ", \"export\": 640}", "export.size", INK_ERROR_DECODE },
    { "range", HEAD ", \"style\": {\"line-weight\": 9}}", "style.line-weight is 9; it must be between 0 and 8",
      INK_ERROR_DECODE },
    { "range-seed", HEAD ", \"motion\": {\"seed\": -1}}", "motion.seed is -1", INK_ERROR_DECODE },
    { "huge", HEAD ", \"motion\": {\"fps\": 1e999}}", "\"motion.fps\": 1e999 is too large", INK_ERROR_DECODE },
    { "whole", HEAD ", \"motion\": {\"frames\": 24.5}}", "motion.frames: '24.5' is not a valid whole number",
      INK_ERROR_DECODE },
    { "cel-tones", HEAD ", \"style\": {\"cel-tones\": 1}}", "style.cel-tones is 1", INK_ERROR_DECODE },
    { "enum", HEAD ", \"motion\": {\"camera\": \"dolly\"}}", "motion.camera: 'dolly' is not one of none, breathe",
      INK_ERROR_DECODE },
    { "colour", HEAD ", \"style\": {\"line-color\": \"red\"}}", "style.line-color: 'red' is not a valid colour",
      INK_ERROR_DECODE },
    { "colour-range", HEAD ", \"style\": {\"line-color\": [0, 2, 0]}}", "style.line-color is 2", INK_ERROR_DECODE },
    { "colour-short", HEAD ", \"style\": {\"line-color\": [0, 1]}}", "style.line-color: expected a colour",
      INK_ERROR_DECODE },
    { "size", HEAD ", \"export\": {\"size\": 20000}}", "export.size", INK_ERROR_DECODE },
    { "size-negative", HEAD ", \"export\": {\"size\": -1}}", "export.size", INK_ERROR_DECODE },
    { "arrow-short", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1]]}}", "hints.arrows: item 1 is not a list of 4",
      INK_ERROR_DECODE },
    { "arrow-type", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, \"1\"]]}}", "hints.arrows: item 1", INK_ERROR_DECODE },
    { "arrows-type", HEAD ", \"hints\": {\"arrows\": {}}}", "hints.arrows: expected a list", INK_ERROR_DECODE },
    { "arrow-off", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, 1], [0, 0, 5, 1]]}}", "hints: arrow 2",
      INK_ERROR_DECODE },
    { "anchor-huge", HEAD ", \"hints\": {\"anchors\": [[1e300, 0]]}}", "hints: anchor 1", INK_ERROR_DECODE },
    { "too-many", NULL, "at most 256", INK_ERROR_DECODE },
    { "base64", HEAD ", \"hints\": {\"mask\": \"data:image/png;base64,iVBOR*w0KGgo=\"}}", "not valid base64",
      INK_ERROR_DECODE },
    { "base64-length", HEAD ", \"hints\": {\"mask\": \"data:image/png;base64,iVBORw0KGgo\"}}",
      "not valid base64", INK_ERROR_DECODE },
    { "data-uri", HEAD ", \"hints\": {\"mask\": \"data:text/plain,hello\"}}", "not valid base64",
      INK_ERROR_DECODE },
    { "not-image", NULL, "hints.mask", INK_ERROR_DECODE },
    { "mask-type", HEAD ", \"hints\": {\"mask\": 1}}", "hints.mask: expected an image", INK_ERROR_DECODE },
    { "mask-missing", HEAD ", \"hints\": {\"mask\": \"no-such-mask.png\"}}", "no-such-mask.png: no such file",
      INK_ERROR_NOT_FOUND },
    { "deep", NULL, "nest more than 32 deep", INK_ERROR_DECODE },
    { "bad-utf8", HEAD ", \"x\": \"\xff\xfe\"}", "the byte 0xFF in a string is not UTF-8", INK_ERROR_DECODE },
    { "colour-huge", HEAD ", \"style\": {\"line-color\": [0, 1e300, 0]}}", "style.line-color is 1e+300; it must be between 0 and 1",
      INK_ERROR_DECODE },
  };

  /* A real file cut in the middle. */
  g_assert_true (ink_project_save (project, good_path, NULL));
  g_assert_true (g_file_get_contents (good_path, &good, &good_length, NULL));
  good[good_length / 2] = '\0';
  cases[2].text = good;

  for (int i = 0; i <= INK_MAX_HINTS; i++)
    g_string_append_printf (anchors, "%s[0.5, 0.5]", i > 0 ? ", " : "");
  g_string_append (anchors, "]}}");
  many = g_string_free (anchors, FALSE);
  not_image_json = g_strdup_printf (HEAD ", \"hints\": {\"mask\": \"data:image/png;base64,%s\"}}", not_image);
  deep = g_strnfill (200000, '[');
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (g_str_equal (cases[i].name, "too-many"))
      cases[i].text = many;
    else if (g_str_equal (cases[i].name, "not-image"))
      cases[i].text = not_image_json;
    else if (g_str_equal (cases[i].name, "deep"))
      cases[i].text = deep;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.inkloop", cases[i].name);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autoptr (GError) error = NULL;
      InkProject *loaded;
      gssize length = g_str_equal (cases[i].name, "png") ? 16 : -1;

      write_text (path, cases[i].text, length);
      loaded = ink_project_load (path, &error);
      g_test_message ("%s: %s", cases[i].name, error != NULL ? error->message : "(loaded)");
      g_assert_null (loaded);
      g_assert_error (error, INK_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, name));
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s: \"%s\" does not say \"%s\"", cases[i].name, error->message, cases[i].says);
    }

  /* Not there, or a folder. */
  {
    g_autofree char *missing = g_build_filename (tmp, "missing.inkloop", NULL);
    g_autoptr (GError) error = NULL;

    g_assert_null (ink_project_load (missing, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "missing.inkloop"));
    g_clear_error (&error);
    g_assert_null (ink_project_load (tmp, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_READ);
    g_clear_error (&error);
  }

  /* Far too large (a sparse file: no disk space used); refused before it is read. */
  {
    g_autofree char *huge = g_build_filename (tmp, "huge.inkloop", NULL);
    g_autoptr (GError) error = NULL;
    FILE *file = g_fopen (huge, "wb");

    g_assert_nonnull (file);
    g_assert_cmpint (fseek (file, 200 << 20, SEEK_SET), ==, 0);
    g_assert_cmpint (fputc ('}', file), ==, '}');
    g_assert_cmpint (fclose (file), ==, 0);
    g_assert_null (ink_project_load (huge, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "huge.inkloop: the file is 200 MiB; Inkloop reads project "
                                              "(.inkloop) files of at most 128 MiB"));
  }

  /* 64 MiB of zero bytes (sparse), under the limit: read, and refused at the first byte. */
  {
    g_autofree char *zeros = g_build_filename (tmp, "zeros.inkloop", NULL);
    g_autoptr (GError) error = NULL;
    FILE *file = g_fopen (zeros, "wb");

    g_assert_nonnull (file);
    g_assert_cmpint (fseek (file, (64 << 20) - 1, SEEK_SET), ==, 0);
    g_assert_cmpint (fputc ('\0', file), ==, '\0');
    g_assert_cmpint (fclose (file), ==, 0);
    g_assert_null (ink_project_load (zeros, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
    g_assert_cmpstr (error->message, ==, "zeros.inkloop: not a valid project: line 1, column 1: expected "
                     "a value (a number, a string in \"double quotes\", true, false, null, a list [...] "
                     "or an object {...}), found a NUL byte (the file is binary or damaged)");
  }

  ink_project_free (&project);
  remove_tree (tmp);
}

/* Text the strict check (json-check.c) refuses before json-glib reads it: one row per hostile text,
 * what the message says (with its line and column where that matters). Rows with a NULL text are
 * made below; LENGTH 0 is strlen. */
static void
test_hostile (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *bomb = NULL, *line_bomb = NULL, *quote_bomb = NULL, *deep_arrays = NULL;
  g_autofree char *deep_objects = NULL, *deep_33 = NULL;
  GString *text;
  struct {
    const char *name, *text;
    gsize length;
    const char *says;
  } cases[] = {
    /* Comments, of both kinds, anywhere; a 100 000-bracket bomb in one (made below). */
    { "comment-block", HEAD ", /* note */ \"x\": 1}", 0, "line 1, column 68: comments are not allowed" },
    { "comment-line", HEAD ",\n// note\n\"x\": 1}", 0, "line 2, column 1: comments are not allowed" },
    { "comment-first", "/* project */" HEAD "}", 0, "line 1, column 1: comments are not allowed" },
    { "comment-after", HEAD "}\n// the end\n", 0, "line 2, column 1: comments are not allowed" },
    { "comment-value", HEAD ", \"x\": /* 1 */ 2}", 0, "comments are not allowed" },
    { "comment-bomb", NULL, 0, "line 1, column 2: comments are not allowed" },
    { "comment-line-bomb", NULL, 0, "line 1, column 2: comments are not allowed" },
    { "hash-comment", HEAD "}\n# the end\n", 0, "line 2, column 1: more text after the end of the JSON value: '#'" },
    /* Not JSON's strings. */
    { "single-quotes", "{'format': 'inkloop-project'}", 0, "line 1, column 2: strings need double quotes" },
    { "single-quote-bomb", NULL, 0, "strings need double quotes" },
    { "bad-escape", HEAD ", \"x\": \"C:\\photos\"}", 0, "line 1, column 76: not a valid escape in a string" },
    { "short-u-escape", HEAD ", \"x\": \"\\u12\"}", 0, "\\u must be followed by 4 hex digits" },
    { "u0000", HEAD ", \"x\": \"a\\u0000b\"}", 0, "\\u0000 (a NUL character) is not allowed" },
    { "lone-high-surrogate", HEAD ", \"x\": \"\\ud83d\"}", 0, "\\ud83d is the first half of a UTF-16 surrogate pair" },
    { "lone-low-surrogate", HEAD ", \"x\": \"\\ude00\"}", 0, "\\ude00 is the second half" },
    { "tab-in-string", HEAD ", \"x\": \"a\tb\"}", 0, "the control character U+0009 inside a string; write it as \\u0009" },
    { "newline-in-string", HEAD ", \"x\": \"a\nb\"}", 0, "line 1, column 73: this string does not end on its line" },
    { "unterminated", HEAD ", \"x\": \"abc", 0, "line 1, column 73: the file ends inside this string" },
    /* Bytes: NUL, not UTF-8 (outside and inside strings), a BOM that is not at the start. */
    { "nul-after", HEAD "}\0", sizeof (HEAD "}\0") - 1, "line 1, column 67: more text after the end of the JSON value: a NUL byte" },
    { "nul-in-string", HEAD ", \"x\": \"a\0b\"}", sizeof (HEAD ", \"x\": \"a\0b\"}") - 1, "a NUL byte inside a string" },
    { "nul-first", "\0" HEAD "}", sizeof ("\0" HEAD "}") - 1, "line 1, column 1: expected a value" },
    { "latin1", HEAD ", \"x\": \"caf\xe9\"}", 0, "line 1, column 77: the byte 0xE9 in a string is not UTF-8" },
    { "overlong", HEAD ", \"x\": \"\xc0\xaf\"}", 0, "the byte 0xC0 in a string is not UTF-8" },
    { "utf8-surrogate", HEAD ", \"x\": \"\xed\xa0\x80\"}", 0, "the byte 0xED in a string is not UTF-8" },
    { "utf8-cut", HEAD ", \"x\": \"\xe6\x97", 0, "the byte 0xE6 in a string is not UTF-8" },
    { "above-unicode", HEAD ", \"x\": \"\xf4\x90\x80\x80\"}", 0, "the byte 0xF4 in a string is not UTF-8" },
    { "byte-outside", HEAD ", \xff\"x\": 1}", 0, "found the byte 0xFF, which is not UTF-8 text" },
    { "bom-inside", "{\xef\xbb\xbf\"format\": 1}", 0, "line 1, column 2: expected a key in \"double quotes\", found a byte order mark" },
    { "nbsp", HEAD ",\xc2\xa0\"x\": 1}", 0, "found the character U+00A0" },
    { "form-feed", HEAD ",\f\"x\": 1}", 0, "found the control character U+000C" },
    /* Structure. */
    { "trailing-comma", HEAD ",}", 0, "line 1, column 67: a comma before '}'" },
    { "trailing-comma-list", HEAD ", \"hints\": {\"anchors\": [[0.5, 0.5],]}}", 0, "a comma before ']'" },
    { "missing-comma", HEAD " \"x\": 1}", 0, "expected ',' or '}' after \"source\", found '\"'" },
    { "missing-colon", HEAD ", \"x\" 1}", 0, "expected ':' after \"x\", found '1'" },
    { "mismatched", HEAD ", \"x\": [1}}", 0, "expected ',' or ']' after \"x[0]\", found '}'" },
    { "bare-key", "{format: \"inkloop-project\"}", 0, "line 1, column 2: expected a key in \"double quotes\", found 'f'" },
    { "duplicate-key", HEAD ", \"source\": \"other.png\"}", 0, "\"source\" appears twice" },
    { "duplicate-nested", HEAD ", \"motion\": {\"frames\": 24, \"frames\": 99}}", 0, "\"motion.frames\" appears twice" },
    { "trailing-garbage", HEAD "} {}", 0, "more text after the end of the JSON value: '{'" },
    { "two-roots", HEAD "}" HEAD "}", 0, "more text after the end of the JSON value" },
    { "truncated-object", HEAD ", \"style\": {\"mono\": true", 0, "expected ',' or '}' after \"style.mono\", found the end of the file" },
    { "truncated-key", HEAD ",", 0, "expected a key in \"double quotes\", found the end of the file" },
    { "words", HEAD ", \"style\": {\"mono\": True}}", 0, "'True' is not a JSON value" },
    { "nan", HEAD ", \"motion\": {\"fps\": NaN}}", 0, "'NaN' is not a JSON value" },
    { "infinity", HEAD ", \"motion\": {\"fps\": -Infinity}}", 0, "'-' must be followed by a digit" },
    /* Deep nesting, in lists and in objects; 33 deep inside a project. */
    { "deep-arrays", NULL, 0, "line 1, column 33: lists and objects nest more than 32 deep" },
    { "deep-objects", NULL, 0, "lists and objects nest more than 32 deep" },
    { "deep-33", NULL, 0, "line 1, column 104: lists and objects nest more than 32 deep" },
    /* Numbers: JSON's syntax, and nothing json-glib cannot hold (it reads too large integers as -1);
     * the message names the key. */
    { "int-frames", HEAD ", \"motion\": {\"frames\": 99999999999999999999999}}", 0,
      "\"motion.frames\": 99999999999999999999999 is too large" },
    { "int-seed", HEAD ", \"motion\": {\"seed\": 18446744073709551615}}", 0, "\"motion.seed\": 18446744073709551615 is too large" },
    { "int-int64-max+1", HEAD ", \"motion\": {\"seed\": 9223372036854775808}}", 0, "\"motion.seed\": 9223372036854775808 is too large" },
    { "int-negative", HEAD ", \"style\": {\"colors\": -99999999999999999999999}}", 0, "\"style.colors\": -99999999999999999999999 is too far below zero" },
    { "int-version", "{\"format\": \"inkloop-project\", \"version\": 100000000000000000001}", 0,
      "\"version\": 100000000000000000001 is too large" },
    { "int-size", HEAD ", \"export\": {\"size\": 99999999999999999999999}}", 0, "\"export.size\": 99999999999999999999999" },
    { "int-colour", HEAD ", \"style\": {\"line-color\": [0, 99999999999999999999999, 0]}}", 0, "\"style.line-color[1]\": 99999999999999999999999" },
    { "int-anchor", HEAD ", \"hints\": {\"anchors\": [[0, 0], [0.5, 99999999999999999999999]]}}", 0,
      "\"hints.anchors[1][1]\": 99999999999999999999999 is too large" },
    { "int-long", HEAD ", \"x\": 1234567890123456789012345678901234567890123456789}", 0,
      "\"x\": 1234567890123456789012345678901234567... is too large" },
    { "int-top", "99999999999999999999999", 0, "line 1, column 1: 99999999999999999999999 is too large" },
    { "double-fps", HEAD ", \"motion\": {\"fps\": 1e999}}", 0, "\"motion.fps\": 1e999 is too large" },
    { "double-negative", HEAD ", \"motion\": {\"speed-angle\": -1.5e309}}", 0, "\"motion.speed-angle\": -1.5e309 is too far below zero" },
    { "double-arrow", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1e999, 1]]}}", 0, "\"hints.arrows[0][2]\": 1e999" },
    { "double-digits", HEAD ", \"x\": 1.8e308}", 0, "\"x\": 1.8e308 is too large" },
    { "leading-zero", HEAD ", \"motion\": {\"frames\": 012}}", 0, "012: a number cannot start with 0" },
    { "plus", HEAD ", \"motion\": {\"frames\": +12}}", 0, "a number starts with a digit or '-'" },
    { "dot-first", HEAD ", \"style\": {\"flatten\": .5}}", 0, "a number starts with a digit or '-'" },
    { "dot-last", HEAD ", \"style\": {\"flatten\": 1.}}", 0, "a digit must follow the decimal point" },
    { "exponent-empty", HEAD ", \"style\": {\"flatten\": 1e+}}", 0, "a digit must follow the exponent" },
    { "hex", HEAD ", \"motion\": {\"frames\": 0x10}}", 0, "expected ',' or '}' after \"motion.frames\", found 'x'" },
    { "minus-space", HEAD ", \"motion\": {\"seed\": - 1}}", 0, "'-' must be followed by a digit" },
  };

  /* The bomb: 100 000 brackets in a comment (and in a // comment, which the old guard read
   * as the start of a string), and in a single-quoted string. */
  text = g_string_new ("{/*");
  for (int i = 0; i < 100000; i++)
    g_string_append (text, "[[[[[[[[");
  g_string_append (text, "*/" "\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"a.png\"}");
  bomb = g_string_free (text, FALSE);
  text = g_string_new ("{// \"\n");
  for (int i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  g_string_append (text, "\n\"\n}");
  line_bomb = g_string_free (text, FALSE);
  text = g_string_new ("{'");
  for (int i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  g_string_append (text, "': 1}");
  quote_bomb = g_string_free (text, FALSE);
  deep_arrays = g_strnfill (100000, '[');
  text = g_string_new (NULL);
  for (int i = 0; i < 100000; i++)
    g_string_append (text, "{\"a\": ");
  deep_objects = g_string_free (text, FALSE);
  text = g_string_new (HEAD ", \"x\": ");
  for (int i = 0; i < 32; i++)
    g_string_append_c (text, '[');
  for (int i = 0; i < 32; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  deep_33 = g_string_free (text, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (cases[i].text == NULL)
      cases[i].text = g_str_equal (cases[i].name, "comment-bomb") ? bomb
                      : g_str_equal (cases[i].name, "comment-line-bomb") ? line_bomb
                      : g_str_equal (cases[i].name, "single-quote-bomb") ? quote_bomb
                      : g_str_equal (cases[i].name, "deep-arrays") ? deep_arrays
                      : g_str_equal (cases[i].name, "deep-objects") ? deep_objects : deep_33;
  g_assert_cmpuint (strlen (bomb), >, 800000);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.inkloop", cases[i].name);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      gsize length = cases[i].length > 0 ? cases[i].length : strlen (cases[i].text);
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) data_error = NULL;
      InkProject *loaded;

      write_text (path, cases[i].text, (gssize) length);
      loaded = ink_project_load (path, &error);
      g_test_message ("%s: %s", cases[i].name, error != NULL ? error->message : "(loaded)");
      g_assert_null (loaded);
      g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
      g_assert_true (g_str_has_prefix (error->message, name));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s: \"%s\" does not say \"%s\"", cases[i].name, error->message, cases[i].says);

      /* The bytes already read: the same answer. */
      loaded = ink_project_load_data (cases[i].text, length, name, tmp, &data_error);
      g_assert_null (loaded);
      g_assert_error (data_error, INK_ERROR, INK_ERROR_DECODE);
      g_assert_cmpstr (data_error->message, ==, error->message);
    }
  remove_tree (tmp);
}

/* Strict JSON that looks hostile loads: brackets, comment marks and quotes inside strings, a BOM,
 * CRLF, escapes, -0, 1e-999, int64's ends, nesting at the limit. PARAM, when set, is the
 * parameter to check and VALUE its ink_params_format text after loading; SOURCE the end of the
 * photo's path. */
static void
test_strict_valid (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *deep_32 = NULL, *string_bomb = NULL;
  GString *text;
  struct {
    const char *name, *text, *param, *value, *source;
  } cases[] = {
    { "string-brackets", HEAD ", \"note\": \"[[[[ {{{{ /* // # ' \\\" ]]]] }}}} */\"}", NULL, NULL, "/photo.png" },
    { "source-brackets", "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"[[[[ /* x */ {.png\"}",
      NULL, NULL, "/[[[[ /* x */ {.png" },
    { "string-bomb", NULL, NULL, NULL, "/photo.png" },
    { "bom", "\xef\xbb\xbf" HEAD "}", NULL, NULL, "/photo.png" },
    { "crlf", "{\r\n  \"format\": \"inkloop-project\",\r\n  \"version\": 1,\r\n  \"source\": \"photo.png\"\r\n}\r\n",
      NULL, NULL, "/photo.png" },
    { "escapes", "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"\\u00e9\\ud83d\\ude00\\t\\\\\\/\\\"\\u0001.png\"}",
      NULL, NULL, "/\xc3\xa9\xf0\x9f\x98\x80\t\\/\"\x01.png" },
    { "utf8", "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"\xe6\x97\xa5\xe6\x9c\xac \xf4\x8f\xbf\xbf\x7f.png\"}",
      NULL, NULL, "/\xe6\x97\xa5\xe6\x9c\xac \xf4\x8f\xbf\xbf\x7f.png" },
    { "minus-zero", HEAD ", \"motion\": {\"seed\": -0}}", "seed", "0", NULL },
    { "minus-zero-float", HEAD ", \"style\": {\"flatten\": -0.0}}", "flatten", "-0", NULL },
    { "tiny", HEAD ", \"motion\": {\"boil\": 1e-999}}", "boil", "0", NULL },
    { "exponent", HEAD ", \"motion\": {\"frames\": 1E+1}}", "frames", "10", NULL },
    { "exponent-zeros", HEAD ", \"style\": {\"flatten\": 5e-0001}}", "flatten", "0.5", NULL },
    { "whole-float", HEAD ", \"motion\": {\"frames\": 48.000}}", "frames", "48", NULL },
    { "int64-ends", HEAD ", \"x\": [9223372036854775807, -9223372036854775808, 1.7976931348623157e308, -4.9e-324]}",
      NULL, NULL, NULL },
    { "long-digits", HEAD ", \"x\": 0.00000000000000000000000000000000000000000000000000000000000000000001}",
      NULL, NULL, NULL },
    { "empty-key", HEAD ", \"\": {\"\": []}, \"y\": {}, \"z\": [[], {}]}", NULL, NULL, NULL },
    { "same-key-apart", HEAD ", \"a\": {\"k\": 1}, \"b\": {\"k\": 2}, \"c\": [{\"k\": 1}, {\"k\": 2}]}", NULL, NULL, NULL },
    { "deep-32", NULL, NULL, NULL, NULL },
    { "spaces", " \t\r\n" HEAD " \t\r\n} \t\r\n", NULL, NULL, NULL },
  };

  text = g_string_new (HEAD ", \"x\": ");
  for (int i = 0; i < 31; i++)
    g_string_append_c (text, '[');
  for (int i = 0; i < 31; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  deep_32 = g_string_free (text, FALSE);
  text = g_string_new (HEAD ", \"x\": \"");
  for (int i = 0; i < 100000; i++)
    g_string_append (text, "[{/*");
  g_string_append (text, "\"}");
  string_bomb = g_string_free (text, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (cases[i].text == NULL)
      cases[i].text = g_str_equal (cases[i].name, "deep-32") ? deep_32 : string_bomb;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.inkloop", cases[i].name);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autoptr (GError) error = NULL;
      InkProject *loaded;

      write_text (path, cases[i].text, -1);
      loaded = ink_project_load (path, &error);
      if (error != NULL)
        g_error ("%s: %s", cases[i].name, error->message);
      g_assert_nonnull (loaded);
      if (cases[i].source != NULL)
        g_assert_true (g_str_has_suffix (loaded->source, cases[i].source));
      if (cases[i].param != NULL)
        {
          const InkParamSpec *spec = ink_style_param_find (cases[i].param);
          const void *params = &loaded->style;
          g_autofree char *value = NULL;
          guint n_motion;
          const InkParamSpec *motion = ink_motion_param_specs (&n_motion);

          for (guint k = 0; k < n_motion && spec == NULL; k++)
            if (g_str_equal (motion[k].name, cases[i].param))
              {
                spec = &motion[k];
                params = &loaded->motion;
              }
          g_assert_nonnull (spec);
          value = ink_params_format (spec, params);
          g_assert_cmpstr (value, ==, cases[i].value);
        }
      ink_project_free (&loaded);
    }
  remove_tree (tmp);
}

/* The strict check on its own: every file Inkloop writes passes it; columns count characters. */
static void
test_json_check (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *path = g_build_filename (tmp, "p.inkloop", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  InkProject *project = make_project ("/photos/\xc3\xa9t\xc3\xa9 \"1\"\t\\.jpg");
  gsize length = 0;

  g_assert_true (ink_project_save (project, path, &error));
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (ink_json_check (contents, length, 4, &error));
  g_assert_no_error (error);
  g_assert_false (ink_json_check (contents, length, 3, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  g_clear_error (&error);

  g_assert_true (ink_json_check ("[]", 2, 1, NULL));
  g_assert_false (ink_json_check ("[[]]", 4, 1, NULL));
  g_assert_true (ink_json_check ("\"\"", 2, 1, NULL));
  g_assert_true (ink_json_check ("-0", 2, 1, NULL));
  g_assert_false (ink_json_check ("1 2", 3, 1, NULL));
  g_assert_false (ink_json_check ("[1]", 2, 1, NULL)); /* LENGTH counts, not the NUL */
  g_assert_false (ink_json_check (NULL, 0, 1, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  g_assert_cmpstr (error->message, ==, "the file is empty");
  g_clear_error (&error);
  g_assert_false (ink_json_check ("{\"\xc3\xa9\xe6\x97\xa5\": /* */}", 16, 8, &error));
  g_assert_true (g_str_has_prefix (error->message, "line 1, column 8: comments"));
  g_clear_error (&error);
  g_assert_false (ink_json_check ("[\n\n  1,\r\n  x]", 13, 8, &error));
  g_assert_true (g_str_has_prefix (error->message, "line 4, column 3: 'x' is not a JSON value"));
  g_clear_error (&error);

  ink_project_free (&project);
  remove_tree (tmp);
}

/* ink_project_check_replaceable: what --save-project may write over. */
static void
test_replaceable (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *project_path = g_build_filename (tmp, "saved.inkloop", NULL);
  g_autofree char *huge = g_build_filename (tmp, "huge.inkloop", NULL);
  g_autofree char *sub = g_build_filename (tmp, "folder.inkloop", NULL);
  InkProject *project = make_project ("/photos/photo.jpg");
  FILE *file;
  struct {
    const char *name, *text;
    gboolean ok;
    const char *says;
  } cases[] = {
    { "empty.inkloop", "", TRUE, NULL },
    { "minimal.inkloop", HEAD "}", TRUE, NULL },
    { "bom.inkloop", "\xef\xbb\xbf" HEAD "}", TRUE, NULL },
    { "no-mask.inkloop", HEAD ", \"hints\": {\"mask\": \"gone.png\"}}", TRUE, NULL }, /* does not load */
    { "out-of-range.inkloop", HEAD ", \"style\": {\"line-weight\": 9}}", TRUE, NULL },
    { "newer.inkloop", "{\"format\": \"inkloop-project\", \"version\": 99}", TRUE, NULL },
    { "photo.png", "\x89PNG\r\n\x1a\n", FALSE, "photo.png: exists and is not an Inkloop project; refusing" },
    { "notes.txt", "shopping: milk, eggs\n", FALSE, "notes.txt: exists and is not an Inkloop project; refusing" },
    { "other.json", "{\"name\": \"package\", \"version\": 1}", FALSE,
      "other.json: exists and is not an Inkloop project; refusing to write a project over it" },
    { "list.json", "[1, 2]", FALSE, "list.json: exists and is not an Inkloop project; refusing" },
    { "commented.inkloop", "/* mine */" HEAD "}", FALSE, "commented.inkloop: exists and is not an Inkloop project (not a "
      "valid project: line 1, column 1: comments are not allowed" },
    { "bomb.inkloop", NULL, FALSE, "bomb.inkloop: exists and is not an Inkloop project (not a valid "
      "project: line 1, column 33: lists and objects nest more than 32 deep" },
  };
  g_autofree char *bomb = g_strnfill (100000, '[');

  cases[G_N_ELEMENTS (cases) - 1].text = bomb;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (tmp, cases[i].name, NULL);
      g_autoptr (GError) error = NULL;
      gboolean ok;

      write_text (path, cases[i].text, -1);
      ok = ink_project_check_replaceable (path, &error);
      g_test_message ("%s: %s", cases[i].name, error != NULL ? error->message : "(replaceable)");
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_no_error (error);
          continue;
        }
      g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_true (g_str_has_suffix (error->message, "; refusing to write a project over it"));
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s: \"%s\" does not say \"%s\"", cases[i].name, error->message, cases[i].says);
    }

  /* Nothing there; a project Inkloop wrote. */
  {
    g_autofree char *missing = g_build_filename (tmp, "missing.inkloop", NULL);
    g_autofree char *in_missing = g_build_filename (tmp, "no-such-folder", "p.inkloop", NULL);
    g_autoptr (GError) error = NULL;

    g_assert_true (ink_project_check_replaceable (missing, &error));
    g_assert_true (ink_project_check_replaceable (in_missing, &error));
    g_assert_true (ink_project_save (project, project_path, &error));
    g_assert_true (ink_project_check_replaceable (project_path, &error));
    g_assert_no_error (error);
  }

  /* A folder, a device, a file far too large to be a project, a file that cannot be read. */
  {
    g_autofree char *unreadable = g_build_filename (tmp, "locked.inkloop", NULL);
    g_autoptr (GError) error = NULL;

    g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
    g_assert_false (ink_project_check_replaceable (sub, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
    g_assert_nonnull (strstr (error->message, "folder.inkloop: exists and is a folder; refusing"));
    g_clear_error (&error);

    g_assert_false (ink_project_check_replaceable ("/dev/null", &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
    g_assert_nonnull (strstr (error->message, "/dev/null: exists and is not a regular file"));
    g_clear_error (&error);

    file = g_fopen (huge, "wb");
    g_assert_nonnull (file);
    g_assert_cmpint (fseek (file, 200 << 20, SEEK_SET), ==, 0);
    g_assert_cmpint (fputc ('}', file), ==, '}');
    g_assert_cmpint (fclose (file), ==, 0);
    g_assert_false (ink_project_check_replaceable (huge, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
    g_assert_nonnull (strstr (error->message, "huge.inkloop: exists and is not an Inkloop project"));
    g_clear_error (&error);

    write_text (unreadable, HEAD "}", -1);
    g_assert_cmpint (g_chmod (unreadable, 0), ==, 0);
    if (g_access (unreadable, R_OK) != 0) /* root reads it anyway */
      {
        g_assert_false (ink_project_check_replaceable (unreadable, &error));
        g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
        g_assert_nonnull (strstr (error->message, "locked.inkloop: exists and cannot be read"));
        g_clear_error (&error);
      }
    g_assert_cmpint (g_chmod (unreadable, 0644), ==, 0);
  }

  ink_project_free (&project);
  remove_tree (tmp);
}

static void
test_save_errors (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *missing = g_build_filename (tmp, "no-such-folder", "photo.inkloop", NULL);
  g_autofree char *path = g_build_filename (tmp, "photo.inkloop", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  InkProject *project = make_project ("/photos/photo.jpg");

  /* A missing folder: INK_ERROR_WRITE naming the file, nothing created. */
  g_assert_false (ink_project_save (project, missing, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "photo.inkloop"));
  g_assert_cmpuint (count_entries (tmp), ==, 0);
  g_clear_error (&error);

  /* An invalid project is refused before anything is written; the old file stays. */
  write_text (path, "old", -1);
  project->style.line_weight = 100.0f;
  g_assert_false (ink_project_save (project, path, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_assert_nonnull (strstr (error->message, "style.line-weight"));
  g_clear_error (&error);
  project->style.line_weight = 2.0f;
  project->size = -5;
  g_assert_false (ink_project_save (project, path, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  project->size = 0;
  for (int i = 0; i < INK_MAX_HINTS; i++)
    ink_motion_hints_add_anchor (project->hints, 0.5f, 0.5f);
  g_assert_false (ink_project_save (project, path, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  g_clear_pointer (&project->source, g_free);
  g_array_set_size (project->hints->anchors, 0);
  g_assert_false (ink_project_save (project, path, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_assert_cmpuint (count_entries (tmp), ==, 1);

  /* A photo path that is not UTF-8 (Linux paths are bytes; a project file is UTF-8): refused at
   * save, never written as a file that would then not load. */
  g_clear_error (&error);
  project->source = g_strdup ("/photos/caf\xe9/\xff.jpg");
  g_assert_false (ink_project_save (project, path, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "photo.inkloop: cannot save: the photo's path"));
  g_assert_nonnull (strstr (error->message, "is not valid UTF-8"));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_assert_cmpuint (count_entries (tmp), ==, 1);

  ink_project_free (&project);
  remove_tree (tmp);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/project/float-text", test_float_text);
  g_test_add_func ("/project/tables-cover-structs", test_tables_cover_structs);
  g_test_add_func ("/project/mask-encoding", test_mask_encoding);
  g_test_add_func ("/project/round-trip", test_round_trip);
  g_test_add_func ("/project/preset", test_preset);
  g_test_add_func ("/project/source-paths", test_source_paths);
  g_test_add_func ("/project/lenient", test_lenient);
  g_test_add_func ("/project/bad-files", test_bad_files);
  g_test_add_func ("/project/hostile", test_hostile);
  g_test_add_func ("/project/strict-valid", test_strict_valid);
  g_test_add_func ("/project/json-check", test_json_check);
  g_test_add_func ("/project/replaceable", test_replaceable);
  g_test_add_func ("/project/save-errors", test_save_errors);
  return g_test_run ();
}
