/* ink-params.c: the registry's machinery: validation, text and typed access by key, defaults, lookups across the tables. */
#include "ink-params.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ink-error.h"
#include "motion.h"

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
        case INK_PARAM_INT64:
          if (!check_range (spec, (double) *(const gint64 *) field, error))
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

/* VALUE (finite, in range) into the number field of SPEC in PARAMS: whole numbers rounded,
 * booleans at 0.5. */
static void
store_number (const InkParamSpec *spec, void *params, double value)
{
  char *field = (char *) params + spec->offset;

  switch (spec->type)
    {
    case INK_PARAM_INT:
    case INK_PARAM_ENUM:
      *(int *) field = (int) lround (value);
      break;
    case INK_PARAM_FLOAT:
      *(float *) field = (float) value;
      break;
    case INK_PARAM_INT64:
      *(gint64 *) field = (gint64) llround (value);
      break;
    case INK_PARAM_BOOL:
      *(gboolean *) field = value >= 0.5;
      break;
    case INK_PARAM_COLOR:
    default:
      g_return_if_reached ();
    }
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
    case INK_PARAM_INT64:
    case INK_PARAM_FLOAT:
      v = g_ascii_strtod (value, &end);
      if (end == value || *end != '\0')
        goto bad;
      if (spec->type != INK_PARAM_FLOAT && v != floor (v))
        goto bad;
      if (!check_range (spec, v, error))
        return FALSE;
      store_number (spec, params, v);
      return TRUE;
    }

bad:
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s: '%s' is not a valid %s",
               name, value,
               spec->type == INK_PARAM_COLOR ? "colour (use #rrggbb)" :
               spec->type == INK_PARAM_BOOL ? "switch (use true or false)" :
               spec->type == INK_PARAM_FLOAT ? "number" : "whole number");
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
    case INK_PARAM_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, *(const gint64 *) field);
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


const InkParamSpec *
ink_params_find (const InkParamSpec *specs, guint n_specs, const char *key)
{
  for (guint i = 0; key != NULL && i < n_specs; i++)
    if (g_str_equal (specs[i].name, key))
      return &specs[i];
  return NULL;
}

void
ink_params_fill_defaults (const InkParamSpec *specs, guint n_specs, void *params)
{
  for (guint i = 0; i < n_specs; i++)
    {
      if (specs[i].type == INK_PARAM_COLOR)
        memcpy ((char *) params + specs[i].offset, specs[i].def_color, sizeof specs[i].def_color);
      else
        store_number (&specs[i], params, specs[i].def);
    }
}

guint
ink_param_n_choices (const InkParamSpec *spec)
{
  return spec->type == INK_PARAM_ENUM && spec->choices != NULL
         ? g_strv_length ((char **) spec->choices) : 0;
}

const char *
ink_param_choice_label (const InkParamSpec *spec, int index)
{
  if (index < 0 || (guint) index >= ink_param_n_choices (spec) || spec->choice_labels == NULL)
    return NULL;
  return spec->choice_labels[index];
}

double
ink_param_get_number (const InkParamSpec *spec, const void *params)
{
  const char *field = (const char *) params + spec->offset;

  switch (spec->type)
    {
    case INK_PARAM_INT:
    case INK_PARAM_ENUM:
      return *(const int *) field;
    case INK_PARAM_FLOAT:
      return *(const float *) field;
    case INK_PARAM_INT64:
      return (double) *(const gint64 *) field;
    case INK_PARAM_BOOL:
      return *(const gboolean *) field ? 1.0 : 0.0;
    case INK_PARAM_COLOR:
    default:
      return 0.0;
    }
}

gboolean
ink_param_set_number (const InkParamSpec *spec, void *params, double value)
{
  double max = spec->type == INK_PARAM_ENUM ? (double) ink_param_n_choices (spec) - 1 : spec->max;
  double before;

  if (!isfinite (value) || spec->type == INK_PARAM_COLOR)
    return FALSE;
  before = ink_param_get_number (spec, params);
  store_number (spec, params, CLAMP (value, spec->min, max));
  return ink_param_get_number (spec, params) != before;
}

gboolean
ink_params_get_number (const InkParamSpec *specs, guint n_specs, const void *params,
                       const char *key, double *value)
{
  const InkParamSpec *spec = ink_params_find (specs, n_specs, key);

  if (spec == NULL || spec->type == INK_PARAM_COLOR)
    return FALSE;
  *value = ink_param_get_number (spec, params);
  return TRUE;
}

gboolean
ink_params_set_number (const InkParamSpec *specs, guint n_specs, void *params, const char *key,
                       double value, gboolean *changed)
{
  const InkParamSpec *spec = ink_params_find (specs, n_specs, key);
  gboolean moved;

  if (spec == NULL || spec->type == INK_PARAM_COLOR || !isfinite (value))
    return FALSE;
  moved = ink_param_set_number (spec, params, value);
  if (changed != NULL)
    *changed = moved;
  return TRUE;
}

const InkParamSpec *
ink_param_group_specs (InkParamGroup group, guint *n_specs)
{
  switch (group)
    {
    case INK_PARAM_GROUP_STYLE:
      return ink_style_param_specs (n_specs);
    case INK_PARAM_GROUP_MOTION:
      return ink_motion_param_specs (n_specs);
    case INK_PARAM_GROUP_EXPORT:
      return ink_export_param_specs (n_specs);
    default:
      g_return_val_if_reached (NULL);
    }
}

const InkParamSpec *
ink_param_lookup (const char *key, InkParamGroup *group)
{
  static const InkParamGroup groups[] = { INK_PARAM_GROUP_STYLE, INK_PARAM_GROUP_MOTION,
                                          INK_PARAM_GROUP_EXPORT };

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      guint n;
      const InkParamSpec *specs = ink_param_group_specs (groups[g], &n);
      const InkParamSpec *spec = ink_params_find (specs, n, key);

      if (spec != NULL)
        {
          if (group != NULL)
            *group = groups[g];
          return spec;
        }
    }
  return NULL;
}
