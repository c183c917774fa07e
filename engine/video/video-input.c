/* video-input.c: a clip's frames through FFmpeg's demuxers and decoders, one at a time, turned
 * as displayed, scaled by swscale with the stream's own colour matrix and range to RGBA64. */
#include "video-input.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "ffmpeg-private.h"
#include "file-read.h"
#include "ink-error.h"
#include "media-private.h"
#include "video-tone.h"
#include "video-webp.h"

/* Damaged packets skipped before the clip counts as unreadable. */
#define MAX_BAD_PACKETS 200
/* Decoding times kept for frames whose packets had no presentation time (beyond the deepest
 * reordering a decoder does). */
#define MAX_UNTIMED 64

struct InkVideo {
  char *path;
  InkWebpAnim *webp;       /* an animated WebP (libwebp); the FFmpeg fields below are unused */
  double webp_end;         /* its length, s */
  AVFormatContext *fmt;
  AVCodecContext *dec;
  AVStream *st;
  int stream;
  AVPacket *pkt;
  AVFrame *frame;
  struct SwsContext *sws;
  struct SwsContext *rescaler;   /* RGBA64 to RGBA64 (interlaced frames, after un-combing) */
  gboolean draining;       /* the demuxer is done; the decoder is being flushed */
  gboolean ended;
  int bad_packets;
  double next_pts;         /* where a frame without a time is put: after the last one read; NAN
                            * when none was read since the last seek */
  gint64 untimed[MAX_UNTIMED];   /* a ring of the decoding times of the packets sent without a
                                  * presentation time, in order, that no frame has taken yet */
  int untimed_first, untimed_count;
  InkVideoInfo info;
};

static void
set_av_error (GError **error, const char *path, const char *what, int ret)
{
  char msg[AV_ERROR_MAX_STRING_SIZE] = { 0 };

  av_strerror (ret, msg, sizeof msg);
  g_set_error (error, INK_ERROR, ret == AVERROR (ENOMEM) ? INK_ERROR_TOO_LARGE : INK_ERROR_DECODE,
               "%s: %s (%s)", path, what, msg);
}

