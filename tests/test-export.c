/* test-export.c: every export format decoded again (libavformat, libwebp's demuxer) against the frames before encoding, and every failure leaves nothing behind. */
/* Over 600 lines on purpose: one program per exporter, its cases sharing the decoders that read
 * each format back; sections by format. */
#include "ink-config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <zlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
#include <webp/demux.h>

#include "animate.h"
#include "export.h"
#include "gif-write-private.h"
#include "ink-error.h"
#include "stylize.h"
#include "test-common.h"

static InkStylizer *stylizer;
static InkImage *photo;            /* the sample at 160 px: 160x107 */
static InkImage *patches;          /* four flat colours, 120x90 */
static char *tmpdir;

static InkStylizer *
get_stylizer (void)
{
  g_autoptr (GError) error = NULL;

  if (stylizer == NULL)
    {
      stylizer = ink_stylizer_new (test_open_device (), &error);
      g_assert_no_error (error);
    }
  return stylizer;
}

static InkMotionParams
test_motion (void)
{
  InkMotionParams m = INK_MOTION_PARAMS_DEFAULT;
  m.frames = 8;
  m.fps = 12.0f;
  m.hold = 1;
  return m;
}

/* The frames the export encodes with HINTS, rendered directly (R G B A bytes per pixel). */
static guint32 **
reference_frames_hinted (const InkImage *source, const InkMotionParams *motion,
                         const InkMotionHints *hints, int *w, int *h)
{
  g_autoptr (GError) error = NULL;
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkAnimation *a = ink_animation_new (get_stylizer (), source, &style, motion, hints, NULL,
                                       &error);
  guint32 **frames = g_new0 (guint32 *, motion->frames);

  g_assert_no_error (error);
  *w = source->width, *h = source->height;
  for (int i = 0; i < motion->frames; i++)
    {
      frames[i] = g_new (guint32, (gsize) *w * *h);
      g_assert_true (ink_animation_render_rgba8 (a, i, frames[i], NULL, &error));
      g_assert_no_error (error);
    }
  ink_animation_free (&a);
  return frames;
}

static guint32 **
reference_frames (const InkImage *source, const InkMotionParams *motion, int *w, int *h)
{
  return reference_frames_hinted (source, motion, NULL, w, h);
}

static void
frames_free (guint32 **frames, int n)
{
  for (int i = 0; i < n; i++)
    g_free (frames[i]);
  g_free (frames);
}

/* Over white, as GIF and MP4 show it. */
static guint32
over_white (guint32 v)
{
  guint32 a = v >> 24, out = 0xff000000u;
  for (int c = 0; c < 24; c += 8)
    out |= (((v >> c & 0xff) * a + 255 * (255 - a) + 127) / 255) << c;
  return out;
}

/* PSNR over R, G, B of two RGBA8 frames (A of the second ignored; the first flattened). */
static double
psnr_rgb (const guint32 *ref, const guint32 *got, int w, int h, gboolean flatten)
{
  double sse = 0.0;
  gsize n = (gsize) w * h;

  for (gsize i = 0; i < n; i++)
    {
      guint32 a = flatten ? over_white (ref[i]) : ref[i], b = got[i];
      for (int c = 0; c < 24; c += 8)
        {
          double d = (double) (a >> c & 0xff) - (double) (b >> c & 0xff);
          sse += d * d;
        }
    }
  return sse == 0.0 ? INFINITY : 10.0 * log10 (255.0 * 255.0 * 3 * n / sse);
}

typedef struct {
  char codec[32];
  int width, height;
  int n;
  guint32 **frames;         /* RGBA8 */
  gint64 *pts_ms, *dur_ms;  /* per frame, from the container */
  enum AVPixelFormat pix_fmt;
  enum AVColorPrimaries primaries;
  enum AVColorTransferCharacteristic trc;
  enum AVColorSpace colorspace;
  enum AVColorRange range;
} Decoded;

static void
decoded_clear (Decoded *d)
{
  frames_free (d->frames, d->n);
  g_free (d->pts_ms);
  g_free (d->dur_ms);
}

/* Decodes PATH with libavformat + libavcodec; YUV is read as BT.709 limited range. */
static Decoded
decode_file (const char *path)
{
  Decoded d = { 0 };
  AVFormatContext *fmt = NULL;
  AVCodecContext *dec;
  AVPacket *pkt = av_packet_alloc ();
  AVFrame *frame = av_frame_alloc ();
  struct SwsContext *sws = NULL;
  GPtrArray *frames = g_ptr_array_new ();
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *dur = g_array_new (FALSE, FALSE, sizeof (gint64));
  AVStream *st;
  int err;

  g_assert_cmpint (avformat_open_input (&fmt, path, NULL, NULL), ==, 0);
  g_assert_cmpint (avformat_find_stream_info (fmt, NULL), >=, 0);
  g_assert_cmpint (fmt->nb_streams, ==, 1);
  st = fmt->streams[0];
  dec = avcodec_alloc_context3 (avcodec_find_decoder (st->codecpar->codec_id));
  avcodec_parameters_to_context (dec, st->codecpar);
  g_assert_cmpint (avcodec_open2 (dec, dec->codec, NULL), ==, 0);
  g_strlcpy (d.codec, avcodec_get_name (st->codecpar->codec_id), sizeof d.codec);
  d.width = st->codecpar->width, d.height = st->codecpar->height;
  d.pix_fmt = st->codecpar->format;
  d.primaries = st->codecpar->color_primaries;
  d.trc = st->codecpar->color_trc;
  d.colorspace = st->codecpar->color_space;
  d.range = st->codecpar->color_range;

  for (gboolean eof = FALSE; !eof;)
    {
      err = av_read_frame (fmt, pkt);
      if (err == AVERROR_EOF)
        {
          eof = TRUE;
          avcodec_send_packet (dec, NULL);
        }
      else
        {
          g_assert_cmpint (err, ==, 0);
          g_array_append_val (pts, (gint64) { av_rescale_q (pkt->pts, st->time_base, (AVRational) { 1, 1000 }) });
          g_array_append_val (dur, (gint64) { av_rescale_q (pkt->duration, st->time_base, (AVRational) { 1, 1000 }) });
          g_assert_cmpint (avcodec_send_packet (dec, pkt), ==, 0);
          av_packet_unref (pkt);
        }
      while (avcodec_receive_frame (dec, frame) == 0)
        {
          guint32 *rgba = g_new (guint32, (gsize) d.width * d.height);
          uint8_t *dst[1] = { (uint8_t *) rgba };
          int stride[1] = { d.width * 4 };
          if (sws == NULL)
            {
              sws = sws_getContext (frame->width, frame->height, frame->format, d.width, d.height,
                                    AV_PIX_FMT_RGBA, SWS_POINT | SWS_ACCURATE_RND, NULL, NULL, NULL);
              sws_setColorspaceDetails (sws, sws_getCoefficients (SWS_CS_ITU709), 0,
                                        sws_getCoefficients (SWS_CS_ITU709), 1, 0, 1 << 16, 1 << 16);
            }
          sws_scale (sws, (const uint8_t *const *) frame->data, frame->linesize, 0, frame->height,
                     dst, stride);
          g_ptr_array_add (frames, rgba);
        }
    }
  d.n = frames->len;
  d.frames = (guint32 **) g_ptr_array_free (frames, FALSE);
  d.pts_ms = (gint64 *) g_array_free (pts, FALSE);
  d.dur_ms = (gint64 *) g_array_free (dur, FALSE);
  sws_freeContext (sws);
  av_frame_free (&frame);
  av_packet_free (&pkt);
  avcodec_free_context (&dec);
  avformat_close_input (&fmt);
  return d;
}

