#version 450
// velocity.comp: the motion fields from the hints, by inverse-distance weighting (Shepard, power
// 2; anchors count 3 times, with zero motion) against a still background: the flow's velocity
// from the flow arrows and the sway's amplitude from the sway arrows (each arrow is one or the
// other; all of them share the weights, so a flowing region stops where a swaying one begins).
// An arrow's weight falls to 0 at its reach R ((1 - (d / R)^2)^2, a compact support, scaled by
// (R / REACH)^2 so its profile against the background is the same at any reach): an arrow moves
// its neighbourhood and nothing beyond its reach moves. The background weighs as much as a bare
// arrow of reach REACH at 0.8 REACH. Stopped by the freeze mask. Coordinates are normalized (0..1
// of the width and height); distances are measured in units of the height so the field is round
// on any aspect ratio.
// In: binding 0, vec4 hints[2 (n_arrows + n_anchors)]: (x, y, vx, vy), (reach, sway, 0, 0), anchors
//     after arrows; binding 1, float freeze mask at this size (1 frozen).
// Out: binding 2, uint[2] a texel: packHalf2x16 of the flow's displacement over one loop and of
//     the sway's amplitude, normalized units.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform samplerBuffer hints;
layout (binding = 1) uniform samplerBuffer mask;
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
  vec2 flow = vec2 (0.0), sway = vec2 (0.0);
  float background = 0.8 * pc.reach;
  float wsum = 1.0 / (background * background);   // the still background
  for (int k = 0; k < pc.n_arrows + pc.n_anchors; k++)
    {
      vec4 h = texelFetch (hints, int (2 * k)), e = texelFetch (hints, int (2 * k + 1));
      vec2 d = (x - h.xy) * vec2 (pc.aspect, 1.0);
      float d2 = dot (d, d), w;
      if (k < pc.n_arrows)
        {
          float r = e.x, t2 = d2 / (r * r), s = r / pc.reach;
          w = (t2 < 1.0 ? (1.0 - t2) * (1.0 - t2) * (s * s) : 0.0) / (d2 + 1e-6);
          if (e.y != 0.0)
            sway += w * h.zw;
          else
            flow += w * h.zw;
        }
      else
        w = 3.0 / (d2 + 1e-6);
      wsum += w;
    }
  float keep = 1.0 - clamp (texelFetch (mask, int (i)).x, 0.0, 1.0);
  dst[2 * i] = packHalf2x16 (flow / wsum * keep);
  dst[2 * i + 1] = packHalf2x16 (sway / wsum * keep);
}
