/* ink-application.h: the AdwApplication: windows, app actions and accelerators, settings, resources and translations. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define INK_TYPE_APPLICATION (ink_application_get_type ())
G_DECLARE_FINAL_TYPE (InkApplication, ink_application, INK, APPLICATION, AdwApplication)

InkApplication *ink_application_new (GApplicationFlags flags);

/* Registers the editor's resources and binds its translations (idempotent). */
void ink_application_init_resources (void);

/* The editor's settings: the installed schema, or the one compiled in the build folder. */
GSettings *ink_application_new_settings (void);

/* The light or dark style for the settings' color-scheme ('default': follow the system). */
void ink_application_apply_color_scheme (GSettings *settings);

G_END_DECLS
