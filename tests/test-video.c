/* test-video.c: clips in: clips the test makes (the sample photo moved along known camera paths,
 * encoded with libx264, VP9 and GIF; in AVI with MPEG-4, MJPEG and H.264; in MPEG-TS) opened,
 * rendered to each format with exact frame counts and timing, each frame the source's at its time,
 * stable on still background, turned as their metadata says; damaged and wrong files (FIFOs
 * too) refused naming the file; a cancelled render leaves nothing. */
#include "ink-config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "clip-build.h"
#include "clip.h"
#include "export.h"
#include "ink-error.h"
#include "stylize-private.h"
#include "test-common.h"
#include "tmp-folder.h"
#include "video-input.h"

static InkVkContext *vk;
static InkStylizer *stylizer;
static InkImage *photo;
static char *dir;

static char *
make_clip (const char *name, const ClipSpec *spec)
{
  char *path = g_build_filename (dir, name, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    clip_build (path, photo, spec);
  return path;
}

static const ClipSpec pan_h264 = { CLIP_H264_MP4, 160, 96, 24, 12, .pan = 2.0, .moving_box = TRUE };

/* Every frame, in order, at its time. */
static void
check_frames (const char *path, int frames, double fps, int width, int height)
{
  g_autoptr (GError) error = NULL;
  InkVideo *v = ink_video_open (path, &error);
  const InkVideoInfo *info;
  double pts, last = -1.0;
  int n = 0;
  InkImage *f;

  g_assert_no_error (error);
  info = ink_video_get_info (v);
  g_assert_cmpint (info->width, ==, width);
  g_assert_cmpint (info->height, ==, height);
  g_assert_cmpfloat (fabs (info->fps - fps), <, 0.01);
  while ((f = ink_video_read (v, 0, &pts, &error)) != NULL)
    {
      g_assert_cmpint (f->width, ==, width);
      g_assert_cmpint (f->height, ==, height);
      if (n > 0)
        g_assert_cmpfloat (fabs (pts - last - 1.0 / fps), <, 1e-3);
      last = pts;
      n++;
      ink_image_free (&f);
    }
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, frames);
  ink_video_free (&v);
}

/* Which of SPEC's frames AROUND - 2 .. AROUND + 2 the 8-bit RGBA frame GOT is: the nearest. */
static int
nearest_frame (const guint32 *got, const ClipSpec *spec, int around)
{
  gsize n = (gsize) spec->width * spec->height;
  double best = INFINITY;
  int best_f = -1;

  for (int f = MAX (0, around - 2); f <= MIN (spec->frames - 1, around + 2); f++)
    {
      g_autofree guint32 *made = clip_frame (photo, spec, f);
      double d = 0.0;
      for (gsize p = 0; p < n; p++)
        for (int ch = 0; ch < 24; ch += 8)
          d += ABS ((int) (got[p] >> ch & 0xff) - (int) (made[p] >> ch & 0xff));
      if (d < best)
        best = d, best_f = f;
    }
  return best_f;
}

static void
test_open (void)
{
  g_autofree char *h264 = make_clip ("pan.mp4", &pan_h264);
  ClipSpec vp9 = pan_h264;
  g_autofree char *webm = NULL;

  vp9.codec = CLIP_VP9_WEBM;
  webm = make_clip ("pan.webm", &vp9);
  g_assert_true (ink_video_sniff (h264));
  g_assert_true (ink_video_sniff (webm));
  g_assert_false (ink_video_sniff (INK_SOURCE_DATADIR "/sample.png"));
  check_frames (h264, 24, 12.0, 160, 96);
  check_frames (webm, 24, 12.0, 160, 96);
  /* Where a photo is asked for (the editor, still), a clip is named as one. */
  {
    g_autoptr (GError) error = NULL;
    g_assert_null (ink_image_load (h264, NULL, &error));
    g_assert_nonnull (strstr (error->message, "it is a video clip"));
  }
  {
    ClipSpec gif_spec = { CLIP_GIF, 96, 64, 10, 10, .pan = 3.0 };
    g_autofree char *gif = make_clip ("pan.gif", &gif_spec);
    g_assert_true (ink_video_sniff (gif));
    check_frames (gif, 10, 10.0, 96, 64);
  }
  {
    ClipSpec webp_spec = { CLIP_WEBP, 96, 64, 10, 10, .pan = 3.0 };
    g_autofree char *webp = make_clip ("pan.webp", &webp_spec);
    g_assert_true (ink_video_sniff (webp));
    check_frames (webp, 10, 10.0, 96, 64);
  }
}

