/* ink-export-dialog.h: the export window: settings, destination, progress with cancel; the export runs in a worker with its own stylizer. */
#pragma once

#include <gtk/gtk.h>

#include "export.h"
#include "ink-document.h"

G_BEGIN_DECLS

#define INK_TYPE_EXPORT_DIALOG (ink_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (InkExportDialog, ink_export_dialog, INK, EXPORT_DIALOG, GtkWindow)

/* SETTINGS: the application's GSettings (export-* keys are read and written). DEVICE as for
 * ink_stylizer_new_auto. */
InkExportDialog *ink_export_dialog_new (GtkWindow *parent, InkDocument *document,
                                        GSettings *settings, const char *device);

/* Fills the settings from the document (fps) and a destination beside the photo. */
void ink_export_dialog_reset (InkExportDialog *self);
/* TEXT with each space after a digit a no-break space (g_free it): figures keep their units. */
char *ink_export_keep_units (const char *text);
void ink_export_dialog_set_path (InkExportDialog *self, const char *path);
const char *ink_export_dialog_get_path (InkExportDialog *self);
void ink_export_dialog_set_format (InkExportDialog *self, InkExportFormat format);
/* The parameters the controls describe. */
void ink_export_dialog_get_params (InkExportDialog *self, InkExportParams *params, double *fps);
/* "mastodon", "x" or "discord". */
void ink_export_dialog_apply_preset (InkExportDialog *self, const char *preset);
gboolean ink_export_dialog_get_running (InkExportDialog *self);

/* "finished" (gboolean ok, const char *path, const char *message): message is the result's
 * summary, or the error (naming the file and what to do); cancellation emits ok FALSE and a
 * NULL message. */

G_END_DECLS
