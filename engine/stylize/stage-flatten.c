/* stage-flatten.c: stage 2, colour flattening: the palette fitted by k-means in OKLab (host, once
 * per image) and the soft snapping with optional cel shading (C reference and pass). */
#include "stage-private.h"

#include <string.h>

#include "flatten.spv.h"

#define GRID 96            /* the palette is fitted on a GRID px (long edge) area-averaged image */
#define ITERATIONS 16
#define CHROMA_WEIGHT 40.0f  /* sample weight 1 + CHROMA_WEIGHT x OKLab chroma */

static float
soft_round (float x)
{
  float f = floorf (x);
  return f + ink_smoothstep (0.35f, 0.65f, x - f);
}

static void
ref_flatten (const void *const *in, void *out, const void *push)
{
  const InkPushFlatten *pc = push;
  const guint32 *src = in[0];
  const float *palette = in[1];
  guint32 *dst = out;
  gsize n = (gsize) pc->width * pc->height;

  for (gsize i = 0; i < n; i++)
    {
      InkBilinearMap m = ink_bilinear_map (pc->width, pc->height, pc->src_width, pc->src_height,
                                           i % pc->width, i / pc->width);
      float c[3], d1 = 1e9f, d2 = 1e9f, w2, snapped[3], f[3];
      int k1 = 0, k2 = 0;

      ink_sample_lab (src, &m, c);
      for (int k = 0; k < pc->colors; k++)
        {
          const float *p = palette + 4 * k;
          float d = (c[0] - p[0]) * (c[0] - p[0]) + (c[1] - p[1]) * (c[1] - p[1])
                    + (c[2] - p[2]) * (c[2] - p[2]);
          if (d < d1)
            d2 = d1, k2 = k1, d1 = d, k1 = k;
          else if (d < d2)
            d2 = d, k2 = k;
        }
      w2 = pc->colors > 1 ? expf ((d1 - d2) / (2.0f * pc->softness * pc->softness)) : 0.0f;
      for (int k = 0; k < 3; k++)
        {
          snapped[k] = (palette[4 * k1 + k] + w2 * palette[4 * k2 + k]) / (1.0f + w2);
          f[k] = c[k] + (snapped[k] - c[k]) * pc->flatten;
        }
      if (pc->tones >= 2)
        {
          float centre = 0.5f * (pc->tones - 1);
          float x = ink_clampf ((c[0] - snapped[0]) / pc->cel_step + centre, 0.0f,
                                (float) (pc->tones - 1));
          float cel = snapped[0] + (soft_round (x) - centre) * pc->cel_step;
          f[0] += (cel - f[0]) * pc->cel_amount;
        }
      dst[i] = ink_pack_lab (f);
    }
}

INK_DEFINE_PASS (flatten, 2, InkPushFlatten);

/* OKLab samples of IMAGE area-averaged (in linear light) onto a GRID px grid; opaque cells only. */
static GArray *
grid_samples (const InkImage *image)
{
  int w = image->width, h = image->height, longest = MAX (w, h);
  int gw = MAX (1, (int) lrintf ((float) GRID * w / longest));
  int gh = MAX (1, (int) lrintf ((float) GRID * h / longest));
  g_autofree double *sums = g_new0 (double, (gsize) gw * gh * 5);
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (float) * 3);
  float lut[256];

  for (int v = 0; v < 256; v++)
    lut[v] = ink_srgb_to_linear (v / 255.0f);
  for (int y = 0; y < h; y++)
    {
      int cy = MIN (gh - 1, (int) ((y + 0.5) * gh / h));
      for (int x = 0; x < w; x++)
        {
          int cx = MIN (gw - 1, (int) ((x + 0.5) * gw / w));
          const guint16 *p = image->pixels + 4 * ((gsize) y * w + x);
          double *s = sums + 5 * ((gsize) cy * gw + cx);
          double a = p[3] / 65535.0;

          s[0] += a * lut[p[0] >> 8];
          s[1] += a * lut[p[1] >> 8];
          s[2] += a * lut[p[2] >> 8];
          s[3] += a;
          s[4] += 1.0;
        }
    }
  for (gsize c = 0; c < (gsize) gw * gh; c++)
    {
      const double *s = sums + 5 * c;
      float lin[3], lab[3];

      if (s[4] == 0.0 || s[3] / s[4] < 0.5)
        continue;
      for (int k = 0; k < 3; k++)
        lin[k] = (float) (s[k] / s[3]);
      ink_linear_to_oklab (lin, lab);
      g_array_append_vals (samples, lab, 1);
    }
  if (samples->len == 0)
    {
      float grey[3] = { 0.6f, 0.0f, 0.0f };
      g_array_append_vals (samples, grey, 1);
    }
  return samples;
}

