/* ink-spinner.c: a small busy indicator that redraws eight times a second (not every frame), so software-rendered desktops stay smooth while the loop is made. */
#include "ink-spinner.h"

#include <math.h>

#define SPOKES 8
#define STEP_US (G_USEC_PER_SEC / SPOKES)
#define SIZE 16

struct _InkSpinner
{
  GtkWidget parent_instance;
  gboolean spinning;
  guint tick_id;
  int step;
};

G_DEFINE_FINAL_TYPE (InkSpinner, ink_spinner, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_SPINNING, N_PROPS };
static GParamSpec *props[N_PROPS];

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  InkSpinner *self = INK_SPINNER (widget);
  int step = (int) ((gdk_frame_clock_get_frame_time (clock) / STEP_US) % SPOKES);

  (void) data;
  if (step != self->step)
    {
      self->step = step;
      gtk_widget_queue_draw (widget);
    }
  return G_SOURCE_CONTINUE;
}

static void
ink_spinner_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  InkSpinner *self = INK_SPINNER (widget);
  float cx = gtk_widget_get_width (widget) / 2.0f, cy = gtk_widget_get_height (widget) / 2.0f;
  GdkRGBA color;

  if (!self->spinning)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  for (int i = 0; i < SPOKES; i++)
    {
      double angle = i * 2 * G_PI / SPOKES - G_PI / 2;
      int age = (self->step - i + SPOKES) % SPOKES;
      GdkRGBA c = color;
      float x = cx + (float) cos (angle) * 5.5f, y = cy + (float) sin (angle) * 5.5f;
      GskRoundedRect dot;

      c.alpha *= (float) (1.0 - age / (double) SPOKES * 0.85);
      gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (x - 1.5f, y - 1.5f, 3, 3), 1.5f);
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, &c, &dot.bounds);
      gtk_snapshot_pop (snapshot);
    }
}

static void
ink_spinner_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                     int *natural, int *minimum_baseline, int *natural_baseline)
{
  (void) widget, (void) orientation, (void) for_size;
  *minimum = *natural = SIZE;
  *minimum_baseline = *natural_baseline = -1;
}

void
ink_spinner_set_spinning (InkSpinner *self, gboolean spinning)
{
  g_return_if_fail (INK_IS_SPINNER (self));
  spinning = !!spinning;
  if (self->spinning == spinning)
    return;
  self->spinning = spinning;
  if (spinning && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  else if (!spinning && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SPINNING]);
}

gboolean
ink_spinner_get_spinning (InkSpinner *self)
{
  return self->spinning;
}

static void
ink_spinner_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  switch (id)
    {
    case PROP_SPINNING: g_value_set_boolean (value, INK_SPINNER (object)->spinning); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
ink_spinner_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  switch (id)
    {
    case PROP_SPINNING: ink_spinner_set_spinning (INK_SPINNER (object), g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
ink_spinner_class_init (InkSpinnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ink_spinner_get_property;
  object_class->set_property = ink_spinner_set_property;
  widget_class->snapshot = ink_spinner_snapshot;
  widget_class->measure = ink_spinner_measure;
  props[PROP_SPINNING] = g_param_spec_boolean ("spinning", NULL, NULL, FALSE,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
  gtk_widget_class_set_css_name (widget_class, "inkspinner");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
}

static void
ink_spinner_init (InkSpinner *self)
{
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
}

GtkWidget *
ink_spinner_new (void)
{
  return g_object_new (INK_TYPE_SPINNER, NULL);
}
