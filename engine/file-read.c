/* file-read.c: reading a whole input file (photos, projects, masks) with clear errors. */
#include "file-read.h"

#include <errno.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ink-error.h"

gboolean
ink_file_read_all (const char *path, gsize max_bytes, const char *kind, char **name,
                   char **contents, gsize *length, GError **error)
{
  g_autoptr (GError) local = NULL;
  GStatBuf st;

  *name = g_path_get_basename (path);
  *contents = NULL;
  *length = 0;
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved == ENOENT || saved == ENOTDIR)
        g_set_error (error, INK_ERROR, INK_ERROR_NOT_FOUND,
                     "%s: no such file (check the name and folder)", *name);
      else
        g_set_error (error, INK_ERROR, INK_ERROR_READ, "%s: cannot read: %s", *name,
                     g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_READ, "%s: not a regular file%s; open the %s file",
                   *name, S_ISDIR (st.st_mode) ? " but a folder" : "", kind);
      return FALSE;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                   "%s: the file is %" G_GUINT64_FORMAT " MiB; Inkloop reads %s files of at most "
                   "%" G_GSIZE_FORMAT " MiB", *name, (guint64) st.st_size >> 20, kind,
                   max_bytes >> 20);
      return FALSE;
    }
  if (!g_file_get_contents (path, contents, length, &local))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_READ, "%s: cannot read: %s", *name, local->message);
      return FALSE;
    }
  return TRUE;
}