static GBytes *
read_bytes (const char *path)
{
  char *data;
  gsize size;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  return g_bytes_new_take (data, size);
}

static char *
export_hinted_ok (const InkImage *source, const InkMotionParams *motion,
                  const InkMotionHints *hints, const char *name, const InkExportParams *params,
                  InkExportResult *result)
{
  g_autoptr (GError) error = NULL;
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (ink_export (get_stylizer (), source, &style, motion, hints, path, params, NULL,
                             NULL, NULL, result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (result->summary);
  return path;
}

static char *
export_ok (const InkImage *source, const InkMotionParams *motion, const char *name,
           const InkExportParams *params, InkExportResult *result)
{
  return export_hinted_ok (source, motion, NULL, name, params, result);
}

/* Only the names given are in the test folder: no temporary file or folder is left. */
static void
assert_folder_holds (const char *const *names)
{
  GDir *dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gboolean expected = FALSE;
      for (int i = 0; names != NULL && names[i] != NULL; i++)
        expected |= g_str_equal (names[i], name);
      if (!expected)
        g_error ("unexpected '%s' left in the output folder", name);
    }
  g_dir_close (dir);
}

static void
remove_in_tmpdir (const char *name)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_remove (path);
}

/* GIF: one palette, every frame, forever, centisecond delays summing to the loop, and a PSNR
 * that a 256-colour palette reaches on cel-shaded frames (their few flat colours plus line
 * anti-aliasing): 30 dB with error diffusion, where FFmpeg's fixed palette gives about 22. */
static void
test_gif (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkExportResult r = { 0 };
  int w, h;
  guint32 **ref;
  g_autofree char *path = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *data;
  gsize size;
  const guint8 *loop;
  Decoded d;

  m.fps = 24.0f;   /* 4.1667 cs a frame: delays must be rounded on the running total */
  ref = reference_frames (photo, &m, &w, &h);
  path = export_ok (photo, &m, "loop.gif", &p, &r);
  d = decode_file (path);
  g_assert_cmpstr (d.codec, ==, "gif");
  g_assert_cmpint (d.width, ==, w);
  g_assert_cmpint (d.height, ==, h);
  g_assert_cmpint (d.n, ==, m.frames);
  g_assert_cmpint (r.frames, ==, m.frames);
  g_assert_cmpint (r.colors, >=, 16);
  for (int i = 0; i < d.n; i++)
    {
      double psnr = psnr_rgb (ref[i], d.frames[i], w, h, TRUE);
      g_test_message ("gif frame %d: %.1f dB, delay %" G_GINT64_FORMAT " ms", i, psnr, d.dur_ms[i]);
      g_assert_cmpfloat (psnr, >, 30.0);
    }
  /* Delays: 40 or 50 ms each, summing to 8 / 24 s = 333 ms (rounded to 330 cs-wise). */
  {
    gint64 sum = 0;
    for (int i = 0; i < d.n; i++)
      {
        g_assert_true (d.dur_ms[i] == 40 || d.dur_ms[i] == 50);
        sum += d.dur_ms[i];
      }
    g_assert_cmpint (sum, ==, 330);
  }
  /* The NETSCAPE2.0 block with a loop count of 0: forever. */
  bytes = read_bytes (path);
  data = g_bytes_get_data (bytes, &size);
  loop = memmem (data, size, "NETSCAPE2.0", 11);
  g_assert_nonnull (loop);
  g_assert_cmpint (loop[11], ==, 3);
  g_assert_cmpint (loop[12], ==, 1);
  g_assert_cmpint (loop[13] | loop[14] << 8, ==, 0);
  decoded_clear (&d);
  frames_free (ref, m.frames);
  ink_export_result_clear (&r);
  remove_in_tmpdir ("loop.gif");
  assert_folder_holds (NULL);
}

/* A picture of 128 rows or more is mapped in two bands of rows, on two threads (gif.c): every
 * frame decodes close to the frames rendered, the rows either side of the seam as well as the
 * rest. */
static void
test_gif_bands (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkExportResult r = { 0 };
  InkImage *tall = test_load_sample (320);
  g_autofree char *path = NULL;
  guint32 **ref;
  int w, h;
  Decoded d;

  ref = reference_frames (tall, &m, &w, &h);
  g_assert_cmpint (h, >=, 128);
  path = export_ok (tall, &m, "bands.gif", &p, &r);
  d = decode_file (path);
  g_assert_cmpint (d.width, ==, w);
  g_assert_cmpint (d.height, ==, h);
  g_assert_cmpint (d.n, ==, m.frames);
  for (int i = 0; i < d.n; i++)
    {
      int seam = h / 2;
      double whole = psnr_rgb (ref[i], d.frames[i], w, h, TRUE);
      double near = psnr_rgb (ref[i] + (gsize) (seam - 2) * w, d.frames[i] + (gsize) (seam - 2) * w,
                              w, 4, TRUE);
      g_test_message ("gif frame %d of %dx%d: %.1f dB, %.1f dB at the bands' seam", i, w, h,
                      whole, near);
      g_assert_cmpfloat (whole, >, 30.0);
      g_assert_cmpfloat (near, >, 30.0);
    }
  decoded_clear (&d);
  frames_free (ref, m.frames);
  ink_export_result_clear (&r);
  ink_image_free (&tall);
  remove_in_tmpdir ("bands.gif");
  assert_folder_holds (NULL);
}

/* GIF dithering modes all decode, and ordered dithering gives every frame the same pattern: a
 * still loop stays still. Frames equal to the one before merge into a longer one. */
