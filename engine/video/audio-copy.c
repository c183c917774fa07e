/* audio-copy.c: a clip's sound copied as it is (no re-encoding) into the stylized MP4, the part's
 * packets shifted to start at 0 and interleaved with the video as it is written. */
#include "audio-copy.h"

#include <math.h>

#include <libavcodec/avcodec.h>

#include "ink-error.h"
#include "video-input.h"

struct InkAudioCopy {
  char *path;
  AVFormatContext *in;
  AVFormatContext *out;
  AVStream *in_st, *out_st;
  AVPacket *pkt;
  gboolean have_pkt;       /* PKT holds a packet read but not yet written */
  double start, end;       /* the part, in the clip's times */
  double offset;           /* added to the part's times (repeats) */
  gboolean done;
};

InkAudioCopy *
ink_audio_copy_new (const char *clip, double start, double end, AVFormatContext *out,
                    char **why, GError **error)
{
  InkAudioCopy *a = g_new0 (InkAudioCopy, 1);
  int stream, ret;
  enum AVCodecID id;

  *why = NULL;
  a->path = g_strdup (clip);
  a->out = out;
  a->start = start;
  a->end = end;
  /* Opened again for its sound: refused if no longer a regular file (a FIFO would block). */
  if (!ink_video_check_regular (clip, error))
    goto error;
  if ((ret = avformat_open_input (&a->in, clip, NULL, NULL)) < 0
      || (ret = avformat_find_stream_info (a->in, NULL)) < 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: its sound cannot be read", clip);
      goto error;
    }
  stream = av_find_best_stream (a->in, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
  if (stream < 0)
    goto none;
  a->in_st = a->in->streams[stream];
  id = a->in_st->codecpar->codec_id;
  if (avformat_query_codec (out->oformat, id, FF_COMPLIANCE_NORMAL) != 1)
    {
      *why = g_strdup_printf ("the sound (%s) cannot go into an MP4 as it is and was left out",
                              avcodec_get_name (id));
      goto none;
    }
  for (unsigned i = 0; i < a->in->nb_streams; i++)
    if ((int) i != stream)
      a->in->streams[i]->discard = AVDISCARD_ALL;
  a->out_st = avformat_new_stream (out, NULL);
  a->pkt = av_packet_alloc ();
  if (a->out_st == NULL || a->pkt == NULL
      || avcodec_parameters_copy (a->out_st->codecpar, a->in_st->codecpar) < 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", clip);
      goto error;
    }
  a->out_st->codecpar->codec_tag = 0;
  a->out_st->time_base = a->in_st->time_base;
  if (!ink_audio_copy_restart (a, 0.0, error))
    goto error;
  return a;

none:    /* no sound to copy: not an error */
error:
  ink_audio_copy_free (&a);
  return NULL;
}

void
ink_audio_copy_free (InkAudioCopy **pa)
{
  InkAudioCopy *a = *pa;

  if (a == NULL)
    return;
  av_packet_free (&a->pkt);
  avformat_close_input (&a->in);
  g_free (a->path);
  g_free (a);
  *pa = NULL;
}

gboolean
ink_audio_copy_restart (InkAudioCopy *a, double offset, GError **error)
{
  gint64 ts = (gint64) llround (a->start / av_q2d (a->in_st->time_base));

  if (avformat_seek_file (a->in, a->in_st->index, G_MININT64, ts, ts, AVSEEK_FLAG_BACKWARD) < 0
      && avformat_seek_file (a->in, a->in_st->index, G_MININT64, G_MININT64, G_MININT64,
                             AVSEEK_FLAG_BACKWARD) < 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: cannot go to %.2f s in its sound",
                   a->path, a->start);
      return FALSE;
    }
  if (a->have_pkt)
    av_packet_unref (a->pkt);
  a->have_pkt = FALSE;
  a->offset = offset;
  a->done = FALSE;
  return TRUE;
}

gboolean
ink_audio_copy_until (InkAudioCopy *a, double t, GError **error)
{
  AVRational tb = a->in_st->time_base;

  while (!a->done)
    {
      double at, rel;
      int ret;

      if (!a->have_pkt)
        {
          ret = av_read_frame (a->in, a->pkt);
          if (ret < 0)
            {
              a->done = TRUE;   /* the sound ends here (or the file is cut short) */
              break;
            }
          if (a->pkt->stream_index != a->in_st->index
              || (a->pkt->pts == AV_NOPTS_VALUE && a->pkt->dts == AV_NOPTS_VALUE))
            {
              av_packet_unref (a->pkt);
              continue;
            }
          /* Sound is never reordered: a packet with only a decoding time (AVI) shows then. */
          if (a->pkt->pts == AV_NOPTS_VALUE)
            a->pkt->pts = a->pkt->dts;
          a->have_pkt = TRUE;
        }
      at = a->pkt->pts * av_q2d (tb);
      rel = at - a->start;
      if (at >= a->end - 1e-9)
        {
          a->done = TRUE;
          break;
        }
      if (rel < -1e-9)
        {
          /* Before the part: left out (at most one packet's sound, a few ms). */
          av_packet_unref (a->pkt);
          a->have_pkt = FALSE;
          continue;
        }
      if (rel + a->offset >= t)
        break;
      {
        gint64 shift = (gint64) llround ((a->start - a->offset) / av_q2d (tb));
        a->pkt->pts -= shift;
        if (a->pkt->dts != AV_NOPTS_VALUE)
          a->pkt->dts -= shift;
        av_packet_rescale_ts (a->pkt, tb, a->out_st->time_base);
        a->pkt->stream_index = a->out_st->index;
        a->pkt->pos = -1;
        ret = av_interleaved_write_frame (a->out, a->pkt);
        a->have_pkt = FALSE;
        if (ret < 0)
          {
            g_set_error (error, INK_ERROR, INK_ERROR_WRITE, "%s: the sound could not be written",
                         a->path);
            return FALSE;
          }
      }
    }
  return TRUE;
}
