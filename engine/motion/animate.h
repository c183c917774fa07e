/* animate.h: a looping animation from one photo: stylized once, then any frame on demand. */
#pragma once

#include <glib.h>

#include "ink-image.h"
#include "ink-params.h"
#include "motion.h"
#include "stylize.h"

G_BEGIN_DECLS

typedef struct InkAnimation InkAnimation;

typedef struct {
  double frame_ms;       /* device time for the frame */
  double download_ms;    /* host wall time fetching it */
  double total_ms;       /* wall time of the call */
} InkFrameStats;

/* Stylizes SOURCE once with STYLE and prepares the motion layers. STYLIZER is used (and must
 * not be used otherwise) until the animation is freed. HINTS may be NULL; STATS may be NULL. */
InkAnimation *ink_animation_new (InkStylizer *stylizer, const InkImage *source,
                                 const InkStyleParams *style, const InkMotionParams *motion,
                                 const InkMotionHints *hints, InkStylizeStats *stats,
                                 GError **error);
void ink_animation_free (InkAnimation **animation);
/* New motion parameters and hints (HINTS may be NULL) for the same stylized layers: no
 * re-stylization, only the flow field is made again. The frames are then those of an animation
 * made anew with them. On failure the animation keeps its motion. */
gboolean ink_animation_set_motion (InkAnimation *animation, const InkMotionParams *motion,
                                   const InkMotionHints *hints, GError **error);
int ink_animation_n_frames (InkAnimation *animation);

/* Frame INDEX (0 .. n_frames-1). STATS may be NULL. */
InkImage *ink_animation_render (InkAnimation *animation, int index, InkFrameStats *stats,
                                GError **error);
/* The same into RGBA8 (width x height, R | G << 8 | B << 16 | A << 24). */
gboolean ink_animation_render_rgba8 (InkAnimation *animation, int index, guint32 *rgba8,
                                     InkFrameStats *stats, GError **error);

/* The camera's map from output to source pixels for frame INDEX: m = (m00 m01 m02 m10 m11 m12).
 * Returns FALSE when it is the identity. Position and velocity are periodic over the loop. */
gboolean ink_camera_matrix (const InkMotionParams *motion, int index, int width, int height,
                            float m[6]);

G_END_DECLS