gboolean
ink_video_check_regular (const char *path, GError **error)
{
  GStatBuf st;
  int fd = ink_file_open_regular (path, path, "clip", &st, error);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

/* The first SIZE bytes of PATH (fewer when it is shorter) into HEAD; 0 when it cannot be read or
 * is not a regular file (a FIFO or a device would block the open or the read). */
static gsize
read_head (const char *path, guint8 *head, gsize size)
{
  GStatBuf st;
  int fd = ink_file_open_regular (path, path, "clip", &st, NULL);
  gsize n = 0;

  if (fd < 0)
    return 0;
  while (n < size)
    {
      ssize_t got = read (fd, head + n, size - n);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        break;
      n += (gsize) got;
    }
  close (fd);
  return n;
}

gboolean
ink_video_sniff (const char *path)
{
  guint8 head[192] = { 0 };
  gsize n = read_head (path, head, sizeof head);

  if (n == 0)
    return FALSE;
  if (ink_webp_is_animated (head, n))
    return TRUE;
  if (ink_sniff_kind (head, n) != KIND_UNKNOWN)
    return FALSE;
  /* ISO media (MP4, MOV, 3GP), Matroska and WebM, AVI, GIF, MPEG-TS/PS, FLV, Ogg. */
  if ((n >= 12 && memcmp (head + 4, "ftyp", 4) == 0)
      || (n >= 12 && (memcmp (head + 4, "moov", 4) == 0 || memcmp (head + 4, "mdat", 4) == 0
                      || memcmp (head + 4, "free", 4) == 0 || memcmp (head + 4, "wide", 4) == 0))
      || (n >= 4 && memcmp (head, "\x1a\x45\xdf\xa3", 4) == 0)
      || (n >= 12 && memcmp (head, "RIFF", 4) == 0 && memcmp (head + 8, "AVI ", 4) == 0)
      || (n >= 6 && (memcmp (head, "GIF87a", 6) == 0 || memcmp (head, "GIF89a", 6) == 0))
      || (n >= 1 && head[0] == 0x47 && n >= 189 && head[188] == 0x47)
      || (n >= 4 && memcmp (head, "\x00\x00\x01\xba", 4) == 0)
      || (n >= 3 && memcmp (head, "FLV", 3) == 0)
      || (n >= 4 && memcmp (head, "OggS", 4) == 0))
    return TRUE;
  return FALSE;
}

/* The rotation (clockwise degrees: 0, 90, 180, 270) the stream's display matrix asks for. */
static int
stream_rotation (AVStream *st)
{
  const int32_t *matrix = (const int32_t *) av_stream_get_side_data (st, AV_PKT_DATA_DISPLAYMATRIX,
                                                                     NULL);
  double ccw;
  int cw;

  if (matrix == NULL)
    return 0;
  ccw = av_display_rotation_get (matrix);
  if (isnan (ccw))
    return 0;
  cw = (int) lround (-ccw / 90.0) * 90;
  return ((cw % 360) + 360) % 360;
}

/* An animated WebP: its size, and its rate and length from a pass over its frames' times. */
static InkVideo *
open_webp (InkVideo *v, GError **error)
{
  int frames;
  double pts, end = 0.0;

  v->webp = ink_webp_anim_open (v->path, error);
  if (v->webp == NULL)
    {
      ink_video_free (&v);
      return NULL;
    }
  ink_webp_anim_size (v->webp, &v->info.width, &v->info.height, &frames);
  while (ink_webp_anim_next (v->webp, &pts, &end, error) != NULL)
    ;
  if (error != NULL && *error != NULL)
    {
      ink_video_free (&v);
      return NULL;
    }
  ink_webp_anim_rewind (v->webp);
  v->webp_end = end;
  v->info.duration_s = end;
  v->info.fps = end > 0.0 ? CLAMP (frames / end, 0.1, 1000.0) : 25.0;
  v->info.has_alpha = TRUE;
  v->info.codec = g_strdup ("webp");
  return v;
}

InkVideo *
ink_video_open (const char *path, GError **error)
{
  InkVideo *v = g_new0 (InkVideo, 1);
  const AVCodec *codec = NULL;
  AVCodecParameters *par;
  int ret, audio;

  ink_ffmpeg_init_logging ();
  v->path = g_strdup (path);
  v->next_pts = NAN;
  /* Before FFmpeg opens it: a FIFO or a device would block its open or its reads for ever. */
  if (!ink_video_check_regular (path, error))
    goto error;
  {
    guint8 head[32] = { 0 };
    if (ink_webp_is_animated (head, read_head (path, head, sizeof head)))
      return open_webp (v, error);
  }
  ret = avformat_open_input (&v->fmt, path, NULL, NULL);
  if (ret < 0)
    {
      if (ret == AVERROR (EACCES) || ret == AVERROR (EISDIR))
        g_set_error (error, INK_ERROR, INK_ERROR_READ, "%s: cannot be read (%s)", path,
                     ret == AVERROR (EISDIR) ? "a folder" : "permission denied");
      else
        set_av_error (error, path, "not a photo or a clip Inkloop can read, or the file is "
                      "damaged", ret);
      goto error;
    }
  /* Bounded probing: a hostile file cannot make stream discovery read for ever. */
  v->fmt->probesize = 32 << 20;
  v->fmt->max_analyze_duration = 10 * AV_TIME_BASE;
  ret = avformat_find_stream_info (v->fmt, NULL);
  if (ret < 0)
    {
      set_av_error (error, path, "the clip's streams cannot be read; the file may be damaged",
                    ret);
      goto error;
    }
  v->stream = av_find_best_stream (v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (v->stream < 0 || codec == NULL)
    {
      audio = av_find_best_stream (v->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: %s", path,
                   audio >= 0 ? "has sound but no pictures; Inkloop needs a photo or a video"
                   : v->stream == AVERROR_DECODER_NOT_FOUND
                     ? "its video is in a format this FFmpeg cannot decode"
                     : "has no video stream; Inkloop needs a photo or a video");
      goto error;
    }
  v->st = v->fmt->streams[v->stream];
  par = v->st->codecpar;
  if (par->width <= 0 || par->height <= 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: the video has no picture size; the "
                   "file may be damaged", path);
      goto error;
    }
  if (ink_size_too_large (par->width, par->height))
    {
      ink_set_too_large (error, path, par->width, par->height);
      goto error;
    }
  v->dec = avcodec_alloc_context3 (codec);
  if (v->dec == NULL || avcodec_parameters_to_context (v->dec, par) < 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", path);
      goto error;
    }
  v->dec->thread_count = 0;   /* as many as the machine has */
  v->dec->pkt_timebase = v->st->time_base;
  ret = avcodec_open2 (v->dec, codec, NULL);
  if (ret < 0)
    {
      set_av_error (error, path, "the video decoder refused the stream", ret);
      goto error;
    }
  v->pkt = av_packet_alloc ();
  v->frame = av_frame_alloc ();
  if (v->pkt == NULL || v->frame == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", path);
      goto error;
    }

  v->info.rotation = stream_rotation (v->st);
  v->info.width = v->info.rotation % 180 ? par->height : par->width;
  v->info.height = v->info.rotation % 180 ? par->width : par->height;
  {
    AVRational r = av_guess_frame_rate (v->fmt, v->st, NULL);
    v->info.fps = r.num > 0 && r.den > 0 ? av_q2d (r) : 25.0;
    if (!(v->info.fps > 0.1 && v->info.fps <= 1000.0))
      v->info.fps = 25.0;
  }
  v->info.start_s = v->st->start_time != AV_NOPTS_VALUE
                    ? v->st->start_time * av_q2d (v->st->time_base) : 0.0;
  if (v->st->duration > 0)
    v->info.duration_s = v->st->duration * av_q2d (v->st->time_base);
  else if (v->fmt->duration > 0)
    v->info.duration_s = v->fmt->duration / (double) AV_TIME_BASE;
  v->info.codec = g_strdup (codec->name);
  {
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get (par->format);
    v->info.has_alpha = desc != NULL && (desc->flags & AV_PIX_FMT_FLAG_ALPHA);
  }
  audio = av_find_best_stream (v->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
  if (audio >= 0)
    {
      v->info.has_audio = TRUE;
      v->info.audio_codec = g_strdup (avcodec_get_name (v->fmt->streams[audio]->codecpar->codec_id));
    }
  return v;

error:
  ink_video_free (&v);
  return NULL;
}

void
ink_video_free (InkVideo **pv)
{
  InkVideo *v = *pv;

  if (v == NULL)
    return;
  ink_webp_anim_free (&v->webp);
  sws_freeContext (v->sws);
  sws_freeContext (v->rescaler);
  av_frame_free (&v->frame);
  av_packet_free (&v->pkt);
  avcodec_free_context (&v->dec);
  avformat_close_input (&v->fmt);
  g_free (v->info.codec);
  g_free (v->info.audio_codec);
  g_free (v->path);
  g_free (v);
  *pv = NULL;
}

const InkVideoInfo *
ink_video_get_info (InkVideo *v)
{
  return &v->info;
}

const char *
ink_video_path (InkVideo *v)
{
  return v->path;
}

static gint64
to_stream_ts (InkVideo *v, double t)
{
  return (gint64) llround (t / av_q2d (v->st->time_base));
}

/* Opens the demuxer again, positioned at the start with the times it had when first opened. */
static int
reopen_input (InkVideo *v)
{
  AVFormatContext *fmt = NULL;
  int ret;

  if (!ink_video_check_regular (v->path, NULL))
    return AVERROR (EINVAL);
  ret = avformat_open_input (&fmt, v->path, NULL, NULL);
  if (ret < 0)
    return ret;
  fmt->probesize = v->fmt->probesize;
  fmt->max_analyze_duration = v->fmt->max_analyze_duration;
  ret = avformat_find_stream_info (fmt, NULL);
  /* The same file: the same stream, unless it was changed meanwhile. */
  if (ret >= 0 && ((unsigned) v->stream >= fmt->nb_streams
                   || fmt->streams[v->stream]->codecpar->codec_id != v->st->codecpar->codec_id
                   || av_cmp_q (fmt->streams[v->stream]->time_base, v->st->time_base) != 0))
    ret = AVERROR_INVALIDDATA;
  if (ret < 0)
    {
      avformat_close_input (&fmt);
      return ret;
    }
  avformat_close_input (&v->fmt);
  v->fmt = fmt;
  v->st = fmt->streams[v->stream];
  return 0;
}

/* After the demuxer was moved: the decoder emptied, nothing read since. */
static void
restart_decoding (InkVideo *v)
{
  avcodec_flush_buffers (v->dec);
  v->draining = FALSE;
  v->ended = FALSE;
  v->next_pts = NAN;
  v->untimed_count = 0;
}

gboolean
ink_video_seek (InkVideo *v, double t, GError **error)
{
  gint64 first;
  int ret;

  if (v->webp != NULL)
    {
      /* From the first frame: the reader skips frames that ended before T. */
      ink_webp_anim_rewind (v->webp);
      v->ended = FALSE;
      return TRUE;
    }
  /* The last key frame at or before T; the reader decodes forward from it. */
  first = v->st->start_time != AV_NOPTS_VALUE ? v->st->start_time : 0;
  ret = avformat_seek_file (v->fmt, v->stream, G_MININT64, to_stream_ts (v, t),
                            to_stream_ts (v, t), AVSEEK_FLAG_BACKWARD);

  /* Before the first frame (as a part's first frame asks, half a frame early) some demuxers
   * (AVI, GIF) find no key frame at all, and some files cannot seek to a time (damaged
   * indexes): back to the start instead, by time, else with the file opened again. Never by
   * bytes: AVI's demuxer, among others, would go on counting its frames' times from where it
   * was, so that every frame after it would seem to come after the end of the clip. */
  if (ret < 0)
    ret = av_seek_frame (v->fmt, v->stream, first, AVSEEK_FLAG_BACKWARD);
  if (ret < 0)
    ret = reopen_input (v);
  if (ret < 0)
    {
      set_av_error (error, v->path, "cannot go back in the clip", ret);
      return FALSE;
    }
  restart_decoding (v);
  return TRUE;
}

gboolean
ink_video_rewind (InkVideo *v, GError **error)
{
  int ret;

  if (v->webp != NULL)
    return ink_video_seek (v, 0.0, error);
  ret = reopen_input (v);
  if (ret < 0)
    {
      set_av_error (error, v->path, "cannot go back to the clip's start", ret);
      return FALSE;
    }
  restart_decoding (v);
  return TRUE;
}

/* PKT's time in seconds: its presentation time, else its decoding time (AVI and raw streams
 * often carry only that); NAN when it has neither. */
static double
packet_time (InkVideo *v, const AVPacket *pkt)
{
  gint64 ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;

  return ts != AV_NOPTS_VALUE ? ts * av_q2d (v->st->time_base) : NAN;
}

gboolean
ink_video_scan_end (InkVideo *v, double stop, double *end, GError **error)
{
  double last = -INFINITY;
  int ret;

  (void) stop;
  if (v->webp != NULL)
    {
      *end = v->webp_end;
      return TRUE;
    }
  while ((ret = av_read_frame (v->fmt, v->pkt)) >= 0)
    {
      double t = v->pkt->stream_index == v->stream ? packet_time (v, v->pkt) : NAN;

      if (!isnan (t))
        {
          double d = v->pkt->duration > 0 ? v->pkt->duration * av_q2d (v->st->time_base)
                                          : 1.0 / v->info.fps;
          last = MAX (last, t + d);
          if (t > stop)
            {
              av_packet_unref (v->pkt);
              break;
            }
        }
      av_packet_unref (v->pkt);
    }
  if (ret < 0 && ret != AVERROR_EOF && last == -INFINITY)
    {
      set_av_error (error, v->path, "the clip cannot be read", ret);
      return FALSE;
    }
  *end = last;
  return TRUE;
}

/* The next decoded frame in v->frame; FALSE at the end (no error) or on an error. */
static gboolean
decode_next (InkVideo *v, gboolean *got, GError **error)
{
  *got = FALSE;
  for (;;)
    {
      int ret = avcodec_receive_frame (v->dec, v->frame);

      if (ret == 0)
        {
          *got = TRUE;
          return TRUE;
        }
      if (ret == AVERROR_EOF)
        {
          v->ended = TRUE;
          return TRUE;
        }
      if (ret != AVERROR (EAGAIN))
        {
          /* A frame the decoder could not rebuild: go on with the next. */
          if (++v->bad_packets > MAX_BAD_PACKETS)
            {
              set_av_error (error, v->path, "too many damaged frames", ret);
              return FALSE;
            }
          continue;
        }
      if (v->draining)
        {
          v->ended = TRUE;
          return TRUE;
        }
      ret = av_read_frame (v->fmt, v->pkt);
      if (ret < 0)
        {
          /* The end, or a file cut short: what was read so far is the clip. */
          v->draining = TRUE;
          avcodec_send_packet (v->dec, NULL);
          continue;
        }
      if (v->pkt->stream_index == v->stream)
        {
          if (v->pkt->pts == AV_NOPTS_VALUE && v->pkt->dts != AV_NOPTS_VALUE)
            {
              if (v->untimed_count == MAX_UNTIMED)
                {
                  v->untimed_first = (v->untimed_first + 1) % MAX_UNTIMED;
                  v->untimed_count--;
                }
              v->untimed[(v->untimed_first + v->untimed_count++) % MAX_UNTIMED] = v->pkt->dts;
            }
          ret = avcodec_send_packet (v->dec, v->pkt);
          if (ret < 0 && ret != AVERROR (EAGAIN) && ++v->bad_packets > MAX_BAD_PACKETS)
            {
              av_packet_unref (v->pkt);
              set_av_error (error, v->path, "too many damaged frames", ret);
              return FALSE;
            }
        }
      av_packet_unref (v->pkt);
    }
}

static enum AVPixelFormat
without_deprecated_range (enum AVPixelFormat f, gboolean *full)
{
  switch (f)
    {
    case AV_PIX_FMT_YUVJ420P: *full = TRUE; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: *full = TRUE; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: *full = TRUE; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: *full = TRUE; return AV_PIX_FMT_YUV440P;
    default: return f;
    }
}

static int
sws_matrix (enum AVColorSpace cs)
{
  switch (cs)
    {
    case AVCOL_SPC_BT709: return SWS_CS_ITU709;
    case AVCOL_SPC_FCC: return SWS_CS_FCC;
    case AVCOL_SPC_SMPTE240M: return SWS_CS_SMPTE240M;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M: return SWS_CS_ITU601;
    default: return -1;
    }
}

/* V->frame scaled to W x H (stored orientation) as RGBA64. */
static InkImage *
convert (InkVideo *v, int w, int h, GError **error)
{
  AVFrame *f = v->frame;
  gboolean full = f->color_range == AVCOL_RANGE_JPEG;
  enum AVPixelFormat src = without_deprecated_range (f->format, &full);
  const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get (src);
  InkImage *image;
  int matrix;
  uint8_t *dst[4];
  int stride[4];

  if (desc == NULL || f->width <= 0 || f->height <= 0
      || ink_size_too_large (f->width, f->height))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: a damaged frame (%dx%d)", v->path,
                   f->width, f->height);
      return NULL;
    }
  v->sws = sws_getCachedContext (v->sws, f->width, f->height, src, w, h, AV_PIX_FMT_RGBA64,
                                 SWS_BICUBIC | SWS_FULL_CHR_H_INT | SWS_ACCURATE_RND, NULL, NULL,
                                 NULL);
  if (v->sws == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s: frames of %s cannot be converted",
                   v->path, desc->name);
      return NULL;
    }
  /* Standard-definition clips without a tag are BT.601, the rest BT.709, as players assume. */
  matrix = sws_matrix (f->colorspace);
  if (matrix < 0)
    matrix = f->height >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601;
  if (!(desc->flags & AV_PIX_FMT_FLAG_RGB) && !(desc->flags & AV_PIX_FMT_FLAG_PAL))
    sws_setColorspaceDetails (v->sws, sws_getCoefficients (matrix), full,
                              sws_getCoefficients (SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
  image = ink_image_try_new (w, h, NULL);
  if (image == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory for %dx%d frames",
                   v->path, w, h);
      return NULL;
    }
  image->has_alpha = (desc->flags & AV_PIX_FMT_FLAG_ALPHA) || (desc->flags & AV_PIX_FMT_FLAG_PAL);
  dst[0] = (uint8_t *) image->pixels;
  dst[1] = dst[2] = dst[3] = NULL;
  stride[0] = w * 8;
  stride[1] = stride[2] = stride[3] = 0;
  sws_scale (v->sws, (const uint8_t *const *) f->data, f->linesize, 0, f->height, dst, stride);
  return image;
}

