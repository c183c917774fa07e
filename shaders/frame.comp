#version 450
// frame.comp: one frame of the loop from the stylized layers: the camera (an affine map from output
// to source pixels), the sway (the picture displaced along the sway field, out and back once a
// loop: no cross-fade, so nothing ghosts), the flow layer (Eulerian loop: the frame warped forward
// t steps along the velocity field and backward N - t steps, blended by t / N, so the last frame
// leads into the first; the warps come from position maps made once per motion, the backward one
// reached by BACK frames of integration and the map of the rest of the way), line boil (lines displaced by value noise that changes with each drawing), then the ink
// laid over the flats. The ink is drawn in each frame by thresholding the line response where the
// frame reads it, so lines stay single and whole under the camera and the flow. With everything
// off, the result is the flats and lines exactly as stylized. With FLATS_IN_PLACE (the learned
// generator's loops, whose flats were painted from the moved photo) the flats are read at the
// output pixel and only the lines move.
// In: binding 0, flats rgba8; binding 1, float line response; binding 2, the motion fields at the
// working size, two packed halves a texel (flow velocity in normalized units per loop, sway
// amplitude in normalized units); binding 3, the position map Phi_-(t - BACK) and binding 4 the
// map Phi_N (vec2 displacements in normalized units at the working size, flowmap.comp).
// Out: binding 5, rgba8.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform samplerBuffer flats;
layout (binding = 1) uniform samplerBuffer lines;
layout (binding = 2) uniform usamplerBuffer velocity;
layout (binding = 3) uniform samplerBuffer map_back;
layout (binding = 4) uniform samplerBuffer map_loop;
layout (std430, binding = 5) writeonly buffer Dst { uint dst[]; };
layout (push_constant) uniform Push {
  int width, height, work_width, work_height;
  int frame, frames, drawing, seed;
  int layers, camera_on, flow_on, substeps;   // layers: LINES | FLATS_IN_PLACE (passes.h)
  float boil_amp, boil_cell;       // px
  float flow_sx, flow_sy;          // px a frame per normalized unit a loop
  float m00, m01, m02, m10, m11, m12;
  float line_r, line_g, line_b, line_alpha;
  float line_eps, line_phi, line_width;
  float sway_sx, sway_sy;          // px of displacement per normalized unit, this frame (0: none)
  float flow_back;                 // frames integrated back before the map takes over
} pc;

#include "common.glsl"

#define LINES 1
#define FLATS_IN_PLACE 2
#define POSITIONS 4
// The features this pipeline is compiled with (specialization constant 3, variant_frame () in
// engine/motion/stage-motion.c): the layers' bits and these. Lavapipe runs both sides of every
// branch under a mask, so a still must not carry the flow's code; the push constants still say
// whether a feature compiled in is on.
#define CAMERA 8
#define SWAY 16
#define FLOW 32
#define BOIL 64
layout (constant_id = 3) const int VARIANT = 127;
#define HAS(F) ((VARIANT & (F)) != 0)
// The flats' view is R8G8B8A8_UNORM: the fetch unpacks them (as unpack_rgba8 does, bit for bit on
// lavapipe), cheaper than unpacking in the shader.
#define LOAD_FLATS(i) texelFetch (flats, int (i))
#define LOAD_LINES(i) texelFetch (lines, int (i)).x
#define LOAD_VELOCITY(i) unpackHalf2x16 (texelFetch (velocity, int (2 * (i))).x)
#define LOAD_SWAY(i) unpackHalf2x16 (texelFetch (velocity, int (2 * (i) + 1)).x)
#define LOAD_MAP_BACK(i) texelFetch (map_back, int (i)).xy
#define LOAD_MAP_LOOP(i) texelFetch (map_loop, int (i)).xy

// Bilinear, edges clamped, on a W x H grid (pixel centres at integers). The clamped corners are
// the first one's index plus 0 or 1 and 0 or W: one product for the four indices.
#define DEFINE_BILINEAR(NAME, TYPE, LOAD, W, H)                                 \
  TYPE NAME (vec2 q)                                                            \
  {                                                                             \
    vec2 f = floor (q);                                                         \
    vec2 t = q - f;                                                             \
    ivec2 i = ivec2 (f);                                                        \
    int k = clamp (i.y, 0, H - 1) * W + clamp (i.x, 0, W - 1);                  \
    int dx = i.x >= 0 && i.x < W - 1 ? 1 : 0;                                   \
    int dy = i.y >= 0 && i.y < H - 1 ? W : 0;                                   \
    return mix (mix (LOAD (k), LOAD (k + dx), t.x),                             \
                mix (LOAD (k + dy), LOAD (k + dy + dx), t.x), t.y);             \
  }

DEFINE_BILINEAR (sample_flats, vec4, LOAD_FLATS, pc.width, pc.height)
DEFINE_BILINEAR (sample_lines, float, LOAD_LINES, pc.width, pc.height)
DEFINE_BILINEAR (sample_velocity, vec2, LOAD_VELOCITY, pc.work_width, pc.work_height)
DEFINE_BILINEAR (sample_sway, vec2, LOAD_SWAY, pc.work_width, pc.work_height)
DEFINE_BILINEAR (sample_map_back, vec2, LOAD_MAP_BACK, pc.work_width, pc.work_height)
DEFINE_BILINEAR (sample_map_loop, vec2, LOAD_MAP_LOOP, pc.work_width, pc.work_height)

