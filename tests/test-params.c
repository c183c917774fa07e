/* test-params.c: the parameter registry: every field described exactly once, defaults, presets, keys, labels, typed access, the settings schema. */
/* Over 600 lines on purpose: the registry's checks (coverage, defaults, presets, entries, typed
 * access, text, schema) read the same tables. */
#include <math.h>
#include <string.h>

#include "export.h"
#include "ink-error.h"
#include "ink-params.h"
#include "motion.h"

static gsize
field_size (const InkParamSpec *spec)
{
  return spec->type == INK_PARAM_COLOR ? 3 * sizeof (float)
         : spec->type == INK_PARAM_INT64 ? sizeof (gint64)
         : spec->type == INK_PARAM_FLOAT ? sizeof (float)
         : spec->type == INK_PARAM_BOOL ? sizeof (gboolean) : sizeof (int);
}

/* Each byte of a SIZE-byte struct is in at most one entry's field, and every byte outside the
 * fields is alignment padding (before a field, less than its size, or at the end). */
static void
assert_covers (const char *what, const InkParamSpec *specs, guint n, gsize size, gboolean whole)
{
  g_autofree const InkParamSpec **owner = g_new0 (const InkParamSpec *, size);
  gsize gap = 0;

  for (guint i = 0; i < n; i++)
    {
      gsize align = specs[i].type == INK_PARAM_COLOR ? sizeof (float) : field_size (&specs[i]);

      if (specs[i].offset + field_size (&specs[i]) > size)
        g_error ("%s.%s reaches past the struct", what, specs[i].name);
      if (specs[i].offset % align != 0)
        g_error ("%s.%s is not aligned: not a field's offset", what, specs[i].name);
      for (gsize b = specs[i].offset; b < specs[i].offset + field_size (&specs[i]); b++)
        {
          if (owner[b] != NULL)
            g_error ("%s: %s and %s describe the same bytes", what, owner[b]->name, specs[i].name);
          owner[b] = &specs[i];
        }
    }
  if (!whole)
    return;
  for (gsize b = 0; b <= size; b++)
    {
      if (b < size && owner[b] == NULL)
        {
          gap++;
          continue;
        }
      /* Padding is shorter than the alignment of what follows (at most 8). */
      if (gap >= (b < size ? field_size (owner[b]) : 8) || (b == size && gap >= sizeof (float)))
        g_error ("%s: %" G_GSIZE_FORMAT " bytes before offset %" G_GSIZE_FORMAT
                 " belong to no entry: a field without a registry entry", what, gap, b);
      gap = 0;
    }
}

static void
test_cover_structs (void)
{
  guint n;
  const InkParamSpec *specs;

  specs = ink_style_param_specs (&n);
  assert_covers ("style", specs, n, sizeof (InkStyleParams), TRUE);
  specs = ink_motion_param_specs (&n);
  assert_covers ("motion", specs, n, sizeof (InkMotionParams), TRUE);
  specs = ink_export_param_specs (&n);
  assert_covers ("export", specs, n, sizeof (InkExportParams), TRUE);
  g_assert_cmpuint (ink_params_find (specs, n, "format")->offset, ==, G_STRUCT_OFFSET (InkExportParams, format));
  g_assert_cmpuint (ink_params_find (specs, n, "gif-colors")->offset, ==, G_STRUCT_OFFSET (InkExportParams, colors));
  g_assert_cmpuint (ink_params_find (specs, n, "max-bytes")->offset, ==, G_STRUCT_OFFSET (InkExportParams, max_bytes));
}

