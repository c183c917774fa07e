#version 450
// upsample.comp: packed OKLab at SRC size -> the (larger or equal) output size, bilinear at pixel
// centres. In: binding 0, lab32. Out: binding 1, lab32.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (std430, binding = 1) writeonly buffer Dst { uint dst[]; };
layout (push_constant) uniform Push { int width, height, src_width, src_height; } pc;

#include "common.glsl"

vec3 at (int x, int y)
{
  x = clamp (x, 0, pc.src_width - 1);
  y = clamp (y, 0, pc.src_height - 1);
  return unpack_lab (texelFetch (src, int (y * pc.src_width + x)).x);
}

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  vec2 q = (vec2 (p) + 0.5) * vec2 (pc.src_width, pc.src_height) / vec2 (pc.width, pc.height) - 0.5;
  vec2 f = floor (q), t = q - f;
  int x = int (f.x), y = int (f.y);
  vec3 c = mix (mix (at (x, y), at (x + 1, y), t.x), mix (at (x, y + 1), at (x + 1, y + 1), t.x), t.y);
  dst[index_of (p)] = pack_lab (c);
}
