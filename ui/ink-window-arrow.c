/* ink-window-arrow.c: the tool bar's arrow controls: the kind (flow or sway) and the reach of the
 * selected arrow, or, with none selected, the kind the arrow tool draws and the reach of arrows
 * without their own (the motion's flow-reach). */
#include "ink-config.h"

#include "ink-window-private.h"

/* The canvas whose selection is an arrow (the photo's first), or NULL. */
static InkCanvasOverlay *
arrow_canvas (InkWindow *self, guint *index)
{
  InkCanvasOverlay *canvases[2] = { INK_CANVAS_OVERLAY (self->source_canvas),
                                    INK_CANVAS_OVERLAY (self->preview_canvas) };

  for (int k = 0; k < 2; k++)
    if (ink_canvas_overlay_get_selection (canvases[k], index) == INK_HINT_ARROW)
      return canvases[k];
  return NULL;
}

static const InkArrow *
selected_arrow (InkWindow *self, guint *index)
{
  const InkMotionHints *hints = ink_document_get_hints (self->document);

  if (arrow_canvas (self, index) == NULL || *index >= hints->arrows->len)
    return NULL;
  return &g_array_index (hints->arrows, InkArrow, *index);
}

void
ink_window_arrow_sync (InkWindow *self)
{
  const InkProject *project = ink_document_get_project (self->document);
  InkCanvasOverlay *canvas = INK_CANVAS_OVERLAY (self->source_canvas);
  guint index = 0;
  const InkArrow *arrow = selected_arrow (self, &index);
  gboolean active = arrow != NULL || ink_canvas_overlay_get_tool (canvas) == INK_TOOL_ARROW;

  if (project == NULL)
    return;
  self->syncing_arrow = TRUE;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->arrow_kind),
                              arrow != NULL ? (guint) arrow->kind
                                            : (guint) ink_canvas_overlay_get_arrow_kind (canvas));
  gtk_range_set_value (GTK_RANGE (self->reach_scale),
                       100.0 * (arrow != NULL ? ink_arrow_reach (arrow, &project->motion)
                                              : project->motion.flow_reach));
  self->syncing_arrow = FALSE;
  gtk_widget_set_sensitive (self->arrow_kind, active);
  gtk_widget_set_sensitive (self->reach_label, active);
  gtk_widget_set_sensitive (self->reach_scale, active);
  /* Shown only while they act (ink-window-actions.c does the same for the brush). */
  gtk_widget_set_visible (self->arrow_kind, active);
  gtk_widget_set_visible (self->reach_label, active);
  gtk_widget_set_visible (self->reach_scale, active);
}

static void
on_arrow_kind_changed (GtkDropDown *drop_down, GParamSpec *pspec, InkWindow *self)
{
  guint kind = gtk_drop_down_get_selected (drop_down), index = 0;
  const InkArrow *arrow;

  (void) pspec;
  if (self->syncing_arrow || kind >= INK_ARROW_N_KINDS)
    return;
  /* New arrows are of this kind from now on; the selected one becomes it. */
  ink_canvas_overlay_set_arrow_kind (INK_CANVAS_OVERLAY (self->source_canvas), kind);
  ink_canvas_overlay_set_arrow_kind (INK_CANVAS_OVERLAY (self->preview_canvas), kind);
  arrow = selected_arrow (self, &index);
  if (arrow != NULL && arrow->kind != (int) kind)
    {
      InkArrow a = *arrow;
      a.kind = (int) kind;
      ink_document_edit_arrow (self->document, index, &a, "kind");
    }
}

static void
on_reach_scale_changed (GtkRange *range, InkWindow *self)
{
  double reach = gtk_range_get_value (range) / 100.0;
  guint index = 0;
  const InkArrow *arrow;

  if (self->syncing_arrow)
    return;
  arrow = selected_arrow (self, &index);
  if (arrow != NULL)
    {
      InkArrow a = *arrow;
      a.reach = (float) CLAMP (reach, INK_ARROW_REACH_MIN, INK_ARROW_REACH_MAX);
      ink_document_edit_arrow (self->document, index, &a, "reach");
    }
  else
    ink_document_set_value (self->document, "flow-reach", reach);
}

/* One selection at a time: a hint picked on one view drops the other view's. */
static void
on_selection_changed (InkCanvasOverlay *canvas, InkWindow *self)
{
  InkCanvasOverlay *other = INK_CANVAS_OVERLAY (GTK_WIDGET (canvas) == self->source_canvas
                                                ? self->preview_canvas : self->source_canvas);

  if (ink_canvas_overlay_get_selection (canvas, NULL) != INK_HINT_NONE)
    ink_canvas_overlay_clear_selection (other);
  ink_window_arrow_sync (self);
}

void
ink_window_arrow_init (InkWindow *self)
{
  g_signal_connect (self->arrow_kind, "notify::selected", G_CALLBACK (on_arrow_kind_changed), self);
  g_signal_connect (self->reach_scale, "value-changed", G_CALLBACK (on_reach_scale_changed), self);
  g_signal_connect (self->source_canvas, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect (self->preview_canvas, "selection-changed", G_CALLBACK (on_selection_changed), self);
}
