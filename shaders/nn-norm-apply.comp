#version 450
// nn-norm-apply.comp: group normalization applied: (v - mean) / std, scaled and shifted per channel
// (gamma, beta; without them 1 and 0), then the fused activation.
// In: binding 0, the planes; binding 1, the statistics (nn-norm-stats.comp); binding 2, the weights
// (gamma at g_off, beta at b_off; g_off < 0: none). Out: binding 3.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (constant_id = 3) const int ACT = 0;

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1) uniform samplerBuffer stats;
layout (binding = 2) uniform samplerBuffer wt;
layout (binding = 3, OUT_FORMAT) uniform writeonly imageBuffer dst;
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
  float mean = texelFetch (stats, 2 * g).r, scale = texelFetch (stats, 2 * g + 1).r;
  float v = (texelFetch (src, pc.in_off + i).r - mean) * scale;
  if (pc.g_off >= 0)
    v = v * texelFetch (wt, pc.g_off + ch).r + texelFetch (wt, pc.b_off + ch).r;
  imageStore (dst, pc.out_off + i, vec4 (activate (ACT, v, pc.alpha)));
}
