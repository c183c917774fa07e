#version 450
// nn-warp.comp: the temporal layer's sampler: C planes of features read at p + flow (p), bilinear,
// clamped at the edges (PyTorch's grid_sample, align_corners=True, padding "border").
// In: binding 0, the features; binding 1, the flow (2 planes: dx, dy in pixels). Out: binding 2.
// PACKED (the -po variants, for CPU devices): features and output packed by 4 channels
// ([C / 4][H][W] vec4, nn-pack.comp's layout; offsets in texels), the flow planes as ever: an
// invocation warps 4 channels with the fetches one took.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1) uniform samplerBuffer flow;
layout (binding = 2, OUT_FORMAT) uniform writeonly imageBuffer dst;
layout (push_constant) uniform Push { int w, h, c, in_off, flow_off, out_off; } pc;

#ifdef PACKED
vec4 at (int i) { return texelFetch (src, i); }
#define VALUE vec4
#else
float at (int i) { return texelFetch (src, i).r; }
#define VALUE float
#endif

void main ()
{
  int x = int (gl_GlobalInvocationID.x), y = int (gl_GlobalInvocationID.y);
  int ch = int (gl_GlobalInvocationID.z);
  if (x >= pc.w || y >= pc.h)
    return;
  int plane = pc.w * pc.h, here = y * pc.w + x;
  float dx = texelFetch (flow, pc.flow_off + here).r;
  float dy = texelFetch (flow, pc.flow_off + plane + here).r;
  float sx = clamp (float (x) + dx, 0.0, float (pc.w - 1));
  float sy = clamp (float (y) + dy, 0.0, float (pc.h - 1));
  int x0 = int (sx), y0 = int (sy);
  int x1 = min (x0 + 1, pc.w - 1), y1 = min (y0 + 1, pc.h - 1);
  float fx = sx - float (x0), fy = sy - float (y0);
  int base = pc.in_off + ch * plane;
  int top = base + y0 * pc.w, bottom = base + y1 * pc.w;
  VALUE top_v = mix (at (top + x0), at (top + x1), fx);
  VALUE bottom_v = mix (at (bottom + x0), at (bottom + x1), fx);
  imageStore (dst, pc.out_off + ch * plane + here, vec4 (mix (top_v, bottom_v, fy)));
}
