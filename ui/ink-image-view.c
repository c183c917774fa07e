/* ink-image-view.c: the photo view: a texture placed by the shared viewport, with scroll-to-zoom and drag-to-pan. */
#include "ink-image-view.h"

struct _InkImageView
{
  GtkWidget parent_instance;
  InkViewport *viewport;
  GdkTexture *texture;
};

G_DEFINE_FINAL_TYPE (InkImageView, ink_image_view, GTK_TYPE_WIDGET)

static void
ink_image_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  InkImageView *self = INK_IMAGE_VIEW (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  graphene_rect_t r;

  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.118f, 0.118f, 0.125f, 1.0f },
                             &GRAPHENE_RECT_INIT (0, 0, (float) w, (float) h));
  if (self->texture == NULL || self->viewport == NULL
      || !ink_viewport_get_rect (self->viewport, w, h, &r))
    return;
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, (float) w, (float) h));
  gtk_snapshot_append_texture (snapshot, self->texture, &r);
  gtk_snapshot_pop (snapshot);
}

static void
ink_image_view_dispose (GObject *object)
{
  InkImageView *self = INK_IMAGE_VIEW (object);

  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_clear_object (&self->viewport);
  g_clear_object (&self->texture);
  G_OBJECT_CLASS (ink_image_view_parent_class)->dispose (object);
}

static void
ink_image_view_class_init (InkImageViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_image_view_dispose;
  widget_class->snapshot = ink_image_view_snapshot;
  gtk_widget_class_set_css_name (widget_class, "inkimageview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ink_image_view_init (InkImageView *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
ink_image_view_new (void)
{
  return g_object_new (INK_TYPE_IMAGE_VIEW, NULL);
}

void
ink_image_view_set_viewport (InkImageView *self, InkViewport *viewport)
{
  g_return_if_fail (INK_IS_IMAGE_VIEW (self));
  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_set_object (&self->viewport, viewport);
  if (viewport != NULL)
    {
      g_signal_connect_swapped (viewport, "changed", G_CALLBACK (gtk_widget_queue_draw), self);
      ink_viewport_add_controllers (viewport, GTK_WIDGET (self), TRUE);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ink_image_view_set_texture (InkImageView *self, GdkTexture *texture)
{
  g_return_if_fail (INK_IS_IMAGE_VIEW (self));
  if (g_set_object (&self->texture, texture))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

GdkTexture *
ink_image_view_get_texture (InkImageView *self)
{
  return self->texture;
}