/* The clip rendered to each format: the same number of frames at the same rate. */
static void
test_render_formats (void)
{
  g_autofree char *clip = make_clip ("pan.mp4", &pan_h264);
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = INK_CLIP_RANGE_DEFAULT;
  const char *names[] = { "out.mp4", "out.gif", "out.webm.webp", "out.apng" };
  InkExportFormat formats[] = { INK_FORMAT_MP4, INK_FORMAT_GIF, INK_FORMAT_WEBP, INK_FORMAT_APNG };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *out = g_build_filename (dir, names[i], NULL);
      InkExportParams params;
      InkExportResult result = { 0 };

      ink_export_params_default (&params);
      params.format = formats[i];
      g_assert_true (ink_export_clip (stylizer, clip, &range, &style, out, &params, NULL, NULL,
                                      NULL, &result, &error));
      g_assert_no_error (error);
      g_test_message ("%s", result.summary);
      g_assert_cmpint (result.frames, ==, 24);
      g_assert_cmpfloat (fabs (result.duration_s - 2.0), <, 1e-6);
      g_assert_cmpint (result.width, ==, 160);
      g_assert_cmpint (result.height, ==, 96);
      if (formats[i] == INK_FORMAT_MP4)
        check_frames (out, 24, 12.0, 160, 96);
      ink_export_result_clear (&result);
      g_unlink (out);
    }
}

