/* ink-controls.h: the side panel: preset, style, loop, motion and effect controls, each with its value, unit, tooltip and reset. */
#pragma once

#include <gtk/gtk.h>

#include "ink-document.h"

G_BEGIN_DECLS

#define INK_TYPE_CONTROLS (ink_controls_get_type ())
G_DECLARE_FINAL_TYPE (InkControls, ink_controls, INK, CONTROLS, GtkWidget)

GtkWidget *ink_controls_new (void);
void ink_controls_set_document (InkControls *self, InkDocument *document);
/* The input widget for parameter NAME (a GtkScale, GtkSwitch or GtkDropDown), or NULL. */
GtkWidget *ink_controls_get_control (InkControls *self, const char *name);
GtkWidget *ink_controls_get_preset_dropdown (InkControls *self);
/* A slider is held with the pointer ("notify::adjusting" when that changes). */
gboolean ink_controls_get_adjusting (InkControls *self);

G_END_DECLS
