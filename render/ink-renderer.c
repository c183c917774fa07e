/* ink-renderer.c: picks the toolkit's renderer for the editor's windows: GL on a graphics device, Cairo on a software GL. */
#include "ink-renderer.h"

#include <epoxy/gl.h>
#include <string.h>

gboolean
ink_renderer_is_software (const char *name)
{
  static const char *const soft[] = { "llvmpipe", "softpipe", "swrast", "Software Rasterizer" };

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (soft); i++)
    if (strstr (name, soft[i]) != NULL)
      return TRUE;
  return FALSE;
}

char *
ink_renderer_choose (GdkDisplay *display)
{
  g_autoptr (GdkGLContext) context = NULL;
  g_autoptr (GError) error = NULL;
  const char *env = g_getenv ("GSK_RENDERER");
  char *name;

  if (display == NULL || (env != NULL && *env != '\0'))
    return NULL;
  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      /* GTK falls back to Cairo by itself. */
      g_debug ("no GL for the windows: %s", error != NULL ? error->message : "unknown");
      return NULL;
    }
  gdk_gl_context_make_current (context);
  name = g_strdup ((const char *) glGetString (GL_RENDERER));
  gdk_gl_context_clear_current ();
  if (ink_renderer_is_software (name))
    {
      g_object_set_data_full (G_OBJECT (display), "gsk-renderer", g_strdup ("cairo"), g_free);
      g_debug ("GL is %s (software): the windows are drawn with Cairo", name);
    }
  else
    g_debug ("GL is %s: the windows are drawn with GL", name);
  return name;
}
