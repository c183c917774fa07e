/* ink-params.c: parameter table, validation, text parsing and the named presets. */
#include "ink-params.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ink-error.h"

#define F(field) offsetof (InkStyleParams, field)

static const InkParamSpec specs[] = {
  { "smooth-passes", INK_PARAM_INT, F (smooth_passes), 0, 6, 3, "",
    "Edge-preserving smoothing passes", NULL },
  { "smooth-spatial", INK_PARAM_FLOAT, F (smooth_spatial), 0.5, 20, 3, "px",
    "Smoothing radius (px at 1024 px)", NULL },
  { "smooth-range", INK_PARAM_FLOAT, F (smooth_range), 0.5, 30, 4.25, "",
    "Colour difference kept as an edge (OKLab x100)", NULL },
  { "structure-scale", INK_PARAM_FLOAT, F (structure_scale), 0.5, 10, 2, "px",
    "Scale of the edge-direction field (px at 1024 px)", NULL },
  { "colors", INK_PARAM_INT, F (colors), 2, 32, 12, "",
    "Palette size for colour flattening", NULL },
  { "flatten", INK_PARAM_FLOAT, F (flatten), 0, 1, 0.7, "",
    "Colour flattening: 0 photo colours, 1 hard flat regions", NULL },
  { "cel-tones", INK_PARAM_INT, F (cel_tones), 0, 4, 0, "",
    "Cel shading luminance tones (0 off, 2-4)", NULL },
  { "cel-amount", INK_PARAM_FLOAT, F (cel_amount), 0, 1, 0.6, "",
    "Strength of the cel shading", NULL },
  { "line-weight", INK_PARAM_FLOAT, F (line_weight), 0, 8, 2, "px",
    "Ink stroke thickness (px at 1024 px; 0 = no lines)", NULL },
  { "line-sensitivity", INK_PARAM_FLOAT, F (line_sensitivity), 0, 1, 0.5, "",
    "How much detail gets a line: 0 only strong edges, 1 fine detail", NULL },
  { "line-smoothness", INK_PARAM_FLOAT, F (line_smoothness), 0, 10, 3, "px",
    "Smoothing of lines along their direction (px at 1024 px)", NULL },
  { "line-color", INK_PARAM_COLOR, F (line_color), 0, 1, 0, "",
    "Ink colour (#rrggbb)", NULL },
  { "saturation", INK_PARAM_FLOAT, F (saturation), 0, 2, 1.15, "x",
    "Colour saturation factor", NULL },
  { "contrast", INK_PARAM_FLOAT, F (contrast), 0, 2, 1.05, "x",
    "Lightness contrast factor", NULL },
  { "mono", INK_PARAM_BOOL, F (mono), 0, 1, 0, "",
    "Black and white", NULL },
  { "screentone", INK_PARAM_FLOAT, F (screentone), 0, 1, 0, "",
    "Screentone dots for mid-tones (black and white only)", NULL },
  { "tone-size", INK_PARAM_FLOAT, F (tone_size), 2, 32, 6, "px",
    "Screentone dot spacing (px at 1024 px)", NULL },
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
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    if (g_str_equal (specs[i].name, name))
      return &specs[i];
  return NULL;
}

static gboolean
check_range (const InkParamSpec *spec, double value, GError **error)
{
  if (isfinite (value) && value >= spec->min && value <= spec->max)
    return TRUE;
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
               "%s is %g; it must be between %g and %g%s%s", spec->name, value,
               spec->min, spec->max, *spec->unit ? " " : "", spec->unit);
  return FALSE;
}

gboolean
ink_params_validate (const InkParamSpec *table, guint n_specs, const void *params, GError **error)
{
  const char *base = (const char *) params;

  for (guint i = 0; i < n_specs; i++)
    {
      const InkParamSpec *spec = &table[i];
      const void *field = base + spec->offset;

      switch (spec->type)
        {
        case INK_PARAM_INT:
          if (!check_range (spec, *(const int *) field, error))
            return FALSE;
          break;
        case INK_PARAM_FLOAT:
          if (!check_range (spec, *(const float *) field, error))
            return FALSE;
          break;
        case INK_PARAM_BOOL:
          break;
        case INK_PARAM_ENUM:
          if (*(const int *) field < 0 || *(const int *) field >= (int) g_strv_length ((char **) spec->choices))
            {
              g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s is %d: not one of its choices",
                           spec->name, *(const int *) field);
              return FALSE;
            }
          break;
        case INK_PARAM_COLOR:
          for (int c = 0; c < 3; c++)
            if (!check_range (spec, ((const float *) field)[c], error))
              return FALSE;
          break;
        }
    }
  return TRUE;
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

static gboolean
parse_color (const char *text, float rgb[3])
{
  guint v;
  char *end;

  if (text[0] != '#' || strlen (text) != 7)
    return FALSE;
  v = strtoul (text + 1, &end, 16);
  if (*end != '\0')
    return FALSE;
  rgb[0] = ((v >> 16) & 0xff) / 255.0f;
  rgb[1] = ((v >> 8) & 0xff) / 255.0f;
  rgb[2] = (v & 0xff) / 255.0f;
  return TRUE;
}

gboolean
ink_style_params_set (InkStyleParams *params, const char *name, const char *value,
                      GError **error)
{
  return ink_params_set (specs, G_N_ELEMENTS (specs), params, name, value, error);
}

