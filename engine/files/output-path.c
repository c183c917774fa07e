/* output-path.c: output checks before any work, partial-output names, and their clean-up. */
#include "output-path.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "atomic-file.h"
#include "ink-error.h"

#define PARTIAL_TAG ".inkloop-partial-"
/* "." BASE PARTIAL_TAG PID "-XXXXXX": PIDs have at most 10 digits. */
#define PARTIAL_EXTRA (1 + (sizeof PARTIAL_TAG - 1) + 10 + 7)

gboolean
ink_same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;

  return a != NULL && b != NULL && g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0
         && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* PATH without trailing slashes ("/" stays "/"). */
static char *
trim_slashes (const char *path)
{
  char *t = g_strdup (path);
  gsize n = strlen (t);

  while (n > 1 && t[n - 1] == '/')
    t[--n] = '\0';
  return t;
}

static gboolean
is_frame_name (const char *name)
{
  /* frame-NNNN.png, as the exporter writes them */
  if (strlen (name) != 14 || strncmp (name, "frame-", 6) != 0 || strcmp (name + 10, ".png") != 0)
    return FALSE;
  for (int i = 6; i < 10; i++)
    if (!g_ascii_isdigit (name[i]))
      return FALSE;
  return TRUE;
}

static gboolean
refuse (GError **error, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError **error, int code, const char *format, ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, INK_ERROR, code, message);
  g_free (message);
  return FALSE;
}

/* A folder of frames may be replaced only when it holds Inkloop's frames and nothing else. */
static gboolean
check_frames_folder (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  GDir *dir = g_dir_open (path, 0, &local);
  const char *name;
  gboolean ok = TRUE;

  if (dir == NULL)
    return refuse (error, INK_ERROR_WRITE, "%s: cannot read the folder: %s", path,
                   local->message);
  while (ok && (name = g_dir_read_name (dir)) != NULL)
    if (!is_frame_name (name))
      ok = refuse (error, INK_ERROR_WRITE,
                   "%s: the folder holds other files than Inkloop's frames (%s), and it would be "
                   "replaced; choose a new or empty folder", path, name);
  g_dir_close (dir);
  return ok;
}

gboolean
ink_output_check (const char *path, gboolean folder, const char *const *inputs, GError **error)
{
  g_autofree char *trimmed = NULL, *base = NULL, *parent = NULL;
  GStatBuf st, pst;
  gboolean exists;

  if (path == NULL || *path == '\0')
    return refuse (error, INK_ERROR_INVALID_PARAM, "no output name given");
  if (strcmp (path, "-") == 0)
    return refuse (error, INK_ERROR_INVALID_PARAM,
                   "-: writing to standard output is not supported; give a file name");
  trimmed = trim_slashes (path);
  base = g_path_get_basename (trimmed);
  parent = g_path_get_dirname (trimmed);
  if (strlen (base) > NAME_MAX)
    return refuse (error, INK_ERROR_WRITE,
                   "%s: the name is %zu bytes long; names can have at most %d: choose a "
                   "shorter one", path, strlen (base), NAME_MAX);
  if (strcmp (base, ".") == 0 || strcmp (base, "..") == 0 || strcmp (base, "/") == 0)
    return refuse (error, INK_ERROR_WRITE, "%s: give the %s a name of its own", path,
                   folder ? "folder for the frames" : "file");
  if (!folder && g_str_has_suffix (path, "/"))
    return refuse (error, INK_ERROR_WRITE,
                   "%s: ends with '/', a folder; give a file name, or write PNG frames "
                   "into a folder", path);

  /* The folder it goes in. */
  if (g_stat (parent, &pst) != 0)
    {
      ink_set_write_error (error, trimmed, errno);
      return FALSE;
    }
  if (!S_ISDIR (pst.st_mode))
    {
      ink_set_write_error (error, trimmed, ENOTDIR);
      return FALSE;
    }
  if (access (parent, W_OK | X_OK) != 0)
    {
      ink_set_write_error (error, trimmed, errno);
      return FALSE;
    }

  /* What is there now. */
  exists = g_stat (trimmed, &st) == 0;
  if (exists && !folder && S_ISDIR (st.st_mode))
    return refuse (error, INK_ERROR_WRITE,
                   "%s: is a folder; give a file name, or use the PNG frames format to "
                   "write frames into a folder", path);
  if (exists && !folder && !S_ISREG (st.st_mode))
    return refuse (error, INK_ERROR_WRITE,
                   "%s: is not a regular file (a device, pipe or socket); Inkloop writes "
                   "files only: choose another name", path);
  if (exists && folder && !S_ISDIR (st.st_mode))
    return refuse (error, INK_ERROR_WRITE,
                   "%s: exists and is not a folder; PNG frames go into a folder", path);

  for (guint i = 0; exists && inputs != NULL && inputs[i] != NULL; i++)
    {
      g_autofree char *input_parent = g_path_get_dirname (inputs[i]);
      GStatBuf ist;

      if (g_stat (inputs[i], &ist) != 0)
        continue;
      if (ist.st_dev == st.st_dev && ist.st_ino == st.st_ino)
        return refuse (error, INK_ERROR_WRITE,
                       "%s: is the input %s; Inkloop never writes over its inputs: choose "
                       "another name", path, inputs[i]);
      if (folder && ink_same_file (input_parent, trimmed))
        return refuse (error, INK_ERROR_WRITE,
                       "%s: holds the input %s, and the folder would be replaced; choose "
                       "another folder", path, inputs[i]);
    }
  if (exists && folder)
    return check_frames_folder (trimmed, error);
  return TRUE;
}

