/* ink-controls.c: the side panel: preset, style, loop, motion and effect controls built from the parameter registry, each with its value, unit, tooltip and reset. */
#include "ink-config.h"

#include "ink-controls.h"

#include <glib/gi18n.h>
#include <math.h>

/* The side panel's sections, in the registry's InkParamSection order. */
#define N_SECTIONS INK_PARAM_SECTION_EFFECTS

/* One control, built from a registry entry with a panel section. */
typedef struct
{
  const InkParamSpec *spec;
  GtkWidget *row;
  GtkWidget *input;
  GtkWidget *value_label;
  GtkWidget *reset;
  GtkWidget *why;          /* needs_arrows: why the control is off, shown under it then */
} Row;

struct _InkControls
{
  GtkWidget parent_instance;

  GtkWidget *scroller;
  GtkWidget *style_box;
  GtkWidget *loop_box;
  GtkWidget *motion_box;
  GtkWidget *effects_box;
  GtkWidget *preset_dropdown;

  InkDocument *document;
  GArray *rows;             /* Row, in the registry's order */
  gboolean syncing;
  gboolean adjusting;       /* a slider is held with the pointer */
};

G_DEFINE_FINAL_TYPE (InkControls, ink_controls, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_ADJUSTING, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
set_adjusting (InkControls *self, gboolean adjusting)
{
  if (self->adjusting == adjusting)
    return;
  self->adjusting = adjusting;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ADJUSTING]);
}

/* Sees every pointer event on a slider (capture phase, never claimed): held from a press to its
 * release, or to a broken grab. */
static gboolean
on_scale_event (GtkEventControllerLegacy *legacy, GdkEvent *event, InkControls *self)
{
  (void) legacy;
  switch (gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
      set_adjusting (self, TRUE);
      break;
    case GDK_BUTTON_RELEASE:
    case GDK_TOUCH_END:
    case GDK_TOUCH_CANCEL:
    case GDK_GRAB_BROKEN:
      set_adjusting (self, FALSE);
      break;
    default:
      break;
    }
  return FALSE;
}

static gboolean
is_shown (const InkParamSpec *spec)
{
  return spec->section >= INK_PARAM_SECTION_STYLE && spec->section <= N_SECTIONS;
}

static void
sync_row (InkControls *self, Row *row)
{
  double value = ink_document_get_value (self->document, row->spec->name);
  double base = ink_document_get_base_value (self->document, row->spec->name);

  switch (row->spec->type)
    {
    case INK_PARAM_INT:
    case INK_PARAM_FLOAT:
      {
        g_autofree char *text = NULL;
        char *number = g_strdup_printf ("%.*f", row->spec->digits, value * row->spec->display_scale);
        const char *unit = row->spec->display_unit;

        gtk_range_set_value (GTK_RANGE (row->input), value);
        if (unit == NULL)
          text = g_strdup (number);
        else if (g_str_equal (unit, "°"))
          text = g_strdup_printf ("%s°", number);
        else
          /* TRANSLATORS: a value and its unit, as in "2.0 px" or "50 %" */
          text = g_strdup_printf (C_("value with unit", "%s %s"), number, _(unit));
        g_free (number);
        gtk_label_set_text (GTK_LABEL (row->value_label), text);
        break;
      }
    case INK_PARAM_BOOL:
      gtk_switch_set_active (GTK_SWITCH (row->input), value != 0);
      break;
    case INK_PARAM_ENUM:
      gtk_drop_down_set_selected (GTK_DROP_DOWN (row->input), (guint) value);
      break;
    case INK_PARAM_COLOR:
    default:
      g_assert_not_reached ();
    }
  gtk_widget_set_sensitive (row->reset, fabs (value - base) > 1e-6);
  if (row->spec->depends != NULL)
    gtk_widget_set_sensitive (row->row, ink_document_get_value (self->document, row->spec->depends) != 0);
  if (row->spec->needs_arrows != NULL)
    {
      const InkProject *project = ink_document_get_project (self->document);
      gboolean arrows = FALSE;

      for (guint i = 0; project->hints != NULL && i < project->hints->arrows->len; i++)
        if (g_array_index (project->hints->arrows, InkArrow, i).kind == row->spec->needs_arrow_kind)
          arrows = TRUE;

      /* Said under the control, not in a tooltip, which an insensitive control does not show. */
      gtk_widget_set_sensitive (row->input, arrows);
      gtk_widget_set_visible (row->why, !arrows);
    }
}

