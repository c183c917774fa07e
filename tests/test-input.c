/* test-input.c: tests of image loading (every format and variant, damaged files), scaling and PNG saving. */
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

#define W 64
#define H 40

/* The grey ramps written by tests/data/make-inputs.py. */
static guint
grey8_value (int x, int y)
{
  return (guint) (x * 4 + y * 3) & 0xff;
}

static guint
grey16_value (int x, int y)
{
  return (guint) (x * 1021 + y * 37) & 0xffff;
}

static guint
alpha8_value (int x, int y)
{
  (void) x;
  return (guint) (y * 255) / (H - 1);
}

/* ---- helpers ---- */

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("INKLOOP_TEST_DATA");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static InkImage *
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

static InkImage *
load (const char *name)
{
  return load_sized (name, 0);
}

static guint16 *
px (const InkImage *image,
    int x,
    int y)
{
  return image->pixels + ((gsize) y * image->width + x) * 4;
}

/* Mean and largest absolute difference, in 8-bit levels, over the first CHANNELS channels. */
static void
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

static void
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

static void
assert_opaque (const InkImage *image)
{
  g_assert_false (image->has_alpha);
  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      g_assert_cmpuint (px (image, x, y)[3], ==, 65535);
}

/* The number of colour values that are not a whole 8-bit level (v = k * 257). */
static gsize
count_fine_values (const InkImage *image)
{
  gsize n = 0;

  for (gsize i = 0; i < (gsize) image->width * image->height * 4; i++)
    if (i % 4 != 3 && image->pixels[i] % 257 != 0)
      n++;
  return n;
}

static void
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

static GBytes *
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

static InkImage *
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

/* ---- good PNGs ---- */

static void
test_png_rgb8 (void)
{
  InkImage *rgb8 = load ("rgb8.png");
  InkImage *rgb16 = load ("rgb16.png");

  g_assert_cmpint (rgb8->width, ==, W);
  g_assert_cmpint (rgb8->height, ==, H);
  assert_opaque (rgb8);
  /* 8-bit samples arrive as exact 16-bit levels, and are rgb16.png rounded. */
  g_assert_cmpuint (count_fine_values (rgb8), ==, 0);
  assert_close (rgb8, rgb16, 3, 0.3, 0.5 + 1e-9);
  ink_image_free (&rgb8);
  g_assert_null (rgb8);
  ink_image_free (&rgb16);
}

static void
test_png_rgb16 (void)
{
  InkImage *image = load ("rgb16.png");

  g_assert_cmpint (image->width, ==, W);
  g_assert_cmpint (image->height, ==, H);
  assert_opaque (image);
  /* More than 8 bits survive: most values lie between two 8-bit levels. */
  g_assert_cmpuint (count_fine_values (image), >, (gsize) W * H * 3 / 2);
  ink_image_free (&image);
}

static void
test_png_rgba (void)
{
  const char *names[] = { "rgba8.png", "rgba16.png" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      InkImage *image = load (names[i]);
      InkImage *rgb16 = load ("rgb16.png");
      double mean, max;

      g_assert_true (image->has_alpha);
      g_assert_cmpint (image->width, ==, W);
      g_assert_cmpint (image->height, ==, H);
      /* Alpha: opaque at the top, transparent at the bottom, falling row by row. */
      for (int x = 0; x < W; x++)
        {
          g_assert_cmpuint (px (image, x, 0)[3], ==, 65535);
          g_assert_cmpuint (px (image, x, H - 1)[3], ==, 0);
          for (int y = 1; y < H; y++)
            g_assert_cmpuint (px (image, x, y)[3], <, px (image, x, y - 1)[3]);
        }
      /* Colour: the photo, also under transparent pixels (straight alpha). */
      diff_stats (image, rgb16, 3, &mean, &max);
      g_assert_cmpfloat (max, <=, i == 0 ? 0.5 + 1e-9 : 0);
      if (i == 1)
        g_assert_cmpuint (count_fine_values (image), >, (gsize) W * H * 3 / 2);
      ink_image_free (&image);
      ink_image_free (&rgb16);
    }
}

static void
test_png_grey (void)
{
  InkImage *grey8 = load ("grey8.png");
  InkImage *grey16 = load ("grey16.png");
  InkImage *ga = load ("greyalpha.png");

  assert_opaque (grey8);
  assert_opaque (grey16);
  g_assert_true (ga->has_alpha);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < 3; c++)
        {
          g_assert_cmpuint (px (grey8, x, y)[c], ==, grey8_value (x, y) * 257);
          g_assert_cmpuint (px (ga, x, y)[c], ==, grey8_value (x, y) * 257);
          g_assert_cmpuint (px (grey16, x, y)[c], ==, grey16_value (x, y));
          g_assert_cmpuint (px (ga, x, y)[3], ==, alpha8_value (x, y) * 257);
        }
  g_assert_cmpuint (count_fine_values (grey16), >, (gsize) W * H * 3 / 2);
  ink_image_free (&grey8);
  ink_image_free (&grey16);
  ink_image_free (&ga);
}

static void
test_png_palette (void)
{
  InkImage *image = load ("palette.png");
  InkImage *rgb8 = load ("rgb8.png");
  double sum = 0;
  int n = 0;

  g_assert_true (image->has_alpha);
  g_assert_cmpint (image->width, ==, W);
  g_assert_cmpint (image->height, ==, H);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        g_assert_cmpuint (px (image, x, y)[3], ==, x < 16 ? 0 : 65535);
        if (x >= 16)
          for (int c = 0; c < 3; c++, n++)
            sum += ABS ((int) px (image, x, y)[c] - (int) px (rgb8, x, y)[c]) / 257.0;
      }
  /* 32 colours for a photo: each pixel near its original, on average. */
  g_test_message ("palette: mean difference %.2f levels", sum / n);
  g_assert_cmpfloat (sum / n, <, 8);
  ink_image_free (&image);
  ink_image_free (&rgb8);
}

static void
test_png_one (void)
{
  InkImage *image = load ("one.png");

  g_assert_cmpint (image->width, ==, 1);
  g_assert_cmpint (image->height, ==, 1);
  g_assert_cmpuint (image->pixels[0], ==, 65535);
  g_assert_cmpuint (image->pixels[1], ==, 128 * 257);
  g_assert_cmpuint (image->pixels[2], ==, 0);
  g_assert_cmpuint (image->pixels[3], ==, 65535);
  ink_image_free (&image);
}

/* ---- JPEG ---- */

static void
test_jpeg_colours (void)
{
  InkImage *jpeg = load ("photo.jpg");
  InkImage *im = load ("photo-im.png");
  InkImage *rgb8 = load ("rgb8.png");
  InkImage *progressive = load ("progressive.jpg");

  assert_opaque (jpeg);
  assert_opaque (progressive);
  /* Full-range YCbCr decoded like libjpeg-turbo (ImageMagick) does; a limited-range mistake would
   * be about 8 levels off on average. The remaining difference is chroma upsampling at edges. */
  assert_close (jpeg, im, 3, 1.0, 12);
  /* What quality 90 costs on this detailed crop (ImageMagick's decode is as far off). */
  assert_close (jpeg, rgb8, 3, 5.0, 64);
  assert_close (progressive, rgb8, 3, 5.0, 64);
  ink_image_free (&jpeg);
  ink_image_free (&im);
  ink_image_free (&rgb8);
  ink_image_free (&progressive);
}

static void
test_jpeg_white_black (void)
{
  InkImage *jpeg = load ("white-black.jpg");

  g_assert_cmpint (jpeg->width, ==, 64);
  g_assert_cmpint (jpeg->height, ==, 16);
  for (int y = 0; y < 16; y++)
    for (int c = 0; c < 3; c++)
      {
        for (int x = 0; x < 28; x++)
          g_assert_cmpuint (px (jpeg, x, y)[c], ==, 65535);
        for (int x = 36; x < 64; x++)
          g_assert_cmpuint (px (jpeg, x, y)[c], ==, 0);
      }
  ink_image_free (&jpeg);
}

