/* palette.c: the palette the flats are painted with, fitted once per image on the host: k-means
 * in OKLab on an area-averaged 96 px version (so it hardly depends on the image's size), then the
 * colours of small subjects that stand out from their surroundings, which k-means, serving area,
 * would lose (a red ladybird on green leaves). */
#include "stage-private.h"

#include <string.h>

#define GRID 96            /* the palette is fitted on a GRID px (long edge) area-averaged image */
#define ITERATIONS 16
#define CHROMA_WEIGHT 40.0f  /* sample weight 1 + CHROMA_WEIGHT x OKLab chroma */

/* IMAGE area-averaged (in linear light) onto a grid LONG_EDGE cells long, in OKLab: 4 floats a
 * cell, (L, a, b, 1) or, for a mostly transparent cell, (0, 0, 0, 0). */
static float *
grid_lab (const InkImage *image, int long_edge, int *grid_width, int *grid_height)
{
  int w = image->width, h = image->height, longest = MAX (w, h);
  int gw = MAX (1, (int) lrintf ((float) long_edge * w / longest));
  int gh = MAX (1, (int) lrintf ((float) long_edge * h / longest));
  g_autofree double *sums = g_new0 (double, (gsize) gw * gh * 5);
  float *cells = g_new0 (float, (gsize) gw * gh * 4);
  float lut[256];
  g_autofree int *column = g_new (int, w);

  for (int v = 0; v < 256; v++)
    lut[v] = ink_srgb_to_linear (v / 255.0f);
  for (int x = 0; x < w; x++)
    column[x] = MIN (gw - 1, (int) ((x + 0.5) * gw / w));
  for (int y = 0; y < h; y++)
    {
      int cy = MIN (gh - 1, (int) ((y + 0.5) * gh / h));
      const guint16 *p = image->pixels + 4 * (gsize) y * w;
      double *row = sums + 5 * (gsize) cy * gw;

      for (int x = 0; x < w; x++, p += 4)
        {
          double *s = row + 5 * column[x];

          /* Opaque pixels (most) skip the weighting: a * v == v when a is 1. */
          if (p[3] == 65535)
            {
              s[0] += lut[p[0] >> 8];
              s[1] += lut[p[1] >> 8];
              s[2] += lut[p[2] >> 8];
              s[3] += 1.0;
            }
          else
            {
              double a = p[3] / 65535.0;
              s[0] += a * lut[p[0] >> 8];
              s[1] += a * lut[p[1] >> 8];
              s[2] += a * lut[p[2] >> 8];
              s[3] += a;
            }
          s[4] += 1.0;
        }
    }
  for (gsize c = 0; c < (gsize) gw * gh; c++)
    {
      const double *s = sums + 5 * c;
      float lin[3];

      if (s[4] == 0.0 || s[3] / s[4] < 0.5)
        continue;
      for (int k = 0; k < 3; k++)
        lin[k] = (float) (s[k] / s[3]);
      ink_linear_to_oklab (lin, cells + 4 * c);
      cells[4 * c + 3] = 1.0f;
    }
  *grid_width = gw, *grid_height = gh;
  return cells;
}

/* The opaque cells of the GRID px grid, as k-means samples. */
static GArray *
grid_samples (const InkImage *image)
{
  int gw, gh;
  g_autofree float *cells = grid_lab (image, GRID, &gw, &gh);
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (float) * 3);

  for (gsize c = 0; c < (gsize) gw * gh; c++)
    if (cells[4 * c + 3] > 0.0f)
      g_array_append_vals (samples, cells + 4 * c, 1);
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

/* Salient colours ----------------------------------------------------------------------------
 * On a finer grid (SALIENT_GRID cells on the long edge, area-averaged, so the same photo at any
 * size gives the same grid), cells that the k-means palette would move by more than
 * UNSERVED are grouped into regions of one colour (neighbours closer than SAME_REGION). A region
 * is a subject when it is compact (at least a fifth of its bounding box, with an interior cell
 * whose eight neighbours all belong to it, which edges and thin highlights lack), covers at least
 * INK_SALIENT_MIN_AREA of the picture and at most SALIENT_MAX_AREA (larger areas are k-means'
 * own), and its colour (the mean of its interior cells, free of the edge's mixed cells) is at
 * least INK_SALIENT_CONTRAST from the mean of the cells around it. The most salient (how far the
 * palette is from it x its contrast x the fourth root of its area) join the palette,
 * INK_PALETTE_EXTRA at most. */
#define SALIENT_GRID 256
#define UNSERVED INK_SALIENT_SERVED
#define SAME_REGION 0.08f
#define SALIENT_MAX_AREA 0.05f

typedef struct {
  float lab[3];
  float score;
} Salient;

static int
by_score (gconstpointer a, gconstpointer b)
{
  float x = ((const Salient *) a)->score, y = ((const Salient *) b)->score;
  return (x < y) - (x > y);
}

static float
nearest2 (const float *c, const float (*centres)[3], int n)
{
  float best = G_MAXFLOAT;
  for (int k = 0; k < n; k++)
    best = fminf (best, dist2 (c, centres[k]));
  return best;
}

