#version 450
// composite.comp: the flats layer: contrast and saturation in OKLab, optional black and white with
// screentone dots, conversion to sRGB (the lines are laid over per frame, by frame.comp).
// In: binding 0, lab32; binding 1, the rgba16 source (for its alpha). Out: binding 2, rgba8 (R | G << 8 | B << 16 | A << 24), sRGB, straight alpha.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (binding = 1) uniform usamplerBuffer source;
layout (std430, binding = 2) writeonly buffer Dst { uint dst[]; };
layout (push_constant) uniform Push {
  int width, height, mono;
  float saturation, contrast, screentone, tone_cell;
} pc;

#include "common.glsl"

// Ink (0..1) of a 45-degree dot screen at P for darkness V, antialiased over about a pixel.
float screen_ink (vec2 p, float v)
{
  vec2 r = vec2 (p.x + p.y, p.x - p.y) * (0.70710678 / pc.tone_cell);
  vec2 f = r - floor (r) - 0.5;
  float threshold = dot (f, f) * 2.0;
  float aa = 1.5 / pc.tone_cell;
  return smoothstep (threshold - aa, threshold + aa, v);
}

// Darkness to a manga tone: light stays paper white (skin, sky, walls), dark turns solid black,
// the mid-tones get an even dot screen (about 35 % ink).
float manga_tone (float v)
{
  return 0.35 * smoothstep (0.42, 0.48, v) + 0.65 * smoothstep (0.72, 0.78, v);
}

// The variant (specialization constant 3, variant_composite () in
// engine/stylize/stage-composite.c): 1, black and white; 2, with its screentone. Lavapipe runs both
// sides of a branch under a mask, so each is compiled alone.
#define MONO 1
#define TONE 2
layout (constant_id = 3) const int VARIANT = 3;

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec3 c = unpack_lab (texelFetch (src, int (i)).x);
  float alpha = float (texelFetch (source, int (i)).xy.y >> 16) / 65535.0;
  float l = clamp (0.5 + (c.x - 0.5) * pc.contrast, 0.0, 1.0);
  vec2 ab = c.yz * pc.saturation;
  if ((VARIANT & MONO) != 0 && pc.mono != 0)
    {
      l = clamp (mono_grey (vec3 (l, c.yz), MONO_DARKEN), 0.0, 1.0);
      ab = vec2 (0.0);
      if ((VARIANT & TONE) != 0 && pc.screentone > 0.0)
        l = mix (l, 1.0 - screen_ink (vec2 (p), manga_tone (1.0 - l)), pc.screentone);
    }
  vec3 lin = clamp (oklab_to_linear (vec3 (l, ab)), 0.0, 1.0);
  vec3 rgb = vec3 (linear_to_srgb (lin.r), linear_to_srgb (lin.g), linear_to_srgb (lin.b));
  dst[i] = pack_rgba8 (vec4 (rgb, alpha));
}