static void
test_jpeg_cmyk (void)
{
  InkImage *jpeg = load ("cmyk.jpg");
  InkImage *rgb8 = load ("rgb8.png");

  /* Adobe CMYK: FFmpeg converts it; the result is opaque and near the photo (naive CMYK, no ICC). */
  assert_opaque (jpeg);
  assert_close (jpeg, rgb8, 3, 6.0, 80);
  ink_image_free (&jpeg);
  ink_image_free (&rgb8);
}

static void
test_jpeg_grey (void)
{
  InkImage *jpeg = load ("grey.jpg");
  double sum = 0;

  assert_opaque (jpeg);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        g_assert_cmpuint (px (jpeg, x, y)[0], ==, px (jpeg, x, y)[1]);
        g_assert_cmpuint (px (jpeg, x, y)[0], ==, px (jpeg, x, y)[2]);
        sum += ABS ((int) px (jpeg, x, y)[0] / 257.0 - (int) grey8_value (x, y));
      }
  /* The ramp wraps from 255 to 0, which JPEG blurs; elsewhere it is close. */
  g_assert_cmpfloat (sum / (W * H), <, 6);
  ink_image_free (&jpeg);
}

static void
test_jpeg_exif_orientation (void)
{
  InkImage *jpeg = load ("exif6.jpg");
  InkImage *rgb8 = load ("rgb8.png");

  /* Stored 40x64 turned anticlockwise, tagged "turn clockwise to display": shows as rgb8.png. */
  g_assert_cmpint (jpeg->width, ==, W);
  g_assert_cmpint (jpeg->height, ==, H);
  assert_opaque (jpeg);
  assert_close (jpeg, rgb8, 3, 5.0, 64);
  ink_image_free (&jpeg);
  ink_image_free (&rgb8);
}

/* Patches the Orientation value in exif6.jpg (make-inputs.py writes it as a little-endian SHORT). */
static gsize
find_orientation (const guint8 *data,
                  gsize size)
{
  for (gsize i = 0; i + 10 < size; i++)
    if (data[i] == 0x12 && data[i + 1] == 0x01 && data[i + 2] == 3 && data[i + 3] == 0 &&
        data[i + 4] == 1 && data[i + 5] == 0 && data[i + 6] == 0 && data[i + 7] == 0)
      return i + 8;
  g_assert_not_reached ();
}

static void
test_jpeg_all_orientations (void)
{
  g_autoptr (GBytes) bytes = read_data ("exif6.jpg");
  gsize size = 0;
  const guint8 *orig = g_bytes_get_data (bytes, &size);
  g_autofree guint8 *data = g_memdup2 (orig, size);
  gsize at = find_orientation (data, size);
  InkImage *stored;
  int sw, sh;
  /* Where the stored top-left and top-right pixels end up, by EXIF's definitions:
   * 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left of the displayed image. */
  static const int top_left_goes[9] = { 0, 0, 1, 2, 3, 0, 1, 2, 3 };
  static const int top_right_goes[9] = { 0, 1, 0, 3, 2, 3, 2, 1, 0 };

  data[at] = 1;
  stored = load_bytes (data, size, "exif1.jpg", 0, NULL);
  g_assert_nonnull (stored);
  sw = stored->width;
  sh = stored->height;
  g_assert_cmpint (sw, ==, H);
  g_assert_cmpint (sh, ==, W);

  for (int o = 1; o <= 8; o++)
    {
      g_autoptr (GError) error = NULL;
      InkImage *shown, *small;
      int dw, dh;
      guint16 *corner[4];

      data[at] = (guint8) o;
      shown = load_bytes (data, size, "exif.jpg", 0, &error);
      g_assert_no_error (error);
      dw = o >= 5 ? sh : sw;
      dh = o >= 5 ? sw : sh;
      g_assert_cmpint (shown->width, ==, dw);
      g_assert_cmpint (shown->height, ==, dh);
      corner[0] = px (shown, 0, 0);
      corner[1] = px (shown, dw - 1, 0);
      corner[2] = px (shown, dw - 1, dh - 1);
      corner[3] = px (shown, 0, dh - 1);
      g_assert_cmpmem (corner[top_left_goes[o]], 8, px (stored, 0, 0), 8);
      g_assert_cmpmem (corner[top_right_goes[o]], 8, px (stored, sw - 1, 0), 8);
      /* A permutation: the pixel sums agree. */
      {
        guint64 a = 0, b = 0;

        for (gsize i = 0; i < (gsize) sw * sh * 4; i++)
          {
            a += stored->pixels[i];
            b += shown->pixels[i];
          }
        g_assert_cmpuint (a, ==, b);
      }
      /* With scaling, the long edge is the displayed image's. */
      small = load_bytes (data, size, "exif.jpg", 32, &error);
      g_assert_no_error (error);
      g_assert_cmpint (small->width, ==, o >= 5 ? 32 : 20);
      g_assert_cmpint (small->height, ==, o >= 5 ? 20 : 32);
      ink_image_free (&small);
      ink_image_free (&shown);
    }
  ink_image_free (&stored);
}

/* ---- WebP, TIFF, BMP ---- */

static void
test_other_formats (void)
{
  InkImage *rgb8 = load ("rgb8.png");
  InkImage *rgb16 = load ("rgb16.png");
  InkImage *rgba8 = load ("rgba8.png");
  InkImage *webp = load ("photo.webp");
  InkImage *webp_alpha = load ("rgba.webp");
  InkImage *tif8 = load ("rgb8.tif");
  InkImage *tif16 = load ("rgb16.tif");
  InkImage *bmp = load ("rgb8.bmp");

  assert_opaque (webp);
  assert_close (webp, rgb8, 3, 6.0, 80); /* libwebp itself is 4.3 levels off at q80 */
  /* Lossless WebP: exact, alpha included, except for the colour under alpha 0, which libwebp
   * drops to compress better. */
  g_assert_true (webp_alpha->has_alpha);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < 4; c++)
        if (px (rgba8, x, y)[3] != 0 || c == 3)
          g_assert_cmpuint (px (webp_alpha, x, y)[c], ==, px (rgba8, x, y)[c]);
  /* Lossy WebP with (losslessly compressed) alpha: YCbCr plus alpha through libswscale. */
  {
    InkImage *lossy = load ("rgba-lossy.webp");
    double sum = 0;
    int n = 0;

    g_assert_true (lossy->has_alpha);
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++)
        {
          g_assert_cmpint (ABS ((int) px (lossy, x, y)[3] - (int) px (rgba8, x, y)[3]), <=, 257);
          if (px (rgba8, x, y)[3] > 65535 / 4)
            for (int c = 0; c < 3; c++, n++)
              sum += ABS ((int) px (lossy, x, y)[c] - (int) px (rgba8, x, y)[c]) / 257.0;
        }
    g_assert_cmpuint (px (lossy, 10, 0)[3], ==, 65535);
    g_assert_cmpuint (px (lossy, 10, H - 1)[3], ==, 0);
    g_test_message ("lossy WebP with alpha: mean difference %.2f levels", sum / n);
    g_assert_cmpfloat (sum / n, <, 6);
    ink_image_free (&lossy);
  }
  assert_opaque (tif8);
  assert_close (tif8, rgb8, 3, 0, 0);
  assert_opaque (tif16);
  assert_close (tif16, rgb16, 3, 0, 0);
  assert_opaque (bmp);
  assert_close (bmp, rgb8, 3, 0, 0);
  ink_image_free (&rgb8);
  ink_image_free (&rgb16);
  ink_image_free (&rgba8);
  ink_image_free (&webp);
  ink_image_free (&webp_alpha);
  ink_image_free (&tif8);
  ink_image_free (&tif16);
  ink_image_free (&bmp);
}

/* ---- bad inputs ---- */

