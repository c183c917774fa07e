/* test-hostile-input.c: hostile photos: memory and time follow the pixels, not the metadata (bombs, loops, endless scans, cut chunks). */
/* Over 600 lines on purpose: each hostile file is built byte by byte beside the test that loads it
 * (the shared PNG and deflate builders are png-build.c). */
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

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

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

  return g_test_run ();
}
