/* export.c: streams the loop's frames into GIF (one libimagequant palette), APNG, MP4, animated WebP or PNG frames. */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libimagequant.h>
#include <libswscale/swscale.h>

#include "animate.h"
#include "atomic-file.h"
#include "ffmpeg-private.h"
#include "ink-error.h"
#include "output-path.h"
#include "stylize-private.h"

/* Frames of one size are kept in memory between passes (GIF palette, MP4 repeats, --max-bytes
 * retries) while they fit in this; beyond it they are rendered again, so memory stays flat. */
#define CACHE_BUDGET ((gsize) 256 << 20)
/* The GIF palette sees at most this many pixels of each frame (evenly subsampled). */
#define HISTOGRAM_PIXELS (1 << 19)
/* GIF delays are centiseconds; browsers turn 1 cs into 10 cs, so 50 fps is the fastest rate. */
#define GIF_MAX_FPS 50.0
#define MAX_ATTEMPTS 16

static const char *const format_names[INK_FORMAT_COUNT] = { "gif", "apng", "mp4", "webp", "png" };
static const char *const dither_names[INK_DITHER_COUNT] = { "none", "ordered", "diffusion" };

/* For messages. */
static const char *const format_labels[INK_FORMAT_COUNT] = { "GIF", "APNG", "MP4", "WebP", "PNG" };

int
ink_export_format_max_side (InkExportFormat format)
{
  g_return_val_if_fail (format < INK_FORMAT_COUNT, 0);
  /* WebP stores sides in 14 bits; GIF in 16; the rest are bounded by what we load. */
  switch (format)
    {
    case INK_FORMAT_WEBP:
      return MIN (16383, INK_IMAGE_MAX_SIDE);
    case INK_FORMAT_GIF:
      return MIN (65535, INK_IMAGE_MAX_SIDE);
    case INK_FORMAT_APNG:
    case INK_FORMAT_MP4:
    case INK_FORMAT_PNG_FRAMES:
    case INK_FORMAT_COUNT:
    default:
      return INK_IMAGE_MAX_SIDE;
    }
}

const char *
ink_export_format_name (InkExportFormat format)
{
  g_return_val_if_fail (format < INK_FORMAT_COUNT, NULL);
  return format_names[format];
}

gboolean
ink_export_format_from_name (const char *name, InkExportFormat *format, GError **error)
{
  for (int i = 0; i < INK_FORMAT_COUNT; i++)
    if (g_ascii_strcasecmp (name, format_names[i]) == 0)
      {
        *format = i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "png-frames") == 0 || g_ascii_strcasecmp (name, "frames") == 0)
    {
      *format = INK_FORMAT_PNG_FRAMES;
      return TRUE;
    }
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
               "unknown format '%s': use gif, apng, mp4, webp or png (PNG frames in a folder)", name);
  return FALSE;
}

gboolean
ink_export_format_from_path (const char *path, InkExportFormat *format, GError **error)
{
  static const struct { const char *ext; InkExportFormat format; } exts[] = {
    { ".gif", INK_FORMAT_GIF }, { ".apng", INK_FORMAT_APNG }, { ".png", INK_FORMAT_APNG },
    { ".mp4", INK_FORMAT_MP4 }, { ".m4v", INK_FORMAT_MP4 }, { ".webp", INK_FORMAT_WEBP },
  };
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *base = g_path_get_basename (path);

  if (g_str_has_suffix (path, "/"))
    {
      *format = INK_FORMAT_PNG_FRAMES;
      return TRUE;
    }
  /* A file's extension wins over a folder of that name, which the export then refuses: frames
   * never land in "clip.gif/". */
  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    if (g_str_has_suffix (lower, exts[i].ext))
      {
        *format = exts[i].format;
        return TRUE;
      }
  if (g_file_test (path, G_FILE_TEST_IS_DIR) || strchr (base + 1, '.') == NULL)
    {
      *format = INK_FORMAT_PNG_FRAMES;
      return TRUE;
    }
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
               "%s: unknown output format; end the name with .gif, .apng, .mp4 or .webp, or "
               "with / for PNG frames in a folder, or give the format", path);
  return FALSE;
}

const char *
ink_dither_name (InkDither dither)
{
  g_return_val_if_fail (dither < INK_DITHER_COUNT, NULL);
  return dither_names[dither];
}

gboolean
ink_dither_from_name (const char *name, InkDither *dither, GError **error)
{
  for (int i = 0; i < INK_DITHER_COUNT; i++)
    if (g_ascii_strcasecmp (name, dither_names[i]) == 0)
      {
        *dither = i;
        return TRUE;
      }
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
               "unknown dither '%s': use none, ordered or diffusion", name);
  return FALSE;
}

gboolean
ink_export_params_validate (const InkExportParams *p, GError **error)
{
  const char *what = NULL;

  if ((int) p->format < 0 || p->format >= INK_FORMAT_COUNT)
    what = "format: unknown";
  else if (p->long_edge < 0 || p->long_edge > INK_IMAGE_MAX_SIDE)
    what = "size: must be 0 (the photo's size) or 1 .. 16384 px";
  else if (p->quality < -1 || p->quality > 100)
    what = "quality: must be 0 .. 100";
  else if ((int) p->dither < 0 || p->dither >= INK_DITHER_COUNT)
    what = "dither: must be none, ordered or diffusion";
  else if (p->colors < 2 || p->colors > 256)
    what = "colors: must be 2 .. 256";
  else if (p->repeat < 1 || p->repeat > 100)
    what = "repeat: must be 1 .. 100";
  else if (p->max_bytes < 0)
    what = "max-bytes: must be 0 (no limit) or a size in bytes";
  else if (p->max_bytes > 0 && p->format != INK_FORMAT_GIF && p->format != INK_FORMAT_WEBP)
    what = "max-bytes: only GIF and WebP files can be fitted under a size";
  if (what == NULL)
    return TRUE;
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "%s", what);
  return FALSE;
}

void
ink_export_result_clear (InkExportResult *result)
{
  g_free (result->summary);
  memset (result, 0, sizeof *result);
}

