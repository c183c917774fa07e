/* muxer.c: one FFmpeg encoder into one muxer writing a file; FFmpeg errors as GErrors naming it. */
#include "export-private.h"

#include <errno.h>

#include "atomic-file.h"
#include "ink-error.h"

/* An FFmpeg error as a GError naming the target: errno values read as write errors. */
static gboolean
av_error (GError **error, const char *path, const char *what, int err)
{
  char text[AV_ERROR_MAX_STRING_SIZE] = "";

  if (err == AVERROR (ENOSPC) || err == AVERROR (EFBIG) || err == AVERROR (EDQUOT)
      || err == AVERROR (EACCES) || err == AVERROR (EROFS) || err == AVERROR (ENOENT)
      || err == AVERROR (EIO))
    {
      ink_set_write_error (error, path, -err);
      return FALSE;
    }
  av_strerror (err, text, sizeof text);
  g_set_error (error, INK_ERROR, INK_ERROR_WRITE, "%s: %s failed: %s", path, what, text);
  return FALSE;
}

/* Makes the muxer and an encoder of WIDTH x HEIGHT FORMAT frames timed in TICKs (RATE frames a
 * second; {0, 1} when not constant); the caller sets any other option, then calls
 * ink_muxer_open. */
gboolean
ink_muxer_new (InkMuxer *o, const char *muxer, const char *tmp_path, enum AVCodecID codec_id,
               const char *codec_name, int width, int height, enum AVPixelFormat format,
               AVRational tick, AVRational rate, GError **error)
{
  const AVCodec *codec = codec_name != NULL ? avcodec_find_encoder_by_name (codec_name)
                                            : avcodec_find_encoder (codec_id);
  int err;

  if (codec == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED,
                   "%s: this FFmpeg has no %s encoder; install Debian's libavcodec59", o->path,
                   codec_name != NULL ? codec_name : avcodec_get_name (codec_id));
      return FALSE;
    }
  /* FFmpeg reads a name as a URL ("pipe:1/x.gif", "12:30/x.gif"): "file:" makes it a path, and
   * the muxer may open nothing but files (MP4's faststart reopens it to move the index). */
  {
    g_autofree char *url = g_strconcat ("file:", tmp_path, NULL);
    err = avformat_alloc_output_context2 (&o->fmt, NULL, muxer, url);
  }
  if (err < 0)
    return av_error (error, o->path, "setting up the muxer", err);
  o->fmt->protocol_whitelist = av_strdup ("file");
  if (o->fmt->protocol_whitelist == NULL)
    return av_error (error, o->path, "setting up the muxer", AVERROR (ENOMEM));
  o->enc = avcodec_alloc_context3 (codec);
  o->pkt = av_packet_alloc ();
  o->frame = av_frame_alloc ();
  if (o->enc == NULL || o->pkt == NULL || o->frame == NULL)
    return av_error (error, o->path, "setting up the encoder", AVERROR (ENOMEM));
  if (o->fmt->oformat->flags & AVFMT_GLOBALHEADER)
    o->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  o->enc->width = width;
  o->enc->height = height;
  o->enc->pix_fmt = format;
  o->enc->time_base = tick;
  o->enc->framerate = rate;
  return TRUE;
}

/* Opens the encoder (with ENC_OPTS) and its frame buffer, the file, and writes the header (with
 * MUX_OPTS). */
gboolean
ink_muxer_open (InkMuxer *o, AVDictionary **enc_opts, AVDictionary **mux_opts, GError **error)
{
  int err = avcodec_open2 (o->enc, o->enc->codec, enc_opts);

  if (err < 0)
    return av_error (error, o->path, "opening the encoder", err);
  o->frame->format = o->enc->pix_fmt;
  o->frame->width = o->enc->width;
  o->frame->height = o->enc->height;
  err = av_frame_get_buffer (o->frame, 0);
  if (err < 0)
    return av_error (error, o->path, "allocating a frame", err);
  o->st = avformat_new_stream (o->fmt, NULL);
  if (o->st == NULL)
    return av_error (error, o->path, "setting up the stream", AVERROR (ENOMEM));
  o->st->time_base = o->enc->time_base;
  o->st->avg_frame_rate = o->enc->framerate;
  err = avcodec_parameters_from_context (o->st->codecpar, o->enc);
  if (err < 0)
    return av_error (error, o->path, "setting up the stream", err);
  {
    AVDictionary *io_opts = NULL;
    av_dict_set (&io_opts, "protocol_whitelist", "file", 0);
    err = avio_open2 (&o->fmt->pb, o->fmt->url, AVIO_FLAG_WRITE, NULL, &io_opts);
    av_dict_free (&io_opts);
  }
  if (err < 0)
    return av_error (error, o->path, "opening the file", err);
  err = avformat_write_header (o->fmt, mux_opts);
  if (err < 0)
    return av_error (error, o->path, "writing the header", err);
  return TRUE;
}

/* The frame to fill next, writable (the encoder may still hold the last one). */
AVFrame *
ink_muxer_frame (InkMuxer *o, GError **error)
{
  int err = av_frame_make_writable (o->frame);

  if (err < 0)
    {
      av_error (error, o->path, "allocating a frame", err);
      return NULL;
    }
  return o->frame;
}

/* Encodes FRAME (NULL: flushes) and writes what the encoder gives back. */
gboolean
ink_muxer_send (InkMuxer *o, AVFrame *frame, GError **error)
{
  int err = avcodec_send_frame (o->enc, frame);

  if (err < 0)
    return av_error (error, o->path, "encoding", err);
  for (;;)
    {
      err = avcodec_receive_packet (o->enc, o->pkt);
      if (err == AVERROR (EAGAIN) || err == AVERROR_EOF)
        return TRUE;
      if (err < 0)
        return av_error (error, o->path, "encoding", err);
      av_packet_rescale_ts (o->pkt, o->enc->time_base, o->st->time_base);
      o->pkt->stream_index = o->st->index;
      err = av_interleaved_write_frame (o->fmt, o->pkt);
      if (err < 0)
        return av_error (error, o->path, "writing", err);
    }
}

/* Flushes the encoder, writes the trailer and closes the file. */
gboolean
ink_muxer_finish (InkMuxer *o, GError **error)
{
  int err;

  if (!ink_muxer_send (o, NULL, error))
    return FALSE;
  err = av_write_trailer (o->fmt);
  if (err < 0)
    return av_error (error, o->path, "finishing the file", err);
  if (o->fmt->pb->error < 0)
    return av_error (error, o->path, "writing", o->fmt->pb->error);
  err = avio_closep (&o->fmt->pb);
  if (err < 0)
    return av_error (error, o->path, "closing the file", err);
  return TRUE;
}

void
ink_muxer_free (InkMuxer *o)
{
  if (o->fmt != NULL && o->fmt->pb != NULL)
    avio_closep (&o->fmt->pb);
  avformat_free_context (o->fmt);
  avcodec_free_context (&o->enc);
  av_packet_free (&o->pkt);
  av_frame_free (&o->frame);
  o->fmt = NULL;
}

AVRational
ink_muxer_frame_duration (double fps)
{
  return av_inv_q (av_d2q (fps, 100000));
}
