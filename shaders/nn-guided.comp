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

// Each invocation filters PXB pixels along a row, so neighbours share their window's fetches
// (a 3-wide window: 18 texels of each input for 4 pixels, not 36); every pixel's sums are added
// in the same order as the C reference's.
#define PXB 4
#define SEG (PXB + 2 * R)

void main ()
{
  int x0 = int (gl_GlobalInvocationID.x) * PXB, y = int (gl_GlobalInvocationID.y);
  int ch = int (gl_GlobalInvocationID.z);
  if (x0 >= pc.w || y >= pc.h)
    return;
  int plane = pc.w * pc.h;
  int g = pc.guide_off + (pc.guide_c == 1 ? 0 : ch) * plane;
  // The window's columns: clamped into the picture, and 0 where that moved them (outside).
  int ix[SEG];
  float mx[SEG];
  for (int j = 0; j < SEG; j++)
    {
      int xi = x0 - R + j;
      ix[j] = clamp (xi, 0, pc.w - 1);
      mx[j] = ix[j] == xi ? 1.0 : 0.0;
    }
  int y0 = max (y - pc.r, 0), y1 = min (y + pc.r, pc.h - 1);

  if (PHASE == 0)
    {
      int p = pc.in_off + ch * plane;
      float s_i[PXB], s_p[PXB], s_ii[PXB], s_ip[PXB];
      for (int k = 0; k < PXB; k++)
        s_i[k] = 0.0, s_p[k] = 0.0, s_ii[k] = 0.0, s_ip[k] = 0.0;
      for (int dj = -R; dj <= R; dj++)
        {
          int j = clamp (y + dj, 0, pc.h - 1);
          float my = j == y + dj ? 1.0 : 0.0;
          float gs[SEG], ps[SEG];
          for (int c = 0; c < SEG; c++)
            {
              float in_window = mx[c] * my;
              gs[c] = texelFetch (guide, g + j * pc.w + ix[c]).r * in_window;
              ps[c] = texelFetch (src, p + j * pc.w + ix[c]).r * in_window;
            }
          for (int k = 0; k < PXB; k++)
            for (int di = -R; di <= R; di++)
              {
                float gi = gs[k + R + di], pi = ps[k + R + di];
                s_i[k] += gi, s_p[k] += pi, s_ii[k] += gi * gi, s_ip[k] += gi * pi;
              }
        }
      for (int k = 0; k < PXB; k++)
        {
          int x = x0 + k;
          if (x >= pc.w)
            break;
          int x_lo = max (x - pc.r, 0), x_hi = min (x + pc.r, pc.w - 1);
          float n = float ((x_hi - x_lo + 1) * (y1 - y0 + 1));
          float m_i = s_i[k] / n, m_p = s_p[k] / n;
          float coef = (s_ip[k] / n - m_i * m_p) / (s_ii[k] / n - m_i * m_i + pc.eps);
          int at = y * pc.w + x;
          imageStore (dst, pc.out_off + ch * plane + at, vec4 (coef));
          imageStore (dst, pc.out_off + (pc.c + ch) * plane + at, vec4 (m_p - coef * m_i));
        }
    }
  else
    {
      int a = pc.in_off + ch * plane, b = pc.in_off + (pc.c + ch) * plane;
      float s_a[PXB], s_b[PXB];
      for (int k = 0; k < PXB; k++)
        s_a[k] = 0.0, s_b[k] = 0.0;
      for (int dj = -R; dj <= R; dj++)
        {
          int j = clamp (y + dj, 0, pc.h - 1);
          float my = j == y + dj ? 1.0 : 0.0;
          float as[SEG], bs[SEG];
          for (int c = 0; c < SEG; c++)
            {
              float in_window = mx[c] * my;
              as[c] = texelFetch (src, a + j * pc.w + ix[c]).r * in_window;
              bs[c] = texelFetch (src, b + j * pc.w + ix[c]).r * in_window;
            }
          for (int k = 0; k < PXB; k++)
            for (int di = -R; di <= R; di++)
              s_a[k] += as[k + R + di], s_b[k] += bs[k + R + di];
        }
      for (int k = 0; k < PXB; k++)
        {
          int x = x0 + k;
          if (x >= pc.w)
            break;
          int x_lo = max (x - pc.r, 0), x_hi = min (x + pc.r, pc.w - 1);
          float n = float ((x_hi - x_lo + 1) * (y1 - y0 + 1));
          int at = y * pc.w + x;
          imageStore (dst, pc.out_off + ch * plane + at,
                      vec4 (s_a[k] / n * texelFetch (guide, g + at).r + s_b[k] / n));
        }
    }
}