/* The job: one size of the loop, its frames on demand ---------------------------------------- */

typedef struct {
  InkStylizer *stylizer;
  const InkImage *source;
  const InkStyleParams *style;
  const InkMotionParams *motion;
  const InkMotionHints *hints;
  const char *path;                 /* the target, for messages */
  InkExportProgress progress;
  gpointer user_data;
  GCancellable *cancellable;

  InkAnimation *animation;
  int width, height, n;
  gboolean has_alpha;
  guint32 **cache;                  /* n frames when they fit in CACHE_BUDGET, else NULL */
  guint32 *scratch;                 /* the frame being encoded when not cached */
  guint32 *flat;                    /* SCRATCH over white, for formats without alpha */

  /* Render-ahead: a thread renders the next frame while the caller encodes this one. While it
   * is busy, nothing else touches the stylizer or the cache. */
  GThread *ahead_thread;
  GMutex ahead_lock;
  GCond ahead_cond;
  int ahead_request;                /* frame to render; -1: none; -2: quit */
  gboolean ahead_busy;
  int ahead_index;                  /* frame in AHEAD (or in the cache); -1: none */
  guint32 *ahead;                   /* its pixels when not cached */
  GError *ahead_error;

  double done, total;               /* progress: frames rendered or encoded */
  double reported;
} Job;

/* Renders frame I into the cache or OUT. Called with the stylizer free. */
static gboolean
render_frame (Job *job, int i, guint32 *out, GError **error)
{
  if (job->cache != NULL)
    {
      if (job->cache[i] != NULL)
        return TRUE;
      out = job->cache[i] = g_try_malloc ((gsize) job->width * job->height * 4);
    }
  if (out == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      return FALSE;
    }
  return ink_animation_render_rgba8 (job->animation, i, out, NULL, error);
}

static gpointer
ahead_main (gpointer data)
{
  Job *job = data;

  g_mutex_lock (&job->ahead_lock);
  for (;;)
    {
      int i;
      GError *error = NULL;
      while (job->ahead_request == -1)
        g_cond_wait (&job->ahead_cond, &job->ahead_lock);
      if (job->ahead_request == -2)
        break;
      i = job->ahead_request;
      job->ahead_request = -1;
      g_mutex_unlock (&job->ahead_lock);
      render_frame (job, i, job->ahead, &error);
      g_mutex_lock (&job->ahead_lock);
      job->ahead_index = i;
      job->ahead_error = error;
      job->ahead_busy = FALSE;
      g_cond_broadcast (&job->ahead_cond);
    }
  g_mutex_unlock (&job->ahead_lock);
  return NULL;
}

/* Waits for the render-ahead thread to be idle; call with the lock held. */
static void
ahead_wait (Job *job)
{
  while (job->ahead_busy)
    g_cond_wait (&job->ahead_cond, &job->ahead_lock);
}

static void
ahead_stop (Job *job)
{
  if (job->ahead_thread == NULL)
    return;
  g_mutex_lock (&job->ahead_lock);
  ahead_wait (job);
  job->ahead_request = -2;
  g_cond_broadcast (&job->ahead_cond);
  g_mutex_unlock (&job->ahead_lock);
  g_thread_join (job->ahead_thread);
  job->ahead_thread = NULL;
  g_clear_error (&job->ahead_error);
  g_mutex_clear (&job->ahead_lock);
  g_cond_clear (&job->ahead_cond);
}

static void
job_clear_size (Job *job)
{
  ahead_stop (job);
  g_clear_pointer (&job->ahead, g_free);
  if (job->cache != NULL)
    for (int i = 0; i < job->n; i++)
      g_free (job->cache[i]);
  g_clear_pointer (&job->cache, g_free);
  g_clear_pointer (&job->scratch, g_free);
  g_clear_pointer (&job->flat, g_free);
  ink_animation_free (&job->animation);
}

/* Stylizes the source at LONG_EDGE (0: its own size) and prepares the motion layers. */
static gboolean
job_set_size (Job *job, int long_edge, GError **error)
{
  InkImage *scaled = NULL;
  const InkImage *image = job->source;
  gsize frame_bytes;

  job_clear_size (job);
  if (long_edge > 0 && long_edge != MAX (job->source->width, job->source->height))
    {
      image = scaled = ink_image_scale (job->source, long_edge, error);
      if (scaled == NULL)
        return FALSE;
    }
  job->animation = ink_animation_new (job->stylizer, image, job->style, job->motion, job->hints,
                                      NULL, error);
  job->width = image->width;
  job->height = image->height;
  job->has_alpha = image->has_alpha;
  ink_image_free (&scaled);
  if (job->animation == NULL)
    return FALSE;
  job->n = ink_animation_n_frames (job->animation);
  frame_bytes = (gsize) job->width * job->height * 4;
  job->scratch = g_try_malloc (frame_bytes);
  job->flat = job->has_alpha ? g_try_malloc (frame_bytes) : NULL;   /* only to flatten alpha */
  job->ahead = g_try_malloc (frame_bytes);
  if (job->scratch == NULL || (job->has_alpha && job->flat == NULL) || job->ahead == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory for %dx%d frames",
                   job->path, job->width, job->height);
      return FALSE;
    }
  if (frame_bytes * job->n <= CACHE_BUDGET)
    job->cache = g_new0 (guint32 *, job->n);
  g_mutex_init (&job->ahead_lock);
  g_cond_init (&job->ahead_cond);
  job->ahead_request = -1;
  job->ahead_index = -1;
  job->ahead_busy = FALSE;
  job->ahead_thread = g_thread_new ("ink-export-ahead", ahead_main, job);
  return TRUE;
}

static void
job_step (Job *job)
{
  double f;

  job->done += 1.0;
  if (job->progress == NULL)
    return;
  f = MIN (0.99, job->done / MAX (1.0, job->total));
  if (f > job->reported)
    {
      job->reported = f;
      job->progress (f, job->user_data);
    }
}

/* Frame I, rendered or from the cache; valid until the next call. FLATTEN: over white. NEXT:
 * the frame the caller will ask for next, rendered meanwhile in a thread; -1: none. */