static void
sync_all (InkControls *self)
{
  const char *preset;
  const InkStylePreset *presets;
  guint n_presets;

  if (self->document == NULL)
    return;
  self->syncing = TRUE;
  preset = ink_document_get_preset (self->document);
  presets = ink_style_presets (&n_presets);
  for (guint i = 0; i < n_presets; i++)
    if (g_str_equal (presets[i].name, preset))
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset_dropdown), i);
  for (guint i = 0; i < self->rows->len; i++)
    sync_row (self, &g_array_index (self->rows, Row, i));
  self->syncing = FALSE;
}

/* A clip is stylized frame by frame: the loop, motion and effect sections (and the separators
 * before them) are for a still and go while a clip is open. */
static void
show_sections (InkControls *self)
{
  gboolean clip = self->document != NULL && ink_document_get_clip (self->document) != NULL;
  GtkWidget *sections[] = { self->loop_box, self->motion_box, self->effects_box };

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      gtk_widget_set_visible (sections[i], !clip);
      gtk_widget_set_visible (gtk_widget_get_prev_sibling (sections[i]), !clip);
    }
}

static void
on_document_changed (InkDocument *document, guint what, const char *name, InkControls *self)
{
  (void) document, (void) name;
  if (what & (INK_CHANGE_SOURCE | INK_CHANGE_CLIP))
    show_sections (self);
  sync_all (self);
}

static void
set_from_row (InkControls *self, Row *row, double value)
{
  if (self->syncing || self->document == NULL)
    return;
  ink_document_set_value (self->document, row->spec->name, value);
}

static gboolean
on_scale_wheel (GtkEventControllerScroll *wheel, double dx, double dy, InkControls *self)
{
  GtkWidget *scale = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (wheel));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  GdkScrollUnit unit = gtk_event_controller_scroll_get_unit (wheel);
  double step;

  (void) dx;
  if (gtk_widget_has_focus (scale))
    return FALSE;
  /* A wheel notch moves the panel as its scrolled window would: a step of about a sixth of the
   * page's height to the power 2/3; smooth (surface) deltas are pixels. */
  step = unit == GDK_SCROLL_UNIT_WHEEL ? pow (gtk_adjustment_get_page_size (adj), 2.0 / 3.0) : 1.0;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + dy * step);
  return TRUE;
}

static void
on_scale_changed (GtkRange *range, InkControls *self)
{
  Row *row = g_object_get_data (G_OBJECT (range), "ink-row");
  set_from_row (self, row, gtk_range_get_value (range));
}

static void
on_switch_changed (GtkSwitch *sw, GParamSpec *pspec, InkControls *self)
{
  Row *row = g_object_get_data (G_OBJECT (sw), "ink-row");
  (void) pspec;
  set_from_row (self, row, gtk_switch_get_active (sw) ? 1 : 0);
}

static void
on_choice_changed (GtkDropDown *dropdown, GParamSpec *pspec, InkControls *self)
{
  Row *row = g_object_get_data (G_OBJECT (dropdown), "ink-row");
  (void) pspec;
  set_from_row (self, row, gtk_drop_down_get_selected (dropdown));
}

static void
on_reset_clicked (GtkButton *button, InkControls *self)
{
  Row *row = g_object_get_data (G_OBJECT (button), "ink-row");

  if (self->document != NULL)
    ink_document_reset_value (self->document, row->spec->name);
}

static void
on_preset_changed (GtkDropDown *dropdown, GParamSpec *pspec, InkControls *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  guint n_presets;
  const InkStylePreset *presets = ink_style_presets (&n_presets);

  (void) pspec;
  if (self->syncing || self->document == NULL || i >= n_presets)
    return;
  if (!g_str_equal (ink_document_get_preset (self->document), presets[i].name))
    ink_document_set_preset (self->document, presets[i].name);
}

static GtkStringList *
translated_list (const char *const *labels)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; labels[i] != NULL; i++)
    gtk_string_list_append (list, _(labels[i]));
  return list;
}

