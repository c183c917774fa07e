/* motion.c: the motion parameter table (the registry's motion entries), its validation and the hints' container. */
#include "ink-config.h"

#include "motion.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stddef.h>

#include "ink-error.h"

#define F(field) offsetof (InkMotionParams, field)

static const char *const camera_names[] = { "none", "breathe", "zoom", "pan", "rotate", "shake", NULL };
static const char *const camera_labels[] = {
  N_("Still"), N_("Breathe"), N_("Zoom"), N_("Pan"), N_("Rotate"), N_("Hand-held"), NULL };
static const char *const particle_names[] = { "none", "rain", "snow", "petals", "sparkles", NULL };
static const char *const particle_labels[] = {
  N_("None"), N_("Rain"), N_("Snow"), N_("Petals"), N_("Sparkles"), NULL };

/* Percent sliders: 0 .. 1 shown as 0 .. 100 %. */
#define PERCENT .display_unit = "%", .display_scale = 100, .digits = 0, .step = 0.01
/* Whole numbers shown as they are. */
#define WHOLE .display_scale = 1, .digits = 0, .step = 1

/* In the command line's order (--help and project files follow it); the editor shows the entries
 * with a section, in this order within each section. */
static const InkParamSpec specs[] = {
  { "frames", INK_PARAM_INT, F (frames), 2, 240, 24, "", "Frames in the loop", NULL,
    .label = N_("F_rames"), .accessible = N_("Frames in the loop"),
    .tooltip = N_("Number of frames in one loop; with the frame rate it sets the loop's length"),
    WHOLE, .section = INK_PARAM_SECTION_LOOP, .position = 1, .change = INK_CHANGE_CLASS_MOTION },
  { "fps", INK_PARAM_FLOAT, F (fps), 1, 50, 12, "fps", "Frames a second", NULL,
    .label = N_("Frame _rate"), .accessible = N_("Frame rate"),
    .tooltip = N_("Frames shown per second; changing it only changes the playing speed"),
    .display_unit = N_("fps"), WHOLE, .section = INK_PARAM_SECTION_LOOP, .position = 2,
    .change = INK_CHANGE_CLASS_PLAYBACK },
  { "hold", INK_PARAM_INT, F (hold), 1, 4, 2, "",
    "Frames each drawing is held (1 on ones, 2 on twos)", NULL,
    .label = N_("_Hold"), .accessible = N_("Hold"),
    .tooltip = N_("Frames each drawing is held: 1 animates on ones, 2 on twos like hand-drawn animation"),
    WHOLE, .section = INK_PARAM_SECTION_LOOP, .position = 3, .change = INK_CHANGE_CLASS_MOTION },
  { "motion", INK_PARAM_FLOAT, F (motion), 0, 1, 1, "",
    "Motion strength: scales every layer (0: every frame is the still)", NULL,
    .label = N_("_Strength"), .accessible = N_("Motion strength"),
    .tooltip = N_("Scales every kind of motion at once; at 0 every frame is the still picture"),
    PERCENT, .section = INK_PARAM_SECTION_MOTION, .position = 1, .change = INK_CHANGE_CLASS_MOTION },
  { "seed", INK_PARAM_INT, F (seed), 0, G_MAXINT32, 1, "", "Random seed", NULL,
    .change = INK_CHANGE_CLASS_MOTION },
  { "boil", INK_PARAM_FLOAT, F (boil), 0, 1, 0.6, "", "Line boil: lines redrawn each drawing", NULL,
    .label = N_("Line _boil"), .accessible = N_("Line boil"),
    .tooltip = N_("How much the ink lines wobble from drawing to drawing, like hand-redrawn animation"),
    PERCENT, .section = INK_PARAM_SECTION_MOTION, .position = 2, .change = INK_CHANGE_CLASS_MOTION },
  { "flow", INK_PARAM_FLOAT, F (flow), 0, 2, 1, "", "Flow along the arrows", NULL,
    .label = N_("F_low"), .accessible = N_("Flow"),
    .tooltip = N_("How far material moves along the picture's flow arrows in one loop"),
    PERCENT, .section = INK_PARAM_SECTION_MOTION, .position = 3, .change = INK_CHANGE_CLASS_MOTION,
    .needs_arrows = N_("Flow moves material along flow arrows drawn on the picture; this picture has none yet") },
  { "flow-reach", INK_PARAM_FLOAT, F (flow_reach), 0.05, 1, 0.25, "",
    "How far from its arrows the flow moves the picture, in picture heights (beyond it nothing moves), for arrows without a reach of their own",
    NULL,
    .label = N_("Fl_ow reach"), .accessible = N_("Flow reach"),
    .tooltip = N_("How far around its arrows the flow moves the picture, for arrows without a reach "
                  "of their own; beyond this nothing moves, so a subject near a flowing background "
                  "stays put"),
    PERCENT, .section = INK_PARAM_SECTION_MOTION, .position = 4, .depends = "flow",
    .change = INK_CHANGE_CLASS_MOTION,
    .needs_arrows = N_("Flow moves material along flow arrows drawn on the picture; this picture has none yet") },
  { "sway-amount", INK_PARAM_FLOAT, F (sway), 0, 2, 1, "",
    "Sway along the sway arrows: out and back over the loop", NULL,
    .label = N_("Swa_y"), .accessible = N_("Sway"),
    .tooltip = N_("How far sway arrows swing the picture out and back over one loop, for hair, "
                  "grass, cloth and flags"),
    PERCENT, .section = INK_PARAM_SECTION_MOTION, .position = 5, .change = INK_CHANGE_CLASS_MOTION,
    .needs_arrows = N_("Sway swings the picture along sway arrows drawn on it; this picture has "
                       "none yet"), .needs_arrow_kind = INK_ARROW_SWAY },
  { "camera", INK_PARAM_ENUM, F (camera), 0, 5, 1, "", "Camera move", camera_names,
    .label = N_("C_amera"), .accessible = N_("Camera move"),
    .tooltip = N_("A camera move that returns to where it started at the end of the loop"),
    .section = INK_PARAM_SECTION_MOTION, .position = 6, .change = INK_CHANGE_CLASS_MOTION,
    .choice_labels = camera_labels },
  { "camera-amount", INK_PARAM_FLOAT, F (camera_amount), 0, 1, 0.5, "", "Camera move strength", NULL,
    .label = N_("Camera a_mount"), .accessible = N_("Camera amount"),
    .tooltip = N_("How far the camera moves"),
    PERCENT, .section = INK_PARAM_SECTION_MOTION, .position = 7, .depends = "camera",
    .change = INK_CHANGE_CLASS_MOTION },
  { "focus-lines", INK_PARAM_BOOL, F (focus_lines), 0, 1, 0, "", "Focus (concentration) lines", NULL,
    .label = N_("_Focus lines"), .accessible = N_("Focus lines"),
    .tooltip = N_("Manga concentration lines around the centre of the picture"),
    .section = INK_PARAM_SECTION_EFFECTS, .position = 1, .change = INK_CHANGE_CLASS_MOTION },
  { "focus-x", INK_PARAM_FLOAT, F (focus_x), 0, 1, 0.5, "", "Focus centre, 0 left .. 1 right", NULL,
    .change = INK_CHANGE_CLASS_MOTION },
  { "focus-y", INK_PARAM_FLOAT, F (focus_y), 0, 1, 0.5, "", "Focus centre, 0 top .. 1 bottom", NULL,
    .change = INK_CHANGE_CLASS_MOTION },
  { "focus-amount", INK_PARAM_FLOAT, F (focus_amount), 0, 1, 0.6, "", "Focus lines density", NULL,
    .label = N_("Focus lines de_nsity"), .accessible = N_("Focus lines density"),
    .tooltip = N_("How many focus lines are drawn"),
    PERCENT, .section = INK_PARAM_SECTION_EFFECTS, .position = 2, .depends = "focus-lines",
    .change = INK_CHANGE_CLASS_MOTION },
  { "speed-lines", INK_PARAM_BOOL, F (speed_lines), 0, 1, 0, "", "Speed lines", NULL,
    .label = N_("S_peed lines"), .accessible = N_("Speed lines"),
    .tooltip = N_("Manga speed lines streaking across the picture"),
    .section = INK_PARAM_SECTION_EFFECTS, .position = 3, .change = INK_CHANGE_CLASS_MOTION },
  { "speed-angle", INK_PARAM_FLOAT, F (speed_angle), -360, 360, 0, "deg",
    "Direction of the speed lines (0 along x, 90 down)", NULL,
    .label = N_("Speed lines an_gle"), .accessible = N_("Speed lines angle"),
    .tooltip = N_("Direction the speed lines run: 0° left to right, 90° top to bottom"),
    .display_unit = "°", .display_scale = 1, .digits = 0, .step = 5,
    .section = INK_PARAM_SECTION_EFFECTS, .position = 5, .depends = "speed-lines",
    .change = INK_CHANGE_CLASS_MOTION },
  { "speed-amount", INK_PARAM_FLOAT, F (speed_amount), 0, 1, 0.6, "", "Speed lines density", NULL,
    .label = N_("Speed lines d_ensity"), .accessible = N_("Speed lines density"),
    .tooltip = N_("How many speed lines are drawn"),
    PERCENT, .section = INK_PARAM_SECTION_EFFECTS, .position = 4, .depends = "speed-lines",
    .change = INK_CHANGE_CLASS_MOTION },
  { "particles", INK_PARAM_ENUM, F (particles), 0, 4, 0, "", "Falling particles", particle_names,
    .label = N_("Part_icles"), .accessible = N_("Particles"),
    .tooltip = N_("Falling rain, snow, petals or sparkles that wrap around seamlessly"),
    .section = INK_PARAM_SECTION_EFFECTS, .position = 6, .change = INK_CHANGE_CLASS_MOTION,
    .choice_labels = particle_labels },
  { "particle-amount", INK_PARAM_FLOAT, F (particle_amount), 0, 1, 0.5, "", "Particle density", NULL,
    .label = N_("Particle amo_unt"), .accessible = N_("Particle amount"),
    .tooltip = N_("How many particles fall"),
    PERCENT, .section = INK_PARAM_SECTION_EFFECTS, .position = 7, .depends = "particles",
    .change = INK_CHANGE_CLASS_MOTION },
};