static void
assert_default_in_range (const InkParamSpec *spec)
{
  switch (spec->type)
    {
    case INK_PARAM_INT:
    case INK_PARAM_INT64:
      g_assert_cmpfloat (spec->def, ==, floor (spec->def));
      g_assert_cmpfloat (spec->min, ==, floor (spec->min));
      g_assert_cmpfloat (spec->max, ==, floor (spec->max));
      /* Whole numbers a double holds exactly. */
      g_assert_cmpfloat (fabs (spec->min), <=, 9007199254740992.0);
      g_assert_cmpfloat (fabs (spec->max), <=, 9007199254740992.0);
      if (spec->type == INK_PARAM_INT)
        g_assert_true (spec->min >= G_MININT && spec->max <= G_MAXINT);
      G_GNUC_FALLTHROUGH;
    case INK_PARAM_FLOAT:
      if (!(spec->min <= spec->def && spec->def <= spec->max && spec->min < spec->max))
        g_error ("%s: default %g outside %g .. %g", spec->name, spec->def, spec->min, spec->max);
      break;
    case INK_PARAM_BOOL:
      g_assert_true (spec->def == 0 || spec->def == 1);
      break;
    case INK_PARAM_ENUM:
      g_assert_cmpfloat (spec->def, ==, floor (spec->def));
      g_assert_cmpfloat (spec->def, >=, 0);
      g_assert_cmpfloat (spec->def, <, ink_param_n_choices (spec));
      g_assert_cmpfloat (spec->max, ==, ink_param_n_choices (spec) - 1);
      break;
    case INK_PARAM_COLOR:
      for (int c = 0; c < 3; c++)
        g_assert_true (spec->def_color[c] >= spec->min && spec->def_color[c] <= spec->max);
      break;
    }
}

/* The defaults: in range, and the initializers say the same as the table. */
static void
test_defaults (void)
{
  static const InkParamGroup groups[] = { INK_PARAM_GROUP_STYLE, INK_PARAM_GROUP_MOTION,
                                          INK_PARAM_GROUP_EXPORT };
  InkStyleParams style_macro = INK_STYLE_PARAMS_DEFAULT, style;
  InkMotionParams motion_macro = INK_MOTION_PARAMS_DEFAULT, motion;
  InkExportParams export_macro = INK_EXPORT_PARAMS_DEFAULT;
  g_autoptr (GError) error = NULL;
  guint n;
  const InkParamSpec *specs;

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      specs = ink_param_group_specs (groups[g], &n);
      for (guint i = 0; i < n; i++)
        assert_default_in_range (&specs[i]);
    }

  memset (&style, 0xa5, sizeof style);
  ink_style_params_default (&style);
  memset (&motion, 0xa5, sizeof motion);
  ink_motion_params_default (&motion);
  specs = ink_style_param_specs (&n);
  for (guint i = 0; i < n; i++)
    if (memcmp ((char *) &style + specs[i].offset, (char *) &style_macro + specs[i].offset, field_size (&specs[i])) != 0)
      g_error ("INK_STYLE_PARAMS_DEFAULT and the table disagree on %s", specs[i].name);
  specs = ink_motion_param_specs (&n);
  for (guint i = 0; i < n; i++)
    if (memcmp ((char *) &motion + specs[i].offset, (char *) &motion_macro + specs[i].offset, field_size (&specs[i])) != 0)
      g_error ("INK_MOTION_PARAMS_DEFAULT and the table disagree on %s", specs[i].name);
  g_assert_cmpmem (&style, sizeof style, &style_macro, sizeof style_macro);
  g_assert_cmpmem (&motion, sizeof motion, &motion_macro, sizeof motion_macro);
  g_assert_true (ink_style_params_validate (&style, &error));
  g_assert_true (ink_motion_params_validate (&motion, &error));

  specs = ink_export_param_specs (&n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (ink_param_get_number (&specs[i], &export_macro), ==, specs[i].def);
  {
    InkExportParams export;

    memset (&export, 0xa5, sizeof export);
    ink_export_params_default (&export);
    g_assert_cmpmem (&export, sizeof export, &export_macro, sizeof export_macro);
    g_assert_true (ink_export_params_validate (&export, &error));
  }
  g_assert_no_error (error);
}

