/* png-build.h: hostile files built in memory: CRC-32, big-endian numbers, deflate streams, PNG chunks and bombs. */
#pragma once

#include <glib.h>

#include "ink-image.h"

/* Deflate's bits go in least significant bit first, Huffman codes most significant bit first. */
typedef struct {
  GByteArray *out;
  guint32 bits;
  int count;
} BitWriter;

/* CRC-32 as PNG uses it; chains: crc32_update (crc32_update (0, a), b) is the CRC of a + b. */
guint32 crc32_update (guint32 crc, const guint8 *data, gsize size);

void append_be32 (GByteArray *out, guint32 v);

void put_bits (BitWriter *w, guint32 value, int n);

void put_code (BitWriter *w, guint32 code, int n);

void put_literal (BitWriter *w, guint v);

/* A zlib stream of PREFIX followed by ZEROS zero bytes, as one deflate block with the fixed
 * Huffman codes: a run of zeros costs 13 bits per 258 bytes (1 GiB in 6.5 MB), and making it
 * takes no time, unlike compressing the zeros. */
GByteArray *zlib_with_zeros (const guint8 *prefix, gsize prefix_size, guint64 zeros);

void add_png_chunk (GByteArray *png, const char *type, const guint8 *data, gsize size);

/* A metadata chunk: its text part, then the zlib stream. */
void add_png_zchunk (GByteArray *png, const char *type, const char *head, gsize head_size, const GByteArray *zlib);

/* The rows of the bomb's picture: (4x, 6y, 128), 8-bit RGB, filter type 0. */
GByteArray *bomb_rows (void);

void assert_bomb_picture (const InkImage *image);

/* A 64x40 PNG: before its image data a zTXt, an iTXt and an iCCP chunk, after it another zTXt,
 * each inflating to METADATA bytes; its image data inflates to EXTRA bytes more than the rows. */
GByteArray *make_png_bomb (guint64 metadata, guint64 extra);

/* The chunk types of a PNG, "IHDR IDAT IEND". */
char *png_chunk_types (GBytes *bytes);
