/* stage-lines.c: stage 3, ink lines by flow-based XDoG: a DoG across edges, smoothed along the
 * edge flow and softly thresholded (C references and passes). */
#include "stage-private.h"

#include "dog.spv.h"
#include "lines.spv.h"

static void
ref_dog (const void *const *in, void *out, const void *push)
{
  const InkPushDog *pc = push;
  const guint16 *src = in[0], *tensor = in[1];
  float *dst = out;
  int w = pc->width, h = pc->height;
  float s1 = pc->sigma, s2 = pc->k * pc->sigma;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) y * w + x;
        float tx, ty, sum1 = 0, sum2 = 0, w1s = 0, w2s = 0;

        ink_tensor_tangent (ink_load_h4 (tensor, i), &tx, &ty);
        for (int k = -pc->n; k <= pc->n; k++)
          {
            float d = k * pc->step;
            float l = ink_sample_h4 (src, w, h, x + ty * d, y - tx * d).x;
            float w1 = expf (-d * d / (2.0f * s1 * s1));
            float w2 = expf (-d * d / (2.0f * s2 * s2));
            sum1 += w1 * l, sum2 += w2 * l, w1s += w1, w2s += w2;
          }
        dst[i] = sum1 / w1s - pc->tau * sum2 / w2s;
      }
}

static void
tangent_at (const guint16 *tensor, int w, int h, float qx, float qy, float *tx, float *ty)
{
  int cx = CLAMP ((int) floorf (qx + 0.5f), 0, w - 1);
  int cy = CLAMP ((int) floorf (qy + 0.5f), 0, h - 1);

  ink_tensor_tangent (ink_load_h4 (tensor, (gsize) cy * w + cx), tx, ty);
}

static void
ref_lines (const void *const *in, void *out, const void *push)
{
  const InkPushLines *pc = push;
  const float *src = in[0];
  const guint16 *tensor = in[1];
  float *dst = out;
  int w = pc->width, h = pc->height;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) y * w + x;
        float sum = src[i], wsum = 1.0f, t0x, t0y, u;

        tangent_at (tensor, w, h, x, y, &t0x, &t0y);
        for (int side = 0; side < 2; side++)
          {
            float vx = side == 0 ? t0x : -t0x, vy = side == 0 ? t0y : -t0y;
            float qx = x, qy = y;

            for (int k = 1; k <= pc->n; k++)
              {
                float d, wt, nx, ny;

                qx += vx * pc->step;
                qy += vy * pc->step;
                if (qx < 0.0f || qy < 0.0f || qx > (float) (w - 1) || qy > (float) (h - 1))
                  break;
                d = k * pc->step;
                wt = expf (-d * d / (2.0f * pc->sigma * pc->sigma));
                sum += wt * ink_sample_f (src, w, h, qx, qy);
                wsum += wt;
                tangent_at (tensor, w, h, qx, qy, &nx, &ny);
                if (nx * vx + ny * vy < 0.0f)
                  nx = -nx, ny = -ny;
                vx = nx, vy = ny;
              }
          }
        u = sum / wsum;
        dst[i] = ink_clampf (-tanhf (pc->phi * (u - pc->eps)), 0.0f, 1.0f);
      }
}

INK_DEFINE_PASS (dog, 2, InkPushDog);
INK_DEFINE_PASS (lines, 2, InkPushLines);