/* Export parameters by key and as text: the CLI's and the dialog's one path in. A size in bytes
 * is a whole 64-bit number; the range is refused with the key's name; a limit only for the
 * formats that can be fitted. */
static void
test_export_params (void)
{
  guint n;
  const InkParamSpec *specs = ink_export_param_specs (&n);
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT, q;
  double v;

  g_assert_true (ink_params_set (specs, n, &p, "max-bytes", "5000000000", NULL));
  g_assert_cmpint (p.max_bytes, ==, G_GINT64_CONSTANT (5000000000));
  {
    g_autofree char *text = ink_params_format (ink_params_find (specs, n, "max-bytes"), &p);
    g_assert_cmpstr (text, ==, "5000000000");
  }
  g_assert_true (ink_params_get_number (specs, n, &p, "max-bytes", &v));
  g_assert_cmpfloat (v, ==, 5e9);
  {
    g_autoptr (GError) error = NULL;
    g_assert_false (ink_params_set (specs, n, &p, "max-bytes", "1.5", &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
    g_assert_cmpstr (error->message, ==, "max-bytes: '1.5' is not a valid whole number");
  }
  {
    g_autoptr (GError) error = NULL;
    g_assert_false (ink_params_set (specs, n, &p, "gif-colors", "300", &error));
    g_assert_cmpstr (error->message, ==, "gif-colors is 300; it must be between 2 and 256");
  }
  {
    g_autoptr (GError) error = NULL;
    g_assert_false (ink_params_set (specs, n, &p, "max-bytes", "-1", &error));
    g_assert_nonnull (strstr (error->message, "max-bytes is -1"));
  }
  g_assert_true (ink_params_set_number (specs, n, &p, "max-bytes", 1e300, NULL));
  g_assert_cmpfloat ((double) p.max_bytes, ==, ink_params_find (specs, n, "max-bytes")->max);

  /* Every field reads back from its text. */
  p = (InkExportParams) { .format = INK_FORMAT_WEBP, .long_edge = 720, .quality = 40,
                          .dither = INK_DITHER_ORDERED, .colors = 64, .repeat = 3,
                          .max_bytes = G_GINT64_CONSTANT (123456789012) };
  ink_export_params_default (&q);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = ink_params_format (&specs[i], &p);
      g_assert_true (ink_params_set (specs, n, &q, specs[i].name, text, NULL));
    }
  g_assert_cmpmem (&p, sizeof p, &q, sizeof q);
  g_assert_true (ink_export_params_validate (&p, NULL));

  /* Cross-field: only GIF and WebP take a limit; each field out of range is named. */
  {
    g_autoptr (GError) error = NULL;
    p.format = INK_FORMAT_MP4;
    g_assert_false (ink_export_params_validate (&p, &error));
    g_assert_nonnull (strstr (error->message, "max-bytes"));
  }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;

      if (specs[i].type == INK_PARAM_ENUM)
        continue;
      ink_export_params_default (&q);
      if (specs[i].type == INK_PARAM_INT64)
        *(gint64 *) ((char *) &q + specs[i].offset) = (gint64) specs[i].max + 1;
      else
        *(int *) ((char *) &q + specs[i].offset) = (int) specs[i].min - 1;
      g_assert_false (ink_export_params_validate (&q, &error));
      g_assert_true (g_str_has_prefix (error->message, specs[i].name));
    }
}

/* Every preset's every setting names a style parameter and applies through the validated setter;
 * "default" is the defaults; the command line's list is the rest. */
