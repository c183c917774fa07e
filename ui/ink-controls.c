/* ink-controls.c: the side panel: preset, style, loop, motion and effect controls, each with its value, unit, tooltip and reset. */
#include "ink-config.h"

#include "ink-controls.h"

#include <glib/gi18n.h>
#include <math.h>

typedef enum { ROW_SCALE, ROW_SWITCH, ROW_CHOICE } RowKind;
typedef enum { SECTION_STYLE, SECTION_LOOP, SECTION_MOTION, SECTION_EFFECTS } Section;

/* One control: NAME is the engine's parameter name; ranges come from its spec table. */
typedef struct
{
  const char *name;
  RowKind kind;
  Section section;
  const char *label;          /* N_() with a mnemonic */
  const char *accessible;     /* N_(): the name screen readers announce */
  const char *tooltip;        /* N_() */
  const char *unit;           /* N_() or NULL */
  double display_scale;       /* shown value = value x this (100 for percent) */
  int digits;                 /* shown decimals */
  double step;                /* in the parameter's units */
  const char *const *choices; /* ROW_CHOICE: N_() labels in the enum's order */
  const char *depends;        /* sensitive only while this parameter is not 0 */
} ControlSpec;

static const char *const camera_choices[] = {
  N_("Still"), N_("Breathe"), N_("Zoom"), N_("Pan"), N_("Rotate"), N_("Hand-held"), NULL };
static const char *const particle_choices[] = {
  N_("None"), N_("Rain"), N_("Snow"), N_("Petals"), N_("Sparkles"), NULL };

static const ControlSpec control_specs[] = {
  { "line-weight", ROW_SCALE, SECTION_STYLE, N_("Line _weight"), N_("Line weight"),
    N_("Thickness of the ink strokes, in pixels at a 1024 px picture; 0 draws no lines"),
    N_("px"), 1, 1, 0.1, NULL, NULL },
  { "line-sensitivity", ROW_SCALE, SECTION_STYLE, N_("Line _detail"), N_("Line detail"),
    N_("How much detail gets a line: low keeps only strong edges, high inks fine texture"),
    "%", 100, 0, 0.01, NULL, NULL },
  { "flatten", ROW_SCALE, SECTION_STYLE, N_("_Flat colour"), N_("Colour flattening"),
    N_("How flat the colour regions are: low keeps the photo's shading, high paints flat cel colours"),
    "%", 100, 0, 0.01, NULL, NULL },
  { "colors", ROW_SCALE, SECTION_STYLE, N_("_Colours"), N_("Number of colours"),
    N_("Size of the palette the picture is painted with"), NULL, 1, 0, 1, NULL, NULL },
  { "saturation", ROW_SCALE, SECTION_STYLE, N_("_Saturation"), N_("Saturation"),
    N_("Colour strength: 0 is grey, 1 the photo's colours, 2 twice as vivid"),
    "×", 1, 2, 0.05, NULL, NULL },
  { "frames", ROW_SCALE, SECTION_LOOP, N_("F_rames"), N_("Frames in the loop"),
    N_("Number of frames in one loop; with the frame rate it sets the loop's length"),
    NULL, 1, 0, 1, NULL, NULL },
  { "fps", ROW_SCALE, SECTION_LOOP, N_("Frame _rate"), N_("Frame rate"),
    N_("Frames shown per second; changing it only changes the playing speed"),
    N_("fps"), 1, 0, 1, NULL, NULL },
  { "hold", ROW_SCALE, SECTION_LOOP, N_("_Hold"), N_("Hold"),
    N_("Frames each drawing is held: 1 animates on ones, 2 on twos like hand-drawn animation"),
    NULL, 1, 0, 1, NULL, NULL },
  { "motion", ROW_SCALE, SECTION_MOTION, N_("_Strength"), N_("Motion strength"),
    N_("Scales every kind of motion at once; at 0 every frame is the still picture"),
    "%", 100, 0, 0.01, NULL, NULL },
  { "boil", ROW_SCALE, SECTION_MOTION, N_("Line _boil"), N_("Line boil"),
    N_("How much the ink lines wobble from drawing to drawing, like hand-redrawn animation"),
    "%", 100, 0, 0.01, NULL, NULL },
  { "flow", ROW_SCALE, SECTION_MOTION, N_("F_low"), N_("Flow"),
    N_("How far material moves along the picture's flow arrows in one loop"),
    "%", 100, 0, 0.01, NULL, NULL },
  { "camera", ROW_CHOICE, SECTION_MOTION, N_("C_amera"), N_("Camera move"),
    N_("A camera move that returns to where it started at the end of the loop"),
    NULL, 1, 0, 1, camera_choices, NULL },
  { "camera-amount", ROW_SCALE, SECTION_MOTION, N_("Camera a_mount"), N_("Camera amount"),
    N_("How far the camera moves"), "%", 100, 0, 0.01, NULL, "camera" },
  { "focus-lines", ROW_SWITCH, SECTION_EFFECTS, N_("_Focus lines"), N_("Focus lines"),
    N_("Manga concentration lines around the centre of the picture"), NULL, 1, 0, 1, NULL, NULL },
  { "focus-amount", ROW_SCALE, SECTION_EFFECTS, N_("Focus lines de_nsity"), N_("Focus lines density"),
    N_("How many focus lines are drawn"), "%", 100, 0, 0.01, NULL, "focus-lines" },
  { "speed-lines", ROW_SWITCH, SECTION_EFFECTS, N_("S_peed lines"), N_("Speed lines"),
    N_("Manga speed lines streaking across the picture"), NULL, 1, 0, 1, NULL, NULL },
  { "speed-amount", ROW_SCALE, SECTION_EFFECTS, N_("Speed lines d_ensity"), N_("Speed lines density"),
    N_("How many speed lines are drawn"), "%", 100, 0, 0.01, NULL, "speed-lines" },
  { "speed-angle", ROW_SCALE, SECTION_EFFECTS, N_("Speed lines an_gle"), N_("Speed lines angle"),
    N_("Direction the speed lines run: 0° left to right, 90° top to bottom"),
    "°", 1, 0, 5, NULL, "speed-lines" },
  { "particles", ROW_CHOICE, SECTION_EFFECTS, N_("Part_icles"), N_("Particles"),
    N_("Falling rain, snow, petals or sparkles that wrap around seamlessly"),
    NULL, 1, 0, 1, particle_choices, NULL },
  { "particle-amount", ROW_SCALE, SECTION_EFFECTS, N_("Particle amo_unt"), N_("Particle amount"),
    N_("How many particles fall"), "%", 100, 0, 0.01, NULL, "particles" },
};

