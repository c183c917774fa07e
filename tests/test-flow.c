/* test-flow.c: the motion along arrows: ink stays single and at full strength in every frame,
 * an arrow moves its neighbourhood (its own reach, or the motion's) and not the picture, sway
 * goes out and comes back, anchors and the freeze mask hold. */
#include "ink-config.h"

#include <math.h>
#include <string.h>

#include "motion-common.h"
#include "test-common.h"
#include "ink-error.h"
#include "stylize.h"
#include "vk-context.h"

static InkVkContext *vk;
static InkImage *photo;     /* the bundled sample at 160 px */
static InkStylizer *stylizer;

/* Distance (picture heights) of pixel (X, Y) of a W x H picture from ARROW's segment. */
static double
arrow_distance (const InkArrow *arrow, int x, int y, int w, int h)
{
  double aspect = (double) w / h, px = (x + 0.5) / w * aspect, py = (y + 0.5) / h;
  double x0 = arrow->x0 * aspect, y0 = arrow->y0, dx = (arrow->x1 - arrow->x0) * aspect;
  double dy = arrow->y1 - arrow->y0, len2 = dx * dx + dy * dy;
  double t = len2 > 0.0 ? CLAMP (((px - x0) * dx + (py - y0) * dy) / len2, 0.0, 1.0) : 0.0;

  return hypot (px - x0 - t * dx, py - y0 - t * dy);
}

/* Full-strength ink: pixels of IMAGE within RADIUS of ARROW whose channels are all dark (the
 * preset's ink is black; a faded line is lighter). */
static int
count_ink (const InkImage *image, const InkArrow *arrow, double radius)
{
  int n = 0;

  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        const guint16 *p = image->pixels + 4 * ((gsize) y * image->width + x);
        if (arrow_distance (arrow, x, y, image->width, image->height) <= radius
            && MAX (p[0], MAX (p[1], p[2])) < 60 * 257)
          n++;
      }
  return n;
}

/* Circles of many colours with darker rims on a light, noisy green: contours everywhere. */
static InkImage *
make_contours (int w, int h)
{
  InkImage *image = ink_image_new (w, h);
  GRand *rand = g_rand_new_with_seed (5);
  double cx[40], cy[40], r[40], col[40][3];

  for (int k = 0; k < 40; k++)
    {
      cx[k] = g_rand_double (rand) * w, cy[k] = g_rand_double (rand) * h;
      r[k] = 6.0 + g_rand_double (rand) * 18.0;
      for (int c = 0; c < 3; c++)
        col[k][c] = g_rand_double (rand) * 0.8;
    }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint16 *p = image->pixels + 4 * ((gsize) y * w + x);
        double v[3] = { 0.55, 0.8, 0.45 }, grain = 0.05 * (g_rand_double (rand) - 0.5);

        for (int k = 0; k < 40; k++)
          {
            double d = hypot (x - cx[k], y - cy[k]);
            if (d < r[k])
              for (int c = 0; c < 3; c++)
                v[c] = d > r[k] - 2.0 ? 0.15 : col[k][c];
          }
        for (int c = 0; c < 3; c++)
          p[c] = (guint16) (CLAMP (v[c] + grain, 0.0, 1.0) * 65535.0);
        p[3] = 65535;
      }
  g_rand_free (rand);
  return image;
}

/* Ink in the flow (REFERENCES.md, "ink in motion"): in every frame the arrow's neighbourhood
 * keeps at least 0.8 of the still's full-strength ink pixels. Blending finished drawings (two
 * displaced copies at half strength) kept 0.45 of them on the sample photo. */