// Full-size position Q on the working grid.
vec2 work_at (vec2 q)
{
  return (q + 0.5) * vec2 (pc.work_width, pc.work_height) / vec2 (pc.width, pc.height) - 0.5;
}

// Velocity in px a frame at full-size position Q.
vec2 velocity_at (vec2 q)
{
  return sample_velocity (work_at (q)) * vec2 (pc.flow_sx, pc.flow_sy);
}

// Follows the flow from Q for STEPS frames (negative: backwards) in pc.substeps Euler steps.
vec2 advect (vec2 q, float steps)
{
  float dt = steps / float (pc.substeps);
  for (int k = 0; k < pc.substeps; k++)
    q += velocity_at (q) * dt;
  return q;
}

// Line boil: smooth value noise, one random vector per BOIL_CELL lattice point and drawing.
vec2 boil (vec2 q)
{
  vec2 c = q / pc.boil_cell;
  vec2 f = floor (c), t = c - f;
  ivec2 i = ivec2 (f);
  uint z = uint (pc.seed) * 0x9e3779b9u + uint (pc.drawing);
  vec2 r[4];
  for (int k = 0; k < 4; k++)
    {
      uint h = hash3 (i.x + (k & 1), i.y + (k >> 1), z);
      r[k] = vec2 (unit (h), unit (hash1 (h))) * 2.0 - 1.0;
    }
  t = t * t * (3.0 - 2.0 * t);
  return mix (mix (r[0], r[1], t.x), mix (r[2], r[3], t.x), t.y) * pc.boil_amp;
}

// The line response at Q (the boil moves where it is read).
float response_at (vec2 q)
{
  if (HAS (BOIL) && pc.boil_amp > 0.0)
    q += boil (q);
  return sample_lines (q);
}

float ink_of (float u)
{
  return HAS (LINES) && (pc.layers & LINES) != 0 ? clamp (-tanh (pc.line_phi * (u - pc.line_eps)), 0.0, 1.0) : 0.0;
}

// Ink comes from the blended line response, not blended ink. Where the two copies are more than
// a stroke apart, a line only one of them has would lose contrast in the blend; dividing by the
// larger weight gives it back, so the threshold draws each line whole or not at all, never as a
// faded double. Where they coincide (no flow) the blend is the response itself.
float blend_gain (vec2 a, vec2 b, float alpha)
{
  float apart = clamp (distance (a, b) / (2.0 * pc.line_width), 0.0, 1.0);
  return mix (1.0, max (alpha, 1.0 - alpha), apart);
}

// The ink's share of the second copy: steeper than the flats' ALPHA, so a frame's lines come from
// one copy for most of the loop and from both only around the middle of the cross-fade.
float ink_weight (float alpha)
{
  float a3 = alpha * alpha * alpha, b = 1.0 - alpha;
  return a3 / (a3 + b * b * b);
}

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  vec2 q = vec2 (p);
  if (HAS (CAMERA) && pc.camera_on != 0)
    q = vec2 (pc.m00 * q.x + pc.m01 * q.y + pc.m02, pc.m10 * q.x + pc.m11 * q.y + pc.m12);
  if (HAS (SWAY) && (pc.sway_sx != 0.0 || pc.sway_sy != 0.0))
    q -= sample_sway (work_at (q)) * vec2 (pc.sway_sx, pc.sway_sy);
  vec4 base;
  float ink;
  vec2 read = q;   // where the picture is read (POSITIONS)
  if (HAS (FLOW) && pc.flow_on != 0)
    {
      // The displayed loop starts half-way through the cross-fade: the unblended (sharpest) frame
      // then falls mid-loop, not at the loop point, where every step is an ordinary one.
      float n = float (pc.frames), t = float ((pc.frame + pc.frames / 2) % pc.frames);
      vec2 size = vec2 (pc.width, pc.height);
      // a = Phi_-t (q): BACK frames integrated, then the map of the rest of the way; b = Phi_N-t
      // (q) = Phi_N (a).
      vec2 a = advect (q, -pc.flow_back);
      a += sample_map_back (work_at (a)) * size;
      vec2 b = a + sample_map_loop (work_at (a)) * size;
      float alpha = t / n;
      base = mix (sample_flats (a), sample_flats (b), alpha);
      read = mix (a, b, alpha);
      float beta = ink_weight (alpha);
      ink = ink_of (mix (response_at (a), response_at (b), beta) / blend_gain (a, b, beta));
    }
  else
    {
      base = sample_flats (q);
      ink = ink_of (response_at (q));
    }
  if (HAS (POSITIONS) && (pc.layers & POSITIONS) != 0)
    {
      dst[index_of (p)] = packHalf2x16 (read - vec2 (p));
      return;
    }
  // Flats painted from the moved photo are already where the frame shows them.
  if (HAS (FLATS_IN_PLACE) && (pc.layers & FLATS_IN_PLACE) != 0)
    base = sample_flats (vec2 (p));
  vec3 rgb = mix (base.rgb, vec3 (pc.line_r, pc.line_g, pc.line_b), ink * pc.line_alpha);
  dst[index_of (p)] = pack_rgba8 (vec4 (rgb, base.a));
}
