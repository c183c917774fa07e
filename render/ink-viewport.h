/* ink-viewport.h: the zoom and pan shared by the photo and loop views, and the map between widget and picture coordinates. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INK_TYPE_VIEWPORT (ink_viewport_get_type ())
G_DECLARE_FINAL_TYPE (InkViewport, ink_viewport, INK, VIEWPORT, GObject)

#define INK_VIEWPORT_MIN_SCALE 0.05
#define INK_VIEWPORT_MAX_SCALE 32.0

InkViewport *ink_viewport_new (void);

/* The picture's logical size: the preview's pixels (100 % shows one of them per screen pixel). */
void ink_viewport_set_image_size (InkViewport *self, int width, int height);
void ink_viewport_get_image_size (InkViewport *self, int *width, int *height);

/* Fit: the whole picture in the widget, centred. Otherwise SCALE screen pixels per picture pixel. */
void ink_viewport_fit (InkViewport *self);
gboolean ink_viewport_get_fit (InkViewport *self);
void ink_viewport_set_scale (InkViewport *self, double scale);
/* The scale in effect in a widget of WIDTH x HEIGHT. */
double ink_viewport_get_effective_scale (InkViewport *self, double width, double height);

/* Multiplies the scale by FACTOR keeping the picture point under (X, Y) in place. */
void ink_viewport_zoom_at (InkViewport *self, double factor, double width, double height,
                           double x, double y);
/* Moves the picture by (DX, DY) widget pixels from where it was at CENTER_X, CENTER_Y. */
void ink_viewport_get_center (InkViewport *self, double *cx, double *cy);
void ink_viewport_pan_from (InkViewport *self, double cx, double cy, double dx, double dy,
                            double width, double height);

/* The picture's rectangle in a widget of WIDTH x HEIGHT; FALSE when there is no picture. */
gboolean ink_viewport_get_rect (InkViewport *self, double width, double height,
                                graphene_rect_t *rect);
/* Widget point to picture fractions (0,0 top left .. 1,1 bottom right) and back: the map an
 * overlay (arrows, anchors, masks) draws and hit-tests with. */
void ink_viewport_widget_to_image (InkViewport *self, double width, double height, double x,
                                   double y, double *u, double *v);
void ink_viewport_image_to_widget (InkViewport *self, double width, double height, double u,
                                   double v, double *x, double *y);

G_END_DECLS

G_BEGIN_DECLS
/* Scroll to zoom around the pointer and, with WITH_DRAG, drag to pan, on WIDGET. */
void ink_viewport_add_controllers (InkViewport *self, GtkWidget *widget, gboolean with_drag);
G_END_DECLS
