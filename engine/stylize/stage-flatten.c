/* stage-flatten.c: stage 2, colour flattening: the soft snapping to the palette (palette.c) with
 * optional cel shading (C reference and pass). */
#include "stage-private.h"

#include "flatten.spv.h"


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

INK_DEFINE_PASS (flatten, 2, InkPushFlatten, INK_TEXELS2 (UINT, VEC4));
