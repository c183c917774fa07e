/* ink-spinner.h: a small busy indicator that redraws eight times a second (not every frame), so software-rendered desktops stay smooth while the loop is made. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INK_TYPE_SPINNER (ink_spinner_get_type ())
G_DECLARE_FINAL_TYPE (InkSpinner, ink_spinner, INK, SPINNER, GtkWidget)

GtkWidget *ink_spinner_new (void);
void ink_spinner_set_spinning (InkSpinner *self, gboolean spinning);
gboolean ink_spinner_get_spinning (InkSpinner *self);

G_END_DECLS
