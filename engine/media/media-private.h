/* media-private.h: what the photo loader's files share: byte readers, the piece stream, sniffing, conversion, errors. */
#pragma once

#include <glib.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>

#include "ink-image.h"

G_BEGIN_DECLS

/* ---- Reading and writing integers in file headers ---- */

static inline guint32
be16 (const guint8 *p)
{
  return (guint32) p[0] << 8 | p[1];
}

static inline guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static inline guint32
le16 (const guint8 *p)
{
  return (guint32) p[1] << 8 | p[0];
}

static inline guint32
le24 (const guint8 *p)
{
  return (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static inline guint32
le32 (const guint8 *p)
{
  return (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static inline void
put_be32 (guint8 *p,
          guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* ---- What FFmpeg reads: pieces of the file, as an AVIOContext (piece-stream.c) ---- */

/* The bytes handed to FFmpeg: the file itself, or (see "What the decoder gets" in
 * decoder-input.c) the file without its metadata, described as pieces of the original plus a few
 * bytes made here, so a large clean file is never copied. */
typedef struct {
  const guint8 *data;
  gsize size;
} Piece;

typedef struct {
  GArray *pieces;     /* Piece, in stream order */
  GPtrArray *owned;   /* the bytes made here that pieces point into */
  gsize size;         /* bytes, all pieces together */
  gsize pos;          /* read position */
  guint piece;        /* the piece that holds pos (pieces->len at the end) */
  gsize piece_start;  /* where that piece begins in the stream */
} Stream;

void ink_stream_init (Stream *stream);
void ink_stream_clear (Stream *stream);
/* Appends SIZE bytes at DATA, which must outlive the stream. */
void ink_stream_add (Stream *stream, const guint8 *data, gsize size);
/* Appends a copy of SIZE bytes made here; returns the copy, which may still be changed. */
guint8 *ink_stream_add_copy (Stream *stream, const void *data, gsize size);
/* The whole stream in one new buffer. */
guint8 *ink_stream_flatten (const Stream *stream);
/* Copies the pieces into one buffer when there are too many of them. */
void ink_stream_finish (Stream *stream);
/* An AVIOContext reading STREAM; NULL when out of memory. Free it with ink_close_avio (). */
AVIOContext *ink_open_avio (Stream *stream);
void ink_close_avio (AVIOContext **avio);

/* ---- Reading the size from the header, and the loader's errors (image-sniff.c) ---- */

typedef enum {
  KIND_UNKNOWN,
  KIND_PNG,
  KIND_JPEG,
  KIND_WEBP,
  KIND_TIFF,
  KIND_BMP,
} ImageKind;

ImageKind ink_sniff_kind (const guint8 *data, gsize size);
/* The pixel size from the header; FALSE when the header is too short or not understood there.
 * *COMPLETE is FALSE only for a JPEG whose data stops before EOI. */
gboolean ink_sniff_size (ImageKind kind, const guint8 *data, gsize size, guint32 *width,
                         guint32 *height, gboolean *complete);
/* Whether WIDTH x HEIGHT is above INK_IMAGE_MAX_SIDE or INK_IMAGE_MAX_PIXELS. */
gboolean ink_size_too_large (guint64 width, guint64 height);
/* INK_ERROR_TOO_LARGE naming the size and the limits. */
void ink_set_too_large (GError **error, const char *name, guint64 width, guint64 height);
/* INK_ERROR_DECODE: "NAME: not a supported image or the file is damaged (DETAIL)". */
void ink_set_decode_error (GError **error, const char *name, const char *detail);
/* FFmpeg's error RET while doing WHAT: out of memory, or a decode error. */
void ink_set_av_error (GError **error, const char *name, const char *what, int ret);

/* ---- Conversion to RGBA64 (image-convert.c) ---- */

/* Turns STORED (consumed) as the EXIF ORIENTATION (1..8) says it should be displayed. */
InkImage *ink_apply_orientation (InkImage *stored, int orientation, GError **error);
/* Whether ink_convert_exact () reads the format (RGB, grey, palette). */
gboolean ink_is_exact_format (const AVPixFmtDescriptor *desc);
/* FRAME as RGBA64, bit-exactly (8-bit v becomes v * 257). */
InkImage *ink_convert_exact (const AVFrame *frame, const AVPixFmtDescriptor *desc,
                             GError **error);
/* FRAME converted (and scaled) into a new WIDTH x HEIGHT RGBA64 image by libswscale. */
InkImage *ink_frame_to_image (const AVFrame *frame, int width, int height, const char *name,
                              GError **error);

/* ---- WebP stills (image-webp.c) ---- */

/* Decodes the WebP still in DATA (what ink_rewrite_for_decoder () made of the file) with
 * libwebp into a new frame: YUV 4:2:0 (with alpha where the file has it) for lossy data, RGB or
 * RGBA for lossless. */
AVFrame *ink_webp_decode (const guint8 *data, gsize size, const char *name, GError **error);

/* ---- What the decoder gets (decoder-input.c, decoder-input-tiff.c) ---- */

typedef struct {
  Stream *out;
  const guint8 *data;   /* the file */
  gsize size;
  int orientation;      /* EXIF orientation met on the way; 1 when none */
  guint dropped;        /* chunks, segments or tags left out */
  gsize dropped_bytes;
  gsize cut_bytes;      /* PNG: compressed image data beyond its rows, left out */
} Rewrite;

/* Which of the allowed demuxers reads DATA (image-load.c). */
const AVInputFormat *ink_probe_format (const guint8 *data, gsize size, const char *name,
                                       GError **error);
/* Writes to OUT what the decoder for FORMAT (a demuxer's name) gets of DATA; *ORIENTATION is the
 * EXIF orientation found on the way (1 when none). */
gboolean ink_rewrite_for_decoder (const guint8 *data, gsize size, const char *format,
                                  const char *name, Stream *out, int *orientation, GError **error);
/* A TIFF with a copy of its first image directory holding only the pixel tags. */
gboolean ink_rewrite_tiff (Rewrite *rw, const char *name, GError **error);

G_END_DECLS