static const char *const preset_ids[] = { "default", "anime", "comic", "manga", "soft", NULL };
static const char *const preset_labels[] = {
  N_("Default"), N_("Anime"), N_("Comic"), N_("Manga"), N_("Soft"), NULL };

typedef struct
{
  const ControlSpec *spec;
  const InkParamSpec *param;
  GtkWidget *row;
  GtkWidget *input;
  GtkWidget *value_label;
  GtkWidget *reset;
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
  Row rows[G_N_ELEMENTS (control_specs)];
  gboolean syncing;
};

G_DEFINE_FINAL_TYPE (InkControls, ink_controls, GTK_TYPE_WIDGET)

static const InkParamSpec *
param_spec (const char *name)
{
  guint n;
  const InkParamSpec *specs = ink_style_param_specs (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (specs[i].name, name))
      return &specs[i];
  specs = ink_motion_param_specs (&n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (specs[i].name, name))
      return &specs[i];
  g_error ("no parameter named %s", name);
}

static void
sync_row (InkControls *self, Row *row)
{
  double value = ink_document_get_value (self->document, row->spec->name);
  double base = ink_document_get_base_value (self->document, row->spec->name);

  switch (row->spec->kind)
    {
    case ROW_SCALE:
      {
        g_autofree char *text = NULL;
        char *number = g_strdup_printf ("%.*f", row->spec->digits, value * row->spec->display_scale);

        gtk_range_set_value (GTK_RANGE (row->input), value);
        if (row->spec->unit == NULL)
          text = g_strdup (number);
        else if (g_str_equal (row->spec->unit, "°"))
          text = g_strdup_printf ("%s°", number);
        else
          /* TRANSLATORS: a value and its unit, as in "2.0 px" or "50 %" */
          text = g_strdup_printf (C_("value with unit", "%s %s"), number, _(row->spec->unit));
        g_free (number);
        gtk_label_set_text (GTK_LABEL (row->value_label), text);
        break;
      }
    case ROW_SWITCH:
      gtk_switch_set_active (GTK_SWITCH (row->input), value != 0);
      break;
    case ROW_CHOICE:
      gtk_drop_down_set_selected (GTK_DROP_DOWN (row->input), (guint) value);
      break;
    }
  gtk_widget_set_sensitive (row->reset, fabs (value - base) > 1e-6);
  if (row->spec->depends != NULL)
    gtk_widget_set_sensitive (row->row, ink_document_get_value (self->document, row->spec->depends) != 0);
  if (g_str_equal (row->spec->name, "flow"))
    {
      const InkProject *project = ink_document_get_project (self->document);
      gboolean arrows = project->hints != NULL && project->hints->arrows->len > 0;

      gtk_widget_set_sensitive (row->row, arrows);
      gtk_widget_set_tooltip_text (row->row, arrows ? _(row->spec->tooltip)
                                                    : _("Flow moves material along arrows drawn on the picture; this picture has none yet"));
    }
}

