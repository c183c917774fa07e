#version 450
// nn-resample.comp: x2 upsampling of C planes, nearest or bilinear (PyTorch's align_corners=False:
// a source position (x + 0.5) / 2 - 0.5, clamped at the edges).
// With add_off >= 0 the planes at add_off of binding 1 are added (an upsample and the sum after it
// in one pass).
// In: binding 0; binding 1, the addend (binding 0 again when unused). Out: binding 2, planes of
// 2 in_w x 2 in_h.
//
// PACKED (the -po variants, for CPU devices): input, addend and output all packed by 4 channels
// ([C / 4][H][W] vec4, nn-pack.comp's layout; offsets in texels), and an invocation computes the
// 2 x 2 outputs of one input pixel from its 3 x 3 neighbours: 9 fetches for 16 values, where the
// planes take 4 fetches a value (lavapipe calls a function for each fetch).
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (constant_id = 3) const int BILINEAR = 1;

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1) uniform samplerBuffer addend;
layout (binding = 2, OUT_FORMAT) uniform writeonly imageBuffer dst;
layout (push_constant) uniform Push { int in_w, in_h, c, in_off, out_off, bilinear, add_off; } pc;

float at (int i) { return texelFetch (src, i).r; }

#ifdef PACKED
vec4 texel (int plane, int x, int y) { return texelFetch (src, plane + y * pc.in_w + x); }

void main ()
{
  int x = int (gl_GlobalInvocationID.x), y = int (gl_GlobalInvocationID.y);
  int c4 = int (gl_GlobalInvocationID.z);
  if (x >= pc.in_w || y >= pc.in_h)
    return;
  int plane = pc.in_off + c4 * pc.in_w * pc.in_h;
  int ow = 2 * pc.in_w, oh = 2 * pc.in_h;
  vec4 q[2][2];
  if (BILINEAR == 0)
    q[0][0] = q[0][1] = q[1][0] = q[1][1] = texel (plane, x, y);
  else
    {
      // Output 2x takes 3/4 of input x and 1/4 of x - 1, 2x + 1 3/4 of x and 1/4 of x + 1, the
      // neighbours clamped at the edges (where the scalar path's weight is 0 or both are x).
      int xs[3] = { max (x - 1, 0), x, min (x + 1, pc.in_w - 1) };
      int ys[3] = { max (y - 1, 0), y, min (y + 1, pc.in_h - 1) };
      vec4 row[3][2];
      for (int j = 0; j < 3; j++)
        {
          vec4 l = texel (plane, xs[0], ys[j]), m = texel (plane, xs[1], ys[j]);
          vec4 r = texel (plane, xs[2], ys[j]);
          row[j][0] = x > 0 ? mix (l, m, 0.75) : m;
          row[j][1] = x + 1 < pc.in_w ? mix (m, r, 0.25) : m;
        }
      for (int dx = 0; dx < 2; dx++)
        {
          q[0][dx] = y > 0 ? mix (row[0][dx], row[1][dx], 0.75) : row[1][dx];
          q[1][dx] = y + 1 < pc.in_h ? mix (row[1][dx], row[2][dx], 0.25) : row[1][dx];
        }
    }
  for (int dy = 0; dy < 2; dy++)
    for (int dx = 0; dx < 2; dx++)
      {
        int o = (c4 * oh + 2 * y + dy) * ow + 2 * x + dx;
        vec4 v = q[dy][dx];
        if (pc.add_off >= 0)
          v += texelFetch (addend, pc.add_off + o);
        imageStore (dst, pc.out_off + o, v);
      }
}
#else
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
#endif
