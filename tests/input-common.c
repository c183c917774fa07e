/* input-common.c: what the loader's tests share: the test pictures' values, loading them, comparing. */
#include "input-common.h"

#include <string.h>

#include "ink-error.h"

/* The grey ramps written by tests/data/make-inputs.py. */
guint
grey8_value (int x, int y)
{
  return (guint) (x * 4 + y * 3) & 0xff;
}

guint
grey16_value (int x, int y)
{
  return (guint) (x * 1021 + y * 37) & 0xffff;
}

guint
alpha8_value (int x, int y)
{
  (void) x;
  return (guint) (y * 255) / (H - 1);
}

/* ---- helpers ---- */

char *
data_path (const char *name)
{
  const char *dir = g_getenv ("INKLOOP_TEST_DATA");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

InkImage *
load_sized (const char *name,
            int long_edge)
{
  g_autofree char *path = data_path (name);
  g_autoptr (GError) error = NULL;
  InkLoadParams params = INK_LOAD_PARAMS_DEFAULT;
  InkImage *image;

  params.long_edge = long_edge;
  image = ink_image_load (path, &params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  g_assert_cmpint (image->width, >=, 1);
  g_assert_cmpint (image->height, >=, 1);
  return image;
}

InkImage *
load (const char *name)
{
  return load_sized (name, 0);
}

guint16 *
px (const InkImage *image,
    int x,
    int y)
{
  return image->pixels + ((gsize) y * image->width + x) * 4;
}

/* Mean and largest absolute difference, in 8-bit levels, over the first CHANNELS channels. */
void
diff_stats (const InkImage *a,
            const InkImage *b,
            int channels,
            double *mean,
            double *max)
{
  double sum = 0;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  *max = 0;
  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width; x++)
      for (int c = 0; c < channels; c++)
        {
          double d = ABS ((int) px (a, x, y)[c] - (int) px (b, x, y)[c]) / 257.0;

          sum += d;
          *max = MAX (*max, d);
        }
  *mean = sum / ((double) a->width * a->height * channels);
}

void
assert_close (const InkImage *a,
              const InkImage *b,
              int channels,
              double mean_limit,
              double max_limit)
{
  double mean, max;

  diff_stats (a, b, channels, &mean, &max);
  g_test_message ("difference: mean %.3f, max %.3f levels (limits %.3f, %.3f)", mean, max,
                  mean_limit, max_limit);
  g_assert_cmpfloat (mean, <=, mean_limit);
  g_assert_cmpfloat (max, <=, max_limit);
}

void
assert_opaque (const InkImage *image)
{
  g_assert_false (image->has_alpha);
  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      g_assert_cmpuint (px (image, x, y)[3], ==, 65535);
}

/* The number of colour values that are not a whole 8-bit level (v = k * 257). */
gsize
count_fine_values (const InkImage *image)
{
  gsize n = 0;

  for (gsize i = 0; i < (gsize) image->width * image->height * 4; i++)
    if (i % 4 != 3 && image->pixels[i] % 257 != 0)
      n++;
  return n;
}

void
assert_load_error (const char *name,
                   int code,
                   const char *fragment)
{
  g_autofree char *path = data_path (name);
  g_autoptr (GError) error = NULL;
  InkImage *image;

  image = ink_image_load (path, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, INK_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, name));
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

GBytes *
read_data (const char *name)
{
  g_autofree char *path = data_path (name);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

InkImage *
load_bytes (const guint8 *data,
            gsize size,
            const char *name,
            int long_edge,
            GError **error)
{
  InkLoadParams params = INK_LOAD_PARAMS_DEFAULT;

  params.long_edge = long_edge;
  return ink_image_load_data (data, size, name, &params, error);
}