static void
build_row (InkControls *self, Row *row, const InkParamSpec *spec)
{
  GtkWidget *boxes[] = { self->style_box, self->loop_box, self->motion_box, self->effects_box };
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (_(spec->label));
  g_autofree char *reset_name = g_strdup_printf (_("Reset %s"), _(spec->accessible));

  G_STATIC_ASSERT (G_N_ELEMENTS (boxes) == N_SECTIONS);
  row->spec = spec;
  row->row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (row->row, "ink-control");
  gtk_widget_set_tooltip_text (row->row, _(spec->tooltip));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (top), label);

  switch (spec->type)
    {
    case INK_PARAM_INT:
    case INK_PARAM_FLOAT:
      row->input = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, spec->min, spec->max,
                                             spec->step);
      gtk_scale_set_draw_value (GTK_SCALE (row->input), FALSE);
      gtk_range_set_round_digits (GTK_RANGE (row->input),
                                  spec->type == INK_PARAM_INT ? 0 : spec->digits + (spec->display_scale > 1 ? 2 : 1));
      gtk_widget_set_hexpand (row->input, TRUE);
      row->value_label = gtk_label_new (NULL);
      gtk_widget_add_css_class (row->value_label, "numeric");
      gtk_widget_add_css_class (row->value_label, "dim-label");
      gtk_box_append (GTK_BOX (top), row->value_label);
      g_signal_connect (row->input, "value-changed", G_CALLBACK (on_scale_changed), self);
      {
        /* Before the scale's own wheel handling: unless it has the focus, the wheel scrolls the
         * panel, so scrolling past a slider never changes it. */
        GtkEventController *wheel = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
        gtk_event_controller_set_propagation_phase (wheel, GTK_PHASE_CAPTURE);
        g_signal_connect (wheel, "scroll", G_CALLBACK (on_scale_wheel), self);
        gtk_widget_add_controller (row->input, wheel);
      }
      {
        GtkEventController *legacy = gtk_event_controller_legacy_new ();
        gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
        g_signal_connect (legacy, "event", G_CALLBACK (on_scale_event), self);
        gtk_widget_add_controller (row->input, legacy);
      }
      break;
    case INK_PARAM_BOOL:
      row->input = gtk_switch_new ();
      gtk_widget_set_valign (row->input, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (top), row->input);
      g_signal_connect (row->input, "notify::active", G_CALLBACK (on_switch_changed), self);
      break;
    case INK_PARAM_ENUM:
      row->input = gtk_drop_down_new (G_LIST_MODEL (translated_list (spec->choice_labels)), NULL);
      gtk_widget_set_valign (row->input, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (top), row->input);
      g_signal_connect (row->input, "notify::selected", G_CALLBACK (on_choice_changed), self);
      break;
    case INK_PARAM_COLOR:
    default:
      g_error ("%s: the panel has no control for colours", spec->name);
    }
  g_object_set_data (G_OBJECT (row->input), "ink-row", row);
  gtk_widget_set_name (row->input, spec->name);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), row->input);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->input), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(spec->accessible), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _(spec->tooltip), -1);

  row->reset = gtk_button_new_from_icon_name ("edit-undo-symbolic");
  gtk_widget_add_css_class (row->reset, "flat");
  gtk_widget_add_css_class (row->reset, "circular");
  gtk_widget_add_css_class (row->reset, "ink-reset");
  gtk_widget_set_valign (row->reset, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (row->reset, reset_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->reset), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  reset_name, -1);
  g_object_set_data (G_OBJECT (row->reset), "ink-row", row);
  g_signal_connect (row->reset, "clicked", G_CALLBACK (on_reset_clicked), self);
  gtk_box_append (GTK_BOX (top), row->reset);

  gtk_box_append (GTK_BOX (row->row), top);
  if (GTK_IS_SCALE (row->input))
    gtk_box_append (GTK_BOX (row->row), row->input);
  if (spec->needs_arrows != NULL)
    {
      row->why = gtk_label_new (_(spec->needs_arrows));
      gtk_label_set_wrap (GTK_LABEL (row->why), TRUE);
      gtk_label_set_xalign (GTK_LABEL (row->why), 0);
      gtk_widget_add_css_class (row->why, "dim-label");
      gtk_widget_add_css_class (row->why, "caption");
      gtk_widget_set_visible (row->why, FALSE);
      gtk_box_append (GTK_BOX (row->row), row->why);
    }
  gtk_box_append (GTK_BOX (boxes[spec->section - INK_PARAM_SECTION_STYLE]), row->row);
}