static void
check_ink_in_flow (const char *what, const InkImage *src)
{
  g_autoptr (GError) error = NULL;
  InkStyleParams s = anime_style ();
  InkMotionParams m = motion_only ();
  InkMotionHints *h = ink_motion_hints_new ();
  InkImage *still = ink_stylizer_run (stylizer, src, &s, NULL, &error);
  const InkArrow *arrow;
  double worst = G_MAXDOUBLE, sum = 0.0;
  int base;
  Loop loop;

  g_assert_no_error (error);
  m.flow = 1.0f;
  m.frames = 16;
  ink_motion_hints_add_arrow (h, 0.4f, 0.45f, 0.6f, 0.5f);
  arrow = &g_array_index (h->arrows, InkArrow, 0);
  base = count_ink (still, arrow, 0.12);
  g_assert_cmpint (base, >, 100);
  loop = render_loop (stylizer, src, &s, &m, h);
  for (int i = 0; i < loop.n; i++)
    {
      double r = (double) count_ink (loop.frames[i], arrow, 0.12) / base;
      worst = MIN (worst, r);
      sum += r;
    }
  g_test_message ("%s: full-strength ink near the arrow against the still (%d px): worst %.2f, "
                  "mean %.2f", what, base, worst, sum / loop.n);
  g_assert_cmpfloat (worst, >=, 0.8);
  check_seamless (what, &loop, TRUE);
  loop_free (&loop);
  ink_image_free (&still);
  ink_motion_hints_free (&h);
}

static void
test_ink_in_flow (void)
{
  InkImage *sample = test_load_sample (320), *contours = make_contours (320, 240);

  check_ink_in_flow ("sample", sample);
  check_ink_in_flow ("contours", contours);
  ink_image_free (&sample);
  ink_image_free (&contours);
}

/* The flow does not move anchored or frozen pixels. */
static void
test_anchors_and_mask (void)
{
  InkStyleParams s = anime_style ();
  InkMotionParams m = motion_only ();
  InkMotionHints *h = ink_motion_hints_new ();
  int w = photo->width, hgt = photo->height;
  InkImage *mask = ink_image_new (40, 40);
  Loop loop;
  int ax = w / 2, ay = hgt / 2;

  m.flow = 2.0f;
  ink_motion_hints_add_arrow (h, 0.1f, 0.1f, 0.4f, 0.2f);
  ink_motion_hints_add_arrow (h, 0.9f, 0.8f, 0.6f, 0.9f);
  ink_motion_hints_add_anchor (h, (ax + 0.5f) / w, (ay + 0.5f) / hgt);
  /* Frozen: the left quarter of the picture (the mask is stretched over it). */
  memset (mask->pixels, 0, (gsize) 40 * 40 * 8);
  for (int y = 0; y < 40; y++)
    for (int x = 0; x < 40; x++)
      {
        guint16 *p = mask->pixels + 4 * (y * 40 + x);
        p[0] = p[1] = p[2] = x < 8 ? 65535 : 0;
        p[3] = 65535;
      }
  h->mask = mask;
  loop = render_loop (stylizer, photo, &s, &m, h);
  for (int i = 1; i < loop.n; i++)
    {
      const InkImage *a = loop.frames[0], *b = loop.frames[i];
      double moved = 0.0;
      for (int y = 0; y < hgt; y++)
        for (int x = 0; x < w / 6; x++)
          for (int c = 0; c < 4; c++)
            g_assert_cmpint (a->pixels[4 * (y * w + x) + c], ==, b->pixels[4 * (y * w + x) + c]);
      for (int c = 0; c < 3; c++)
        g_assert_cmpint (abs (a->pixels[4 * (ay * w + ax) + c] - b->pixels[4 * (ay * w + ax) + c]),
                         <=, 257);
      moved = loop_diff (a, b);
      g_assert_cmpfloat (moved, >, 0.0);   /* elsewhere it flows */
    }
  check_seamless ("flow with anchor and mask", &loop, TRUE);
  loop_free (&loop);
  ink_motion_hints_free (&h);
}

/* Mean absolute difference of RGB (8-bit levels) between A and B over the pixels whose distance
 * (in picture heights) from the arrow's ends is above NEAR and at most FAR. */
