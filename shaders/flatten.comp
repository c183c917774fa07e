#version 450
// flatten.comp: colour flattening: soft assignment to a palette of COLORS OKLab colours, mixed with
// the input by FLATTEN, then optional cel shading: the lightness relative to the region's palette
// colour quantized (softly) into TONES bands CEL_STEP apart.
// In: binding 0, half4 OKLab; binding 1, vec4 palette[colors] (OKLab). Out: binding 2, half4 OKLab.
#extension GL_GOOGLE_include_directive : require

layout (std430, binding = 0) readonly buffer Src { uvec2 src[]; };
layout (std430, binding = 1) readonly buffer Palette { vec4 palette[]; };
layout (std430, binding = 2) writeonly buffer Dst { uvec2 dst[]; };
layout (push_constant) uniform Push {
  int width, height, colors, tones;
  float flatten, softness, cel_amount, cel_step;
} pc;

#include "common.glsl"

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
  vec4 c = unpack_h4 (src[i]);
  float dmin = 1e9;
  for (int k = 0; k < pc.colors; k++)
    {
      vec3 d = c.xyz - palette[k].xyz;
      dmin = min (dmin, dot (d, d));
    }
  vec3 acc = vec3 (0.0);
  float wsum = 0.0;
  float ks = -0.5 / (pc.softness * pc.softness);
  for (int k = 0; k < pc.colors; k++)
    {
      vec3 d = c.xyz - palette[k].xyz;
      float w = exp ((dot (d, d) - dmin) * ks);
      acc += w * palette[k].xyz;
      wsum += w;
    }
  vec3 snapped = acc / wsum;
  vec3 f = mix (c.xyz, snapped, pc.flatten);
  if (pc.tones >= 2)
    {
      float centre = 0.5 * float (pc.tones - 1);
      float x = clamp ((c.x - snapped.x) / pc.cel_step + centre, 0.0, float (pc.tones - 1));
      float cel = snapped.x + (soft_round (x) - centre) * pc.cel_step;
      f.x = mix (f.x, cel, pc.cel_amount);
    }
  dst[i] = pack_h4 (vec4 (f, c.w));
}