static void
test_bad_files (void)
{
  g_autofree char *dir = data_path ("");

  assert_load_error ("truncated.png", INK_ERROR_DECODE, "damaged");
  assert_load_error ("truncated.jpg", INK_ERROR_DECODE, "truncated");
  assert_load_error ("corrupt.png", INK_ERROR_DECODE, "damaged");
  assert_load_error ("corrupt.jpg", INK_ERROR_DECODE, "damaged");
  assert_load_error ("zero.png", INK_ERROR_DECODE, "0x0");
  assert_load_error ("not-an-image.png", INK_ERROR_DECODE, "PNG, JPEG");
  assert_load_error ("huge-header.png", INK_ERROR_TOO_LARGE,
                     "huge-header.png: the image is 30000x30000 pixels; "
                     "Inkloop accepts at most 16384 px a side and 50 megapixels");
  assert_load_error ("wide-header.png", INK_ERROR_TOO_LARGE, "20000x100");
  assert_load_error ("no-such-file.png", INK_ERROR_NOT_FOUND, "no such file");
  assert_load_error ("make-inputs.py", INK_ERROR_DECODE, NULL);
  {
    g_autoptr (GError) error = NULL;

    g_assert_null (ink_image_load (dir, NULL, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_READ);
  }
}

static void
test_bad_headers_in_memory (void)
{
  g_autoptr (GBytes) jpeg = read_data ("photo.jpg");
  g_autoptr (GBytes) bmp = read_data ("rgb8.bmp");
  gsize size = 0;
  const guint8 *orig;
  g_autofree guint8 *data = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 text[] = "plain text";

  /* A JPEG whose SOF0 claims 60000x60000. */
  orig = g_bytes_get_data (jpeg, &size);
  data = g_memdup2 (orig, size);
  for (gsize i = 2; i + 9 < size; i++)
    if (data[i] == 0xff && data[i + 1] == 0xc0)
      {
        data[i + 5] = data[i + 7] = 0xea;
        data[i + 6] = data[i + 8] = 0x60;
        break;
      }
  g_assert_null (load_bytes (data, size, "big.jpg", 0, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "big.jpg: the image is 60000x60000 pixels"));
  g_clear_error (&error);
  g_clear_pointer (&data, g_free);

  /* A BMP claiming 16385 x -100 (top-down): too wide. */
  orig = g_bytes_get_data (bmp, &size);
  data = g_memdup2 (orig, size);
  data[18] = 0x01;
  data[19] = 0x40;
  data[20] = data[21] = 0;
  data[22] = 0x9c;
  data[23] = data[24] = data[25] = 0xff;
  g_assert_null (load_bytes (data, size, "wide.bmp", 0, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "16385x100"));
  g_clear_error (&error);

  /* A PNG whose IDAT has a wrong CRC; and one whose (ancillary) tEXt chunk has, which is fine. */
  {
    g_autoptr (GBytes) png = read_data ("rgb8.png");
    gsize png_size = 0;
    const guint8 *png_orig = g_bytes_get_data (png, &png_size);
    g_autofree guint8 *bad = g_malloc (png_size + 12 + 4);
    const guint8 text_chunk[16] = { 0, 0, 0, 4, 't', 'E', 'X', 't', 'a', '\0', 'b', 'c', 1, 2, 3, 4 };
    InkImage *image;
    gsize at = 33; /* after the signature and IHDR */

    g_assert_cmpmem (png_orig + at + 4, 4, "IDAT", 4);
    memcpy (bad, png_orig, png_size);
    bad[at + 8 + ((guint32) png_orig[at + 2] << 8 | png_orig[at + 3]) + 2] ^= 0x40;
    g_assert_null (load_bytes (bad, png_size, "crc.png", 0, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
    g_clear_error (&error);

    memcpy (bad, png_orig, at);
    memcpy (bad + at, text_chunk, sizeof text_chunk);
    memcpy (bad + at + sizeof text_chunk, png_orig + at, png_size - at);
    image = load_bytes (bad, png_size + sizeof text_chunk, "text-crc.png", 0, &error);
    g_assert_no_error (error);
    ink_image_free (&image);
  }

  g_assert_null (load_bytes (data, 0, "empty.png", 0, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  g_assert_true (g_str_has_prefix (error->message, "empty.png: "));
  g_clear_error (&error);

  g_assert_null (load_bytes (text, sizeof text, "text.jpg", 0, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  g_clear_error (&error);

  /* Out-of-range scaling is refused before decoding. */
  g_assert_null (load_bytes (data, size, "x.bmp", -1, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  g_assert_null (load_bytes (data, size, "x.bmp", INK_IMAGE_MAX_SIDE + 1, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
}

/* Every prefix of a PNG and a JPEG: refused cleanly (never a crash or a half image), except a PNG
 * that lacks only its IEND chunk, whose image data is complete. */
static void
test_truncated_everywhere (void)
{
  const char *names[] = { "rgb8.png", "photo.jpg", "progressive.jpg", "rgb8.bmp", "photo.webp",
                          "rgb8.tif" };

  for (gsize n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autoptr (GBytes) bytes = read_data (names[n]);
      gsize size = 0;
      const guint8 *data = g_bytes_get_data (bytes, &size);
      gboolean strict = g_str_has_suffix (names[n], ".png") || g_str_has_suffix (names[n], ".jpg");

      for (gsize len = 0; len < size; len += 1 + len / 64)
        {
          g_autoptr (GError) error = NULL;
          InkImage *image = load_bytes (data, len, names[n], 0, &error);

          if (image != NULL)
            {
              g_assert_false (strict && len < size - 12);
              ink_image_free (&image);
            }
          else
            {
              g_assert_nonnull (error);
              g_assert_true (g_str_has_prefix (error->message, names[n]));
            }
        }
    }
}

/* ---- hostile inputs: memory and time follow the pixels, not the metadata ---- */

/* AddressSanitizer reserves terabytes of address space (RLIMIT_AS cannot cap it) and keeps freed
 * memory in quarantine (peak RSS says little), so under it only the results are checked. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* CRC-32 as PNG uses it; chains: crc32_update (crc32_update (0, a), b) is the CRC of a + b. */
static guint32
crc32_update (guint32 crc,
              const guint8 *data,
              gsize size)
{
  static guint32 table[256];

  if (table[1] == 0)
    for (guint32 i = 0; i < 256; i++)
      {
        guint32 c = i;

        for (int k = 0; k < 8; k++)
          c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
      }
  crc = ~crc;
  for (gsize i = 0; i < size; i++)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static void
append_be32 (GByteArray *out,
             guint32 v)
{
  guint8 be[4] = { (guint8) (v >> 24), (guint8) (v >> 16), (guint8) (v >> 8), (guint8) v };

  g_byte_array_append (out, be, 4);
}

/* Deflate's bits go in least significant bit first, Huffman codes most significant bit first. */
typedef struct {
  GByteArray *out;
  guint32 bits;
  int count;
} BitWriter;

static void
put_bits (BitWriter *w,
          guint32 value,
          int n)
{
  w->bits |= value << w->count;
  w->count += n;
  while (w->count >= 8)
    {
      guint8 byte = (guint8) w->bits;

      g_byte_array_append (w->out, &byte, 1);
      w->bits >>= 8;
      w->count -= 8;
    }
}

static void
put_code (BitWriter *w,
          guint32 code,
          int n)
{
  guint32 reversed = 0;

  for (int i = 0; i < n; i++)
    reversed |= ((code >> i) & 1) << (n - 1 - i);
  put_bits (w, reversed, n);
}

static void
put_literal (BitWriter *w,
             guint v)
{
  if (v < 144)
    put_code (w, 0x30 + v, 8);
  else
    put_code (w, 0x190 + v - 144, 9);
}

/* A zlib stream of PREFIX followed by ZEROS zero bytes, as one deflate block with the fixed
 * Huffman codes: a run of zeros costs 13 bits per 258 bytes (1 GiB in 6.5 MB), and making it
 * takes no time, unlike compressing the zeros. */
static GByteArray *
zlib_with_zeros (const guint8 *prefix,
                 gsize prefix_size,
                 guint64 zeros)
{
  BitWriter w = { g_byte_array_new (), 0, 0 };
  guint32 a = 1, b = 0;
  const guint8 header[2] = { 0x78, 0x01 };

  g_byte_array_append (w.out, header, 2);
  put_bits (&w, 1, 1); /* the last block */
  put_bits (&w, 1, 2); /* fixed Huffman codes */
  for (gsize i = 0; i < prefix_size; i++)
    {
      put_literal (&w, prefix[i]);
      a = (a + prefix[i]) % 65521;
      b = (b + a) % 65521;
    }
  if (zeros > 0)
    {
      guint64 left = zeros - 1;

      put_literal (&w, 0);
      for (; left >= 258; left -= 258)
        put_bits (&w, 0xa3, 13); /* length 258 (code 285: 11000101 reversed), distance 1 */
      for (; left > 0; left--)
        put_literal (&w, 0);
      b = (guint32) ((b + zeros % 65521 * a) % 65521);
    }
  put_code (&w, 0, 7); /* end of block */
  if (w.count > 0)
    put_bits (&w, 0, 8 - w.count);
  append_be32 (w.out, b << 16 | a);
  return w.out;
}

static void
add_png_chunk (GByteArray *png,
               const char *type,
               const guint8 *data,
               gsize size)
{
  append_be32 (png, (guint32) size);
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, (guint) size);
  append_be32 (png, crc32_update (crc32_update (0, (const guint8 *) type, 4), data, size));
}

/* A metadata chunk: its text part, then the zlib stream. */
static void
add_png_zchunk (GByteArray *png,
                const char *type,
                const char *head,
                gsize head_size,
                const GByteArray *zlib)
{
  g_autoptr (GByteArray) payload = g_byte_array_new ();

  g_byte_array_append (payload, (const guint8 *) head, (guint) head_size);
  g_byte_array_append (payload, zlib->data, zlib->len);
  add_png_chunk (png, type, payload->data, payload->len);
}

/* The rows of the bomb's picture: (4x, 6y, 128), 8-bit RGB, filter type 0. */
static GByteArray *
bomb_rows (void)
{
  GByteArray *rows = g_byte_array_new ();

  for (int y = 0; y < H; y++)
    {
      const guint8 filter = 0;

      g_byte_array_append (rows, &filter, 1);
      for (int x = 0; x < W; x++)
        {
          const guint8 rgb[3] = { (guint8) (4 * x), (guint8) (6 * y), 128 };

          g_byte_array_append (rows, rgb, 3);
        }
    }
  return rows;
}

static void
assert_bomb_picture (const InkImage *image)
{
  g_assert_cmpint (image->width, ==, W);
  g_assert_cmpint (image->height, ==, H);
  g_assert_false (image->has_alpha);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        g_assert_cmpuint (px (image, x, y)[0], ==, 4 * x * 257);
        g_assert_cmpuint (px (image, x, y)[1], ==, (guint) (6 * y * 257));
        g_assert_cmpuint (px (image, x, y)[2], ==, 128 * 257);
        g_assert_cmpuint (px (image, x, y)[3], ==, 65535);
      }
}

/* A 64x40 PNG: before its image data a zTXt, an iTXt and an iCCP chunk, after it another zTXt,
 * each inflating to METADATA bytes; its image data inflates to EXTRA bytes more than the rows. */
static GByteArray *
make_png_bomb (guint64 metadata,
               guint64 extra)
{
  static const guint8 ihdr[13] = { 0, 0, 0, W, 0, 0, 0, H, 8, 2, 0, 0, 0 };
  GByteArray *png = g_byte_array_new ();
  g_autoptr (GByteArray) rows = bomb_rows ();
  g_autoptr (GByteArray) idat = zlib_with_zeros (rows->data, rows->len, extra);
  g_autoptr (GByteArray) zeros = metadata > 0 ? zlib_with_zeros (NULL, 0, metadata) : NULL;

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  add_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  if (zeros != NULL)
    {
      add_png_zchunk (png, "zTXt", "Comment\0", 9, zeros); /* keyword, NUL, method 0 */
      add_png_zchunk (png, "iTXt", "Description\0\1\0en\0", 18, zeros); /* compressed, no
                                                                             translation */
      add_png_zchunk (png, "iCCP", "icc\0", 5, zeros);
    }
  add_png_chunk (png, "IDAT", idat->data, idat->len);
  if (zeros != NULL)
    add_png_zchunk (png, "zTXt", "Author\0", 8, zeros);
  add_png_chunk (png, "IEND", NULL, 0);
  return png;
}

/* The chunk types of a PNG, "IHDR IDAT IEND". */
static char *
png_chunk_types (GBytes *bytes)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  GString *types = g_string_new (NULL);

  for (gsize pos = 8; pos + 12 <= size;)
    {
      guint32 length = (guint32) data[pos] << 24 | (guint32) data[pos + 1] << 16 |
                       (guint32) data[pos + 2] << 8 | data[pos + 3];

      g_string_append_printf (types, "%s%.4s", types->len > 0 ? " " : "", data + pos + 4);
      pos += 12 + (gsize) length;
    }
  return g_string_free (types, FALSE);
}

/* In the subprocess: caps the address space at what is mapped now plus EXTRA_MB, so a regression
 * fails to allocate instead of taking the machine's memory. */
static void
cap_address_space (gsize extra_mb)
{
#if !UNDER_ASAN
  g_autofree char *statm = NULL;
  guint64 pages;
  struct rlimit rl;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    return;
  pages = g_ascii_strtoull (statm, NULL, 10);
  rl.rlim_cur = rl.rlim_max = pages * (guint64) sysconf (_SC_PAGESIZE) + ((guint64) extra_mb << 20);
  g_assert_cmpint (setrlimit (RLIMIT_AS, &rl), ==, 0);
#else
  (void) extra_mb;
#endif
}

static glong
peak_rss_kb (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

/* Loads a hostile file (in a test subprocess) with at most 1.5 GB more address space, and checks
 * that the peak memory grew by less than LIMIT_MB (the picture itself needs a few MB). */
static InkImage *
load_hostile (const GByteArray *file,
              const char *name,
              glong limit_mb)
{
  g_autoptr (GError) error = NULL;
  glong before;
  InkImage *image;

  cap_address_space (1536);
  before = peak_rss_kb ();
  image = load_bytes (file->data, file->len, name, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  if (UNDER_ASAN)
    g_test_message ("AddressSanitizer: the peak memory is not checked");
  else
    {
      g_test_message ("%s: peak RSS grew by %ld KB while loading", name, peak_rss_kb () - before);
      g_assert_cmpint (peak_rss_kb () - before, <, limit_mb * 1024);
    }
  return image;
}

/* Runs the test in a subprocess, where the address space is capped; a minute is a guard against a
 * hang, not a timing (it takes well under a second). */
static gboolean
in_subprocess (void)
{
  if (g_test_subprocess ())
    return TRUE;
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return FALSE;
}

/* Four metadata chunks that inflate to 256 MiB each (1 GiB in all, from a 6.8 MB file): the
 * decoder never sees them, the picture loads, and memory stays small. */
static void
test_hostile_png_metadata (void)
{
  g_autoptr (GByteArray) png = NULL;
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *types = NULL;
  InkImage *image;

  if (!in_subprocess ())
    return;
  png = make_png_bomb ((guint64) 256 << 20, 0);
  g_test_message ("the bomb is %u bytes", png->len);

  input = ink_image_decoder_input (png->data, png->len, "bomb.png", NULL, &error);
  g_assert_no_error (error);
  types = png_chunk_types (input);
  g_assert_cmpstr (types, ==, "IHDR IDAT IEND");
  g_assert_cmpuint (g_bytes_get_size (input), <, 16384);

  image = load_hostile (png, "bomb.png", 64);
  assert_bomb_picture (image);
  ink_image_free (&image);
}

/* Image data that goes on for 1 GiB after the rows (within one zlib stream): the decoder gets it
 * cut about a megabyte past the rows, so its work follows the picture's size. */
static void
test_hostile_png_image_data (void)
{
  g_autoptr (GByteArray) png = NULL;
  g_autoptr (GByteArray) small = NULL;
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *types = NULL;
  InkImage *image;

  if (!in_subprocess ())
    return;
  png = make_png_bomb (0, (guint64) 1 << 30);
  input = ink_image_decoder_input (png->data, png->len, "rows.png", NULL, &error);
  g_assert_no_error (error);
  types = png_chunk_types (input);
  g_assert_cmpstr (types, ==, "IHDR IDAT IEND");
  /* The rows and about 1 MiB of zeros, at 13 bits per 258 bytes. */
  g_assert_cmpuint (g_bytes_get_size (input), <, 32768);
  image = load_hostile (png, "rows.png", 64);
  assert_bomb_picture (image);
  ink_image_free (&image);

  /* A few bytes too many (a sloppy encoder) stay for the decoder, which ignores them. */
  small = make_png_bomb (0, 100);
  g_clear_pointer (&input, g_bytes_unref);
  input = ink_image_decoder_input (small->data, small->len, "rows.png", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (input, NULL), g_bytes_get_size (input), small->data,
                   small->len);
  image = load_bytes (small->data, small->len, "rows.png", 0, &error);
  g_assert_no_error (error);
  assert_bomb_picture (image);
  ink_image_free (&image);
}

/* A large interlaced picture (all zero) with 1 GiB too much image data: the size of the rows
 * counts all seven Adam7 passes, or the cut would fall inside the picture and fail it. */
static void
test_hostile_png_interlaced (void)
{
  const int w = 1999, h = 1501;
  guint8 ihdr[13] = { 0, 0, (guint8) (w >> 8), (guint8) w, 0, 0, (guint8) (h >> 8), (guint8) h,
                      16, 6, 0, 0, 1 };
  static const int adam7[7][4] = {
    { 0, 0, 8, 8 }, { 4, 0, 8, 8 }, { 0, 4, 4, 8 }, { 2, 0, 4, 4 }, { 0, 2, 2, 4 }, { 1, 0, 2, 2 },
    { 0, 1, 1, 2 },
  };
  g_autoptr (GByteArray) png = g_byte_array_new ();
  g_autoptr (GByteArray) idat = NULL;
  guint64 rows = 0;
  InkImage *image;

  if (!in_subprocess ())
    return;
  for (int p = 0; p < 7; p++)
    {
      guint64 columns = (guint64) (w - adam7[p][0] + adam7[p][2] - 1) / adam7[p][2];
      guint64 lines = (guint64) (h - adam7[p][1] + adam7[p][3] - 1) / adam7[p][3];

      rows += lines * (1 + columns * 8); /* 16-bit RGBA: 8 bytes a pixel */
    }
  idat = zlib_with_zeros (NULL, 0, rows + ((guint64) 1 << 30));
  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  add_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  add_png_chunk (png, "IDAT", idat->data, idat->len);
  add_png_chunk (png, "IEND", NULL, 0);

  image = load_hostile (png, "interlaced.png", 256);
  g_assert_cmpint (image->width, ==, w);
  g_assert_cmpint (image->height, ==, h);
  g_assert_true (image->has_alpha);
  for (gsize i = 0; i < (gsize) w * h * 4; i += 4099)
    g_assert_cmpuint (image->pixels[i], ==, 0);
  ink_image_free (&image);
}

/* TIFF-structured EXIF whose IFD0 holds Orientation 6 and N - 1 EXIF-IFD pointers back to IFD0
 * itself: FFmpeg would walk it n^3 times. */
static GByteArray *
make_exif_loop (guint n)
{
  GByteArray *tiff = g_byte_array_new ();
  const guint8 header[8] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
  const guint8 count[2] = { (guint8) n, (guint8) (n >> 8) };
  const guint8 orientation[12] = { 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0 };
  const guint8 pointer[12] = { 0x69, 0x87, 4, 0, 1, 0, 0, 0, 8, 0, 0, 0 };
  const guint8 next[4] = { 0 };

  g_byte_array_append (tiff, header, 8);
  g_byte_array_append (tiff, count, 2);
  g_byte_array_append (tiff, orientation, 12);
  for (guint i = 1; i < n; i++)
    g_byte_array_append (tiff, pointer, 12);
  g_byte_array_append (tiff, next, 4);
  return tiff;
}

/* Displayed with orientation 6, STORED (w x h) is h x w: the displayed (x, y) is the stored
 * (y, h - 1 - x). */
static void
assert_turned_clockwise (const InkImage *shown,
                         const InkImage *stored)
{
  g_assert_cmpint (shown->width, ==, stored->height);
  g_assert_cmpint (shown->height, ==, stored->width);
  for (int y = 0; y < shown->height; y++)
    for (int x = 0; x < shown->width; x++)
      g_assert_cmpmem (px (shown, x, y), 8, px (stored, y, stored->height - 1 - x), 8);
}

/* A JPEG whose APP1 holds a self-referencing EXIF directory of 5000 entries (60 KB): FFmpeg
 * took hours over it; now it never sees it, and the orientation is still read. */
static void
test_hostile_jpeg_exif (void)
{
  g_autoptr (GBytes) photo = read_data ("photo.jpg");
  g_autoptr (GByteArray) exif = make_exif_loop (5000);
  g_autoptr (GByteArray) jpeg = g_byte_array_new ();
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GError) error = NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (photo, &size);
  guint length = exif->len + 8;
  const guint8 app1[10] = { 0xff, 0xe1, (guint8) (length >> 8), (guint8) length,
                            'E', 'x', 'i', 'f', 0, 0 };
  InkImage *stored, *shown;
  int orientation = 0;

  if (!in_subprocess ())
    return;
  g_assert_cmpuint (length, <=, 65535);
  g_byte_array_append (jpeg, data, 2);
  g_byte_array_append (jpeg, app1, sizeof app1);
  g_byte_array_append (jpeg, exif->data, exif->len);
  g_byte_array_append (jpeg, data + 2, (guint) size - 2);

  input = ink_image_decoder_input (jpeg->data, jpeg->len, "loop.jpg", &orientation, &error);
  g_assert_no_error (error);
  g_assert_cmpint (orientation, ==, 6);
  g_assert_cmpmem (g_bytes_get_data (input, NULL), g_bytes_get_size (input), data, size);

  stored = load ("photo.jpg");
  shown = load_hostile (jpeg, "loop.jpg", 64);
  assert_turned_clockwise (shown, stored);
  ink_image_free (&shown);
  ink_image_free (&stored);
}

/* A 16x16 progressive greyscale JPEG (all mid-grey) with a DC scan and AC_SCANS identical AC
 * scans, each an end-of-band run over the four blocks. */
static GByteArray *
make_jpeg_scans (guint ac_scans)
{
  static const guint8 head[] = {
    0xff, 0xd8,
    0xff, 0xdb, 0, 67, 0, /* DQT 0: all ones */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0xff, 0xc2, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0, /* SOF2: 16x16, one component */
    0xff, 0xc4, 0, 38, /* DHT: DC 0 and AC 0, one 1-bit code each (DC 0; AC EOB2) */
    0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
    0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20,
    0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 0, 0, 0x0f, /* the DC scan: four zero differences */
  };
  static const guint8 ac_scan[] = {
    0xff, 0xda, 0, 8, 1, 1, 0x00, 1, 63, 0, 0x1f, /* EOB2 with run 4 + 0: every block */
  };
  GByteArray *jpeg = g_byte_array_new ();

  g_byte_array_append (jpeg, head, sizeof head);
  for (guint i = 0; i < ac_scans; i++)
    g_byte_array_append (jpeg, ac_scan, sizeof ac_scan);
  g_byte_array_append (jpeg, (const guint8[]) { 0xff, 0xd9 }, 2);
  return jpeg;
}

/* Each scan of a progressive JPEG is a pass over the whole picture: more than 500 are refused. */
static void
test_hostile_jpeg_scans (void)
{
  g_autoptr (GByteArray) most = make_jpeg_scans (499);
  g_autoptr (GByteArray) too_many = make_jpeg_scans (500);
  g_autoptr (GError) error = NULL;
  InkImage *image;

  image = load_bytes (most->data, most->len, "scans.jpg", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 16);
  g_assert_cmpint (image->height, ==, 16);
  g_assert_cmpuint (px (image, 5, 5)[0], ==, px (image, 12, 12)[0]);
  ink_image_free (&image);

  g_assert_null (load_bytes (too_many->data, too_many->len, "scans.jpg", 0, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  g_assert_nonnull (strstr (error->message, "more than 500 scans"));
}

static void
append_le32 (GByteArray *out,
             guint32 v)
{
  guint8 le[4] = { (guint8) v, (guint8) (v >> 8), (guint8) (v >> 16), (guint8) (v >> 24) };

  g_byte_array_append (out, le, 4);
}

static void
add_riff_chunk (GByteArray *out,
                const char *type,
                const guint8 *data,
                gsize size)
{
  const guint8 pad = 0;

  g_byte_array_append (out, (const guint8 *) type, 4);
  append_le32 (out, (guint32) size);
  g_byte_array_append (out, data, (guint) size);
  if (size & 1)
    g_byte_array_append (out, &pad, 1);
}

/* photo.webp with a VP8X header, a 1 MB ICC profile and an EXIF chunk holding a self-referencing
 * directory of 20000 entries; the orientation is read, the rest never reaches the decoder. */
static void
test_hostile_webp_exif (void)
{
  g_autoptr (GBytes) photo = read_data ("photo.webp");
  g_autoptr (GByteArray) exif = make_exif_loop (20000);
  g_autoptr (GByteArray) body = g_byte_array_new ();
  g_autoptr (GByteArray) webp = g_byte_array_new ();
  g_autofree guint8 *icc = g_malloc0 (1 << 20);
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GError) error = NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (photo, &size);
  /* Flags: ICC and EXIF; canvas 64x40 (stored as width - 1, height - 1 in 24 bits). */
  const guint8 vp8x[10] = { 0x28, 0, 0, 0, W - 1, 0, 0, H - 1, 0, 0 };
  InkImage *stored, *shown;
  int orientation = 0;

  if (!in_subprocess ())
    return;
  g_assert_cmpmem (data + 12, 4, "VP8 ", 4);
  g_byte_array_append (body, (const guint8 *) "WEBP", 4);
  add_riff_chunk (body, "VP8X", vp8x, sizeof vp8x);
  add_riff_chunk (body, "ICCP", icc, 1 << 20);
  g_byte_array_append (body, data + 12, (guint) size - 12); /* the VP8 chunk */
  add_riff_chunk (body, "EXIF", exif->data, exif->len);
  g_byte_array_append (webp, (const guint8 *) "RIFF", 4);
  append_le32 (webp, body->len);
  g_byte_array_append (webp, body->data, body->len);

  input = ink_image_decoder_input (webp->data, webp->len, "loop.webp", &orientation, &error);
  g_assert_no_error (error);
  g_assert_cmpint (orientation, ==, 6);
  g_assert_cmpuint (g_bytes_get_size (input), ==, 12 + 18 + size - 12);

  stored = load ("photo.webp");
  shown = load_hostile (webp, "loop.webp", 64);
  assert_turned_clockwise (shown, stored);
  ink_image_free (&shown);
  ink_image_free (&stored);
}

/* A VP8L Huffman code (of the normal kind) for symbols 0 and 1, one bit each. */
static void
put_vp8l_two_symbols (BitWriter *w)
{
  put_bits (w, 0, 1); /* normal */
  put_bits (w, 0, 4); /* 4 code length code lengths, for 17, 18, 0 and 1 */
  put_bits (w, 0, 9);
  put_bits (w, 1, 3); /* only length 1: its code takes no bits */
  put_bits (w, 1, 1); /* max_symbol: 2 + 0 (2 bits) */
  put_bits (w, 0, 3);
  put_bits (w, 0, 2);
}

/* A VP8L Huffman code with only SYMBOL (of BITS bits), which takes no bits to read. */
static void
put_vp8l_one_symbol (BitWriter *w,
                     guint32 symbol,
                     int bits)
{
  put_bits (w, 1, 1);              /* simple */
  put_bits (w, 0, 1);              /* one symbol */
  put_bits (w, bits == 8 ? 1 : 0, 1);
  put_bits (w, symbol, bits);
}

/* A 64x64 lossless WebP (944 KB) whose entropy image (one pixel) names Huffman group 65535; all
 * 65 536 groups are in the file, with 5 codes each, but only the last one is used. FFmpeg 5.1's
 * decoder allocated tables for every group up to the index named (454 MB); libwebp, which the
 * loader uses for WebP, keeps those the entropy image uses. The picture is black. */
static GByteArray *
make_webp_group_bomb (void)
{
  BitWriter w = { g_byte_array_new (), 0, 0 };
  GByteArray *webp = g_byte_array_new ();
  guint32 group = 65535;

  put_bits (&w, 0x2f, 8);
  put_bits (&w, 64 - 1, 14);
  put_bits (&w, 64 - 1, 14);
  put_bits (&w, 0, 1);             /* alpha unused */
  put_bits (&w, 0, 3);             /* version */
  put_bits (&w, 0, 1);             /* no transform */
  put_bits (&w, 0, 1);             /* no colour cache */
  put_bits (&w, 1, 1);             /* meta Huffman codes ... */
  put_bits (&w, 7, 3);             /* ... in 512x512 blocks: an entropy image of one pixel */
  put_bits (&w, 0, 1);             /* the entropy image: no colour cache, codes of one symbol */
  put_vp8l_one_symbol (&w, group & 0xff, 8); /* green: the group's low byte */
  put_vp8l_one_symbol (&w, group >> 8, 8);   /* red: its high byte */
  for (int i = 0; i < 3; i++)
    put_vp8l_one_symbol (&w, 0, 1);
  for (guint32 g = 0; g <= group; g++)
    for (int i = 0; i < 5; i++)
      put_vp8l_two_symbols (&w);
  for (int i = 0; i < 64 * 64; i++)
    put_bits (&w, 0, 4);           /* green, red, blue and alpha 0 */
  if (w.count > 0)
    put_bits (&w, 0, 8 - w.count);

  g_byte_array_append (webp, (const guint8 *) "RIFF", 4);
  append_le32 (webp, 4 + 8 + w.out->len + (w.out->len & 1));
  g_byte_array_append (webp, (const guint8 *) "WEBP", 4);
  add_riff_chunk (webp, "VP8L", w.out->data, w.out->len);
  g_byte_array_unref (w.out);
  return webp;
}

static void
test_hostile_webp_huffman_groups (void)
{
  g_autoptr (GByteArray) webp = NULL;
  InkImage *image;

  if (!in_subprocess ())
    return;
  webp = make_webp_group_bomb ();
  g_assert_cmpuint (webp->len, >, 900000);
  image = load_hostile (webp, "groups.webp", 64);
  g_assert_cmpint (image->width, ==, 64);
  g_assert_cmpint (image->height, ==, 64);
  g_assert_false (image->has_alpha);
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      {
        const guint16 *p = image->pixels + ((gsize) y * 64 + x) * 4;

        g_assert_true (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 65535);
      }
  ink_image_free (&image);
}

static void
add_tiff_entry (GByteArray *ifd,
                guint16 tag,
                guint16 type,
                guint32 count,
                guint32 value)
{
  const guint8 head[4] = { (guint8) tag, (guint8) (tag >> 8), (guint8) type, (guint8) (type >> 8) };

  g_byte_array_append (ifd, head, 4);
  append_le32 (ifd, count);
  append_le32 (ifd, value);
}

/* The bomb's picture as an uncompressed little-endian TIFF with 16384 GeoTIFF keys, each asking
 * for its own copy of a 64 KB string (1 GiB), and ten string tags sharing one 4 MB string (40 MB
 * of copies from a 4.3 MB file). */
static void
test_hostile_tiff_tags (void)
{
  const guint keys = 16384;
  static const guint16 strings[] = { 269, 270, 271, 272, 285, 305, 306, 315, 316, 33432 };
  g_autoptr (GByteArray) tiff = g_byte_array_new ();
  g_autoptr (GByteArray) ifd = g_byte_array_new ();
  g_autoptr (GByteArray) rows = bomb_rows ();
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GError) error = NULL;
  guint32 pixels_at, bps_at, keys_at, ascii_at, text_at, ifd_at, entries;
  InkImage *image;

  if (!in_subprocess ())
    return;
  g_byte_array_append (tiff, (const guint8 *) "II*\0\0\0\0\0", 8);
  pixels_at = tiff->len;
  for (int y = 0; y < H; y++)
    g_byte_array_append (tiff, rows->data + y * (1 + 3 * W) + 1, 3 * W);
  bps_at = tiff->len;
  g_byte_array_append (tiff, (const guint8 *) "\x08\0\x08\0\x08\0\0\0", 8);
  keys_at = tiff->len;
  for (guint i = 0; i < 4 * (keys + 1); i++)
    {
      /* Header (version 1, revision 1.0, KEYS keys), then keys: PCSCitation, ASCII, 65535, 0. */
      static const guint16 header[4] = { 1, 1, 0, 0 };
      static const guint16 key[4] = { 3073, 34737, 65535, 0 };
      guint16 v = i < 4 ? (i == 3 ? (guint16) keys : header[i]) : key[i % 4];
      const guint8 le[2] = { (guint8) v, (guint8) (v >> 8) };

      g_byte_array_append (tiff, le, 2);
    }
  ascii_at = tiff->len;
  for (guint i = 0; i < 65536; i++)
    g_byte_array_append (tiff, (const guint8 *) (i == 65535 ? "|" : "A"), 1);
  text_at = tiff->len;
  for (guint i = 0; i < 4 << 20; i++)
    g_byte_array_append (tiff, (const guint8 *) "S", 1);

  add_tiff_entry (ifd, 256, 3, 1, W);
  add_tiff_entry (ifd, 257, 3, 1, H);
  add_tiff_entry (ifd, 258, 3, 3, bps_at);
  add_tiff_entry (ifd, 259, 3, 1, 1);
  add_tiff_entry (ifd, 262, 3, 1, 2);
  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i] < 273)
      add_tiff_entry (ifd, strings[i], 2, 4 << 20, text_at);
  add_tiff_entry (ifd, 273, 4, 1, pixels_at);
  add_tiff_entry (ifd, 277, 3, 1, 3);
  add_tiff_entry (ifd, 278, 3, 1, H);
  add_tiff_entry (ifd, 279, 4, 1, 3 * W * H);
  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i] > 279)
      add_tiff_entry (ifd, strings[i], 2, 4 << 20, text_at);
  add_tiff_entry (ifd, 34735, 3, 4 * (keys + 1), keys_at);
  add_tiff_entry (ifd, 34737, 2, 65536, ascii_at);
  entries = ifd->len / 12;
  ifd_at = tiff->len;
  g_byte_array_append (tiff, (const guint8[2]) { (guint8) entries, (guint8) (entries >> 8) }, 2);
  g_byte_array_append (tiff, ifd->data, ifd->len);
  append_le32 (tiff, 0);
  tiff->data[4] = (guint8) ifd_at;
  tiff->data[5] = (guint8) (ifd_at >> 8);
  tiff->data[6] = (guint8) (ifd_at >> 16);
  tiff->data[7] = (guint8) (ifd_at >> 24);

  /* The decoder gets the file with a copy of the directory (9 pixel tags) after it. */
  input = ink_image_decoder_input (tiff->data, tiff->len, "tags.tif", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (input), ==, tiff->len + (tiff->len & 1) + 2 + 9 * 12 + 4);

  image = load_hostile (tiff, "tags.tif", 64);
  assert_bomb_picture (image);
  ink_image_free (&image);
}

/* Damaged structure in each format: a clean error or the picture, never a crash or a read outside
 * the data (AddressSanitizer runs these too). */
static void
test_hostile_cut_chunks (void)
{
  g_autoptr (GByteArray) good = make_png_bomb (0, 0);
  g_autoptr (GByteArray) zeros = zlib_with_zeros (NULL, 0, 1 << 20);
  static const struct {
    const char *name;
    guint32 length;    /* the length field of a zTXt chunk after the image data */
    gsize keep;        /* bytes of the chunk's payload present; the file ends there */
    gboolean loads;
  } cases[] = {
    { "ztxt-cut.png", 5000, 100, FALSE },          /* cut short: as FFmpeg says, truncated */
    { "ztxt-huge-length.png", 0xfffffff0u, 8, FALSE },
    { "ztxt-length-2g.png", 0x80000000u, 0, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GByteArray) png = g_byte_array_new ();
      g_autoptr (GError) error = NULL;
      InkImage *image;

      /* Everything up to IEND, then the damaged chunk. */
      g_byte_array_append (png, good->data, good->len - 12);
      append_be32 (png, cases[i].length);
      g_byte_array_append (png, (const guint8 *) "zTXt", 4);
      g_byte_array_append (png, zeros->data, (guint) MIN (cases[i].keep, zeros->len));
      image = load_bytes (png->data, png->len, cases[i].name, 0, &error);
      if (cases[i].loads)
        {
          g_assert_no_error (error);
          assert_bomb_picture (image);
          ink_image_free (&image);
        }
      else
        {
          g_assert_null (image);
          g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
          g_assert_true (g_str_has_prefix (error->message, cases[i].name));
        }
    }

  /* Every prefix of the bomb with its metadata (cut in and between every chunk). */
  {
    g_autoptr (GByteArray) bomb = make_png_bomb (1 << 16, 1 << 16);

    for (gsize len = 0; len < bomb->len; len += 1 + len / 97)
      {
        g_autoptr (GError) error = NULL;
        InkImage *image = load_bytes (bomb->data, len, "cut.png", 0, &error);

        if (image != NULL)
          {
            assert_bomb_picture (image);
            ink_image_free (&image);
          }
        else
          g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
      }
  }

  /* A TIFF whose directory lies past its end. */
  {
    g_autoptr (GBytes) tif = read_data ("rgb8.tif");
    gsize size = g_bytes_get_size (tif);
    g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (tif, NULL), size);
    g_autoptr (GError) error = NULL;

    g_assert_cmpuint (size, >, 8);
    data[4] = data[5] = data[6] = 0xff;
    g_assert_null (load_bytes (data, size, "far.tif", 0, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  }
}

/* A clean file reaches the decoder as it is, and many small pieces (here 5000 one-byte IDATs
 * between tEXt chunks) come out right. */
static void
test_hostile_clean_files (void)
{
  const char *names[] = { "rgb8.png", "palette.png", "photo.jpg", "rgb8.bmp", "rgba.webp" };
  g_autoptr (GByteArray) rows = bomb_rows ();
  g_autoptr (GByteArray) idat = zlib_with_zeros (rows->data, rows->len, 0);
  g_autoptr (GByteArray) png = g_byte_array_new ();
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GError) error = NULL;
  static const guint8 ihdr[13] = { 0, 0, 0, W, 0, 0, 0, H, 8, 2, 0, 0, 0 };
  InkImage *image;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GBytes) file = read_data (names[i]);

      input = ink_image_decoder_input (g_bytes_get_data (file, NULL), g_bytes_get_size (file),
                                       names[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (input, file));
      g_clear_pointer (&input, g_bytes_unref);
    }

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  add_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  for (guint i = 0; i < idat->len; i++)
    {
      add_png_chunk (png, "IDAT", idat->data + i, 1);
      add_png_chunk (png, "tEXt", (const guint8 *) "k\0v", 3);
    }
  add_png_chunk (png, "IEND", NULL, 0);
  g_assert_cmpuint (idat->len, >, 4096);
  input = ink_image_decoder_input (png->data, png->len, "pieces.png", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (input), ==, png->len - 15 * idat->len);
  image = load_bytes (png->data, png->len, "pieces.png", 0, &error);
  g_assert_no_error (error);
  assert_bomb_picture (image);
  ink_image_free (&image);
}

/* ---- scaling ---- */

static void
test_load_scaled (void)
{
  InkImage *rgb8 = load ("rgb8.png");
  InkImage *half = load_sized ("rgb8.png", 32);
  InkImage *twice = load_sized ("rgb16.png", 128);
  InkImage *box = ink_image_new (32, 20);
  InkImage *scaled;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (half->width, ==, 32);
  g_assert_cmpint (half->height, ==, 20);
  assert_opaque (half);
  /* Halving is a 2x2 average. */
  for (int y = 0; y < 20; y++)
    for (int x = 0; x < 32; x++)
      for (int c = 0; c < 4; c++)
        px (box, x, y)[c] = (guint16) ((px (rgb8, 2 * x, 2 * y)[c] + px (rgb8, 2 * x + 1, 2 * y)[c] +
                                        px (rgb8, 2 * x, 2 * y + 1)[c] +
                                        px (rgb8, 2 * x + 1, 2 * y + 1)[c] + 2) / 4);
  assert_close (half, box, 4, 0.5, 2);
  /* Loading scaled is the same as scaling after loading. */
  scaled = ink_image_scale (rgb8, 32, &error);
  g_assert_no_error (error);
  assert_close (half, scaled, 4, 0.05, 1);
  ink_image_free (&scaled);

  g_assert_cmpint (twice->width, ==, 128);
  g_assert_cmpint (twice->height, ==, 80);
  assert_opaque (twice);

  /* Keeping alpha through scaling. */
  scaled = load_sized ("rgba8.png", 16);
  g_assert_true (scaled->has_alpha);
  g_assert_cmpint (scaled->width, ==, 16);
  g_assert_cmpint (scaled->height, ==, 10);
  g_assert_cmpuint (px (scaled, 5, 0)[3], >, px (scaled, 5, 9)[3]);
  ink_image_free (&scaled);

  ink_image_free (&rgb8);
  ink_image_free (&half);
  ink_image_free (&twice);
  ink_image_free (&box);
}

static void
test_scale (void)
{
  InkImage *image = ink_image_new (451, 300);
  InkImage *out, *copy;
  g_autoptr (GError) error = NULL;
  static const guint16 colour[4] = { 1000, 30000, 65535, 40000 };

  image->has_alpha = TRUE;
  for (gsize i = 0; i < (gsize) 451 * 300; i++)
    memcpy (image->pixels + 4 * i, colour, sizeof colour);

  copy = ink_image_copy (image);
  g_assert_cmpint (copy->width, ==, 451);
  g_assert_true (copy->has_alpha);
  g_assert_cmpmem (copy->pixels, 451 * 300 * 8, image->pixels, 451 * 300 * 8);
  ink_image_free (&copy);

  /* 300 * 100 / 451 = 66.5: rounded. Down and up, a flat colour stays flat. */
  for (int edge = 100; edge <= 1000; edge += 900)
    {
      out = ink_image_scale (image, edge, &error);
      g_assert_no_error (error);
      g_assert_cmpint (out->width, ==, edge);
      g_assert_cmpint (out->height, ==, edge == 100 ? 67 : 665);
      g_assert_true (out->has_alpha);
      for (gsize i = 0; i < (gsize) out->width * out->height; i++)
        for (int c = 0; c < 4; c++)
          g_assert_cmpint (ABS ((int) out->pixels[4 * i + c] - colour[c]), <=, 64);
      ink_image_free (&out);
    }

  /* A sliver keeps at least one pixel. */
  ink_image_free (&image);
  image = ink_image_new (1000, 2);
  memset (image->pixels, 0, (gsize) 1000 * 2 * 8);
  out = ink_image_scale (image, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpint (out->width, ==, 100);
  g_assert_cmpint (out->height, ==, 1);
  ink_image_free (&out);

  g_assert_null (ink_image_scale (image, 0, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  g_assert_null (ink_image_scale (image, INK_IMAGE_MAX_SIDE + 1, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  ink_image_free (&image);

  /* 16384 x 16384 is above the pixel limit. */
  image = ink_image_new (10, 10);
  g_assert_null (ink_image_scale (image, INK_IMAGE_MAX_SIDE, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_TOO_LARGE);
  ink_image_free (&image);
  ink_image_free (&image); /* NULL-safe */
}

/* ---- saving ---- */

static char *
make_tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("inkloop-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tmp_dir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_chmod (path, 0700);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tmp_dir (path);
      else
        g_assert_cmpint (g_unlink (path), ==, 0);
    }
  if (d != NULL)
    g_dir_close (d);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static guint
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

static void
test_save_round_trip (void)
{
  g_autofree char *dir = make_tmp_dir ();
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
      g_assert_cmpuint (count_entries (dir), ==, 1);
    }
  remove_tmp_dir (dir);
}

static void
test_save_permissions (void)
{
  g_autofree char *dir = make_tmp_dir ();
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
  remove_tmp_dir (dir);
}

static void
test_save_missing_folder (void)
{
  g_autofree char *dir = make_tmp_dir ();
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
  g_assert_cmpuint (count_entries (dir), ==, 0);
  g_clear_error (&error);

  /* The "folder" is a file. */
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  g_assert_false (ink_image_save_png (image, under_file, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
  g_assert_true (g_str_has_prefix (error->message, under_file));
  g_assert_cmpuint (count_entries (dir), ==, 1);
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
  remove_tmp_dir (dir);
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
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "new.png", NULL);
  g_autofree char *old = g_build_filename (dir, "old.png", NULL);
  g_autofree char *contents = NULL;
  InkImage *image = load ("rgb16.png");
  const char *old_text = "the previous picture";

  /* Nothing there before: nothing there after. */
  save_in_limited_child (image, out, 1000);
  g_assert_cmpuint (count_entries (dir), ==, 0);

  /* Replacing a file: the old one stays as it was. */
  g_assert_true (g_file_set_contents (old, old_text, -1, NULL));
  save_in_limited_child (image, old, 1000);
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_assert_true (g_file_get_contents (old, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, old_text);

  ink_image_free (&image);
  remove_tmp_dir (dir);
}

static void
test_atomic_file (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "a.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  InkAtomicFile *file;

  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  file = ink_atomic_file_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ink_atomic_file_fd (file), >=, 0);
  g_assert_true (ink_atomic_file_write (file, "new", 3, &error));
  g_assert_cmpuint (count_entries (dir), ==, 2);
  ink_atomic_file_abort (&file);
  g_assert_null (file);
  ink_atomic_file_abort (&file);
  g_assert_cmpuint (count_entries (dir), ==, 1);
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
  g_assert_cmpuint (count_entries (dir), ==, 1);
  remove_tmp_dir (dir);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/input/png/rgb8", test_png_rgb8);
  g_test_add_func ("/input/png/rgb16", test_png_rgb16);
  g_test_add_func ("/input/png/rgba", test_png_rgba);
  g_test_add_func ("/input/png/grey", test_png_grey);
  g_test_add_func ("/input/png/palette", test_png_palette);
  g_test_add_func ("/input/png/one-pixel", test_png_one);
  g_test_add_func ("/input/jpeg/colours", test_jpeg_colours);
  g_test_add_func ("/input/jpeg/grey", test_jpeg_grey);
  g_test_add_func ("/input/jpeg/white-black", test_jpeg_white_black);
  g_test_add_func ("/input/jpeg/cmyk", test_jpeg_cmyk);
  g_test_add_func ("/input/jpeg/exif-orientation", test_jpeg_exif_orientation);
  g_test_add_func ("/input/jpeg/all-orientations", test_jpeg_all_orientations);
  g_test_add_func ("/input/other-formats", test_other_formats);
  g_test_add_func ("/input/bad/files", test_bad_files);
  g_test_add_func ("/input/bad/headers-in-memory", test_bad_headers_in_memory);
  g_test_add_func ("/input/bad/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/input/hostile/png-metadata", test_hostile_png_metadata);
  g_test_add_func ("/input/hostile/png-image-data", test_hostile_png_image_data);
  g_test_add_func ("/input/hostile/png-interlaced", test_hostile_png_interlaced);
  g_test_add_func ("/input/hostile/jpeg-exif", test_hostile_jpeg_exif);
  g_test_add_func ("/input/hostile/jpeg-scans", test_hostile_jpeg_scans);
  g_test_add_func ("/input/hostile/webp-exif", test_hostile_webp_exif);
  g_test_add_func ("/input/hostile/webp-huffman-groups", test_hostile_webp_huffman_groups);
  g_test_add_func ("/input/hostile/tiff-tags", test_hostile_tiff_tags);
  g_test_add_func ("/input/hostile/cut-chunks", test_hostile_cut_chunks);
  g_test_add_func ("/input/hostile/clean-files", test_hostile_clean_files);
  g_test_add_func ("/input/scale/on-load", test_load_scaled);
  g_test_add_func ("/input/scale/image", test_scale);
  g_test_add_func ("/save/round-trip", test_save_round_trip);
  g_test_add_func ("/save/permissions", test_save_permissions);
  g_test_add_func ("/save/missing-folder", test_save_missing_folder);
  g_test_add_func ("/save/disk-full", test_save_disk_full);
  g_test_add_func ("/save/atomic-file", test_atomic_file);

  return g_test_run ();
}
