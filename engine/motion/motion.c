/* motion.c: the motion parameter table, its validation and the hints' container. */
#include "motion.h"

#include <math.h>
#include <stddef.h>

#include "ink-error.h"

#define F(field) offsetof (InkMotionParams, field)

static const char *const camera_names[] = { "none", "breathe", "zoom", "pan", "rotate", "shake", NULL };
static const char *const particle_names[] = { "none", "rain", "snow", "petals", "sparkles", NULL };

static const InkParamSpec specs[] = {
  { "frames", INK_PARAM_INT, F (frames), 2, 240, 24, "", "Frames in the loop", NULL },
  { "fps", INK_PARAM_FLOAT, F (fps), 1, 50, 12, "fps", "Frames a second", NULL },
  { "hold", INK_PARAM_INT, F (hold), 1, 4, 2, "",
    "Frames each drawing is held (1 on ones, 2 on twos)", NULL },
  { "motion", INK_PARAM_FLOAT, F (motion), 0, 1, 1, "",
    "Motion strength: scales every layer (0: every frame is the still)", NULL },
  { "seed", INK_PARAM_INT, F (seed), 0, G_MAXINT32, 1, "", "Random seed", NULL },
  { "boil", INK_PARAM_FLOAT, F (boil), 0, 1, 0.6, "", "Line boil: lines redrawn each drawing", NULL },
  { "flow", INK_PARAM_FLOAT, F (flow), 0, 2, 1, "", "Flow along the arrows", NULL },
  { "camera", INK_PARAM_ENUM, F (camera), 0, 5, 1, "", "Camera move", camera_names },
  { "camera-amount", INK_PARAM_FLOAT, F (camera_amount), 0, 1, 0.5, "", "Camera move strength", NULL },
  { "focus-lines", INK_PARAM_BOOL, F (focus_lines), 0, 1, 0, "", "Focus (concentration) lines", NULL },
  { "focus-x", INK_PARAM_FLOAT, F (focus_x), 0, 1, 0.5, "", "Focus centre, 0 left .. 1 right", NULL },
  { "focus-y", INK_PARAM_FLOAT, F (focus_y), 0, 1, 0.5, "", "Focus centre, 0 top .. 1 bottom", NULL },
  { "focus-amount", INK_PARAM_FLOAT, F (focus_amount), 0, 1, 0.6, "", "Focus lines density", NULL },
  { "speed-lines", INK_PARAM_BOOL, F (speed_lines), 0, 1, 0, "", "Speed lines", NULL },
  { "speed-angle", INK_PARAM_FLOAT, F (speed_angle), -360, 360, 0, "deg",
    "Direction of the speed lines (0 along x, 90 down)", NULL },
  { "speed-amount", INK_PARAM_FLOAT, F (speed_amount), 0, 1, 0.6, "", "Speed lines density", NULL },
  { "particles", INK_PARAM_ENUM, F (particles), 0, 4, 0, "", "Falling particles", particle_names },
  { "particle-amount", INK_PARAM_FLOAT, F (particle_amount), 0, 1, 0.5, "", "Particle density", NULL },
};

#undef F

const InkParamSpec *
ink_motion_param_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (specs);
  return specs;
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
  InkArrow a = { x0, y0, x1, y1 };
  g_array_append_val (h->arrows, a);
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
