#version 450
// nn-warp.comp: the temporal layer's sampler: C planes of features read at p + flow (p), bilinear,
// clamped at the edges (PyTorch's grid_sample, align_corners=True, padding "border").
// In: binding 0, the features; binding 1, the flow (2 planes: dx, dy in pixels). Out: binding 2.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1) uniform samplerBuffer flow;
layout (std430, binding = 2) writeonly buffer Dst { float dst[]; };
layout (push_constant) uniform Push { int w, h, c, in_off, flow_off, out_off; } pc;

void main ()
{
  int x = int (gl_GlobalInvocationID.x), y = int (gl_GlobalInvocationID.y);
  int ch = int (gl_GlobalInvocationID.z);
  if (x >= pc.w || y >= pc.h)
    return;
  int plane = pc.w * pc.h, at = y * pc.w + x;
  float sx = clamp (float (x) + texelFetch (flow, pc.flow_off + at).r, 0.0, float (pc.w - 1));
  float sy = clamp (float (y) + texelFetch (flow, pc.flow_off + plane + at).r, 0.0, float (pc.h - 1));
  int x0 = int (sx), y0 = int (sy);
  int x1 = min (x0 + 1, pc.w - 1), y1 = min (y0 + 1, pc.h - 1);
  float fx = sx - float (x0), fy = sy - float (y0);
  int base = pc.in_off + ch * plane;
  float top = mix (texelFetch (src, base + y0 * pc.w + x0).r, texelFetch (src, base + y0 * pc.w + x1).r, fx);
  float bottom = mix (texelFetch (src, base + y1 * pc.w + x0).r, texelFetch (src, base + y1 * pc.w + x1).r, fx);
  dst[pc.out_off + ch * plane + at] = mix (top, bottom, fy);
}
