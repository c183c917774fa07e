/* stage-smooth.c: stage 1, edge-preserving smoothing: OKLab conversion, structure tensor, its
 * Gaussian smoothing and the orientation-aligned bilateral filter (C references and passes). */
#include "stage-private.h"

#include "bilateral.spv.h"
#include "gauss.spv.h"
#include "lab.spv.h"
#include "tensor.spv.h"

static void
ref_lab (const void *const *in, void *out, const void *push)
{
  const InkPushSize *pc = push;
  const guint16 *src = in[0];
  guint16 *dst = out;
  gsize n = (gsize) pc->width * pc->height;

  for (gsize i = 0; i < n; i++)
    {
      const guint16 *s = src + 4 * i;
      float lin[3], lab[3];

      for (int c = 0; c < 3; c++)
        lin[c] = ink_srgb_to_linear (s[c] / 65535.0f);
      ink_linear_to_oklab (lin, lab);
      ink_store_h4 (dst, i, (InkVec4) { lab[0], lab[1], lab[2], s[3] / 65535.0f });
    }
}

static void
ref_tensor (const void *const *in, void *out, const void *push)
{
  const InkPushSize *pc = push;
  const guint16 *src = in[0];
  int w = pc->width, h = pc->height;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float v[3][3][3];   /* [dy][dx][channel] */
        float gx[3], gy[3];

        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int sx = CLAMP (x + dx, 0, w - 1), sy = CLAMP (y + dy, 0, h - 1);
              InkVec4 c = ink_load_h4 (src, (gsize) sy * w + sx);
              v[dy + 1][dx + 1][0] = c.x * 10.0f;
              v[dy + 1][dx + 1][1] = c.y * 10.0f;
              v[dy + 1][dx + 1][2] = c.z * 10.0f;
            }
        for (int c = 0; c < 3; c++)
          {
            gx[c] = (v[0][2][c] + 2.0f * v[1][2][c] + v[2][2][c]
                     - v[0][0][c] - 2.0f * v[1][0][c] - v[2][0][c]) * 0.25f;
            gy[c] = (v[2][0][c] + 2.0f * v[2][1][c] + v[2][2][c]
                     - v[0][0][c] - 2.0f * v[0][1][c] - v[0][2][c]) * 0.25f;
          }
        ink_store_h4 (out, (gsize) y * w + x, (InkVec4) {
          gx[0] * gx[0] + gx[1] * gx[1] + gx[2] * gx[2],
          gx[0] * gy[0] + gx[1] * gy[1] + gx[2] * gy[2],
          gy[0] * gy[0] + gy[1] * gy[1] + gy[2] * gy[2], 0.0f });
      }
}

static void
ref_gauss (const void *const *in, void *out, const void *push)
{
  const InkPushGauss *pc = push;
  const guint16 *src = in[0];
  int w = pc->width, h = pc->height;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        InkVec4 sum = { 0 };
        float wsum = 0.0f;

        for (int t = -pc->n; t <= pc->n; t++)
          {
            float d = t * pc->step;
            float wt = expf (-d * d / (2.0f * pc->sigma * pc->sigma));
            InkVec4 c = ink_sample_h4 (src, w, h, x + pc->dx * d, y + pc->dy * d);
            sum.x += wt * c.x, sum.y += wt * c.y, sum.z += wt * c.z, sum.w += wt * c.w;
            wsum += wt;
          }
        ink_store_h4 (out, (gsize) y * w + x,
                      (InkVec4) { sum.x / wsum, sum.y / wsum, sum.z / wsum, sum.w / wsum });
      }
}

static void
ref_bilateral (const void *const *in, void *out, const void *push)
{
  const InkPushBilateral *pc = push;
  const guint16 *src = in[0], *tensor = in[1];
  int w = pc->width, h = pc->height;
  float kd = -0.5f / (pc->sigma_d * pc->sigma_d);
  float kr = -0.5f / (pc->sigma_r * pc->sigma_r);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) y * w + x;
        InkVec4 c0 = ink_load_h4 (src, i);
        float tx, ty, dx, dy;
        float sx = c0.x, sy = c0.y, sz = c0.z, wsum = 1.0f;

        ink_tensor_tangent (ink_load_h4 (tensor, i), &tx, &ty);
        if (pc->mode == 0)
          dx = ty, dy = -tx;
        else
          dx = tx, dy = ty;
        for (int k = 1; k <= pc->n; k++)
          {
            float d = k * pc->step;
            float ws = expf (d * d * kd);
            InkVec4 a = ink_sample_h4 (src, w, h, x + dx * d, y + dy * d);
            InkVec4 b = ink_sample_h4 (src, w, h, x - dx * d, y - dy * d);
            float da = (a.x - c0.x) * (a.x - c0.x) + (a.y - c0.y) * (a.y - c0.y)
                       + (a.z - c0.z) * (a.z - c0.z);
            float db = (b.x - c0.x) * (b.x - c0.x) + (b.y - c0.y) * (b.y - c0.y)
                       + (b.z - c0.z) * (b.z - c0.z);
            float wa = ws * expf (da * kr), wb = ws * expf (db * kr);

            sx += wa * a.x + wb * b.x;
            sy += wa * a.y + wb * b.y;
            sz += wa * a.z + wb * b.z;
            wsum += wa + wb;
          }
        ink_store_h4 (out, i, (InkVec4) { sx / wsum, sy / wsum, sz / wsum, c0.w });
      }
}

INK_DEFINE_PASS (lab, 1, InkPushSize);
INK_DEFINE_PASS (tensor, 1, InkPushSize);
INK_DEFINE_PASS (gauss, 1, InkPushGauss);
INK_DEFINE_PASS (bilateral, 2, InkPushBilateral);
