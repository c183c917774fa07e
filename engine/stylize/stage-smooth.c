/* stage-smooth.c: stage 1, edge-preserving smoothing: OKLab conversion, structure tensor, its
 * Gaussian smoothing and the orientation-aligned bilateral filter (C references and passes). */
#include "stage-private.h"

#include "bilateral.spv.h"
#include "flow.spv.h"
#include "gauss.spv.h"
#include "reduce.spv.h"
#include "tensor.spv.h"
#include "upsample.spv.h"


static void
ref_reduce (const void *const *in, void *out, const void *push)
{
  const InkPushResample *pc = push;
  const guint16 *src = in[0];
  guint32 *dst = out;
  int w = pc->width, h = pc->height, sw = pc->src_width, sh = pc->src_height;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float mean[3], lab[3];

        ink_box_mean_linear (src, sw, sh, x, y, w, h, mean);
        ink_linear_to_oklab (mean, lab);
        dst[(gsize) y * w + x] = ink_pack_lab (lab);
      }
}

static float
bilerp (const float v[4], float tx, float ty)
{
  float top = v[0] + (v[1] - v[0]) * tx, bottom = v[2] + (v[3] - v[2]) * tx;
  return top + (bottom - top) * ty;
}

static void
ref_flow (const void *const *in, void *out, const void *push)
{
  const InkPushResample *pc = push;
  const guint16 *src = in[0];
  guint32 *dst = out;

  for (int y = 0; y < pc->height; y++)
    for (int x = 0; x < pc->width; x++)
      {
        InkBilinearMap m = ink_bilinear_map (pc->width, pc->height, pc->src_width, pc->src_height, x, y);
        InkVec4 c[4], e;
        float v[4], tx, ty;

        for (int k = 0; k < 4; k++)
          c[k] = ink_load_h4 (src, m.i[k]);
        v[0] = c[0].x, v[1] = c[1].x, v[2] = c[2].x, v[3] = c[3].x;
        e.x = bilerp (v, m.tx, m.ty);
        v[0] = c[0].y, v[1] = c[1].y, v[2] = c[2].y, v[3] = c[3].y;
        e.y = bilerp (v, m.tx, m.ty);
        v[0] = c[0].z, v[1] = c[1].z, v[2] = c[2].z, v[3] = c[3].z;
        e.z = bilerp (v, m.tx, m.ty);
        ink_tensor_tangent (e, &tx, &ty);
        dst[(gsize) y * pc->width + x] = ink_float_to_half (tx)
                                         | ((guint32) ink_float_to_half (ty) << 16);
      }
}

static void
ref_upsample (const void *const *in, void *out, const void *push)
{
  const InkPushResample *pc = push;
  const guint32 *src = in[0];
  guint32 *dst = out;

  for (int y = 0; y < pc->height; y++)
    for (int x = 0; x < pc->width; x++)
      {
        InkBilinearMap m = ink_bilinear_map (pc->width, pc->height, pc->src_width,
                                             pc->src_height, x, y);
        float lab[3];

        ink_sample_lab (src, &m, lab);
        dst[(gsize) y * pc->width + x] = ink_pack_lab (lab);
      }
}

static void
ref_tensor (const void *const *in, void *out, const void *push)
{
  const InkPushSize *pc = push;
  const guint32 *src = in[0];
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
              float *c = v[dy + 1][dx + 1];
              ink_unpack_lab (src[(gsize) sy * w + sx], c);
              c[0] *= 10.0f, c[1] *= 10.0f, c[2] *= 10.0f;
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
  int w = pc->width, h = pc->height, step = (int) pc->step;
  float k = -0.5f / (pc->sigma * pc->sigma);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        InkVec4 sum = { 0 };
        float wsum = 0.0f;

        for (int t = -pc->n; t <= pc->n; t++)
          {
            float d = (float) (t * step);
            float wt = expf (d * d * k);
            int qx = CLAMP (x + pc->dx * t * step, 0, w - 1);
            int qy = CLAMP (y + pc->dy * t * step, 0, h - 1);
            InkVec4 c = ink_load_h4 (src, (gsize) qy * w + qx);
            sum.x += wt * c.x, sum.y += wt * c.y, sum.z += wt * c.z, sum.w += wt * c.w;
            wsum += wt;
          }
        ink_store_h4 (out, (gsize) y * w + x,
                      (InkVec4) { sum.x / wsum, sum.y / wsum, sum.z / wsum, sum.w / wsum });
      }
}

static void
sample_lab (const guint32 *src, InkLineTap tap, float c[3])
{
  float a[3], b[3];

  ink_unpack_lab (src[tap.i0], a);
  ink_unpack_lab (src[tap.i1], b);
  for (int k = 0; k < 3; k++)
    c[k] = a[k] + (b[k] - a[k]) * tap.t;
}

static void
ref_bilateral (const void *const *in, void *out, const void *push)
{
  const InkPushBilateral *pc = push;
  const guint32 *src = in[0], *flow = in[1];
  guint32 *dst = out;
  int w = pc->width, h = pc->height;
  float kr = -0.5f / (pc->sigma_r * pc->sigma_r);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) y * w + x;
        float tx, ty, ux, uy, len, spacing, c0[3], sum[3], wsum = 1.0f, q, ws, ratio, q2;
        int n;

        ink_flow_at (flow, i, &tx, &ty);
        if (pc->mode == 0)
          ink_line_step (ty, -tx, &ux, &uy);
        else
          ink_line_step (tx, ty, &ux, &uy);
        len = sqrtf (ux * ux + uy * uy);
        spacing = pc->step * len;
        n = (int) ceilf ((float) pc->n / len);
        ink_unpack_lab (src[i], c0);
        memcpy (sum, c0, sizeof sum);
        q = expf (-0.5f * spacing * spacing / (pc->sigma_d * pc->sigma_d));
        ws = 1.0f, ratio = q, q2 = q * q;
        for (int k = 1; k <= n; k++)
          {
            float a[3], b[3], da = 0, db = 0, wa, wb;

            ws *= ratio;
            ratio *= q2;
            sample_lab (src, ink_line_tap (w, h, x, y, ux, uy, k * pc->step), a);
            sample_lab (src, ink_line_tap (w, h, x, y, ux, uy, -k * pc->step), b);
            for (int c = 0; c < 3; c++)
              {
                da += (a[c] - c0[c]) * (a[c] - c0[c]);
                db += (b[c] - c0[c]) * (b[c] - c0[c]);
              }
            wa = ws * expf (da * kr);
            wb = ws * expf (db * kr);
            for (int c = 0; c < 3; c++)
              sum[c] += wa * a[c] + wb * b[c];
            wsum += wa + wb;
          }
        for (int c = 0; c < 3; c++)
          sum[c] /= wsum;
        dst[i] = ink_pack_lab (sum);
      }
}

INK_DEFINE_PASS (reduce, 1, InkPushResample, INK_TEXELS1 (UVEC2));
INK_DEFINE_PASS (flow, 1, InkPushResample, INK_TEXELS1 (UVEC2));
INK_DEFINE_PASS (upsample, 1, InkPushResample, INK_TEXELS1 (UINT));
INK_DEFINE_PASS (tensor, 1, InkPushSize, INK_TEXELS1 (UINT));
INK_DEFINE_PASS (gauss, 1, InkPushGauss, INK_TEXELS1 (UVEC2));
INK_DEFINE_PASS (bilateral, 2, InkPushBilateral, INK_TEXELS2 (UINT, UINT));