#undef PERCENT
#undef WHOLE
#undef F

const InkParamSpec *
ink_motion_param_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (specs);
  return specs;
}

void
ink_motion_params_default (InkMotionParams *params)
{
  ink_params_fill_defaults (specs, G_N_ELEMENTS (specs), params);
}

gboolean
ink_motion_params_validate (const InkMotionParams *params, GError **error)
{
  return ink_params_validate (specs, G_N_ELEMENTS (specs), params, error);
}

gboolean
ink_motion_params_set (InkMotionParams *params, const char *name, const char *value,
                       GError **error)
{
  return ink_params_set (specs, G_N_ELEMENTS (specs), params, name, value, error);
}

InkMotionHints *
ink_motion_hints_new (void)
{
  InkMotionHints *h = g_new0 (InkMotionHints, 1);

  h->arrows = g_array_new (FALSE, FALSE, sizeof (InkArrow));
  h->anchors = g_array_new (FALSE, FALSE, sizeof (InkAnchor));
  return h;
}

void
ink_motion_hints_free (InkMotionHints **ph)
{
  InkMotionHints *h = *ph;

  if (h == NULL)
    return;
  g_array_unref (h->arrows);
  g_array_unref (h->anchors);
  ink_image_free (&h->mask);
  g_free (h);
  *ph = NULL;
}

