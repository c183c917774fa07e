/* test-stages.c: every pass on the Vulkan device against its C reference, the whole stylizer on
 * both paths, determinism, parameters and resolution independence; validation layer on. */
#include "ink-config.h"

#include <math.h>
#include <string.h>

#include "color.h"
#include "compute.h"
#include "test-common.h"
#include "ink-error.h"
#include "passes.h"
#include "stage-private.h"
#include "stylize.h"
#include "vk-context.h"

static InkVkContext *vk;
static InkImage *photo;   /* the bundled sample at 160 px */

/* Buffers on the host: the C path's and the GPU path's copy of each intermediate. */
typedef struct {
  const InkPass *pass;
  gsize out_size;
  const void *push;
} PassRun;


static void *
run_ref (const InkPass *pass, const void *const *inputs, gsize out_size, const void *push)
{
  void *result = g_malloc0 (out_size);
  pass->ref (inputs, result, push);
  return result;
}

typedef enum { FMT_HALF4, FMT_HALF2, FMT_LAB32, FMT_FLOAT, FMT_RGBA8 } Fmt;

/* Value J (of the values per pixel) of pixel I of a buffer in format FMT, as a float. */
static double
value_at (Fmt fmt, const void *buf, gsize i, int j)
{
  float lab[3];

  switch (fmt)
    {
    case FMT_HALF4:
      return ink_half_to_float (((const guint16 *) buf)[4 * i + j]);
    case FMT_HALF2:
      return ink_half_to_float (((const guint16 *) buf)[2 * i + j]);
    case FMT_LAB32:
      ink_unpack_lab (((const guint32 *) buf)[i], lab);
      return lab[j];
    case FMT_FLOAT:
      return ((const float *) buf)[i];
    default:
      return ((const guint8 *) buf)[4 * i + j];
    }
}

static const int values_per_pixel[] = { 4, 2, 3, 1, 4 };

/* Compares two outputs: the largest and the mean absolute difference per value. */
static void
compare (const char *what, Fmt fmt, const void *a, const void *b, gsize n_pixels,
         double max_tol, double mean_tol)
{
  double max = 0.0, sum = 0.0;
  int per = values_per_pixel[fmt];
  gsize n = n_pixels * per;

  for (gsize i = 0; i < n_pixels; i++)
    for (int j = 0; j < per; j++)
      {
        double x = value_at (fmt, a, i, j), y = value_at (fmt, b, i, j), d;

        g_assert_true (isfinite (x) && isfinite (y));
        d = fabs (x - y);
        max = MAX (max, d);
        sum += d;
      }
  g_test_message ("%s: max %.3g (tolerance %.3g), mean %.3g (tolerance %.3g)", what, max,
                  max_tol, sum / n, mean_tol);
  if (max > max_tol || sum / n > mean_tol)
    g_error ("%s: Vulkan and C reference differ: max %.4g > %.4g or mean %.4g > %.4g", what, max,
             max_tol, sum / n, mean_tol);
}

/* Runs PASS both ways on INPUTS, checks the results agree, returns the C result (the input of
 * the next pass, so differences do not pile up). */
static void *
check_pass (const InkPass *pass, const void *const *inputs, const gsize *sizes, gsize out_size,
            const void *push, Fmt fmt, double max_tol, double mean_tol)
{
  const gint32 *wh = push;
  g_autofree void *gpu = test_run_pass (vk, pass, inputs, sizes, NULL, out_size, push);
  void *ref = run_ref (pass, inputs, out_size, push);

  compare (pass->name, fmt, gpu, ref, (gsize) wh[0] * wh[1], max_tol, mean_tol);
  return ref;
}

