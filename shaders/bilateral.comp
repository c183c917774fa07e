#version 450
// bilateral.comp: one orientation-aligned bilateral pass (Kyprianidis/Winnemoeller) in OKLab,
// across edges (mode 0) or along them (mode 1); taps STEP px apart along the major axis.
// In: binding 0, lab32; binding 1, flow (packed tangent). Out: binding 2, lab32.
// Units: sigma_d and step in px, sigma_r in OKLab units.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (binding = 1) uniform usamplerBuffer flow;
layout (std430, binding = 2) writeonly buffer Dst { uint dst[]; };
layout (push_constant) uniform Push { int width, height, mode, n; float sigma_d, step, sigma_r; } pc;

#include "common.glsl"

#define LOAD_SRC(i) unpack_lab (texelFetch (src, int (i)).x)
DEFINE_LINE_SAMPLER (sample_src, vec3, LOAD_SRC)

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec2 t = unpackHalf2x16 (texelFetch (flow, int (i)).x);
  vec2 u = line_step (pc.mode == 0 ? vec2 (t.y, -t.x) : t);
  float spacing = pc.step * length (u);
  int n = int (ceil (float (pc.n) / length (u)));
  vec3 c0 = unpack_lab (texelFetch (src, int (i)).x);
  vec3 sum = c0;
  float wsum = 1.0;
  float kr = -0.5 / (pc.sigma_r * pc.sigma_r);
  // Spatial weights exp (-(k spacing)^2 / 2 sigma_d^2) = q^(k^2), by recurrence.
  float q = exp (-0.5 * spacing * spacing / (pc.sigma_d * pc.sigma_d));
  float ws = 1.0, ratio = q, q2 = q * q;
  for (int k = 1; k <= n; k++)
    {
      ws *= ratio;
      ratio *= q2;
      vec3 a = sample_src (p, u, float (k) * pc.step);
      vec3 b = sample_src (p, u, -float (k) * pc.step);
      vec3 da = a - c0, db = b - c0;
      float wa = ws * exp (dot (da, da) * kr);
      float wb = ws * exp (dot (db, db) * kr);
      sum += wa * a + wb * b;
      wsum += wa + wb;
    }
  dst[i] = pack_lab (sum / wsum);
}
