/* ink-preferences.h: the preferences window: preview size, compute device and style, bound to GSettings. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define INK_TYPE_PREFERENCES (ink_preferences_get_type ())
G_DECLARE_FINAL_TYPE (InkPreferences, ink_preferences, INK, PREFERENCES, AdwPreferencesWindow)

InkPreferences *ink_preferences_new (GtkWindow *parent);
/* The line saying which device the editor computes on, and its kind (found in a worker). */
const char *ink_preferences_get_device_text (InkPreferences *self);

G_END_DECLS
