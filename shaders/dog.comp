#version 450
// dog.comp: difference of Gaussians of OKLab lightness across the edge direction (the first half of
// the flow-based XDoG): D = G_sigma * L - tau * G_(k sigma) * L, taps STEP px apart.
// In: binding 0, half4 OKLab; binding 1, half4 tensor. Out: binding 2, float D (L units).
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) readonly buffer Src { uvec2 src[]; };
layout (std430, binding = 1) readonly buffer Tensor { uvec2 tensor[]; };
layout (std430, binding = 2) writeonly buffer Dst { float dst[]; };
layout (push_constant) uniform Push { int width, height, n; float sigma, k, tau, step; } pc;

#include "common.glsl"

#define LOAD_L(i) unpackHalf2x16 (src[i].x).x
DEFINE_SAMPLER (sample_l, float, LOAD_L)

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec2 t = tensor_tangent (unpack_h4 (tensor[i]).xyz);
  vec2 g = vec2 (t.y, -t.x);
  float s1 = pc.sigma, s2 = pc.k * pc.sigma;
  float sum1 = 0.0, sum2 = 0.0, w1s = 0.0, w2s = 0.0;
  for (int k = -pc.n; k <= pc.n; k++)
    {
      float d = float (k) * pc.step;
      float l = sample_l (vec2 (p) + g * d);
      float w1 = exp (-d * d / (2.0 * s1 * s1));
      float w2 = exp (-d * d / (2.0 * s2 * s2));
      sum1 += w1 * l;
      sum2 += w2 * l;
      w1s += w1;
      w2s += w2;
    }
  dst[i] = sum1 / w1s - pc.tau * sum2 / w2s;
}
