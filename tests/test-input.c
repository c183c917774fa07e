/* test-input.c: image loading (every format and variant, damaged files) and scaling; hostile files are test-hostile-input.c, saving test-save.c. */
/* Over 600 lines on purpose: one case per format variant, each a few lines against the pictures
 * of tests/data; sections by format. */
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
#include "png-build.h"

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

/* SHOWN is STORED as EXIF orientation O displays it: its size, where two corners went, and a
 * permutation of its pixels. */
static void
assert_turned (const InkImage *stored,
               const InkImage *shown,
               int o)
{
  /* Where the stored top-left and top-right pixels end up, by EXIF's definitions:
   * 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left of the displayed image. */
  static const int top_left_goes[9] = { 0, 0, 1, 2, 3, 0, 1, 2, 3 };
  static const int top_right_goes[9] = { 0, 1, 0, 3, 2, 3, 2, 1, 0 };
  int sw = stored->width, sh = stored->height;
  int dw = o >= 5 ? sh : sw, dh = o >= 5 ? sw : sh;
  guint16 *corner[4];
  guint64 a = 0, b = 0;

  g_assert_cmpint (shown->width, ==, dw);
  g_assert_cmpint (shown->height, ==, dh);
  corner[0] = px (shown, 0, 0);
  corner[1] = px (shown, dw - 1, 0);
  corner[2] = px (shown, dw - 1, dh - 1);
  corner[3] = px (shown, 0, dh - 1);
  g_assert_cmpmem (corner[top_left_goes[o]], 8, px (stored, 0, 0), 8);
  g_assert_cmpmem (corner[top_right_goes[o]], 8, px (stored, sw - 1, 0), 8);
  for (gsize i = 0; i < (gsize) sw * sh * 4; i++)
    {
      a += stored->pixels[i];
      b += shown->pixels[i];
    }
  g_assert_cmpuint (a, ==, b);
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

  data[at] = 1;
  stored = load_bytes (data, size, "exif1.jpg", 0, NULL);
  g_assert_nonnull (stored);
  g_assert_cmpint (stored->width, ==, H);
  g_assert_cmpint (stored->height, ==, W);

  for (int o = 1; o <= 8; o++)
    {
      g_autoptr (GError) error = NULL;
      InkImage *shown, *small;

      data[at] = (guint8) o;
      shown = load_bytes (data, size, "exif.jpg", 0, &error);
      g_assert_no_error (error);
      assert_turned (stored, shown, o);
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

/* TIFF-structured EXIF, little-endian, with only an Orientation of O. */
static GByteArray *
exif_block (int o)
{
  static const guint8 head[] = { 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0 };
  GByteArray *b = g_byte_array_new ();
  guint8 tail[8] = { (guint8) o, 0, 0, 0, 0, 0, 0, 0 };   /* the SHORT, padding, no next IFD */

  g_byte_array_append (b, head, sizeof head);
  g_byte_array_append (b, tail, sizeof tail);
  return b;
}

/* PNG's eXIf chunk (with or without JPEG's "Exif\0\0" in front, which some writers add) and a
 * TIFF's own Orientation tag turn the picture as JPEG's EXIF does. */
static void
test_png_tiff_orientations (void)
{
  g_autoptr (GBytes) png = read_data ("rgb8.png");
  g_autoptr (GBytes) tiff = read_data ("rgb8.tif");
  gsize png_size, tiff_size;
  const guint8 *p = g_bytes_get_data (png, &png_size), *t = g_bytes_get_data (tiff, &tiff_size);
  InkImage *stored = load ("rgb8.png");

  g_assert_cmpmem (p + 12, 4, "IHDR", 4);
  g_assert_cmpmem (t, 4, "II*\0", 4);   /* make-inputs.py writes little-endian TIFF */
  for (int o = 1; o <= 8; o++)
    for (int k = 0; k < 3; k++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (GByteArray) exif = exif_block (o);
        g_autoptr (GByteArray) file = g_byte_array_new ();
        InkImage *shown;

        if (k < 2)
          {
            /* The signature and IHDR, then eXIf, then the rest. */
            g_autoptr (GByteArray) body = g_byte_array_new ();

            if (k == 1)
              g_byte_array_append (body, (const guint8 *) "Exif\0\0", 6);
            g_byte_array_append (body, exif->data, exif->len);
            g_byte_array_append (file, p, 33);
            add_png_chunk (file, "eXIf", body->data, body->len);
            g_byte_array_append (file, p + 33, png_size - 33);
          }
        else
          {
            /* The file, then a copy of its first directory with our Orientation entry in tag
             * order (in place of the file's own, which says 1), the header pointing to the
             * copy (the entries' offsets stay valid). */
            guint32 ifd = t[4] | t[5] << 8 | t[6] << 16 | (guint32) t[7] << 24;
            guint16 count = t[ifd] | t[ifd + 1] << 8, kept = 0;
            guint32 at = (guint32) tiff_size + (tiff_size & 1);
            gboolean placed = FALSE;
            guint8 zero[4] = { 0 };
            gsize count_at;

            g_assert_cmpuint (ifd + 2 + 12 * (gsize) count, <=, tiff_size);
            g_byte_array_append (file, t, tiff_size);
            if (tiff_size & 1)
              g_byte_array_append (file, zero, 1);
            count_at = file->len;
            g_byte_array_append (file, zero, 2);
            for (guint16 i = 0; i <= count; i++)
              {
                const guint8 *e = t + ifd + 2 + 12 * i;
                guint16 tag = i < count ? (guint16) (e[0] | e[1] << 8) : 0xffff;

                if (!placed && tag >= 0x0112)
                  {
                    g_byte_array_append (file, exif->data + 10, 12);
                    placed = TRUE;
                    kept++;
                  }
                if (i < count && tag != 0x0112)
                  {
                    g_byte_array_append (file, e, 12);
                    kept++;
                  }
              }
            g_byte_array_append (file, zero, 4);
            memcpy (file->data + count_at, &kept, 2);   /* little-endian hosts */
            memcpy (file->data + 4, &at, 4);
          }
        shown = load_bytes (file->data, file->len, k < 2 ? "exif.png" : "exif.tif", 0, &error);
        g_assert_no_error (error);
        assert_turned (stored, shown, o);
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
  g_clear_error (&error);

  /* Memory a picture cannot have is an error that says so, not an abort. */
  g_assert_null (ink_image_try_new (G_MAXINT, G_MAXINT, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "out of memory"));
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
  g_test_add_func ("/input/png-tiff/orientations", test_png_tiff_orientations);
  g_test_add_func ("/input/other-formats", test_other_formats);
  g_test_add_func ("/input/bad/files", test_bad_files);
  g_test_add_func ("/input/bad/headers-in-memory", test_bad_headers_in_memory);
  g_test_add_func ("/input/bad/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/input/scale/on-load", test_load_scaled);
  g_test_add_func ("/input/scale/image", test_scale);

  return g_test_run ();
}
