/* tmp-folder.c: temporary folders for the tests that write files: made, counted, removed whole. */
#include "tmp-folder.h"

#include <glib/gstdio.h>

char *
test_tmp_folder_new (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("inkloop-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
test_tmp_folder_remove (const char *path)
{
  GDir *dir;
  const char *entry;

  g_chmod (path, 0700);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        test_tmp_folder_remove (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

guint
test_count_entries (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}