static const guint32 *
job_frame (Job *job, int i, int next, gboolean flatten, GError **error)
{
  const guint32 *frame;
  GError *ahead_error = NULL;
  gboolean have;

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return NULL;
  g_mutex_lock (&job->ahead_lock);
  ahead_wait (job);
  have = job->ahead_index == i;
  if (have && job->cache == NULL)
    {
      guint32 *t = job->scratch;   /* the caller's frame swaps with the thread's buffer */
      job->scratch = job->ahead;
      job->ahead = t;
    }
  if (have)
    ahead_error = g_steal_pointer (&job->ahead_error);
  job->ahead_index = -1;
  g_clear_error (&job->ahead_error);
  g_mutex_unlock (&job->ahead_lock);
  if (ahead_error != NULL)
    {
      g_propagate_error (error, ahead_error);
      return NULL;
    }
  if (!have && !render_frame (job, i, job->scratch, error))
    return NULL;
  frame = job->cache != NULL ? job->cache[i] : job->scratch;

  if (next >= 0 && next != i)
    {
      g_mutex_lock (&job->ahead_lock);
      job->ahead_request = next;
      job->ahead_busy = TRUE;
      g_cond_broadcast (&job->ahead_cond);
      g_mutex_unlock (&job->ahead_lock);
    }
  if (!flatten || !job->has_alpha)
    return frame;
  for (gsize p = 0, n = (gsize) job->width * job->height; p < n; p++)
    {
      guint32 v = frame[p], a = v >> 24, out = 0xff000000u;
      for (int c = 0; c < 24; c += 8)
        out |= (((v >> c & 0xff) * a + 255 * (255 - a) + 127) / 255) << c;
      job->flat[p] = out;
    }
  return job->flat;
}

/* FFmpeg output ------------------------------------------------------------------------------ */

typedef struct {
  AVFormatContext *fmt;
  AVCodecContext *enc;
  AVStream *st;
  AVPacket *pkt;
  AVFrame *frame;
  const char *path;                 /* the target, for messages */
} Output;

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
 * second; {0, 1} when not constant); the caller sets any other option, then calls output_open. */
static gboolean
output_new (Output *o, const char *muxer, const char *tmp_path, enum AVCodecID codec_id,
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
static gboolean
output_open (Output *o, AVDictionary **enc_opts, AVDictionary **mux_opts, GError **error)
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
static AVFrame *
output_frame (Output *o, GError **error)
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
static gboolean
output_send (Output *o, AVFrame *frame, GError **error)
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
      o->pkt->stream_index = 0;
      err = av_interleaved_write_frame (o->fmt, o->pkt);
      if (err < 0)
        return av_error (error, o->path, "writing", err);
    }
}

