/* learned.h: the learned generator's colour: the trained network (training/, shipped as
 * data/generator.safetensors) paints the photo at the stylizer's working size; the stylizer then
 * flattens it to a palette, inks it and composites it as it does the procedural smoothing. */
#pragma once

#include <glib.h>

#include "compute.h"
#include "ink-image.h"

G_BEGIN_DECLS

typedef struct InkLearned InkLearned;

/* The model file the learned generator uses: $INKLOOP_MODEL when set, else the installed one,
 * else (running from a build tree) the source tree's. Never NULL: the installed path when none
 * exists, so that a message can name where it was looked for. */
char *ink_learned_model_path (void);

InkLearned *ink_learned_new (void);
/* Free it before the InkCompute it last ran on. */
void ink_learned_free (InkLearned **learned);

/* SRC painted by the network at WW x WH (box-averaged down in linear light, as the procedural
 * path's reduce pass): *LAB receives WW x WH packed OKLab texels (lab32) and *PAINTED the same
 * picture as an image (for the palette), both owned by LEARNED and valid until its next call.
 * With KEEP, the last two results are kept by the photo's content, so a change that only
 * restyles (lines, palette, saturation) does not run the network again; without, the result
 * displaces none of them (a loop's moved frames). MS: the network's wall time (0 when kept).
 * Errors name the model file. */
gboolean ink_learned_paint (InkLearned *learned, InkCompute *compute, const InkImage *src,
                            int ww, int wh, gboolean keep, const guint32 **lab,
                            const InkImage **painted, double *ms, GError **error);

/* A frame of a moving loop: MOVED (the photo moved by the frame's motion) painted as
 * ink_learned_paint paints without keeping, with the temporal layer fed the previous frame:
 * PREV (the photo moved by the previous frame's motion) gives the features, and DISP, PREV_DISP
 * (each full-size pixel's displacement to where its frame reads the photo, two packed halves in
 * px: the frame pass's positions) the motion between them. The features of MOVED are kept for
 * the next frame, so frames made in order run the network once each. Without a temporal layer in
 * the model, or with PREV NULL, it paints MOVED alone. */
gboolean ink_learned_paint_frame (InkLearned *learned, InkCompute *compute,
                                  const InkImage *moved, const InkImage *prev,
                                  const guint32 *disp, const guint32 *prev_disp, int ww, int wh,
                                  const guint32 **lab, const InkImage **painted, double *ms,
                                  GError **error);
/* Whether the model has a temporal layer (opening it if need be; FALSE with an error when it
 * cannot be opened). */
gboolean ink_learned_is_temporal (InkLearned *learned, InkCompute *compute, gboolean *temporal,
                                  GError **error);

G_END_DECLS
