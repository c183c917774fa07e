/* ink-canvas-overlay.c: the hints layer over a view: draws arrows, anchors, the freeze mask and the focus centre, and edits them with the current tool. */
/* Over 600 lines on purpose: one widget whose editing (hit tests, drags, the brush, the tool
 * state machine) and drawing (arrows, anchors, mask, focus) share its coordinate mapping and its
 * hover and drag state. Sections: coordinates, editing, drawing, setup. */
#include "ink-config.h"

#include "ink-canvas-overlay.h"

#include <glib/gi18n.h>
#include <math.h>

/* Sizes in screen pixels, so hints read the same at any zoom. */
#define GRIP_RADIUS 12.0     /* how close a press must be to pick a point */
#define LINE_GRIP 8.0        /* ... or an arrow's shaft */
#define MIN_ARROW 4.0        /* shorter drags make no arrow */
#define HEAD_LENGTH 14.0
#define ANCHOR_RADIUS 7.0

typedef enum { PART_NONE, PART_START, PART_END, PART_WHOLE } Part;

struct _InkCanvasOverlay
{
  GtkWidget parent_instance;

  InkDocument *document;
  InkHistory *history;
  InkViewport *viewport;
  InkTool tool;
  gboolean show_hints;
  double brush_size;
  InkArrowKind arrow_kind;   /* what the arrow tool draws */

  /* The gesture in progress (widget coordinates). */
  gboolean dragging;
  gboolean grouped;          /* a history group is open */
  gboolean panning;
  double start_x, start_y, cur_x, cur_y, last_x, last_y;
  double pan_cx, pan_cy;
  InkHintKind sel_kind;
  guint sel_index;
  Part sel_part;
  InkArrow orig_arrow;
  InkAnchor orig_anchor;

  /* The pointer, for the brush outline. */
  gboolean pointer_in;
  double pointer_x, pointer_y;

  /* The mask as a tint, rebuilt when the document's mask serial moves. */
  GdkTexture *mask_texture;
  guint mask_serial;
};

G_DEFINE_FINAL_TYPE (InkCanvasOverlay, ink_canvas_overlay, GTK_TYPE_WIDGET)

enum { NOTICE, SELECTION_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const tool_names[] = { "select", "arrow", "anchor", "brush", "eraser", "focus" };

const char *
ink_tool_to_string (InkTool tool)
{
  g_return_val_if_fail ((guint) tool < G_N_ELEMENTS (tool_names), "select");
  return tool_names[tool];
}

int
ink_tool_from_string (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (tool_names); i++)
    if (g_strcmp0 (name, tool_names[i]) == 0)
      return (int) i;
  return -1;
}