InkMotionHints *
ink_motion_hints_copy (const InkMotionHints *src)
{
  InkMotionHints *h = ink_motion_hints_new ();

  g_array_append_vals (h->arrows, src->arrows->data, src->arrows->len);
  g_array_append_vals (h->anchors, src->anchors->data, src->anchors->len);
  if (src->mask != NULL)
    h->mask = ink_image_copy (src->mask);
  return h;
}

void
ink_motion_hints_add_arrow (InkMotionHints *h, float x0, float y0, float x1, float y1)
{
  InkArrow a = { x0, y0, x1, y1, 0.0f, INK_ARROW_FLOW };
  g_array_append_val (h->arrows, a);
}

static const char *const arrow_kind_names[INK_ARROW_N_KINDS] = { "flow", "sway" };

const char *
ink_arrow_kind_name (int kind)
{
  return kind >= 0 && kind < INK_ARROW_N_KINDS ? arrow_kind_names[kind] : "?";
}

int
ink_arrow_kind_from_name (const char *name)
{
  for (int k = 0; k < INK_ARROW_N_KINDS; k++)
    if (g_strcmp0 (name, arrow_kind_names[k]) == 0)
      return k;
  return -1;
}

float
ink_arrow_reach (const InkArrow *arrow, const InkMotionParams *motion)
{
  return arrow->reach > 0.0f ? arrow->reach : motion->flow_reach;
}