static void
test_gif_dither (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  int w, h;
  guint32 **ref;

  ref = reference_frames (photo, &m, &w, &h);
  for (int dither = 0; dither < INK_DITHER_COUNT; dither++)
    {
      InkExportResult r = { 0 };
      g_autofree char *path = NULL;
      Decoded d;
      p.dither = dither;
      p.colors = 64;
      path = export_ok (photo, &m, "dither.gif", &p, &r);
      d = decode_file (path);
      g_assert_cmpint (d.n, ==, m.frames);
      g_assert_cmpint (r.colors, <=, 64);
      for (int i = 0; i < d.n; i++)
        g_assert_cmpfloat (psnr_rgb (ref[i], d.frames[i], w, h, TRUE), >, 25.0);
      decoded_clear (&d);
      ink_export_result_clear (&r);
    }
  /* The smallest palette: 2 colours (libimagequant refused the 1 that leaving room for the
   * transparent index asked of it, and kept 256). */
  {
    InkExportResult r = { 0 };
    g_autofree char *path = NULL;
    Decoded d;

    p.dither = INK_DITHER_NONE;
    p.colors = 2;
    path = export_ok (photo, &m, "dither.gif", &p, &r);
    d = decode_file (path);
    g_assert_cmpint (d.n, ==, m.frames);
    g_assert_cmpint (r.colors, ==, 2);
    decoded_clear (&d);
    ink_export_result_clear (&r);
  }
  /* Motion 0: every frame equal, so one frame lasting the whole loop. */
  {
    InkExportResult r = { 0 };
    g_autofree char *path = NULL;
    Decoded d;
    m.motion = 0.0f;
    p.dither = INK_DITHER_ORDERED;
    path = export_ok (photo, &m, "dither.gif", &p, &r);
    d = decode_file (path);
    g_assert_cmpint (d.n, ==, 1);
    g_assert_cmpint (d.dur_ms[0], ==, 670);   /* 8 / 12 s in centiseconds */
    decoded_clear (&d);
    ink_export_result_clear (&r);
  }
  frames_free (ref, m.frames);
  remove_in_tmpdir ("dither.gif");
}

/* Pixels that differ between frames A and B (R, G, B; the first pair flattened over white). */
static gsize
changed_pixels (const guint32 *a, const guint32 *b, gsize n, gboolean flatten)
{
  gsize changed = 0;

  for (gsize i = 0; i < n; i++)
    if (((flatten ? over_white (a[i]) ^ over_white (b[i]) : a[i] ^ b[i]) & 0xffffff) != 0)
      changed++;
  return changed;
}

/* Pixels equal between frames A and B in the first pair (flattened over white) that differ in the
 * second; *STILL: how many were equal in the first. */
static gsize
still_changed_pixels (const guint32 *a, const guint32 *b, const guint32 *got_a,
                      const guint32 *got_b, gsize n, gsize *still)
{
  gsize changed = 0;

  for (gsize i = 0; i < n; i++)
    if (((over_white (a[i]) ^ over_white (b[i])) & 0xffffff) == 0)
      {
        (*still)++;
        if (((got_a[i] ^ got_b[i]) & 0xffffff) != 0)
          changed++;
      }
  return changed;
}

/* A GIF frame rewrites only what moved: a pixel keeps its palette entry while that is nearly as
 * close as the best, so the dither's noise and sub-level changes do not rewrite the frame (the
 * GIF leaves kept pixels out). In every mode, under 45 % as many pixels change between decoded
 * frames as between the frames encoded, each frame keeps its PSNR, and no pixel that is the same
 * in two frames encoded differs between them decoded, whatever the dither carries into it. Error
 * diffusion's pattern stays put: it changes under 1 % more pixels than no dither (2.2 % more when
 * a kept pixel passed its own error on, 0.2 % now). */
/* The GIF writer alone (gif-write.c): indices in, the same colours decoded, over palettes of 1 to
 * 255 entries and pictures large enough to fill the LZW table several times; a frame that
 * changes a rectangle, one that changes nothing. With a tolerance, every pixel decodes within it
 * of as close to its true colour as its own index, and pixels whose true colour did not change
 * do not change. */
static void
test_gif_writer (void)
{
  static const int palettes[] = { 1, 2, 5, 200, 255 };
  const int w = 97, h = 61;
  gsize n = (gsize) w * h;

  for (guint t = 0; t < G_N_ELEMENTS (palettes) * 2; t++)
    {
      int colors = palettes[t / 2];
      gint64 tolerance = t % 2 ? 300 : 0;
      g_autoptr (GError) error = NULL;
      g_autoptr (GRand) rand = g_rand_new_with_seed (t + 1);
      g_autofree char *path = g_build_filename (tmpdir, "writer.gif", NULL);
      g_autofree guint8 *rgb = g_new (guint8, colors * 3);
      guint8 *idx[3];
      guint32 *want[3];
      InkGifWriter *gw;
      Decoded d;

      for (int c = 0; c < colors * 3; c++)
        rgb[c] = (guint8) g_rand_int_range (rand, 0, 256);
      for (int f = 0; f < 3; f++)
        {
          idx[f] = g_new (guint8, n);
          want[f] = g_new (guint32, n);
          for (gsize i = 0; i < n; i++)
            {
              int x = (int) (i % w), y = (int) (i / w);
              /* Frame 1 changes a rectangle of frame 0, frame 2 nothing. */
              gboolean moved = f == 1 && x >= 20 && x < 70 && y >= 10 && y < 40;
              idx[f][i] = f == 0 || moved ? (guint8) g_rand_int_range (rand, 0, colors)
                                          : idx[f - 1][i];
              /* True colours a little off the palette's, but the same where nothing moved. */
              if (f == 0 || moved)
                {
                  const guint8 *c = rgb + 3 * idx[f][i];
                  want[f][i] = 0xff000000u;
                  for (int k = 0; k < 3; k++)
                    want[f][i] |= (guint32) CLAMP (c[k] + g_rand_int_range (rand, -3, 4), 0, 255)
                                  << (8 * k);
                }
              else
                want[f][i] = want[f - 1][i];
            }
        }
      gw = ink_gif_writer_new (path, path, w, h, rgb, colors, &error);
      g_assert_no_error (error);
      for (int f = 0; f < 3; f++)
        g_assert_true (ink_gif_writer_frame (gw, idx[f], want[f], f > 0 ? want[f - 1] : NULL,
                                             tolerance, f * 10, &error));
      g_assert_true (ink_gif_writer_finish (gw, 35, &error));
      g_assert_no_error (error);
      ink_gif_writer_free (&gw);

      d = decode_file (path);
      g_assert_cmpint (d.n, ==, 3);
      g_assert_cmpint (d.width, ==, w);
      g_assert_cmpint (d.height, ==, h);
      g_assert_cmpint (d.dur_ms[0] + d.dur_ms[1] + d.dur_ms[2], ==, 350);
      for (int f = 0; f < 3; f++)
        for (gsize i = 0; i < n; i++)
          {
            const guint8 *c = rgb + 3 * idx[f][i];
            guint32 got = d.frames[f][i];
            if (tolerance == 0)
              for (int k = 0; k < 3; k++)
                g_assert_cmpuint (got >> (8 * k) & 0xff, ==, c[k]);
            else
              {
                gint64 own = 0, dec = 0;
                for (int k = 0; k < 3; k++)
                  {
                    static const int weight[3] = { 2, 4, 3 };
                    int tv = want[f][i] >> (8 * k) & 0xff;
                    own += weight[k] * (c[k] - tv) * (c[k] - tv);
                    dec += weight[k] * ((int) (got >> (8 * k) & 0xff) - tv)
                           * ((int) (got >> (8 * k) & 0xff) - tv);
                  }
                g_assert_cmpint (dec, <=, own + tolerance);
                if (f > 0 && want[f][i] == want[f - 1][i])
                  g_assert_cmpuint (got, ==, d.frames[f - 1][i]);
              }
          }
      decoded_clear (&d);
      for (int f = 0; f < 3; f++)
        g_free (idx[f]), g_free (want[f]);
      remove_in_tmpdir ("writer.gif");
    }
}

