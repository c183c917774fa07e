#version 450
// flow.comp: the edge flow: the unit tangent of the structure tensor, sampled (bilinearly, at
// pixel centres) from a tensor of SRC size onto the output size, packed as two halves.
// In: binding 0, half4 tensor (E, F, G, 0). Out: binding 1, uint packHalf2x16 (tangent).
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (std430, binding = 1) writeonly buffer Dst { uint dst[]; };
layout (push_constant) uniform Push { int width, height, src_width, src_height; } pc;

#include "common.glsl"

vec4 at (int x, int y)
{
  x = clamp (x, 0, pc.src_width - 1);
  y = clamp (y, 0, pc.src_height - 1);
  return unpack_h4 (texelFetch (src, int (y * pc.src_width + x)).xy);
}

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  vec2 q = (vec2 (p) + 0.5) * vec2 (pc.src_width, pc.src_height) / vec2 (pc.width, pc.height) - 0.5;
  vec2 f = floor (q), t = q - f;
  int x = int (f.x), y = int (f.y);
  vec4 e = mix (mix (at (x, y), at (x + 1, y), t.x), mix (at (x, y + 1), at (x + 1, y + 1), t.x), t.y);
  dst[index_of (p)] = packHalf2x16 (tensor_tangent (e.xyz));
}
