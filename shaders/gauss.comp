#version 450
// gauss.comp: a 1-D Gaussian blur of a half4 image along an axis, taps STEP (a whole number of)
// px apart. In: binding 0, half4. Out: binding 1, half4. Units: px.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (std430, binding = 1) writeonly buffer Dst { uvec2 dst[]; };
layout (push_constant) uniform Push { int width, height, dx, dy, n; float sigma, step; } pc;

#include "common.glsl"

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  ivec2 dir = ivec2 (pc.dx, pc.dy);
  int step = int (pc.step);
  vec4 sum = vec4 (0.0);
  float wsum = 0.0;
  float k = -0.5 / (pc.sigma * pc.sigma);
  for (int t = -pc.n; t <= pc.n; t++)
    {
      float d = float (t * step);
      float w = exp (d * d * k);
      ivec2 q = clamp (p + dir * (t * step), ivec2 (0), ivec2 (pc.width - 1, pc.height - 1));
      sum += w * unpack_h4 (texelFetch (src, int (index_of (q))).xy);
      wsum += w;
    }
  dst[index_of (p)] = pack_h4 (sum / wsum);
}
