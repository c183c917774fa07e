#version 450
// nn-eltwise.comp: the network's element-wise layers over C planes of PLANE values, chosen by OP:
//   0 copy with activation: out = act (a)            (concatenation copies into a channel offset)
//   1 sum with activation:  out = act (a + b)
//   2 guided filter, products: out = [I, p, I*I, I*p]   (a = guide I, b = input p)
//   3 guided filter, coefficients from the box means m = [mI, mp, mII, mIp]: out = [A, B] with
//     A = (mIp - mI mp) / (mII - mI^2 + eps), B = mp - A mI   (a = m)
//   4 guided filter, result: out = mA I + mB   (a = the box means [mA, mB], b = guide I)
// The guide has GUIDE_C planes: 1 (shared by every channel) or C.
// In: binding 0, a; binding 1, b (a again when unused). Out: binding 2.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (constant_id = 3) const int OP = 0;
layout (constant_id = 4) const int ACT = 0;

layout (binding = 0) uniform samplerBuffer a;
layout (binding = 1) uniform samplerBuffer b;
layout (binding = 2, OUT_FORMAT) uniform writeonly imageBuffer dst;
layout (push_constant) uniform Push {
  int plane, c, a_off, b_off, out_off, guide_c, row, op, act;
  float alpha, eps;
} pc;

float a_at (int i) { return texelFetch (a, pc.a_off + i).r; }
float b_at (int i) { return texelFetch (b, pc.b_off + i).r; }

void main ()
{
  int i = flat_index (pc.row);
  int n = pc.c * pc.plane;
  if (i >= n)
    return;
  int g = pc.guide_c == 1 ? i % pc.plane : i;

  if (OP == 0)
    imageStore (dst, pc.out_off + i, vec4 (activate (ACT, a_at (i), pc.alpha)));
  else if (OP == 1)
    imageStore (dst, pc.out_off + i, vec4 (activate (ACT, a_at (i) + b_at (i), pc.alpha)));
  else if (OP == 2)
    {
      float guide = a_at (g), p = b_at (i);
      imageStore (dst, pc.out_off + i, vec4 (guide));
      imageStore (dst, pc.out_off + n + i, vec4 (p));
      imageStore (dst, pc.out_off + 2 * n + i, vec4 (guide * guide));
      imageStore (dst, pc.out_off + 3 * n + i, vec4 (guide * p));
    }
  else if (OP == 3)
    {
      float m_i = a_at (i), m_p = a_at (n + i);
      float m_ii = a_at (2 * n + i), m_ip = a_at (3 * n + i);
      float coef = (m_ip - m_i * m_p) / (m_ii - m_i * m_i + pc.eps);
      imageStore (dst, pc.out_off + i, vec4 (coef));
      imageStore (dst, pc.out_off + n + i, vec4 (m_p - coef * m_i));
    }
  else
    imageStore (dst, pc.out_off + i, vec4 (a_at (i) * b_at (g) + a_at (n + i)));
}
