/* ink-params.h: the parameter registry: every parameter described once (range, default, labels, change class), validation, typed access and the presets. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Spatial parameters are in pixels at this reference long edge and scale with the image, so a
 * 640 px preview is a faithful miniature of a 3840 px export. */
#define INK_REFERENCE_LONG_EDGE 1024.0f

/* Version of the parameter set; bump when a field's meaning changes (project files store it). */
#define INK_STYLE_PARAMS_VERSION 1

/* The stylizer's parameters. Each field's unit, range and default are in its registry entry
 * (ink_style_param_specs (), params/style-params.c), the one place they are written. */
typedef struct {
  /* Stage 1: edge-preserving smoothing (orientation-aligned bilateral filter in OKLab). */
  int smooth_passes;        /* passes */
  float smooth_spatial;     /* px at reference */
  float smooth_range;       /* OKLab x 100 */
  float structure_scale;    /* px at reference */

  /* Stage 2: colour flattening to a fitted palette, optional cel shading. */
  int colors;               /* palette size */
  float flatten;            /* 0 photo colours .. 1 hard flat regions */
  int cel_tones;            /* 0 (off) or a number of luminance tones */
  float cel_amount;         /* strength */

  /* Stage 3: flow-based XDoG ink lines. */
  float line_weight;        /* stroke px at reference; 0: no lines */
  float line_sensitivity;   /* 0 only strong edges .. 1 fine detail */
  float line_smoothness;    /* px at reference along the flow */
  float line_color[3];      /* sRGB 0 .. 1 each */

  /* Stage 4: composite. */
  float saturation;         /* factor */
  float contrast;           /* factor */
  gboolean mono;            /* black and white */
  float screentone;         /* screentone dots for mid-tones (mono) */
  float tone_size;          /* dot spacing, px at reference */

  /* Where the flats' colour comes from (InkGenerator): the smoothing above, or the learned
   * generator network (data/generator.safetensors); lines, palette and composite act on both. */
  int generator;
} InkStyleParams;

typedef enum {
  INK_GENERATOR_PROCEDURAL,
  INK_GENERATOR_LEARNED,
  INK_GENERATOR_COUNT,
} InkGenerator;

/* The registry's defaults as an initializer, for code that needs a constant; test-params checks
 * that it equals the table field for field. ink_style_params_default () fills from the table. */
#define INK_STYLE_PARAMS_DEFAULT {                                          \
  .smooth_passes = 3, .smooth_spatial = 3.0f, .smooth_range = 4.25f,        \
  .structure_scale = 2.0f,                                                  \
  .colors = 12, .flatten = 0.7f, .cel_tones = 0, .cel_amount = 0.6f,        \
  .line_weight = 2.0f, .line_sensitivity = 0.5f, .line_smoothness = 3.0f,   \
  .line_color = { 0.08f, 0.06f, 0.07f },                                    \
  .saturation = 1.15f, .contrast = 1.05f,                                   \
  .mono = FALSE, .screentone = 0.0f, .tone_size = 6.0f,                    \
  .generator = INK_GENERATOR_PROCEDURAL }

typedef enum {
  INK_PARAM_INT,
  INK_PARAM_FLOAT,
  INK_PARAM_BOOL,
  INK_PARAM_COLOR,   /* float[3], sRGB 0..1; written as #rrggbb */
  INK_PARAM_ENUM,    /* int, an index into choices; written as the choice's name */
  INK_PARAM_INT64,   /* gint64 (sizes in bytes); min, max and def are doubles, so the range
                      * stays within 2^53, where every whole number is exact */
} InkParamType;

/* What a change to the parameter invalidates. */
typedef enum {
  INK_CHANGE_CLASS_NONE,      /* unset (a test refuses it) */
  INK_CHANGE_CLASS_STYLE,     /* the stylized still, so every frame */
  INK_CHANGE_CLASS_MOTION,    /* the frames, not the still */
  INK_CHANGE_CLASS_PLAYBACK,  /* only how fast the same frames play */
  INK_CHANGE_CLASS_EXPORT,    /* only the exported file */
} InkChangeClass;

/* Where the editor shows the parameter. */
typedef enum {
  INK_PARAM_SECTION_NONE,     /* not in the side panel */
  INK_PARAM_SECTION_STYLE,
  INK_PARAM_SECTION_LOOP,
  INK_PARAM_SECTION_MOTION,
  INK_PARAM_SECTION_EFFECTS,
  INK_PARAM_SECTION_EXPORT,   /* the export window */
} InkParamSection;

/* The tables, for lookups across them. */
typedef enum {
  INK_PARAM_GROUP_STYLE,      /* InkStyleParams */
  INK_PARAM_GROUP_MOTION,     /* InkMotionParams */
  INK_PARAM_GROUP_EXPORT,     /* InkExportParams */
} InkParamGroup;

/* One row per field: the one description of a parameter, read by validation, the CLI, project
 * files, settings and the editor. The first nine fields are the command line's. Strings marked
 * N_() are translated by the editor (the engine calls no gettext). */
