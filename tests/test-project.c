/* test-project.c: .inkloop project files: exact round trip of every field, presets, source paths, lenient reading, replacing and saving errors; bad and hostile files are test-project-files.c. */
/* Over 600 lines on purpose: the round trip and the preset cases compare every field of a project
 * (project-common.c holds the comparisons). */
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
#include "project-common.h"

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

/* A clip's project: its part, rate, loop and sound kept; bad values refused naming the key; a
 * photo's project has no "clip". */
static void
test_clip (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
  g_autofree char *path = g_build_filename (tmp, "clip.inkloop", NULL);
  g_autofree char *clip = g_build_filename (tmp, "clip.mp4", NULL);
  InkProject *project = ink_project_new (), *loaded;
  static const struct { const char *json; const char *says; } bad[] = {
    { "{\"start\": -1}", "clip.start is -1" },
    { "{\"duration\": 601}", "clip.duration is 601" },
    { "{\"fps\": 500}", "clip.fps is 500" },
    { "{\"loop\": 1}", "clip.loop: expected true or false" },
    { "{\"start\": \"soon\"}", "clip.start: expected a number" },
    { "[1]", "clip: expected an object" },
  };

  g_free (project->source);
  project->source = g_strdup (clip);
  project->is_clip = TRUE;
  project->clip = (InkClipRange) { .start = 1.25, .duration = 3.5, .fps = 12.0, .loop = TRUE,
                                   .no_audio = TRUE };
  loaded = save_and_load (project, path);
  assert_projects_equal (project, loaded);
  ink_project_free (&loaded);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *text = g_strdup_printf (
        "{\"format\": \"inkloop-project\", \"version\": 2, \"source\": \"clip.mp4\", "
        "\"clip\": %s}", bad[i].json);
      loaded = ink_project_load_data (text, strlen (text), "bad.inkloop", tmp, &error);
      g_assert_null (loaded);
      g_test_message ("%s", error->message);
      if (strstr (error->message, bad[i].says) == NULL)
        g_error ("\"%s\" does not say \"%s\"", error->message, bad[i].says);
    }

  project->is_clip = FALSE;
  loaded = save_and_load (project, path);
  g_assert_false (loaded->is_clip);
  ink_project_free (&loaded);
  ink_project_free (&project);
  test_tmp_folder_remove (tmp);
}

static void
test_round_trip (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
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
  test_tmp_folder_remove (tmp);
}

/* Format 2 keeps the preset; format 1 files (no preset) read as "default"; the generator is kept;
 * duplicates are deep. */
static void
test_preset (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
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
  test_tmp_folder_remove (tmp);
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
  g_autofree char *tmp = test_tmp_folder_new ();
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
  test_tmp_folder_remove (tmp);
}


/* Minimal files load with the defaults; hand-edited numbers, unknown keys, a mask file beside. */
static void
test_lenient (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
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
  test_tmp_folder_remove (tmp);
}

/* ink_project_check_replaceable: what --save-project may write over. */
static void
test_replaceable (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
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
  test_tmp_folder_remove (tmp);
}

static void
test_save_errors (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
  g_autofree char *missing = g_build_filename (tmp, "no-such-folder", "photo.inkloop", NULL);
  g_autofree char *path = g_build_filename (tmp, "photo.inkloop", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  InkProject *project = make_project ("/photos/photo.jpg");

  /* A missing folder: INK_ERROR_WRITE naming the file, nothing created. */
  g_assert_false (ink_project_save (project, missing, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "photo.inkloop"));
  g_assert_cmpuint (test_count_entries (tmp), ==, 0);
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
  g_assert_cmpuint (test_count_entries (tmp), ==, 1);

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
  g_assert_cmpuint (test_count_entries (tmp), ==, 1);

  ink_project_free (&project);
  test_tmp_folder_remove (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/project/float-text", test_float_text);
  g_test_add_func ("/project/tables-cover-structs", test_tables_cover_structs);
  g_test_add_func ("/project/mask-encoding", test_mask_encoding);
  g_test_add_func ("/project/round-trip", test_round_trip);
  g_test_add_func ("/project/clip", test_clip);
  g_test_add_func ("/project/preset", test_preset);
  g_test_add_func ("/project/source-paths", test_source_paths);
  g_test_add_func ("/project/lenient", test_lenient);
  g_test_add_func ("/project/replaceable", test_replaceable);
  g_test_add_func ("/project/save-errors", test_save_errors);
  return g_test_run ();
}
