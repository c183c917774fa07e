/* clip-build.c: test clips made with FFmpeg's libraries (see clip-build.h). */
#include "clip-build.h"

#include <math.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

/* Deterministic noise in -amp .. amp for frame K, pixel P, channel C. */
static int
noise_at (int k, gsize p, int c, int amp)
{
  guint32 h = (guint32) k * 2654435761u ^ (guint32) p * 2246822519u ^ (guint32) c * 3266489917u;
  h ^= h >> 15;
  h *= 2246822519u;
  h ^= h >> 13;
  return amp > 0 ? (int) (h % (2 * amp + 1)) - amp : 0;
}

guint32 *
clip_frame (const InkImage *photo, const ClipSpec *spec, int k)
{
  guint32 *rgba = g_new (guint32, (gsize) spec->width * spec->height);
  double shift = spec->pan * k;

  for (int y = 0; y < spec->height; y++)
    for (int x = 0; x < spec->width; x++)
      {
        /* The photo scaled to cover the frame with room to pan, read at x - shift. */
        double sx = (x + 40.0 * (spec->pan > 0) - fmod (shift, 40.0)) * photo->width
                    / (spec->width + 80.0);
        int px = CLAMP ((int) sx, 0, photo->width - 1);
        int py = CLAMP (y * photo->height / spec->height, 0, photo->height - 1);
        const guint16 *s = photo->pixels + ((gsize) py * photo->width + px) * 4;
        guint32 v = 0xff000000u;
        int box_x = spec->period > 0
                    ? (int) lround (spec->width / 2.0
                                    + spec->width / 4.0 * sin (2.0 * G_PI * k / spec->period))
                    : k * spec->width / MAX (spec->frames, 1);
        gboolean box = (spec->moving_box || spec->period > 0)
                       && ABS (x - box_x) < spec->width / 10
                       && ABS (y - spec->height / 2) < spec->height / 10;
        for (int c = 0; c < 3; c++)
          {
            int level = box ? 30 : s[c] >> 8;
            level += noise_at (k, (gsize) y * spec->width + x, c, spec->noise);
            v |= (guint32) CLAMP (level, 0, 255) << (8 * c);
          }
        rgba[(gsize) y * spec->width + x] = v;
      }
  return rgba;
}

/* sRGB values re-coded as PQ, SDR white at 203 nits (ITU-R BT.2408). */
static void
to_pq (guint32 *rgba, gsize n)
{
  const double m1 = 2610.0 / 16384, m2 = 2523.0 / 4096 * 128;
  const double c1 = 3424.0 / 4096, c2 = 2413.0 / 4096 * 32, c3 = 2392.0 / 4096 * 32;
  guint8 lut[256];

  for (int i = 0; i < 256; i++)
    {
      double s = i / 255.0, lin = s <= 0.04045 ? s / 12.92 : pow ((s + 0.055) / 1.055, 2.4);
      double y = pow (lin * 203.0 / 10000.0, m1);
      lut[i] = (guint8) lround (255.0 * pow ((c1 + c2 * y) / (1.0 + c3 * y), m2));
    }
  for (gsize p = 0; p < n; p++)
    rgba[p] = (rgba[p] & 0xff000000u) | (guint32) lut[rgba[p] & 0xff]
              | (guint32) lut[rgba[p] >> 8 & 0xff] << 8 | (guint32) lut[rgba[p] >> 16 & 0xff] << 16;
}

static void
check (int ret, const char *what)
{
  if (ret < 0)
    {
      char msg[AV_ERROR_MAX_STRING_SIZE];
      av_strerror (ret, msg, sizeof msg);
      g_error ("clip-build: %s: %s", what, msg);
    }
}

/* Writes what ENC gives back for FRAME (NULL: flushes). DURATIONS (may be NULL): the sent
 * frames' durations in ticks, in order (the encoders here keep frames in order), so the file
 * records the last frame's length too. */
static void
write_packets (AVFormatContext *fmt, AVCodecContext *enc, AVStream *st, AVFrame *frame,
               GQueue *durations)
{
  AVPacket *pkt = av_packet_alloc ();
  int ret;

  check (avcodec_send_frame (enc, frame), "send frame");
  while ((ret = avcodec_receive_packet (enc, pkt)) >= 0)
    {
      if (durations != NULL && !g_queue_is_empty (durations))
        pkt->duration = GPOINTER_TO_INT (g_queue_pop_head (durations));
      av_packet_rescale_ts (pkt, enc->time_base, st->time_base);
      pkt->stream_index = st->index;
      check (av_interleaved_write_frame (fmt, pkt), "write packet");
    }
  av_packet_free (&pkt);
}