static void
test_passes (void)
{
  int w = photo->width, h = photo->height, ww = w / 2, wh = h / 2;
  gsize n = (gsize) w * h, wn = (gsize) ww * wh;
  float palette[INK_PALETTE_MAX * 4];
  InkPushResample reduce = { ww, wh, w, h }, same = { w, h, w, h }, up = { w, h, ww, wh };
  InkPushResample flow_up = { w, h, ww, wh };
  InkPushSize ps = { w, h };
  InkPushGauss pg = { .width = w, .height = h, .dx = 1, .dy = 0, .n = 4, .sigma = 1.5f, .step = 2.0f };
  InkPushBilateral pb = { .width = w, .height = h, .mode = 0, .n = 6, .sigma_d = 3.0f,
                          .step = 1.0f, .sigma_r = 0.0425f };
  InkPushFlatten pf = { .width = w, .height = h, .src_width = w, .src_height = h, .colors = 12,
                        .tones = 3, .flatten = 0.8f, .softness = 0.02f, .cel_amount = 0.5f,
                        .cel_step = 0.09f };
  InkPushDog pd = { .width = w, .height = h, .n = 4, .sigma = 0.8f, .k = 1.6f, .tau = 0.995f,
                    .step = 1.0f };
  InkPushLines pl = { .width = w, .height = h, .n = 5, .sigma = 2.0f, .step = 1.0f };
  InkPushComposite pc = { .width = w, .height = h, .mono = 0, .saturation = 1.2f,
                          .contrast = 1.1f, .screentone = 0.0f, .tone_cell = 4.0f };
  g_autofree void *lab = NULL, *small = NULL, *big = NULL, *tensor = NULL, *blur = NULL;
  g_autofree void *flow = NULL, *flow_big = NULL, *across = NULL, *smooth = NULL, *flat = NULL;
  g_autofree void *dog = NULL, *lines = NULL, *rgba = NULL, *mono = NULL;

  /* Tolerances: lab32 quantizes to 1/2047 (L) .. 1/1023 (b) of the range and half floats round at
   * 2^-11 relative, so one step either way is allowed where float maths (exp, pow, tanh differ by
   * a few ulp between LLVM and glibc) lands on a rounding edge; the soft thresholds amplify that
   * near their edges. Means must stay far below one step. */
  lab = check_pass (&ink_pass_reduce, (const void *[]) { photo->pixels }, (gsize[]) { n * 8 },
                    n * 4, &same, FMT_LAB32, 1.0 / 1023, 1e-4);
  small = check_pass (&ink_pass_reduce, (const void *[]) { photo->pixels }, (gsize[]) { n * 8 },
                      wn * 4, &reduce, FMT_LAB32, 1.0 / 1023, 1e-4);
  big = check_pass (&ink_pass_upsample, (const void *[]) { small }, (gsize[]) { wn * 4 },
                    n * 4, &up, FMT_LAB32, 1.0 / 1023, 1e-4);
  tensor = check_pass (&ink_pass_tensor, (const void *[]) { lab }, (gsize[]) { n * 4 }, n * 8,
                       &ps, FMT_HALF4, 1e-2, 1e-4);
  blur = check_pass (&ink_pass_gauss, (const void *[]) { tensor }, (gsize[]) { n * 8 }, n * 8,
                     &pg, FMT_HALF4, 1e-2, 1e-4);
  pg.dx = 0, pg.dy = 1;
  g_free (tensor);
  tensor = check_pass (&ink_pass_gauss, (const void *[]) { blur }, (gsize[]) { n * 8 }, n * 8,
                       &pg, FMT_HALF4, 1e-2, 1e-4);
  flow = check_pass (&ink_pass_flow, (const void *[]) { tensor }, (gsize[]) { n * 8 }, n * 4,
                     &same, FMT_HALF2, 2e-3, 1e-4);
  flow_big = check_pass (&ink_pass_flow, (const void *[]) { blur }, (gsize[]) { wn * 8 }, n * 4,
                         &flow_up, FMT_HALF2, 2e-3, 1e-4);
  across = check_pass (&ink_pass_bilateral, (const void *[]) { lab, flow },
                       (gsize[]) { n * 4, n * 4 }, n * 4, &pb, FMT_LAB32, 1.0 / 1023, 1e-4);
  pb.mode = 1;
  smooth = check_pass (&ink_pass_bilateral, (const void *[]) { across, flow },
                       (gsize[]) { n * 4, n * 4 }, n * 4, &pb, FMT_LAB32, 1.0 / 1023, 1e-4);
  pf.colors = ink_palette_fit (photo, pf.colors, palette);
  flat = check_pass (&ink_pass_flatten, (const void *[]) { smooth, palette },
                     (gsize[]) { n * 4, sizeof palette }, n * 4, &pf, FMT_LAB32, 1.0 / 1023, 1e-4);
  pf.src_width = ww, pf.src_height = wh;
  g_free (flat);
  flat = check_pass (&ink_pass_flatten, (const void *[]) { small, palette },
                     (gsize[]) { wn * 4, sizeof palette }, n * 4, &pf, FMT_LAB32, 1.0 / 1023, 1e-4);
  dog = check_pass (&ink_pass_dog, (const void *[]) { smooth, flow }, (gsize[]) { n * 4, n * 4 },
                    n * 4, &pd, FMT_FLOAT, 1e-4, 1e-5);
  lines = check_pass (&ink_pass_lines, (const void *[]) { dog, flow }, (gsize[]) { n * 4, n * 4 },
                      n * 4, &pl, FMT_FLOAT, 2e-4, 1e-5);
  /* The black-and-white DoG is a variant of its own (InkPass.variant), as are the composite's
   * black and white with and without its screentone below. */
  {
    InkPushDog mono_dog = pd;
    g_autofree void *grey = NULL;

    mono_dog.darken = INK_MONO_DARKEN;
    grey = check_pass (&ink_pass_dog, (const void *[]) { smooth, flow },
                       (gsize[]) { n * 4, n * 4 }, n * 4, &mono_dog, FMT_FLOAT, 1e-4, 1e-5);
  }
  rgba = check_pass (&ink_pass_composite, (const void *[]) { flat, photo->pixels },
                     (gsize[]) { n * 4, n * 8 }, n * 4, &pc, FMT_RGBA8, 1, 0.05);
  pc.mono = 1, pc.screentone = 0.0f;
  g_free (mono);
  mono = check_pass (&ink_pass_composite, (const void *[]) { flat, photo->pixels },
                     (gsize[]) { n * 4, n * 8 }, n * 4, &pc, FMT_RGBA8, 2, 0.05);
  pc.screentone = 1.0f;
  g_free (mono);
  mono = check_pass (&ink_pass_composite, (const void *[]) { flat, photo->pixels },
                     (gsize[]) { n * 4, n * 8 }, n * 4, &pc, FMT_RGBA8, 2, 0.05);
  g_assert_cmpuint (ink_vk_context_validation_messages (vk), ==, 0);
}

