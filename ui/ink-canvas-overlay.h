/* ink-canvas-overlay.h: the hints layer over a view: draws arrows, anchors, the freeze mask and the focus centre, and edits them with the current tool. */
#pragma once

#include <gtk/gtk.h>

#include "ink-document.h"
#include "ink-history.h"
#include "ink-viewport.h"

G_BEGIN_DECLS

typedef enum
{
  INK_TOOL_SELECT,   /* drag a hint to move it (empty space pans); Delete removes the selected one */
  INK_TOOL_ARROW,    /* drag from where material is to where it flows in one loop (flow), or to
                      * how far it swings (sway) */
  INK_TOOL_ANCHOR,   /* click: a point the flow leaves still */
  INK_TOOL_BRUSH,    /* paint the freeze mask */
  INK_TOOL_ERASER,   /* erase it */
  INK_TOOL_FOCUS,    /* click or drag: the focus-lines centre (turns focus lines on) */
} InkTool;

/* "select", "arrow", "anchor", "brush", "eraser", "focus"; -1 for an unknown name. */
const char *ink_tool_to_string (InkTool tool);
int ink_tool_from_string (const char *name);

/* Brush diameter in screen pixels. */
#define INK_BRUSH_MIN 4.0
#define INK_BRUSH_MAX 400.0
#define INK_BRUSH_DEFAULT 48.0

#define INK_TYPE_CANVAS_OVERLAY (ink_canvas_overlay_get_type ())
G_DECLARE_FINAL_TYPE (InkCanvasOverlay, ink_canvas_overlay, INK, CANVAS_OVERLAY, GtkWidget)

GtkWidget *ink_canvas_overlay_new (void);

void ink_canvas_overlay_set_document (InkCanvasOverlay *self, InkDocument *document,
                                      InkHistory *history, InkViewport *viewport);
void ink_canvas_overlay_set_tool (InkCanvasOverlay *self, InkTool tool);
InkTool ink_canvas_overlay_get_tool (InkCanvasOverlay *self);
/* Hidden hints are not drawn (to judge the loop); the tools still work. */
void ink_canvas_overlay_set_show_hints (InkCanvasOverlay *self, gboolean show);
void ink_canvas_overlay_set_brush_size (InkCanvasOverlay *self, double diameter);
double ink_canvas_overlay_get_brush_size (InkCanvasOverlay *self);

/* The hint the select tool picked (INK_HINT_NONE: none). */
InkHintKind ink_canvas_overlay_get_selection (InkCanvasOverlay *self, guint *index);
/* Removes the selected hint; FALSE when none is selected. "selection-changed" says when the
 * selection changes (a press with the select tool, a new arrow, which is selected, a removal,
 * an undo that takes the hint away). */
gboolean ink_canvas_overlay_delete_selection (InkCanvasOverlay *self);
void ink_canvas_overlay_clear_selection (InkCanvasOverlay *self);
/* The kind of arrow the arrow tool draws (INK_ARROW_FLOW at first). */
void ink_canvas_overlay_set_arrow_kind (InkCanvasOverlay *self, InkArrowKind kind);
InkArrowKind ink_canvas_overlay_get_arrow_kind (InkCanvasOverlay *self);

/* A press at (U0, V0) dragged to (U1, V1) and released, in picture fractions, with the current
 * tool: the same handlers the pointer gesture runs (a click is a drag of length zero). */
void ink_canvas_overlay_drag (InkCanvasOverlay *self, double u0, double v0, double u1, double v1);

G_END_DECLS
