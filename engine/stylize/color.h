/* color.h: per-pixel colour maths shared by the C references (mirrors shaders/common.glsl). */
#pragma once

#include <glib.h>
#include <math.h>

static inline float
ink_srgb_to_linear (float c)
{
  return c <= 0.04045f ? c / 12.92f : powf ((c + 0.055f) / 1.055f, 2.4f);
}

static inline float
ink_linear_to_srgb (float c)
{
  return c <= 0.0031308f ? 12.92f * c : 1.055f * powf (c, 1.0f / 2.4f) - 0.055f;
}

/* Linear sRGB -> OKLab (Ottosson 2020). */
static inline void
ink_linear_to_oklab (const float rgb[3], float lab[3])
{
  float l = 0.4122214708f * rgb[0] + 0.5363325363f * rgb[1] + 0.0514459929f * rgb[2];
  float m = 0.2119034982f * rgb[0] + 0.6806995451f * rgb[1] + 0.1073969566f * rgb[2];
  float s = 0.0883024619f * rgb[0] + 0.2817188376f * rgb[1] + 0.6299787005f * rgb[2];

  l = powf (fmaxf (l, 0.0f), 1.0f / 3.0f);
  m = powf (fmaxf (m, 0.0f), 1.0f / 3.0f);
  s = powf (fmaxf (s, 0.0f), 1.0f / 3.0f);
  lab[0] = 0.2104542553f * l + 0.7936177850f * m - 0.0040720468f * s;
  lab[1] = 1.9779984951f * l - 2.4285922050f * m + 0.4505937099f * s;
  lab[2] = 0.0259040371f * l + 0.7827717662f * m - 0.8086757660f * s;
}

static inline void
ink_oklab_to_linear (const float lab[3], float rgb[3])
{
  float l = lab[0] + 0.3963377774f * lab[1] + 0.2158037573f * lab[2];
  float m = lab[0] - 0.1055613458f * lab[1] - 0.0638541728f * lab[2];
  float s = lab[0] - 0.0894841775f * lab[1] - 1.2914855480f * lab[2];

  l = l * l * l;
  m = m * m * m;
  s = s * s * s;
  rgb[0] = 4.0767416621f * l - 3.3077115913f * m + 0.2309699292f * s;
  rgb[1] = -1.2684380046f * l + 2.6097574011f * m - 0.3413193965f * s;
  rgb[2] = -0.0041960863f * l - 0.7034186147f * m + 1.7076147010f * s;
}

/* IEEE half <-> float, round to nearest even (as GLSL packHalf2x16 on common drivers). */
static inline guint16
ink_float_to_half (float f)
{
  union { float f; guint32 u; } v = { f };
  guint32 sign = (v.u >> 16) & 0x8000u;
  guint32 x = v.u & 0x7fffffffu;

  if (x >= 0x7f800000u)                       /* inf or nan */
    return sign | (x > 0x7f800000u ? 0x7e00u : 0x7c00u);
  if (x >= 0x477ff000u)                       /* rounds to inf */
    return sign | 0x7c00u;
  if (x < 0x38800000u)                        /* subnormal half or zero */
    {
      union { guint32 u; float f; } w = { x };
      w.f += 0.5f;
      return sign | (guint16) (w.u - 0x3f000000u);
    }
  x += 0xc8000fffu + ((x >> 13) & 1u);        /* rebias the exponent and round */
  return sign | (guint16) (x >> 13);
}

static inline float
ink_half_to_float (guint16 h)
{
  union { guint32 u; float f; } v;
  guint32 sign = (guint32) (h & 0x8000u) << 16;
  guint32 exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;

  if (exp == 0)
    {
      float f = ldexpf ((float) mant, -24);
      return sign ? -f : f;
    }
  if (exp == 31)
    v.u = sign | 0x7f800000u | (mant << 13);
  else
    v.u = sign | ((exp + 112) << 23) | (mant << 13);
  return v.f;
}

static inline float
ink_smoothstep (float e0, float e1, float x)
{
  float t = fminf (fmaxf ((x - e0) / (e1 - e0), 0.0f), 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

static inline float
ink_clampf (float x, float lo, float hi)
{
  return fminf (fmaxf (x, lo), hi);
}
