/* ink-image-view.h: the photo view: a texture placed by the shared viewport, with scroll-to-zoom and drag-to-pan. */
#pragma once

#include <gtk/gtk.h>

#include "ink-viewport.h"

G_BEGIN_DECLS

#define INK_TYPE_IMAGE_VIEW (ink_image_view_get_type ())
G_DECLARE_FINAL_TYPE (InkImageView, ink_image_view, INK, IMAGE_VIEW, GtkWidget)

GtkWidget *ink_image_view_new (void);
void ink_image_view_set_viewport (InkImageView *self, InkViewport *viewport);
void ink_image_view_set_texture (InkImageView *self, GdkTexture *texture);
GdkTexture *ink_image_view_get_texture (InkImageView *self);

G_END_DECLS
