#version 450
// nn-resample.comp: x2 upsampling of C planes, nearest or bilinear (PyTorch's align_corners=False:
// a source position (x + 0.5) / 2 - 0.5, clamped at the edges).
// With add_off >= 0 the planes at add_off of binding 1 are added (an upsample and the sum after it
// in one pass).
// In: binding 0; binding 1, the addend (binding 0 again when unused). Out: binding 2, planes of
// 2 in_w x 2 in_h.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (constant_id = 3) const int BILINEAR = 1;

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1) uniform samplerBuffer addend;
layout (binding = 2, OUT_FORMAT) uniform writeonly imageBuffer dst;
layout (push_constant) uniform Push { int in_w, in_h, c, in_off, out_off, bilinear, add_off; } pc;

float at (int i) { return texelFetch (src, i).r; }

void main ()
{
  int x = int (gl_GlobalInvocationID.x), y = int (gl_GlobalInvocationID.y);
  int ch = int (gl_GlobalInvocationID.z);
  int ow = 2 * pc.in_w, oh = 2 * pc.in_h;
  if (x >= ow || y >= oh)
    return;
  int plane = pc.in_off + ch * pc.in_w * pc.in_h;
  float v;
  if (BILINEAR == 0)
    v = at (plane + (y / 2) * pc.in_w + x / 2);
  else
    {
      float sx = max ((float (x) + 0.5) * 0.5 - 0.5, 0.0);
      float sy = max ((float (y) + 0.5) * 0.5 - 0.5, 0.0);
      int x0 = int (sx), y0 = int (sy);
      int x1 = min (x0 + 1, pc.in_w - 1), y1 = min (y0 + 1, pc.in_h - 1);
      float fx = sx - float (x0), fy = sy - float (y0);
      int top = plane + y0 * pc.in_w, bottom = plane + y1 * pc.in_w;
      v = mix (mix (at (top + x0), at (top + x1), fx), mix (at (bottom + x0), at (bottom + x1), fx),
               fy);
    }
  int o = (ch * oh + y) * ow + x;
  if (pc.add_off >= 0)
    v += texelFetch (addend, pc.add_off + o).r;
  imageStore (dst, pc.out_off + o, vec4 (v));
}
