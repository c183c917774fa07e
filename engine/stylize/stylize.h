/* stylize.h: photo in, comic still out: the four stages run on a Vulkan device or the C reference. */
#pragma once

#include <glib.h>

#include "ink-image.h"
#include "ink-params.h"
#include "vk-context.h"

G_BEGIN_DECLS

typedef enum {
  INK_STAGE_SMOOTH,
  INK_STAGE_FLATTEN,
  INK_STAGE_LINES,
  INK_STAGE_COMPOSITE,
  INK_STAGE_COUNT,
} InkStage;

const char *ink_stage_name (InkStage stage);

typedef struct {
  double stage_ms[INK_STAGE_COUNT];  /* device time (GPU timestamps; wall time on the C path) */
  double device_ms;                  /* all stages */
  double upload_ms;                  /* host wall time putting the photo on the device */
  double download_ms;                /* host wall time fetching the result */
  double total_ms;                   /* wall time of the whole call */
} InkStylizeStats;

typedef struct InkStylizer InkStylizer;

/* VK NULL: the plain C reference path. */
InkStylizer *ink_stylizer_new (InkVkContext *vk, GError **error);
void ink_stylizer_free (InkStylizer **stylizer);

/* Opens a device and a stylizer on it. DEVICE: NULL or "" for $INKLOOP_DEVICE or the best device,
 * an index or name substring, or "cpu" for the C reference path. When no Vulkan device exists and
 * none was asked for, falls back to the C reference and sets *NOTICE (may be NULL) to say so. */
InkStylizer *ink_stylizer_new_auto (const char *device, gboolean validation, char **notice,
                                    GError **error);
/* The Vulkan context in use, or NULL on the C reference path. */
InkVkContext *ink_stylizer_vk_context (InkStylizer *stylizer);
const char *ink_stylizer_device_name (InkStylizer *stylizer);

/* Builds every pipeline now (lavapipe compiles shaders on first use). */
gboolean ink_stylizer_prepare (InkStylizer *stylizer, GError **error);

/* Fits the palette of COLORS entries to IMAGE and keeps it for every later run with COLORS
 * colours, so that the frames of a clip share one palette and do not flicker; IMAGE NULL: each
 * run fits its own again. */
void ink_stylizer_fix_palette (InkStylizer *stylizer, const InkImage *image, int colors);

/* Stylizes SOURCE; the result has SOURCE's size and alpha. STATS may be NULL. */
InkImage *ink_stylizer_run (InkStylizer *stylizer, const InkImage *source,
                            const InkStyleParams *params, InkStylizeStats *stats, GError **error);

G_END_DECLS
