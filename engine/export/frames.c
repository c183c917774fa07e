/* frames.c: the PNG frames writer: frame-0001.png ... in a temporary folder that replaces DIR whole. */
#include "export-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "atomic-file.h"
#include "output-path.h"
#include "stylize-private.h"

/* For file systems without RENAME_EXCHANGE: the old folder aside, the new one in, the old one
 * removed. DIR is missing for that instant, never mixed. With the partial lock held. */
static gboolean
swap_frames_without_exchange (const char *tmp, const char *dir, int *errsv)
{
  g_autofree char *aside = ink_partial_template (dir);
  gboolean ok = FALSE;

  if (g_mkdtemp (aside) == NULL)
    {
      *errsv = errno;
      return FALSE;
    }
  ink_partial_register (aside, TRUE);
  if (g_rename (dir, aside) != 0)
    *errsv = errno;
  else if (g_rename (tmp, dir) != 0)
    {
      *errsv = errno;
      (void) g_rename (aside, dir);   /* the old frames back */
    }
  else
    {
      /* TMP is now free: leave the old frames there for the caller to remove. */
      ok = g_rename (aside, tmp) == 0;
      if (!ok)
        *errsv = errno;
    }
  ink_remove_tree (aside, NULL);
  ink_partial_unregister (aside);
  return ok;
}

/* Puts the frames in TMP at DIR whole: a rename when DIR is new, else an exchange of the two
 * folders (the old frames then go with TMP), so DIR holds all old or all new frames, never a mix. */
static gboolean
publish_frames (const char *tmp, const char *dir, GError **error)
{
  gboolean ok = TRUE;
  int errsv = 0;

  ink_partial_lock ();
  if (!g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      if (g_rename (tmp, dir) == 0)
        ink_partial_unregister (tmp);
      else
        ok = FALSE, errsv = errno;
    }
  else if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) != 0)
    {
      errsv = errno;
      ok = errsv == EINVAL || errsv == ENOSYS || errsv == ENOTSUP;
      if (ok)
        ok = swap_frames_without_exchange (tmp, dir, &errsv);
    }
  ink_partial_unlock ();
  if (!ok)
    {
      ink_set_write_error (error, dir, errsv);
      return FALSE;
    }
  /* After an exchange TMP holds the old frames. */
  ink_remove_tree (tmp, NULL);
  ink_partial_unregister (tmp);
  return TRUE;
}

gboolean
ink_export_write_frames (InkExportJob *job, const char *dir, InkExportResult *result,
                         GError **error)
{
  g_autofree char *trimmed = g_strdup (dir);
  g_autofree char *tmp = NULL;
  g_autoptr (GError) local = NULL;
  gboolean ok = FALSE;

  job->total = job->done + job->n;
  while (strlen (trimmed) > 1 && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  /* Partial folders that a killed run left for this target go first. */
  ink_partial_sweep (trimmed);
  tmp = ink_partial_template (trimmed);
  ink_partial_lock ();
  if (g_mkdtemp (tmp) == NULL)
    {
      int errsv = errno;
      ink_partial_unlock ();
      ink_set_write_error (error, trimmed, errsv);
      return FALSE;
    }
  ink_partial_register (tmp, TRUE);
  ink_partial_unlock ();
  g_chmod (tmp, 0755);   /* a new folder's usual mode, not mkdtemp's private 0700 */
  for (int i = 0; i < job->n; i++)
    {
      g_autofree char *name = g_strdup_printf ("frame-%04d.png", i + 1);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      const guint32 *frame = ink_export_job_frame (job, i, i + 1 < job->n ? i + 1 : -1, FALSE,
                                                   error);
      InkImage *image;
      GStatBuf st;
      if (frame == NULL)
        goto out;
      image = ink_image_from_rgba8 (frame, job->width, job->height, job->has_alpha, &local);
      if (image == NULL)
        g_prefix_error (&local, "%s: ", path);
      ok = image != NULL && ink_image_save_png (image, path, &local);
      ink_image_free (&image);
      if (!ok)
        {
          /* Name the frame where the user will look for it, not in the temporary folder. */
          g_autofree char *shown = g_build_filename (trimmed, name, NULL);
          const char *reason = g_str_has_prefix (local->message, path)
                                 ? local->message + strlen (path) : local->message;
          g_set_error (error, local->domain, local->code, "%s%s", shown, reason);
          goto out;
        }
      ok = FALSE;
      if (g_stat (path, &st) == 0)
        result->bytes += st.st_size;
      ink_export_job_step (job);
    }
  if (g_cancellable_set_error_if_cancelled (job->cancellable, error)
      || !publish_frames (tmp, trimmed, error))
    goto out;
  result->frames = job->n;
  ok = TRUE;
out:
  if (!ok)
    {
      ink_remove_tree (tmp, NULL);
      ink_partial_unregister (tmp);
    }
  return ok;
}
