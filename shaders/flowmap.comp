#version 450
// flowmap.comp: one step of the flow's position maps, on the velocity field's (working) grid: the
// displacement D(u) = Phi_STEPS (u) - u of following the flow for STEPS frames (negative:
// backwards) from each texel's centre u, chained onto the previous map: D_j (u) = (y - u) +
// D_(j-1) (y), y = Phi_STEPS (u) in SUBSTEPS Euler steps. Frames then read Phi_t for any t from a
// few maps instead of integrating the whole way per pixel.
// In: binding 0, the motion fields (uint[2] a texel: packHalf2x16 flow velocity, sway);
//     binding 1, the previous map (vec2 a texel, normalized units). Out: binding 2, the map.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer fields;
layout (binding = 1) uniform samplerBuffer prev;
layout (std430, binding = 2) writeonly buffer Dst { vec2 dst[]; };
layout (push_constant) uniform Push {
  int width, height, substeps;
  float steps;                 // frames, signed
  float speed;                 // normalized units a frame per normalized unit a loop
} pc;

#include "common.glsl"

#define LOAD_VELOCITY(i) unpackHalf2x16 (texelFetch (fields, int (2 * (i))).x)
#define LOAD_PREV(i) texelFetch (prev, int (i)).xy

// Bilinear, edges clamped, on the grid (pixel centres at integers).
#define DEFINE_BILINEAR(NAME, TYPE, LOAD)                                                    \
  TYPE NAME (vec2 u)                                                                         \
  {                                                                                          \
    vec2 q = u * vec2 (pc.width, pc.height) - 0.5;                                           \
    vec2 f = floor (q);                                                                      \
    vec2 t = q - f;                                                                          \
    int x0 = clamp (int (f.x), 0, pc.width - 1), x1 = clamp (int (f.x) + 1, 0, pc.width - 1);   \
    int y0 = clamp (int (f.y), 0, pc.height - 1), y1 = clamp (int (f.y) + 1, 0, pc.height - 1); \
    return mix (mix (LOAD (y0 * pc.width + x0), LOAD (y0 * pc.width + x1), t.x),            \
                mix (LOAD (y1 * pc.width + x0), LOAD (y1 * pc.width + x1), t.x), t.y);       \
  }

DEFINE_BILINEAR (velocity_at, vec2, LOAD_VELOCITY)
DEFINE_BILINEAR (prev_at, vec2, LOAD_PREV)

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  vec2 u = (vec2 (p) + 0.5) / vec2 (pc.width, pc.height), y = u;
  float dt = pc.steps / float (pc.substeps);
  for (int k = 0; k < pc.substeps; k++)
    y += velocity_at (y) * (pc.speed * dt);
  dst[index_of (p)] = (y - u) + prev_at (y);
}
