/* piece-stream.c: the bytes FFmpeg reads (pieces of the file and a few made here) as an AVIOContext. */
#include "media-private.h"

#include <string.h>

#include <libavformat/avio.h>
#include <libavutil/mem.h>

#define AVIO_BUFFER_SIZE 4096

/* Past this many pieces (a file of many small chunks, alternately kept and left out), the stream
 * is copied into one buffer: the piece list must not outgrow the bytes it describes. */
#define STREAM_MAX_PIECES 4096

void
ink_stream_init (Stream *stream)
{
  stream->pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  stream->owned = g_ptr_array_new_with_free_func (g_free);
  stream->size = stream->pos = stream->piece_start = 0;
  stream->piece = 0;
}

void
ink_stream_clear (Stream *stream)
{
  g_clear_pointer (&stream->pieces, g_array_unref);
  g_clear_pointer (&stream->owned, g_ptr_array_unref);
}

/* Appends SIZE bytes at DATA, which must outlive the stream. */
void
ink_stream_add (Stream *stream,
                const guint8 *data,
                gsize size)
{
  Piece *last = stream->pieces->len > 0
                  ? &g_array_index (stream->pieces, Piece, stream->pieces->len - 1) : NULL;

  if (size == 0)
    return;
  stream->size += size;
  if (last != NULL && last->data + last->size == data)
    {
      last->size += size; /* contiguous with the previous piece */
      return;
    }
  g_array_append_val (stream->pieces, ((Piece) { data, size }));
}

/* Appends a copy of SIZE bytes made here; returns the copy, which may still be changed. */
guint8 *
ink_stream_add_copy (Stream *stream,
                     const void *data,
                     gsize size)
{
  guint8 *copy = g_memdup2 (data, size);

  g_ptr_array_add (stream->owned, copy);
  ink_stream_add (stream, copy, size);
  return copy;
}

/* The whole stream in one new buffer. */
guint8 *
ink_stream_flatten (const Stream *stream)
{
  guint8 *flat = g_malloc (MAX (stream->size, 1)), *at = flat;

  for (guint i = 0; i < stream->pieces->len; i++)
    {
      const Piece *piece = &g_array_index (stream->pieces, Piece, i);

      memcpy (at, piece->data, piece->size);
      at += piece->size;
    }
  return flat;
}

/* Copies the pieces into one buffer when there are too many of them. */
void
ink_stream_finish (Stream *stream)
{
  guint8 *flat;
  gsize size = stream->size;

  if (stream->pieces->len <= STREAM_MAX_PIECES)
    return;
  flat = ink_stream_flatten (stream);
  g_array_set_size (stream->pieces, 0);
  g_ptr_array_set_size (stream->owned, 0);
  g_ptr_array_add (stream->owned, flat);
  stream->size = 0;
  ink_stream_add (stream, flat, size);
}

static int
stream_read (void *opaque,
             uint8_t *buf,
             int buf_size)
{
  Stream *stream = opaque;
  gsize done = 0;

  if (stream->pos >= stream->size)
    return AVERROR_EOF;
  while (done < (gsize) buf_size && stream->pos < stream->size)
    {
      const Piece *piece = &g_array_index (stream->pieces, Piece, stream->piece);
      gsize offset = stream->pos - stream->piece_start;
      gsize n = MIN ((gsize) buf_size - done, piece->size - offset);

      memcpy (buf + done, piece->data + offset, n);
      done += n;
      stream->pos += n;
      if (offset + n == piece->size)
        {
          stream->piece_start += piece->size;
          stream->piece++;
        }
    }
  return (int) done;
}

static int64_t
stream_seek (void *opaque,
             int64_t offset,
             int whence)
{
  Stream *stream = opaque;
  int64_t base;
  gsize target;

  switch (whence & ~AVSEEK_FORCE)
    {
    case AVSEEK_SIZE:
      return (int64_t) stream->size;
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = (int64_t) stream->pos;
      break;
    case SEEK_END:
      base = (int64_t) stream->size;
      break;
    default:
      return AVERROR (EINVAL);
    }
  if (offset < -base || base + offset > (int64_t) stream->size)
    return AVERROR (EINVAL);
  target = (gsize) (base + offset);
  if (target < stream->piece_start)
    {
      stream->piece = 0;
      stream->piece_start = 0;
    }
  while (stream->piece < stream->pieces->len &&
         target >= stream->piece_start + g_array_index (stream->pieces, Piece, stream->piece).size)
    {
      stream->piece_start += g_array_index (stream->pieces, Piece, stream->piece).size;
      stream->piece++;
    }
  stream->pos = target;
  return (int64_t) stream->pos;
}

/* An AVIOContext reading STREAM; NULL when out of memory. */
AVIOContext *
ink_open_avio (Stream *stream)
{
  guint8 *buffer = av_malloc (AVIO_BUFFER_SIZE);
  AVIOContext *avio;

  if (buffer == NULL)
    return NULL;
  avio = avio_alloc_context (buffer, AVIO_BUFFER_SIZE, 0, stream, stream_read, NULL, stream_seek);
  if (avio == NULL)
    av_free (buffer);
  return avio;
}

void
ink_close_avio (AVIOContext **avio)
{
  if (*avio != NULL)
    av_freep (&(*avio)->buffer); /* not necessarily the first buffer: FFmpeg may replace it */
  avio_context_free (avio);
}
