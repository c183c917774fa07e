/* test-palette.c: small subjects keep their colour: a small red disc on textured green leaves
 * keeps a palette entry of its colour, and stays red (or, in black and white, a tone of its own)
 * in every preset and at any palette size. */
#include "ink-config.h"

#include <math.h>

#include "color.h"
#include "passes.h"
#include "stylize.h"
#include "test-common.h"

static InkVkContext *vk;
static InkStylizer *stylizer;

#define W 480
#define H 320

typedef struct {
  double cx, cy, r;        /* the disc, px */
  float colour[3];         /* its OKLab colour */
} Disc;

/* Leaves: green blobs of several shades with a little grain; the disc on top, covering AREA of
 * the picture. */
static InkImage *
make_leaves (double area, const float disc_rgb[3], Disc *disc)
{
  InkImage *image = ink_image_new (W, H);
  GRand *rand = g_rand_new_with_seed (11);
  double bx[60], by[60], br[60], shade[60];
  float lin[3];

  for (int k = 0; k < 60; k++)
    {
      bx[k] = g_rand_double (rand) * W, by[k] = g_rand_double (rand) * H;
      br[k] = 15.0 + g_rand_double (rand) * 40.0, shade[k] = 0.6 + 0.5 * g_rand_double (rand);
    }
  disc->cx = 0.62 * W, disc->cy = 0.41 * H, disc->r = sqrt (area * W * H / G_PI);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        guint16 *p = image->pixels + 4 * ((gsize) y * W + x);
        double s = 0.8, grain = 0.06 * (g_rand_double (rand) - 0.5);
        double rgb[3];

        for (int k = 0; k < 60; k++)
          if (hypot (x - bx[k], y - by[k]) < br[k])
            s = shade[k];
        rgb[0] = 0.22 * s + grain, rgb[1] = 0.55 * s + grain, rgb[2] = 0.16 * s + grain;
        if (hypot (x + 0.5 - disc->cx, y + 0.5 - disc->cy) < disc->r)
          for (int c = 0; c < 3; c++)
            rgb[c] = disc_rgb[c];
        for (int c = 0; c < 3; c++)
          p[c] = (guint16) lrint (CLAMP (rgb[c], 0.0, 1.0) * 65535.0);
        p[3] = 65535;
      }
  for (int c = 0; c < 3; c++)
    lin[c] = ink_srgb_to_linear (disc_rgb[c]);
  ink_linear_to_oklab (lin, disc->colour);
  g_rand_free (rand);
  return image;
}

/* Mean OKLab of IMAGE over the disc's inside (a pixel in from its edge). */
static void
disc_mean (const InkImage *image, const Disc *disc, gboolean inside, float lab[3])
{
  double sum[3] = { 0, 0, 0 };
  int n = 0;

  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        double d = hypot (x + 0.5 - disc->cx, y + 0.5 - disc->cy);
        const guint16 *p = image->pixels + 4 * ((gsize) y * image->width + x);
        float lin[3], c[3];

        if (inside ? d > disc->r - 1.5 : (d < disc->r + 3.0 || d > disc->r + 12.0))
          continue;
        for (int k = 0; k < 3; k++)
          lin[k] = ink_srgb_to_linear (p[k] / 65535.0f);
        ink_linear_to_oklab (lin, c);
        for (int k = 0; k < 3; k++)
          sum[k] += c[k];
        n++;
      }
  g_assert_cmpint (n, >, 0);
  for (int k = 0; k < 3; k++)
    lab[k] = (float) (sum[k] / n);
}

static double
hue_degrees (const float lab[3])
{
  return atan2 (lab[2], lab[1]) * 180.0 / G_PI;
}

static double
distance (const float a[3], const float b[3])
{
  return sqrt ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])
               + (a[2] - b[2]) * (a[2] - b[2]));
}

