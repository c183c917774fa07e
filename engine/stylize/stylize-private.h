/* stylize-private.h: the stylizer's device-side layers, for the animator (animate.c). */
#pragma once

#include "compute.h"
#include "passes.h"
#include "stylize.h"

G_BEGIN_DECLS

/* Stylizes SRC into the layers kept on the device until the next call: the flats (rgba8) and
 * the line coverage. STATS is filled (not NULL). */
gboolean ink_stylizer_make_layers (InkStylizer *stylizer, const InkImage *src,
                                   const InkStyleParams *params, InkStylizeStats *stats,
                                   GError **error);
InkCompute *ink_stylizer_get_compute (InkStylizer *stylizer);
void ink_stylizer_get_sizes (InkStylizer *stylizer, int *width, int *height, int *work_width,
                             int *work_height);
/* A frame with no motion (identity camera, no flow, no boil) and the layers' line settings. */
void ink_stylizer_frame_defaults (InkStylizer *stylizer, InkPushFrame *frame);
/* Renders one frame from the layers into RGBA8 (width x height). MOTION: the working-size motion
 * fields, the frame's backward position map and the loop's map (frame.comp), each NULL when
 * FRAME neither flows nor sways (the maps also when it does not flow); OVERLAY: NULL for none.
 * DEVICE_MS: device time. */
gboolean ink_stylizer_render_frame (InkStylizer *stylizer, const InkPushFrame *frame,
                                    InkBuffer *const motion[3], const InkPushOverlay *overlay,
                                    guint32 *rgba8, double *device_ms, GError **error);
/* Whether the last layers are the learned generator's: its loops then repaint each moving frame
 * (ink_stylizer_render_repainted). */
gboolean ink_stylizer_has_learned_layers (InkStylizer *stylizer);
/* What a repainted frame hands on to the next one in a sequence: its moved photo (RGBA8) and
 * its displacements (frame.comp's positions), width x height each, so the next frame need not
 * move the photo again for its frame before. The caller owns it (ink_repaint_carry_clear). */
typedef struct {
  guint32 *photo, *disp;     /* allocated for the layers' size when first needed */
  guint64 layers;            /* the layers they were moved from (the stylizer's count) */
  gboolean valid;
} InkRepaintCarry;
void ink_repaint_carry_clear (InkRepaintCarry *carry);
/* As ink_stylizer_render_frame, for learned layers: the photo is moved as FRAME moves the flats,
 * painted anew by the network, flattened to the still's palette with its settings, and shown in
 * place under the moving lines, so flowing regions are painted, not smeared. PREV, PREV_MOTION:
 * the frame before, whose moved photo feeds the network's temporal layer (PREV NULL: none).
 * CARRY (NULL: none): on entry, VALID says it holds PREV's moved photo and displacements, which
 * are then used instead of moving the photo again; on return, VALID says it holds FRAME's.
 * DEVICE_MS includes the network's time. */
gboolean ink_stylizer_render_repainted (InkStylizer *stylizer, const InkPushFrame *frame,
                                        InkBuffer *const motion[3], const InkPushFrame *prev,
                                        InkBuffer *const prev_motion[3],
                                        const InkPushOverlay *overlay, InkRepaintCarry *carry,
                                        guint32 *rgba8, double *device_ms, GError **error);
InkImage *ink_image_from_rgba8 (const guint32 *rgba8, int width, int height, gboolean has_alpha,
                                GError **error);

G_END_DECLS
