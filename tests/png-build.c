/* png-build.c: hostile files built in memory: CRC-32, big-endian numbers, deflate streams, PNG chunks and bombs. */
#include "png-build.h"

#include <string.h>

#include "input-common.h"

/* CRC-32 as PNG uses it; chains: crc32_update (crc32_update (0, a), b) is the CRC of a + b. */
guint32
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

void
append_be32 (GByteArray *out,
             guint32 v)
{
  guint8 be[4] = { (guint8) (v >> 24), (guint8) (v >> 16), (guint8) (v >> 8), (guint8) v };

  g_byte_array_append (out, be, 4);
}


void
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

void
put_code (BitWriter *w,
          guint32 code,
          int n)
{
  guint32 reversed = 0;

  for (int i = 0; i < n; i++)
    reversed |= ((code >> i) & 1) << (n - 1 - i);
  put_bits (w, reversed, n);
}

void
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
GByteArray *
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

void
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
void
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
GByteArray *
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

void
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
GByteArray *
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
char *
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
