/* stage-private.h: buffer access, bilinear sampling and tensor directions for the C references
 * (mirrors shaders/common.glsl). */
#pragma once

#include <stdint.h>
#include <string.h>

#include "color.h"
#include "passes.h"

typedef struct { float x, y, z, w; } InkVec4;

/* The mean in linear light of the RGB of the pixels of SRC (SW x SH rgba16, sRGB) that pixel
 * (X, Y) of a W x H reduction covers (the reduce pass's box, shaders/reduce.comp). */
static inline void
ink_box_mean_linear (const guint16 *src, int sw, int sh, int x, int y, int w, int h,
                     float mean[3])
{
  int x0 = (x * sw) / w, x1 = MAX (x0 + 1, ((x + 1) * sw) / w);
  int y0 = (y * sh) / h, y1 = MAX (y0 + 1, ((y + 1) * sh) / h);
  float sum[3] = { 0 };

  for (int sy = y0; sy < y1; sy++)
    for (int sx = x0; sx < x1; sx++)
      for (int c = 0; c < 3; c++)
        sum[c] += ink_srgb_to_linear (src[4 * ((gsize) sy * sw + sx) + c] / 65535.0f);
  for (int c = 0; c < 3; c++)
    mean[c] = sum[c] / (float) ((x1 - x0) * (y1 - y0));
}

static inline InkVec4
ink_load_h4 (const guint16 *buf, gsize i)
{
  const guint16 *h = buf + 4 * i;
  return (InkVec4) { ink_half_to_float (h[0]), ink_half_to_float (h[1]),
                     ink_half_to_float (h[2]), ink_half_to_float (h[3]) };
}

static inline void
ink_store_h4 (guint16 *buf, gsize i, InkVec4 v)
{
  guint16 *h = buf + 4 * i;
  h[0] = ink_float_to_half (v.x);
  h[1] = ink_float_to_half (v.y);
  h[2] = ink_float_to_half (v.z);
  h[3] = ink_float_to_half (v.w);
}

static inline InkVec4
ink_vec4_mix (InkVec4 a, InkVec4 b, float t)
{
  return (InkVec4) { a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t,
                     a.z + (b.z - a.z) * t, a.w + (b.w - a.w) * t };
}

/* OKLab in 32 bits, as pack_lab / unpack_lab in shaders/common.glsl. */
static inline guint32
ink_pack_lab (const float c[3])
{
  guint32 l = (guint32) (ink_clampf (c[0], 0.0f, 1.0f) * 2047.0f + 0.5f);
  guint32 a = (guint32) (ink_clampf (c[1] * (1.0f / 0.7f) + 0.5f, 0.0f, 1.0f) * 2047.0f + 0.5f);
  guint32 b = (guint32) (ink_clampf (c[2] * (1.0f / 0.7f) + 0.5f, 0.0f, 1.0f) * 1023.0f + 0.5f);
  return l | (a << 11) | (b << 22);
}

static inline void
ink_unpack_lab (guint32 v, float c[3])
{
  c[0] = (float) (v & 0x7ffu) * (1.0f / 2047.0f);
  c[1] = ((float) ((v >> 11) & 0x7ffu) * (1.0f / 2047.0f) - 0.5f) * 0.7f;
  c[2] = ((float) (v >> 22) * (1.0f / 1023.0f) - 0.5f) * 0.7f;
}

static inline float
ink_lab_lightness (guint32 v)
{
  return (float) (v & 0x7ffu) * (1.0f / 2047.0f);
}

/* Black and white's grey (mono_grey in shaders/common.glsl): saturated colours darken by how red
 * they are, so colours of one lightness keep apart. */
static inline float
ink_mono_grey (const float lab[3], float darken)
{
  return lab[0] - darken * 0.5f * (sqrtf (lab[1] * lab[1] + lab[2] * lab[2])
                                   + lab[1] * 0.8746f + lab[2] * 0.4848f);
}