gboolean
ink_params_set (const InkParamSpec *table, guint n_specs, void *params, const char *name,
                const char *value, GError **error)
{
  const InkParamSpec *spec = NULL;
  void *field;
  char *end = NULL;
  double v;

  for (guint i = 0; i < n_specs && spec == NULL; i++)
    if (g_str_equal (table[i].name, name))
      spec = &table[i];
  if (spec == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "unknown parameter '%s'", name);
      return FALSE;
    }
  field = (char *) params + spec->offset;

  switch (spec->type)
    {
    case INK_PARAM_COLOR:
      if (!parse_color (value, field))
        goto bad;
      return TRUE;
    case INK_PARAM_ENUM:
      for (int k = 0; spec->choices[k] != NULL; k++)
        if (g_str_equal (spec->choices[k], value))
          {
            *(int *) field = k;
            return TRUE;
          }
      {
        g_autofree char *list = g_strjoinv (", ", (char **) spec->choices);
        g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s: '%s' is not one of %s",
                     name, value, list);
        return FALSE;
      }
    case INK_PARAM_BOOL:
      if (g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "1") == 0)
        *(gboolean *) field = TRUE;
      else if (g_strcmp0 (value, "false") == 0 || g_strcmp0 (value, "0") == 0)
        *(gboolean *) field = FALSE;
      else
        goto bad;
      return TRUE;
    case INK_PARAM_INT:
    case INK_PARAM_FLOAT:
      v = g_ascii_strtod (value, &end);
      if (end == value || *end != '\0')
        goto bad;
      if (spec->type == INK_PARAM_INT && v != floor (v))
        goto bad;
      if (!check_range (spec, v, error))
        return FALSE;
      if (spec->type == INK_PARAM_INT)
        *(int *) field = (int) v;
      else
        *(float *) field = (float) v;
      return TRUE;
    }

bad:
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s: '%s' is not a valid %s",
               name, value,
               spec->type == INK_PARAM_COLOR ? "colour (use #rrggbb)" :
               spec->type == INK_PARAM_BOOL ? "switch (use true or false)" :
               spec->type == INK_PARAM_INT ? "whole number" : "number");
  return FALSE;
}

char *
ink_params_format (const InkParamSpec *spec, const void *params)
{
  const void *field = (const char *) params + spec->offset;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (spec->type)
    {
    case INK_PARAM_INT:
      return g_strdup_printf ("%d", *(const int *) field);
    case INK_PARAM_BOOL:
      return g_strdup (*(const gboolean *) field ? "true" : "false");
    case INK_PARAM_ENUM:
      return g_strdup (spec->choices[*(const int *) field]);
    case INK_PARAM_COLOR:
      {
        const float *c = field;
        return g_strdup_printf ("#%02x%02x%02x", (int) lrintf (c[0] * 255),
                                (int) lrintf (c[1] * 255), (int) lrintf (c[2] * 255));
      }
    case INK_PARAM_FLOAT:
    default:
      /* Shortest text that reads back as the same float. */
      for (int digits = 6; digits <= 9; digits++)
        {
          g_ascii_formatd (buf, sizeof buf, digits == 6 ? "%.6g" : digits == 7 ? "%.7g"
                           : digits == 8 ? "%.8g" : "%.9g", *(const float *) field);
          if ((float) g_ascii_strtod (buf, NULL) == *(const float *) field)
            break;
        }
      return g_strdup (buf);
    }
}

/* Presets: settings over the defaults, in the command line's names, so they go through the same
 * parsing and validation as anything a user types. */
static const struct {
  const char *name;
  const char *settings;
} presets[] = {
  /* Colour, soft cel shading, clean thin lines. */
  { "anime", "colors=14 flatten=0.75 cel-tones=3 cel-amount=0.45 line-weight=2 "
             "line-sensitivity=0.5 saturation=1.1" },
  /* Bold ink, strong flats. */
  { "comic", "smooth-passes=4 colors=8 flatten=0.95 line-weight=3.5 line-sensitivity=0.6 "
             "saturation=1.3 contrast=1.15 line-color=#000000" },
  /* Black and white, screentone dots for mid-tones. */
  { "manga", "colors=6 flatten=0.8 cel-tones=3 cel-amount=1 line-weight=2.5 "
             "line-sensitivity=0.6 mono=true screentone=1 contrast=1.1 line-color=#000000" },
  /* Painterly: gentle flats, faint lines. */
  { "soft", "smooth-passes=4 smooth-spatial=4 colors=20 flatten=0.5 line-weight=1.2 "
            "line-sensitivity=0.35" },
};

static const char *const preset_names[] = { "anime", "comic", "manga", "soft", NULL };

const char *const *
ink_style_preset_names (void)
{
  return preset_names;
}

gboolean
ink_style_params_preset (InkStyleParams *params, const char *name, GError **error)
{
  InkStyleParams p = INK_STYLE_PARAMS_DEFAULT;

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      g_auto (GStrv) settings = NULL;

      if (g_strcmp0 (name, presets[i].name) != 0)
        continue;
      settings = g_strsplit (presets[i].settings, " ", -1);
      for (guint k = 0; settings[k] != NULL; k++)
        {
          char *eq = strchr (settings[k], '=');
          g_assert (eq != NULL);
          *eq = '\0';
          if (!ink_style_params_set (&p, settings[k], eq + 1, error))
            return FALSE;
        }
      *params = p;
      return TRUE;
    }

  {
    g_autofree char *list = g_strjoinv (", ", (char **) preset_names);
    g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                 "unknown preset '%s'; choose one of %s", name, list);
    return FALSE;
  }
}

float
ink_style_scale (int width, int height)
{
  return MAX (width, height) / INK_REFERENCE_LONG_EDGE;
}