/* Partial names ------------------------------------------------------------------------------- */

/* BASE shortened to at most MAX bytes at a UTF-8 character boundary. */
static char *
cut_base (const char *base, gsize max)
{
  gsize n = strlen (base);

  if (n <= max)
    return g_strdup (base);
  n = max;
  while (n > 0 && ((guchar) base[n] & 0xC0) == 0x80)
    n--;
  return g_strndup (base, n);
}

/* ".BASE.inkloop-partial-", BASE shortened to fit. */
static char *
partial_prefix (const char *path)
{
  g_autofree char *trimmed = trim_slashes (path);
  g_autofree char *base = g_path_get_basename (trimmed);
  g_autofree char *cut = cut_base (base, NAME_MAX - PARTIAL_EXTRA);

  return g_strdup_printf (".%s" PARTIAL_TAG, cut);
}

char *
ink_partial_template (const char *path)
{
  g_autofree char *trimmed = trim_slashes (path);
  g_autofree char *dir = g_path_get_dirname (trimmed);
  g_autofree char *prefix = partial_prefix (path);
  g_autofree char *name = g_strdup_printf ("%s%ld-XXXXXX", prefix, (long) getpid ());

  return g_build_filename (dir, name, NULL);
}

/* The registry ------------------------------------------------------------------------------- */

typedef struct {
  char *path;
  gboolean is_folder;
} Partial;

static GRecMutex partial_mutex;
static GArray *partials;   /* of Partial */

void
ink_partial_lock (void)
{
  g_rec_mutex_lock (&partial_mutex);
}

void
ink_partial_unlock (void)
{
  g_rec_mutex_unlock (&partial_mutex);
}

void
ink_partial_register (const char *tmp_path, gboolean is_folder)
{
  Partial p = { g_strdup (tmp_path), is_folder };

  g_rec_mutex_lock (&partial_mutex);
  if (partials == NULL)
    partials = g_array_new (FALSE, FALSE, sizeof (Partial));
  g_array_append_val (partials, p);
  g_rec_mutex_unlock (&partial_mutex);
}

/* With the lock held. */
static void
unregister_locked (const char *tmp_path)
{
  for (guint i = 0; partials != NULL && i < partials->len; i++)
    {
      Partial *p = &g_array_index (partials, Partial, i);
      if (strcmp (p->path, tmp_path) == 0)
        {
          g_free (p->path);
          g_array_remove_index_fast (partials, i);
          return;
        }
    }
}

void
ink_partial_unregister (const char *tmp_path)
{
  g_rec_mutex_lock (&partial_mutex);
  unregister_locked (tmp_path);
  g_rec_mutex_unlock (&partial_mutex);
}

int
ink_partial_remove_all (void)
{
  int n = 0;

  g_rec_mutex_lock (&partial_mutex);
  for (guint i = 0; partials != NULL && i < partials->len; i++)
    {
      Partial *p = &g_array_index (partials, Partial, i);
      if (p->is_folder ? ink_remove_tree (p->path, NULL) : g_unlink (p->path) == 0)
        n++;
    }
  /* Left locked: the process is about to end, and nothing may be committed now. */
  return n;
}

void
ink_partial_sweep (const char *path)
{
  g_autofree char *trimmed = trim_slashes (path);
  g_autofree char *dir_path = g_path_get_dirname (trimmed);
  g_autofree char *prefix = partial_prefix (path);
  gsize prefix_len = strlen (prefix);
  GDir *dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      char *end;
      long pid;

      if (strncmp (name, prefix, prefix_len) != 0 || !g_ascii_isdigit (name[prefix_len]))
        continue;
      errno = 0;
      pid = strtol (name + prefix_len, &end, 10);
      if (errno != 0 || *end != '-' || strlen (end) != 7 || pid <= 0 || pid == (long) getpid ()
          || pid > G_MAXINT)
        continue;
      if (kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue;   /* still running (or not ours to ask): leave it */
      {
        g_autofree char *leftover = g_build_filename (dir_path, name, NULL);
        g_debug ("removing %s, left by process %ld that no longer runs", leftover, pid);
        ink_remove_tree (leftover, NULL);
      }
    }
  g_dir_close (dir);
}

static int
remove_entry (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  (void) st, (void) ftw;
  return (type == FTW_DP ? rmdir (path) : unlink (path)) == 0 ? 0 : -1;
}

gboolean
ink_remove_tree (const char *path, GError **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      ink_set_write_error (error, path, errno);
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      if (g_unlink (path) == 0)
        return TRUE;
      ink_set_write_error (error, path, errno);
      return FALSE;
    }
  if (nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
    {
      ink_set_write_error (error, path, errno);
      return FALSE;
    }
  return TRUE;
}
