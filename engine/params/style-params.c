/* style-params.c: the stylizer's parameter table (the registry's style entries) and the named presets. */
#include "ink-config.h"

#include "ink-params.h"

#include <glib/gi18n-lib.h>
#include <stddef.h>
#include <string.h>

#include "ink-error.h"

#define F(field) offsetof (InkStyleParams, field)

/* In InkGenerator order. */
static const char *const generator_names[] = { "procedural", "learned", NULL };
static const char *const generator_labels[] = { N_("Procedural"), N_("Learned (network)"), NULL };
G_STATIC_ASSERT (G_N_ELEMENTS (generator_names) == INK_GENERATOR_COUNT + 1);

/* In the command line's order (--help and project files follow it); the editor shows the entries
 * with a section, in this order within each section. */
static const InkParamSpec specs[] = {
  { "smooth-passes", INK_PARAM_INT, F (smooth_passes), 0, 6, 3, "",
    "Edge-preserving smoothing passes", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "smooth-spatial", INK_PARAM_FLOAT, F (smooth_spatial), 0.5, 20, 3, "px",
    "Smoothing radius (px at 1024 px)", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "smooth-range", INK_PARAM_FLOAT, F (smooth_range), 0.5, 30, 4.25, "",
    "Colour difference kept as an edge (OKLab x100)", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "structure-scale", INK_PARAM_FLOAT, F (structure_scale), 0.5, 10, 2, "px",
    "Scale of the edge-direction field (px at 1024 px)", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "colors", INK_PARAM_INT, F (colors), 2, 32, 12, "",
    "Palette size for colour flattening", NULL,
    .label = N_("_Colours"), .accessible = N_("Number of colours"),
    .tooltip = N_("Size of the palette the picture is painted with"),
    .display_scale = 1, .digits = 0, .step = 1,
    .section = INK_PARAM_SECTION_STYLE, .position = 4, .change = INK_CHANGE_CLASS_STYLE },
  { "flatten", INK_PARAM_FLOAT, F (flatten), 0, 1, 0.7, "",
    "Colour flattening: 0 photo colours, 1 hard flat regions", NULL,
    .label = N_("_Flat colour"), .accessible = N_("Colour flattening"),
    .tooltip = N_("How flat the colour regions are: low keeps the photo's shading, high paints flat cel colours"),
    .display_unit = "%", .display_scale = 100, .digits = 0, .step = 0.01,
    .section = INK_PARAM_SECTION_STYLE, .position = 3, .change = INK_CHANGE_CLASS_STYLE },
  { "cel-tones", INK_PARAM_INT, F (cel_tones), 0, 4, 0, "",
    "Cel shading luminance tones (0 off, 2-4)", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "cel-amount", INK_PARAM_FLOAT, F (cel_amount), 0, 1, 0.6, "",
    "Strength of the cel shading", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "line-weight", INK_PARAM_FLOAT, F (line_weight), 0, 8, 2, "px",
    "Ink stroke thickness (px at 1024 px; 0 = no lines)", NULL,
    .label = N_("Line _weight"), .accessible = N_("Line weight"),
    .tooltip = N_("Thickness of the ink strokes, in pixels at a 1024 px picture; 0 draws no lines"),
    .display_unit = N_("px"), .display_scale = 1, .digits = 1, .step = 0.1,
    .section = INK_PARAM_SECTION_STYLE, .position = 1, .change = INK_CHANGE_CLASS_STYLE },
  { "line-sensitivity", INK_PARAM_FLOAT, F (line_sensitivity), 0, 1, 0.5, "",
    "How much detail gets a line: 0 only strong edges, 1 fine detail", NULL,
    .label = N_("Line _detail"), .accessible = N_("Line detail"),
    .tooltip = N_("How much detail gets a line: low keeps only strong edges, high inks fine texture"),
    .display_unit = "%", .display_scale = 100, .digits = 0, .step = 0.01,
    .section = INK_PARAM_SECTION_STYLE, .position = 2, .change = INK_CHANGE_CLASS_STYLE },
  { "line-smoothness", INK_PARAM_FLOAT, F (line_smoothness), 0, 10, 3, "px",
    "Smoothing of lines along their direction (px at 1024 px)", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "line-color", INK_PARAM_COLOR, F (line_color), 0, 1, 0, "",
    "Ink colour (#rrggbb)", NULL,
    .change = INK_CHANGE_CLASS_STYLE, .def_color = { 0.08f, 0.06f, 0.07f } },
  { "saturation", INK_PARAM_FLOAT, F (saturation), 0, 2, 1.15, "x",
    "Colour saturation factor", NULL,
    .label = N_("_Saturation"), .accessible = N_("Saturation"),
    .tooltip = N_("Colour strength: 0 is grey, 1 the photo's colours, 2 twice as vivid"),
    .display_unit = "×", .display_scale = 1, .digits = 2, .step = 0.05,
    .section = INK_PARAM_SECTION_STYLE, .position = 5, .change = INK_CHANGE_CLASS_STYLE },
  { "contrast", INK_PARAM_FLOAT, F (contrast), 0, 2, 1.05, "x",
    "Lightness contrast factor", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "mono", INK_PARAM_BOOL, F (mono), 0, 1, 0, "",
    "Black and white", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "screentone", INK_PARAM_FLOAT, F (screentone), 0, 1, 0, "",
    "Screentone dots for mid-tones (black and white only)", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "tone-size", INK_PARAM_FLOAT, F (tone_size), 2, 32, 6, "px",
    "Screentone dot spacing (px at 1024 px)", NULL,
    .change = INK_CHANGE_CLASS_STYLE },
  { "generator", INK_PARAM_ENUM, F (generator), 0, INK_GENERATOR_COUNT - 1,
    INK_GENERATOR_PROCEDURAL, "",
    "procedural or learned: where the colour comes from (learned: the trained network; lines, "
    "palette and colour controls act on both)", generator_names,
    .label = N_("_Generator"), .accessible = N_("Generator"),
    .tooltip = N_("Procedural paints with edge-preserving smoothing; Learned with the trained "
                  "network. Lines, colours and flat colour act on both"),
    .section = INK_PARAM_SECTION_STYLE, .position = 6, .change = INK_CHANGE_CLASS_STYLE,
    .choice_labels = generator_labels },
};

