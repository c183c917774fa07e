/* project-common.c: what the project tests share: temporary folders, files, comparisons, a project that sets every field. */
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
#include "tmp-folder.h"

void
write_text (const char *path,
            const char *text,
            gssize length)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, text, length, &error);
  g_assert_no_error (error);
}

JsonObject *
parse_file (JsonParser *parser,
            const char *path)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

gsize
field_size (const InkParamSpec *spec)
{
  return spec->type == INK_PARAM_COLOR ? 3 * sizeof (float)
         : spec->type == INK_PARAM_FLOAT ? sizeof (float)
         : spec->type == INK_PARAM_BOOL ? sizeof (gboolean) : sizeof (int);
}

/* Every field of the table bit for bit; names the first that differs. */
void
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

void
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

void
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

void
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
  g_assert_cmpint (a->is_clip, ==, b->is_clip);
  if (a->is_clip)
    {
      g_assert_cmpfloat (a->clip.start, ==, b->clip.start);
      g_assert_cmpfloat (a->clip.duration, ==, b->clip.duration);
      g_assert_cmpfloat (a->clip.fps, ==, b->clip.fps);
      g_assert_cmpint (a->clip.loop, ==, b->clip.loop);
      g_assert_cmpint (a->clip.no_audio, ==, b->clip.no_audio);
    }
  g_assert_cmpmem (a->hints->arrows->data, a->hints->arrows->len * sizeof (InkArrow),
                   b->hints->arrows->data, b->hints->arrows->len * sizeof (InkArrow));
  g_assert_cmpmem (a->hints->anchors->data, a->hints->anchors->len * sizeof (InkAnchor),
                   b->hints->anchors->data, b->hints->anchors->len * sizeof (InkAnchor));
  if (a->hints->mask == NULL)
    g_assert_null (b->hints->mask);
  else
    assert_images_equal (a->hints->mask, b->hints->mask);
}

InkProject *
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
InkImage *
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
InkProject *
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
  p->style.generator = INK_GENERATOR_LEARNED;

  p->motion.frames = 239;
  p->motion.fps = 23.976f;
  p->motion.hold = 3;
  p->motion.motion = 0.9f;
  p->motion.seed = G_MAXINT32;
  p->motion.boil = 1e-6f;
  p->motion.flow = 1.7f;
  p->motion.flow_reach = 0.6f;
  p->motion.sway = 0.35f;
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
  {
    /* A sway arrow with its own reach, and a flow arrow with one. */
    InkArrow sway = { 0.7f, 0.1f, 0.75f, 0.12f, 0.4f, INK_ARROW_SWAY };
    InkArrow reach = { 0.3f, 0.9f, 0.2f, 0.9f, 0.05f, INK_ARROW_FLOW };
    g_array_append_val (p->hints->arrows, sway);
    g_array_append_val (p->hints->arrows, reach);
  }
  ink_motion_hints_add_anchor (p->hints, 0.25f, 0.75f);
  ink_motion_hints_add_anchor (p->hints, 2.0f / 3.0f, 0.0f);
  p->hints->mask = make_grey_mask (37, 23);
  p->size = 1234;
  return p;
}
