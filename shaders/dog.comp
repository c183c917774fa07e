#version 450
// dog.comp: difference of Gaussians of OKLab lightness (in black and white, of mono_grey) across
// the edge direction (the first half of
// the flow-based XDoG): D = G_sigma * L - tau * G_(k sigma) * L, taps STEP px apart (major axis).
// In: binding 0, lab32; binding 1, flow (packed tangent). Out: binding 2, float D (L units).
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) readonly buffer Src { uint src[]; };
layout (std430, binding = 1) readonly buffer Flow { uint flow[]; };
layout (std430, binding = 2) writeonly buffer Dst { float dst[]; };
layout (push_constant) uniform Push { int width, height, n; float sigma, k, tau, step, darken; } pc;

#include "common.glsl"

// The grey the lines see: OKLab lightness, or in black and white the grey the tones come from.
float grey (int i)
{
  if (pc.darken == 0.0)
    return float (src[i] & 0x7ffu) * (1.0 / 2047.0);
  return mono_grey (unpack_lab (src[i]), pc.darken);
}

#define LOAD_L(i) grey (i)
DEFINE_LINE_SAMPLER (sample_l, float, LOAD_L)

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec2 t = unpackHalf2x16 (flow[i]);
  vec2 u = line_step (vec2 (t.y, -t.x));
  float spacing = pc.step * length (u);
  int n = int (ceil (float (pc.n) / length (u)));
  float l0 = grey (i);
  float sum1 = l0, sum2 = l0, w1s = 1.0, w2s = 1.0;
  // Both Gaussians' weights q^(k^2) by recurrence.
  float q1 = exp (-0.5 * spacing * spacing / (pc.sigma * pc.sigma));
  float q2 = pow (q1, 1.0 / (pc.k * pc.k));
  float w1 = 1.0, w2 = 1.0, r1 = q1, r2 = q2, s1 = q1 * q1, s2 = q2 * q2;
  for (int k = 1; k <= n; k++)
    {
      float l = sample_l (p, u, float (k) * pc.step) + sample_l (p, u, -float (k) * pc.step);
      w1 *= r1;
      w2 *= r2;
      r1 *= s1;
      r2 *= s2;
      sum1 += w1 * l;
      sum2 += w2 * l;
      w1s += 2.0 * w1;
      w2s += 2.0 * w2;
    }
  dst[i] = sum1 / w1s - pc.tau * sum2 / w2s;
}
