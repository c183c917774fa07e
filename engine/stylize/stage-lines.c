/* stage-lines.c: stage 3, ink lines by flow-based XDoG: a DoG across edges, smoothed along the
 * edge flow into the line response, which each frame thresholds (C references and passes). */
#include "stage-private.h"

#include "dog.spv.h"
#include "lines.spv.h"

/* The grey the lines see and, in black and white, a and b (dog.comp). */
static void
line_values (guint32 v, float darken, float out[3])
{
  float c[3];

  if (darken == 0.0f)
    {
      out[0] = ink_lab_lightness (v), out[1] = out[2] = 0.0f;
      return;
    }
  ink_unpack_lab (v, c);
  out[0] = ink_mono_grey (c, darken), out[1] = c[1], out[2] = c[2];
}

#define COLOUR_EDGE 0.5f   /* dog.comp */

static void
ref_dog (const void *const *in, void *out, const void *push)
{
  const InkPushDog *pc = push;
  const guint32 *src = in[0], *flow = in[1];
  float *dst = out;
  int w = pc->width, h = pc->height, channels = pc->darken == 0.0f ? 1 : 3;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) y * w + x;
        float tx, ty, ux, uy, len, spacing, sum1[3], sum2[3], d[3];
        float w1s = 1.0f, w2s = 1.0f;
        float q1, q2, w1 = 1.0f, w2 = 1.0f, r1, r2, s1, s2;
        int n;

        line_values (src[i], pc->darken, sum1);
        memcpy (sum2, sum1, sizeof sum2);
        ink_flow_at (flow, i, &tx, &ty);
        ink_line_step (ty, -tx, &ux, &uy);
        len = sqrtf (ux * ux + uy * uy);
        spacing = pc->step * len;
        n = (int) ceilf ((float) pc->n / len);
        q1 = expf (-0.5f * spacing * spacing / (pc->sigma * pc->sigma));
        q2 = powf (q1, 1.0f / (pc->k * pc->k));
        r1 = q1, r2 = q2, s1 = q1 * q1, s2 = q2 * q2;
        for (int k = 1; k <= n; k++)
          {
            float l[3] = { 0.0f, 0.0f, 0.0f };

            for (int side = -1; side <= 1; side += 2)
              {
                InkLineTap t = ink_line_tap (w, h, x, y, ux, uy, side * k * pc->step);
                float a[3], b[3];

                line_values (src[t.i0], pc->darken, a);
                line_values (src[t.i1], pc->darken, b);
                for (int c = 0; c < channels; c++)
                  l[c] += a[c] + (b[c] - a[c]) * t.t;
              }
            w1 *= r1, w2 *= r2, r1 *= s1, r2 *= s2;
            for (int c = 0; c < channels; c++)
              sum1[c] += w1 * l[c], sum2[c] += w2 * l[c];
            w1s += 2.0f * w1, w2s += 2.0f * w2;
          }
        for (int c = 0; c < channels; c++)
          d[c] = sum1[c] / w1s - (c == 0 ? pc->tau : 1.0f) * sum2[c] / w2s;
        dst[i] = channels == 1 ? d[0] : d[0] - COLOUR_EDGE * (fabsf (d[1]) + fabsf (d[2]));
      }
}

static void
ref_lines (const void *const *in, void *out, const void *push)
{
  const InkPushLines *pc = push;
  const float *src = in[0];
  const guint32 *flow = in[1];
  float *dst = out;
  int w = pc->width, h = pc->height;
  float q = expf (-0.5f * pc->step * pc->step / (pc->sigma * pc->sigma));

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) y * w + x;
        float sum = src[i], wsum = 1.0f, t0x, t0y;

        ink_flow_at (flow, i, &t0x, &t0y);
        for (int side = 0; side < 2; side++)
          {
            float vx = side == 0 ? t0x : -t0x, vy = side == 0 ? t0y : -t0y;
            float qx = x, qy = y, wt = 1.0f, ratio = q;

            for (int k = 1; k <= pc->n; k++)
              {
                float nx, ny;
                gsize j;

                qx += vx * pc->step;
                qy += vy * pc->step;
                if (qx < 0.0f || qy < 0.0f || qx > (float) (w - 1) || qy > (float) (h - 1))
                  break;
                j = ink_nearest (w, h, qx, qy);
                wt *= ratio;
                ratio *= q * q;
                sum += wt * src[j];
                wsum += wt;
                ink_flow_at (flow, j, &nx, &ny);
                if (nx * vx + ny * vy < 0.0f)
                  nx = -nx, ny = -ny;
                vx = nx, vy = ny;
              }
          }
        dst[i] = sum / wsum;
      }
}

/* The DoG's variants (shaders/dog.comp): 1, black and white; 0, colour (and without a push). */
static guint32
variant_dog (const void *push)
{
  const InkPushDog *pd = push;

  return pd != NULL && pd->darken != 0.0f;
}

INK_DEFINE_PASS_VARIANTS (dog, 2, InkPushDog, INK_TEXELS2 (UINT, UINT));
INK_DEFINE_PASS (lines, 2, InkPushLines, INK_TEXELS2 (FLOAT, UINT));