/* The 440 Hz tone from *SAMPLES up to UNTIL seconds. */
static void
write_tone (AVFormatContext *fmt, AVCodecContext *aenc, AVStream *ast, AVFrame *aframe,
            gint64 *samples, double until)
{
  while (*samples < until * 44100)
    {
      float *s = (float *) aframe->data[0];
      check (av_frame_make_writable (aframe), "audio writable");
      for (int i = 0; i < aframe->nb_samples; i++)
        s[i] = 0.3f * sinf (2.0f * (float) G_PI * 440.0f * (*samples + i) / 44100.0f);
      aframe->pts = *samples;
      *samples += aframe->nb_samples;
      write_packets (fmt, aenc, ast, aframe, NULL);
    }
}

void
clip_build (const char *path, const InkImage *photo, const ClipSpec *spec)
{
  static const char *const muxers[] = { "mp4", "webm", "gif", "webp", "avi", "avi", "avi",
                                        "mpegts" };
  static const char *const encoders[] = { "libx264", "libvpx-vp9", "gif", "libwebp_anim",
                                          "mpeg4", "mjpeg", "libx264", "libx264" };
  const char *muxer = muxers[spec->codec], *encoder = encoders[spec->codec];
  gboolean avi = g_str_equal (muxer, "avi");
  enum AVPixelFormat pix = spec->codec == CLIP_GIF ? AV_PIX_FMT_RGB8
                           : spec->codec == CLIP_WEBP ? AV_PIX_FMT_RGB32
                           : spec->codec == CLIP_MJPEG_AVI ? AV_PIX_FMT_YUVJ420P
                           : spec->ten_bit ? AV_PIX_FMT_YUV420P10 : AV_PIX_FMT_YUV420P;
  /* Ticks a frame: AVI counts frames (a gap would be written as empty frames). */
  int tick = avi ? 1 : 2;
  AVFormatContext *fmt = NULL;
  const AVCodec *codec = avcodec_find_encoder_by_name (encoder);
  AVCodecContext *enc = avcodec_alloc_context3 (codec), *aenc = NULL;
  AVStream *st, *ast = NULL;
  AVFrame *frame = av_frame_alloc (), *aframe = NULL;
  struct SwsContext *sws;
  gint64 pts = 0, samples = 0;
  GQueue durations = G_QUEUE_INIT;

  check (avformat_alloc_output_context2 (&fmt, NULL, muxer, path), "muxer");
  st = spec->frames > 0 ? avformat_new_stream (fmt, NULL) : NULL;
  enc->width = spec->width;
  enc->height = spec->height;
  enc->pix_fmt = pix;
  /* Times in 1/(2 fps): a variable rate's long frames are 4 ticks, the others 2. AVI: in 1/fps. */
  g_assert (!(avi && spec->variable_rate));
  enc->time_base = (AVRational) { 1, tick * spec->fps };
  enc->framerate = (AVRational) { spec->fps, 1 };
  enc->gop_size = spec->codec == CLIP_H264_TS ? 1000 : 12;
  /* B-frames in AVI: its demuxer then gives the packets no presentation time, only their order. */
  enc->max_b_frames = spec->codec == CLIP_H264_AVI ? 2 : 0;
  if (fmt->oformat->flags & AVFMT_GLOBALHEADER)
    enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (spec->hdr_pq)
    {
      enc->color_trc = AVCOL_TRC_SMPTE2084;
      enc->color_primaries = AVCOL_PRI_BT709;
      enc->colorspace = AVCOL_SPC_BT709;
    }
  if (spec->interlaced)
    enc->flags |= AV_CODEC_FLAG_INTERLACED_DCT | AV_CODEC_FLAG_INTERLACED_ME;
  if (spec->codec == CLIP_H264_MP4 || spec->codec == CLIP_H264_AVI
      || spec->codec == CLIP_H264_TS)
    {
      av_opt_set (enc->priv_data, "preset", "veryfast", 0);
      av_opt_set (enc->priv_data, "crf", "18", 0);
    }
  else if (spec->codec == CLIP_VP9_WEBM)
    {
      av_opt_set (enc->priv_data, "deadline", "realtime", 0);
      av_opt_set (enc->priv_data, "cpu-used", "8", 0);
      av_opt_set (enc->priv_data, "crf", "20", 0);
      enc->bit_rate = 0;
    }
  check (avcodec_open2 (enc, codec, NULL), "encoder");
  if (st != NULL)
    {
      check (avcodec_parameters_from_context (st->codecpar, enc), "parameters");
      st->time_base = enc->time_base;
    }
  if (spec->rotation != 0 && st != NULL)
    {
      int32_t *matrix = (int32_t *) av_stream_new_side_data (st, AV_PKT_DATA_DISPLAYMATRIX,
                                                             9 * sizeof (int32_t));
      /* av_display_rotation_set turns clockwise (its _get answers counterclockwise). */
      av_display_rotation_set (matrix, spec->rotation);
    }
  if (spec->audio)
    {
      const AVCodec *ac = avcodec_find_encoder_by_name ("aac");
      aenc = avcodec_alloc_context3 (ac);
      aenc->sample_rate = 44100;
      aenc->sample_fmt = AV_SAMPLE_FMT_FLTP;
      av_channel_layout_default (&aenc->ch_layout, 1);
      aenc->time_base = (AVRational) { 1, 44100 };
      aenc->bit_rate = 64000;
      if (fmt->oformat->flags & AVFMT_GLOBALHEADER)
        aenc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
      check (avcodec_open2 (aenc, ac, NULL), "audio encoder");
      ast = avformat_new_stream (fmt, NULL);
      check (avcodec_parameters_from_context (ast->codecpar, aenc), "audio parameters");
      ast->time_base = aenc->time_base;
      aframe = av_frame_alloc ();
      aframe->nb_samples = aenc->frame_size;
      aframe->format = aenc->sample_fmt;
      av_channel_layout_copy (&aframe->ch_layout, &aenc->ch_layout);
      check (av_frame_get_buffer (aframe, 0), "audio frame");
    }
  check (avio_open (&fmt->pb, path, AVIO_FLAG_WRITE), "open");
  check (avformat_write_header (fmt, NULL), "header");

  frame->width = spec->width;
  frame->height = spec->height;
  frame->format = pix;
  check (av_frame_get_buffer (frame, 0), "frame");
  sws = sws_getContext (spec->width, spec->height, AV_PIX_FMT_RGBA, spec->width, spec->height,
                        pix, SWS_BICUBIC, NULL, NULL, NULL);
  /* Sound only: two seconds of it. */
  if (spec->frames == 0)
    pts = 2 * tick * spec->fps;
  for (int k = 0; k < spec->frames; k++)
    {
      g_autofree guint32 *rgba = clip_frame (photo, spec, k);
      if (spec->hdr_pq)
        to_pq (rgba, (gsize) spec->width * spec->height);
      const uint8_t *src[1] = { (const uint8_t *) rgba };
      int stride[1] = { spec->width * 4 };
      int ticks = spec->variable_rate && k % 3 == 2 ? 2 * tick : tick;

      check (av_frame_make_writable (frame), "writable");
      sws_scale (sws, src, stride, 0, spec->height, frame->data, frame->linesize);
      frame->pts = pts;
      pts += ticks;
      g_queue_push_tail (&durations, GINT_TO_POINTER (ticks));
      write_packets (fmt, enc, st, frame, &durations);
      if (aenc != NULL)
        write_tone (fmt, aenc, ast, aframe, &samples, pts / ((double) tick * spec->fps));
    }
  if (spec->frames == 0 && aenc != NULL)
    write_tone (fmt, aenc, ast, aframe, &samples, pts / ((double) tick * spec->fps));
  if (st != NULL)
    write_packets (fmt, enc, st, NULL, &durations);
  if (aenc != NULL)
    write_packets (fmt, aenc, ast, NULL, NULL);
  g_queue_clear (&durations);
  check (av_write_trailer (fmt), "trailer");
  avio_closep (&fmt->pb);
  sws_freeContext (sws);
  av_frame_free (&frame);
  av_frame_free (&aframe);
  avcodec_free_context (&enc);
  avcodec_free_context (&aenc);
  avformat_free_context (fmt);
}