/* IMAGE scaled to W x H. */
static InkImage *
rescale (InkVideo *v, const InkImage *image, int w, int h, GError **error)
{
  InkImage *out = ink_image_try_new (w, h, NULL);
  const uint8_t *src[4] = { (const uint8_t *) image->pixels, NULL, NULL, NULL };
  int src_stride[4] = { image->width * 8, 0, 0, 0 }, dst_stride[4] = { w * 8, 0, 0, 0 };
  uint8_t *dst[4] = { NULL };

  v->rescaler = sws_getCachedContext (v->rescaler, image->width, image->height, AV_PIX_FMT_RGBA64,
                                      w, h, AV_PIX_FMT_RGBA64, SWS_BICUBIC | SWS_ACCURATE_RND,
                                      NULL, NULL, NULL);
  if (out == NULL || v->rescaler == NULL)
    {
      ink_image_free (&out);
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", v->path);
      return NULL;
    }
  out->has_alpha = image->has_alpha;
  dst[0] = (uint8_t *) out->pixels;
  sws_scale (v->rescaler, src, src_stride, 0, image->height, dst, dst_stride);
  return out;
}

/* IMAGE (consumed) turned DEGREES clockwise. */
static InkImage *
rotate (InkImage *image, int degrees)
{
  InkImage *out;
  int w = image->width, h = image->height;

  if (degrees == 0)
    return image;
  out = degrees == 180 ? ink_image_try_new (w, h, NULL) : ink_image_try_new (h, w, NULL);
  if (out == NULL)
    {
      ink_image_free (&image);
      return NULL;
    }
  out->has_alpha = image->has_alpha;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int ox, oy;
        if (degrees == 90)
          ox = h - 1 - y, oy = x;
        else if (degrees == 180)
          ox = w - 1 - x, oy = h - 1 - y;
        else
          ox = y, oy = w - 1 - x;
        memcpy (out->pixels + ((gsize) oy * out->width + ox) * 4,
                image->pixels + ((gsize) y * w + x) * 4, 8);
      }
  ink_image_free (&image);
  return out;
}