static void
sync_all (InkControls *self)
{
  const char *preset;

  if (self->document == NULL)
    return;
  self->syncing = TRUE;
  preset = ink_document_get_preset (self->document);
  for (guint i = 0; preset_ids[i] != NULL; i++)
    if (g_str_equal (preset_ids[i], preset))
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset_dropdown), i);
  for (guint i = 0; i < G_N_ELEMENTS (self->rows); i++)
    sync_row (self, &self->rows[i]);
  self->syncing = FALSE;
}

static void
on_document_changed (InkDocument *document, guint what, const char *name, InkControls *self)
{
  (void) document, (void) what, (void) name;
  sync_all (self);
}

static void
set_from_row (InkControls *self, Row *row, double value)
{
  if (self->syncing || self->document == NULL)
    return;
  ink_document_set_value (self->document, row->spec->name, value);
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

  (void) pspec;
  if (self->syncing || self->document == NULL || i >= G_N_ELEMENTS (preset_ids) - 1)
    return;
  if (!g_str_equal (ink_document_get_preset (self->document), preset_ids[i]))
    ink_document_set_preset (self->document, preset_ids[i]);
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
build_row (InkControls *self, Row *row, const ControlSpec *spec)
{
  GtkWidget *boxes[] = { self->style_box, self->loop_box, self->motion_box, self->effects_box };
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (_(spec->label));
  g_autofree char *reset_name = g_strdup_printf (_("Reset %s"), _(spec->accessible));

  row->spec = spec;
  row->param = param_spec (spec->name);
  row->row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (row->row, "ink-control");
  gtk_widget_set_tooltip_text (row->row, _(spec->tooltip));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (top), label);

  switch (spec->kind)
    {
    case ROW_SCALE:
      row->input = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, row->param->min,
                                             row->param->max, spec->step);
      gtk_scale_set_draw_value (GTK_SCALE (row->input), FALSE);
      gtk_range_set_round_digits (GTK_RANGE (row->input),
                                  row->param->type == INK_PARAM_INT ? 0 : spec->digits + (spec->display_scale > 1 ? 2 : 1));
      gtk_widget_set_hexpand (row->input, TRUE);
      row->value_label = gtk_label_new (NULL);
      gtk_widget_add_css_class (row->value_label, "numeric");
      gtk_widget_add_css_class (row->value_label, "dim-label");
      gtk_box_append (GTK_BOX (top), row->value_label);
      g_signal_connect (row->input, "value-changed", G_CALLBACK (on_scale_changed), self);
      break;
    case ROW_SWITCH:
      row->input = gtk_switch_new ();
      gtk_widget_set_valign (row->input, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (top), row->input);
      g_signal_connect (row->input, "notify::active", G_CALLBACK (on_switch_changed), self);
      break;
    case ROW_CHOICE:
      row->input = gtk_drop_down_new (G_LIST_MODEL (translated_list (spec->choices)), NULL);
      gtk_widget_set_valign (row->input, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (top), row->input);
      g_signal_connect (row->input, "notify::selected", G_CALLBACK (on_choice_changed), self);
      break;
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
  if (spec->kind == ROW_SCALE)
    gtk_box_append (GTK_BOX (row->row), row->input);
  gtk_box_append (GTK_BOX (boxes[spec->section]), row->row);
}

static void
ink_controls_dispose (GObject *object)
{
  InkControls *self = INK_CONTROLS (object);

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), INK_TYPE_CONTROLS);
  G_OBJECT_CLASS (ink_controls_parent_class)->dispose (object);
}

static void
ink_controls_class_init (InkControlsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ink_controls_dispose;
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

static void
ink_controls_init (InkControls *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->preset_dropdown),
                           G_LIST_MODEL (translated_list (preset_labels)));
  g_signal_connect (self->preset_dropdown, "notify::selected", G_CALLBACK (on_preset_changed), self);
  for (guint i = 0; i < G_N_ELEMENTS (control_specs); i++)
    build_row (self, &self->rows[i], &control_specs[i]);
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
  for (guint i = 0; i < G_N_ELEMENTS (self->rows); i++)
    if (g_str_equal (self->rows[i].spec->name, name))
      return self->rows[i].input;
  return NULL;
}

GtkWidget *
ink_controls_get_preset_dropdown (InkControls *self)
{
  return self->preset_dropdown;
}
