/* stage-private.h: buffer access, bilinear sampling and tensor directions for the C references
 * (mirrors shaders/common.glsl). */
#pragma once

#include <stdint.h>

#include "color.h"
#include "passes.h"

typedef struct { float x, y, z, w; } InkVec4;

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

/* Bilinear corner indices and weights at P (pixel centres at integers), edges clamped. */
typedef struct {
  gsize i00, i10, i01, i11;
  float tx, ty;
} InkBilinear;

static inline InkBilinear
ink_bilinear (int width, int height, float px, float py)
{
  float fx = floorf (px), fy = floorf (py);
  int x0 = CLAMP ((int) fx, 0, width - 1), x1 = CLAMP ((int) fx + 1, 0, width - 1);
  int y0 = CLAMP ((int) fy, 0, height - 1), y1 = CLAMP ((int) fy + 1, 0, height - 1);

  return (InkBilinear) {
    .i00 = (gsize) y0 * width + x0, .i10 = (gsize) y0 * width + x1,
    .i01 = (gsize) y1 * width + x0, .i11 = (gsize) y1 * width + x1,
    .tx = px - fx, .ty = py - fy,
  };
}

static inline InkVec4
ink_sample_h4 (const guint16 *buf, int width, int height, float px, float py)
{
  InkBilinear b = ink_bilinear (width, height, px, py);
  InkVec4 top = ink_vec4_mix (ink_load_h4 (buf, b.i00), ink_load_h4 (buf, b.i10), b.tx);
  InkVec4 bottom = ink_vec4_mix (ink_load_h4 (buf, b.i01), ink_load_h4 (buf, b.i11), b.tx);
  return ink_vec4_mix (top, bottom, b.ty);
}

static inline float
ink_sample_f (const float *buf, int width, int height, float px, float py)
{
  InkBilinear b = ink_bilinear (width, height, px, py);
  float top = buf[b.i00] + (buf[b.i10] - buf[b.i00]) * b.tx;
  float bottom = buf[b.i01] + (buf[b.i11] - buf[b.i01]) * b.tx;
  return top + (bottom - top) * b.ty;
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

/* Declares an InkPass named ink_pass_NAME for shaders/NAME.comp and its C reference ref_NAME. */
#define INK_DEFINE_PASS(NAME, N_INPUTS, PUSH_TYPE)                       \
  const InkPass ink_pass_##NAME = {                                      \
    .name = #NAME,                                                       \
    .spv = ink_spv_##NAME,                                               \
    .spv_size = sizeof ink_spv_##NAME,                                   \
    .n_inputs = N_INPUTS,                                                \
    .push_size = sizeof (PUSH_TYPE),                                     \
    .ref = ref_##NAME,                                                   \
  }
