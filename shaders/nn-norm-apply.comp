#version 450
// nn-norm-apply.comp: group normalization applied: (v - mean) / std, scaled and shifted per channel
// (gamma, beta; without them 1 and 0), then the fused activation.
// In: binding 0, the planes; binding 1, the statistics (nn-norm-stats.comp); binding 2, the weights
// (gamma at g_off, beta at b_off; g_off < 0: none). Out: binding 3.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (constant_id = 3) const int ACT = 0;

layout (std430, binding = 0) readonly buffer Src { float src[]; };
layout (std430, binding = 1) readonly buffer Stats { float stats[]; };
layout (std430, binding = 2) readonly buffer Weights { float wt[]; };
layout (std430, binding = 3) writeonly buffer Dst { float dst[]; };
layout (push_constant) uniform Push {
  int plane, c, groups, in_off, out_off, g_off, b_off, row, act;
  float alpha;
} pc;

void main ()
{
  int i = flat_index (pc.row);
  if (i >= pc.c * pc.plane)
    return;
  int ch = i / pc.plane, g = ch / (pc.c / pc.groups);
  float v = (src[pc.in_off + i] - stats[2 * g]) * stats[2 * g + 1];
  if (pc.g_off >= 0)
    v = v * wt[pc.g_off + ch] + wt[pc.b_off + ch];
  dst[pc.out_off + i] = activate (ACT, v, pc.alpha);
}