static double
diff_band (const InkImage *a, const InkImage *b, const InkArrow *arrow, double near, double far)
{
  double sum = 0.0, aspect = (double) a->width / a->height;
  gsize n = 0;

  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width; x++)
      {
        double px = (x + 0.5) / a->width, py = (y + 0.5) / a->height;
        double d0 = hypot ((px - arrow->x0) * aspect, py - arrow->y0);
        double d1 = hypot ((px - arrow->x1) * aspect, py - arrow->y1);
        double d = MIN (d0, d1);
        gsize i = (gsize) y * a->width + x;

        if (d <= near || d > far)
          continue;
        for (int c = 0; c < 3; c++)
          sum += abs (a->pixels[4 * i + c] - b->pixels[4 * i + c]);
        n++;
      }
  g_assert_cmpuint (n, >, 0);
  return sum / (n * 3) / 257.0;
}

/* An arrow moves its neighbourhood, not the picture: beyond flow-reach (a quarter of the picture's
 * height by default) from the arrow nothing moves; near it the picture flows; a longer reach
 * moves farther. */
static void
test_flow_is_local (void)
{
  InkStyleParams s = anime_style ();
  InkMotionParams m = motion_only ();
  InkMotionHints *h = ink_motion_hints_new ();
  const InkArrow *arrow;
  Loop loop;
  double far_worst = 0.0, near_least = G_MAXDOUBLE;

  m.flow = 1.0f;
  ink_motion_hints_add_arrow (h, 0.2f, 0.5f, 0.3f, 0.5f);
  arrow = &g_array_index (h->arrows, InkArrow, 0);
  g_assert_cmpfloat (m.flow_reach, ==, 0.25f);
  loop = render_loop (stylizer, photo, &s, &m, h);
  for (int i = 1; i < loop.n; i++)
    {
      far_worst = MAX (far_worst, diff_band (loop.frames[0], loop.frames[i], arrow, 0.25, 10.0));
      near_least = MIN (near_least, diff_band (loop.frames[0], loop.frames[i], arrow, 0.0, 0.1));
    }
  g_test_message ("one arrow, reach 0.25: beyond it %.3f levels at worst; within 0.1 of it %.2f "
                  "levels at least", far_worst, near_least);
  g_assert_cmpfloat (far_worst, <, 0.5);
  g_assert_cmpfloat (near_least, >, 1.0);
  check_seamless ("local flow", &loop, TRUE);
  loop_free (&loop);

  /* Reach 0.6: the band from 0.3 to 0.4 of the height now flows. */
  m.flow_reach = 0.6f;
  loop = render_loop (stylizer, photo, &s, &m, h);
  g_assert_cmpfloat (diff_band (loop.frames[0], loop.frames[loop.n / 2], arrow, 0.3, 0.4), >, 0.5);
  loop_free (&loop);
  ink_motion_hints_free (&h);
}

/* An arrow's own reach overrides the motion's, for that arrow only. */
static void
test_arrow_reach (void)
{
  InkStyleParams s = anime_style ();
  InkMotionParams m = motion_only ();
  InkMotionHints *h = ink_motion_hints_new ();
  InkArrow near = { 0.2f, 0.5f, 0.3f, 0.5f, 0.1f, INK_ARROW_FLOW };
  Loop loop;
  double band = 0.0, inside = G_MAXDOUBLE;

  m.flow = 1.0f;
  g_array_append_val (h->arrows, near);
  loop = render_loop (stylizer, photo, &s, &m, h);
  for (int i = 1; i < loop.n; i++)
    {
      band = MAX (band, diff_band (loop.frames[0], loop.frames[i], &near, 0.1, 10.0));
      inside = MIN (inside, diff_band (loop.frames[0], loop.frames[i], &near, 0.0, 0.05));
    }
  g_test_message ("arrow with reach 0.1 (the motion's 0.25): beyond 0.1 %.3f levels at worst; "
                  "within 0.05 %.2f at least", band, inside);
  g_assert_cmpfloat (band, <, 0.5);
  g_assert_cmpfloat (inside, >, 1.0);
  loop_free (&loop);

  /* A second arrow without a reach of its own moves its surroundings as far as the motion's
   * reach says; the first keeps its own. */
  ink_motion_hints_add_arrow (h, 0.8f, 0.5f, 0.7f, 0.5f);
  m.flow_reach = 0.5f;
  loop = render_loop (stylizer, photo, &s, &m, h);
  g_assert_cmpfloat (diff_band (loop.frames[0], loop.frames[loop.n / 2],
                                &g_array_index (h->arrows, InkArrow, 1), 0.2, 0.3), >, 0.5);
  loop_free (&loop);
  ink_motion_hints_free (&h);
}

