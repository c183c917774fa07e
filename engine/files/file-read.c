/* file-read.c: reading a whole input file (photos, projects, masks) with clear errors. */
#include "file-read.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ink-error.h"

static gboolean
read_error (GError **error, const char *name, int errsv)
{
  if (errsv == ENOENT || errsv == ENOTDIR)
    g_set_error (error, INK_ERROR, INK_ERROR_NOT_FOUND,
                 "%s: no such file (check the name and folder)", name);
  else
    g_set_error (error, INK_ERROR, INK_ERROR_READ, "%s: cannot read: %s", name,
                 g_strerror (errsv));
  return FALSE;
}

static gboolean
too_large (GError **error, const char *name, guint64 size, gboolean more, gsize max_bytes,
           const char *kind)
{
  g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
               "%s: the file is %" G_GUINT64_FORMAT " MiB%s; Inkloop reads %s files of at most "
               "%" G_GSIZE_FORMAT " MiB", name, size >> 20, more ? " or more" : "", kind,
               max_bytes >> 20);
  return FALSE;
}

int
ink_file_open_regular (const char *path, const char *name, const char *kind, GStatBuf *st,
                       GError **error)
{
  /* O_NONBLOCK: a FIFO must not hang the open; it is refused below as not a regular file. */
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);

  if (fd < 0)
    {
      read_error (error, name, errno);
      return -1;
    }
  if (fstat (fd, st) != 0)
    {
      int saved = errno;
      close (fd);
      read_error (error, name, saved);
      return -1;
    }
  if (!S_ISREG (st->st_mode))
    {
      close (fd);
      g_set_error (error, INK_ERROR, INK_ERROR_READ, "%s: not a regular file%s; open the %s file",
                   name, S_ISDIR (st->st_mode) ? " but a folder" : "", kind);
      return -1;
    }
  return fd;
}

gboolean
ink_file_read_all (const char *path, gsize max_bytes, const char *kind, char **name,
                   char **contents, gsize *length, GError **error)
{
  GStatBuf st;
  gsize size, capacity;
  char *buffer;
  int fd;

  *name = g_path_get_basename (path);
  *contents = NULL;
  *length = 0;
  fd = ink_file_open_regular (path, *name, kind, &st, error);
  if (fd < 0)
    return FALSE;
  if ((guint64) st.st_size > max_bytes)
    {
      close (fd);
      return too_large (error, *name, (guint64) st.st_size, FALSE, max_bytes, kind);
    }
  /* The size read is what counts, not the one reported: a file may grow while it is read, and
   * some (in /proc) report none. Reading stops one byte past the limit. */
  capacity = MIN ((gsize) st.st_size + 1, max_bytes + 1);
  capacity = MAX (capacity, 4096);
  buffer = g_malloc (capacity + 1);
  size = 0;
  for (;;)
    {
      ssize_t n;

      if (size == capacity)
        {
          if (capacity > max_bytes)
            break;
          capacity = MIN (capacity * 2, max_bytes + 1);
          buffer = g_realloc (buffer, capacity + 1);
        }
      n = read (fd, buffer + size, capacity - size);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_free (buffer);
          return read_error (error, *name, saved);
        }
      if (n == 0)
        break;
      size += (gsize) n;
    }
  close (fd);
  if (size > max_bytes)
    {
      g_free (buffer);
      return too_large (error, *name, (guint64) size, TRUE, max_bytes, kind);
    }
  buffer[size] = '\0';   /* as g_file_get_contents: text readers may rely on it */
  *contents = buffer;
  *length = size;
  return TRUE;
}
