#version 450
// overlay.comp: manga effects over a finished frame, in place: focus (concentration) lines toward a
// centre and speed lines along a direction, both re-randomised each drawing; falling particles
// (rain, snow, petals) in a field that scrolls a whole number of periods a loop, so the loop is
// exact, and sparkles that twinkle a whole number of times a loop.
// In/out: binding 0, rgba8. Units: px (scale = px per reference px).
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) buffer Frame { uint image[]; };
layout (push_constant) uniform Push {
  int width, height, frame_index, frames;
  int drawing, seed, focus_on, speed_on;
  int particles;                       // 0 none, 1 rain, 2 snow, 3 petals, 4 sparkles
  float focus_x, focus_y, focus_amount;
  float speed_dx, speed_dy, speed_amount;
  float particle_amount, scale;
  float ink_r, ink_g, ink_b;
} pc;

#include "common.glsl"

const float TAU = 6.28318530718;

float focus_ink (vec2 p)
{
  vec2 d = p - vec2 (pc.focus_x, pc.focus_y);
  float r = length (d);
  float short_side = float (min (pc.width, pc.height));
  int spokes = int (mix (60.0, 200.0, pc.focus_amount));
  float u = (atan (d.y, d.x) + 0.5 * TAU) / TAU * float (spokes);
  int k0 = int (floor (u));
  float ink = 0.0;
  for (int j = -1; j <= 1; j++)
    {
      int k = k0 + j;
      int kk = ((k % spokes) + spokes) % spokes;
      uint h = hash3 (kk, pc.drawing, uint (pc.seed) ^ 0xf0c05u);
      if (unit (h) > 0.35 + 0.5 * pc.focus_amount)
        continue;
      float centre = float (k) + 0.5 + (unit (hash1 (h)) - 0.5) * 0.8;
      float r0 = mix (0.2, 0.45, unit (hash1 (h ^ 0x51u))) * short_side;
      float wmax = mix (0.6, 2.5, unit (hash1 (h ^ 0xa7u))) * pc.scale;
      if (r <= r0)
        continue;
      float half_w = wmax * min (1.0, (r - r0) / (0.5 * r0 + 1.0));
      float across = abs (u - centre) * (TAU / float (spokes)) * r;
      ink = max (ink, clamp (half_w - across + 0.5, 0.0, 1.0));
    }
  return ink;
}

float speed_ink (vec2 p)
{
  vec2 dir = vec2 (pc.speed_dx, pc.speed_dy), nrm = vec2 (-dir.y, dir.x);
  float spacing = 7.0 * pc.scale;
  float diag = length (vec2 (pc.width, pc.height));
  float s = dot (p, nrm) / spacing, along = dot (p, dir);
  int l0 = int (floor (s));
  float ink = 0.0;
  for (int j = -1; j <= 1; j++)
    {
      int lane = l0 + j;
      uint h = hash3 (lane, pc.drawing, uint (pc.seed) ^ 0x5eedu);
      if (unit (h) > 0.15 + 0.45 * pc.speed_amount)
        continue;
      float centre = float (lane) + 0.5 + (unit (hash1 (h)) - 0.5) * 0.6;
      float half_w = mix (0.4, 1.5, unit (hash1 (h ^ 0x11u))) * pc.scale;
      float len = mix (0.15, 0.6, unit (hash1 (h ^ 0x22u))) * diag;
      float start = (unit (hash1 (h ^ 0x33u)) * 2.0 - 1.0) * diag;
      float t = (along - start) / len;
      if (t < 0.0 || t > 1.0)
        continue;
      float across = abs (s - centre) * spacing;
      ink = max (ink, clamp (half_w * sin (0.5 * TAU * t) - across + 0.5, 0.0, 1.0));
    }
  return ink;
}

