#version 450
// bilateral.comp: one orientation-aligned bilateral pass (Kyprianidis/Winnemoeller) in OKLab,
// across edges (mode 0) or along them (mode 1), taps STEP px apart (bilinear).
// In: binding 0, half4 OKLab; binding 1, half4 tensor. Out: binding 2, half4 OKLab (alpha kept).
// Units: sigma_d and step in px, sigma_r in OKLab units.
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) readonly buffer Src { uvec2 src[]; };
layout (std430, binding = 1) readonly buffer Tensor { uvec2 tensor[]; };
layout (std430, binding = 2) writeonly buffer Dst { uvec2 dst[]; };
layout (push_constant) uniform Push { int width, height, mode, n; float sigma_d, step, sigma_r; } pc;

#include "common.glsl"

#define LOAD_SRC(i) unpack_h4 (src[i])
DEFINE_SAMPLER (sample_src, vec4, LOAD_SRC)

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec2 t = tensor_tangent (unpack_h4 (tensor[i]).xyz);
  vec2 dir = pc.mode == 0 ? vec2 (t.y, -t.x) : t;
  vec4 c0 = unpack_h4 (src[i]);
  vec3 sum = c0.xyz;
  float wsum = 1.0;
  float kd = -0.5 / (pc.sigma_d * pc.sigma_d);
  float kr = -0.5 / (pc.sigma_r * pc.sigma_r);
  for (int k = 1; k <= pc.n; k++)
    {
      float d = float (k) * pc.step;
      float ws = exp (d * d * kd);
      vec3 a = sample_src (vec2 (p) + dir * d).xyz;
      vec3 b = sample_src (vec2 (p) - dir * d).xyz;
      vec3 da = a - c0.xyz, db = b - c0.xyz;
      float wa = ws * exp (dot (da, da) * kr);
      float wb = ws * exp (dot (db, db) * kr);
      sum += wa * a + wb * b;
      wsum += wa + wb;
    }
  dst[i] = pack_h4 (vec4 (sum / wsum, c0.w));
}