/* Direction scaled so its major component is exactly +-1 (line_step in common.glsl). */
static inline void
ink_line_step (float dx, float dy, float *ux, float *uy)
{
  if (fabsf (dx) >= fabsf (dy))
    *ux = dx > 0.0f ? 1.0f : -1.0f, *uy = dy / fabsf (dx);
  else
    *ux = dx / fabsf (dy), *uy = dy > 0.0f ? 1.0f : -1.0f;
}

/* The two pixels and the weight of a tap at P + U K (DEFINE_LINE_SAMPLER in common.glsl). */
typedef struct {
  gsize i0, i1;
  float t;
} InkLineTap;

static inline InkLineTap
ink_line_tap (int width, int height, int px, int py, float ux, float uy, float k)
{
  float qx = (float) px + ux * k, qy = (float) py + uy * k;
  float fx = floorf (qx), fy = floorf (qy);
  gboolean x_major = fabsf (ux) == 1.0f;
  int ax = (int) fx, ay = (int) fy;
  int bx = ax + (x_major ? 0 : 1), by = ay + (x_major ? 1 : 0);

  ax = CLAMP (ax, 0, width - 1), bx = CLAMP (bx, 0, width - 1);
  ay = CLAMP (ay, 0, height - 1), by = CLAMP (by, 0, height - 1);
  return (InkLineTap) { (gsize) ay * width + ax, (gsize) by * width + bx,
                        x_major ? qy - fy : qx - fx };
}

/* The packed tangent of a flow plane (flow.comp). */
static inline void
ink_flow_at (const guint32 *flow, gsize i, float *tx, float *ty)
{
  *tx = ink_half_to_float (flow[i] & 0xffffu);
  *ty = ink_half_to_float (flow[i] >> 16);
}

/* Bilinear at an output pixel's centre mapped onto a source grid of another size (flow.comp,
 * upsample.comp, flatten.comp). */
typedef struct {
  gsize i[4];        /* top-left, top-right, bottom-left, bottom-right */
  float tx, ty;
} InkBilinearMap;

static inline InkBilinearMap
ink_bilinear_map (int width, int height, int src_width, int src_height, int x, int y)
{
  float qx = (x + 0.5f) * src_width / width - 0.5f;
  float qy = (y + 0.5f) * src_height / height - 0.5f;
  float fx = floorf (qx), fy = floorf (qy);
  int x0 = (int) fx, y0 = (int) fy;
  int xa = CLAMP (x0, 0, src_width - 1), xb = CLAMP (x0 + 1, 0, src_width - 1);
  int ya = CLAMP (y0, 0, src_height - 1), yb = CLAMP (y0 + 1, 0, src_height - 1);

  return (InkBilinearMap) {
    { (gsize) ya * src_width + xa, (gsize) ya * src_width + xb,
      (gsize) yb * src_width + xa, (gsize) yb * src_width + xb },
    qx - fx, qy - fy };
}

static inline void
ink_sample_lab (const guint32 *src, const InkBilinearMap *m, float lab[3])
{
  float c[4][3];

  for (int k = 0; k < 4; k++)
    ink_unpack_lab (src[m->i[k]], c[k]);
  for (int ch = 0; ch < 3; ch++)
    {
      float top = c[0][ch] + (c[1][ch] - c[0][ch]) * m->tx;
      float bottom = c[2][ch] + (c[3][ch] - c[2][ch]) * m->tx;
      lab[ch] = top + (bottom - top) * m->ty;
    }
}