/* Flushes the encoder, writes the trailer and closes the file. */
static gboolean
output_finish (Output *o, GError **error)
{
  int err;

  if (!output_send (o, NULL, error))
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

static void
output_free (Output *o)
{
  if (o->fmt != NULL && o->fmt->pb != NULL)
    avio_closep (&o->fmt->pb);
  avformat_free_context (o->fmt);
  avcodec_free_context (&o->enc);
  av_packet_free (&o->pkt);
  av_frame_free (&o->frame);
  o->fmt = NULL;
}

static AVRational
frame_duration (double fps)
{
  return av_inv_q (av_d2q (fps, 100000));
}

/* GIF ---------------------------------------------------------------------------------------- */

/* The nearest palette entry to each colour at 7 bits a channel, filled on first use: the loop's
 * frames hold far fewer distinct colours than that, so each is searched once. Mapping through a
 * fixed table also keeps unchanged pixels unchanged from frame to frame. */
#define LUT_BITS 7
#define LUT_SIZE ((gsize) 1 << (3 * LUT_BITS))

typedef struct {
  const liq_palette *palette;
  int n;
  gint16 *lut;
} Nearest;

static inline guint8
nearest_index (Nearest *near, int r, int g, int b)
{
  const int shift = 8 - LUT_BITS, half = 1 << (shift - 1);
  gsize key = (gsize) (r >> shift) << (2 * LUT_BITS) | (gsize) (g >> shift) << LUT_BITS
              | (gsize) (b >> shift);
  int best = 0;
  gint64 best_d = G_MAXINT64;

  if (near->lut[key] >= 0)
    return (guint8) near->lut[key];
  r = (r >> shift << shift) + half, g = (g >> shift << shift) + half, b = (b >> shift << shift) + half;
  for (int i = 0; i < near->n; i++)
    {
      const liq_color *c = &near->palette->entries[i];
      int dr = r - c->r, dg = g - c->g, db = b - c->b;
      gint64 d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;   /* roughly perceptual weights */
      if (c->a == 255 && d < best_d)
        best_d = d, best = i;
    }
  near->lut[key] = (gint16) best;
  return (guint8) best;
}

/* Maps one frame to palette indices (ROWS: STRIDE bytes apart) with DITHER. */
static void
remap_frame (Nearest *near, const guint32 *rgba, int width, int height, InkDither dither,
             guint8 *rows, int stride)
{
  static const guint8 bayer[8][8] = {
    { 0, 32, 8, 40, 2, 34, 10, 42 },   { 48, 16, 56, 24, 50, 18, 58, 26 },
    { 12, 44, 4, 36, 14, 46, 6, 38 },  { 60, 28, 52, 20, 62, 30, 54, 22 },
    { 3, 35, 11, 43, 1, 33, 9, 41 },   { 51, 19, 59, 27, 49, 17, 57, 25 },
    { 15, 47, 7, 39, 13, 45, 5, 37 },  { 63, 31, 55, 23, 61, 29, 53, 21 },
  };
  /* Ordered: a sixth of a palette step (the colours' cube root over 0..255) breaks up bands;
     half a step, the textbook amount, cost 6 dB of PSNR on cel-shaded frames. */
  float spread = 0.15f * 255.0f / cbrtf ((float) near->n);
  /* Diffusion: Floyd-Steinberg, serpentine, half the error carried and clamped, so flat
     regions that match a palette colour stay clean and only gradients get a pattern. */
  g_autofree int *err = dither == INK_DITHER_DIFFUSION ? g_new0 (int, (gsize) (width + 2) * 6) : NULL;

  for (int y = 0; y < height; y++)
    {
      const guint32 *src = rgba + (gsize) y * width;
      guint8 *dst = rows + (gsize) y * stride;

      if (dither == INK_DITHER_NONE)
        for (int x = 0; x < width; x++)
          dst[x] = nearest_index (near, src[x] & 0xff, src[x] >> 8 & 0xff, src[x] >> 16 & 0xff);
      else if (dither == INK_DITHER_ORDERED)
        for (int x = 0; x < width; x++)
          {
            int d = (int) lrintf ((bayer[y & 7][x & 7] / 64.0f - 0.5f) * spread);
            dst[x] = nearest_index (near, CLAMP ((int) (src[x] & 0xff) + d, 0, 255),
                                    CLAMP ((int) (src[x] >> 8 & 0xff) + d, 0, 255),
                                    CLAMP ((int) (src[x] >> 16 & 0xff) + d, 0, 255));
          }
      else
        {
          /* Two rows of errors (x16), three channels, one pixel of margin each side. */
          int *cur = err + (y & 1) * (width + 2) * 3, *next = err + ((y + 1) & 1) * (width + 2) * 3;
          gboolean ltr = (y & 1) == 0;
          int dir = ltr ? 1 : -1;
          memset (next, 0, sizeof (int) * (width + 2) * 3);
          for (int k = 0, x = ltr ? 0 : width - 1; k < width; k++, x += dir)
            {
              int want[3], e[3];
              guint8 idx;
              const liq_color *c;
              for (int ch = 0; ch < 3; ch++)
                want[ch] = CLAMP ((int) (src[x] >> (8 * ch) & 0xff)
                                    + CLAMP (cur[(x + 1) * 3 + ch] / 32, -24, 24), 0, 255);
              idx = nearest_index (near, want[0], want[1], want[2]);
              dst[x] = idx;
              c = &near->palette->entries[idx];
              e[0] = want[0] - c->r, e[1] = want[1] - c->g, e[2] = want[2] - c->b;
              for (int ch = 0; ch < 3; ch++)
                {
                  cur[(x + 1 + dir) * 3 + ch] += e[ch] * 7;
                  next[(x + 1 - dir) * 3 + ch] += e[ch] * 3;
                  next[(x + 1) * 3 + ch] += e[ch] * 5;
                  next[(x + 1 + dir) * 3 + ch] += e[ch] * 1;
                }
            }
        }
    }
}

static gboolean
liq_failed (GError **error, const char *path, const char *what, liq_error err)
{
  g_set_error (error, INK_ERROR, err == LIQ_OUT_OF_MEMORY ? INK_ERROR_TOO_LARGE : INK_ERROR_FAILED,
               "%s: %s failed (libimagequant error %d)", path, what, (int) err);
  return FALSE;
}

/* One palette for the whole loop, from an even subsample of every frame. */
static liq_result *
gif_palette (Job *job, liq_attr *attr, GError **error)
{
  liq_histogram *hist = liq_histogram_create (attr);
  gsize pixels = (gsize) job->width * job->height;
  int step = pixels > HISTOGRAM_PIXELS ? (int) ceil (sqrt ((double) pixels / HISTOGRAM_PIXELS)) : 1;
  int sw = (job->width + step - 1) / step, sh = (job->height + step - 1) / step;
  g_autofree guint32 *small = step > 1 ? g_new (guint32, (gsize) sw * sh) : NULL;
  liq_result *result = NULL;
  liq_error err;

  for (int i = 0; i < job->n; i++)
    {
      /* Frame 0 is rendered ahead for the mapping pass that follows. */
      const guint32 *frame = job_frame (job, i, (i + 1) % job->n, TRUE, error);
      liq_image *image;
      if (frame == NULL)
        goto out;
      if (step > 1)
        {
          for (int y = 0; y < sh; y++)
            for (int x = 0; x < sw; x++)
              small[(gsize) y * sw + x] = frame[(gsize) (y * step) * job->width + x * step];
          frame = small;
        }
      image = liq_image_create_rgba (attr, frame, step > 1 ? sw : job->width,
                                     step > 1 ? sh : job->height, 0);
      if (image == NULL)
        {
          liq_failed (error, job->path, "reading a frame", LIQ_OUT_OF_MEMORY);
          goto out;
        }
      err = liq_histogram_add_image (hist, attr, image);
      liq_image_destroy (image);
      if (err != LIQ_OK)
        {
          liq_failed (error, job->path, "counting colours", err);
          goto out;
        }
      job_step (job);
    }
  err = liq_histogram_quantize (hist, attr, &result);
  if (err != LIQ_OK)
    liq_failed (error, job->path, "choosing the palette", err);
out:
  liq_histogram_destroy (hist);
  return result;
}

static gboolean
write_gif (Job *job, const char *tmp_path, const InkExportParams *params, int colors,
           int quality, InkExportResult *result, GError **error)
{
  Output o = { .path = job->path };
  liq_attr *attr = liq_attr_create ();
  liq_result *quant = NULL;
  const liq_palette *palette;
  Nearest near = { 0 };
  AVDictionary *mux_opts = NULL;
  g_autofree guint32 *prev = NULL;
  double fps = MIN (job->motion->fps, GIF_MAX_FPS);
  gint64 t_start, t_remap = 0, t_encode = 0, t0;
  gint64 total_cs = llround (job->n * 100.0 / fps), last_cs = 0;
  gsize pixels = (gsize) job->width * job->height;
  gboolean ok = FALSE;
  int written = 0;

  job->total = job->done + 2.0 * job->n;
  /* One entry is kept transparent: FFmpeg's encoder then leaves unchanged pixels out of each
   * frame ("transdiff"), which is most of a loop. */
  liq_set_max_colors (attr, colors - 1);
  liq_set_quality (attr, 0, quality);
  liq_set_speed (attr, 3);   /* speed 1 measured no better on these frames, and slower */
  t_start = g_get_monotonic_time ();
  quant = gif_palette (job, attr, error);
  if (quant == NULL)
    goto out;
  g_debug ("gif: palette %.0f ms", (g_get_monotonic_time () - t_start) / 1000.0);
  palette = liq_get_palette (quant);

  if (!output_new (&o, "gif", tmp_path, AV_CODEC_ID_GIF, NULL, job->width, job->height,
                   AV_PIX_FMT_PAL8, (AVRational) { 1, 100 }, (AVRational) { 0, 1 }, error))
    goto out;
  prev = g_try_malloc (pixels * 4);
  near.palette = palette;
  near.n = palette->count;
  near.lut = g_try_malloc (sizeof (gint16) * LUT_SIZE);
  if (prev == NULL || near.lut == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      goto out;
    }
  memset (near.lut, 0xff, sizeof (gint16) * LUT_SIZE);
  av_dict_set (&mux_opts, "loop", "0", 0);     /* forever */
  if (!output_open (&o, NULL, &mux_opts, error))
    goto out;

  for (int i = 0; i < job->n; i++)
    {
      const guint32 *frame = job_frame (job, i, i + 1 < job->n ? i + 1 : -1, TRUE, error);
      /* Delays in centiseconds are rounded on the running total (24 fps: 4, 4, 5, ...), so
         the loop lasts exactly N / FPS; equal neighbours merge into one longer frame. */
      gint64 pts = llround (i * 100.0 / fps);
      if (frame == NULL)
        goto out;
      job_step (job);
      /* A frame equal to the one before only lengthens that one's delay. */
      if (written > 0 && memcmp (frame, prev, pixels * 4) == 0)
        continue;
      memcpy (prev, frame, pixels * 4);
      if (output_frame (&o, error) == NULL)
        goto out;
      {
        guint32 *pal = (guint32 *) o.frame->data[1];
        for (int c = 0; c < 256; c++)
          {
            const liq_color *e = &palette->entries[MIN (c, (int) palette->count - 1)];
            pal[c] = c < (int) palette->count
                       ? (guint32) 0xffu << 24 | (guint32) e->r << 16 | (guint32) e->g << 8 | e->b
                       : 0;
          }
      }
      t0 = g_get_monotonic_time ();
      remap_frame (&near, frame, job->width, job->height, params->dither, o.frame->data[0],
                   o.frame->linesize[0]);
      o.frame->pts = pts;
      last_cs = pts;
      t_remap += g_get_monotonic_time () - t0;
      t0 = g_get_monotonic_time ();
      if (!output_send (&o, o.frame, error))
        goto out;
      t_encode += g_get_monotonic_time () - t0;
      written++;
    }
  /* The last frame lasts what is left of the loop. The gif muxer reads final_delay when it
   * writes the last frame, at the trailer. */
  av_opt_set_int (o.fmt->priv_data, "final_delay", MAX (1, total_cs - last_cs), 0);
  if (!output_finish (&o, error))
    goto out;
  g_debug ("gif: mapping %.0f ms, encoding %.0f ms, all %.0f ms", t_remap / 1000.0,
           t_encode / 1000.0, (g_get_monotonic_time () - t_start) / 1000.0);
  result->colors = palette->count;
  result->frames = written;
  ok = TRUE;
out:
  av_dict_free (&mux_opts);
  output_free (&o);
  g_free (near.lut);
  if (quant != NULL)
    liq_result_destroy (quant);
  liq_attr_destroy (attr);
  return ok;
}

/* APNG and animated WebP: RGBA frames at the loop's rate ---------------------------------------- */

static gboolean
write_apng (Job *job, const char *tmp_path, InkExportResult *result, GError **error)
{
  Output o = { .path = job->path };
  AVDictionary *mux_opts = NULL, *enc_opts = NULL;
  AVRational tick = frame_duration (job->motion->fps);
  gsize pixels = (gsize) job->width * job->height;
  g_autofree guint32 *prev = g_try_malloc (pixels * 4);
  gboolean ok = FALSE;
  int written = 0, last = 0;

  job->total = job->done + job->n;
  if (prev == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      return FALSE;
    }
  /* rgba: with rgb24 the encoder picks "dispose to background", which other decoders show as
   * transparent. */
  if (!output_new (&o, "apng", tmp_path, AV_CODEC_ID_APNG, NULL, job->width, job->height,
                   AV_PIX_FMT_RGBA, tick, av_inv_q (tick), error))
    goto out;
  /* The encoder's default prediction (none): paeth was 3% smaller and 1.7x slower. */
  av_dict_set (&mux_opts, "plays", "0", 0);   /* forever; the muxer's default plays once */
  if (!output_open (&o, &enc_opts, &mux_opts, error))
    goto out;
  for (int i = 0; i < job->n; i++)
    {
      const guint32 *frame = job_frame (job, i, i + 1 < job->n ? i + 1 : -1, FALSE, error);
      if (frame == NULL)
        goto out;
      job_step (job);
      if (written > 0 && memcmp (frame, prev, pixels * 4) == 0)
        continue;   /* lengthens the frame before */
      memcpy (prev, frame, pixels * 4);
      if (output_frame (&o, error) == NULL)
        goto out;
      for (int y = 0; y < job->height; y++)
        memcpy (o.frame->data[0] + (gsize) y * o.frame->linesize[0], frame + (gsize) y * job->width,
                (gsize) job->width * 4);
      o.frame->pts = last = i;
      if (!output_send (&o, o.frame, error))
        goto out;
      written++;
    }
  /* The last frame lasts to the end of the loop (the muxer reads this at the trailer). */
  av_opt_set_q (o.fmt->priv_data, "final_delay", av_mul_q (tick, av_make_q (job->n - last, 1)), 0);
  if (!output_finish (&o, error))
    goto out;
  result->frames = written;
  ok = TRUE;
out:
  av_dict_free (&enc_opts);
  av_dict_free (&mux_opts);
  output_free (&o);
  return ok;
}

static gboolean
write_webp (Job *job, const char *tmp_path, int quality, InkExportResult *result, GError **error)
{
  Output o = { .path = job->path };
  AVDictionary *mux_opts = NULL, *enc_opts = NULL;
  AVRational tick = frame_duration (job->motion->fps);
  gboolean ok = FALSE;

  job->total = job->done + job->n;
  if (!output_new (&o, "webp", tmp_path, AV_CODEC_ID_NONE, "libwebp_anim", job->width,
                   job->height, AV_PIX_FMT_BGRA, tick, av_inv_q (tick), error))
    goto out;
  av_dict_set_int (&enc_opts, "quality", quality, 0);
  av_dict_set (&enc_opts, "preset", "drawing", 0);
  av_dict_set (&mux_opts, "loop", "0", 0);    /* forever */
  if (!output_open (&o, &enc_opts, &mux_opts, error))
    goto out;
  /* libwebp merges equal neighbours itself and gives the last frame one tick. */
  for (int i = 0; i < job->n; i++)
    {
      const guint32 *frame = job_frame (job, i, i + 1 < job->n ? i + 1 : -1, FALSE, error);
      if (frame == NULL)
        goto out;
      job_step (job);
      if (output_frame (&o, error) == NULL)
        goto out;
      for (int y = 0; y < job->height; y++)
        {
          const guint32 *src = frame + (gsize) y * job->width;
          guint32 *dst = (guint32 *) (o.frame->data[0] + (gsize) y * o.frame->linesize[0]);
          for (int x = 0; x < job->width; x++)   /* R G B A bytes to B G R A */
            dst[x] = (src[x] & 0xff00ff00u) | (src[x] >> 16 & 0xff) | (src[x] & 0xff) << 16;
        }
      o.frame->pts = i;
      if (!output_send (&o, o.frame, error))
        goto out;
    }
  if (!output_finish (&o, error))
    goto out;
  result->frames = job->n;
  ok = TRUE;
out:
  av_dict_free (&enc_opts);
  av_dict_free (&mux_opts);
  output_free (&o);
  return ok;
}

/* MP4 ---------------------------------------------------------------------------------------- */

static gboolean
write_mp4 (Job *job, const char *tmp_path, const InkExportParams *params, int quality,
           InkExportResult *result, GError **error)
{
  Output o = { .path = job->path };
  AVDictionary *mux_opts = NULL, *enc_opts = NULL;
  AVRational tick = frame_duration (job->motion->fps);
  /* yuv420p needs even sides: an odd one is padded by repeating the last row or column. */
  int w = (job->width + 1) & ~1, h = (job->height + 1) & ~1;
  g_autofree guint32 *padded = NULL;
  struct SwsContext *sws = NULL;
  gboolean ok = FALSE;
  int crf = (int) lrint (51.0 * (100 - quality) / 100.0);

  job->total = job->done + (double) job->n * params->repeat;
  if (w != job->width || h != job->height)
    padded = g_try_malloc ((gsize) w * h * 4);
  if (!output_new (&o, "mp4", tmp_path, AV_CODEC_ID_NONE, "libx264", w, h, AV_PIX_FMT_YUV420P,
                   tick, av_inv_q (tick), error))
    goto out;
  o.enc->sample_aspect_ratio = (AVRational) { 1, 1 };
  /* BT.709, limited range, and tagged so: untagged video is read as BT.601 and washes out. */
  o.enc->color_primaries = AVCOL_PRI_BT709;
  o.enc->color_trc = AVCOL_TRC_BT709;
  o.enc->colorspace = AVCOL_SPC_BT709;
  o.enc->color_range = AVCOL_RANGE_MPEG;
  av_dict_set_int (&enc_opts, "crf", crf, 0);
  av_dict_set (&enc_opts, "preset", "medium", 0);
  /* x264 keeps rc-lookahead frames (40 by default) in flight: 1.3 GB at 3840x2160. Large frames
     look less far ahead, so memory stays flat; 1080p keeps the default. */
  av_dict_set_int (&enc_opts, "rc-lookahead",
                   CLAMP ((gint64) (40.0 * 1920 * 1080 / ((double) w * h)), 10, 40), 0);
  /* Above 4 megapixels, slices instead of frame threads: another 150 MB less at 3840x2160. */
  if ((gsize) w * h > 4000000)
    av_dict_set (&enc_opts, "x264-params", "sliced-threads=1", 0);
  av_dict_set (&mux_opts, "movflags", "+faststart", 0);   /* moov first: plays while loading */
  if (!output_open (&o, &enc_opts, &mux_opts, error))
    goto out;
  o.frame->color_primaries = AVCOL_PRI_BT709;
  o.frame->color_trc = AVCOL_TRC_BT709;
  o.frame->colorspace = AVCOL_SPC_BT709;
  o.frame->color_range = AVCOL_RANGE_MPEG;
  sws = sws_getContext (w, h, AV_PIX_FMT_RGBA, w, h, AV_PIX_FMT_YUV420P,
                        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
  if (sws == NULL || (padded == NULL && (w != job->width || h != job->height)))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      goto out;
    }
  sws_setColorspaceDetails (sws, sws_getCoefficients (SWS_CS_ITU709), 1,
                            sws_getCoefficients (SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16);
  for (int r = 0, pts = 0; r < params->repeat; r++)
    for (int i = 0; i < job->n; i++, pts++)
      {
        gboolean last = r + 1 == params->repeat && i + 1 == job->n;
        const guint32 *frame = job_frame (job, i, last ? -1 : (i + 1) % job->n, TRUE, error);
        const guint8 *src[1];
        int stride[1] = { w * 4 };
        if (frame == NULL)
          goto out;
        job_step (job);
        if (padded != NULL)
          {
            for (int y = 0; y < h; y++)
              {
                const guint32 *row = frame + (gsize) MIN (y, job->height - 1) * job->width;
                memcpy (padded + (gsize) y * w, row, (gsize) job->width * 4);
                if (w > job->width)
                  padded[(gsize) y * w + w - 1] = row[job->width - 1];
              }
            frame = padded;
          }
        src[0] = (const guint8 *) frame;
        if (output_frame (&o, error) == NULL)
          goto out;
        sws_scale (sws, src, stride, 0, h, o.frame->data, o.frame->linesize);
        o.frame->pts = pts;
        if (!output_send (&o, o.frame, error))
          goto out;
      }
  if (!output_finish (&o, error))
    goto out;
  result->frames = job->n * params->repeat;
  ok = TRUE;
out:
  sws_freeContext (sws);
  av_dict_free (&enc_opts);
  av_dict_free (&mux_opts);
  output_free (&o);
  return ok;
}

/* PNG frames --------------------------------------------------------------------------------- */

/* For file systems without RENAME_EXCHANGE: the old folder aside, the new one in, the old one
 * removed. DIR is missing for that instant, never mixed. With the partial lock held. */
static gboolean
swap_frames_without_exchange (const char *tmp, const char *dir, int *errsv)
{
  g_autofree char *aside = ink_partial_template (dir);
  gboolean ok = FALSE;

  if (g_mkdtemp (aside) == NULL)
    {
      *errsv = errno;
      return FALSE;
    }
  ink_partial_register (aside, TRUE);
  if (g_rename (dir, aside) != 0)
    *errsv = errno;
  else if (g_rename (tmp, dir) != 0)
    {
      *errsv = errno;
      (void) g_rename (aside, dir);   /* the old frames back */
    }
  else
    {
      /* TMP is now free: leave the old frames there for the caller to remove. */
      ok = g_rename (aside, tmp) == 0;
      if (!ok)
        *errsv = errno;
    }
  ink_remove_tree (aside, NULL);
  ink_partial_unregister (aside);
  return ok;
}

/* Puts the frames in TMP at DIR whole: a rename when DIR is new, else an exchange of the two
 * folders (the old frames then go with TMP), so DIR holds all old or all new frames, never a mix. */
static gboolean
publish_frames (const char *tmp, const char *dir, GError **error)
{
  gboolean ok = TRUE;
  int errsv = 0;

  ink_partial_lock ();
  if (!g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      if (g_rename (tmp, dir) == 0)
        ink_partial_unregister (tmp);
      else
        ok = FALSE, errsv = errno;
    }
  else if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) != 0)
    {
      errsv = errno;
      ok = errsv == EINVAL || errsv == ENOSYS || errsv == ENOTSUP;
      if (ok)
        ok = swap_frames_without_exchange (tmp, dir, &errsv);
    }
  ink_partial_unlock ();
  if (!ok)
    {
      ink_set_write_error (error, dir, errsv);
      return FALSE;
    }
  /* After an exchange TMP holds the old frames. */
  ink_remove_tree (tmp, NULL);
  ink_partial_unregister (tmp);
  return TRUE;
}

