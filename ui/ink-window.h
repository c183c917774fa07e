/* ink-window.h: the main window: opens photos, wires the document to the controls, the preview worker, the views, transport and export. */
#pragma once

#include <adwaita.h>

#include "ink-canvas-overlay.h"
#include "ink-controls.h"
#include "ink-history.h"
#include "ink-document.h"
#include "ink-export-dialog.h"
#include "ink-preview.h"
#include "ink-transport.h"

G_BEGIN_DECLS

#define INK_TYPE_WINDOW (ink_window_get_type ())
G_DECLARE_FINAL_TYPE (InkWindow, ink_window, INK, WINDOW, AdwApplicationWindow)

InkWindow *ink_window_new (GtkApplication *application);

/* Opens PATH (a photo, or a .inkloop project) in the background; on failure a message says why
 * and the window keeps what it had. A project whose photo is missing asks for it. */
void ink_window_open_path (InkWindow *self, const char *path);
/* Saves the project to PATH (".inkloop" is added when missing) in a worker, as Save As does. */
void ink_window_save_project (InkWindow *self, const char *path);
InkViewport *ink_window_get_viewport (InkWindow *self);
/* How the photo and the loop are laid out side by side: horizontally, or stacked. */
GtkOrientation ink_window_get_views_orientation (InkWindow *self);
/* Where Save Project opens: the project's folder, else the last project's, else the photo's. */
char *ink_window_save_folder (InkWindow *self);
/* The project file, NULL until saved or opened. */
const char *ink_window_get_project_path (InkWindow *self);
/* Autosave after this long since the first unsaved change (default 30 s). */
void ink_window_set_autosave_interval (InkWindow *self, guint ms);
/* Looks for an autosave left by a crash and offers it in the banner. */
void ink_window_offer_restore (InkWindow *self);

InkHistory *ink_window_get_history (InkWindow *self);
/* The hints layer over the photo view (the one over the loop view follows the same tool). */
InkCanvasOverlay *ink_window_get_canvas (InkWindow *self);
/* The question on screen (unsaved changes on close, a missing photo), NULL when none. */
GtkWidget *ink_window_get_dialog (InkWindow *self);

InkDocument *ink_window_get_document (InkWindow *self);
InkPreview *ink_window_get_preview (InkWindow *self);
InkControls *ink_window_get_controls (InkWindow *self);
InkTransport *ink_window_get_transport (InkWindow *self);
/* The clip bar (an InkClipBar), shown while a clip is open. */
GtkWidget *ink_window_get_clip_bar (InkWindow *self);
/* The export dialog, NULL until the export action first ran. */
InkExportDialog *ink_window_get_export_dialog (InkWindow *self);

/* The message banner: visible, and its text. */
gboolean ink_window_get_message (InkWindow *self, const char **text);
/* Loading a photo is under way. */
gboolean ink_window_get_loading (InkWindow *self);
/* Nothing is loading or regenerating, and the newest loop is on screen. */
gboolean ink_window_is_idle (InkWindow *self);
/* The time from the last parameter change to its loop on screen, ms (0: none yet). */
double ink_window_get_last_latency_ms (InkWindow *self);
/* From the last change to its first frame on screen, ms. */
double ink_window_get_last_first_frame_ms (InkWindow *self);
/* The serial of the newest loop asked for (as in the preview's "first-frame-shown"). */
guint ink_window_get_request_serial (InkWindow *self);
/* Whether the newest request is a draft (a slider held). */
gboolean ink_window_get_request_is_draft (InkWindow *self);

G_END_DECLS