/* Integer hashing, as hash1 / hash3 / unit in shaders/common.glsl. */
static inline guint32
ink_hash1 (guint32 x)
{
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

static inline guint32
ink_hash3 (gint32 x, gint32 y, guint32 z)
{
  return ink_hash1 ((guint32) x * 0x8da6b343u + (guint32) y * 0xd8163841u + z * 0xcb1ab31fu);
}

static inline float
ink_unit (guint32 h)
{
  return (float) (h >> 8) * (1.0f / 16777216.0f);
}

static inline guint32
ink_to8 (float x)
{
  return (guint32) (ink_clampf (x, 0.0f, 1.0f) * 255.0f + 0.5f);
}

static inline guint32
ink_pack_rgba8 (const float c[4])
{
  return ink_to8 (c[0]) | (ink_to8 (c[1]) << 8) | (ink_to8 (c[2]) << 16) | (ink_to8 (c[3]) << 24);
}

static inline void
ink_unpack_rgba8 (guint32 v, float c[4])
{
  c[0] = (float) (v & 0xffu) * (1.0f / 255.0f);
  c[1] = (float) ((v >> 8) & 0xffu) * (1.0f / 255.0f);
  c[2] = (float) ((v >> 16) & 0xffu) * (1.0f / 255.0f);
  c[3] = (float) (v >> 24) * (1.0f / 255.0f);
}

/* Nearest pixel to Q, clamped (clamp_pixel in common.glsl). */
static inline gsize
ink_nearest (int width, int height, float qx, float qy)
{
  int x = CLAMP ((int) floorf (qx + 0.5f), 0, width - 1);
  int y = CLAMP ((int) floorf (qy + 0.5f), 0, height - 1);
  return (gsize) y * width + x;
}

/* The unit tangent (along edges) of a structure tensor (E, F, G). */
static inline void
ink_tensor_tangent (InkVec4 efg, float *tx, float *ty)
{
  float e = efg.x, f = efg.y, g = efg.z;
  float d = sqrtf ((e - g) * (e - g) + 4.0f * f * f);
  float x = 0.5f * (e + g + d) - e, y = -f;
  float len = sqrtf (x * x + y * y);

  if (len > 1e-7f)
    *tx = x / len, *ty = y / len;
  else if (e >= g)
    *tx = 0.0f, *ty = 1.0f;
  else
    *tx = 1.0f, *ty = 0.0f;
}

/* Declares an InkPass named ink_pass_NAME for shaders/NAME.comp and its C reference ref_NAME;
 * TEXELS: how it reads its inputs as texel buffers (INK_TEXEL (i, format) for each). */
#define INK_DEFINE_PASS(NAME, N_INPUTS, PUSH_TYPE, TEXELS) \
  INK_DEFINE_PASS_WITH (NAME, N_INPUTS, PUSH_TYPE, TEXELS, NULL)

/* As INK_DEFINE_PASS, for a shader compiled per variant: variant_NAME (push) gives the features
 * a dispatch uses (InkPass.variant). */
#define INK_DEFINE_PASS_VARIANTS(NAME, N_INPUTS, PUSH_TYPE, TEXELS) \
  INK_DEFINE_PASS_WITH (NAME, N_INPUTS, PUSH_TYPE, TEXELS, variant_##NAME)

#define INK_DEFINE_PASS_WITH(NAME, N_INPUTS, PUSH_TYPE, TEXELS, VARIANT) \
  const InkPass ink_pass_##NAME = {                                      \
    .name = #NAME,                                                       \
    .spv = ink_spv_##NAME,                                               \
    .spv_size = sizeof ink_spv_##NAME,                                   \
    .n_inputs = N_INPUTS,                                                \
    .push_size = sizeof (PUSH_TYPE),                                     \
    .ref = ref_##NAME,                                                   \
    .texel_inputs = TEXELS,                                              \
    .variant = VARIANT,                                                  \
  }

/* Texel formats of inputs 0, 1, ... (for INK_DEFINE_PASS). */
#define INK_TEXELS1(A) INK_TEXEL (0, INK_TEXEL_##A)
#define INK_TEXELS2(A, B) (INK_TEXELS1 (A) | INK_TEXEL (1, INK_TEXEL_##B))
