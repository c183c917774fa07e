#version 450
// nn-pack.comp: a tensor's planes packed by 4 channels, [ceil (C / 4)][H][W] vec4 (channels past C
// zero), for the convolution's PACKED variants: each of its texel fetches then brings 4 channels.
// In: binding 0, the planes (floats or halves) from IN_OFF. Out: binding 1, the texels.
// The -f16 variant writes halves (rgba16f), for values kept as halves.
#extension GL_GOOGLE_include_directive : require
#ifndef OUT_FORMAT
#define OUT_FORMAT rgba32f
#endif
#include "nn-common.glsl"

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1, OUT_FORMAT) uniform writeonly imageBuffer dst;
layout (push_constant) uniform Push {
  int plane, c, in_off, row;
} pc;

void main ()
{
  int i = flat_index (pc.row);
  if (i >= (pc.c + 3) / 4 * pc.plane)
    return;
  int c0 = i / pc.plane * 4, at = pc.in_off + c0 * pc.plane + i % pc.plane;
  vec4 v = vec4 (0.0);
  for (int k = 0; k < 4; k++)
    if (c0 + k < pc.c)
      v[k] = texelFetch (src, at + k * pc.plane).r;
  imageStore (dst, i, v);
}