#undef F

const InkParamSpec *
ink_style_param_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (specs);
  return specs;
}

const InkParamSpec *
ink_style_param_find (const char *name)
{
  return ink_params_find (specs, G_N_ELEMENTS (specs), name);
}

void
ink_style_params_default (InkStyleParams *params)
{
  ink_params_fill_defaults (specs, G_N_ELEMENTS (specs), params);
}

gboolean
ink_style_params_validate (const InkStyleParams *params, GError **error)
{
  if (!ink_params_validate (specs, G_N_ELEMENTS (specs), params, error))
    return FALSE;
  if (params->cel_tones == 1)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "cel-tones is 1; it must be 0 (off) or between 2 and 4");
      return FALSE;
    }
  return TRUE;
}

gboolean
ink_style_params_set (InkStyleParams *params, const char *name, const char *value,
                      GError **error)
{
  return ink_params_set (specs, G_N_ELEMENTS (specs), params, name, value, error);
}

/* Presets: settings over the defaults, in the command line's names, so they go through the same
 * parsing and validation as anything a user types. */
static const InkStylePreset presets[] = {
  /* The defaults themselves. */
  { INK_STYLE_PRESET_DEFAULT, N_("Default"), "" },
  /* Colour, soft cel shading, clean thin lines. */
  { "anime", N_("Anime"), "colors=14 flatten=0.75 cel-tones=3 cel-amount=0.45 line-weight=2 "
                          "line-sensitivity=0.5 saturation=1.1" },
  /* Bold ink, strong flats. */
  { "comic", N_("Comic"), "smooth-passes=4 colors=8 flatten=0.95 line-weight=3.5 line-sensitivity=0.6 "
                          "saturation=1.3 contrast=1.15 line-color=#000000" },
  /* Black and white, screentone dots for mid-tones. */
  { "manga", N_("Manga"), "colors=6 flatten=0.8 cel-tones=3 cel-amount=1 line-weight=2.5 "
                          "line-sensitivity=0.85 mono=true screentone=1 contrast=1.1 line-color=#000000" },
  /* Painterly: gentle flats, faint lines. */
  { "soft", N_("Soft"), "smooth-passes=4 smooth-spatial=4 colors=20 flatten=0.5 line-weight=1.2 "
                        "line-sensitivity=0.35" },
};

/* Every preset but "default", as the command line lists them. */
static const char *const preset_names[] = { "anime", "comic", "manga", "soft", NULL };

const InkStylePreset *
ink_style_presets (guint *n_presets)
{
  *n_presets = G_N_ELEMENTS (presets);
  return presets;
}

const InkStylePreset *
ink_style_preset_find (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].name, name))
      return &presets[i];
  return NULL;
}

const char *const *
ink_style_preset_names (void)
{
  return preset_names;
}

gboolean
ink_style_params_preset (InkStyleParams *params, const char *name, GError **error)
{
  const InkStylePreset *preset = ink_style_preset_find (name);
  g_auto (GStrv) settings = NULL;
  InkStyleParams p;

  if (preset == NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) preset_names);
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "unknown preset '%s'; choose one of %s", name, list);
      return FALSE;
    }
  ink_style_params_default (&p);
  settings = g_strsplit (preset->settings, " ", -1);
  for (guint k = 0; settings[k] != NULL; k++)
    {
      char *eq = strchr (settings[k], '=');

      if (*settings[k] == '\0')
        continue;
      g_assert (eq != NULL);
      *eq = '\0';
      if (!ink_style_params_set (&p, settings[k], eq + 1, error))
        return FALSE;
    }
  *params = p;
  return TRUE;
}

float
ink_style_scale (int width, int height)
{
  return MAX (width, height) / INK_REFERENCE_LONG_EDGE;
}
