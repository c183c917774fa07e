/* ink-params.h: the stylizer's parameters, their ranges and defaults, validation and presets. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Spatial parameters are in pixels at this reference long edge and scale with the image, so a
 * 640 px preview is a faithful miniature of a 3840 px export. */
#define INK_REFERENCE_LONG_EDGE 1024.0f

/* Version of the parameter set; bump when a field's meaning changes (project files store it). */
#define INK_STYLE_PARAMS_VERSION 1

typedef struct {
  /* Stage 1: edge-preserving smoothing (orientation-aligned bilateral filter in OKLab). */
  int smooth_passes;        /* passes,          0 .. 6,     default 3    */
  float smooth_spatial;     /* px at reference, 0.5 .. 20,  default 3    */
  float smooth_range;       /* OKLab x 100,     0.5 .. 30,  default 4.25 */
  float structure_scale;    /* px at reference, 0.5 .. 10,  default 2    */

  /* Stage 2: colour flattening to a fitted palette, optional cel shading. */
  int colors;               /* palette size,    2 .. 32,    default 12   */
  float flatten;            /* 0 photo colours .. 1 hard flat regions, default 0.7 */
  int cel_tones;            /* 0 (off) or 2 .. 4 luminance tones, default 0 */
  float cel_amount;         /* 0 .. 1,          default 0.6  */

  /* Stage 3: flow-based XDoG ink lines. */
  float line_weight;        /* stroke px at reference, 0 (no lines) .. 8, default 2 */
  float line_sensitivity;   /* 0 only strong edges .. 1 fine detail, default 0.5 */
  float line_smoothness;    /* px at reference along the flow, 0 .. 10, default 3 */
  float line_color[3];      /* sRGB 0 .. 1 each, default 0.08, 0.06, 0.07 */

  /* Stage 4: composite. */
  float saturation;         /* factor, 0 .. 2,  default 1.15 */
  float contrast;           /* factor, 0 .. 2,  default 1.05 */
  gboolean mono;            /* black and white, default FALSE */
  float screentone;         /* 0 .. 1 screentone dots for mid-tones (mono), default 0 */
  float tone_size;          /* dot spacing, px at reference, 2 .. 32, default 6 */
} InkStyleParams;

#define INK_STYLE_PARAMS_DEFAULT {                                          \
  .smooth_passes = 3, .smooth_spatial = 3.0f, .smooth_range = 4.25f,        \
  .structure_scale = 2.0f,                                                  \
  .colors = 12, .flatten = 0.7f, .cel_tones = 0, .cel_amount = 0.6f,        \
  .line_weight = 2.0f, .line_sensitivity = 0.5f, .line_smoothness = 3.0f,   \
  .line_color = { 0.08f, 0.06f, 0.07f },                                    \
  .saturation = 1.15f, .contrast = 1.05f,                                   \
  .mono = FALSE, .screentone = 0.0f, .tone_size = 6.0f }

typedef enum {
  INK_PARAM_INT,
  INK_PARAM_FLOAT,
  INK_PARAM_BOOL,
  INK_PARAM_COLOR,   /* float[3], sRGB 0..1; written as #rrggbb */
  INK_PARAM_ENUM,    /* int, an index into choices; written as the choice's name */
} InkParamType;

/* One row per field: the source of truth for validation, the CLI, project files and the editor. */
typedef struct {
  const char *name;         /* kebab-case, as on the command line: "line-weight" */
  InkParamType type;
  gsize offset;             /* offsetof (InkStyleParams, field) */
  double min, max, def;     /* for INT/FLOAT; COLOR components are 0..1 */
  const char *unit;         /* "px", "", "x", ... */
  const char *blurb;        /* one line for --help and tooltips */
  const char *const *choices;  /* INK_PARAM_ENUM: NULL-terminated names */
} InkParamSpec;

/* Any parameter struct described by a spec table (style, motion). */
gboolean ink_params_validate (const InkParamSpec *specs, guint n_specs, const void *params,
                              GError **error);
gboolean ink_params_set (const InkParamSpec *specs, guint n_specs, void *params,
                         const char *name, const char *value, GError **error);
/* The field's value as text that ink_params_set reads back exactly. */
char *ink_params_format (const InkParamSpec *spec, const void *params);

const InkParamSpec *ink_style_param_specs (guint *n_specs);
const InkParamSpec *ink_style_param_find (const char *name);

/* Checks every field; the message names the parameter and its range. */
gboolean ink_style_params_validate (const InkStyleParams *params, GError **error);

/* Sets one field from text ("1.5", "12", "true", "#1a1a1a"), validating it. */
gboolean ink_style_params_set (InkStyleParams *params, const char *name, const char *value,
                               GError **error);

/* Presets: "anime", "comic", "manga", "soft". */
const char *const *ink_style_preset_names (void);
gboolean ink_style_params_preset (InkStyleParams *params, const char *name, GError **error);

/* Scale from reference pixels to this image's pixels. */
float ink_style_scale (int width, int height);

G_END_DECLS