static void
select_hint (InkCanvasOverlay *self, InkHintKind kind, guint index)
{
  if (self->sel_kind == kind && (kind == INK_HINT_NONE || self->sel_index == index))
    return;
  self->sel_kind = kind;
  self->sel_index = index;
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* Coordinates ------------------------------------------------------------------------------- */

static gboolean
picture_rect (InkCanvasOverlay *self, graphene_rect_t *r)
{
  return self->viewport != NULL
         && ink_viewport_get_rect (self->viewport, gtk_widget_get_width (GTK_WIDGET (self)),
                                   gtk_widget_get_height (GTK_WIDGET (self)), r);
}

static void
to_picture (InkCanvasOverlay *self, double x, double y, float *u, float *v)
{
  double du, dv;

  ink_viewport_widget_to_image (self->viewport, gtk_widget_get_width (GTK_WIDGET (self)),
                                gtk_widget_get_height (GTK_WIDGET (self)), x, y, &du, &dv);
  *u = (float) CLAMP (du, 0.0, 1.0);
  *v = (float) CLAMP (dv, 0.0, 1.0);
}

static void
to_widget (InkCanvasOverlay *self, double u, double v, double *x, double *y)
{
  ink_viewport_image_to_widget (self->viewport, gtk_widget_get_width (GTK_WIDGET (self)),
                                gtk_widget_get_height (GTK_WIDGET (self)), u, v, x, y);
}

static double
segment_distance (double px, double py, double ax, double ay, double bx, double by)
{
  double len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay);
  double t = len2 > 0 ? CLAMP (((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2, 0.0, 1.0) : 0.0;

  return hypot (px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

/* The hint under (X, Y), topmost first. */
static InkHintKind
hit_test (InkCanvasOverlay *self, double x, double y, guint *index, Part *part)
{
  const InkMotionHints *h = ink_document_get_hints (self->document);

  for (guint i = h->anchors->len; i-- > 0;)
    {
      const InkAnchor *a = &g_array_index (h->anchors, InkAnchor, i);
      double ax, ay;

      to_widget (self, a->x, a->y, &ax, &ay);
      if (hypot (x - ax, y - ay) <= GRIP_RADIUS)
        {
          *index = i;
          *part = PART_WHOLE;
          return INK_HINT_ANCHOR;
        }
    }
  for (guint i = h->arrows->len; i-- > 0;)
    {
      const InkArrow *a = &g_array_index (h->arrows, InkArrow, i);
      double x0, y0, x1, y1;

      to_widget (self, a->x0, a->y0, &x0, &y0);
      to_widget (self, a->x1, a->y1, &x1, &y1);
      *index = i;
      if (hypot (x - x1, y - y1) <= GRIP_RADIUS)
        *part = PART_END;
      else if (hypot (x - x0, y - y0) <= GRIP_RADIUS)
        *part = PART_START;
      else if (segment_distance (x, y, x0, y0, x1, y1) <= LINE_GRIP)
        *part = PART_WHOLE;
      else
        continue;
      return INK_HINT_ARROW;
    }
  return INK_HINT_NONE;
}

/* Editing ----------------------------------------------------------------------------------- */

static double
brush_radius_fraction (InkCanvasOverlay *self)
{
  graphene_rect_t r;

  if (!picture_rect (self, &r) || r.size.width <= 0)
    return 0;
  return self->brush_size / 2.0 / r.size.width;
}

static void
paint_to (InkCanvasOverlay *self, double x, double y)
{
  float u0, v0, u1, v1;

  {
    double a, b, c, d;
    int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

    ink_viewport_widget_to_image (self->viewport, w, h, self->last_x, self->last_y, &a, &b);
    ink_viewport_widget_to_image (self->viewport, w, h, x, y, &c, &d);
    u0 = (float) a, v0 = (float) b, u1 = (float) c, v1 = (float) d;
  }
  ink_document_paint_mask (self->document, u0, v0, u1, v1, (float) brush_radius_fraction (self),
                           self->tool == INK_TOOL_BRUSH);
  self->last_x = x;
  self->last_y = y;
}

static void
move_selection (InkCanvasOverlay *self, double dx, double dy)
{
  graphene_rect_t r;
  double du, dv;

  if (!picture_rect (self, &r))
    return;
  du = dx / MAX (r.size.width, 1.0f);
  dv = dy / MAX (r.size.height, 1.0f);
  if (self->sel_kind == INK_HINT_ANCHOR)
    {
      InkAnchor a = { (float) CLAMP (self->orig_anchor.x + du, 0.0, 1.0),
                      (float) CLAMP (self->orig_anchor.y + dv, 0.0, 1.0) };
      ink_document_set_anchor (self->document, self->sel_index, &a);
    }
  else if (self->sel_kind == INK_HINT_ARROW)
    {
      InkArrow a = self->orig_arrow;

      if (self->sel_part == PART_WHOLE)
        {
          /* The whole arrow, kept inside the picture. */
          du = CLAMP (du, -MIN (a.x0, a.x1), 1.0 - MAX (a.x0, a.x1));
          dv = CLAMP (dv, -MIN (a.y0, a.y1), 1.0 - MAX (a.y0, a.y1));
        }
      if (self->sel_part != PART_END)
        a.x0 = (float) CLAMP (a.x0 + du, 0.0, 1.0), a.y0 = (float) CLAMP (a.y0 + dv, 0.0, 1.0);
      if (self->sel_part != PART_START)
        a.x1 = (float) CLAMP (a.x1 + du, 0.0, 1.0), a.y1 = (float) CLAMP (a.y1 + dv, 0.0, 1.0);
      ink_document_set_arrow (self->document, self->sel_index, &a);
    }
}

static void
begin_group (InkCanvasOverlay *self)
{
  if (!self->grouped && self->history != NULL)
    {
      ink_history_begin (self->history);
      self->grouped = TRUE;
    }
}

static void
end_group (InkCanvasOverlay *self)
{
  if (self->grouped)
    {
      self->grouped = FALSE;
      ink_history_end (self->history);
    }
}

static void
press (InkCanvasOverlay *self, double x, double y)
{
  graphene_rect_t r;

  if (self->document == NULL || ink_document_get_source (self->document) == NULL || !picture_rect (self, &r))
    return;
  self->dragging = TRUE;
  self->panning = FALSE;
  self->start_x = self->cur_x = self->last_x = x;
  self->start_y = self->cur_y = self->last_y = y;
  switch (self->tool)
    {
    case INK_TOOL_BRUSH:
    case INK_TOOL_ERASER:
      begin_group (self);
      paint_to (self, x, y);
      break;
    case INK_TOOL_FOCUS:
      {
        float u, v;
        begin_group (self);
        to_picture (self, x, y, &u, &v);
        ink_document_set_focus (self->document, u, v);
      }
      break;
    case INK_TOOL_SELECT:
      {
        guint index = 0;
        InkHintKind kind = hit_test (self, x, y, &index, &self->sel_part);
        select_hint (self, kind, index);
      }
      if (self->sel_kind == INK_HINT_ARROW)
        self->orig_arrow = g_array_index (ink_document_get_hints (self->document)->arrows, InkArrow, self->sel_index);
      else if (self->sel_kind == INK_HINT_ANCHOR)
        self->orig_anchor = g_array_index (ink_document_get_hints (self->document)->anchors, InkAnchor, self->sel_index);
      if (self->sel_kind != INK_HINT_NONE)
        begin_group (self);
      else
        {
          self->panning = TRUE;
          ink_viewport_get_center (self->viewport, &self->pan_cx, &self->pan_cy);
        }
      break;
    case INK_TOOL_ARROW:
    case INK_TOOL_ANCHOR:
    default:
      break;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_to (InkCanvasOverlay *self, double dx, double dy)
{
  double x = self->start_x + dx, y = self->start_y + dy;

  if (!self->dragging)
    return;
  self->cur_x = x;
  self->cur_y = y;
  switch (self->tool)
    {
    case INK_TOOL_BRUSH:
    case INK_TOOL_ERASER:
      paint_to (self, x, y);
      break;
    case INK_TOOL_FOCUS:
      {
        float u, v;
        to_picture (self, x, y, &u, &v);
        ink_document_set_focus (self->document, u, v);
      }
      break;
    case INK_TOOL_SELECT:
      if (self->panning)
        ink_viewport_pan_from (self->viewport, self->pan_cx, self->pan_cy, dx, dy,
                               gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)));
      else
        move_selection (self, dx, dy);
      break;
    case INK_TOOL_ARROW:
    case INK_TOOL_ANCHOR:
    default:
      break;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
release (InkCanvasOverlay *self, double dx, double dy)
{
  if (!self->dragging)
    return;
  drag_to (self, dx, dy);
  self->dragging = FALSE;
  switch (self->tool)
    {
    case INK_TOOL_ARROW:
      if (hypot (dx, dy) >= MIN_ARROW)
        {
          /* Of the chosen kind, with the motion's reach; selected, so its kind and reach can
           * be changed at once. */
          InkArrow a = { .reach = 0.0f, .kind = self->arrow_kind };
          to_picture (self, self->start_x, self->start_y, &a.x0, &a.y0);
          to_picture (self, self->cur_x, self->cur_y, &a.x1, &a.y1);
          if (!ink_document_add_arrow (self->document, &a))
            g_signal_emit (self, signals[NOTICE], 0, _("No more hints fit: remove some first."));
          else
            select_hint (self, INK_HINT_ARROW, ink_document_get_hints (self->document)->arrows->len - 1);
        }
      break;
    case INK_TOOL_ANCHOR:
      {
        InkAnchor a;
        to_picture (self, self->cur_x, self->cur_y, &a.x, &a.y);
        if (!ink_document_add_anchor (self->document, &a))
          g_signal_emit (self, signals[NOTICE], 0, _("No more hints fit: remove some first."));
      }
      break;
    case INK_TOOL_BRUSH:
    case INK_TOOL_ERASER:
    case INK_TOOL_FOCUS:
    case INK_TOOL_SELECT:
    default:
      break;
    }
  self->panning = FALSE;
  end_group (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, InkCanvasOverlay *self)
{
  (void) gesture;
  press (self, x, y);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, InkCanvasOverlay *self)
{
  (void) gesture;
  drag_to (self, dx, dy);
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, InkCanvasOverlay *self)
{
  (void) gesture;
  release (self, dx, dy);
}

static void
on_drag_cancel (GtkGesture *gesture, GdkEventSequence *sequence, InkCanvasOverlay *self)
{
  (void) gesture, (void) sequence;
  /* What was done so far stays, as one step. */
  self->dragging = FALSE;
  self->panning = FALSE;
  end_group (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ink_canvas_overlay_drag (InkCanvasOverlay *self, double u0, double v0, double u1, double v1)
{
  double x0, y0, x1, y1;
  const int steps = 8;

  g_return_if_fail (INK_IS_CANVAS_OVERLAY (self) && self->viewport != NULL);
  to_widget (self, u0, v0, &x0, &y0);
  to_widget (self, u1, v1, &x1, &y1);
  press (self, x0, y0);
  for (int i = 1; i < steps; i++)
    drag_to (self, (x1 - x0) * i / steps, (y1 - y0) * i / steps);
  release (self, x1 - x0, y1 - y0);
}

static void
on_pointer (GtkEventControllerMotion *motion, double x, double y, InkCanvasOverlay *self)
{
  (void) motion;
  self->pointer_in = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  if (self->tool == INK_TOOL_BRUSH || self->tool == INK_TOOL_ERASER)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pointer_leave (GtkEventControllerMotion *motion, InkCanvasOverlay *self)
{
  (void) motion;
  self->pointer_in = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Drawing ----------------------------------------------------------------------------------- */

/* The mask as ice blue, as opaque as it is frozen (at most 45 %). */
static void
update_mask_texture (InkCanvasOverlay *self)
{
  const InkMotionHints *h = ink_document_get_hints (self->document);
  guint serial = ink_document_get_mask_serial (self->document);
  const InkImage *m = h->mask;
  g_autoptr (GBytes) bytes = NULL;
  guint8 *rgba;
  gsize n;

  if (serial == self->mask_serial && (self->mask_texture != NULL) == (m != NULL))
    return;
  self->mask_serial = serial;
  g_clear_object (&self->mask_texture);
  if (m == NULL)
    return;
  n = (gsize) m->width * m->height;
  rgba = g_malloc (n * 4);
  for (gsize i = 0; i < n; i++)
    {
      const guint16 *p = m->pixels + 4 * i;
      double v = (p[0] + p[1] + p[2]) / (3.0 * 65535.0) * (p[3] / 65535.0);

      rgba[4 * i + 0] = 70;
      rgba[4 * i + 1] = 170;
      rgba[4 * i + 2] = 255;
      rgba[4 * i + 3] = (guint8) lround (v * 0.45 * 255.0);
    }
  bytes = g_bytes_new_take (rgba, n * 4);
  self->mask_texture = gdk_memory_texture_new (m->width, m->height, GDK_MEMORY_R8G8B8A8, bytes,
                                               (gsize) m->width * 4);
}

/* A line with a dark rim, legible on light and dark pictures. */
static void
stroke_outlined (cairo_t *cr, double width, double r, double g, double b, double a)
{
  /* A near-opaque dark outline two pixels wide each side: the yellow reads on yellow, orange and
   * white photos, where a thin, faint outline let it vanish. */
  cairo_set_line_width (cr, width + 4.0);
  cairo_set_source_rgba (cr, 0.05, 0.05, 0.08, 0.9 * a);
  cairo_stroke_preserve (cr);
  cairo_set_line_width (cr, width);
  cairo_set_source_rgba (cr, r, g, b, a);
  cairo_stroke (cr);
}

static void
draw_head (cairo_t *cr, double x, double y, double ux, double uy, double head, double alpha)
{
  cairo_new_path (cr);
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x - ux * head - uy * head * 0.55, y - uy * head + ux * head * 0.55);
  cairo_line_to (cr, x - ux * head + uy * head * 0.55, y - uy * head - ux * head * 0.55);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, 0.05, 0.05, 0.08, 0.9 * alpha);
  cairo_set_line_width (cr, 4.0);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgba (cr, 1.0, 0.82, 0.25, alpha);
  cairo_fill (cr);
}

/* A flow arrow: a ring at the start, a shaft and a head. A sway arrow swings both ways: a head
 * at each end of a shaft that runs as far back as forward from the start. */
static void
draw_arrow (cairo_t *cr, double x0, double y0, double x1, double y1, gboolean sway,
            gboolean selected, double alpha)
{
  double len = hypot (x1 - x0, y1 - y0), ux, uy, head;
  double bx = sway ? 2.0 * x0 - x1 : x0, by = sway ? 2.0 * y0 - y1 : y0;

  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  /* The start: a small ring. */
  cairo_new_path (cr);
  cairo_arc (cr, x0, y0, selected ? 5.5 : 4.0, 0, 2 * G_PI);
  stroke_outlined (cr, 2.0, 1.0, 0.82, 0.25, alpha);
  if (len < 1.0)
    return;
  ux = (x1 - x0) / len, uy = (y1 - y0) / len;
  head = MIN (HEAD_LENGTH, len * 0.6);
  /* The shaft stops at the heads' bases (and, for flow, at the ring). */
  cairo_new_path (cr);
  if (sway)
    cairo_move_to (cr, bx + ux * head * 0.8, by + uy * head * 0.8);
  else
    cairo_move_to (cr, x0 + ux * 4.0, y0 + uy * 4.0);
  cairo_line_to (cr, x1 - ux * head * 0.8, y1 - uy * head * 0.8);
  if (sway)
    {
      const double dash[] = { 7.0, 4.0 };
      cairo_set_dash (cr, dash, 2, 0);
    }
  stroke_outlined (cr, selected ? 4.0 : 3.0, 1.0, 0.82, 0.25, alpha);
  cairo_set_dash (cr, NULL, 0, 0);
  draw_head (cr, x1, y1, ux, uy, head, alpha);
  if (sway)
    draw_head (cr, bx, by, -ux, -uy, head, alpha);
  if (selected)
    {
      cairo_new_path (cr);
      cairo_arc (cr, x1, y1, 9.0, 0, 2 * G_PI);
      stroke_outlined (cr, 1.5, 1.0, 1.0, 1.0, alpha);
    }
}

/* The selected arrow's reach: a dashed ring REACH picture heights around its start, beyond which
 * it moves nothing. */
static void
draw_reach (InkCanvasOverlay *self, cairo_t *cr, const InkArrow *a, float reach)
{
  graphene_rect_t r;
  double x, y;
  const double dash[] = { 3.0, 5.0 };

  if (!picture_rect (self, &r))
    return;
  to_widget (self, a->x0, a->y0, &x, &y);
  cairo_new_path (cr);
  cairo_arc (cr, x, y, reach * r.size.height, 0, 2 * G_PI);
  cairo_set_dash (cr, dash, 2, 0);
  stroke_outlined (cr, 1.5, 1.0, 0.82, 0.25, 0.8);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
draw_anchor (cairo_t *cr, double x, double y, gboolean selected)
{
  /* A pin: a shadowed red head with a white ring and a dark centre. */
  cairo_new_path (cr);
  cairo_arc (cr, x + 1.0, y + 1.5, ANCHOR_RADIUS + 2.0, 0, 2 * G_PI);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
  cairo_fill (cr);
  cairo_arc (cr, x, y, ANCHOR_RADIUS + 1.5, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill (cr);
  cairo_arc (cr, x, y, ANCHOR_RADIUS - 0.5, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0.93, 0.22, 0.24);
  cairo_fill (cr);
  cairo_arc (cr, x, y, 2.2, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0.25, 0.03, 0.05);
  cairo_fill (cr);
  if (selected)
    {
      cairo_arc (cr, x, y, ANCHOR_RADIUS + 5.0, 0, 2 * G_PI);
      stroke_outlined (cr, 1.5, 1.0, 1.0, 1.0, 1.0);
    }
}

static void
draw_focus (cairo_t *cr, double x, double y, gboolean on)
{
  double a = on ? 1.0 : 0.55;

  cairo_new_path (cr);
  cairo_arc (cr, x, y, 11.0, 0, 2 * G_PI);
  stroke_outlined (cr, 2.0, 0.55, 1.0, 0.65, a);
  for (int i = 0; i < 4; i++)
    {
      double dx = i == 0 ? 1 : i == 1 ? -1 : 0, dy = i == 2 ? 1 : i == 3 ? -1 : 0;
      cairo_new_path (cr);
      cairo_move_to (cr, x + dx * 5.0, y + dy * 5.0);
      cairo_line_to (cr, x + dx * 18.0, y + dy * 18.0);
      stroke_outlined (cr, 2.0, 0.55, 1.0, 0.65, a);
    }
}

static void
ink_canvas_overlay_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  InkCanvasOverlay *self = INK_CANVAS_OVERLAY (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  graphene_rect_t r;
  cairo_t *cr;

  if (self->document == NULL || ink_document_get_source (self->document) == NULL || !picture_rect (self, &r))
    return;
  if (self->show_hints)
    {
      update_mask_texture (self);
      if (self->mask_texture != NULL)
        gtk_snapshot_append_texture (snapshot, self->mask_texture, &r);
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->show_hints)
    {
      const InkMotionHints *hints = ink_document_get_hints (self->document);
      const InkProject *project = ink_document_get_project (self->document);

      if (project->motion.focus_lines || self->tool == INK_TOOL_FOCUS)
        {
          double x, y;
          to_widget (self, project->motion.focus_x, project->motion.focus_y, &x, &y);
          draw_focus (cr, x, y, project->motion.focus_lines);
        }
      for (guint i = 0; i < hints->arrows->len; i++)
        {
          const InkArrow *a = &g_array_index (hints->arrows, InkArrow, i);
          double x0, y0, x1, y1;

          gboolean selected = self->sel_kind == INK_HINT_ARROW && self->sel_index == i;

          to_widget (self, a->x0, a->y0, &x0, &y0);
          to_widget (self, a->x1, a->y1, &x1, &y1);
          if (selected)
            draw_reach (self, cr, a, ink_arrow_reach (a, &project->motion));
          draw_arrow (cr, x0, y0, x1, y1, a->kind == INK_ARROW_SWAY, selected, 1.0);
        }
      for (guint i = 0; i < hints->anchors->len; i++)
        {
          const InkAnchor *a = &g_array_index (hints->anchors, InkAnchor, i);
          double x, y;

          to_widget (self, a->x, a->y, &x, &y);
          draw_anchor (cr, x, y, self->sel_kind == INK_HINT_ANCHOR && self->sel_index == i);
        }
    }
  /* The arrow being drawn, and the brush's outline, show even with the hints hidden. */
  if (self->dragging && self->tool == INK_TOOL_ARROW)
    draw_arrow (cr, self->start_x, self->start_y, self->cur_x, self->cur_y,
                self->arrow_kind == INK_ARROW_SWAY, FALSE, 0.8);
  if ((self->tool == INK_TOOL_BRUSH || self->tool == INK_TOOL_ERASER) && (self->pointer_in || self->dragging))
    {
      double x = self->dragging ? self->cur_x : self->pointer_x, y = self->dragging ? self->cur_y : self->pointer_y;

      cairo_new_path (cr);
      cairo_arc (cr, x, y, self->brush_size / 2.0, 0, 2 * G_PI);
      cairo_set_line_width (cr, 3.0);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.5);
      cairo_stroke_preserve (cr);
      cairo_set_line_width (cr, 1.5);
      if (self->tool == INK_TOOL_ERASER)
        {
          const double dash[] = { 4.0, 3.0 };
          cairo_set_dash (cr, dash, 2, 0);
        }
      cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

/* Setup ------------------------------------------------------------------------------------- */

static void
on_document_changed (InkDocument *document, guint what, const char *name, InkCanvasOverlay *self)
{
  const InkMotionHints *h = ink_document_get_hints (document);

  (void) name;
  /* A selection that no longer exists (undo, a new photo) is dropped. */
  if ((what & (INK_CHANGE_SOURCE | INK_CHANGE_PRESET))
      || (self->sel_kind == INK_HINT_ARROW && self->sel_index >= h->arrows->len)
      || (self->sel_kind == INK_HINT_ANCHOR && self->sel_index >= h->anchors->len))
    if (!self->dragging)
      select_hint (self, INK_HINT_NONE, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_viewport_changed (InkViewport *viewport, InkCanvasOverlay *self)
{
  (void) viewport;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
disconnect (InkCanvasOverlay *self)
{
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_clear_object (&self->document);
  g_clear_object (&self->history);
  g_clear_object (&self->viewport);
}

static void
ink_canvas_overlay_dispose (GObject *object)
{
  InkCanvasOverlay *self = INK_CANVAS_OVERLAY (object);

  end_group (self);
  disconnect (self);
  g_clear_object (&self->mask_texture);
  G_OBJECT_CLASS (ink_canvas_overlay_parent_class)->dispose (object);
}

static void
ink_canvas_overlay_class_init (InkCanvasOverlayClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ink_canvas_overlay_dispose;
  GTK_WIDGET_CLASS (klass)->snapshot = ink_canvas_overlay_snapshot;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "inkcanvas");

  /* TEXT: why an edit did not happen, for the window to show. */
  signals[NOTICE] = g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The selected hint changed (ink_canvas_overlay_get_selection). */
  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ink_canvas_overlay_init (InkCanvasOverlay *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->tool = INK_TOOL_SELECT;
  self->show_hints = TRUE;
  self->brush_size = INK_BRUSH_DEFAULT;
  self->mask_serial = G_MAXUINT;
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (on_drag_cancel), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (motion, "enter", G_CALLBACK (on_pointer), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_pointer), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_pointer_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
ink_canvas_overlay_new (void)
{
  return g_object_new (INK_TYPE_CANVAS_OVERLAY, NULL);
}

void
ink_canvas_overlay_set_document (InkCanvasOverlay *self, InkDocument *document, InkHistory *history,
                                 InkViewport *viewport)
{
  g_return_if_fail (INK_IS_CANVAS_OVERLAY (self));
  disconnect (self);
  self->document = g_object_ref (document);
  self->history = g_object_ref (history);
  self->viewport = g_object_ref (viewport);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  g_signal_connect (viewport, "changed", G_CALLBACK (on_viewport_changed), self);
  /* Scroll to zoom over the hints too. */
  ink_viewport_add_controllers (viewport, GTK_WIDGET (self), FALSE);
}

void
ink_canvas_overlay_set_tool (InkCanvasOverlay *self, InkTool tool)
{
  static const char *const cursors[] = { "default", "crosshair", "crosshair", "crosshair", "crosshair", "crosshair" };

  g_return_if_fail ((guint) tool < G_N_ELEMENTS (tool_names));
  if (self->dragging)
    release (self, self->cur_x - self->start_x, self->cur_y - self->start_y);
  self->tool = tool;
  if (tool != INK_TOOL_SELECT)
    self->sel_kind = INK_HINT_NONE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), cursors[tool]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

InkTool
ink_canvas_overlay_get_tool (InkCanvasOverlay *self)
{
  return self->tool;
}

void
ink_canvas_overlay_set_show_hints (InkCanvasOverlay *self, gboolean show)
{
  self->show_hints = !!show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ink_canvas_overlay_set_brush_size (InkCanvasOverlay *self, double diameter)
{
  self->brush_size = CLAMP (diameter, INK_BRUSH_MIN, INK_BRUSH_MAX);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
ink_canvas_overlay_get_brush_size (InkCanvasOverlay *self)
{
  return self->brush_size;
}

InkHintKind
ink_canvas_overlay_get_selection (InkCanvasOverlay *self, guint *index)
{
  if (index != NULL)
    *index = self->sel_index;
  return self->sel_kind;
}

gboolean
ink_canvas_overlay_delete_selection (InkCanvasOverlay *self)
{
  InkHintKind kind = self->sel_kind;

  if (kind == INK_HINT_NONE || self->dragging)
    return FALSE;
  self->sel_kind = INK_HINT_NONE;
  ink_document_remove_hint (self->document, kind, self->sel_index);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  return TRUE;
}

void
ink_canvas_overlay_clear_selection (InkCanvasOverlay *self)
{
  if (!self->dragging)
    select_hint (self, INK_HINT_NONE, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ink_canvas_overlay_set_arrow_kind (InkCanvasOverlay *self, InkArrowKind kind)
{
  g_return_if_fail (kind >= 0 && kind < INK_ARROW_N_KINDS);
  self->arrow_kind = kind;
}

InkArrowKind
ink_canvas_overlay_get_arrow_kind (InkCanvasOverlay *self)
{
  return self->arrow_kind;
}
