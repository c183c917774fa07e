/* export-params.c: the export's enums in the registry: format and dither names with their labels. */
#include "ink-config.h"

#include "ink-params.h"

#include <glib/gi18n-lib.h>
#include <stddef.h>

#include "export.h"

#define F(field) offsetof (InkExportParams, field)

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

static const InkParamSpec specs[] = {
  { "format", INK_PARAM_ENUM, F (format), 0, INK_FORMAT_COUNT - 1, INK_FORMAT_GIF, "",
    "Export format", format_names,
    .section = INK_PARAM_SECTION_EXPORT,
    .change = INK_CHANGE_CLASS_EXPORT, .choice_labels = format_labels },
  { "dither", INK_PARAM_ENUM, F (dither), 0, INK_DITHER_COUNT - 1, INK_DITHER_DIFFUSION, "",
    "GIF dithering", dither_names,
    .section = INK_PARAM_SECTION_EXPORT,
    .change = INK_CHANGE_CLASS_EXPORT, .choice_labels = dither_labels },
};

#undef F

const InkParamSpec *
ink_export_param_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (specs);
  return specs;
}
