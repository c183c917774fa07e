#version 450
// tensor.comp: the structure tensor (E, F, G) of an OKLab image from Sobel derivatives of L, a, b.
// In: binding 0, lab32. Out: binding 1, half4 (E, F, G, 0) in (OKLab x 10 / px)^2.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (std430, binding = 1) writeonly buffer Dst { uvec2 dst[]; };
layout (push_constant) uniform Push { int width, height; } pc;

#include "common.glsl"

vec3 at (ivec2 p)
{
  p = clamp (p, ivec2 (0), ivec2 (pc.width - 1, pc.height - 1));
  return unpack_lab (texelFetch (src, int (index_of (p))).x) * 10.0;
}

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  vec3 tl = at (p + ivec2 (-1, -1)), t = at (p + ivec2 (0, -1)), tr = at (p + ivec2 (1, -1));
  vec3 l = at (p + ivec2 (-1, 0)), r = at (p + ivec2 (1, 0));
  vec3 bl = at (p + ivec2 (-1, 1)), b = at (p + ivec2 (0, 1)), br = at (p + ivec2 (1, 1));
  vec3 gx = (tr + 2.0 * r + br - tl - 2.0 * l - bl) * 0.25;
  vec3 gy = (bl + 2.0 * b + br - tl - 2.0 * t - tr) * 0.25;
  dst[index_of (p)] = pack_h4 (vec4 (dot (gx, gx), dot (gx, gy), dot (gy, gy), 0.0));
}
