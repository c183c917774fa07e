/* test-save.c: PNG saving and atomic files: round trip, permissions, a missing folder, a full disk. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "atomic-file.h"
#include "ink-error.h"
#include "ink-image.h"
#include "decoder-input.h"
#include "input-common.h"
#include "png-write-private.h"
#include "tmp-folder.h"

/* ---- saving ---- */

static void
test_save_round_trip (void)
{
  g_autofree char *dir = test_tmp_folder_new ();
  const char *names[] = { "rgb8.png", "rgb16.png", "rgba8.png", "greyalpha.png", "photo.jpg" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *out = g_build_filename (dir, "out.png", NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *head = NULL;
      gsize length = 0;
      InkImage *image = load (names[i]);
      InkImage *again;

      g_assert_true (ink_image_save_png (image, out, &error));
      g_assert_no_error (error);
      /* 8-bit, RGB (2) or RGBA (6). */
      g_assert_true (g_file_get_contents (out, &head, &length, NULL));
      g_assert_cmpuint (length, >, 26);
      g_assert_cmpuint ((guint8) head[24], ==, 8);
      g_assert_cmpuint ((guint8) head[25], ==, image->has_alpha ? 6 : 2);

      again = ink_image_load (out, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (again->has_alpha, ==, image->has_alpha);
      /* Within the 8-bit rounding: half a level. */
      assert_close (again, image, 4, 0.5, 0.5 + 1e-9);
      ink_image_free (&image);
      ink_image_free (&again);
      /* Only the output: no temporary file left. */
      g_assert_cmpuint (test_count_entries (dir), ==, 1);
    }
  test_tmp_folder_remove (dir);
}

/* The threaded 8-bit writer: any number of slices decodes to the same pixels, the picture's
 * rounded to 8 bits, on odd sizes, with and without alpha. */
static void
test_save_slices (void)
{
  static const struct { int w, h; gboolean alpha; } sizes[] = {
    { 1, 1, FALSE }, { 3, 7, TRUE }, { 1, 300, TRUE }, { 257, 131, FALSE }, { 64, 200, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      InkImage *image = ink_image_new (sizes[i].w, sizes[i].h);
      gsize n = (gsize) sizes[i].w * sizes[i].h;
      guint32 state = 12345u + (guint32) i;

      image->has_alpha = sizes[i].alpha;
      /* Noise over smooth ramps: every filter case and deflate's literals and matches. */
      for (gsize p = 0; p < n * 4; p++)
        {
          state = state * 1664525u + 1013904223u;
          image->pixels[p] = (guint16) ((p % 4 == 3 && !sizes[i].alpha) ? 65535
                                        : (p / 4 % 97) * 600 + (state >> 22));
        }
      for (int slices = 1; slices <= MIN (5, sizes[i].h); slices++)
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (GBytes) png = ink_png_encode_8bit_slices (image, slices, "test", &error);
          InkImage *back;

          g_assert_no_error (error);
          back = ink_image_load_data (g_bytes_get_data (png, NULL), g_bytes_get_size (png), "test",
                                      NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpint (back->width, ==, sizes[i].w);
          g_assert_cmpint (back->height, ==, sizes[i].h);
          g_assert_cmpint (back->has_alpha, ==, sizes[i].alpha);
          for (gsize p = 0; p < n * 4; p++)
            g_assert_cmpuint (back->pixels[p], ==,
                              (image->pixels[p] * 255u + 32767u) / 65535u * 257u);
          ink_image_free (&back);
        }
      ink_image_free (&image);
    }
}

static void
test_save_permissions (void)
{
  g_autofree char *dir = test_tmp_folder_new ();
  g_autofree char *out = g_build_filename (dir, "out.png", NULL);
  g_autoptr (GError) error = NULL;
  InkImage *image = load ("one.png");
  mode_t old_mask = umask (022);
  GStatBuf st;

  g_assert_true (ink_image_save_png (image, out, &error));
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0644);
  /* Replacing a file keeps its mode. */
  g_assert_cmpint (g_chmod (out, 0600), ==, 0);
  g_assert_true (ink_image_save_png (image, out, &error));
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  umask (old_mask);
  ink_image_free (&image);
  test_tmp_folder_remove (dir);
}

static void
test_save_missing_folder (void)
{
  g_autofree char *dir = test_tmp_folder_new ();
  g_autofree char *out = g_build_filename (dir, "missing", "x.png", NULL);
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_autofree char *under_file = g_build_filename (dir, "file", "x.png", NULL);
  g_autoptr (GError) error = NULL;
  InkImage *image = load ("rgb8.png");

  g_assert_false (ink_image_save_png (image, out, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, out));
  g_assert_nonnull (strstr (error->message, "does the folder exist?"));
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  g_clear_error (&error);

  /* The "folder" is a file. */
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  g_assert_false (ink_image_save_png (image, under_file, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
  g_assert_true (g_str_has_prefix (error->message, under_file));
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_clear_error (&error);

  /* The target is a folder: the rename fails, and the temporary file goes. */
  g_assert_false (ink_image_save_png (image, dir, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
  g_clear_error (&error);
  {
    g_autofree char *parent = g_path_get_dirname (dir);
    g_autofree char *base = g_path_get_basename (dir);
    GDir *d = g_dir_open (parent, 0, NULL);
    const char *name;
    g_autofree char *prefix = g_strdup_printf (".%s.", base);

    while ((name = g_dir_read_name (d)) != NULL)
      g_assert_false (g_str_has_prefix (name, prefix));
    g_dir_close (d);
  }

  ink_image_free (&image);
  test_tmp_folder_remove (dir);
}

/* Saves IMAGE to PATH in a child process limited to LIMIT bytes per file (SIGXFSZ ignored, so
 * write() fails with EFBIG); the child exits 0 when the save failed with INK_ERROR_WRITE and a
 * "disk full" message. */
static void
save_in_limited_child (const InkImage *image,
                       const char *path,
                       rlim_t limit)
{
  pid_t pid;
  int status = 0;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct rlimit rl = { limit, limit };
      GError *error = NULL;
      gboolean ok;

      signal (SIGXFSZ, SIG_IGN);
      if (setrlimit (RLIMIT_FSIZE, &rl) != 0)
        _exit (2);
      ok = ink_image_save_png (image, path, &error);
      if (ok || !g_error_matches (error, INK_ERROR, INK_ERROR_WRITE) ||
          strstr (error->message, "disk is full") == NULL || !g_str_has_prefix (error->message, path))
        _exit (3);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
test_save_disk_full (void)
{
  g_autofree char *dir = test_tmp_folder_new ();
  g_autofree char *out = g_build_filename (dir, "new.png", NULL);
  g_autofree char *old = g_build_filename (dir, "old.png", NULL);
  g_autofree char *contents = NULL;
  InkImage *image = load ("rgb16.png");
  const char *old_text = "the previous picture";

  /* Nothing there before: nothing there after. */
  save_in_limited_child (image, out, 1000);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  /* Replacing a file: the old one stays as it was. */
  g_assert_true (g_file_set_contents (old, old_text, -1, NULL));
  save_in_limited_child (image, old, 1000);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_assert_true (g_file_get_contents (old, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, old_text);

  ink_image_free (&image);
  test_tmp_folder_remove (dir);
}

static void
test_atomic_file (void)
{
  g_autofree char *dir = test_tmp_folder_new ();
  g_autofree char *path = g_build_filename (dir, "a.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  InkAtomicFile *file;

  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  file = ink_atomic_file_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ink_atomic_file_fd (file), >=, 0);
  g_assert_true (ink_atomic_file_write (file, "new", 3, &error));
  g_assert_cmpuint (test_count_entries (dir), ==, 2);
  ink_atomic_file_abort (&file);
  g_assert_null (file);
  ink_atomic_file_abort (&file);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_clear_pointer (&contents, g_free);

  file = ink_atomic_file_open (path, &error);
  g_assert_true (ink_atomic_file_write (file, "new", 3, &error));
  g_assert_true (ink_atomic_file_write (file, "er", 2, &error));
  g_assert_true (ink_atomic_file_commit (&file, &error));
  g_assert_no_error (error);
  g_assert_null (file);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "newer");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_tmp_folder_remove (dir);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/save/round-trip", test_save_round_trip);
  g_test_add_func ("/save/slices", test_save_slices);
  g_test_add_func ("/save/permissions", test_save_permissions);
  g_test_add_func ("/save/missing-folder", test_save_missing_folder);
  g_test_add_func ("/save/disk-full", test_save_disk_full);
  g_test_add_func ("/save/atomic-file", test_atomic_file);

  return g_test_run ();
}
