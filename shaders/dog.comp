#version 450
// dog.comp: difference of Gaussians across the edge direction (the first half of the flow-based
// XDoG): D = G_sigma * L - tau * G_(k sigma) * L, taps STEP px apart (major axis), of OKLab
// lightness. In black and white (DARKEN > 0) L is the grey the tones come from (mono_grey), and
// colour edges draw too: D - COLOUR_EDGE (|DoG a| + |DoG b|), so regions of one grey but clearly
// different colour get a line between them.
// In: binding 0, lab32; binding 1, flow (packed tangent). Out: binding 2, float D (L units).
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (binding = 1) uniform usamplerBuffer flow;
layout (std430, binding = 2) writeonly buffer Dst { float dst[]; };
layout (push_constant) uniform Push { int width, height, n; float sigma, k, tau, step, darken; } pc;

#include "common.glsl"

#define COLOUR_EDGE 0.5

// The variant (specialization constant 3, variant_dog () in engine/stylize/stage-lines.c): 1 for
// black and white. Lavapipe runs both sides of a branch under a mask, so each is compiled alone.
layout (constant_id = 3) const int VARIANT = 1;

#define LOAD_L(i) (float (texelFetch (src, int (i)).x & 0x7ffu) * (1.0 / 2047.0))
DEFINE_LINE_SAMPLER (sample_l, float, LOAD_L)
// (mono grey, a, b)
vec3 grey_ab (uint v)
{
  vec3 c = unpack_lab (v);
  return vec3 (mono_grey (c, pc.darken), c.yz);
}
#define LOAD_GREY_AB(i) grey_ab (texelFetch (src, int (i)).x)
DEFINE_LINE_SAMPLER (sample_grey_ab, vec3, LOAD_GREY_AB)

// Both Gaussians' sums along U (weights q^(k^2) by recurrence): D = sum1 / w1s - TAU sum2 / w2s.
#define DOG(TYPE, SAMPLE, CENTRE, TAU, OUT)                                         \
  {                                                                                  \
    TYPE sum1 = CENTRE, sum2 = CENTRE;                                               \
    float w1s = 1.0, w2s = 1.0;                                                      \
    float q1 = exp (-0.5 * spacing * spacing / (pc.sigma * pc.sigma));               \
    float q2 = pow (q1, 1.0 / (pc.k * pc.k));                                        \
    float w1 = 1.0, w2 = 1.0, r1 = q1, r2 = q2, s1 = q1 * q1, s2 = q2 * q2;          \
    for (int k = 1; k <= n; k++)                                                     \
      {                                                                              \
        TYPE l = SAMPLE (p, u, float (k) * pc.step) + SAMPLE (p, u, -float (k) * pc.step); \
        w1 *= r1;                                                                    \
        w2 *= r2;                                                                    \
        r1 *= s1;                                                                    \
        r2 *= s2;                                                                    \
        sum1 += w1 * l;                                                              \
        sum2 += w2 * l;                                                              \
        w1s += 2.0 * w1;                                                             \
        w2s += 2.0 * w2;                                                             \
      }                                                                              \
    OUT = sum1 / w1s - TAU * sum2 / w2s;                                             \
  }

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec2 t = unpackHalf2x16 (texelFetch (flow, int (i)).x);
  vec2 u = line_step (vec2 (t.y, -t.x));
  float spacing = pc.step * length (u);
  int n = int (ceil (float (pc.n) / length (u)));
  if (VARIANT == 0 || pc.darken == 0.0)
    {
      float d;
      DOG (float, sample_l, LOAD_L (i), pc.tau, d)
      dst[i] = d;
    }
  else
    {
      vec3 d;
      DOG (vec3, sample_grey_ab, grey_ab (texelFetch (src, int (i)).x), vec3 (pc.tau, 1.0, 1.0), d)
      dst[i] = d.x - COLOUR_EDGE * (abs (d.y) + abs (d.z));
    }
}
