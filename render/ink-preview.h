/* ink-preview.h: the looping preview: a GtkGLArea that plays a loop's frames from the frame clock, with onion skin and a compare split. */
#pragma once

#include <gtk/gtk.h>

#include "ink-viewport.h"

G_BEGIN_DECLS

#define INK_TYPE_PREVIEW (ink_preview_get_type ())
G_DECLARE_FINAL_TYPE (InkPreview, ink_preview, INK, PREVIEW, GtkGLArea)

GtkWidget *ink_preview_new (void);

void ink_preview_set_viewport (InkPreview *self, InkViewport *viewport);

/* Frames of loop SERIAL (> 0; a larger serial is a newer loop): FRAMES holds COUNT frames from
 * FIRST of the loop's N_FRAMES, each WIDTH x HEIGHT RGBA8 (R | G << 8 | B << 16 | A << 24, rows
 * packed). They are uploaded as textures over the next frames. A newer loop takes the screen
 * with its first frame ("first-frame-shown"); until the rest arrive, a frame not there yet shows
 * the nearest one before it, so playback goes on. "loop-shown" (SERIAL) is emitted when every
 * frame has been drawn. Frames of an older loop than the one on screen are ignored. A loop's
 * size may differ from the one before (a draft): it is drawn scaled to the picture. */
void ink_preview_add_frames (InkPreview *self, guint serial, GBytes *frames, int width,
                             int height, int n_frames, int first, int count);
/* The photo at the loop's size, for the compare split (RGBA8 as above); NULL: none. */
void ink_preview_set_source (InkPreview *self, GBytes *rgba, int width, int height);
/* Forgets the loop and the photo. */
void ink_preview_clear (InkPreview *self);

/* The serial of the loop on screen once all its frames are, 0: none yet. */
guint ink_preview_get_shown_serial (InkPreview *self);
int ink_preview_get_n_frames (InkPreview *self);
/* The frames of the loop on screen once all arrived, NULL: none. */
GBytes *ink_preview_get_loop (InkPreview *self);
void ink_preview_get_size (InkPreview *self, int *width, int *height);

void ink_preview_set_fps (InkPreview *self, double fps);
double ink_preview_get_fps (InkPreview *self);
void ink_preview_set_playing (InkPreview *self, gboolean playing);
gboolean ink_preview_get_playing (InkPreview *self);
/* Shows frame INDEX (wrapped into the loop); playback continues from it. */
void ink_preview_set_frame (InkPreview *self, int index);
int ink_preview_get_frame (InkPreview *self);
void ink_preview_step (InkPreview *self, int delta);

void ink_preview_set_onion_skin (InkPreview *self, gboolean onion_skin);
gboolean ink_preview_get_onion_skin (InkPreview *self);
/* Compare: the photo left of the split, the loop right of it; SPLIT is a fraction of the
 * picture's width (so it stays on one spot of the picture through zoom, pan and Fit). */
void ink_preview_set_compare (InkPreview *self, gboolean compare);
gboolean ink_preview_get_compare (InkPreview *self);
void ink_preview_set_split (InkPreview *self, double split);
double ink_preview_get_split (InkPreview *self);

G_END_DECLS
