/* motion-common.c: what the motion tests share: a loop rendered on a stylizer, frame differences
 * and the seam check. */
#include "motion-common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

Loop
render_loop (InkStylizer *stylizer, const InkImage *src, const InkStyleParams *style, const InkMotionParams *motion,
             const InkMotionHints *hints)
{
  g_autoptr (GError) error = NULL;
  InkAnimation *a = ink_animation_new (stylizer, src, style, motion, hints, NULL, &error);
  Loop loop = { motion->frames, g_new0 (InkImage *, motion->frames) };

  g_assert_no_error (error);
  for (int i = 0; i < loop.n; i++)
    {
      loop.frames[i] = ink_animation_render (a, i, NULL, &error);
      g_assert_no_error (error);
    }
  ink_animation_free (&a);
  return loop;
}

void
loop_free (Loop *loop)
{
  for (int i = 0; i < loop->n; i++)
    ink_image_free (&loop->frames[i]);
  g_free (loop->frames);
}

/* Mean absolute difference of RGB, in 8-bit levels. */
double
loop_diff (const InkImage *a, const InkImage *b)
{
  gsize n = (gsize) a->width * a->height;
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      sum += abs (a->pixels[4 * i + c] - b->pixels[4 * i + c]);
  return sum / (n * 3) / 257.0;
}

/* Mean absolute second difference a - 2b + c. */
static double
diff2 (const InkImage *a, const InkImage *b, const InkImage *c)
{
  gsize n = (gsize) a->width * a->height;
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    for (int k = 0; k < 3; k++)
      sum += fabs ((double) a->pixels[4 * i + k] - 2.0 * b->pixels[4 * i + k] + c->pixels[4 * i + k]);
  return sum / (n * 3) / 257.0;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Seam ratio (REFERENCES.md): the last-to-first step over the median step. With drawings held
 * for HOLD frames the seam is a change of drawing, so it is compared with the other changes of
 * drawing (steps into frames that are multiples of HOLD); steps of exactly 0 are left out.
 * VELOCITY also checks the second difference across the seam against the others'. */
void
check_seamless_held (const char *what, const Loop *loop, gboolean velocity, int hold)
{
  int n = loop->n;
  g_autofree double *steps = g_new (double, n);
  g_autofree double *sorted = g_new (double, n);
  int moving = 0;
  double seam = loop_diff (loop->frames[n - 1], loop->frames[0]), median, ratio;

  g_assert_cmpint (n % hold, ==, 0);
  for (int i = 0; i + 1 < n; i++)
    {
      steps[i] = loop_diff (loop->frames[i], loop->frames[i + 1]);
      if (steps[i] > 0.0 && (i + 1) % hold == 0)
        sorted[moving++] = steps[i];
    }
  g_assert_cmpint (moving, >, 0);
  qsort (sorted, moving, sizeof (double), cmp_double);
  median = moving % 2 ? sorted[moving / 2] : 0.5 * (sorted[moving / 2 - 1] + sorted[moving / 2]);
  ratio = seam / median;
  g_test_message ("%s: median step %.3f levels, seam %.3f, ratio %.2f", what, median, seam, ratio);
  g_assert_cmpfloat (median, >, 0.01);           /* it moves */
  g_assert_cmpfloat (ratio, >=, 0.5);
  g_assert_cmpfloat (ratio, <=, 1.5);
  if (velocity)
    {
      double lo = G_MAXDOUBLE, hi = 0.0, s1, s2;
      for (int i = 1; i + 1 < n; i++)
        {
          double d = diff2 (loop->frames[i - 1], loop->frames[i], loop->frames[i + 1]);
          lo = MIN (lo, d), hi = MAX (hi, d);
        }
      s1 = diff2 (loop->frames[n - 2], loop->frames[n - 1], loop->frames[0]);
      s2 = diff2 (loop->frames[n - 1], loop->frames[0], loop->frames[1]);
      g_test_message ("%s: second differences %.3f .. %.3f, across the seam %.3f and %.3f",
                      what, lo, hi, s1, s2);
      g_assert_cmpfloat (MAX (s1, s2), <=, hi * 1.25 + 0.01);
    }
}

void
check_seamless (const char *what, const Loop *loop, gboolean velocity)
{
  check_seamless_held (what, loop, velocity, 1);
}

InkMotionParams
motion_only (void)
{
  InkMotionParams m = INK_MOTION_PARAMS_DEFAULT;

  m.frames = 12;
  m.hold = 1;
  m.boil = 0.0f;
  m.flow = 0.0f;
  m.camera = INK_CAMERA_NONE;
  return m;
}

InkStyleParams
anime_style (void)
{
  InkStyleParams s;
  ink_style_params_preset (&s, "anime", NULL);
  return s;
}

void
check_all_still (const Loop *loop, const InkImage *still)
{
  gsize bytes = (gsize) still->width * still->height * 4 * sizeof (guint16);

  for (int i = 0; i < loop->n; i++)
    g_assert_true (memcmp (loop->frames[i]->pixels, still->pixels, bytes) == 0);
}