void
ink_motion_hints_add_anchor (InkMotionHints *h, float x, float y)
{
  InkAnchor a = { x, y };
  g_array_append_val (h->anchors, a);
}

static gboolean
coordinate_ok (float v)
{
  return isfinite (v) && v >= -1.0f && v <= 2.0f;
}

gboolean
ink_motion_hints_validate (const InkMotionHints *h, GError **error)
{
  if (h->arrows->len + h->anchors->len > INK_MAX_HINTS)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%u arrows and anchors; at most %d are allowed",
                   h->arrows->len + h->anchors->len, INK_MAX_HINTS);
      return FALSE;
    }
  for (guint i = 0; i < h->arrows->len; i++)
    {
      const InkArrow *a = &g_array_index (h->arrows, InkArrow, i);
      if (!coordinate_ok (a->x0) || !coordinate_ok (a->y0) || !coordinate_ok (a->x1)
          || !coordinate_ok (a->y1))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                       "arrow %u (%g,%g -> %g,%g) is off the picture: coordinates are fractions "
                       "of the width and height, 0 .. 1", i + 1, a->x0, a->y0, a->x1, a->y1);
          return FALSE;
        }
      if (a->kind < 0 || a->kind >= INK_ARROW_N_KINDS)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                       "arrow %u has kind %d; it is flow or sway", i + 1, a->kind);
          return FALSE;
        }
      if (!(a->reach == 0.0f
            || (a->reach >= INK_ARROW_REACH_MIN && a->reach <= INK_ARROW_REACH_MAX)))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                       "arrow %u has reach %g; a reach is %g to %g picture heights", i + 1,
                       a->reach, INK_ARROW_REACH_MIN, INK_ARROW_REACH_MAX);
          return FALSE;
        }
    }
  for (guint i = 0; i < h->anchors->len; i++)
    {
      const InkAnchor *a = &g_array_index (h->anchors, InkAnchor, i);
      if (!coordinate_ok (a->x) || !coordinate_ok (a->y))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                       "anchor %u (%g,%g) is off the picture: coordinates are fractions of the "
                       "width and height, 0 .. 1", i + 1, a->x, a->y);
          return FALSE;
        }
    }
  return TRUE;
}

float
ink_mask_grey (const guint16 *p)
{
  return (p[0] + p[1] + p[2]) / (3.0f * 65535.0f) * (p[3] / 65535.0f);
}
