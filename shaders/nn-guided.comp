#version 450
// nn-guided.comp: the guided filter (He et al.) of radius R in two passes instead of seven, for
// small radii: every box mean is taken over the in-picture part of the (2R + 1)^2 window at once
// (the same means as the separable box filter's, whose clipped windows are rectangles too).
//   PHASE 0: from the guide I and the input p, the coefficients [A, B] (2 C planes) with
//            A = (mIp - mI mp) / (mII - mI^2 + eps), B = mp - A mI
//   PHASE 1: from the guide and the coefficients: out = mA I + mB
// The guide has GUIDE_C planes: 1 (shared by every channel) or C.
// In: binding 0, the guide; binding 1, p (PHASE 0) or the coefficients (PHASE 1). Out: binding 2.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (constant_id = 3) const int PHASE = 0;
// The radius, pc.r as a constant: the window's loops unroll, and every lane runs the same taps
// (those outside the picture add zero), rather than each its own clipped bounds.
layout (constant_id = 4) const int R = 1;

layout (binding = 0) uniform samplerBuffer guide;
layout (binding = 1) uniform samplerBuffer src;
layout (binding = 2, OUT_FORMAT) uniform writeonly imageBuffer dst;
layout (push_constant) uniform Push {
  int w, h, c, guide_c, r, guide_off, in_off, out_off, phase;   // phase: PHASE (the C reference's)
  float eps;
} pc;

void main ()
{
  int x = int (gl_GlobalInvocationID.x), y = int (gl_GlobalInvocationID.y);
  int ch = int (gl_GlobalInvocationID.z);
  if (x >= pc.w || y >= pc.h)
    return;
  int plane = pc.w * pc.h, at = y * pc.w + x;
  int g = pc.guide_off + (pc.guide_c == 1 ? 0 : ch) * plane;
  int x0 = max (x - pc.r, 0), x1 = min (x + pc.r, pc.w - 1);
  int y0 = max (y - pc.r, 0), y1 = min (y + pc.r, pc.h - 1);
  float n = float ((x1 - x0 + 1) * (y1 - y0 + 1));

  if (PHASE == 0)
    {
      int p = pc.in_off + ch * plane;
      float s_i = 0.0, s_p = 0.0, s_ii = 0.0, s_ip = 0.0;
      for (int dj = -R; dj <= R; dj++)
        for (int di = -R; di <= R; di++)
          {
            int j = clamp (y + dj, 0, pc.h - 1), i = clamp (x + di, 0, pc.w - 1);
            float in_window = j == y + dj && i == x + di ? 1.0 : 0.0;
            float gi = texelFetch (guide, g + j * pc.w + i).r * in_window;
            float pi = texelFetch (src, p + j * pc.w + i).r * in_window;
            s_i += gi, s_p += pi, s_ii += gi * gi, s_ip += gi * pi;
          }
      float m_i = s_i / n, m_p = s_p / n;
      float coef = (s_ip / n - m_i * m_p) / (s_ii / n - m_i * m_i + pc.eps);
      imageStore (dst, pc.out_off + ch * plane + at, vec4 (coef));
      imageStore (dst, pc.out_off + (pc.c + ch) * plane + at, vec4 (m_p - coef * m_i));
    }
  else
    {
      int a = pc.in_off + ch * plane, b = pc.in_off + (pc.c + ch) * plane;
      float s_a = 0.0, s_b = 0.0;
      for (int dj = -R; dj <= R; dj++)
        for (int di = -R; di <= R; di++)
          {
            int j = clamp (y + dj, 0, pc.h - 1), i = clamp (x + di, 0, pc.w - 1);
            float in_window = j == y + dj && i == x + di ? 1.0 : 0.0;
            s_a += texelFetch (src, a + j * pc.w + i).r * in_window;
            s_b += texelFetch (src, b + j * pc.w + i).r * in_window;
          }
      imageStore (dst, pc.out_off + ch * plane + at,
                  vec4 (s_a / n * texelFetch (guide, g + at).r + s_b / n));
    }
}
