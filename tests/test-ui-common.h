/* test-ui-common.h: what the GUI tests share: running the main loop until a condition, and the window as a PNG, finding widgets by their text, clicking a button. */
#pragma once

#include <gtk/gtk.h>
#include <X11/Xlib.h>

/* Runs the main loop until COND (DATA) holds or SECONDS pass; FALSE on timeout. */
gboolean test_ui_wait_for (gboolean (*cond) (gpointer), gpointer data, double seconds);
/* Runs the main loop for SECONDS. */
void test_ui_run_for (double seconds);
/* WIDGET as its window's renderer draws it, as packed RGBA8 (g_free it). */
guint8 *test_ui_render_widget (GtkWidget *widget, int *width, int *height);
/* Saves WIDGET as NAME in $INKLOOP_TEST_ARTIFACTS (or FALLBACK_DIR); returns the path. */
char *test_ui_save_png (GtkWidget *widget, const char *fallback_dir, const char *name);
/* The first GtkLabel or GtkButton under ROOT (ROOT included) whose label is TEXT, or NULL. */
GtkWidget *test_ui_find_labelled (GtkWidget *root, const char *text);

/* The first widget of TYPE under ROOT (ROOT included) whose tooltip starts with PREFIX (NULL:
 * any widget of TYPE), or NULL (in the C locale tooltips are the source's English). */
GtkWidget *test_ui_find_tooltip (GtkWidget *root, GType type, const char *prefix);
/* Clicks the button under ROOT whose label is LABEL (as a user does: "clicked"); it must exist. */
void test_ui_click (GtkWidget *root, const char *label);

/* Real input through the X server (XTest), as a user's keyboard and mouse give it. */
Display *test_ui_x_display (GtkWidget *widget);
/* The root-window position of the point at fractions (FX, FY) of WIDGET's size. */
void test_ui_x_point (GtkWidget *widget, double fx, double fy, int *rx, int *ry);
/* Moves the pointer to WIDGET's centre and lets the events through (0.2 s). */
void test_ui_x_pointer_to (GtkWidget *widget);
