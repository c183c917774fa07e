/* ink-viewport.c: the zoom and pan shared by the photo and loop views, and the map between widget and picture coordinates. */
#include "ink-viewport.h"

#include <math.h>

struct _InkViewport
{
  GObject parent_instance;
  int width, height;   /* logical picture size, 0 when none */
  gboolean fit;
  double scale;        /* screen px per picture px when not fit */
  double cx, cy;       /* picture fraction at the widget's centre when not fit */
};

G_DEFINE_FINAL_TYPE (InkViewport, ink_viewport, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
ink_viewport_class_init (InkViewportClass *klass)
{
  /* Emitted whenever the rectangle the picture occupies may have moved. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ink_viewport_init (InkViewport *self)
{
  self->fit = TRUE;
  self->scale = 1.0;
  self->cx = self->cy = 0.5;
}

InkViewport *
ink_viewport_new (void)
{
  return g_object_new (INK_TYPE_VIEWPORT, NULL);
}

static void
changed (InkViewport *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ink_viewport_set_image_size (InkViewport *self, int width, int height)
{
  g_return_if_fail (INK_IS_VIEWPORT (self));
  if (self->width == width && self->height == height)
    return;
  self->width = MAX (width, 0);
  self->height = MAX (height, 0);
  changed (self);
}

void
ink_viewport_get_image_size (InkViewport *self, int *width, int *height)
{
  *width = self->width;
  *height = self->height;
}

void
ink_viewport_fit (InkViewport *self)
{
  self->fit = TRUE;
  self->cx = self->cy = 0.5;
  changed (self);
}

gboolean
ink_viewport_get_fit (InkViewport *self)
{
  return self->fit;
}

void
ink_viewport_set_scale (InkViewport *self, double scale)
{
  self->fit = FALSE;
  self->scale = CLAMP (scale, INK_VIEWPORT_MIN_SCALE, INK_VIEWPORT_MAX_SCALE);
  changed (self);
}

double
ink_viewport_get_effective_scale (InkViewport *self, double width, double height)
{
  if (!self->fit)
    return self->scale;
  if (self->width <= 0 || self->height <= 0 || width <= 0 || height <= 0)
    return 1.0;
  return MIN (width / self->width, height / self->height);
}

void
ink_viewport_get_center (InkViewport *self, double *cx, double *cy)
{
  *cx = self->cx;
  *cy = self->cy;
}

gboolean
ink_viewport_get_rect (InkViewport *self, double width, double height, graphene_rect_t *rect)
{
  double s = ink_viewport_get_effective_scale (self, width, height);
  double w = self->width * s, h = self->height * s;

  if (self->width <= 0 || self->height <= 0)
    return FALSE;
  graphene_rect_init (rect, (float) (width / 2 - self->cx * w), (float) (height / 2 - self->cy * h),
                      (float) w, (float) h);
  return TRUE;
}

void
ink_viewport_widget_to_image (InkViewport *self, double width, double height, double x, double y,
                              double *u, double *v)
{
  graphene_rect_t r;

  if (!ink_viewport_get_rect (self, width, height, &r) || r.size.width <= 0 || r.size.height <= 0)
    {
      *u = *v = 0.5;
      return;
    }
  *u = (x - r.origin.x) / r.size.width;
  *v = (y - r.origin.y) / r.size.height;
}

void
ink_viewport_image_to_widget (InkViewport *self, double width, double height, double u, double v,
                              double *x, double *y)
{
  graphene_rect_t r;

  if (!ink_viewport_get_rect (self, width, height, &r))
    {
      *x = width / 2;
      *y = height / 2;
      return;
    }
  *x = r.origin.x + u * r.size.width;
  *y = r.origin.y + v * r.size.height;
}

/* Keeps some of the picture on screen: the centre stays within the picture. */
static void
clamp_center (InkViewport *self)
{
  self->cx = CLAMP (self->cx, 0.0, 1.0);
  self->cy = CLAMP (self->cy, 0.0, 1.0);
}

void
ink_viewport_zoom_at (InkViewport *self, double factor, double width, double height, double x,
                      double y)
{
  double u, v, s;

  if (self->width <= 0 || self->height <= 0 || !(factor > 0))
    return;
  ink_viewport_widget_to_image (self, width, height, x, y, &u, &v);
  s = CLAMP (ink_viewport_get_effective_scale (self, width, height) * factor,
             INK_VIEWPORT_MIN_SCALE, INK_VIEWPORT_MAX_SCALE);
  self->fit = FALSE;
  self->scale = s;
  /* The point (u, v) stays at (x, y): x = width/2 + (u - cx) * w * s. */
  self->cx = u - (x - width / 2) / (self->width * s);
  self->cy = v - (y - height / 2) / (self->height * s);
  clamp_center (self);
  changed (self);
}

void
ink_viewport_pan_from (InkViewport *self, double cx, double cy, double dx, double dy,
                       double width, double height)
{
  double s = ink_viewport_get_effective_scale (self, width, height);

  /* A click (a drag that has not moved) keeps a fitted picture fitted. */
  if (self->width <= 0 || self->height <= 0 || (self->fit && dx == 0.0 && dy == 0.0))
    return;
  if (self->fit)
    {
      self->scale = s;
      self->fit = FALSE;
    }
  self->cx = cx - dx / (self->width * s);
  self->cy = cy - dy / (self->height * s);
  clamp_center (self);
  changed (self);
}

/* Input: scroll to zoom, drag to pan --------------------------------------------------------- */

typedef struct
{
  InkViewport *viewport;
  double cx, cy;   /* the centre when the drag began */
  double x, y;     /* the pointer, for zooming around it */
} PanState;

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, gpointer data)
{
  PanState *pan = data;

  (void) motion;
  pan->x = x;
  pan->y = y;
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll, double dx, double dy, gpointer data)
{
  PanState *pan = data;
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (scroll));

  (void) dx;
  ink_viewport_zoom_at (pan->viewport, pow (1.15, -dy), gtk_widget_get_width (widget),
                        gtk_widget_get_height (widget), pan->x, pan->y);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *drag, double x, double y, gpointer data)
{
  PanState *pan = data;
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (drag));

  (void) x, (void) y;
  ink_viewport_get_center (pan->viewport, &pan->cx, &pan->cy);
  gtk_widget_set_cursor_from_name (widget, "grabbing");
}

static void
on_drag_update (GtkGestureDrag *drag, double dx, double dy, gpointer data)
{
  PanState *pan = data;
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (drag));

  ink_viewport_pan_from (pan->viewport, pan->cx, pan->cy, dx, dy, gtk_widget_get_width (widget),
                         gtk_widget_get_height (widget));
}

static void
on_drag_end (GtkGestureDrag *drag, double dx, double dy, gpointer data)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (drag));

  (void) dx, (void) dy, (void) data;
  gtk_widget_set_cursor_from_name (widget, "grab");
}

void
ink_viewport_add_controllers (InkViewport *self, GtkWidget *widget, gboolean with_drag)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *motion = gtk_event_controller_motion_new ();
  PanState *pan = g_new0 (PanState, 1);

  pan->viewport = self;
  g_object_set_data_full (G_OBJECT (widget), "ink-viewport-input", pan, g_free);
  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), pan);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), pan);
  gtk_widget_add_controller (widget, motion);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), pan);
  gtk_widget_add_controller (widget, scroll);
  if (with_drag)
    {
      GtkGesture *drag = gtk_gesture_drag_new ();

      g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), pan);
      g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), pan);
      g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), pan);
      gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));
      gtk_widget_set_cursor_from_name (widget, "grab");
    }
}