// Premultiplied colour and coverage of the particles of one depth layer at P.
vec4 particle_layer (vec2 p, int layer)
{
  int kind = pc.particles;
  float g = (layer == 0 ? 56.0 : 34.0) * pc.scale;
  int cx = max (1, int (ceil (float (pc.width) / g))), cy = max (1, int (ceil (float (pc.height) / g)));
  vec2 period = vec2 (cx, cy) * g;
  float phase = float (pc.frame_index) / float (pc.frames);
  float fall = kind == 1 ? float (3 - layer) : kind == 4 ? 0.0 : 1.0;   // periods a loop
  float density = (kind == 4 ? 0.25 : 0.8) * pc.particle_amount;
  float size = layer == 0 ? 1.0 : 0.7;
  vec2 q = p - vec2 (0.0, fall * period.y * phase);
  q = q - period * floor (q / period);
  ivec2 c0 = ivec2 (floor (q / g));
  vec4 acc = vec4 (0.0);
  for (int dy = -1; dy <= 1; dy++)
    for (int dx = -1; dx <= 1; dx++)
      {
        ivec2 c = c0 + ivec2 (dx, dy);
        ivec2 cw = ((c % ivec2 (cx, cy)) + ivec2 (cx, cy)) % ivec2 (cx, cy);
        uint h = hash3 (cw.x, cw.y, uint (pc.seed) * 31u + uint (layer) * 7u + uint (kind));
        if (unit (h) >= density)
          continue;
        vec2 centre = (vec2 (c) + vec2 (unit (hash1 (h)), unit (hash1 (h ^ 0x9u)))) * g;
        float ph = unit (hash1 (h ^ 0x77u)) * TAU;
        vec2 d = q - centre;
        vec3 colour;
        float a;
        if (kind == 1)        // rain: a thin streak
          {
            float hw = 0.6 * pc.scale * size, half_len = 0.35 * g;
            a = clamp (hw - abs (d.x) + 0.5, 0.0, 1.0) * clamp (half_len - abs (d.y), 0.0, 1.0) * 0.5;
            colour = vec3 (0.78, 0.85, 0.97);
          }
        else if (kind == 2)   // snow: a swaying dot
          {
            d.x -= sin (TAU * phase + ph) * 0.25 * g;
            float r = mix (1.5, 3.5, unit (hash1 (h ^ 0x5u))) * pc.scale * size;
            a = clamp (r - length (d) + 0.5, 0.0, 1.0) * 0.9;
            colour = vec3 (1.0);
          }
        else if (kind == 3)   // petals: swaying, turning ellipses
          {
            d.x -= sin (TAU * phase + ph) * 0.35 * g;
            float ang = ph + TAU * phase;
            vec2 e = vec2 (cos (ang) * d.x + sin (ang) * d.y, -sin (ang) * d.x + cos (ang) * d.y);
            vec2 radii = vec2 (4.0, 2.2) * pc.scale * size;
            float k = length (e / radii);
            a = clamp ((1.0 - k) * radii.y + 0.5, 0.0, 1.0) * 0.95;
            colour = vec3 (1.0, 0.72, 0.8);
          }
        else                  // sparkles: a four-pointed star twinkling 1 or 2 times a loop
          {
            float b = 0.5 + 0.5 * sin (TAU * phase * float (1u + (h & 1u)) + ph);
            float arm = 7.0 * pc.scale * size * b + 0.5;
            float w = 1.1 * pc.scale;
            float ax = clamp (w - abs (d.y) + 0.5, 0.0, 1.0) * clamp (1.0 - abs (d.x) / arm, 0.0, 1.0);
            float ay = clamp (w - abs (d.x) + 0.5, 0.0, 1.0) * clamp (1.0 - abs (d.y) / arm, 0.0, 1.0);
            a = max (ax, ay) * b;
            colour = vec3 (1.0, 0.97, 0.82);
          }
        acc = vec4 (colour * a + acc.rgb * (1.0 - a), a + acc.a * (1.0 - a));   // premultiplied over
      }
  return acc;
}

// The effects this pipeline is compiled with (specialization constant 3, variant_overlay () in
// engine/motion/stage-motion.c): lavapipe runs both sides of a branch under a mask, so an effect
// that is off must not be compiled in. The push constants still say whether one compiled in is on.
#define FOCUS 1
#define SPEED 2
#define PARTICLES 4
layout (constant_id = 3) const int VARIANT = 7;
#define HAS(F) ((VARIANT & (F)) != 0)

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec4 c = unpack_rgba8 (image[i]);
  vec2 q = vec2 (p);
  vec3 ink = vec3 (pc.ink_r, pc.ink_g, pc.ink_b);
  if (HAS (FOCUS) && pc.focus_on != 0)
    c.rgb = mix (c.rgb, ink, focus_ink (q));
  if (HAS (SPEED) && pc.speed_on != 0)
    c.rgb = mix (c.rgb, ink, speed_ink (q));
  if (HAS (PARTICLES) && pc.particles != 0)
    for (int layer = 1; layer >= 0; layer--)
      {
        vec4 pl = particle_layer (q, layer);
        c.rgb = c.rgb * (1.0 - pl.a) + pl.rgb;
      }
  image[i] = pack_rgba8 (c);
}