static InkImage *
stylize (InkStylizer *s, const InkImage *src, const char *preset)
{
  g_autoptr (GError) error = NULL;
  InkStyleParams params;
  InkImage *out;

  g_assert_true (ink_style_params_preset (&params, preset, &error));
  out = ink_stylizer_run (s, src, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

/* A recording in two parts (ink_compute_submit: the first runs while the rest is recorded) gives
 * what one part gives, times every dispatch of both, and may be abandoned after its first part. */
static void
test_submit_in_parts (void)
{
  g_autoptr (GError) error = NULL;
  int w = photo->width, h = photo->height;
  gsize n = (gsize) w * h;
  float palette[INK_PALETTE_MAX * 4];
  InkPushResample same = { w, h, w, h };
  InkPushFlatten pf = { .width = w, .height = h, .src_width = w, .src_height = h, .colors = 12,
                        .tones = 3, .flatten = 0.8f, .softness = 0.02f, .cel_amount = 0.5f,
                        .cel_step = 0.09f };
  g_autofree guint32 *whole = g_new (guint32, n), *parts = g_new (guint32, n);
  InkCompute *c = ink_compute_new (vk, &error);
  InkBuffer *src, *lab, *pal, *flat;

  g_assert_no_error (error);
  pf.colors = ink_palette_fit (photo, pf.colors, palette);
  src = ink_buffer_new (c, n * 8, "src", &error);
  lab = ink_buffer_new (c, n * 4, "lab", &error);
  pal = ink_buffer_new (c, sizeof palette, "palette", &error);
  flat = ink_buffer_new (c, n * 4, "flat", &error);
  g_assert_no_error (error);
  for (int split = 0; split < 2; split++)
    {
      g_assert_true (ink_compute_begin (c, &error));
      g_assert_true (ink_compute_upload (c, src, photo->pixels, n * 8, &error));
      g_assert_true (ink_compute_dispatch (c, &ink_pass_reduce, (InkBuffer *[]) { src }, lab,
                                           &same, 0, &error));
      if (split)
        g_assert_true (ink_compute_submit (c, &error));
      g_assert_true (ink_compute_upload (c, pal, palette, sizeof palette, &error));
      g_assert_true (ink_compute_dispatch (c, &ink_pass_flatten, (InkBuffer *[]) { lab, pal },
                                           flat, &pf, 1, &error));
      g_assert_true (ink_compute_download (c, flat, split ? parts : whole, n * 4, &error));
      g_assert_true (ink_compute_finish (c, &error));
      g_assert_no_error (error);
      if (ink_compute_is_gpu (c))
        {
          /* Both dispatches, and with two parts the wait between them (tag -1). */
          const GArray *t = ink_compute_timings (c);

          g_assert_cmpuint (t->len, ==, split ? 3 : 2);
          g_assert_cmpint (g_array_index (t, InkTiming, 0).tag, ==, 0);
          g_assert_cmpint (g_array_index (t, InkTiming, t->len - 1).tag, ==, 1);
        }
    }
  g_assert_true (memcmp (whole, parts, n * 4) == 0);

  /* Abandoned after its first part: the next recording waits for it, then starts afresh. */
  g_assert_true (ink_compute_begin (c, &error));
  g_assert_true (ink_compute_dispatch (c, &ink_pass_reduce, (InkBuffer *[]) { src }, lab, &same,
                                       0, &error));
  g_assert_true (ink_compute_submit (c, &error));
  g_assert_true (ink_compute_begin (c, &error));
  g_assert_true (ink_compute_dispatch (c, &ink_pass_flatten, (InkBuffer *[]) { lab, pal }, flat,
                                       &pf, 1, &error));
  g_assert_true (ink_compute_download (c, flat, parts, n * 4, &error));
  g_assert_true (ink_compute_finish (c, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (whole, parts, n * 4) == 0);
  ink_buffer_free (&src), ink_buffer_free (&lab), ink_buffer_free (&pal);
  ink_buffer_free (&flat);
  ink_compute_free (&c);
  g_assert_cmpuint (ink_vk_context_validation_messages (vk), ==, 0);
}

static void
test_pipeline_matches_reference (void)
{
  g_autoptr (GError) error = NULL;
  InkStylizer *gpu = ink_stylizer_new (vk, &error), *cpu = ink_stylizer_new (NULL, &error);

  for (const char *const *p = ink_style_preset_names (); *p; p++)
    {
      InkImage *a = stylize (gpu, photo, *p), *b = stylize (cpu, photo, *p);
      double db = test_psnr (a, b);

      g_test_message ("preset %s: Vulkan vs C reference PSNR %.1f dB", *p, db);
      /* Tiny per-pass differences can flip a line pixel or a screentone dot edge. */
      g_assert_cmpfloat (db, >=, 35.0);
      ink_image_free (&a);
      ink_image_free (&b);
    }
  ink_stylizer_free (&gpu);
  ink_stylizer_free (&cpu);
  g_assert_cmpuint (ink_vk_context_validation_messages (vk), ==, 0);
}

static void
test_deterministic (void)
{
  g_autoptr (GError) error = NULL;
  InkStylizer *gpu = ink_stylizer_new (vk, &error), *cpu = ink_stylizer_new (NULL, &error);
  InkStylizer *gpu2 = ink_stylizer_new (vk, &error);
  InkImage *a = stylize (gpu, photo, "comic"), *b = stylize (gpu, photo, "comic");
  InkImage *c = stylize (gpu2, photo, "comic");
  InkImage *d = stylize (cpu, photo, "comic"), *e = stylize (cpu, photo, "comic");
  gsize bytes = (gsize) photo->width * photo->height * 8;

  g_assert_true (memcmp (a->pixels, b->pixels, bytes) == 0);
  g_assert_true (memcmp (a->pixels, c->pixels, bytes) == 0);
  g_assert_true (memcmp (d->pixels, e->pixels, bytes) == 0);
  ink_image_free (&a), ink_image_free (&b), ink_image_free (&c);
  ink_image_free (&d), ink_image_free (&e);
  ink_stylizer_free (&gpu), ink_stylizer_free (&gpu2), ink_stylizer_free (&cpu);
}

/* The preview is a miniature of the export: stylizing at half size is close to stylizing at full
 * size and scaling down. */
static void
test_resolution_independent (void)
{
  g_autoptr (GError) error = NULL;
  InkStylizer *s = ink_stylizer_new (vk, &error);
  g_autofree char *path = g_build_filename (INK_SOURCE_DATADIR, "sample.png", NULL);
  InkLoadParams big_load = { .long_edge = 600 }, small_load = { .long_edge = 300 };
  InkImage *big = ink_image_load (path, &big_load, &error);
  InkImage *small = ink_image_load (path, &small_load, &error);
  InkImage *big_out = stylize (s, big, "anime"), *small_out = stylize (s, small, "anime");
  InkImage *down = ink_image_scale (big_out, 300, &error);
  InkImage *flat_small, *flat_down, *down_flat;
  double db = test_psnr (down, small_out);

  g_assert_no_error (error);
  g_test_message ("anime at 300 px vs 600 px scaled to 300: PSNR %.1f dB", db);
  g_assert_cmpfloat (db, >=, 24.0);

  /* Without lines the flats alone must agree closely. */
  {
    InkStyleParams p;
    ink_style_params_preset (&p, "anime", NULL);
    p.line_weight = 0.0f;
    flat_small = ink_stylizer_run (s, small, &p, NULL, &error);
    down_flat = ink_stylizer_run (s, big, &p, NULL, &error);
    flat_down = ink_image_scale (down_flat, 300, &error);
    db = test_psnr (flat_small, flat_down);
    g_test_message ("flats only: PSNR %.1f dB", db);
    g_assert_cmpfloat (db, >=, 28.0);
  }
  /* Across the working size (1024 px): 1600 px stylized and scaled to 800 vs 800 px stylized. */
  {
    InkLoadParams l1 = { .long_edge = 1600 };
    InkImage *a = ink_image_load (path, &l1, &error), *b = ink_image_scale (a, 800, &error);
    InkImage *a_out = stylize (s, a, "comic"), *b_out = stylize (s, b, "comic");
    InkImage *a_down = ink_image_scale (a_out, 800, &error);

    db = test_psnr (a_down, b_out);
    g_test_message ("comic at 800 px vs 1600 px scaled to 800: PSNR %.1f dB", db);
    g_assert_cmpfloat (db, >=, 24.0);
    ink_image_free (&a), ink_image_free (&b), ink_image_free (&a_out), ink_image_free (&b_out);
    ink_image_free (&a_down);
  }
  ink_image_free (&big), ink_image_free (&small), ink_image_free (&big_out);
  ink_image_free (&small_out), ink_image_free (&down), ink_image_free (&flat_small);
  ink_image_free (&flat_down), ink_image_free (&down_flat);
  ink_stylizer_free (&s);
}

static void
test_tiny_images (void)
{
  g_autoptr (GError) error = NULL;
  InkStylizer *gpu = ink_stylizer_new (vk, &error), *cpu = ink_stylizer_new (NULL, &error);
  int sizes[][2] = { { 1, 1 }, { 1, 7 }, { 9, 1 }, { 2, 2 }, { 17, 3 } };

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      InkImage *src = ink_image_new (sizes[k][0], sizes[k][1]);
      for (int i = 0; i < sizes[k][0] * sizes[k][1] * 4; i++)
        src->pixels[i] = (i * 7919) & 0xffff;
      for (const char *const *p = ink_style_preset_names (); *p; p++)
        {
          InkImage *a = stylize (gpu, src, *p), *b = stylize (cpu, src, *p);
          g_assert_cmpint (a->width, ==, sizes[k][0]);
          g_assert_cmpint (b->height, ==, sizes[k][1]);
          ink_image_free (&a), ink_image_free (&b);
        }
      ink_image_free (&src);
    }
  ink_stylizer_free (&gpu), ink_stylizer_free (&cpu);
  g_assert_cmpuint (ink_vk_context_validation_messages (vk), ==, 0);
}

static void
test_alpha_kept (void)
{
  g_autoptr (GError) error = NULL;
  InkStylizer *s = ink_stylizer_new (vk, &error);
  InkImage *src = ink_image_copy (photo), *out;

  for (int y = 0; y < src->height; y++)
    for (int x = 0; x < src->width; x++)
      src->pixels[4 * ((gsize) y * src->width + x) + 3] = x < src->width / 2 ? 0 : 65535;
  src->has_alpha = TRUE;
  out = stylize (s, src, "anime");
  g_assert_true (out->has_alpha);
  g_assert_cmpuint (out->pixels[3], ==, 0);
  g_assert_cmpuint (out->pixels[4 * (src->width - 1) + 3], ==, 65535);
  ink_image_free (&src), ink_image_free (&out);
  ink_stylizer_free (&s);
}

/* Each stage's control does what it says. */
static void
test_controls_act (void)
{
  g_autoptr (GError) error = NULL;
  InkStylizer *s = ink_stylizer_new (vk, &error);
  InkStyleParams p = INK_STYLE_PARAMS_DEFAULT;
  g_autofree char *path = g_build_filename (INK_SOURCE_DATADIR, "sample.png", NULL);
  InkImage *photo = ink_image_load (path, NULL, &error);
  InkImage *thin, *thick, *none, *mono, *faint;
  double dark_thin = 0, dark_thick = 0, dark_none = 0, chroma = 0, ink_thin = 0, ink_faint = 0;
  gsize n = (gsize) photo->width * photo->height;

  p.line_weight = 0.0f;
  none = ink_stylizer_run (s, photo, &p, NULL, &error);
  p.line_weight = 1.0f;
  thin = ink_stylizer_run (s, photo, &p, NULL, &error);
  p.line_weight = 5.0f;
  thick = ink_stylizer_run (s, photo, &p, NULL, &error);
  p.line_weight = 0.3f;    /* thinner than 600 px can show: the stroke fades */
  faint = ink_stylizer_run (s, photo, &p, NULL, &error);
  p.mono = TRUE;
  mono = ink_stylizer_run (s, photo, &p, NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    {
      dark_none += none->pixels[4 * i] < 0x2000;
      dark_thin += thin->pixels[4 * i] < 0x2000;
      dark_thick += thick->pixels[4 * i] < 0x2000;
      chroma += abs (mono->pixels[4 * i] - mono->pixels[4 * i + 2]);
      ink_thin += none->pixels[4 * i] - (double) thin->pixels[4 * i];
      ink_faint += none->pixels[4 * i] - (double) faint->pixels[4 * i];
    }
  g_test_message ("ink (red channel sum) weight 1: %.0f, weight 0.3: %.0f", ink_thin, ink_faint);
  g_assert_cmpfloat (ink_faint, >, 0.0);
  g_assert_cmpfloat (ink_faint, <, ink_thin);
  g_test_message ("dark pixels: no lines %.0f, weight 1 %.0f, weight 5 %.0f", dark_none, dark_thin,
                  dark_thick);
  g_assert_cmpfloat (dark_thin, >, dark_none);
  g_assert_cmpfloat (dark_thick, >, dark_thin * 1.5);
  g_assert_cmpfloat (chroma / n, <, 300.0);  /* grey within rounding */
  ink_image_free (&none), ink_image_free (&thin), ink_image_free (&thick), ink_image_free (&mono);
  ink_image_free (&faint), ink_image_free (&photo);
  ink_stylizer_free (&s);
}

static void
test_params (void)
{
  InkStyleParams p = INK_STYLE_PARAMS_DEFAULT;
  guint n;
  const InkParamSpec *specs = ink_style_param_specs (&n);
  GError *error = NULL;

  g_assert_true (ink_style_params_validate (&p, &error));
  /* The defaults in the struct initializer and in the table agree. */
  for (guint i = 0; i < n; i++)
    {
      const void *f = (const char *) &p + specs[i].offset;
      if (specs[i].type == INK_PARAM_INT)
        g_assert_cmpfloat (*(const int *) f, ==, specs[i].def);
      else if (specs[i].type == INK_PARAM_FLOAT)
        g_assert_cmpfloat_with_epsilon (*(const float *) f, specs[i].def, 1e-6);
    }
  for (const char *const *name = ink_style_preset_names (); *name; name++)
    {
      g_assert_true (ink_style_params_preset (&p, *name, &error));
      g_assert_true (ink_style_params_validate (&p, &error));
    }
  g_assert_false (ink_style_params_preset (&p, "vaporwave", &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_assert_nonnull (strstr (error->message, "anime"));
  g_clear_error (&error);

  g_assert_false (ink_style_params_set (&p, "line-weight", "9", &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_assert_cmpstr (error->message, ==, "line-weight is 9; it must be between 0 and 8 px");
  g_clear_error (&error);
  g_assert_false (ink_style_params_set (&p, "colors", "2.5", &error));
  g_clear_error (&error);
  g_assert_false (ink_style_params_set (&p, "flatten", "lots", &error));
  g_clear_error (&error);
  g_assert_false (ink_style_params_set (&p, "flatten", "nan", &error));
  g_clear_error (&error);
  g_assert_false (ink_style_params_set (&p, "no-such-thing", "1", &error));
  g_clear_error (&error);
  g_assert_true (ink_style_params_set (&p, "line-color", "#ff8000", &error));
  g_assert_cmpfloat_with_epsilon (p.line_color[1], 128 / 255.0, 1e-6);
  g_assert_false (ink_style_params_set (&p, "line-color", "orange", &error));
  g_clear_error (&error);
  g_assert_true (ink_style_params_set (&p, "colors", "32", &error));

  p.cel_tones = 1;
  g_assert_false (ink_style_params_validate (&p, &error));
  g_assert_nonnull (strstr (error->message, "cel-tones"));
  g_clear_error (&error);
  p.cel_tones = 0;
  p.saturation = -1.0f;
  g_assert_false (ink_style_params_validate (&p, &error));
  g_assert_cmpstr (error->message, ==, "saturation is -1; it must be between 0 and 2 x");
  g_clear_error (&error);
}

static void
test_palette (void)
{
  float a[INK_PALETTE_MAX * 4], b[INK_PALETTE_MAX * 4];
  int na = ink_palette_fit (photo, 12, a), nb = ink_palette_fit (photo, 12, b);

  g_assert_cmpint (na, ==, nb);
  g_assert_cmpint (na, >=, 12);
  g_assert_cmpint (na, <=, 12 + INK_PALETTE_EXTRA);
  g_assert_true (memcmp (a, b, na * 16) == 0);
  for (int k = 1; k < na; k++)
    g_assert_cmpfloat (a[4 * k], >=, a[4 * (k - 1)]);   /* darkest first */
  g_assert_cmpint (ink_palette_fit (photo, 32, a), <=, INK_PALETTE_MAX);
  g_assert_cmpint (ink_palette_fit (photo, 2, b), >=, 2);
}

/* The learned generator on both paths (a tiny model of its graph with random weights, so the
 * check is of the plumbing, not of a training run); every hand control still acts on it; a
 * missing model is an error that names it. */
static void
test_learned (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *model = g_build_filename (INK_SOURCE_DATADIR, "..", "tests", "data", "network",
                                            "generator-tiny.safetensors", NULL);
  InkStylizer *gpu = ink_stylizer_new (vk, &error), *cpu = ink_stylizer_new (NULL, &error);
  InkStyleParams p = INK_STYLE_PARAMS_DEFAULT;
  InkImage *procedural, *a, *b, *again, *grey, *lines, *flat;
  gsize n = (gsize) photo->width * photo->height;
  double changed = 0, chroma = 0, dark_a = 0, dark_lines = 0, flat_moved = 0;

  g_setenv ("INKLOOP_MODEL", model, TRUE);
  procedural = ink_stylizer_run (gpu, photo, &p, NULL, &error);
  p.generator = INK_GENERATOR_LEARNED;
  /* The device keeps the network's values as halves by default; the palette fitted to the
   * painting can then choose a slightly different colour, so the two paths are compared in
   * fp32, and fp16 against fp32 below. */
  {
    InkStylizer *fp16 = ink_stylizer_new (vk, &error);
    InkImage *full, *half;

    half = ink_stylizer_run (fp16, photo, &p, NULL, &error);
    g_setenv ("INKLOOP_PRECISION", "fp32", TRUE);
    full = ink_stylizer_run (gpu, photo, &p, NULL, &error);
    g_assert_no_error (error);
    g_test_message ("learned: the device's fp16 storage against its fp32, PSNR %.1f dB",
                    test_psnr (half, full));
    g_assert_cmpfloat (test_psnr (half, full), >=, 30.0);
    ink_image_free (&half);
    ink_image_free (&full);
    ink_stylizer_free (&fp16);
  }
  a = ink_stylizer_run (gpu, photo, &p, NULL, &error);
  g_assert_no_error (error);
  b = ink_stylizer_run (cpu, photo, &p, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("learned: Vulkan vs C reference PSNR %.1f dB; against procedural %.1f dB",
                  test_psnr (a, b), test_psnr (a, procedural));
  g_assert_cmpfloat (test_psnr (a, b), >=, 35.0);
  again = ink_stylizer_run (gpu, photo, &p, NULL, &error);   /* the kept painting */
  g_assert_true (memcmp (a->pixels, again->pixels, n * 8) == 0);

  p.saturation = 0.0f;
  grey = ink_stylizer_run (gpu, photo, &p, NULL, &error);
  p.saturation = 1.15f;
  p.line_weight = 5.0f;
  lines = ink_stylizer_run (gpu, photo, &p, NULL, &error);
  p.line_weight = 2.0f;
  p.flatten = 1.0f;
  p.colors = 4;
  flat = ink_stylizer_run (gpu, photo, &p, NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    {
      for (int c = 0; c < 3; c++)
        {
          changed += abs (a->pixels[4 * i + c] - procedural->pixels[4 * i + c]) > 0x400;
          flat_moved += abs (a->pixels[4 * i + c] - flat->pixels[4 * i + c]) > 0x400;
        }
      chroma += abs (grey->pixels[4 * i] - grey->pixels[4 * i + 2]);
      dark_a += a->pixels[4 * i] < 0x2000;
      dark_lines += lines->pixels[4 * i] < 0x2000;
    }
  g_test_message ("learned: %.1f %% of values differ from procedural; flat colour moves %.1f %%; "
                  "dark pixels %.0f, at line weight 5 %.0f", 100 * changed / (3 * n),
                  100 * flat_moved / (3 * n), dark_a, dark_lines);
  g_assert_cmpfloat (changed, >, 0.05 * 3 * n);
  g_assert_cmpfloat (flat_moved, >, 0.05 * 3 * n);
  g_assert_cmpfloat (dark_lines, >, dark_a * 1.5);
  g_assert_cmpfloat (chroma / n, <, 300.0);
  ink_image_free (&procedural), ink_image_free (&a), ink_image_free (&b);
  ink_image_free (&again), ink_image_free (&grey), ink_image_free (&lines);
  ink_image_free (&flat);
  ink_stylizer_free (&gpu);

  /* A missing model: the message names the file. */
  g_setenv ("INKLOOP_MODEL", "/nonexistent/generator.safetensors", TRUE);
  gpu = ink_stylizer_new (vk, &error);
  p = (InkStyleParams) INK_STYLE_PARAMS_DEFAULT;
  p.generator = INK_GENERATOR_LEARNED;
  a = ink_stylizer_run (gpu, photo, &p, NULL, &error);
  g_assert_null (a);
  g_assert_error (error, INK_ERROR, INK_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/generator.safetensors"));
  g_unsetenv ("INKLOOP_MODEL");
  g_unsetenv ("INKLOOP_PRECISION");
  ink_stylizer_free (&gpu);
  ink_stylizer_free (&cpu);
  g_assert_cmpuint (ink_vk_context_validation_messages (vk), ==, 0);
}

static void
test_devices (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = ink_vk_list_devices (NULL, &error);
  InkVkContextParams params = { .device = "no-such-device" };
  InkVkContext *none;
  guint chosen = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, 1);
  for (guint i = 0; i < list->len; i++)
    chosen += ((InkVkDeviceInfo *) g_ptr_array_index (list, i))->chosen;
  g_assert_cmpuint (chosen, ==, 1);
  none = ink_vk_context_new (&params, &error);
  g_assert_null (none);
  g_assert_error (error, INK_ERROR, INK_ERROR_NO_DEVICE);
}

int
main (int argc, char **argv)
{
  int status;

  test_engine_init (&argc, &argv, &vk, NULL);
  photo = test_load_sample (160);

  g_test_add_func ("/params/ranges", test_params);
  g_test_add_func ("/params/palette", test_palette);
  g_test_add_func ("/vulkan/devices", test_devices);
  g_test_add_func ("/stages/vulkan-vs-reference", test_passes);
  g_test_add_func ("/compute/submit-in-parts", test_submit_in_parts);
  g_test_add_func ("/stylize/vulkan-vs-reference", test_pipeline_matches_reference);
  g_test_add_func ("/stylize/deterministic", test_deterministic);
  g_test_add_func ("/stylize/resolution-independent", test_resolution_independent);
  g_test_add_func ("/stylize/tiny-images", test_tiny_images);
  g_test_add_func ("/stylize/alpha", test_alpha_kept);
  g_test_add_func ("/stylize/controls", test_controls_act);
  g_test_add_func ("/stylize/learned", test_learned);
  status = g_test_run ();
  ink_image_free (&photo);
  return test_engine_finish (status, &vk, NULL);
}
