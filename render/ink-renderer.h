/* ink-renderer.h: picks the toolkit's renderer for the editor's windows: GL on a graphics device, Cairo on a software GL. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Call after GTK is initialised, before the first window is shown. GTK draws each window with GL
 * by default; on a software GL (Mesa's llvmpipe or softpipe, as on a machine without a GPU) that
 * redraws the whole window on the processor for every preview frame, and took 1.8 of 2 cores
 * while a loop played. Cairo draws only what changed. The loop itself stays a GL texture. A
 * GSK_RENDERER set by the user wins. Returns the GL renderer's name (for the log), or NULL. */
char *ink_renderer_choose (GdkDisplay *display);

/* Whether NAME (GL_RENDERER) is a software rasterizer. */
gboolean ink_renderer_is_software (const char *name);

G_END_DECLS
