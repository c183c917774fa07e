/* atomic-file.c: writes a file whole or not at all: temporary file beside it, fsync, rename. */
#include "atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ink-error.h"
#include "output-path.h"

struct InkAtomicFile {
  char *path;     /* the target */
  char *tmp_path; /* DIR/.BASENAME.inkloop-partial-PID-XXXXXX */
  int fd;
};

void
ink_set_write_error (GError **error,
                 const char *path,
                 int errsv)
{
  const char *hint = "";

  switch (errsv)
    {
    case ENOSPC:
    case EDQUOT:
      g_set_error (error, INK_ERROR, INK_ERROR_WRITE,
                   "%s: cannot write: the disk is full (%s); free some space and try again",
                   path, g_strerror (errsv));
      return;
    case EFBIG:
      g_set_error (error, INK_ERROR, INK_ERROR_WRITE,
                   "%s: cannot write: the disk is full or the file size limit was reached (%s)",
                   path, g_strerror (errsv));
      return;
    case ENOENT:
    case ENOTDIR:
      hint = " (does the folder exist?)";
      break;
    case EACCES:
    case EPERM:
      hint = " (do you have permission to write to that folder?)";
      break;
    case EROFS:
      hint = " (the disk is read-only)";
      break;
    case EISDIR:
      hint = " (that name is a folder)";
      break;
    default:
      break;
    }
  g_set_error (error, INK_ERROR, INK_ERROR_WRITE, "%s: cannot write: %s%s", path,
               g_strerror (errsv), hint);
}

static void
atomic_file_free (InkAtomicFile *file)
{
  g_free (file->path);
  g_free (file->tmp_path);
  g_free (file);
}

InkAtomicFile *
ink_atomic_file_open (const char *path,
                      GError **error)
{
  InkAtomicFile *file = NULL;
  g_autofree char *base = NULL;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  base = g_path_get_basename (path);
  if (*base == '\0' || g_str_has_suffix (path, G_DIR_SEPARATOR_S) ||
      strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    {
      ink_set_write_error (error, path, EISDIR);
      goto error;
    }

  file = g_new0 (InkAtomicFile, 1);
  file->path = g_strdup (path);
  /* Partial files that a killed run left for this target go first. */
  ink_partial_sweep (path);
  file->tmp_path = ink_partial_template (path);
  /* 0666 less the umask, like any new file; g_mkstemp alone would give 0600. The registry lock
   * keeps an interruption from missing a file made this instant. */
  ink_partial_lock ();
  file->fd = g_mkstemp_full (file->tmp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (file->fd >= 0)
    ink_partial_register (file->tmp_path, FALSE);
  ink_partial_unlock ();
  if (file->fd < 0)
    {
      ink_set_write_error (error, path, errno);
      goto error;
    }
  /* Replacing a file keeps its permissions. */
  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode))
    (void) fchmod (file->fd, st.st_mode & 07777);
  return file;

error:
  if (file != NULL)
    atomic_file_free (file);
  return NULL;
}

const char *
ink_atomic_file_temp_path (InkAtomicFile *file)
{
  g_return_val_if_fail (file != NULL, NULL);
  return file->tmp_path;
}

int
ink_atomic_file_fd (InkAtomicFile *file)
{
  g_return_val_if_fail (file != NULL, -1);
  return file->fd;
}

gboolean
ink_atomic_file_write (InkAtomicFile *file,
                       const void *data,
                       gsize size,
                       GError **error)
{
  const guint8 *p = data;

  g_return_val_if_fail (file != NULL && file->fd >= 0, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  while (size > 0)
    {
      ssize_t n = write (file->fd, p, MIN (size, (gsize) G_MAXSSIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          ink_set_write_error (error, file->path, errno);
          goto error;
        }
      if (n == 0)
        {
          ink_set_write_error (error, file->path, ENOSPC);
          goto error;
        }
      p += n;
      size -= (gsize) n;
    }
  return TRUE;

error:
  return FALSE;
}

static int
fsync_retrying (int fd)
{
  int ret;

  do
    ret = fsync (fd);
  while (ret < 0 && errno == EINTR);
  return ret;
}

gboolean
ink_atomic_file_commit (InkAtomicFile **file,
                        GError **error)
{
  InkAtomicFile *f;
  g_autofree char *dir = NULL;
  int fd, dir_fd;

  g_return_val_if_fail (file != NULL && *file != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  f = *file;
  *file = NULL;

  /* fsync reports delayed write errors (ENOSPC, EIO); close can too (NFS). */
  if (fsync_retrying (f->fd) < 0)
    {
      ink_set_write_error (error, f->path, errno);
      goto error;
    }
  fd = f->fd;
  f->fd = -1;
  if (close (fd) < 0 && errno != EINTR)
    {
      ink_set_write_error (error, f->path, errno);
      goto error;
    }
  ink_partial_lock ();
  if (g_rename (f->tmp_path, f->path) < 0)
    {
      int errsv = errno;
      ink_partial_unlock ();
      ink_set_write_error (error, f->path, errsv);
      goto error;
    }
  ink_partial_unregister (f->tmp_path);
  ink_partial_unlock ();

  /* Make the rename itself durable; some file systems cannot sync a folder, which is fine. */
  dir = g_path_get_dirname (f->path);
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0)
    {
      (void) fsync_retrying (dir_fd);
      close (dir_fd);
    }

  atomic_file_free (f);
  return TRUE;

error:
  ink_atomic_file_abort (&f);
  return FALSE;
}

void
ink_atomic_file_abort (InkAtomicFile **file)
{
  InkAtomicFile *f;

  if (file == NULL || *file == NULL)
    return;
  f = *file;
  *file = NULL;
  if (f->fd >= 0)
    close (f->fd);
  ink_partial_lock ();
  (void) g_unlink (f->tmp_path);
  ink_partial_unregister (f->tmp_path);
  ink_partial_unlock ();
  atomic_file_free (f);
}
