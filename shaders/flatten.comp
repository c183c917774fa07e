#version 450
// flatten.comp: colour flattening: soft assignment to the two nearest of COLORS palette colours
// (OKLab), mixed with the input by FLATTEN, then optional cel shading: the lightness relative to
// the region's palette colour quantized (softly) into TONES bands CEL_STEP apart.
// The input, at SRC size (the smoothing's working size), is sampled bilinearly at pixel centres.
// In: binding 0, lab32; binding 1, vec4 palette[colors] (OKLab). Out: binding 2, lab32.
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform usamplerBuffer src;
layout (binding = 1) uniform samplerBuffer palette;
layout (std430, binding = 2) writeonly buffer Dst { uint dst[]; };
layout (push_constant) uniform Push {
  int width, height, src_width, src_height, colors, tones;
  float flatten, softness, cel_amount, cel_step;
} pc;

#include "common.glsl"

// The palette is read straight from its texel buffer: lavapipe fetches a texel for all lanes at
// once, and reads shared memory lane by lane.
vec3 colour (int k)
{
  return texelFetch (palette, k).xyz;
}

vec3 at (int x, int y)
{
  x = clamp (x, 0, pc.src_width - 1);
  y = clamp (y, 0, pc.src_height - 1);
  return unpack_lab (texelFetch (src, int (y * pc.src_width + x)).x);
}

float soft_round (float x)
{
  float f = floor (x);
  return f + smoothstep (0.35, 0.65, x - f);
}

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  vec2 q = (vec2 (p) + 0.5) * vec2 (pc.src_width, pc.src_height) / vec2 (pc.width, pc.height) - 0.5;
  vec2 fl = floor (q), t = q - fl;
  int x = int (fl.x), y = int (fl.y);
  vec3 c = mix (mix (at (x, y), at (x + 1, y), t.x), mix (at (x, y + 1), at (x + 1, y + 1), t.x), t.y);
  float d1 = 1e9, d2 = 1e9;
  int k1 = 0, k2 = 0;
  for (int k = 0; k < pc.colors; k++)
    {
      vec3 e = c - colour (k);
      float d = dot (e, e);
      if (d < d1)
        {
          d2 = d1, k2 = k1;
          d1 = d, k1 = k;
        }
      else if (d < d2)
        {
          d2 = d, k2 = k;
        }
    }
  // Near the boundary between two palette regions the colours blend over about SOFTNESS.
  float w2 = pc.colors > 1 ? exp ((d1 - d2) / (2.0 * pc.softness * pc.softness)) : 0.0;
  vec3 snapped = (colour (k1) + w2 * colour (k2)) / (1.0 + w2);
  vec3 f = mix (c, snapped, pc.flatten);
  if (pc.tones >= 2)
    {
      float centre = 0.5 * float (pc.tones - 1);
      float x = clamp ((c.x - snapped.x) / pc.cel_step + centre, 0.0, float (pc.tones - 1));
      float cel = snapped.x + (soft_round (x) - centre) * pc.cel_step;
      f.x = mix (f.x, cel, pc.cel_amount);
    }
  dst[i] = pack_lab (f);
}
