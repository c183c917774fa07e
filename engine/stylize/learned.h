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

G_END_DECLS