typedef struct {
  const char *name;         /* the key, kebab-case, as on the command line: "line-weight" */
  InkParamType type;
  gsize offset;             /* offsetof (InkStyleParams, field) */
  double min, max, def;     /* for INT/FLOAT (ENUM: the default's index); COLOR components 0..1 */
  const char *unit;         /* "px", "", "x", ... */
  const char *blurb;        /* one line for --help */
  const char *const *choices;  /* INK_PARAM_ENUM: NULL-terminated names */

  /* The editor. */
  const char *label;        /* N_() with a mnemonic: "Line _weight" */
  const char *accessible;   /* N_(): the name screen readers announce */
  const char *tooltip;      /* N_() */
  const char *display_unit; /* the unit shown beside the value (N_("px"), "%", "°"); NULL: none */
  double display_scale;     /* shown value = value x this (100 for percent) */
  int digits;               /* shown decimals */
  double step;              /* slider step, in the parameter's units */
  InkParamSection section;  /* NONE: not shown in the editor's panel */
  int position;             /* its place in the section, from 1 (the panel's order, which need
                             * not be the table's) */
  const char *depends;      /* the control is sensitive only while this parameter is not 0 */
  InkChangeClass change;
  const char *const *choice_labels;  /* INK_PARAM_ENUM: N_() labels in the choices' order */
  float def_color[3];       /* INK_PARAM_COLOR: the default */
  const char *needs_arrows; /* N_(): why the control does nothing while the hints have no arrows
                             * of kind NEEDS_ARROW_KIND (it is then insensitive, with this
                             * tooltip); NULL: it always works */
  int needs_arrow_kind;     /* InkArrowKind (motion.h): flow (0) or sway */
} InkParamSpec;

/* Any parameter struct described by a spec table (style, motion). */
gboolean ink_params_validate (const InkParamSpec *specs, guint n_specs, const void *params,
                              GError **error);
gboolean ink_params_set (const InkParamSpec *specs, guint n_specs, void *params,
                         const char *name, const char *value, GError **error);
/* The field's value as text that ink_params_set reads back exactly. */
char *ink_params_format (const InkParamSpec *spec, const void *params);
/* Every field of PARAMS (a struct the table covers) set to its default. */
void ink_params_fill_defaults (const InkParamSpec *specs, guint n_specs, void *params);
/* The entry named KEY in SPECS, or NULL. */
const InkParamSpec *ink_params_find (const InkParamSpec *specs, guint n_specs, const char *key);

/* Numeric access by key: booleans are 0/1, enums their index (colours are not numbers: FALSE).
 * Setting clamps to the range (enums to their choices), rounds whole numbers and reads a
 * boolean as value >= 0.5; it returns FALSE for an unknown key, a colour or a value that is not
 * finite, and CHANGED (may be NULL) says whether the field moved. */
gboolean ink_params_get_number (const InkParamSpec *specs, guint n_specs, const void *params,
                                const char *key, double *value);
gboolean ink_params_set_number (const InkParamSpec *specs, guint n_specs, void *params,
                                const char *key, double value, gboolean *changed);
/* The same for one entry. */
double ink_param_get_number (const InkParamSpec *spec, const void *params);
gboolean ink_param_set_number (const InkParamSpec *spec, void *params, double value);

/* KEY in the style, then the motion table (then the export enums); GROUP (may be NULL) says which. */
const InkParamSpec *ink_param_lookup (const char *key, InkParamGroup *group);
/* The table of GROUP. */
const InkParamSpec *ink_param_group_specs (InkParamGroup group, guint *n_specs);
/* N_() label of choice INDEX of an enum, or NULL. */
const char *ink_param_choice_label (const InkParamSpec *spec, int index);
/* The number of choices of an enum (0 for other types). */
guint ink_param_n_choices (const InkParamSpec *spec);

const InkParamSpec *ink_style_param_specs (guint *n_specs);
const InkParamSpec *ink_style_param_find (const char *name);

/* The defaults, from the table. */
void ink_style_params_default (InkStyleParams *params);

/* Checks every field; the message names the parameter and its range. */
gboolean ink_style_params_validate (const InkStyleParams *params, GError **error);

/* Sets one field from text ("1.5", "12", "true", "#1a1a1a"), validating it. */
gboolean ink_style_params_set (InkStyleParams *params, const char *name, const char *value,
                               GError **error);

/* Presets: settings over the defaults. "default" (the defaults themselves) is one of them. */
typedef struct {
  const char *name;         /* "default", "anime", ... */
  const char *label;        /* N_(): "Default", "Anime", ... */
  const char *settings;     /* "name=value ..." over the defaults, in the command line's names */
} InkStylePreset;

/* The preset new work starts from: the editor's first run (the settings schema's default for
 * "preset" says the same; test-params checks it) and inkloop-cli without --preset. */
#define INK_STYLE_PRESET_INITIAL "anime"
/* The preset a project without one (format 1) starts from. */
#define INK_STYLE_PRESET_DEFAULT "default"

/* Every preset, "default" first. */
const InkStylePreset *ink_style_presets (guint *n_presets);
const InkStylePreset *ink_style_preset_find (const char *name);
/* The named presets over the defaults, for the command line: "anime", "comic", "manga", "soft"
 * ("default" is accepted too but not listed). */
const char *const *ink_style_preset_names (void);
/* Sets PARAMS to preset NAME (any of ink_style_presets ()); unknown names are refused. */
gboolean ink_style_params_preset (InkStyleParams *params, const char *name, GError **error);

/* Scale from reference pixels to this image's pixels. */
float ink_style_scale (int width, int height);

/* The export's parameters (InkExportParams): format, size, quality, dithering, GIF palette,
 * repeats, size limit. */
const InkParamSpec *ink_export_param_specs (guint *n_specs);

G_END_DECLS
