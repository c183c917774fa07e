/* motion.h: the animation's parameters (frames, layers, seed), their registry table, and hints (arrows, anchors, mask). */
#pragma once

#include <glib.h>

#include "ink-image.h"
#include "ink-params.h"

G_BEGIN_DECLS

#define INK_MOTION_PARAMS_VERSION 1

typedef enum {
  INK_CAMERA_NONE,
  INK_CAMERA_BREATHE,   /* a slow, slight zoom in and out */
  INK_CAMERA_ZOOM,
  INK_CAMERA_PAN,
  INK_CAMERA_ROTATE,
  INK_CAMERA_SHAKE,     /* hand-held */
} InkCameraMode;

typedef enum {
  INK_PARTICLES_NONE,
  INK_PARTICLES_RAIN,
  INK_PARTICLES_SNOW,
  INK_PARTICLES_PETALS,
  INK_PARTICLES_SPARKLES,
} InkParticles;

/* The animation's parameters. Each field's unit, range and default are in its registry entry
 * (ink_motion_param_specs (), motion.c), the one place they are written. */
typedef struct {
  int frames;            /* frames in the loop */
  float fps;             /* frames a second (playback only) */
  int hold;              /* frames each drawing shows (2: on twos) */
  float motion;          /* master strength, scales every layer */
  int seed;

  float boil;            /* line boil amount */
  float flow;            /* flow amount (scales the arrows) */
  float flow_reach;      /* how far from its arrows the flow moves the picture, in picture heights
                          * (arrows without a reach of their own) */
  float sway;            /* sway amount (scales the sway arrows) */
  int camera;            /* InkCameraMode */
  float camera_amount;

  gboolean focus_lines;  /* concentration lines toward (focus_x, focus_y) */
  float focus_x, focus_y;  /* normalized image coordinates */
  float focus_amount;
  gboolean speed_lines;
  float speed_angle;     /* degrees, direction the lines run */
  float speed_amount;
  int particles;         /* InkParticles */
  float particle_amount;
} InkMotionParams;

/* The registry's defaults as an initializer, for code that needs a constant; test-params checks
 * that it equals the table field for field. ink_motion_params_default () fills from the table. */
#define INK_MOTION_PARAMS_DEFAULT {                                          \
  .frames = 24, .fps = 12.0f, .hold = 2, .motion = 1.0f, .seed = 1,          \
  .boil = 0.6f, .flow = 1.0f, .flow_reach = 0.25f, .sway = 1.0f,            \
  .camera = INK_CAMERA_BREATHE,                                              \
  .camera_amount = 0.5f,                                                     \
  .focus_lines = FALSE, .focus_x = 0.5f, .focus_y = 0.5f,                    \
  .focus_amount = 0.6f, .speed_lines = FALSE, .speed_angle = 0.0f,           \
  .speed_amount = 0.6f, .particles = INK_PARTICLES_NONE,                     \
  .particle_amount = 0.5f }

const InkParamSpec *ink_motion_param_specs (guint *n_specs);
void ink_motion_params_default (InkMotionParams *params);
gboolean ink_motion_params_validate (const InkMotionParams *params, GError **error);
gboolean ink_motion_params_set (InkMotionParams *params, const char *name, const char *value,
                                GError **error);

typedef enum {
  INK_ARROW_FLOW,        /* material streams along the arrow (water, clouds, smoke) */
  INK_ARROW_SWAY,        /* material swings out along the arrow and back (hair, grass, cloth) */
  INK_ARROW_N_KINDS
} InkArrowKind;

/* Arrows' reach (picture heights) when they have one of their own. */
#define INK_ARROW_REACH_MIN 0.05f
#define INK_ARROW_REACH_MAX 1.0f

/* Hints for the flow layer, in normalized image coordinates (0,0 top left .. 1,1 bottom right). */
typedef struct {
  float x0, y0;          /* where the material is */
  float x1, y1;          /* flow: where it has moved to after one loop (so the length is the
                          * speed); sway: how far and which way it swings (and as far the other
                          * way, half a loop later) */
  float reach;           /* picture heights beyond which it moves nothing; 0: the motion's
                          * flow-reach */
  int kind;              /* InkArrowKind */
} InkArrow;

typedef struct {
  float x, y;
} InkAnchor;

typedef struct {
  GArray *arrows;        /* InkArrow */
  GArray *anchors;       /* InkAnchor: points the flow leaves still */
  InkImage *mask;        /* freeze mask, any size, stretched over the image; its grey level
                          * (255 = frozen) stops the flow; NULL: none */
} InkMotionHints;

#define INK_MAX_HINTS 256  /* arrows and anchors together */

/* A freeze-mask pixel's grey level (RGBA, 16 bits a channel), 0 free .. 1 frozen: the mean of the
 * colour channels times the alpha, as the animator reads the mask. */
float ink_mask_grey (const guint16 *pixel);

InkMotionHints *ink_motion_hints_new (void);
void ink_motion_hints_free (InkMotionHints **hints);
InkMotionHints *ink_motion_hints_copy (const InkMotionHints *hints);
/* A flow arrow with the motion's reach. */
void ink_motion_hints_add_arrow (InkMotionHints *hints, float x0, float y0, float x1, float y1);
/* The kind's name ("flow", "sway") and back (-1 for an unknown name). */
const char *ink_arrow_kind_name (int kind);
int ink_arrow_kind_from_name (const char *name);
/* ARROW's reach under MOTION (its own, or the motion's flow-reach). */
float ink_arrow_reach (const InkArrow *arrow, const InkMotionParams *motion);
void ink_motion_hints_add_anchor (InkMotionHints *hints, float x, float y);
/* Checks counts, coordinates (each within -1 .. 2, so hints may sit a little outside), arrows'
 * kinds and reaches (0 or INK_ARROW_REACH_MIN .. MAX). */
gboolean ink_motion_hints_validate (const InkMotionHints *hints, GError **error);

G_END_DECLS