static void
ink_controls_dispose (GObject *object)
{
  InkControls *self = INK_CONTROLS (object);

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), INK_TYPE_CONTROLS);
  g_clear_pointer (&self->rows, g_array_unref);
  G_OBJECT_CLASS (ink_controls_parent_class)->dispose (object);
}

static void
ink_controls_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  InkControls *self = INK_CONTROLS (object);

  switch (id)
    {
    case PROP_ADJUSTING: g_value_set_boolean (value, self->adjusting); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
ink_controls_class_init (InkControlsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_controls_dispose;
  G_OBJECT_CLASS (klass)->get_property = ink_controls_get_property;
  /* A slider is held: changes come in a stream, and the one at the release is the last. */
  props[PROP_ADJUSTING] = g_param_spec_boolean ("adjusting", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), N_PROPS, props);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/inkloop/Inkloop/ink-controls.ui");
  gtk_widget_class_bind_template_child (widget_class, InkControls, scroller);
  gtk_widget_class_bind_template_child (widget_class, InkControls, style_box);
  gtk_widget_class_bind_template_child (widget_class, InkControls, loop_box);
  gtk_widget_class_bind_template_child (widget_class, InkControls, motion_box);
  gtk_widget_class_bind_template_child (widget_class, InkControls, effects_box);
  gtk_widget_class_bind_template_child (widget_class, InkControls, preset_dropdown);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "inkcontrols");
}

static int
compare_panel_order (gconstpointer a, gconstpointer b)
{
  const InkParamSpec *x = *(const InkParamSpec *const *) a, *y = *(const InkParamSpec *const *) b;

  return x->section != y->section ? (int) x->section - (int) y->section
                                  : x->position - y->position;
}

static void
ink_controls_init (InkControls *self)
{
  static const InkParamGroup groups[] = { INK_PARAM_GROUP_STYLE, INK_PARAM_GROUP_MOTION };
  GtkStringList *presets = gtk_string_list_new (NULL);
  const InkStylePreset *preset = NULL;
  guint n = 0, n_rows = 0;

  gtk_widget_init_template (GTK_WIDGET (self));
  preset = ink_style_presets (&n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (presets, _(preset[i].label));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->preset_dropdown), G_LIST_MODEL (presets));
  g_signal_connect (self->preset_dropdown, "notify::selected", G_CALLBACK (on_preset_changed), self);

  /* Rows point into the array: it is sized once, before any is built. */
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      const InkParamSpec *specs = ink_param_group_specs (groups[g], &n);

      for (guint i = 0; i < n; i++)
        n_rows += is_shown (&specs[i]);
    }
  self->rows = g_array_sized_new (FALSE, TRUE, sizeof (Row), n_rows);
  g_array_set_size (self->rows, n_rows);
  {
    /* In the panel's order: by section, then by each entry's position in it. */
    g_autoptr (GPtrArray) shown = g_ptr_array_sized_new (n_rows);

    for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
      {
        const InkParamSpec *specs = ink_param_group_specs (groups[g], &n);

        for (guint i = 0; i < n; i++)
          if (is_shown (&specs[i]))
            g_ptr_array_add (shown, (gpointer) &specs[i]);
      }
    g_ptr_array_sort (shown, compare_panel_order);
    for (guint i = 0; i < shown->len; i++)
      build_row (self, &g_array_index (self->rows, Row, i), g_ptr_array_index (shown, i));
  }
}

GtkWidget *
ink_controls_new (void)
{
  return g_object_new (INK_TYPE_CONTROLS, NULL);
}

void
ink_controls_set_document (InkControls *self, InkDocument *document)
{
  g_return_if_fail (INK_IS_CONTROLS (self));
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  if (document != NULL)
    g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  sync_all (self);
}

GtkWidget *
ink_controls_get_control (InkControls *self, const char *name)
{
  for (guint i = 0; i < self->rows->len; i++)
    if (g_str_equal (g_array_index (self->rows, Row, i).spec->name, name))
      return g_array_index (self->rows, Row, i).input;
  return NULL;
}

GtkWidget *
ink_controls_get_preset_dropdown (InkControls *self)
{
  return self->preset_dropdown;
}

gboolean
ink_controls_get_adjusting (InkControls *self)
{
  g_return_val_if_fail (INK_IS_CONTROLS (self), FALSE);
  return self->adjusting;
}
