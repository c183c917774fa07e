#version 450
// lines.comp: the second half of the flow-based XDoG: the DoG response smoothed along the edge
// tangent flow (a Gaussian-weighted line integral, STEP px steps), then a soft threshold:
// coverage = clamp (-tanh (phi * (u - eps)), 0, 1).
// In: binding 0, float D; binding 1, half4 tensor. Out: binding 2, float ink coverage 0..1.
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) readonly buffer Src { float src[]; };
layout (std430, binding = 1) readonly buffer Tensor { uvec2 tensor[]; };
layout (std430, binding = 2) writeonly buffer Dst { float dst[]; };
layout (push_constant) uniform Push { int width, height, n; float sigma, step, eps, phi; } pc;

#include "common.glsl"

#define LOAD_D(i) src[i]
DEFINE_SAMPLER (sample_d, float, LOAD_D)

vec2 tangent_at (vec2 q)
{
  ivec2 c = clamp (ivec2 (floor (q + 0.5)), ivec2 (0), ivec2 (pc.width - 1, pc.height - 1));
  return tensor_tangent (unpack_h4 (tensor[index_of (c)]).xyz);
}

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  float sum = src[i], wsum = 1.0;
  vec2 t0 = tangent_at (vec2 (p));
  for (int side = 0; side < 2; side++)
    {
      vec2 v = side == 0 ? t0 : -t0;
      vec2 q = vec2 (p);
      for (int k = 1; k <= pc.n; k++)
        {
          q += v * pc.step;
          if (q.x < 0.0 || q.y < 0.0 || q.x > float (pc.width - 1) || q.y > float (pc.height - 1))
            break;
          float d = float (k) * pc.step;
          float w = exp (-d * d / (2.0 * pc.sigma * pc.sigma));
          sum += w * sample_d (q);
          wsum += w;
          vec2 nv = tangent_at (q);
          v = dot (nv, v) < 0.0 ? -nv : nv;
        }
    }
  float u = sum / wsum;
  dst[i] = clamp (-tanh (pc.phi * (u - pc.eps)), 0.0, 1.0);
}