/* Sway: the picture swings out along the arrow and back, d = A sin (2 pi (t / N + 1 / 8));
 * nothing is cross-faded, so where d = 0 (frames 6 and 14 of 16) the frame is the still, ink stays
 * whole, nothing beyond the reach moves, and position and velocity meet at the seam. */
static void
test_sway (void)
{
  g_autoptr (GError) error = NULL;
  InkStyleParams s = anime_style ();
  InkMotionParams m = motion_only ();
  InkMotionHints *h = ink_motion_hints_new ();
  InkArrow sway = { 0.5f, 0.5f, 0.52f, 0.53f, 0.3f, INK_ARROW_SWAY };
  InkImage *still = ink_stylizer_run (stylizer, photo, &s, NULL, &error);
  InkArrow all = { 0.5f, 0.5f, 0.5f, 0.5f, 0.0f, INK_ARROW_SWAY };
  double far_worst = 0.0, quarter, worst_ink = G_MAXDOUBLE;
  int base;
  Loop loop;

  g_assert_no_error (error);
  m.frames = 16;
  g_array_append_val (h->arrows, sway);
  loop = render_loop (stylizer, photo, &s, &m, h);
  base = count_ink (still, &all, 10.0);
  for (int i = 1; i < loop.n; i++)
    {
      far_worst = MAX (far_worst, diff_band (still, loop.frames[i], &sway, 0.3, 10.0));
      worst_ink = MIN (worst_ink, (double) count_ink (loop.frames[i], &all, 10.0) / base);
    }
  quarter = diff_band (still, loop.frames[2], &sway, 0.0, 0.1);
  g_test_message ("sway: out furthest %.2f levels near the arrow; beyond its reach %.3f at worst; "
                  "frames 6 and 14 %.3f and %.3f from the still; full-strength ink %.2f of the "
                  "still's at worst", quarter, far_worst, loop_diff (still, loop.frames[6]),
                  loop_diff (still, loop.frames[14]), worst_ink);
  g_assert_cmpfloat (quarter, >, 2.0);
  g_assert_cmpfloat (far_worst, <, 0.5);
  g_assert_cmpfloat (loop_diff (still, loop.frames[6]), <, 0.05);
  g_assert_cmpfloat (loop_diff (still, loop.frames[14]), <, 0.05);
  g_assert_cmpfloat (worst_ink, >=, 0.8);
  check_seamless ("sway", &loop, TRUE);
  loop_free (&loop);

  /* The sway amount scales it; at 0 every frame is the still. */
  m.sway = 0.0f;
  loop = render_loop (stylizer, photo, &s, &m, h);
  check_all_still (&loop, still);
  loop_free (&loop);
  ink_image_free (&still);
  ink_motion_hints_free (&h);
}

int
main (int argc, char **argv)
{
  int status;

  test_engine_init (&argc, &argv, &vk, &stylizer);
  photo = test_load_sample (160);

  g_test_add_func ("/flow/ink-in-flow", test_ink_in_flow);
  g_test_add_func ("/flow/is-local", test_flow_is_local);
  g_test_add_func ("/flow/arrow-reach", test_arrow_reach);
  g_test_add_func ("/flow/sway", test_sway);
  g_test_add_func ("/flow/anchors-and-mask", test_anchors_and_mask);
  status = g_test_run ();
  ink_image_free (&photo);
  return test_engine_finish (status, &vk, &stylizer);
}