static void
test_gif_temporal (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  int w, h;
  guint32 **ref;
  gsize changed[INK_DITHER_COUNT] = { 0 };

  ref = reference_frames (photo, &m, &w, &h);
  for (int dither = 0; dither < INK_DITHER_COUNT; dither++)
    {
      InkExportResult r = { 0 };
      g_autofree char *path = NULL;
      gsize in = 0, out = 0, still = 0, still_changed = 0;
      Decoded d;

      p.dither = dither;
      path = export_ok (photo, &m, "temporal.gif", &p, &r);
      d = decode_file (path);
      g_assert_cmpint (d.n, ==, m.frames);
      for (int i = 1; i < d.n; i++)
        {
          in += changed_pixels (ref[i - 1], ref[i], (gsize) w * h, TRUE);
          out += changed_pixels (d.frames[i - 1], d.frames[i], (gsize) w * h, FALSE);
          still_changed += still_changed_pixels (ref[i - 1], ref[i], d.frames[i - 1], d.frames[i],
                                                 (gsize) w * h, &still);
          g_assert_cmpfloat (psnr_rgb (ref[i], d.frames[i], w, h, TRUE), >, 30.0);
        }
      g_test_message ("dither %s: %" G_GSIZE_FORMAT " pixels changed between encoded frames, %"
                      G_GSIZE_FORMAT " between decoded ones; %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                      " still ones changed", ink_dither_name (dither), in, out, still_changed, still);
      /* The breath leaves some pixels still from frame to frame, or this checks nothing. */
      g_assert_cmpuint (still, >, (gsize) w * h);
      g_assert_cmpuint (still_changed, ==, 0);
      changed[dither] = out;
      /* Kept entries: about a third here; choosing the nearest afresh changed 55 %. */
      g_assert_cmpfloat ((double) out, <, 0.45 * (double) in);
      decoded_clear (&d);
      ink_export_result_clear (&r);
    }
  g_assert_cmpfloat ((double) changed[INK_DITHER_DIFFUSION], <,
                    1.01 * (double) changed[INK_DITHER_NONE]);
  frames_free (ref, m.frames);
  remove_in_tmpdir ("temporal.gif");
}

/* An APNG's chunks as the specification orders them: the signature; IHDR first; every CRC
 * right; acTL before the first IDAT, its frame count that of the fcTLs and plays 0 (forever);
 * fcTL and fdAT sequence numbers 0, 1, 2 ... in file order; the first frame whole at 0,0 and
 * before IDAT, every frame inside the canvas, "leave" and "replace"; IEND last. The frames'
 * rectangles (x, y, width, height) into RECTS and their delays in ms into DELAYS_MS; the IHDR
 * colour type into COLOUR_TYPE. */
static int
apng_check_chunks (const char *path, int width, int height, int rects[][4], double *delays_ms,
                   int max_frames, int *colour_type)
{
  g_autoptr (GBytes) bytes = read_bytes (path);
  gsize size, at = 8;
  const guint8 *d = g_bytes_get_data (bytes, &size);
  guint32 sequence = 0, actl_frames = G_MAXUINT32;
  int frames = 0;
  gboolean idat = FALSE, iend = FALSE;

#define BE32(p) ((guint32) (p)[0] << 24 | (guint32) (p)[1] << 16 | (guint32) (p)[2] << 8 | (p)[3])
  g_assert_cmpmem (d, 8, "\x89PNG\r\n\x1a\n", 8);
  while (at < size)
    {
      guint32 len, crc;
      const guint8 *type, *data;

      g_assert_cmpuint (at + 12, <=, size);
      g_assert_false (iend);
      len = BE32 (d + at);
      g_assert_cmpuint (at + 12 + len, <=, size);
      type = d + at + 4, data = d + at + 8;
      crc = crc32 (crc32 (0, type, 4), data, len);
      g_assert_cmpuint (crc, ==, BE32 (data + len));
      if (at == 8)
        {
          g_assert_cmpmem (type, 4, "IHDR", 4);
          g_assert_cmpuint (BE32 (data), ==, width);
          g_assert_cmpuint (BE32 (data + 4), ==, height);
          g_assert_cmpuint (data[8], ==, 8);
          *colour_type = data[9];
        }
      else if (memcmp (type, "acTL", 4) == 0)
        {
          g_assert_false (idat);
          actl_frames = BE32 (data);
          g_assert_cmpuint (BE32 (data + 4), ==, 0);
        }
      else if (memcmp (type, "fcTL", 4) == 0)
        {
          int *r;
          g_assert_cmpuint (len, ==, 26);
          g_assert_cmpuint (BE32 (data), ==, sequence++);
          g_assert_cmpint (frames, <, max_frames);
          r = rects[frames];
          r[2] = BE32 (data + 4), r[3] = BE32 (data + 8), r[0] = BE32 (data + 12), r[1] = BE32 (data + 16);
          g_assert_cmpint (r[2], >=, 1);
          g_assert_cmpint (r[3], >=, 1);
          g_assert_cmpint (r[0] + r[2], <=, width);
          g_assert_cmpint (r[1] + r[3], <=, height);
          if (frames == 0)
            {
              g_assert_false (idat);
              g_assert_true (r[0] == 0 && r[1] == 0 && r[2] == width && r[3] == height);
            }
          g_assert_cmpuint (data[22] << 8 | data[23], >, 0);
          delays_ms[frames] = 1000.0 * (data[20] << 8 | data[21]) / (data[22] << 8 | data[23]);
          g_assert_cmpuint (data[24], ==, 0);   /* dispose_op NONE */
          g_assert_cmpuint (data[25], ==, 0);   /* blend_op SOURCE */
          frames++;
        }
      else if (memcmp (type, "fdAT", 4) == 0)
        {
          g_assert_true (idat);
          g_assert_cmpuint (BE32 (data), ==, sequence++);
        }
      else if (memcmp (type, "IDAT", 4) == 0)
        {
          g_assert_cmpuint (actl_frames, !=, G_MAXUINT32);
          g_assert_cmpint (frames, ==, 1);
          idat = TRUE;
        }
      else if (memcmp (type, "IEND", 4) == 0)
        iend = TRUE;
      at += 12 + len;
    }
#undef BE32
  g_assert_true (iend);
  g_assert_true (idat);
  g_assert_cmpuint (actl_frames, ==, frames);
  return frames;
}

/* APNG: lossless, so every frame is exact, whichever decoder: FFmpeg's here, which composes the
 * frames' rectangles. */
static void
test_apng (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkExportResult r = { 0 };
  int w, h, rects[64][4], type;
  double delays[64], total = 0.0;
  guint32 **ref = reference_frames (photo, &m, &w, &h);
  g_autofree char *path = NULL;
  Decoded d;

  p.format = INK_FORMAT_APNG;
  path = export_ok (photo, &m, "loop.apng", &p, &r);
  d = decode_file (path);
  g_assert_cmpstr (d.codec, ==, "apng");
  g_assert_cmpint (d.n, ==, m.frames);
  for (int i = 0; i < d.n; i++)
    g_assert_cmpfloat (psnr_rgb (ref[i], d.frames[i], w, h, FALSE), ==, INFINITY);
  g_assert_cmpint (apng_check_chunks (path, w, h, rects, delays, 64, &type), ==, m.frames);
  g_assert_cmpint (type, ==, 2);   /* RGB: the photo has no transparency */
  for (int i = 0; i < m.frames; i++)
    total += delays[i];
  g_assert_cmpfloat (fabs (total - 1000.0 * m.frames / m.fps), <, 1e-6);
  decoded_clear (&d);
  frames_free (ref, m.frames);
  ink_export_result_clear (&r);
  remove_in_tmpdir ("loop.apng");
}

/* A loop in which only a small part of the picture moves: no camera, no boil, one short flow
 * arrow of the least reach (into *M); its hints. */
static InkMotionHints *
small_arrow_loop (InkMotionParams *m)
{
  InkMotionHints *hints = ink_motion_hints_new ();

  *m = test_motion ();
  m->camera = INK_CAMERA_NONE;
  m->boil = 0.0f;
  ink_motion_hints_add_arrow (hints, 0.2f, 0.3f, 0.3f, 0.3f);
  g_array_index (hints->arrows, InkArrow, 0).reach = INK_ARROW_REACH_MIN;
  return hints;
}

/* Frames that change only where a short flow arrow moves the picture are stored as that
 * rectangle, and still decode exactly; a loop that does not move is one frame lasting the loop;
 * a picture with transparency is RGBA and exact in alpha too. */
static void
test_apng_rectangles (void)
{
  InkMotionParams m;
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkMotionHints *hints = small_arrow_loop (&m);
  InkImage *clear = ink_image_copy (photo);
  int w, h, rects[64][4], type, n, smaller = 0;
  double delays[64];

  p.format = INK_FORMAT_APNG;
  for (int pass = 0; pass < 3; pass++)
    {
      InkMotionParams mp = m;
      const InkImage *source = pass == 2 ? clear : photo;
      const InkMotionHints *hp = pass == 1 ? NULL : hints;
      guint32 **ref;
      g_autofree char *path = NULL;
      InkExportResult r = { 0 };
      Decoded d;

      if (pass == 1)
        mp.motion = 0.0f;
      if (pass == 2)
        {
          /* A translucent band across the middle. */
          clear->has_alpha = TRUE;
          for (int y = clear->height / 3; y < 2 * clear->height / 3; y++)
            for (int x = 0; x < clear->width; x++)
              clear->pixels[((gsize) y * clear->width + x) * 4 + 3] = 0x4000;
        }
      ref = reference_frames_hinted (source, &mp, hp, &w, &h);
      path = export_hinted_ok (source, &mp, hp, "parts.apng", &p, &r);
      n = apng_check_chunks (path, w, h, rects, delays, 64, &type);
      g_assert_cmpint (type, ==, pass == 2 ? 6 : 2);
      d = decode_file (path);
      g_assert_cmpint (d.n, ==, n);
      if (pass == 1)
        {
          /* Still: one frame, the whole loop long. */
          g_assert_cmpint (n, ==, 1);
          g_assert_cmpfloat (fabs (delays[0] - 1000.0 * m.frames / m.fps), <, 1e-6);
          g_assert_cmpmem (ref[0], (gsize) w * h * 4, d.frames[0], (gsize) w * h * 4);
        }
      else
        {
          g_assert_cmpint (n, ==, m.frames);
          for (int i = 0; i < n; i++)
            {
              g_assert_cmpmem (ref[i], (gsize) w * h * 4, d.frames[i], (gsize) w * h * 4);
              smaller += rects[i][2] * rects[i][3] < w * h / 2;
              g_test_message ("frame %d: %dx%d at %d,%d", i, rects[i][2], rects[i][3], rects[i][0], rects[i][1]);
            }
        }
      decoded_clear (&d);
      frames_free (ref, m.frames);
      ink_export_result_clear (&r);
      remove_in_tmpdir ("parts.apng");
    }
  /* The arrow moves a small part of the picture: most frames are a small rectangle. */
  g_assert_cmpint (smaller, >=, m.frames);
  ink_image_free (&clear);
  ink_motion_hints_free (&hints);
}

/* WebP frames that change only near a short flow arrow are stored as that rectangle and decode
 * close to the frames; a loop that does not move is one frame lasting the loop. */
static void
test_webp_rectangles (void)
{
  InkMotionParams m;
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkMotionHints *hints = small_arrow_loop (&m);
  int small = 0;

  p.format = INK_FORMAT_WEBP;
  for (int pass = 0; pass < 2; pass++)
    {
      InkMotionParams mp = m;
      const InkMotionHints *hp = pass == 0 ? hints : NULL;
      int w, h, frames = 0, ts = 0;
      guint32 **ref;
      g_autofree char *path = NULL;
      g_autoptr (GBytes) bytes = NULL;
      InkExportResult r = { 0 };
      WebPData data;
      WebPDemuxer *demux;
      WebPIterator it;
      WebPAnimDecoderOptions opts;
      WebPAnimDecoder *dec;

      if (pass == 1)
        mp.motion = 0.0f;
      ref = reference_frames_hinted (photo, &mp, hp, &w, &h);
      path = export_hinted_ok (photo, &mp, hp, "parts.webp", &p, &r);
      bytes = read_bytes (path);
      data.bytes = g_bytes_get_data (bytes, &data.size);
      demux = WebPDemux (&data);
      g_assert_nonnull (demux);
      g_assert_true (WebPDemuxGetFrame (demux, 1, &it));
      do
        {
          /* Whole 16 px macroblocks of the canvas (so offsets are even, as WebP stores them). */
          g_assert_cmpint (it.x_offset % 16, ==, 0);
          g_assert_cmpint (it.y_offset % 16, ==, 0);
          g_assert_true (it.width % 16 == 0 || it.x_offset + it.width == w);
          g_assert_true (it.height % 16 == 0 || it.y_offset + it.height == h);
          g_assert_cmpint (it.x_offset + it.width, <=, w);
          g_assert_cmpint (it.y_offset + it.height, <=, h);
          g_assert_true (pass == 1 || it.blend_method == WEBP_MUX_NO_BLEND);
          g_assert_true (it.dispose_method == WEBP_MUX_DISPOSE_NONE);
          if (it.frame_num == 1)
            g_assert_true (it.x_offset == 0 && it.y_offset == 0 && it.width == w && it.height == h);
          else
            small += it.width * it.height < w * h / 2;
          ts += it.duration;
          frames++;
        }
      while (WebPDemuxNextFrame (&it));
      WebPDemuxReleaseIterator (&it);
      /* A loop that does not move is written as a still picture (libwebp's muxer makes one
         frame so), which every viewer shows as it is. */
      g_assert_cmpint (WebPDemuxGetI (demux, WEBP_FF_FORMAT_FLAGS) & ANIMATION_FLAG, ==,
                       pass == 1 ? 0 : ANIMATION_FLAG);
      WebPDemuxDelete (demux);
      g_assert_cmpint (ts, ==, pass == 1 ? 0 : 667);   /* the loop: 8 frames at 12 fps */
      g_assert_cmpint (frames, ==, pass == 1 ? 1 : m.frames);
      g_assert_true (WebPAnimDecoderOptionsInit (&opts));
      opts.color_mode = MODE_RGBA;
      dec = WebPAnimDecoderNew (&data, &opts);
      g_assert_nonnull (dec);
      for (int i = 0; WebPAnimDecoderHasMoreFrames (dec); i++)
        {
          uint8_t *rgba;
          int t;
          g_assert_true (WebPAnimDecoderGetNext (dec, &rgba, &t));
          g_assert_cmpfloat (psnr_rgb (ref[i], (const guint32 *) rgba, w, h, FALSE), >, 30.0);
        }
      WebPAnimDecoderDelete (dec);
      frames_free (ref, m.frames);
      ink_export_result_clear (&r);
      remove_in_tmpdir ("parts.webp");
    }
  g_assert_cmpint (small, ==, m.frames - 1);
  ink_motion_hints_free (&hints);
}

/* MP4: H.264 yuv420p tagged BT.709 limited range, moov before mdat, an odd size padded to even,
 * the loop repeated, and flat colours within 3 levels after the round trip. Sharp edges are
 * softened by 4:2:0 chroma, so only patch interiors are compared. */
static void
test_mp4 (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkExportResult r = { 0 };
  g_autoptr (GError) error = NULL;
  int w, h;
  guint32 **ref;
  g_autofree char *path = NULL;
  g_autoptr (GBytes) bytes = NULL;
  InkImage *odd = NULL;
  const guint8 *data, *moov, *mdat;
  gsize size;
  Decoded d;

  m.motion = 0.0f;   /* flat patches stay put */
  odd = ink_image_scale (patches, 121, &error);   /* 121x91: odd both ways */
  g_assert_no_error (error);
  ref = reference_frames (odd, &m, &w, &h);
  p.format = INK_FORMAT_MP4;
  p.repeat = 3;
  path = export_ok (odd, &m, "loop.mp4", &p, &r);
  d = decode_file (path);
  g_assert_cmpstr (d.codec, ==, "h264");
  g_assert_cmpint (d.pix_fmt, ==, AV_PIX_FMT_YUV420P);
  g_assert_cmpint (d.primaries, ==, AVCOL_PRI_BT709);
  g_assert_cmpint (d.trc, ==, AVCOL_TRC_BT709);
  g_assert_cmpint (d.colorspace, ==, AVCOL_SPC_BT709);
  g_assert_cmpint (d.range, ==, AVCOL_RANGE_MPEG);
  g_assert_cmpint (d.width, ==, 122);
  g_assert_cmpint (d.height, ==, 92);
  g_assert_cmpint (d.n, ==, m.frames * 3);
  g_assert_cmpint (r.frames, ==, m.frames * 3);
  {
    gint64 last = 0;   /* packets come in decoding order */
    for (int i = 0; i < d.n; i++)
      last = MAX (last, d.pts_ms[i]);
    g_assert_cmpint (last, ==, (gint64) llround ((d.n - 1) * 1000.0 / 12));
  }
  /* The middle of each quadrant: 8x8 means per channel. */
  for (int f = 0; f < d.n; f += 5)
    for (int q = 0; q < 4; q++)
      {
        int cx = (q & 1) ? w * 3 / 4 : w / 4, cy = (q & 2) ? h * 3 / 4 : h / 4;
        for (int c = 0; c < 24; c += 8)
          {
            double a = 0, b = 0;
            for (int y = cy - 4; y < cy + 4; y++)
              for (int x = cx - 4; x < cx + 4; x++)
                {
                  a += over_white (ref[f % m.frames][y * w + x]) >> c & 0xff;
                  b += d.frames[f][y * 122 + x] >> c & 0xff;
                }
            g_test_message ("mp4 frame %d patch %d channel %d: %.1f vs %.1f", f, q, c / 8, a / 64, b / 64);
            g_assert_cmpfloat (fabs (a - b) / 64, <=, 3.0);
          }
      }
  bytes = read_bytes (path);
  data = g_bytes_get_data (bytes, &size);
  moov = memmem (data, size, "moov", 4);
  mdat = memmem (data, size, "mdat", 4);
  g_assert_nonnull (moov);
  g_assert_nonnull (mdat);
  g_assert_true (moov < mdat);   /* +faststart */
  decoded_clear (&d);
  frames_free (ref, m.frames);
  ink_export_result_clear (&r);
  remove_in_tmpdir ("loop.mp4");
  ink_image_free (&odd);
}

/* Animated WebP through libwebp's own demuxer (FFmpeg 5.1 cannot decode animated WebP): loops
 * forever, frame times sum to the loop, and lossy quality 85 keeps 30 dB on these frames. */
static void
test_webp (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkExportResult r = { 0 };
  int w, h;
  guint32 **ref = reference_frames (photo, &m, &w, &h);
  g_autofree char *path = NULL;
  g_autoptr (GBytes) bytes = NULL;
  WebPData data;
  WebPAnimDecoderOptions opts;
  WebPAnimDecoder *dec;
  WebPAnimInfo info;
  int frames = 0, last_ts = 0;

  p.format = INK_FORMAT_WEBP;
  path = export_ok (photo, &m, "loop.webp", &p, &r);
  bytes = read_bytes (path);
  data.bytes = g_bytes_get_data (bytes, &data.size);
  g_assert_true (WebPAnimDecoderOptionsInit (&opts));
  opts.color_mode = MODE_RGBA;
  dec = WebPAnimDecoderNew (&data, &opts);
  g_assert_nonnull (dec);
  g_assert_true (WebPAnimDecoderGetInfo (dec, &info));
  g_assert_cmpint (info.canvas_width, ==, w);
  g_assert_cmpint (info.canvas_height, ==, h);
  g_assert_cmpint (info.loop_count, ==, 0);
  while (WebPAnimDecoderHasMoreFrames (dec))
    {
      uint8_t *rgba;
      int ts;
      g_assert_true (WebPAnimDecoderGetNext (dec, &rgba, &ts));
      /* libwebp merges equal neighbours; these frames all differ. */
      g_assert_cmpint (frames, <, m.frames);
      g_assert_cmpfloat (psnr_rgb (ref[frames], (const guint32 *) rgba, w, h, FALSE), >, 30.0);
      frames++;
      /* Each frame ends where the next starts, on the rounded running total: the last one at
       * the loop's end. */
      g_assert_cmpint (ts, ==, lrint (1000.0 * frames / m.fps));
      last_ts = ts;
    }
  g_assert_cmpint (frames, ==, m.frames);
  g_assert_cmpint (last_ts, ==, 667);   /* 8 frames at 12 fps */
  WebPAnimDecoderDelete (dec);
  frames_free (ref, m.frames);
  ink_export_result_clear (&r);
  remove_in_tmpdir ("loop.webp");
}

/* PNG frames: frame-0001.png ... exactly the frames; a rerun with fewer frames leaves no stale ones. */
static void
test_png_frames (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkExportResult r = { 0 };
  int w, h;
  guint32 **ref = reference_frames (photo, &m, &w, &h);
  g_autofree char *dir = NULL;

  p.format = INK_FORMAT_PNG_FRAMES;
  dir = export_ok (photo, &m, "frames/", &p, &r);
  for (int i = 0; i < m.frames; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("frames/frame-%04d.png", i + 1);
      g_autofree char *file = g_build_filename (tmpdir, name, NULL);
      Decoded d = decode_file (file);
      g_assert_cmpint (d.n, ==, 1);
      g_assert_cmpfloat (psnr_rgb (ref[i], d.frames[0], w, h, FALSE), ==, INFINITY);
      decoded_clear (&d);
    }
  ink_export_result_clear (&r);
  m.frames = 4;
  g_free (export_ok (photo, &m, "frames", &p, &r));
  {
    g_autofree char *fifth = g_build_filename (tmpdir, "frames", "frame-0005.png", NULL);
    g_autofree char *fourth = g_build_filename (tmpdir, "frames", "frame-0004.png", NULL);
    g_assert_false (g_file_test (fifth, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (fourth, G_FILE_TEST_EXISTS));
  }
  assert_folder_holds ((const char *const[]) { "frames", NULL });
  for (int i = 1; i <= 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("frames/frame-%04d.png", i);
      remove_in_tmpdir (name);
    }
  remove_in_tmpdir ("frames");
  frames_free (ref, 8);
  ink_export_result_clear (&r);
}

/* --max-bytes: colours come down, then the size, and the summary says so; an impossible limit
 * fails and leaves nothing. */
static void
test_max_bytes (void)
{
  InkMotionParams m = test_motion ();
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  InkExportResult full = { 0 }, r = { 0 };
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  GStatBuf st;

  g_free (export_ok (photo, &m, "fit.gif", &p, &full));
  p.max_bytes = full.bytes * 6 / 10;
  path = export_ok (photo, &m, "fit.gif", &p, &r);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <=, p.max_bytes);
  g_assert_cmpint (r.bytes, ==, st.st_size);
  g_assert_nonnull (strstr (r.summary, "reduced to fit"));
  ink_export_result_clear (&r);

  p.max_bytes = 200;
  g_assert_false (ink_export (get_stylizer (), photo, &style, &m, NULL, path, &p, NULL, NULL,
                              NULL, &r, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "fit.gif"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);   /* the earlier file is untouched */
  assert_folder_holds ((const char *const[]) { "fit.gif", NULL });
  remove_in_tmpdir ("fit.gif");
  ink_export_result_clear (&full);
}

static void
cancel_halfway (double fraction, gpointer user_data)
{
  if (fraction >= 0.5)
    g_cancellable_cancel (user_data);
}

/* Cancelling from the progress callback: G_IO_ERROR_CANCELLED, the old file untouched, no
 * temporary left; progress only goes up. */
static void
test_cancel (void)
{
  InkMotionParams m = test_motion ();
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  g_autofree char *path = g_build_filename (tmpdir, "keep.mp4", NULL);
  g_autofree char *dir = g_build_filename (tmpdir, "keep-frames", NULL);
  g_autoptr (GError) error = NULL;
  char *contents;

  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  for (int f = 0; f < INK_FORMAT_COUNT; f++)
    {
      g_autoptr (GCancellable) cancel = g_cancellable_new ();
      InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
      p.format = f;
      g_assert_false (ink_export (get_stylizer (), photo, &style, &m, NULL,
                                  f == INK_FORMAT_PNG_FRAMES ? dir : path, &p, cancel_halfway,
                                  cancel, cancel, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      assert_folder_holds ((const char *const[]) { "keep.mp4", NULL });
    }
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_free (contents);
  remove_in_tmpdir ("keep.mp4");
}

/* Bad destinations and parameters: a clear INK_ERROR naming the file, nothing written. */
static void
test_bad_output (void)
{
  InkMotionParams m = test_motion ();
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
  g_autofree char *missing = g_build_filename (tmpdir, "no-such-folder", "a.gif", NULL);
  g_autoptr (GError) error = NULL;
  InkExportFormat format;

  g_assert_false (ink_export (get_stylizer (), photo, &style, &m, NULL, missing, &p, NULL, NULL,
                              NULL, NULL, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "a.gif"));
  g_assert_nonnull (strstr (error->message, "does the folder exist"));
  g_clear_error (&error);

  /* A folder nobody may write to: chmod for a user, a read-only file system for root. */
  {
    g_autofree char *ro = g_build_filename (tmpdir, "read-only", NULL);
    g_autofree char *target = NULL;
    if (getuid () != 0)
      {
        g_assert_cmpint (g_mkdir (ro, 0555), ==, 0);
        target = g_build_filename (ro, "a.gif", NULL);
      }
    else
      target = g_strdup ("/proc/inkloop-test.gif");
    g_assert_false (ink_export (get_stylizer (), photo, &style, &m, NULL, target, &p, NULL, NULL,
                                NULL, NULL, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
    g_assert_nonnull (strstr (error->message, target));
    g_clear_error (&error);
    g_rmdir (ro);
  }

  g_assert_false (ink_export_format_from_path ("out.avi", &format, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_assert_nonnull (strstr (error->message, "out.avi"));
  g_clear_error (&error);
  g_assert_false (ink_export_format_from_name ("bmp", &format, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  g_assert_true (ink_export_format_from_path ("OUT.GIF", &format, NULL));
  g_assert_cmpint (format, ==, INK_FORMAT_GIF);
  g_assert_true (ink_export_format_from_path ("clip.webp", &format, NULL));
  g_assert_cmpint (format, ==, INK_FORMAT_WEBP);
  g_assert_true (ink_export_format_from_path ("frames", &format, NULL));
  g_assert_cmpint (format, ==, INK_FORMAT_PNG_FRAMES);

  /* An impossible size, and limits for a format that has none. */
  p.long_edge = INK_IMAGE_MAX_SIDE + 1;
  g_assert_false (ink_export_params_validate (&p, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  p.long_edge = 0;
  p.format = INK_FORMAT_MP4;
  p.max_bytes = 1000;
  g_assert_false (ink_export_params_validate (&p, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  assert_folder_holds (NULL);
}

/* A full disk (RLIMIT_FSIZE in a child process): INK_ERROR_WRITE that says so, the earlier file
 * untouched and no temporary left. Runs on the C reference path: no device in the child. */
static void
test_disk_full (void)
{
  if (g_test_subprocess ())
    {
      InkMotionParams m = test_motion ();
      InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
      g_autoptr (GError) error = NULL;
      g_autofree char *path = g_build_filename (tmpdir, "full.apng", NULL);
      InkStylizer *cpu = ink_stylizer_new (NULL, &error);
      struct rlimit limit = { 4 * 1024, 4 * 1024 };
      char *contents;

      for (int f = 0; f < INK_FORMAT_COUNT; f++)
        {
          InkExportParams p = INK_EXPORT_PARAMS_DEFAULT;
          g_autofree char *target = f == INK_FORMAT_PNG_FRAMES ? g_build_filename (tmpdir, "full-frames", NULL)
                                                                : g_strdup (path);
          g_assert_true (g_file_set_contents (path, "old", -1, NULL));
          signal (SIGXFSZ, SIG_IGN);
          g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
          p.format = f;
          g_assert_false (ink_export (cpu, photo, &style, &m, NULL, target, &p, NULL, NULL, NULL,
                                      NULL, &error));
          g_printerr ("%s: %s\n", ink_export_format_name (f), error->message);
          g_assert_error (error, INK_ERROR, INK_ERROR_WRITE);
          g_assert_nonnull (strstr (error->message, target));
          g_assert_nonnull (strstr (error->message, "full"));
          g_clear_error (&error);
          limit.rlim_cur = limit.rlim_max = RLIM_INFINITY;
          setrlimit (RLIMIT_FSIZE, &limit);
          limit.rlim_cur = limit.rlim_max = 4 * 1024;
          g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
          g_assert_cmpstr (contents, ==, "old");
          g_free (contents);
          assert_folder_holds ((const char *const[]) { "full.apng", NULL });
        }
      g_remove (path);
      ink_stylizer_free (&cpu);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static InkImage *
make_patches (void)
{
  static const guint16 colors[4][3] = {
    { 0xd000, 0x3000, 0x2800 }, { 0x2000, 0x9000, 0xd800 },
    { 0xf000, 0xe000, 0x5000 }, { 0x3000, 0xa000, 0x4000 },
  };
  InkImage *image = ink_image_new (120, 90);

  for (int y = 0; y < 90; y++)
    for (int x = 0; x < 120; x++)
      {
        int q = (x >= 60) | (y >= 45) << 1;
        guint16 *px = image->pixels + ((gsize) y * 120 + x) * 4;
        px[0] = colors[q][0], px[1] = colors[q][1], px[2] = colors[q][2], px[3] = 0xffff;
      }
  return image;
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The disk-full child writes where the parent looks: the folder travels in the environment. */
  if (g_test_subprocess ())
    tmpdir = g_strdup (g_getenv ("INKLOOP_TEST_EXPORT_DIR"));
  else
    {
      g_autoptr (GError) error = NULL;
      tmpdir = g_dir_make_tmp ("inkloop-export-XXXXXX", &error);
      g_assert_no_error (error);
      g_setenv ("INKLOOP_TEST_EXPORT_DIR", tmpdir, TRUE);
    }
  photo = test_load_sample (160);
  patches = make_patches ();

  g_test_add_func ("/export/gif", test_gif);
  g_test_add_func ("/export/gif-dither", test_gif_dither);
  g_test_add_func ("/export/gif-bands", test_gif_bands);
  g_test_add_func ("/export/apng", test_apng);
  g_test_add_func ("/export/apng-rectangles", test_apng_rectangles);
  g_test_add_func ("/export/webp-rectangles", test_webp_rectangles);
  g_test_add_func ("/export/mp4", test_mp4);
  g_test_add_func ("/export/webp", test_webp);
  g_test_add_func ("/export/png-frames", test_png_frames);
  g_test_add_func ("/export/max-bytes", test_max_bytes);
  g_test_add_func ("/export/gif-temporal", test_gif_temporal);
  g_test_add_func ("/export/gif-writer", test_gif_writer);
  g_test_add_func ("/export/cancel", test_cancel);
  g_test_add_func ("/export/bad-output", test_bad_output);
  g_test_add_func ("/export/disk-full", test_disk_full);
  status = g_test_run ();

  ink_stylizer_free (&stylizer);
  ink_image_free (&photo);
  ink_image_free (&patches);
  if (!g_test_subprocess ())
    g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
