/* test-motion.c: the animation: zero motion is the still, loops are seamless per layer and all
 * together, a half-size render is a miniature, the motion passes match their C references, and
 * the same seed gives the same frames. The flow's own tests are in test-flow.c. */
#include "ink-config.h"

#include <math.h>
#include <string.h>

#include "animate.h"
#include "compute.h"
#include "motion-common.h"
#include "test-common.h"
#include "ink-error.h"
#include "passes.h"
#include "stage-private.h"
#include "stylize.h"
#include "stylize-private.h"
#include "vk-context.h"

static InkVkContext *vk;
static InkImage *photo;     /* the bundled sample at 160 px */
static InkStylizer *stylizer;


static void
test_zero_motion_is_still (void)
{
  g_autoptr (GError) error = NULL;
  InkStyleParams s = anime_style ();
  InkMotionParams m = INK_MOTION_PARAMS_DEFAULT;
  InkMotionHints *h = ink_motion_hints_new ();
  InkImage *still = ink_stylizer_run (stylizer, photo, &s, NULL, &error);
  Loop loop;

  /* Every layer on, strength 0. */
  m.frames = 6;
  m.motion = 0.0f;
  m.camera = INK_CAMERA_SHAKE;
  m.focus_lines = m.speed_lines = TRUE;
  m.particles = INK_PARTICLES_SNOW;
  ink_motion_hints_add_arrow (h, 0.2f, 0.5f, 0.8f, 0.5f);
  {
    InkArrow sway = { 0.6f, 0.3f, 0.65f, 0.35f, 0.2f, INK_ARROW_SWAY };
    g_array_append_val (h->arrows, sway);
  }
  loop = render_loop (stylizer, photo, &s, &m, h);
  check_all_still (&loop, still);
  loop_free (&loop);
  ink_image_free (&still);
  ink_motion_hints_free (&h);
}

static void
test_default_is_alive (void)
{
  InkStyleParams s = anime_style ();
  InkMotionParams m = INK_MOTION_PARAMS_DEFAULT;
  Loop loop;
  double total = 0.0, worst = 0.0;

  loop = render_loop (stylizer, photo, &s, &m, NULL);
  for (int i = 0; i < loop.n; i++)
    {
      double d = loop_diff (loop.frames[i], loop.frames[(i + 1) % loop.n]);
      total += d;
      worst = MAX (worst, d);
    }
  g_test_message ("default motion: mean step %.3f levels, largest %.3f", total / loop.n, worst);
  g_assert_cmpfloat (total / loop.n, >, 0.05);   /* visibly alive */
  g_assert_cmpfloat (worst, <, 12.0);            /* but gentle */
  check_seamless_held ("default", &loop, FALSE, m.hold);
  loop_free (&loop);
}

