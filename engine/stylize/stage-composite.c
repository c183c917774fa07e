/* stage-composite.c: stage 4, the flats layer: contrast, saturation, black and white with
 * screentone, sRGB output (C reference and pass); the lines go over it per frame (stage-motion.c). */
#include "stage-private.h"

#include "composite.spv.h"

static float
screen_ink (const InkPushComposite *pc, float px, float py, float v)
{
  float rx = (px + py) * (0.70710678f / pc->tone_cell);
  float ry = (px - py) * (0.70710678f / pc->tone_cell);
  float fx = rx - floorf (rx) - 0.5f, fy = ry - floorf (ry) - 0.5f;
  float threshold = (fx * fx + fy * fy) * 2.0f;
  float aa = 1.5f / pc->tone_cell;

  return ink_smoothstep (threshold - aa, threshold + aa, v);
}

/* Darkness to a manga tone: paper white, an even dot screen, solid black (as composite.comp). */
static float
manga_tone (float v)
{
  return 0.35f * ink_smoothstep (0.42f, 0.48f, v) + 0.65f * ink_smoothstep (0.72f, 0.78f, v);
}

static void
ref_composite (const void *const *in, void *out, const void *push)
{
  const InkPushComposite *pc = push;
  const guint32 *src = in[0];
  const guint16 *source = in[1];
  guint32 *dst = out;
  int w = pc->width, h = pc->height;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) y * w + x;
        float c[3], lab[3], lin[3], rgba[4];
        float alpha = source[4 * i + 3] / 65535.0f;

        ink_unpack_lab (src[i], c);
        lab[0] = ink_clampf (0.5f + (c[0] - 0.5f) * pc->contrast, 0.0f, 1.0f);
        lab[1] = c[1] * pc->saturation;
        lab[2] = c[2] * pc->saturation;
        if (pc->mono)
          {
            float grey[3] = { lab[0], c[1], c[2] };

            lab[0] = ink_clampf (ink_mono_grey (grey, INK_MONO_DARKEN), 0.0f, 1.0f);
            lab[1] = lab[2] = 0.0f;
            if (pc->screentone > 0.0f)
              {
                float tone = 1.0f - screen_ink (pc, x, y, manga_tone (1.0f - lab[0]));
                lab[0] += (tone - lab[0]) * pc->screentone;
              }
          }
        ink_oklab_to_linear (lab, lin);
        for (int k = 0; k < 3; k++)
          rgba[k] = ink_linear_to_srgb (ink_clampf (lin[k], 0.0f, 1.0f));
        rgba[3] = alpha;
        dst[i] = ink_pack_rgba8 (rgba);
      }
}

/* The composite's variants (shaders/composite.comp): 1, black and white; 2, with a screentone. */
static guint32
variant_composite (const void *push)
{
  const InkPushComposite *pc = push;

  if (pc == NULL || !pc->mono)
    return 0;
  return 1 | (pc->screentone > 0.0f ? 2 : 0);
}

INK_DEFINE_PASS_VARIANTS (composite, 2, InkPushComposite, INK_TEXELS2 (UINT, UVEC2));
