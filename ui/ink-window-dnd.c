/* ink-window-dnd.c: dropping a photo, clip or project on the window opens it. */
#include "ink-config.h"

#include "ink-window-private.h"

#include <glib/gi18n.h>

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, InkWindow *self)
{
  GSList *files;

  (void) target, (void) x, (void) y;
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      if (path != NULL)
        {
          ink_window_request_open (self, path);
          return TRUE;
        }
    }
  ink_window_show_message (self, MESSAGE_ERROR, _("Only photos, clips and projects on this computer can be opened."), NULL, NULL);
  return FALSE;
}

void
ink_window_dnd_init (InkWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
