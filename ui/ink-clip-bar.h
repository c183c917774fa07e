/* ink-clip-bar.h: a clip's bar: scrub the source, set the part's in and out points, loop it, keep its sound. */
#pragma once

#include <gtk/gtk.h>

#include "ink-document.h"

G_BEGIN_DECLS

#define INK_TYPE_CLIP_BAR (ink_clip_bar_get_type ())
G_DECLARE_FINAL_TYPE (InkClipBar, ink_clip_bar, INK, CLIP_BAR, GtkWidget)

GtkWidget *ink_clip_bar_new (void);
/* Follows DOCUMENT's clip (the bar shows itself only while the document holds one). Scrubbing
 * decodes the source frame there off the main thread and emits "source-frame" (GdkTexture). */
void ink_clip_bar_set_document (InkClipBar *self, InkDocument *document);

/* Scrubs to SECONDS from the clip's first frame. */
void ink_clip_bar_set_position (InkClipBar *self, double seconds);
/* The part's start (in) or end (out) at the scrub position. */
void ink_clip_bar_set_in (InkClipBar *self);
void ink_clip_bar_set_out (InkClipBar *self);

G_END_DECLS
