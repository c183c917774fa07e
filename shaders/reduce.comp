#version 450
// reduce.comp: sRGB 16-bit RGBA at SRC size -> packed OKLab at the (smaller or equal) output size,
// each output pixel the average, in linear light, of the source pixels whose centres it covers.
// In: binding 0, rgba16 (uvec2: R | G << 16, B | A << 16). Out: binding 1, lab32 (pack_lab).
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (std430, binding = 1) writeonly buffer Dst { uint dst[]; };
layout (push_constant) uniform Push { int width, height, src_width, src_height; } pc;

#include "common.glsl"

vec3 linear_at (int i)
{
  uvec2 v = texelFetch (src, int (i)).xy;
  vec3 c = vec3 (v.x & 0xffffu, v.x >> 16, v.y & 0xffffu) / 65535.0;
  return vec3 (srgb_to_linear (c.r), srgb_to_linear (c.g), srgb_to_linear (c.b));
}

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  // Source pixels x0 .. x1-1 have their centres inside output pixel p (at least one).
  int x0 = (p.x * pc.src_width) / pc.width, x1 = max (x0 + 1, ((p.x + 1) * pc.src_width) / pc.width);
  int y0 = (p.y * pc.src_height) / pc.height, y1 = max (y0 + 1, ((p.y + 1) * pc.src_height) / pc.height);
  vec3 sum = vec3 (0.0);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      sum += linear_at (y * pc.src_width + x);
  dst[index_of (p)] = pack_lab (linear_to_oklab (sum / float ((x1 - x0) * (y1 - y0))));
}