static gboolean
write_frames (Job *job, const char *dir, InkExportResult *result, GError **error)
{
  g_autofree char *trimmed = g_strdup (dir);
  g_autofree char *tmp = NULL;
  g_autoptr (GError) local = NULL;
  gboolean ok = FALSE;

  job->total = job->done + job->n;
  while (strlen (trimmed) > 1 && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  /* Partial folders that a killed run left for this target go first. */
  ink_partial_sweep (trimmed);
  tmp = ink_partial_template (trimmed);
  ink_partial_lock ();
  if (g_mkdtemp (tmp) == NULL)
    {
      int errsv = errno;
      ink_partial_unlock ();
      ink_set_write_error (error, trimmed, errsv);
      return FALSE;
    }
  ink_partial_register (tmp, TRUE);
  ink_partial_unlock ();
  g_chmod (tmp, 0755);   /* a new folder's usual mode, not mkdtemp's private 0700 */
  for (int i = 0; i < job->n; i++)
    {
      g_autofree char *name = g_strdup_printf ("frame-%04d.png", i + 1);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      const guint32 *frame = job_frame (job, i, i + 1 < job->n ? i + 1 : -1, FALSE, error);
      InkImage *image;
      GStatBuf st;
      if (frame == NULL)
        goto out;
      image = ink_image_from_rgba8 (frame, job->width, job->height, job->has_alpha);
      ok = ink_image_save_png (image, path, &local);
      ink_image_free (&image);
      if (!ok)
        {
          /* Name the frame where the user will look for it, not in the temporary folder. */
          g_autofree char *shown = g_build_filename (trimmed, name, NULL);
          const char *reason = g_str_has_prefix (local->message, path)
                                 ? local->message + strlen (path) : local->message;
          g_set_error (error, local->domain, local->code, "%s%s", shown, reason);
          goto out;
        }
      ok = FALSE;
      if (g_stat (path, &st) == 0)
        result->bytes += st.st_size;
      job_step (job);
    }
  if (g_cancellable_set_error_if_cancelled (job->cancellable, error)
      || !publish_frames (tmp, trimmed, error))
    goto out;
  result->frames = job->n;
  ok = TRUE;
out:
  if (!ok)
    {
      ink_remove_tree (tmp, NULL);
      ink_partial_unregister (tmp);
    }
  return ok;
}

/* The export ------------------------------------------------------------------------------------ */

static int
default_quality (InkExportFormat format)
{
  return format == INK_FORMAT_GIF ? 100 : format == INK_FORMAT_WEBP ? 85 : 65;
}

/* One encoding of the loop at the job's size into a temporary file beside PATH; kept as PATH
 * when it fits MAX_BYTES (0: always), else removed and *TOO_BIG set. */
static gboolean
encode_once (Job *job, const InkExportParams *params, int colors, int quality, gint64 max_bytes,
             InkExportResult *result, gboolean *too_big, GError **error)
{
  InkAtomicFile *file = ink_atomic_file_open (job->path, error);
  const char *tmp;
  gboolean ok;
  GStatBuf st;

  *too_big = FALSE;
  if (file == NULL)
    return FALSE;
  tmp = ink_atomic_file_temp_path (file);
  switch (params->format)
    {
    case INK_FORMAT_GIF:
      ok = write_gif (job, tmp, params, colors, quality, result, error);
      break;
    case INK_FORMAT_APNG:
      ok = write_apng (job, tmp, result, error);
      break;
    case INK_FORMAT_MP4:
      ok = write_mp4 (job, tmp, params, quality, result, error);
      break;
    case INK_FORMAT_WEBP:
      ok = write_webp (job, tmp, quality, result, error);
      break;
    case INK_FORMAT_PNG_FRAMES:
    case INK_FORMAT_COUNT:
    default:
      g_assert_not_reached ();
    }
  if (ok && g_stat (tmp, &st) != 0)
    {
      ink_set_write_error (error, job->path, errno);
      ok = FALSE;
    }
  if (!ok || g_cancellable_set_error_if_cancelled (job->cancellable, error))
    {
      ink_atomic_file_abort (&file);
      return FALSE;
    }
  result->bytes = st.st_size;
  if (max_bytes > 0 && st.st_size > max_bytes)
    {
      *too_big = TRUE;
      ink_atomic_file_abort (&file);
      return TRUE;
    }
  return ink_atomic_file_commit (&file, error);
}

static char *
format_bytes (gint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

gboolean
ink_export (InkStylizer *stylizer, const InkImage *source, const InkStyleParams *style,
            const InkMotionParams *motion, const InkMotionHints *hints, const char *path,
            const InkExportParams *params, InkExportProgress progress, gpointer user_data,
            GCancellable *cancellable, InkExportResult *result, GError **error)
{
  Job job = {
    .stylizer = stylizer, .source = source, .style = style, .motion = motion, .hints = hints,
    .path = path, .progress = progress, .user_data = user_data, .cancellable = cancellable,
  };
  InkExportResult local = { 0 };
  g_autoptr (GString) reduced = g_string_new (NULL);
  int long_edge, colors, quality;
  gboolean ok = FALSE, too_big = FALSE;
  gint64 t0 = g_get_monotonic_time ();

  g_return_val_if_fail (stylizer != NULL && source != NULL && style != NULL && motion != NULL
                          && path != NULL && params != NULL, FALSE);
  if (result == NULL)
    result = &local;
  memset (result, 0, sizeof *result);
  ink_ffmpeg_init_logging ();
  if (!ink_export_params_validate (params, error) || !ink_style_params_validate (style, error)
      || !ink_motion_params_validate (motion, error)
      || (hints != NULL && !ink_motion_hints_validate (hints, error)))
    return FALSE;

  long_edge = params->long_edge > 0 ? params->long_edge : MAX (source->width, source->height);
  /* Everything that can be known before the work: where the output goes, the format's limits. */
  if (!ink_output_check (path, params->format == INK_FORMAT_PNG_FRAMES, NULL, error))
    return FALSE;
  if (long_edge > ink_export_format_max_side (params->format))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: %s frames can be at most %d px on a side, and this loop's long edge "
                   "would be %d px; choose a size of %d px or less", path,
                   format_labels[params->format], ink_export_format_max_side (params->format),
                   long_edge, ink_export_format_max_side (params->format));
      return FALSE;
    }
  colors = params->colors;
  quality = params->quality >= 0 ? params->quality : default_quality (params->format);
  if (!job_set_size (&job, long_edge, error))
    goto out;

  if (params->format == INK_FORMAT_PNG_FRAMES)
    ok = write_frames (&job, path, result, error);
  else
    for (int attempt = 0;; attempt++)
      {
        if (!encode_once (&job, params, colors, quality, params->max_bytes, result, &too_big,
                          error))
          goto out;
        if (!too_big)
          {
            ok = TRUE;
            break;
          }
        /* Too big: fewer colours (GIF) or a lower quality (WebP) first, then a smaller size. */
        if (params->format == INK_FORMAT_GIF && colors > 64)
          colors = MAX (64, colors / 2);
        else if (params->format == INK_FORMAT_WEBP && quality > 50)
          quality = MAX (50, quality - 15);
        else
          {
            int next = (int) (MAX (job.width, job.height) * 0.8);
            if (next < 64 || attempt + 1 >= MAX_ATTEMPTS)
              {
                g_autofree char *limit = format_bytes (params->max_bytes);
                g_autofree char *got = format_bytes (result->bytes);
                g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                             "%s: cannot fit the loop under %s (still %s at %dx%d); raise the "
                             "limit, or use fewer frames", path, limit, got, job.width, job.height);
                goto out;
              }
            if (!job_set_size (&job, next, error))
              goto out;
          }
      }

  result->width = job.width;
  result->height = job.height;
  result->duration_s = job.n / (double) motion->fps
                       * (params->format == INK_FORMAT_MP4 ? params->repeat : 1);
  result->seconds = (g_get_monotonic_time () - t0) / 1e6;
  if (params->format == INK_FORMAT_GIF)
    g_string_append_printf (reduced, ", %d colours", result->colors);
  if (colors != params->colors || quality != (params->quality >= 0 ? params->quality
                                                                   : default_quality (params->format))
      || long_edge != MAX (job.width, job.height))
    {
      g_autofree char *limit = format_bytes (params->max_bytes);
      g_string_append_printf (reduced, "; reduced to fit %s:", limit);
      if (params->format == INK_FORMAT_GIF && colors != params->colors)
        g_string_append_printf (reduced, " at most %d colours (from %d)", colors, params->colors);
      if (params->format == INK_FORMAT_WEBP && params->quality != quality)
        g_string_append_printf (reduced, " quality %d,", quality);
      if (long_edge != MAX (job.width, job.height))
        g_string_append_printf (reduced, "%s %dx%d px (from a %d px long edge)",
                                colors != params->colors ? "," : "", job.width,
                                job.height, long_edge);
    }
  {
    g_autofree char *size = format_bytes (result->bytes);
    result->summary = g_strdup_printf ("%s: %s, %dx%d, %d frames, %.2f s%s", path, size,
                                       result->width, result->height, result->frames,
                                       result->duration_s, reduced->str);
  }
  if (progress != NULL)
    progress (1.0, user_data);
out:
  job_clear_size (&job);
  if (result == &local)
    ink_export_result_clear (&local);
  return ok;
}
