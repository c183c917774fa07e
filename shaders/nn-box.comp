#version 450
// nn-box.comp: one axis of a box filter of radius R over C planes: the mean of the 2R + 1 values
// inside the picture (He et al.'s box filter, normalized by the in-picture count), along x or y.
// In: binding 0. Out: binding 1.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (constant_id = 3) const int VERTICAL = 0;

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1, OUT_FORMAT) uniform writeonly imageBuffer dst;
layout (push_constant) uniform Push { int w, h, c, r, in_off, out_off, vertical; } pc;

void main ()
{
  int x = int (gl_GlobalInvocationID.x), y = int (gl_GlobalInvocationID.y);
  int ch = int (gl_GlobalInvocationID.z);
  if (x >= pc.w || y >= pc.h)
    return;
  int plane = ch * pc.w * pc.h;
  int pos = VERTICAL != 0 ? y : x, len = VERTICAL != 0 ? pc.h : pc.w;
  int step = VERTICAL != 0 ? pc.w : 1;
  int lo = max (pos - pc.r, 0), hi = min (pos + pc.r, len - 1);
  int base = pc.in_off + plane + y * pc.w + x + (lo - pos) * step;
  float sum = 0.0;
  for (int i = lo; i <= hi; i++, base += step)
    sum += texelFetch (src, base).r;
  imageStore (dst, pc.out_off + plane + y * pc.w + x, vec4 (sum / float (hi - lo + 1)));
}
