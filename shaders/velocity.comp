#version 450
// velocity.comp: the flow layer's dense velocity field from the hints, by inverse-distance
// weighting (Shepard, power 2; anchors count 3 times, with zero velocity) against a still
// background. An arrow's weight falls to 0 at REACH ((1 - (d / reach)^2)^2, a compact support),
// so an arrow moves its neighbourhood and nothing beyond REACH moves; the background weighs as
// much as a bare arrow at 0.8 REACH. Stopped by the freeze mask. Coordinates are normalized (0..1
// of the width and height); distances are measured in units of the height so the field is round
// on any aspect ratio.
// In: binding 0, vec4 hints[n_arrows + n_anchors] (x, y, vx, vy; anchors after arrows);
//     binding 1, float freeze mask at this size (1 frozen). Out: binding 2, uint packHalf2x16 (v):
//     displacement over one loop, normalized units.
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) readonly buffer Hints { vec4 hints[]; };
layout (std430, binding = 1) readonly buffer Mask { float mask[]; };
layout (std430, binding = 2) writeonly buffer Dst { uint dst[]; };
layout (push_constant) uniform Push { int width, height, n_arrows, n_anchors; float aspect, reach; } pc;

#include "common.glsl"

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec2 x = (vec2 (p) + 0.5) / vec2 (pc.width, pc.height);
  vec2 sum = vec2 (0.0);
  float background = 0.8 * pc.reach;
  float wsum = 1.0 / (background * background);   // the still background
  for (int k = 0; k < pc.n_arrows + pc.n_anchors; k++)
    {
      vec4 h = hints[k];
      vec2 d = (x - h.xy) * vec2 (pc.aspect, 1.0);
      float d2 = dot (d, d), t2 = d2 / (pc.reach * pc.reach);
      float fall = t2 < 1.0 ? (1.0 - t2) * (1.0 - t2) : 0.0;
      float w = (k < pc.n_arrows ? fall : 3.0) / (d2 + 1e-6);
      sum += w * h.zw;
      wsum += w;
    }
  vec2 v = sum / wsum;
  dst[i] = packHalf2x16 (v * (1.0 - clamp (mask[i], 0.0, 1.0)));
}
