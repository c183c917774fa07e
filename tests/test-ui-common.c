/* test-ui-common.c: what the GUI tests share: running the main loop until a condition, and the window as a PNG, finding widgets by their text, clicking a button. */
#include "test-ui-common.h"

#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>

static gboolean
wake (gpointer data)
{
  (void) data;
  return G_SOURCE_CONTINUE;
}

gboolean
test_ui_wait_for (gboolean (*cond) (gpointer), gpointer data, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint id = g_timeout_add (10, wake, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return ok;
}

void
test_ui_run_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint id = g_timeout_add (10, wake, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

guint8 *
test_ui_render_widget (GtkWidget *widget, int *width, int *height)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr (GdkTexture) texture = NULL;
  guint8 *pixels;

  /* A widget waiting to be laid out again (a toast just arrived, the style changed) draws
   * nothing: let the frame clock lay it out first, for up to two seconds. */
  for (int tries = 0;; tries++)
    {
      *width = gtk_widget_get_width (widget);
      *height = gtk_widget_get_height (widget);
      g_assert_cmpint (*width, >, 0);
      gdk_paintable_snapshot (paintable, snapshot, *width, *height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL || tries == 100)
        break;
      test_ui_run_for (0.02);
      snapshot = gtk_snapshot_new ();
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  gsk_render_node_unref (node);
  *width = gdk_texture_get_width (texture);
  *height = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) *width * *height * 4);
  gdk_texture_download (texture, pixels, (gsize) *width * 4);
  return pixels;
}

char *
test_ui_save_png (GtkWidget *widget, const char *fallback_dir, const char *name)
{
  const char *dir = g_getenv ("INKLOOP_TEST_ARTIFACTS");
  char *path = g_build_filename (dir ? dir : fallback_dir, name, NULL);
  int w, h;
  guint8 *pixels = test_ui_render_widget (widget, &w, &h);
  g_autoptr (GBytes) bytes = g_bytes_new_take (pixels, (gsize) w * h * 4);
  g_autoptr (GdkTexture) texture = gdk_memory_texture_new (w, h, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                                           bytes, (gsize) w * 4);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%d x %d)", path, w, h);
  return path;
}

/* The first widget under ROOT (ROOT included, depth first) for which MATCHES (widget, DATA). */
static GtkWidget *
find_widget (GtkWidget *root, gboolean (*matches) (GtkWidget *, gconstpointer), gconstpointer data)
{
  if (matches (root, data))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, matches, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
labelled (GtkWidget *widget, gconstpointer text)
{
  const char *label = GTK_IS_LABEL (widget) ? gtk_label_get_label (GTK_LABEL (widget))
                      : GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget)) : NULL;

  return g_strcmp0 (label, text) == 0;
}

GtkWidget *
test_ui_find_labelled (GtkWidget *root, const char *text)
{
  return find_widget (root, labelled, text);
}

typedef struct {
  GType type;
  const char *prefix;
} TooltipQuery;

static gboolean
tooltip_matches (GtkWidget *widget, gconstpointer data)
{
  const TooltipQuery *q = data;
  const char *tip = gtk_widget_get_tooltip_text (widget);

  return G_TYPE_CHECK_INSTANCE_TYPE (widget, q->type)
         && (q->prefix == NULL || (tip != NULL && g_str_has_prefix (tip, q->prefix)));
}

GtkWidget *
test_ui_find_tooltip (GtkWidget *root, GType type, const char *prefix)
{
  TooltipQuery q = { type, prefix };

  return find_widget (root, tooltip_matches, &q);
}

void
test_ui_click (GtkWidget *root, const char *label)
{
  GtkWidget *button = test_ui_find_labelled (root, label);

  g_assert_true (GTK_IS_BUTTON (button));
  g_signal_emit_by_name (button, "clicked");
}

Display *
test_ui_x_display (GtkWidget *widget)
{
  return gdk_x11_display_get_xdisplay (gtk_widget_get_display (widget));
}

void
test_ui_x_point (GtkWidget *widget, double fx, double fy, int *rx, int *ry)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t p = GRAPHENE_POINT_INIT ((float) (gtk_widget_get_width (widget) * fx),
                                            (float) (gtk_widget_get_height (widget) * fy)), at;
  Display *display = test_ui_x_display (widget);
  double sx, sy;
  Window child;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &p, &at));
  gtk_native_get_surface_transform (native, &sx, &sy);
  XTranslateCoordinates (display, gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
                         DefaultRootWindow (display), (int) (at.x + sx), (int) (at.y + sy),
                         rx, ry, &child);
}

void
test_ui_x_pointer_to (GtkWidget *widget)
{
  Display *display = test_ui_x_display (widget);
  int x, y;

  test_ui_x_point (widget, 0.5, 0.5, &x, &y);
  XTestFakeMotionEvent (display, -1, x, y, 0);
  XFlush (display);
  test_ui_run_for (0.2);
}