/* The next frame of an animated WebP, as ink_video_read. */
static InkImage *
read_webp (InkVideo *v, int long_edge, double *pts, GError **error)
{
  int w = v->info.width, h = v->info.height;
  const guint8 *rgba;
  double end;
  InkImage *full, *image;

  rgba = ink_webp_anim_next (v->webp, pts, &end, error);
  if (rgba == NULL)
    {
      v->ended = TRUE;
      return NULL;
    }
  full = ink_image_try_new (w, h, NULL);
  if (full == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", v->path);
      return NULL;
    }
  full->has_alpha = TRUE;
  for (gsize p = 0, n = (gsize) w * h * 4; p < n; p++)
    full->pixels[p] = rgba[p] * 257;
  if (long_edge <= 0 || long_edge == MAX (w, h))
    return full;
  {
    double s = long_edge / (double) MAX (w, h);
    image = rescale (v, full, MAX (1, (int) lround (w * s)), MAX (1, (int) lround (h * s)), error);
  }
  ink_image_free (&full);
  return image;
}

InkImage *
ink_video_read (InkVideo *v, int long_edge, double *pts, GError **error)
{
  gboolean got;
  int dw = v->info.width, dh = v->info.height, w, h;
  gint64 ts;
  InkImage *image;

  if (v->ended)
    return NULL;
  if (v->webp != NULL)
    return read_webp (v, long_edge, pts, error);
  if (!decode_next (v, &got, error) || !got)
    return NULL;
  /* The frame's time: the decoder's best guess from its packet's presentation time. Packets with
   * only a decoding time (AVI, whose B-frames have none) come out reordered, in the order they
   * are shown, so the Nth frame out is shown at the Nth of their decoding times in order (the
   * decoder's guess, the decoding time of the packet that let the frame out, would be late by
   * its reordering delay). A frame with no time at all follows the last one read, or is the
   * clip's first. */
  if (v->frame->pts == AV_NOPTS_VALUE && v->untimed_count > 0)
    {
      ts = v->untimed[v->untimed_first];
      v->untimed_first = (v->untimed_first + 1) % MAX_UNTIMED;
      v->untimed_count--;
    }
  else
    ts = v->frame->best_effort_timestamp != AV_NOPTS_VALUE ? v->frame->best_effort_timestamp
         : v->frame->pts;
  if (ts != AV_NOPTS_VALUE)
    *pts = ts * av_q2d (v->st->time_base);
  else
    *pts = isnan (v->next_pts) ? v->info.start_s : v->next_pts;
  v->next_pts = *pts + 1.0 / v->info.fps;
  /* Every frame at the first frame's size (a clip whose size changes is scaled to it). */
  if (long_edge > 0 && long_edge != MAX (dw, dh))
    {
      double s = long_edge / (double) MAX (dw, dh);
      dw = MAX (1, (int) lround (dw * s));
      dh = MAX (1, (int) lround (dh * s));
    }
  w = v->info.rotation % 180 ? dh : dw;
  h = v->info.rotation % 180 ? dw : dh;
  if (v->frame->interlaced_frame && h != v->frame->height)
    {
      /* Interlaced: the fields are blended at the stored size, before any scaling mixes them. */
      InkImage *whole = convert (v, v->frame->width, v->frame->height, error);
      image = NULL;
      if (whole != NULL)
        {
          ink_video_uncomb (whole);
          image = rescale (v, whole, w, h, error);
          ink_image_free (&whole);
        }
    }
  else
    {
      image = convert (v, w, h, error);
      if (image != NULL && v->frame->interlaced_frame)
        ink_video_uncomb (image);
    }
  if (image != NULL)
    ink_video_tone_map (image, v->frame->color_trc, v->frame->color_primaries);
  av_frame_unref (v->frame);
  if (image == NULL)
    return NULL;
  image = rotate (image, v->info.rotation);
  if (image == NULL)
    g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", v->path);
  return image;
}