/* Appends to CENTRES (N of them) the salient colours of IMAGE; returns the new count. */
static int
add_salient (const InkImage *image, float (*centres)[3], int n)
{
  int gw, gh, opaque = 0, added = 0;
  g_autofree float *cells = grid_lab (image, SALIENT_GRID, &gw, &gh);
  gsize nc = (gsize) gw * gh;
  g_autofree int *region = g_new (int, nc);
  g_autofree int *stack = g_new (int, nc);
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (Salient));
  int base = n;

  for (gsize c = 0; c < nc; c++)
    {
      gboolean unserved = cells[4 * c + 3] > 0.0f
                          && nearest2 (cells + 4 * c, (const float (*)[3]) centres, n) > UNSERVED * UNSERVED;
      region[c] = unserved ? -1 : -2;   /* -1: a candidate not yet in a region; -2: none */
      opaque += cells[4 * c + 3] > 0.0f;
    }
  for (gsize seed = 0; seed < nc; seed++)
    {
      int top = 0, area = 0, interior = 0, x0 = gw, y0 = gh, x1 = -1, y1 = -1, r, around = 0;
      double mean[3] = { 0, 0, 0 }, ring[3] = { 0, 0, 0 };
      Salient s;

      if (region[seed] != -1)
        continue;
      region[seed] = (int) seed;
      stack[top++] = (int) seed;
      while (top > 0)
        {
          int c = stack[--top], x = c % gw, y = c / gw;
          static const int dx[4] = { 1, -1, 0, 0 }, dy[4] = { 0, 0, 1, -1 };

          area++;
          x0 = MIN (x0, x), x1 = MAX (x1, x), y0 = MIN (y0, y), y1 = MAX (y1, y);
          for (int k = 0; k < 4; k++)
            {
              int nx = x + dx[k], ny = y + dy[k], m = ny * gw + nx;
              if (nx >= 0 && ny >= 0 && nx < gw && ny < gh && region[m] == -1
                  && dist2 (cells + 4 * c, cells + 4 * m) < SAME_REGION * SAME_REGION)
                {
                  region[m] = (int) seed;
                  stack[top++] = m;
                }
            }
        }
      /* The region is the subject's core: its edge cells, mixed with the surroundings, are not
       * in it, so a subject of INK_SALIENT_MIN_AREA has a core of about half that. */
      if (area < MAX (2.0f, 0.4f * INK_SALIENT_MIN_AREA * opaque) || area > SALIENT_MAX_AREA * opaque
          || area * 5 < (x1 - x0 + 1) * (y1 - y0 + 1))
        continue;
      /* Its interior's colour, and the colour of a ring around it. */
      r = MAX (2, (int) ceilf (sqrtf ((float) area)));
      for (int y = MAX (0, y0 - r); y <= MIN (gh - 1, y1 + r); y++)
        for (int x = MAX (0, x0 - r); x <= MIN (gw - 1, x1 + r); x++)
          {
            gsize c = (gsize) y * gw + x;
            gboolean inside = region[c] == (int) seed, whole = inside;

            for (int ny = y - 1; whole && ny <= y + 1; ny++)
              for (int nx = x - 1; whole && nx <= x + 1; nx++)
                whole = nx >= 0 && ny >= 0 && nx < gw && ny < gh && region[ny * gw + nx] == (int) seed;
            for (int k = 0; k < 3; k++)
              {
                if (whole)
                  mean[k] += cells[4 * c + k];
                else if (!inside && cells[4 * c + 3] > 0.0f)
                  ring[k] += cells[4 * c + k];
              }
            interior += whole;
            around += !inside && cells[4 * c + 3] > 0.0f;
          }
      if (interior == 0 || around == 0)
        continue;
      for (int k = 0; k < 3; k++)
        {
          s.lab[k] = (float) (mean[k] / interior);
          ring[k] /= around;
        }
      {
        float far[3] = { (float) ring[0], (float) ring[1], (float) ring[2] };
        float contrast = sqrtf (dist2 (s.lab, far));

        if (contrast < INK_SALIENT_CONTRAST)
          continue;
        /* What the palette would take from it, times how much it stands out; area counts for
         * little, so a small red subject outranks a large leaf of another green. */
        s.score = sqrtf (nearest2 (s.lab, (const float (*)[3]) centres, base)) * contrast
                  * sqrtf (sqrtf ((float) area));
      }
      g_array_append_val (found, s);
    }
  g_array_sort (found, by_score);
  for (guint i = 0; i < found->len && added < INK_PALETTE_EXTRA; i++)
    {
      const Salient *s = &g_array_index (found, Salient, i);
      /* Already served (by the palette or a subject just added): nothing to add. */
      if (nearest2 (s->lab, (const float (*)[3]) centres, n) <= INK_SALIENT_SERVED * INK_SALIENT_SERVED)
        continue;
      memcpy (centres[n++], s->lab, sizeof centres[0]);
      added++;
      g_debug ("palette: a small subject's colour, L %.3f a %.3f b %.3f (contrast x sqrt area %.2f)",
               s->lab[0], s->lab[1], s->lab[2], s->score);
    }
  g_debug ("palette: %d colours, %d more for small subjects (%u candidates)", base, added, found->len);
  (void) base;
  return n;
}

int
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
  float centres[INK_PALETTE_MAX][3];
  int total;

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

  total = add_salient (image, centres, colors);
  qsort (centres, total, sizeof centres[0], by_lightness);
  for (int k = 0; k < total; k++)
    {
      palette[4 * k + 0] = centres[k][0];
      palette[4 * k + 1] = centres[k][1];
      palette[4 * k + 2] = centres[k][2];
      palette[4 * k + 3] = 0.0f;
    }
  g_rand_free (rand);
  return total;
}
