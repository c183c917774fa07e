/* export-params.c: the export's parameters in the registry: format, size, quality, dithering, GIF palette, repeats, size limit. */
#include "ink-config.h"

#include "ink-params.h"

#include <glib/gi18n-lib.h>
#include <stddef.h>

#include "export.h"
#include "ink-image.h"

#define F(field) offsetof (InkExportParams, field)
#define WHOLE .display_scale = 1, .digits = 0, .step = 1
#define EXPORT .section = INK_PARAM_SECTION_EXPORT, .change = INK_CHANGE_CLASS_EXPORT

/* In InkExportFormat and InkDither order. */
static const char *const format_names[] = { "gif", "apng", "mp4", "webp", "png", NULL };
static const char *const format_labels[] = {
  N_("GIF"), N_("APNG (animated PNG)"), N_("MP4 video"), N_("WebP (animated)"),
  N_("PNG frames (a folder)"), NULL };
static const char *const dither_names[] = { "none", "ordered", "diffusion", NULL };
static const char *const dither_labels[] = {
  N_("None"), N_("Ordered (steady)"), N_("Diffusion (smooth)"), NULL };

G_STATIC_ASSERT (G_N_ELEMENTS (format_names) == INK_FORMAT_COUNT + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (dither_names) == INK_DITHER_COUNT + 1);
G_STATIC_ASSERT (sizeof (InkExportFormat) == sizeof (int) && sizeof (InkDither) == sizeof (int));

/* A terabyte: far above any GIF or WebP, and a whole number a double holds exactly. */
#define MAX_BYTES_LIMIT 1e12

static const InkParamSpec specs[] = {
  { "format", INK_PARAM_ENUM, F (format), 0, INK_FORMAT_COUNT - 1, INK_FORMAT_GIF, "",
    "gif, apng, mp4, webp or png (PNG frames in a folder)", format_names,
    .label = N_("_Format"), .accessible = N_("Format"),
    .tooltip = N_("GIF and animated WebP play everywhere; MP4 is smallest for long loops; APNG "
                  "keeps every colour"), EXPORT, .position = 1,
    .choice_labels = format_labels },
  { "long-edge", INK_PARAM_INT, F (long_edge), 0, INK_IMAGE_MAX_SIDE, 0, "px",
    "Long edge of the exported frames (0: the source's size)", NULL,
    .label = N_("_Size"), .accessible = N_("Size"),
    .tooltip = N_("The long edge of the exported frames"), .display_unit = N_("px"),
    .display_scale = 1, .digits = 0, .step = 10, EXPORT, .position = 2 },
  { "quality", INK_PARAM_INT, F (quality), -1, 100, -1, "",
    "0-100, higher keeps more detail in a larger file; -1: the format's own (GIF 100, WebP 85, "
    "MP4 65 = x264 CRF 18; CRF = 51 x (100 - Q) / 100)", NULL,
    .label = N_("_Quality"), .accessible = N_("Quality"),
    .tooltip = N_("Higher keeps more detail and makes a larger file"), WHOLE, EXPORT,
    .position = 3 },
  { "dither", INK_PARAM_ENUM, F (dither), 0, INK_DITHER_COUNT - 1, INK_DITHER_DIFFUSION, "",
    "GIF dithering", dither_names,
    .label = N_("_Dithering"), .accessible = N_("Dithering"),
    .tooltip = N_("How a GIF's colours mix to show the others: ordered is steady from frame to "
                  "frame, diffusion is smoother"),
    EXPORT, .position = 4, .choice_labels = dither_labels },
  { "gif-colors", INK_PARAM_INT, F (colors), 2, 256, 256, "",
    "GIF palette size (fewer: a smaller file, coarser colours)", NULL,
    .label = N_("_Colours"), .accessible = N_("GIF palette size"),
    .tooltip = N_("The most colours the GIF's palette holds: fewer make a smaller file"),
    WHOLE, EXPORT, .position = 5 },
  { "repeat", INK_PARAM_INT, F (repeat), 1, 100, 1, "",
    "MP4: play the loop this many times in the file, for players that do not loop", NULL,
    .label = N_("Re_peats"), .accessible = N_("Repeats"),
    .tooltip = N_("Times the loop plays in the video, for players that do not loop"),
    WHOLE, EXPORT, .position = 6 },
  { "max-bytes", INK_PARAM_INT64, F (max_bytes), 0, MAX_BYTES_LIMIT, 0, "bytes",
    "GIF, WebP: fit the file under this many bytes (fewer colours or lower quality, then a "
    "smaller size); 0: no limit", NULL,
    .label = N_("Size _limit"), .accessible = N_("Size limit in megabytes"),
    .tooltip = N_("The largest file wanted, in megabytes: colours, then size, are reduced until "
                  "it fits. 0: no limit"),
    .display_unit = N_("MB"), .display_scale = 1e-6, .digits = 1, .step = 1e5, EXPORT,
    .position = 7 },
};

#undef EXPORT
#undef WHOLE
#undef F

const InkParamSpec *
ink_export_param_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (specs);
  return specs;
}
