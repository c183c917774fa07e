/* ink-application.h: the GtkApplication: windows, app actions and accelerators, settings, resources and translations. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INK_TYPE_APPLICATION (ink_application_get_type ())
G_DECLARE_FINAL_TYPE (InkApplication, ink_application, INK, APPLICATION, GtkApplication)

InkApplication *ink_application_new (GApplicationFlags flags);

/* Registers the editor's resources and binds its translations (idempotent). */
void ink_application_init_resources (void);

/* The editor's settings: the installed schema, or the one compiled in the build folder. */
GSettings *ink_application_new_settings (void);

G_END_DECLS