/* The palette has an entry within INK_SALIENT_SERVED of the disc's colour, for any size. */
static void
test_palette_keeps (void)
{
  static const float red[3] = { 0.80f, 0.08f, 0.06f }, blue[3] = { 0.15f, 0.25f, 0.85f };
  static const double areas[] = { 0.0006, 0.001, 0.01 };
  static const int sizes[] = { 2, 4, 8, 14, 32 };

  for (guint a = 0; a < G_N_ELEMENTS (areas); a++)
    for (int c = 0; c < 2; c++)
      {
        Disc disc;
        InkImage *image = make_leaves (areas[a], c ? blue : red, &disc);

        for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
          {
            float palette[INK_PALETTE_MAX * 4];
            int n = ink_palette_fit (image, sizes[s], palette);
            double best = G_MAXDOUBLE;

            for (int k = 0; k < n; k++)
              best = MIN (best, distance (palette + 4 * k, disc.colour));
            g_test_message ("%s disc, %.2f %% of the picture, %d colours: %d entries, the nearest "
                            "%.3f from its colour", c ? "blue" : "red", 100 * areas[a], sizes[s], n,
                            best);
            g_assert_cmpfloat (best, <=, INK_SALIENT_SERVED);
          }
        ink_image_free (&image);
      }
}

/* Stylized, the red disc stays red (its hue within 20 degrees, most of its chroma) in every
 * colour preset and at any --colors; in black and white its tone differs from the leaves'. */
static void
test_stays_red (void)
{
  static const float red[3] = { 0.80f, 0.08f, 0.06f };
  static const int sizes[] = { 2, 6, 32 };
  g_autoptr (GError) error = NULL;
  Disc disc;
  InkImage *image = make_leaves (0.001, red, &disc);

  for (const char *const *preset = ink_style_preset_names (); *preset != NULL; preset++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        InkStyleParams p;
        InkImage *out;
        float in_disc[3], around[3];
        double chroma, source_chroma = hypot (disc.colour[1], disc.colour[2]);

        g_assert_true (ink_style_params_preset (&p, *preset, &error));
        p.colors = sizes[s];
        out = ink_stylizer_run (stylizer, image, &p, NULL, &error);
        g_assert_no_error (error);
        disc_mean (out, &disc, TRUE, in_disc);
        disc_mean (out, &disc, FALSE, around);
        chroma = hypot (in_disc[1], in_disc[2]);
        g_test_message ("%s, %d colours: disc L %.2f C %.3f hue %.0f (source C %.3f hue %.0f); "
                        "around L %.2f; distance %.3f", *preset, sizes[s], in_disc[0], chroma,
                        hue_degrees (in_disc), source_chroma, hue_degrees (disc.colour), around[0],
                        distance (in_disc, disc.colour));
        if (p.mono)
          g_assert_cmpfloat (fabs (in_disc[0] - around[0]), >=, 0.1);
        else
          {
            double dh = fabs (hue_degrees (in_disc) - hue_degrees (disc.colour));
            g_assert_cmpfloat (MIN (dh, 360.0 - dh), <=, 20.0);
            g_assert_cmpfloat (chroma, >=, 0.7 * source_chroma);
          }
        ink_image_free (&out);
      }
  ink_image_free (&image);
}

/* In black and white a blue disc of about its surroundings' grey does not vanish: a line goes
 * round it (most of a ring across its edge is black, where the dot screen alone has a third). */
static void
test_manga_outlines (void)
{
  static const float blue[3] = { 0.30f, 0.42f, 0.95f };
  g_autoptr (GError) error = NULL;
  Disc disc;
  InkImage *image = make_leaves (0.004, blue, &disc), *out;
  InkStyleParams p;
  int ink = 0, n = 0;

  g_assert_true (ink_style_params_preset (&p, "manga", &error));
  out = ink_stylizer_run (stylizer, image, &p, NULL, &error);
  g_assert_no_error (error);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        double d = hypot (x + 0.5 - disc.cx, y + 0.5 - disc.cy);
        if (fabs (d - disc.r) <= 1.5)
          {
            ink += out->pixels[4 * ((gsize) y * W + x)] < 60 * 257;
            n++;
          }
      }
  g_test_message ("manga, a blue disc on green: %.2f of the ring across its edge is ink",
                  (double) ink / n);
  g_assert_cmpfloat ((double) ink / n, >=, 0.7);
  ink_image_free (&out);
  ink_image_free (&image);
}

int
main (int argc, char **argv)
{
  test_engine_init (&argc, &argv, &vk, &stylizer);

  g_test_add_func ("/palette/keeps-small-subjects", test_palette_keeps);
  g_test_add_func ("/palette/stays-red", test_stays_red);
  g_test_add_func ("/palette/manga-outlines", test_manga_outlines);
  return test_engine_finish (g_test_run (), &vk, &stylizer);
}