/* --start, --duration, --fps and --size. */
static void
test_range (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *clip = make_clip ("pan.mp4", &pan_h264);
  g_autofree char *out = g_build_filename (dir, "part.mp4", NULL);
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = { .start = 0.5, .duration = 1.0, .fps = 6.0 };
  InkExportParams params;
  InkExportResult result = { 0 };

  ink_export_params_default (&params);
  params.format = INK_FORMAT_MP4;
  params.long_edge = 80;
  g_assert_true (ink_export_clip (stylizer, clip, &range, &style, out, &params, NULL, NULL, NULL,
                                  &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.frames, ==, 6);
  check_frames (out, 6, 6.0, 80, 48);
  ink_export_result_clear (&result);

  /* Past the end, and a rate out of range. */
  range = (InkClipRange) { .start = 5.0 };
  g_assert_false (ink_export_clip (stylizer, clip, &range, &style, out, &params, NULL, NULL, NULL,
                                   &result, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "the clip ends at 2.00 s"));
  g_clear_error (&error);
  range = (InkClipRange) { .fps = 1000.0 };
  g_assert_false (ink_export_clip (stylizer, clip, &range, &style, out, &params, NULL, NULL, NULL,
                                   &result, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  /* Under INK_CLIP_MIN_FPS, as a photo's rate: once a 1 frame result 1000 s long. */
  range = (InkClipRange) { .fps = 0.5 };
  g_assert_false (ink_export_clip (stylizer, clip, &range, &style, out, &params, NULL, NULL, NULL,
                                   &result, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "give --fps 1 to 120"));
  g_clear_error (&error);
  g_unlink (out);
}

/* A clip faster than the fastest result (a phone's 240 fps slow motion) is rendered at
 * INK_CLIP_MAX_FPS, its frames picked by time; it was refused, blaming a --fps not given. */
static void
test_fast_clip (void)
{
  g_autoptr (GError) error = NULL;
  ClipSpec spec = { CLIP_H264_MP4, 64, 48, 24, 240, .pan = 2.0, .moving_box = TRUE };
  g_autofree char *clip = make_clip ("fast.mp4", &spec);
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = INK_CLIP_RANGE_DEFAULT;
  InkClip *c = ink_clip_new (stylizer, clip, &range, &style, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat (ink_clip_fps (c), ==, INK_CLIP_MAX_FPS);
  g_assert_cmpint (ink_clip_n_frames (c), ==, 12);
  for (int i = 0; i < 12; i++)
    {
      g_autofree guint32 *got = g_new (guint32, 64 * 48);
      g_assert_true (ink_clip_source_rgba8 (c, i, got, &error));
      g_assert_cmpint (nearest_frame (got, &spec, 2 * i), ==, 2 * i);
    }
  ink_clip_free (&c);
}

/* AVI: MPEG-4 Part 2 and Motion JPEG, and H.264 with B-frames, whose packets have decoding times
 * only; and MPEG-TS. Every frame of the result, of the whole clip and of a part in its middle, is
 * the source frame at its time. A part's first frame seeks half a frame before the clip's start,
 * where AVI has no key frame: the byte seek that followed left AVI's times running on from the
 * end, so every frame was the first; H.264's packets, without presentation times, made the clip
 * seem to hold nothing. MPEG-TS seeks by time alone, past its one key frame: nothing could be
 * decoded after it. */
static void
test_avi (void)
{
  static const struct {
    ClipCodec codec;
    const char *name;
  } kinds[] = {
    { CLIP_MPEG4_AVI, "mpeg4.avi" },
    { CLIP_MJPEG_AVI, "mjpeg.avi" },
    { CLIP_H264_AVI, "h264.avi" },
    { CLIP_H264_TS, "h264.ts" },
  };
  static const struct {
    double start, duration;
    int frames, first;      /* of the result; the source frame of its first */
  } parts[] = {
    { 0.0, 0.0, 24, 0 },
    { 0.7, 1.0, 12, 8 },
  };

  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      ClipSpec spec = pan_h264;
      g_autofree char *clip = NULL;

      spec.codec = kinds[k].codec;
      clip = make_clip (kinds[k].name, &spec);
      g_test_message ("%s", kinds[k].name);
      g_assert_true (ink_video_sniff (clip));
      /* Times a frame apart, in the order shown (H.264's reordered frames too). */
      check_frames (clip, 24, 12.0, 160, 96);
      for (gsize p = 0; p < G_N_ELEMENTS (parts); p++)
        {
          g_autoptr (GError) error = NULL;
          InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
          InkClipRange range = { .start = parts[p].start, .duration = parts[p].duration };
          InkClip *c = ink_clip_new (stylizer, clip, &range, &style, 0, &error);

          g_assert_no_error (error);
          g_assert_cmpint (ink_clip_n_frames (c), ==, parts[p].frames);
          for (int i = 0; i < parts[p].frames; i++)
            {
              g_autofree guint32 *got = g_new (guint32, 160 * 96);
              int want = parts[p].first + i;
              g_assert_true (ink_clip_source_rgba8 (c, i, got, &error));
              g_assert_cmpint (nearest_frame (got, &spec, want), ==, want);
            }
          ink_clip_free (&c);
        }
    }
}

/* Uneven frame times: each output time shows the frame that was showing then. */
static void
test_variable_rate (void)
{
  g_autoptr (GError) error = NULL;
  ClipSpec spec = pan_h264;
  g_autofree char *clip = NULL;
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = INK_CLIP_RANGE_DEFAULT;
  InkClip *c;
  /* Frames of 1, 1, 2 ticks of 1/12 s: 16 short and 8 long frames, 32/12 s. */
  int expect_source[32];
  int k = 0;

  spec.variable_rate = TRUE;
  clip = make_clip ("vfr.mp4", &spec);
  for (int f = 0; f < 24; f++)
    for (int t = 0; t < (f % 3 == 2 ? 2 : 1); t++)
      expect_source[k++] = f;
  range.fps = 12.0;
  c = ink_clip_new (stylizer, clip, &range, &style, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ink_clip_n_frames (c), ==, 32);
  for (int i = 0; i < 32; i++)
    {
      g_autofree guint32 *got = g_new (guint32, 160 * 96);
      g_assert_true (ink_clip_source_rgba8 (c, i, got, &error));
      /* Which source frame it is: the nearest of the frames made. */
      g_assert_cmpint (nearest_frame (got, &spec, expect_source[i]), ==, expect_source[i]);
    }
  ink_clip_free (&c);
}

/* The display matrix: a clip stored 160x96 and turned 90 degrees shows 96x160. */
static void
test_rotation (void)
{
  g_autoptr (GError) error = NULL;
  ClipSpec spec = pan_h264;
  g_autofree char *clip = NULL;
  g_autofree guint32 *made = NULL;
  InkVideo *v;
  InkImage *f;
  double pts, d = 0.0;

  spec.rotation = 90;
  spec.frames = 3;
  clip = make_clip ("turned.mp4", &spec);
  v = ink_video_open (clip, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ink_video_get_info (v)->rotation, ==, 90);
  f = ink_video_read (v, 0, &pts, &error);
  g_assert_nonnull (f);
  g_assert_cmpint (f->width, ==, 96);
  g_assert_cmpint (f->height, ==, 160);
  /* Displayed (x, y) is stored (y, 95 - x)... for 90 degrees clockwise: stored (x', y') shows at
   * (h - 1 - y', x'). */
  made = clip_frame (photo, &spec, 0);
  for (int y = 0; y < 96; y++)
    for (int x = 0; x < 160; x++)
      {
        const guint16 *p = f->pixels + ((gsize) x * 96 + (95 - y)) * 4;
        d += ABS ((int) (p[1] >> 8) - (int) (made[(gsize) y * 160 + x] >> 8 & 0xff));
      }
  g_test_message ("rotated frame: mean difference %.2f levels", d / (160 * 96));
  g_assert_cmpfloat (d / (160 * 96), <, 6.0);
  ink_image_free (&f);
  ink_video_free (&v);
}

/* Mean change of output pixels whose source changed by under 3 levels, frame to frame. */
static double
flicker (InkClip *c, gboolean stylized_naive)
{
  g_autoptr (GError) error = NULL;
  int w, h, n = ink_clip_n_frames (c);
  gsize count = 0;
  double sum = 0.0;
  guint32 *src_prev, *src, *out_prev, *out;

  ink_clip_size (c, &w, &h, NULL);
  src_prev = g_new (guint32, (gsize) w * h);
  src = g_new (guint32, (gsize) w * h);
  out_prev = g_new (guint32, (gsize) w * h);
  out = g_new (guint32, (gsize) w * h);
  for (int i = 0; i < n; i++)
    {
      g_assert_true (ink_clip_source_rgba8 (c, i, src, &error));
      if (stylized_naive)
        {
          /* Each frame alone: its own palette, no stabilizing. */
          InkImage *frame = ink_image_from_rgba8 (src, w, h, FALSE, NULL), *styled;
          InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
          ink_stylizer_fix_palette (stylizer, NULL, 0);
          styled = ink_stylizer_run (stylizer, frame, &style, NULL, &error);
          g_assert_no_error (error);
          for (gsize p = 0; p < (gsize) w * h; p++)
            {
              guint32 v = 0;
              for (int k = 0; k < 4; k++)
                v |= (guint32) (styled->pixels[4 * p + k] >> 8) << (8 * k);
              out[p] = v;
            }
          ink_image_free (&frame);
          ink_image_free (&styled);
        }
      else
        g_assert_true (ink_clip_render_rgba8 (c, i, out, &error));
      g_assert_no_error (error);
      if (i > 0)
        for (gsize p = 0; p < (gsize) w * h; p++)
          {
            int ds = 0;
            for (int k = 0; k < 24; k += 8)
              ds = MAX (ds, ABS ((int) (src[p] >> k & 0xff) - (int) (src_prev[p] >> k & 0xff)));
            if (ds >= 3)
              continue;
            for (int k = 0; k < 24; k += 8)
              sum += ABS ((int) (out[p] >> k & 0xff) - (int) (out_prev[p] >> k & 0xff)) / 3.0;
            count++;
          }
      memcpy (src_prev, src, (gsize) w * h * 4);
      memcpy (out_prev, out, (gsize) w * h * 4);
    }
  g_free (src_prev);
  g_free (src);
  g_free (out_prev);
  g_free (out);
  return count > 0 ? sum / count : 0.0;
}

/* A still camera with sensor noise and something moving: still background stays still. */
static void
test_flicker (void)
{
  g_autoptr (GError) error = NULL;
  ClipSpec spec = { CLIP_H264_MP4, 192, 128, 24, 12, .noise = 2, .moving_box = TRUE };
  g_autofree char *clip = make_clip ("still-noise.mp4", &spec);
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = INK_CLIP_RANGE_DEFAULT;
  InkClip *c = ink_clip_new (stylizer, clip, &range, &style, 0, &error);
  double stable, naive;

  g_assert_no_error (error);
  stable = flicker (c, FALSE);
  naive = flicker (c, TRUE);
  g_test_message ("flicker on still background: %.3f levels (each frame alone: %.3f)", stable,
                  naive);
  g_assert_cmpfloat (stable, <=, 0.5);
  ink_clip_free (&c);
}

/* Seconds of sound in the MP4 at PATH (its audio packets' span); -1 without sound. */
static double
sound_seconds (const char *path)
{
  AVFormatContext *fmt = NULL;
  AVPacket *pkt = av_packet_alloc ();
  int stream;
  double first = INFINITY, last = -INFINITY;

  g_assert_cmpint (avformat_open_input (&fmt, path, NULL, NULL), ==, 0);
  g_assert_cmpint (avformat_find_stream_info (fmt, NULL), >=, 0);
  stream = av_find_best_stream (fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
  while (stream >= 0 && av_read_frame (fmt, pkt) >= 0)
    {
      if (pkt->stream_index == stream)
        {
          double tb = av_q2d (fmt->streams[stream]->time_base);
          first = MIN (first, pkt->pts * tb);
          last = MAX (last, (pkt->pts + pkt->duration) * tb);
        }
      av_packet_unref (pkt);
    }
  av_packet_free (&pkt);
  avformat_close_input (&fmt);
  return stream >= 0 ? last - first : -1.0;
}

/* The clip's sound goes into an MP4 as it is, cut to the part; --no-audio leaves it out. */
static void
test_sound (void)
{
  g_autoptr (GError) error = NULL;
  ClipSpec spec = pan_h264;
  g_autofree char *clip = NULL;
  g_autofree char *out = g_build_filename (dir, "sound.mp4", NULL);
  g_autofree char *gif = g_build_filename (dir, "sound.gif", NULL);
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = INK_CLIP_RANGE_DEFAULT;
  InkExportParams params;
  InkExportResult result = { 0 };
  double seconds;

  spec.audio = TRUE;
  clip = make_clip ("with-sound.mp4", &spec);
  ink_export_params_default (&params);
  params.format = INK_FORMAT_MP4;
  ink_export_clip (stylizer, clip, &range, &style, out, &params, NULL, NULL, NULL, &result,
                   &error);
  g_assert_no_error (error);
  g_test_message ("%s", result.summary);
  g_assert_nonnull (strstr (result.summary, "with its sound"));
  seconds = sound_seconds (out);
  g_test_message ("sound: %.3f s", seconds);
  g_assert_cmpfloat (fabs (seconds - 2.0), <, 0.1);
  check_frames (out, 24, 12.0, 160, 96);
  ink_export_result_clear (&result);

  range.start = 0.5;
  range.duration = 1.0;
  g_assert_true (ink_export_clip (stylizer, clip, &range, &style, out, &params, NULL, NULL, NULL,
                                  &result, &error));
  g_assert_cmpfloat (fabs (sound_seconds (out) - 1.0), <, 0.1);
  ink_export_result_clear (&result);

  range.no_audio = TRUE;
  g_assert_true (ink_export_clip (stylizer, clip, &range, &style, out, &params, NULL, NULL, NULL,
                                  &result, &error));
  g_assert_cmpfloat (sound_seconds (out), ==, -1.0);
  ink_export_result_clear (&result);

  params.format = INK_FORMAT_GIF;
  range.no_audio = FALSE;
  g_assert_true (ink_export_clip (stylizer, clip, &range, &style, gif, &params, NULL, NULL, NULL,
                                  &result, &error));
  g_assert_nonnull (strstr (result.summary, "without the clip's sound"));
  ink_export_result_clear (&result);
  g_unlink (out);
  g_unlink (gif);
}

/* Mean absolute difference of two 8-bit RGBA frames of N pixels, over R, G, B. */
static double
frame_difference (const guint32 *a, const guint32 *b, gsize n)
{
  double d = 0.0;

  for (gsize p = 0; p < n; p++)
    for (int k = 0; k < 24; k += 8)
      d += ABS ((int) (a[p] >> k & 0xff) - (int) (b[p] >> k & 0xff));
  return d / (3.0 * n);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* --loop: a swinging square with a period of 12 frames, 40 frames of it: the loop is a whole
 * number of periods, and its seam (last frame to first) is a step like any other. */
static void
test_loop (void)
{
  g_autoptr (GError) error = NULL;
  ClipSpec spec = { CLIP_H264_MP4, 160, 96, 40, 12, .noise = 1, .period = 12 };
  g_autofree char *clip = make_clip ("swing.mp4", &spec);
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = INK_CLIP_RANGE_DEFAULT;
  InkClip *c;
  int n, w, h;
  guint32 **frames;
  g_autofree double *steps = NULL;
  double seam, typical;

  range.loop = TRUE;
  c = ink_clip_new (stylizer, clip, &range, &style, 0, &error);
  g_assert_no_error (error);
  n = ink_clip_n_frames (c);
  ink_clip_size (c, &w, &h, NULL);
  g_test_message ("loop: %d frames, source seam %.2f", n, ink_clip_seam (c));
  g_assert_cmpint (n % 12, ==, 0);
  frames = g_new0 (guint32 *, n);
  steps = g_new (double, n);
  for (int i = 0; i < n; i++)
    {
      frames[i] = g_new (guint32, (gsize) w * h);
      g_assert_true (ink_clip_render_rgba8 (c, i, frames[i], &error));
    }
  for (int i = 0; i + 1 < n; i++)
    steps[i] = frame_difference (frames[i], frames[i + 1], (gsize) w * h);
  qsort (steps, n - 1, sizeof *steps, compare_doubles);
  typical = steps[(n - 1) / 2];
  seam = frame_difference (frames[n - 1], frames[0], (gsize) w * h);
  g_test_message ("stylized loop: seam %.3f, median step %.3f: ratio %.2f", seam, typical,
                  seam / typical);
  g_assert_cmpfloat (seam / typical, <, 1.6);
  /* The same frames a second time round. */
  {
    g_autofree guint32 *again = g_new (guint32, (gsize) w * h);
    g_assert_true (ink_clip_render_rgba8 (c, 0, again, &error));
    g_assert_cmpmem (again, (gsize) w * h * 4, frames[0], (gsize) w * h * 4);
  }
  for (int i = 0; i < n; i++)
    g_free (frames[i]);
  g_free (frames);
  ink_clip_free (&c);

  /* Too short for a loop. */
  range.duration = 0.4;
  c = ink_clip_new (stylizer, clip, &range, &style, 0, &error);
  g_assert_null (c);
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_test_message ("%s", error->message);
}

/* Damaged and wrong files: a clear error naming the file, never a crash or an output. */
static void
test_bad_input (void)
{
  g_autofree char *clip = make_clip ("pan.mp4", &pan_h264);
  g_autofree char *out = g_build_filename (dir, "bad-out.mp4", NULL);
  g_autofree char *data = NULL;
  gsize length;
  struct {
    const char *name;
    gsize keep;        /* bytes of pan.mp4 to keep; 0: CONTENT instead */
    const char *content;
    const char *says;
  } cases[] = {
    { "empty.mp4", 0, "", "" },
    { "text.mkv", 0, "this is not a clip at all\n", "" },
    { "cut.mp4", 3000, NULL, "" },
    { "header-only.webm", 0, "\x1a\x45\xdf\xa3", "" },
  };

  g_assert_true (g_file_get_contents (clip, &data, &length, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *path = g_build_filename (dir, cases[i].name, NULL);
      InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
      InkClipRange range = INK_CLIP_RANGE_DEFAULT;
      InkExportParams params;

      if (cases[i].content != NULL)
        g_assert_true (g_file_set_contents (path, cases[i].content, strlen (cases[i].content),
                                            NULL));
      else
        g_assert_true (g_file_set_contents (path, data, MIN (cases[i].keep, length), NULL));
      ink_export_params_default (&params);
      params.format = INK_FORMAT_MP4;
      g_assert_false (ink_export_clip (stylizer, path, &range, &style, out, &params, NULL, NULL,
                                       NULL, NULL, &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      g_unlink (path);
    }

  /* A FIFO is never opened (the open would wait for a writer for ever): not taken for a clip,
   * and refused as one. An alarm fails the test should it hang. */
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *fifo = g_build_filename (dir, "fifo.mp4", NULL);
    InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
    InkClipRange range = INK_CLIP_RANGE_DEFAULT;

    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
    alarm (60);
    g_assert_false (ink_video_sniff (fifo));
    g_assert_null (ink_video_open (fifo, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_READ);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "fifo.mp4: not a regular file"));
    g_clear_error (&error);
    g_assert_null (ink_clip_new (stylizer, fifo, &range, &style, 0, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_READ);
    alarm (0);
    g_unlink (fifo);
  }
}

/* The end of the first video packet of the clip at PATH, in bytes. */
static gint64
first_packet_end (const char *path)
{
  AVFormatContext *fmt = NULL;
  AVPacket *pkt = av_packet_alloc ();
  gint64 end = -1;
  int stream;

  g_assert_cmpint (avformat_open_input (&fmt, path, NULL, NULL), ==, 0);
  g_assert_cmpint (avformat_find_stream_info (fmt, NULL), >=, 0);
  stream = av_find_best_stream (fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
  while (end < 0 && av_read_frame (fmt, pkt) >= 0)
    {
      if (pkt->stream_index == stream && pkt->pos >= 0)
        end = pkt->pos + pkt->size;
      av_packet_unref (pkt);
    }
  av_packet_free (&pkt);
  avformat_close_input (&fmt);
  g_assert_cmpint (end, >, 0);
  return end;
}

/* A WebM and a GIF cut inside their first frame: nothing can be decoded, which is the file's
 * fault (INK_ERROR_DECODE), not a --start that was never given. */
static void
test_no_frame (void)
{
  ClipSpec vp9 = pan_h264, gif = { CLIP_GIF, 96, 64, 10, 10, .pan = 3.0 };
  g_autofree char *webm = NULL, *anim = NULL;
  const char *clips[2];

  vp9.codec = CLIP_VP9_WEBM;
  clips[0] = webm = make_clip ("pan.webm", &vp9);
  clips[1] = anim = make_clip ("pan.gif", &gif);
  for (gsize i = 0; i < G_N_ELEMENTS (clips); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *data = NULL;
      g_autofree char *cut = g_strconcat (clips[i], ".cut", NULL);
      InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
      InkClipRange range = INK_CLIP_RANGE_DEFAULT;
      gint64 keep = first_packet_end (clips[i]);
      gsize length;

      g_assert_true (g_file_get_contents (clips[i], &data, &length, NULL));
      keep -= (keep - 64) / 2;   /* in the middle of the first packet, past the header */
      g_assert_true (g_file_set_contents (cut, data, keep, NULL));
      g_assert_null (ink_clip_new (stylizer, cut, &range, &style, 0, &error));
      g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cut));
      g_assert_nonnull (strstr (error->message, "damaged"));
      g_assert_null (strstr (error->message, "--start"));
      g_unlink (cut);
    }
}

/* A clip cut short in the middle gives what is there; sound alone is refused with a reason;
 * 10-bit keeps its colours. */
static void
test_odd_clips (void)
{
  g_autoptr (GError) error = NULL;
  ClipSpec vp9 = pan_h264, sound_only = { CLIP_H264_MP4, 160, 96, 0, 12, .audio = TRUE };
  ClipSpec deep = pan_h264;
  g_autofree char *webm = NULL, *cut = g_build_filename (dir, "cut.webm", NULL);
  g_autofree char *m4a = NULL, *ten = NULL;
  g_autofree char *data = NULL;
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = INK_CLIP_RANGE_DEFAULT;
  gsize length;
  InkClip *c;
  InkVideo *v;
  InkImage *f;
  double pts, d = 0.0;

  vp9.codec = CLIP_VP9_WEBM;
  webm = make_clip ("pan.webm", &vp9);
  g_assert_true (g_file_get_contents (webm, &data, &length, NULL));
  g_assert_true (g_file_set_contents (cut, data, length * 6 / 10, NULL));
  c = ink_clip_new (stylizer, cut, &range, &style, 0, &error);
  g_assert_no_error (error);
  g_test_message ("a WebM cut at 60%%: %d frames of 24", ink_clip_n_frames (c));
  g_assert_cmpint (ink_clip_n_frames (c), >, 4);
  g_assert_cmpint (ink_clip_n_frames (c), <, 24);
  for (int i = 0; i < ink_clip_n_frames (c); i++)
    {
      g_autofree guint32 *out = g_new (guint32, 160 * 96);
      g_assert_true (ink_clip_render_rgba8 (c, i, out, &error));
    }
  ink_clip_free (&c);

  /* An animated WebP whose header claims a 60000x60000 canvas (under libwebp's own limit of 2^32
   * pixels): refused as too large from the header. libwebp's animation decoder allocates the
   * canvas as it opens (14 GB here; a fuzzer's file asked for 3.5 GB), so the size is read first;
   * before, this one failed that allocation and was reported as damaged. */
  {
    ClipSpec webp_spec = { CLIP_WEBP, 96, 64, 10, 3, .pan = 3.0 };
    g_autofree char *webp = make_clip ("canvas.webp", &webp_spec);
    g_autofree char *dir = g_path_get_dirname (webp);
    g_autofree char *big = g_build_filename (dir, "big-canvas.webp", NULL);
    g_autofree char *bytes = NULL;
    gsize n = 0;

    g_assert_true (g_file_get_contents (webp, &bytes, &n, NULL));
    g_assert_true (n > 30 && memcmp (bytes + 12, "VP8X", 4) == 0);
    for (int k = 0; k < 2; k++)   /* canvas width - 1 and height - 1, 24 bits little-endian */
      {
        bytes[24 + 3 * k] = (char) (59999 & 0xff);
        bytes[25 + 3 * k] = (char) ((59999 >> 8) & 0xff);
        bytes[26 + 3 * k] = 0;
      }
    g_assert_true (g_file_set_contents (big, bytes, n, NULL));
    v = ink_video_open (big, &error);
    g_assert_null (v);
    g_assert_error (error, INK_ERROR, INK_ERROR_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "60000x60000"));
    g_clear_error (&error);
  }

  m4a = make_clip ("sound-only.m4a", &sound_only);
  v = ink_video_open (m4a, &error);
  g_assert_null (v);
  g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "has sound but no pictures"));
  g_clear_error (&error);

  deep.ten_bit = TRUE;
  ten = make_clip ("ten-bit.mp4", &deep);
  v = ink_video_open (ten, &error);
  g_assert_no_error (error);
  f = ink_video_read (v, 0, &pts, &error);
  g_assert_nonnull (f);
  {
    g_autofree guint32 *made = clip_frame (photo, &deep, 0);
    for (gsize p = 0; p < 160 * 96; p++)
      for (int k = 0; k < 3; k++)
        d += ABS ((int) (f->pixels[4 * p + k] >> 8) - (int) (made[p] >> (8 * k) & 0xff));
  }
  g_test_message ("10-bit H.264: mean difference from the frame encoded %.2f levels",
                  d / (160 * 96 * 3));
  g_assert_cmpfloat (d / (160 * 96 * 3), <, 4.0);
  ink_image_free (&f);
  ink_video_free (&v);

  /* HDR (PQ) brought back to SDR; interlaced fields read as frames. */
  for (int kind = 0; kind < 2; kind++)
    {
      ClipSpec odd = pan_h264;
      g_autofree char *path = NULL;
      g_autofree guint32 *made = NULL;
      odd.frames = 3;
      odd.ten_bit = kind == 0;
      odd.hdr_pq = kind == 0;
      odd.interlaced = kind == 1;
      path = make_clip (kind == 0 ? "pq.mp4" : "interlaced.mp4", &odd);
      v = ink_video_open (path, &error);
      g_assert_no_error (error);
      f = ink_video_read (v, 0, &pts, &error);
      g_assert_nonnull (f);
      made = clip_frame (photo, &odd, 0);
      d = 0.0;
      for (gsize p = 0; p < 160 * 96; p++)
        for (int k = 0; k < 3; k++)
          d += ABS ((int) (f->pixels[4 * p + k] >> 8) - (int) (made[p] >> (8 * k) & 0xff));
      g_test_message ("%s: mean difference from the SDR frame %.2f levels",
                      kind == 0 ? "PQ" : "interlaced", d / (160 * 96 * 3));
      g_assert_cmpfloat (d / (160 * 96 * 3), <, 8.0);
      ink_image_free (&f);
      ink_video_free (&v);
    }
}

static void
cancel_soon (double fraction, gpointer data)
{
  if (fraction > 0.2)
    g_cancellable_cancel (data);
}

static void
test_cancel (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *clip = make_clip ("pan.mp4", &pan_h264);
  g_autofree char *out = g_build_filename (dir, "cancelled.mp4", NULL);
  InkStyleParams style = INK_STYLE_PARAMS_DEFAULT;
  InkClipRange range = INK_CLIP_RANGE_DEFAULT;
  InkExportParams params;
  g_autoptr (GDir) d = NULL;
  const char *name;

  ink_export_params_default (&params);
  params.format = INK_FORMAT_MP4;
  g_assert_false (ink_export_clip (stylizer, clip, &range, &style, out, &params, cancel_soon,
                                   cancellable, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_false (g_str_has_prefix (name, "."));
}

/* Runs inkloop-cli with ARGS; returns its exit status, and its stdout and stderr in *OUT. */
static int
run_cli (const char *const *args, char **out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer) g_getenv ("INKLOOP_CLI"));
  for (int i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out,
                               &err, &status, &error));
  g_assert_no_error (error);
  {
    char *both = g_strconcat (*out, err, NULL);
    g_free (*out);
    *out = both;
  }
  g_test_message ("inkloop-cli %s: %s", args[0], *out);
  return g_spawn_check_wait_status (status, NULL) ? 0 : WEXITSTATUS (status);
}

/* inkloop-cli render CLIP, with the clip's options; the photo's options refused. */
static void
test_cli (void)
{
  ClipSpec spec = pan_h264;
  g_autofree char *clip = NULL, *out = g_build_filename (dir, "cli.mp4", NULL);
  g_autofree char *text = NULL;

  if (g_getenv ("INKLOOP_CLI") == NULL)
    {
      g_test_skip ("INKLOOP_CLI is not set");
      return;
    }
  spec.audio = TRUE;
  clip = make_clip ("with-sound.mp4", &spec);
  g_assert_cmpint (run_cli ((const char *[]) { "render", clip, "-o", out, "--start", "0.5",
                                               "--duration", "1", "--fps", "6", "--size", "80",
                                               NULL }, &text), ==, 0);
  g_assert_nonnull (strstr (text, "80x48, 6 frames, 1.00 s; with its sound"));
  check_frames (out, 6, 6.0, 80, 48);
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (run_cli ((const char *[]) { "render", clip, "-o", out, "--no-audio", "--size",
                                               "64", NULL }, &text), ==, 0);
  g_assert_null (strstr (text, "sound"));
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (run_cli ((const char *[]) { "render", clip, "-o", out, "--arrow",
                                               "0.1,0.1,0.2,0.2", NULL }, &text), ==, 2);
  g_assert_nonnull (strstr (text, "moves by itself"));
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (run_cli ((const char *[]) { "render", INK_SOURCE_DATADIR "/sample.png", "-o",
                                               out, "--start", "1", NULL }, &text), ==, 2);
  g_assert_nonnull (strstr (text, "are for clips"));
  g_clear_pointer (&text, g_free);
  /* Negative and NaN times, and rates under a photo's, are refused as a project's are; they
   * were taken for "not given". */
  {
    static const char *const bad[][2] = {
      { "--start", "-1" }, { "--start", "nan" }, { "--duration", "-1" }, { "--duration", "nan" },
      { "--fps", "0.001" },
    };
    g_unlink (out);
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_cmpint (run_cli ((const char *[]) { "render", clip, "-o", out, bad[i][0],
                                                     bad[i][1], NULL }, &text), ==, 2);
        g_assert_true (strstr (text, "it must be") != NULL || strstr (text, "give a rate") != NULL);
        g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
        g_clear_pointer (&text, g_free);
      }
  }

  /* A project of the clip renders the same part again. */
  {
    g_autofree char *project = g_build_filename (dir, "clip.inkloop", NULL);
    g_autofree char *again = g_build_filename (dir, "again.mp4", NULL);
    g_assert_cmpint (run_cli ((const char *[]) { "render", clip, "-o", out, "--start", "0.5",
                                                 "--duration", "1", "--fps", "6", "--size", "80",
                                                 "--preset", "manga", "--save-project", project,
                                                 NULL }, &text), ==, 0);
    g_clear_pointer (&text, g_free);
    g_assert_cmpint (run_cli ((const char *[]) { "render", project, "-o", again, NULL }, &text),
                     ==, 0);
    g_assert_nonnull (strstr (text, "80x48, 6 frames, 1.00 s; with its sound"));
    check_frames (again, 6, 6.0, 80, 48);
    g_clear_pointer (&text, g_free);
    g_unlink (again);
    g_unlink (project);
  }
  g_assert_cmpint (run_cli ((const char *[]) { "render", clip, "-o", clip, NULL }, &text), !=, 0);
  g_assert_true (g_file_test (clip, G_FILE_TEST_EXISTS));
  g_unlink (out);
}

int
main (int argc, char **argv)
{
  int status;

  test_engine_init (&argc, &argv, &vk, &stylizer);
  photo = test_load_sample (320);
  dir = test_tmp_folder_new ();
  g_test_add_func ("/video/open", test_open);
  g_test_add_func ("/video/render-formats", test_render_formats);
  g_test_add_func ("/video/range", test_range);
  g_test_add_func ("/video/fast-clip", test_fast_clip);
  g_test_add_func ("/video/avi", test_avi);
  g_test_add_func ("/video/variable-rate", test_variable_rate);
  g_test_add_func ("/video/rotation", test_rotation);
  g_test_add_func ("/video/flicker", test_flicker);
  g_test_add_func ("/video/sound", test_sound);
  g_test_add_func ("/video/loop", test_loop);
  g_test_add_func ("/video/bad-input", test_bad_input);
  g_test_add_func ("/video/no-frame", test_no_frame);
  g_test_add_func ("/video/odd-clips", test_odd_clips);
  g_test_add_func ("/video/cancel", test_cancel);
  g_test_add_func ("/video/cli", test_cli);
  status = g_test_run ();
  test_tmp_folder_remove (dir);
  g_free (dir);
  ink_image_free (&photo);
  return test_engine_finish (status, &vk, &stylizer);
}