static void
test_presets (void)
{
  guint n;
  const InkStylePreset *presets = ink_style_presets (&n);
  const char *const *names = ink_style_preset_names ();
  InkStyleParams defaults;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  ink_style_params_default (&defaults);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (presets[0].name, ==, INK_STYLE_PRESET_DEFAULT);
  g_assert_nonnull (ink_style_preset_find (INK_STYLE_PRESET_INITIAL));
  g_assert_cmpuint (g_strv_length ((char **) names), ==, n - 1);
  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) settings = g_strsplit (presets[i].settings, " ", -1);
      g_autoptr (GError) error = NULL;
      InkStyleParams p = defaults, q;

      g_assert_true (g_hash_table_add (seen, (gpointer) presets[i].name));
      g_assert_nonnull (presets[i].label);
      g_assert_true (ink_style_preset_find (presets[i].name) == &presets[i]);
      if (i > 0)
        g_assert_cmpstr (names[i - 1], ==, presets[i].name);
      for (guint k = 0; settings[k] != NULL; k++)
        {
          g_auto (GStrv) kv = g_strsplit (settings[k], "=", 2);

          if (*settings[k] == '\0')
            continue;
          g_assert_nonnull (kv[1]);
          if (ink_style_param_find (kv[0]) == NULL)
            g_error ("preset %s: %s is not a style parameter", presets[i].name, kv[0]);
          if (!ink_style_params_set (&p, kv[0], kv[1], &error))
            g_error ("preset %s: %s", presets[i].name, error->message);
        }
      g_assert_true (ink_style_params_validate (&p, &error));
      g_assert_true (ink_style_params_preset (&q, presets[i].name, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (&p, sizeof p, &q, sizeof q);
      if (i == 0)
        g_assert_cmpmem (&q, sizeof q, &defaults, sizeof defaults);
    }
  {
    g_autoptr (GError) error = NULL;
    InkStyleParams p;

    g_assert_false (ink_style_params_preset (&p, "vaporwave", &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  }
}

/* Keys unique across the tables and found by the lookup; change classes set; what the editor
 * shows has its label (with a mnemonic), name, tooltip and scale; enums have a label a choice. */
static void
test_entries (void)
{
  static const InkParamGroup groups[] = { INK_PARAM_GROUP_STYLE, INK_PARAM_GROUP_MOTION,
                                          INK_PARAM_GROUP_EXPORT };
  g_autoptr (GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  guint shown = 0;

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      guint n;
      const InkParamSpec *specs = ink_param_group_specs (groups[g], &n);

      for (guint i = 0; i < n; i++)
        {
          const InkParamSpec *s = &specs[i];
          InkParamGroup found;

          if (!g_hash_table_add (keys, (gpointer) s->name))
            g_error ("%s is described twice", s->name);
          g_assert_true (ink_param_lookup (s->name, &found) == s);
          g_assert_cmpint (found, ==, groups[g]);
          g_assert_nonnull (s->blurb);
          g_assert_nonnull (s->unit);
          if (s->change == INK_CHANGE_CLASS_NONE)
            g_error ("%s has no change class", s->name);
          g_assert_cmpint (s->change == INK_CHANGE_CLASS_EXPORT, ==, groups[g] == INK_PARAM_GROUP_EXPORT);
          if (groups[g] == INK_PARAM_GROUP_STYLE)
            g_assert_cmpint (s->change, ==, INK_CHANGE_CLASS_STYLE);
          if (s->type == INK_PARAM_ENUM)
            {
              guint k = ink_param_n_choices (s);

              g_assert_cmpuint (k, >=, 2);
              g_assert_nonnull (s->choice_labels);
              g_assert_cmpuint (g_strv_length ((char **) s->choice_labels), ==, k);
              for (guint c = 0; c < k; c++)
                {
                  g_assert_cmpstr (ink_param_choice_label (s, (int) c), ==, s->choice_labels[c]);
                  for (guint d = 0; d < c; d++)
                    g_assert_cmpstr (s->choices[c], !=, s->choices[d]);
                }
              g_assert_null (ink_param_choice_label (s, (int) k));
            }
          else
            g_assert_null (s->choices);
          if (s->depends != NULL)
            {
              InkParamGroup dg;
              const InkParamSpec *d = ink_param_lookup (s->depends, &dg);

              g_assert_nonnull (d);
              g_assert_cmpint (dg, ==, groups[g]);
              g_assert_cmpint (d->section, ==, s->section);
            }
          if (s->section >= INK_PARAM_SECTION_STYLE && s->section <= INK_PARAM_SECTION_EFFECTS)
            {
              const char *mark = strchr (s->label, '_');

              shown++;
              g_assert_cmpint (s->type, !=, INK_PARAM_COLOR);
              g_assert_nonnull (s->accessible);
              g_assert_nonnull (s->tooltip);
              g_assert_nonnull (mark);
              g_assert_true (g_ascii_isalnum (mark[1]));
              if (s->type == INK_PARAM_INT || s->type == INK_PARAM_FLOAT)
                {
                  g_assert_cmpfloat (s->display_scale, >, 0);
                  g_assert_cmpfloat (s->step, >, 0);
                  g_assert_cmpint (s->digits, >=, 0);
                }
            }
          else if (s->section == INK_PARAM_SECTION_EXPORT)
            {
              /* The export window's rows. */
              g_assert_cmpint (groups[g], ==, INK_PARAM_GROUP_EXPORT);
              g_assert_nonnull (strchr (s->label, '_'));
              g_assert_nonnull (s->accessible);
              g_assert_nonnull (s->tooltip);
              if (s->type != INK_PARAM_ENUM)
                {
                  g_assert_cmpfloat (s->display_scale, >, 0);
                  g_assert_cmpfloat (s->step, >, 0);
                }
            }
          else
            g_assert_null (s->label);
        }
    }
  g_assert_cmpuint (shown, >, 0);
  g_assert_null (ink_param_lookup ("no-such-parameter", NULL));
  /* Only fps changes how the frames play, not what they are. */
  g_assert_cmpint (ink_param_lookup ("fps", NULL)->change, ==, INK_CHANGE_CLASS_PLAYBACK);
}

/* Numbers by key: clamped, rounded, booleans at 0.5, enums to their choices; colours and unknown
 * keys refused. */
static void
test_numbers (void)
{
  guint ns, nm;
  const InkParamSpec *style = ink_style_param_specs (&ns);
  const InkParamSpec *motion = ink_motion_param_specs (&nm);
  InkStyleParams s = INK_STYLE_PARAMS_DEFAULT;
  InkMotionParams m = INK_MOTION_PARAMS_DEFAULT;
  gboolean changed = TRUE;
  double v = -1;

  g_assert_true (ink_params_set_number (style, ns, &s, "colors", 40, &changed));
  g_assert_true (changed);
  g_assert_cmpint (s.colors, ==, 32);
  g_assert_true (ink_params_set_number (style, ns, &s, "colors", 32.4, &changed));
  g_assert_false (changed);
  g_assert_true (ink_params_set_number (style, ns, &s, "line-weight", -3, NULL));
  g_assert_cmpfloat (s.line_weight, ==, 0);
  g_assert_true (ink_params_set_number (style, ns, &s, "mono", 0.4, NULL));
  g_assert_false (s.mono);
  g_assert_true (ink_params_set_number (style, ns, &s, "mono", 0.5, NULL));
  g_assert_true (s.mono);
  g_assert_false (ink_params_set_number (style, ns, &s, "line-color", 1, NULL));
  g_assert_false (ink_params_get_number (style, ns, &s, "line-color", &v));
  g_assert_false (ink_params_set_number (style, ns, &s, "frames", 10, NULL));
  g_assert_false (ink_params_set_number (style, ns, &s, "colors", NAN, NULL));
  g_assert_cmpint (s.colors, ==, 32);

  g_assert_true (ink_params_set_number (motion, nm, &m, "frames", 24.6, NULL));
  g_assert_cmpint (m.frames, ==, 25);
  g_assert_true (ink_params_set_number (motion, nm, &m, "camera", 99, NULL));
  g_assert_cmpint (m.camera, ==, INK_CAMERA_SHAKE);
  g_assert_true (ink_params_set_number (motion, nm, &m, "particles", -2, NULL));
  g_assert_cmpint (m.particles, ==, INK_PARTICLES_NONE);
  g_assert_true (ink_params_set_number (motion, nm, &m, "fps", 23.976, NULL));
  g_assert_true (ink_params_get_number (motion, nm, &m, "fps", &v));
  g_assert_cmpfloat (v, ==, 23.976f);
  g_assert_true (ink_motion_params_validate (&m, NULL));
  g_assert_true (ink_style_params_validate (&s, NULL));
}

/* Every value's text reads back as the same value. */
static void
test_text (void)
{
  guint n;
  const InkParamSpec *specs = ink_style_param_specs (&n);
  InkStyleParams p, q;

  g_assert_true (ink_style_params_preset (&p, "manga", NULL));
  ink_style_params_default (&q);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = ink_params_format (&specs[i], &p);
      g_autoptr (GError) error = NULL;

      g_assert_true (ink_params_set (specs, n, &q, specs[i].name, text, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpmem (&p, sizeof p, &q, sizeof q);
}

/* The settings schema agrees with the registry: the editor's first preset, export names and defaults. */
static char *
schema_default (const char *schema, const char *key)
{
  g_autofree char *tag = g_strdup_printf ("<key name=\"%s\"", key);
  const char *k = strstr (schema, tag), *d, *end;

  g_assert_nonnull (k);
  d = strstr (k, "<default>'");
  g_assert_nonnull (d);
  d += strlen ("<default>'");
  end = strchr (d, '\'');
  g_assert_nonnull (end);
  return g_strndup (d, end - d);
}

/* KEY's <range> in the schema is SPEC's range and its default SPEC's (EXACT), or within it
 * with the same top (else), in SPEC's display units. */
static void
assert_schema_range (const char *schema, const char *key, const InkParamSpec *spec, gboolean exact)
{
  g_autofree char *tag = g_strdup_printf ("<key name=\"%s\"", key);
  const char *k = strstr (schema, tag), *r;
  double lo, hi, def, k_scale = spec->display_scale;

  g_assert_nonnull (k);
  r = strstr (k, "<range min=\"");
  g_assert_nonnull (r);
  lo = g_ascii_strtod (r + strlen ("<range min=\""), NULL);
  r = strstr (r, "max=\"");
  hi = g_ascii_strtod (r + strlen ("max=\""), NULL);
  r = strstr (k, "<default>");
  def = g_ascii_strtod (r + strlen ("<default>"), NULL);
  g_assert_cmpfloat_with_epsilon (hi, spec->max * k_scale, 1e-9 * hi);
  if (exact)
    {
      g_assert_cmpfloat_with_epsilon (lo, spec->min * k_scale, 1e-9);
      g_assert_cmpfloat_with_epsilon (def, spec->def * k_scale, 1e-9);
    }
  else
    g_assert_cmpfloat (lo, >=, spec->min * k_scale);
  g_assert_cmpfloat (def, >=, lo);
  g_assert_cmpfloat (def, <=, hi);
}

static void
test_schema (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("INKLOOP_TEST_DATA"), "..", "..", "data",
                                            "io.github.inkloop.Inkloop.gschema.xml", NULL);
  g_autofree char *schema = NULL;
  g_autofree char *preset = NULL, *format = NULL, *dither = NULL;
  guint n;
  const InkParamSpec *specs = ink_export_param_specs (&n);
  const InkParamSpec *f = ink_params_find (specs, n, "format"), *d = ink_params_find (specs, n, "dither");

  g_assert_true (g_file_get_contents (path, &schema, NULL, NULL));
  preset = schema_default (schema, "preset");
  g_assert_cmpstr (preset, ==, INK_STYLE_PRESET_INITIAL);
  format = schema_default (schema, "export-format");
  g_assert_cmpstr (format, ==, f->choices[(int) f->def]);
  dither = schema_default (schema, "export-dither");
  g_assert_cmpstr (dither, ==, d->choices[(int) d->def]);
  for (guint i = 0; f->choices[i] != NULL; i++)
    {
      g_autofree char *choice = g_strdup_printf ("<choice value=\"%s\"/>", f->choices[i]);
      g_assert_nonnull (strstr (schema, choice));
    }
  for (guint i = 0; d->choices[i] != NULL; i++)
    {
      g_autofree char *choice = g_strdup_printf ("<choice value=\"%s\"/>", d->choices[i]);
      g_assert_nonnull (strstr (schema, choice));
    }
  /* The remembered numbers hold what the registry allows, in the window's units. */
  assert_schema_range (schema, "export-colors", ink_params_find (specs, n, "gif-colors"), TRUE);
  assert_schema_range (schema, "export-repeat", ink_params_find (specs, n, "repeat"), TRUE);
  assert_schema_range (schema, "export-max-mb", ink_params_find (specs, n, "max-bytes"), TRUE);
  /* The window's quality starts at 0 (-1, the format's own, is the command line's); its long
   * edge at 16 px. */
  assert_schema_range (schema, "export-quality", ink_params_find (specs, n, "quality"), FALSE);
  assert_schema_range (schema, "export-long-edge", ink_params_find (specs, n, "long-edge"), FALSE);
}

/* The freeze mask's grey: the colour's mean times the alpha. */
static void
test_mask_grey (void)
{
  const guint16 white[4] = { 65535, 65535, 65535, 65535 }, black[4] = { 0, 0, 0, 65535 };
  const guint16 clear[4] = { 65535, 65535, 65535, 0 }, grey[4] = { 128 * 257, 128 * 257, 128 * 257, 65535 };

  g_assert_cmpfloat (ink_mask_grey (white), ==, 1.0f);
  g_assert_cmpfloat (ink_mask_grey (black), ==, 0.0f);
  g_assert_cmpfloat (ink_mask_grey (clear), ==, 0.0f);
  for (int level = 0; level < 256; level++)
    {
      const guint16 p[4] = { level * 257, level * 257, level * 257, 65535 };
      g_assert_cmpint ((int) lround (ink_mask_grey (p) * 255.0), ==, level);
    }
  g_assert_cmpfloat_with_epsilon (ink_mask_grey (grey), 128 / 255.0, 1e-6);
}

/* Every control in the editor's panel has its own place in its section: 1, 2, 3 ... */
static void
test_panel_positions (void)
{
  const InkParamGroup groups[] = { INK_PARAM_GROUP_STYLE, INK_PARAM_GROUP_MOTION };

  for (int section = INK_PARAM_SECTION_STYLE; section <= INK_PARAM_SECTION_EFFECTS; section++)
    {
      guint count = 0;
      guint64 seen = 0;

      for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
        {
          guint n;
          const InkParamSpec *specs = ink_param_group_specs (groups[g], &n);

          for (guint i = 0; i < n; i++)
            {
              if ((int) specs[i].section != section)
                continue;
              g_assert_cmpint (specs[i].position, >=, 1);
              g_assert_cmpint (specs[i].position, <=, 63);
              g_assert_false (seen & ((guint64) 1 << specs[i].position));
              seen |= (guint64) 1 << specs[i].position;
              count++;
            }
        }
      /* 1 .. count, no gaps */
      g_assert_cmpuint (seen, ==, (((guint64) 1 << (count + 1)) - 2));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/params/cover-structs", test_cover_structs);
  g_test_add_func ("/params/defaults", test_defaults);
  g_test_add_func ("/params/export", test_export_params);
  g_test_add_func ("/params/presets", test_presets);
  g_test_add_func ("/params/entries", test_entries);
  g_test_add_func ("/params/numbers", test_numbers);
  g_test_add_func ("/params/text", test_text);
  g_test_add_func ("/params/schema", test_schema);
  g_test_add_func ("/params/mask-grey", test_mask_grey);
  g_test_add_func ("/params/panel-positions", test_panel_positions);
  return g_test_run ();
}
