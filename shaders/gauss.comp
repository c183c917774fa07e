#version 450
// gauss.comp: a 1-D Gaussian blur of a half4 image along one axis, taps STEP px apart (bilinear).
// In: binding 0, half4. Out: binding 1, half4. Units: px.
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) readonly buffer Src { uvec2 src[]; };
layout (std430, binding = 1) writeonly buffer Dst { uvec2 dst[]; };
layout (push_constant) uniform Push { int width, height, dx, dy, n; float sigma, step; } pc;

#include "common.glsl"

#define LOAD_SRC(i) unpack_h4 (src[i])
DEFINE_SAMPLER (sample_src, vec4, LOAD_SRC)

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  vec2 dir = vec2 (pc.dx, pc.dy);
  vec4 sum = vec4 (0.0);
  float wsum = 0.0;
  for (int t = -pc.n; t <= pc.n; t++)
    {
      float d = float (t) * pc.step;
      float w = exp (-d * d / (2.0 * pc.sigma * pc.sigma));
      sum += w * sample_src (vec2 (p) + dir * d);
      wsum += w;
    }
  dst[index_of (p)] = pack_h4 (sum / wsum);
}