static void
test_layers_seamless (void)
{
  InkStyleParams s = anime_style ();
  InkMotionHints *h = ink_motion_hints_new ();
  InkMotionParams m;
  Loop loop;
  static const struct { int mode; const char *name; } cameras[] = {
    { INK_CAMERA_BREATHE, "camera breathe" }, { INK_CAMERA_ZOOM, "camera zoom" },
    { INK_CAMERA_PAN, "camera pan" }, { INK_CAMERA_ROTATE, "camera rotate" },
    { INK_CAMERA_SHAKE, "camera shake" },
  };
  static const struct { int kind; const char *name; } particles[] = {
    { INK_PARTICLES_RAIN, "rain" }, { INK_PARTICLES_SNOW, "snow" },
    { INK_PARTICLES_PETALS, "petals" }, { INK_PARTICLES_SPARKLES, "sparkles" },
  };

  ink_motion_hints_add_arrow (h, 0.1f, 0.3f, 0.3f, 0.35f);
  ink_motion_hints_add_arrow (h, 0.6f, 0.7f, 0.75f, 0.6f);

  m = motion_only ();
  m.boil = 1.0f;
  m.hold = 2;
  loop = render_loop (stylizer, photo, &s, &m, NULL);
  check_seamless ("boil", &loop, FALSE);
  loop_free (&loop);

  m = motion_only ();
  m.flow = 1.0f;
  loop = render_loop (stylizer, photo, &s, &m, h);
  check_seamless ("flow", &loop, TRUE);
  loop_free (&loop);

  for (guint k = 0; k < G_N_ELEMENTS (cameras); k++)
    {
      m = motion_only ();
      m.camera = cameras[k].mode;
      m.camera_amount = 1.0f;
      loop = render_loop (stylizer, photo, &s, &m, NULL);
      check_seamless (cameras[k].name, &loop, TRUE);
      loop_free (&loop);
    }

  m = motion_only ();
  m.focus_lines = TRUE;
  m.hold = 2;
  loop = render_loop (stylizer, photo, &s, &m, NULL);
  check_seamless ("focus lines", &loop, FALSE);
  loop_free (&loop);

  m = motion_only ();
  m.speed_lines = TRUE;
  m.speed_angle = 30.0f;
  m.hold = 2;
  loop = render_loop (stylizer, photo, &s, &m, NULL);
  check_seamless ("speed lines", &loop, FALSE);
  loop_free (&loop);

  for (guint k = 0; k < G_N_ELEMENTS (particles); k++)
    {
      m = motion_only ();
      m.particles = particles[k].kind;
      m.particle_amount = 1.0f;
      loop = render_loop (stylizer, photo, &s, &m, NULL);
      check_seamless (particles[k].name, &loop, TRUE);
      loop_free (&loop);
    }

  m = (InkMotionParams) INK_MOTION_PARAMS_DEFAULT;
  m.frames = 12;
  m.hold = 2;
  m.camera = INK_CAMERA_PAN;
  m.particles = INK_PARTICLES_SNOW;
  m.focus_lines = TRUE;
  loop = render_loop (stylizer, photo, &s, &m, h);
  check_seamless_held ("everything", &loop, FALSE, m.hold);
  loop_free (&loop);
  ink_motion_hints_free (&h);
  g_assert_cmpuint (ink_vk_context_validation_messages (vk), ==, 0);
}

/* A half-size render is a miniature of the full-size one (same motion in relative units). */
static void
test_half_size (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (INK_SOURCE_DATADIR, "sample.png", NULL);
  InkLoadParams load = { .long_edge = 1280 };
  InkImage *big = ink_image_load (path, &load, &error), *small = ink_image_scale (big, 640, &error);
  InkStyleParams s = anime_style ();
  InkMotionParams m = INK_MOTION_PARAMS_DEFAULT;
  InkMotionHints *h = ink_motion_hints_new ();
  InkAnimation *a, *b;
  InkImage *fa, *fb, *down;
  double db;

  m.camera = INK_CAMERA_PAN;
  m.particles = INK_PARTICLES_SNOW;
  ink_motion_hints_add_arrow (h, 0.2f, 0.5f, 0.3f, 0.5f);
  a = ink_animation_new (stylizer, big, &s, &m, h, NULL, &error);
  fa = ink_animation_render (a, 5, NULL, &error);
  ink_animation_free (&a);
  b = ink_animation_new (stylizer, small, &s, &m, h, NULL, &error);
  fb = ink_animation_render (b, 5, NULL, &error);
  ink_animation_free (&b);
  g_assert_no_error (error);
  down = ink_image_scale (fa, 640, &error);
  db = test_psnr (down, fb);
  g_test_message ("frame 5 at 640 px vs 1280 px scaled to 640: PSNR %.1f dB", db);
  /* Each frame thresholds the line response where it reads it, so the camera's resampling keeps
   * lines crisp at both sizes; against the larger frame scaled down (soft, averaged edges) that
   * costs 0.7 dB over resampling finished ink (30.0 dB). */
  g_assert_cmpfloat (db, >=, 29.0);
  ink_image_free (&big), ink_image_free (&small), ink_image_free (&fa), ink_image_free (&fb);
  ink_image_free (&down);
  ink_motion_hints_free (&h);
}