static float
dist2 (const float *a, const float *b)
{
  return (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])
         + (a[2] - b[2]) * (a[2] - b[2]);
}

static int
by_lightness (gconstpointer a, gconstpointer b)
{
  float la = ((const float *) a)[0], lb = ((const float *) b)[0];
  return (la > lb) - (la < lb);
}

void
ink_palette_fit (const InkImage *image, int colors, float *palette)
{
  g_autoptr (GArray) samples = grid_samples (image);
  const float (*s)[3] = (const float (*)[3]) samples->data;
  guint n = samples->len;
  g_autofree float *d2 = g_new (float, n);
  g_autofree int *label = g_new0 (int, n);
  g_autofree float *weight = g_new (float, n);
  g_autofree double *acc = g_new (double, colors * 4);
  GRand *rand = g_rand_new_with_seed (0x1c0ffee);
  float centres[32][3];

  g_assert (colors >= 1 && colors <= 32);

  /* k-means++ seeding with a fixed seed: the same image always gives the same palette. */
  memcpy (centres[0], s[g_rand_int_range (rand, 0, n)], sizeof centres[0]);
  for (guint i = 0; i < n; i++)
    d2[i] = dist2 (s[i], centres[0]) * (1.0f + CHROMA_WEIGHT * sqrtf (s[i][1] * s[i][1] + s[i][2] * s[i][2]));
  for (int k = 1; k < colors; k++)
    {
      double total = 0.0, pick;
      guint chosen = 0;

      for (guint i = 0; i < n; i++)
        total += d2[i];
      pick = g_rand_double (rand) * total;
      for (guint i = 0; i < n; i++)
        {
          pick -= d2[i];
          if (pick <= 0.0)
            {
              chosen = i;
              break;
            }
        }
      memcpy (centres[k], s[chosen], sizeof centres[k]);
      for (guint i = 0; i < n; i++)
        d2[i] = fminf (d2[i], dist2 (s[i], centres[k])
                       * (1.0f + CHROMA_WEIGHT * sqrtf (s[i][1] * s[i][1] + s[i][2] * s[i][2])));
    }

  /* Chroma weights: a small saturated area (an eye, a flower) keeps its own palette entry. */
  for (guint i = 0; i < n; i++)
    weight[i] = 1.0f + CHROMA_WEIGHT * sqrtf (s[i][1] * s[i][1] + s[i][2] * s[i][2]);

  for (int iter = 0; iter < ITERATIONS; iter++)
    {
      memset (acc, 0, sizeof (double) * colors * 4);
      for (guint i = 0; i < n; i++)
        {
          float best = G_MAXFLOAT;
          for (int k = 0; k < colors; k++)
            {
              float d = dist2 (s[i], centres[k]);
              if (d < best)
                best = d, label[i] = k;
            }
          acc[4 * label[i] + 0] += weight[i] * s[i][0];
          acc[4 * label[i] + 1] += weight[i] * s[i][1];
          acc[4 * label[i] + 2] += weight[i] * s[i][2];
          acc[4 * label[i] + 3] += weight[i];
        }
      for (int k = 0; k < colors; k++)
        if (acc[4 * k + 3] > 0.0)
          for (int c = 0; c < 3; c++)
            centres[k][c] = (float) (acc[4 * k + c] / acc[4 * k + 3]);
    }

  qsort (centres, colors, sizeof centres[0], by_lightness);
  for (int k = 0; k < colors; k++)
    {
      palette[4 * k + 0] = centres[k][0];
      palette[4 * k + 1] = centres[k][1];
      palette[4 * k + 2] = centres[k][2];
      palette[4 * k + 3] = 0.0f;
    }
  g_rand_free (rand);
}
