#version 450
// lab.comp: sRGB 16-bit RGBA -> OKLab + alpha.
// In: binding 0, rgba16 (uvec2: R | G << 16, B | A << 16). Out: binding 1, half4 (L, a, b, alpha).
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) readonly buffer Src { uvec2 src[]; };
layout (std430, binding = 1) writeonly buffer Dst { uvec2 dst[]; };
layout (push_constant) uniform Push { int width, height; } pc;

#include "common.glsl"

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  uvec2 v = src[i];
  vec4 c = vec4 (v.x & 0xffffu, v.x >> 16, v.y & 0xffffu, v.y >> 16) / 65535.0;
  vec3 lin = vec3 (srgb_to_linear (c.r), srgb_to_linear (c.g), srgb_to_linear (c.b));
  dst[i] = pack_h4 (vec4 (linear_to_oklab (lin), c.a));
}