static void
test_deterministic (void)
{
  InkStyleParams s = anime_style ();
  InkMotionParams m = INK_MOTION_PARAMS_DEFAULT;
  gsize bytes = (gsize) photo->width * photo->height * 8;
  Loop a, b, c;

  m.frames = 4;
  m.particles = INK_PARTICLES_PETALS;
  a = render_loop (stylizer, photo, &s, &m, NULL);
  b = render_loop (stylizer, photo, &s, &m, NULL);
  m.seed = 2;
  c = render_loop (stylizer, photo, &s, &m, NULL);
  for (int i = 0; i < a.n; i++)
    g_assert_true (memcmp (a.frames[i]->pixels, b.frames[i]->pixels, bytes) == 0);
  g_assert_false (memcmp (a.frames[1]->pixels, c.frames[1]->pixels, bytes) == 0);
  loop_free (&a), loop_free (&b), loop_free (&c);
}


/* New motion on a kept animation: the frames of an animation made anew with that motion, bit for
 * bit, without stylizing again; the time of each path is printed (a figure, not a check). */
static void
test_set_motion (void)
{
  g_autoptr (GError) error = NULL;
  InkStyleParams s = anime_style ();
  InkMotionParams m1 = INK_MOTION_PARAMS_DEFAULT, m2 = INK_MOTION_PARAMS_DEFAULT;
  InkMotionHints *h = ink_motion_hints_new ();
  gsize bytes = (gsize) photo->width * photo->height * 8;
  InkAnimation *kept;
  double t_new, t_kept;
  gint64 t0;
  Loop fresh;

  m1.frames = 4;
  m2.frames = 5;
  m2.camera = INK_CAMERA_PAN;
  m2.particles = INK_PARTICLES_SNOW;
  m2.boil = 1.0f;
  ink_motion_hints_add_arrow (h, 0.2f, 0.6f, 0.4f, 0.6f);
  kept = ink_animation_new (stylizer, photo, &s, &m1, NULL, NULL, &error);
  g_assert_no_error (error);

  t0 = g_get_monotonic_time ();
  fresh = render_loop (stylizer, photo, &s, &m2, h);
  t_new = (g_get_monotonic_time () - t0) / 1000.0;
  /* render_loop stylized the same photo with the same style on the shared stylizer, which is
   * what the kept animation's layers are. */
  t0 = g_get_monotonic_time ();
  g_assert_true (ink_animation_set_motion (kept, &m2, h, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ink_animation_n_frames (kept), ==, 5);
  for (int i = 0; i < fresh.n; i++)
    {
      InkImage *f = ink_animation_render (kept, i, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (memcmp (f->pixels, fresh.frames[i]->pixels, bytes) == 0);
      ink_image_free (&f);
    }
  t_kept = (g_get_monotonic_time () - t0) / 1000.0;
  g_test_message ("a motion change, %dx%d, %d frames: %.1f ms made anew, %.1f ms on the kept "
                  "layers", photo->width, photo->height, fresh.n, t_new, t_kept);

  /* A bad motion is refused and the animation keeps what it had. */
  m2.frames = 1;
  g_assert_false (ink_animation_set_motion (kept, &m2, h, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_assert_cmpint (ink_animation_n_frames (kept), ==, 5);

  loop_free (&fresh);
  ink_animation_free (&kept);
  ink_motion_hints_free (&h);
}

/* Largest and mean difference of 8-bit channels, or of halves. */
static void
compare_rgba8 (const char *what, const guint32 *a, const guint32 *b, gsize n, int max_tol,
               double mean_tol)
{
  int max = 0;
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    for (int c = 0; c < 4; c++)
      {
        int d = abs ((int) ((a[i] >> (8 * c)) & 0xff) - (int) ((b[i] >> (8 * c)) & 0xff));
        max = MAX (max, d);
        sum += d;
      }
  g_test_message ("%s: max %d levels (tolerance %d), mean %.4f (tolerance %.4f)", what, max,
                  max_tol, sum / (n * 4), mean_tol);
  g_assert_cmpint (max, <=, max_tol);
  g_assert_cmpfloat (sum / (n * 4), <=, mean_tol);
}

/* The frame pass with PF over INPUTS (flats and lines of N pixels, three working-size fields of
 * WN): the C reference into REF, and the device's result, returned. */
static guint32 *
frame_both (const void *const *inputs, gsize n, gsize wn, const InkPushFrame *pf, guint32 *ref)
{
  ink_pass_frame.ref (inputs, ref, pf);
  return test_run_pass (vk, &ink_pass_frame, inputs,
                        (gsize[]) { n * 4, n * 4, wn * 8, wn * 8, wn * 8 }, NULL, n * 4, pf);
}

static void
test_passes (void)
{
  int w = 96, h = 64, ww = 48, wh = 32;
  gsize n = (gsize) w * h, wn = (gsize) ww * wh;
  g_autofree guint32 *flats = g_new (guint32, n), *vel_ref = NULL, *vel_gpu = NULL;
  g_autofree float *lines = g_new (float, n), *mask = g_new0 (float, wn);
  /* A flow arrow with the motion's reach, a sway arrow with its own, an anchor. */
  float hints[3 * 8] = { 0.2f, 0.3f, 0.1f, 0.05f, 0.2f, 0, 0, 0,
                         0.7f, 0.6f, -0.1f, 0.08f, 0.45f, 1, 0, 0,
                         0.5f, 0.5f, 0, 0, 0, 0, 0, 0 };
  InkPushVelocity pv = { ww, wh, 2, 1, (float) w / h, 0.2f };
  InkPushFrame pf = {
    .width = w, .height = h, .work_width = ww, .work_height = wh, .frame = 3, .frames = 8,
    .drawing = 1, .seed = 7, .layers = INK_FRAME_LINES, .camera_on = 1, .flow_on = 1, .substeps = 8,
    .boil_amp = 1.5f, .boil_cell = 9.0f, .flow_sx = 12.0f, .flow_sy = 8.0f,
    .m00 = 0.98f, .m01 = 0.03f, .m02 = 1.2f, .m10 = -0.03f, .m11 = 0.98f, .m12 = 0.7f,
    .line_r = 0.1f, .line_g = 0.05f, .line_b = 0.0f, .line_alpha = 0.9f,
    .line_eps = -0.006f, .line_phi = 200.0f, .line_width = 1.5f, .sway_sx = 30.0f, .sway_sy = -20.0f,
  };
  InkPushOverlay po = {
    .width = w, .height = h, .frame = 3, .frames = 8, .drawing = 1, .seed = 7, .focus_on = 1,
    .speed_on = 1, .particles = INK_PARTICLES_PETALS, .focus_x = 40.0f, .focus_y = 30.0f,
    .focus_amount = 0.8f, .speed_dx = 0.8f, .speed_dy = 0.6f, .speed_amount = 0.7f,
    .particle_amount = 1.0f, .scale = 0.5f, .ink_r = 0.0f, .ink_g = 0.0f, .ink_b = 0.0f,
  };
  g_autofree guint32 *frame_ref = g_new (guint32, n), *frame_gpu = NULL, *over_ref = NULL;
  g_autofree guint32 *over_gpu = NULL;
  g_autofree float *map_back = NULL, *map_loop = NULL;
  int vel_max = 0;

  for (gsize i = 0; i < n; i++)
    {
      flats[i] = ink_hash1 (i) | 0xff000000u;
      lines[i] = (((i * 7) % 13) - 9) / 300.0f;   /* responses -0.03 .. 0.01 */
    }
  for (gsize i = 0; i < wn; i++)
    mask[i] = i % 5 == 0 ? 1.0f : 0.0f;

  vel_ref = g_new (guint32, 2 * wn);
  ink_pass_velocity.ref ((const void *[]) { hints, mask }, vel_ref, &pv);
  vel_gpu = test_run_pass (vk, &ink_pass_velocity, (const void *[]) { hints, mask },
                     (gsize[]) { sizeof hints, wn * 4 }, NULL, wn * 8, &pv);
  for (gsize i = 0; i < 2 * wn; i++)
    for (int c = 0; c < 2; c++)
      {
        float a = ink_half_to_float ((vel_ref[i] >> (16 * c)) & 0xffff);
        float b = ink_half_to_float ((vel_gpu[i] >> (16 * c)) & 0xffff);
        vel_max = MAX (vel_max, (int) (fabsf (a - b) * 1e4f));
      }
  g_test_message ("velocity: max difference %.4f (tolerance 0.0005)", vel_max / 1e4);
  g_assert_cmpint (vel_max, <=, 5);

  /* Position maps: two spans back from a zero map, and one forward. */
  {
    InkPushFlowmap pm = { ww, wh, 4, -3.0f, 0.05f };
    g_autofree float *zeros = g_new0 (float, 2 * wn), *back1 = g_new (float, 2 * wn);
    g_autofree float *back2 = g_new (float, 2 * wn), *gpu = NULL;
    double worst = 0.0;

    ink_pass_flowmap.ref ((const void *[]) { vel_ref, zeros }, back1, &pm);
    ink_pass_flowmap.ref ((const void *[]) { vel_ref, back1 }, back2, &pm);
    gpu = test_run_pass (vk, &ink_pass_flowmap, (const void *[]) { vel_ref, back1 },
                         (gsize[]) { wn * 8, wn * 8 }, NULL, wn * 8, &pm);
    double moved = 0.0;
    for (gsize i = 0; i < 2 * wn; i++)
      {
        worst = MAX (worst, fabs (gpu[i] - back2[i]));
        moved = MAX (moved, fabs (back2[i]));
      }
    g_test_message ("flow map: max difference %.2e (tolerance 1e-5); largest displacement %.4f",
                    worst, moved);
    g_assert_cmpfloat (worst, <=, 1e-5);
    g_assert_cmpfloat (moved, >, 1e-3);   /* it moves */
    pm.steps = 8.0f;
    map_loop = g_new (float, 2 * wn);
    ink_pass_flowmap.ref ((const void *[]) { vel_ref, back1 }, map_loop, &pm);
    map_back = g_steal_pointer (&back2);
  }
  pf.flow_back = 1.3f;
  frame_gpu = frame_both ((const void *[]) { flats, lines, vel_ref, map_back, map_loop }, n, wn,
                          &pf, frame_ref);
  /* Random flats make every sub-pixel difference in a sample position visible. */
  compare_rgba8 ("frame", frame_gpu, frame_ref, n, 2, 0.05);
  /* Each motion alone, and none: the device compiles a variant of the pass for each set of
   * motions a frame uses (InkPass.variant), and each must still match the reference. */
  {
    static const struct { const char *name; gboolean camera, sway, flow, boil, lines; } sets[] = {
      { "still", FALSE, FALSE, FALSE, FALSE, TRUE }, { "no lines", FALSE, FALSE, FALSE, FALSE, FALSE },
      { "camera", TRUE, FALSE, FALSE, FALSE, TRUE }, { "sway", FALSE, TRUE, FALSE, FALSE, TRUE },
      { "flow", FALSE, FALSE, TRUE, FALSE, TRUE }, { "boil", FALSE, FALSE, FALSE, TRUE, TRUE },
      { "camera and boil", TRUE, FALSE, FALSE, TRUE, TRUE },
    };

    for (guint k = 0; k < G_N_ELEMENTS (sets); k++)
      {
        InkPushFrame one = pf;
        g_autofree guint32 *ref = g_new (guint32, n), *gpu = NULL;
        g_autofree char *what = g_strdup_printf ("frame, %s", sets[k].name);
        gsize moved = 0;

        one.camera_on = sets[k].camera;
        one.flow_on = sets[k].flow;
        one.sway_sx = sets[k].sway ? pf.sway_sx : 0.0f;
        one.sway_sy = sets[k].sway ? pf.sway_sy : 0.0f;
        one.boil_amp = sets[k].boil ? pf.boil_amp : 0.0f;
        one.layers = sets[k].lines ? INK_FRAME_LINES : 0;
        gpu = frame_both ((const void *[]) { flats, lines, vel_ref, map_back, map_loop }, n, wn,
                          &one, ref);
        compare_rgba8 (what, gpu, ref, n, 2, 0.05);
        for (gsize i = 0; i < n; i++)
          moved += (ref[i] & 0xffffff) != (frame_ref[i] & 0xffffff);
        g_assert_cmpuint (moved, >, 0);   /* not the frame with everything on */
      }
  }
  /* Flats read in place (the learned generator's repainted frames): they do not move. */
  {
    InkPushFrame in_place = pf;
    g_autofree guint32 *ref = g_new (guint32, n), *gpu = NULL;
    gsize unmoved = 0;

    in_place.layers |= INK_FRAME_FLATS_IN_PLACE;
    in_place.line_alpha = 0.0f;
    gpu = frame_both ((const void *[]) { flats, lines, vel_ref, map_back, map_loop }, n, wn,
                      &in_place, ref);
    compare_rgba8 ("frame, flats in place", gpu, ref, n, 2, 0.05);
    for (gsize i = 0; i < n; i++)
      unmoved += ref[i] == flats[i];
    g_assert_cmpuint (unmoved, ==, n);
  }
  /* Positions: each pixel's displacement to where the frame reads, as halves. */
  {
    InkPushFrame where = pf;
    g_autofree guint32 *ref = g_new (guint32, n), *gpu = NULL;
    double worst = 0.0, moved = 0.0;

    where.layers = INK_FRAME_POSITIONS;
    gpu = frame_both ((const void *[]) { flats, lines, vel_ref, map_back, map_loop }, n, wn,
                      &where, ref);
    for (gsize i = 0; i < n; i++)
      for (int c = 0; c < 2; c++)
        {
          float a = ink_half_to_float ((guint16) (ref[i] >> (16 * c)));
          float b = ink_half_to_float ((guint16) (gpu[i] >> (16 * c)));
          worst = MAX (worst, fabsf (a - b));
          moved = MAX (moved, fabsf (a));
        }
    g_test_message ("frame positions: max difference %.4f px; largest displacement %.1f px",
                    worst, moved);
    g_assert_cmpfloat (worst, <=, 0.02);
    g_assert_cmpfloat (moved, >, 0.5);
  }

  over_ref = g_memdup2 (frame_ref, n * 4);
  ink_pass_overlay.ref (NULL, over_ref, &po);
  over_gpu = test_run_pass (vk, &ink_pass_overlay, NULL, NULL, frame_ref, n * 4, &po);
  compare_rgba8 ("overlay", over_gpu, over_ref, n, 2, 0.05);
  /* Each effect alone: a variant of the pass each (InkPass.variant). */
  for (int k = 0; k < 3; k++)
    {
      InkPushOverlay one = po;
      g_autofree guint32 *ref = g_memdup2 (frame_ref, n * 4), *gpu = NULL;
      static const char *const names[] = { "overlay, focus lines", "overlay, speed lines",
                                           "overlay, particles" };

      one.focus_on = k == 0;
      one.speed_on = k == 1;
      one.particles = k == 2 ? po.particles : INK_PARTICLES_NONE;
      ink_pass_overlay.ref (NULL, ref, &one);
      gpu = test_run_pass (vk, &ink_pass_overlay, NULL, NULL, frame_ref, n * 4, &one);
      compare_rgba8 (names[k], gpu, ref, n, 2, 0.05);
      g_assert_false (memcmp (ref, frame_ref, n * 4) == 0);   /* it draws something */
    }
  g_assert_cmpuint (ink_vk_context_validation_messages (vk), ==, 0);
}

static gboolean
rgba8_differ (guint32 a, guint32 b)
{
  for (int c = 0; c < 32; c += 8)
    if (abs ((int) ((a >> c) & 0xff) - (int) ((b >> c) & 0xff)) > 3)
      return TRUE;
  return FALSE;
}

/* The learned generator's loops (a tiny random model of its graph): every frame of a loop that
 * flows painted anew from the moved photo, the same on the device and the C reference; still at
 * strength 0; seamless. */
static void
test_learned (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *model = g_build_filename (INK_SOURCE_DATADIR, "..", "tests", "data", "network",
                                            "generator-tiny.safetensors", NULL);
  InkStylizer *cpu = ink_stylizer_new (NULL, &error);
  InkStyleParams s = anime_style ();
  InkMotionParams m = INK_MOTION_PARAMS_DEFAULT;
  InkMotionHints *h = ink_motion_hints_new ();
  InkImage *still;
  Loop loop, ref;
  double worst = 99.0, repainted = 0.0, unmoved = 0.0;

  g_setenv ("INKLOOP_MODEL", model, TRUE);
  /* The two paths compared in fp32: with the device's default fp16 storage the painting's
   * palette can pick another colour (test-stages compares the two precisions). */
  g_setenv ("INKLOOP_PRECISION", "fp32", TRUE);
  s.generator = INK_GENERATOR_LEARNED;
  m.frames = 6;
  m.camera = INK_CAMERA_SHAKE;
  ink_motion_hints_add_arrow (h, 0.2f, 0.5f, 0.8f, 0.5f);
  loop = render_loop (stylizer, photo, &s, &m, h);
  ref = render_loop (cpu, photo, &s, &m, h);
  for (int i = 0; i < loop.n; i++)
    worst = MIN (worst, test_psnr (loop.frames[i], ref.frames[i]));
  g_test_message ("learned loop: Vulkan vs C reference, worst frame %.1f dB", worst);
  g_assert_cmpfloat (worst, >=, 35.0);
  check_seamless ("learned", &loop, FALSE);
  /* The temporal layer is fed the frame before whatever the order: frames made backwards are
   * the same pictures. */
  {
    InkAnimation *a = ink_animation_new (stylizer, photo, &s, &m, h, NULL, &error);

    g_assert_no_error (error);
    for (int i = loop.n - 1; i >= 0; i--)
      {
        InkImage *frame = ink_animation_render (a, i, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpmem (frame->pixels, (gsize) frame->width * frame->height * 8,
                         loop.frames[i]->pixels, (gsize) frame->width * frame->height * 8);
        ink_image_free (&frame);
      }
    ink_animation_free (&a);
  }
  /* Played in order, a frame takes the frame before's moved photo from the last one; a new
   * motion must not: frame 2 after frames 0 and 1 under another arrow is the frame 2 that
   * animation makes first. */
  {
    InkMotionHints *h2 = ink_motion_hints_new ();
    InkAnimation *a = ink_animation_new (stylizer, photo, &s, &m, h, NULL, &error);
    InkImage *in_order = NULL, *alone = NULL;

    g_assert_no_error (error);
    ink_motion_hints_add_arrow (h2, 0.3f, 0.3f, 0.7f, 0.6f);
    for (int i = 0; i < 2; i++)
      {
        InkImage *frame = ink_animation_render (a, i, NULL, &error);
        g_assert_no_error (error);
        ink_image_free (&frame);
      }
    g_assert_true (ink_animation_set_motion (a, &m, h2, &error));
    in_order = ink_animation_render (a, 2, NULL, &error);
    g_assert_no_error (error);
    ink_animation_free (&a);
    a = ink_animation_new (stylizer, photo, &s, &m, h2, NULL, &error);
    g_assert_no_error (error);
    alone = ink_animation_render (a, 2, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (in_order->pixels, (gsize) in_order->width * in_order->height * 8,
                     alone->pixels, (gsize) alone->width * alone->height * 8);
    ink_image_free (&in_order), ink_image_free (&alone);
    ink_animation_free (&a);
    ink_motion_hints_free (&h2);
  }
  loop_free (&loop), loop_free (&ref);

  /* A moving frame is painted from the moved photo, not made by moving the still's flats; with
   * no motion the two differ only by the moved photo's 8 bits. */
  {
    InkStylizeStats stats;
    InkPushFrame pf;
    float cam[6];
    gsize n = (gsize) photo->width * photo->height;
    g_autofree guint32 *moved = g_new (guint32, n), *painted = g_new (guint32, n);
    double ms;

    g_assert_true (ink_stylizer_make_layers (stylizer, photo, &s, &stats, &error));
    g_assert_true (ink_stylizer_has_learned_layers (stylizer));
    ink_stylizer_frame_defaults (stylizer, &pf);
    g_assert_true (ink_stylizer_render_frame (stylizer, &pf, NULL, NULL, moved, &ms, &error));
    g_assert_true (ink_stylizer_render_repainted (stylizer, &pf, NULL, NULL, NULL, NULL, NULL,
                                                  painted, &ms, &error));
    for (gsize i = 0; i < n; i++)
      unmoved += rgba8_differ (moved[i], painted[i]);
    m.camera = INK_CAMERA_PAN;
    g_assert_true (ink_camera_matrix (&m, 2, photo->width, photo->height, cam));
    pf.camera_on = 1;
    pf.m00 = cam[0], pf.m01 = cam[1], pf.m02 = cam[2];
    pf.m10 = cam[3], pf.m11 = cam[4], pf.m12 = cam[5];
    g_assert_true (ink_stylizer_render_frame (stylizer, &pf, NULL, NULL, moved, &ms, &error));
    g_assert_true (ink_stylizer_render_repainted (stylizer, &pf, NULL, NULL, NULL, NULL, NULL,
                                                  painted, &ms, &error));
    g_assert_no_error (error);
    for (gsize i = 0; i < n; i++)
      repainted += rgba8_differ (moved[i], painted[i]);
    g_test_message ("pixels painted differently from the moved still: %.1f %% in a panned "
                    "frame, %.1f %% with no motion (by over 3 levels)", 100 * repainted / n, 100 * unmoved / n);
    g_assert_cmpfloat (repainted, >, 0.05 * n);
    g_assert_cmpfloat (unmoved, <, repainted / 4);
    m.camera = INK_CAMERA_SHAKE;
  }

  /* Transparency moves with the picture, as on the procedural path, in frames painted anew (the
   * loop flows) and in frames of a loop that the camera alone moves. */
  for (int flows = 1; flows >= 0; flows--)
    {
      InkImage *cut = ink_image_copy (photo);
      Loop learned, procedural;
      int worst_alpha = 0;

      cut->has_alpha = TRUE;
      for (int y = 0; y < cut->height; y++)
        for (int x = 0; x < cut->width / 3; x++)
          cut->pixels[((gsize) y * cut->width + x) * 4 + 3] = 0;
      m.camera = INK_CAMERA_PAN;
      learned = render_loop (stylizer, cut, &s, &m, flows ? h : NULL);
      s.generator = INK_GENERATOR_PROCEDURAL;
      procedural = render_loop (stylizer, cut, &s, &m, flows ? h : NULL);
      s.generator = INK_GENERATOR_LEARNED;
      for (int i = 0; i < learned.n; i++)
        for (gsize k = 0; k < (gsize) cut->width * cut->height; k++)
          worst_alpha = MAX (worst_alpha, abs (learned.frames[i]->pixels[4 * k + 3]
                                               - procedural.frames[i]->pixels[4 * k + 3]) >> 8);
      g_test_message ("a panned photo with transparency%s: alpha differs from the procedural "
                      "path's by %d levels at most", flows ? ", flowing" : "", worst_alpha);
      g_assert_cmpint (worst_alpha, <=, 2);
      loop_free (&learned), loop_free (&procedural);
      ink_image_free (&cut);
      m.camera = INK_CAMERA_SHAKE;
    }

  s.generator = INK_GENERATOR_LEARNED;
  m.motion = 0.0f;
  still = ink_stylizer_run (stylizer, photo, &s, NULL, &error);
  g_assert_no_error (error);
  loop = render_loop (stylizer, photo, &s, &m, h);
  check_all_still (&loop, still);
  loop_free (&loop);
  ink_image_free (&still);
  ink_motion_hints_free (&h);
  ink_stylizer_free (&cpu);
  g_unsetenv ("INKLOOP_PRECISION");
  g_unsetenv ("INKLOOP_MODEL");
  g_assert_cmpuint (ink_vk_context_validation_messages (vk), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  test_engine_init (&argc, &argv, &vk, &stylizer);
  photo = test_load_sample (160);

  g_test_add_func ("/motion/passes-vs-reference", test_passes);
  g_test_add_func ("/motion/zero-is-still", test_zero_motion_is_still);
  g_test_add_func ("/motion/default-is-alive", test_default_is_alive);
  g_test_add_func ("/motion/layers-seamless", test_layers_seamless);
  g_test_add_func ("/motion/half-size", test_half_size);
  g_test_add_func ("/motion/deterministic", test_deterministic);
  g_test_add_func ("/motion/set-motion", test_set_motion);
  g_test_add_func ("/motion/learned", test_learned);
  status = g_test_run ();
  ink_image_free (&photo);
  return test_engine_finish (status, &vk, &stylizer);
}
