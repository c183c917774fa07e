#version 450
// lines.comp: the second half of the flow-based XDoG: the DoG response averaged along the edge
// tangent flow (a Gaussian-weighted line integral of STEP px steps, nearest samples): the line
// response u. Each frame thresholds it (frame.comp), so ink is drawn anew in every frame, also
// where the flow blends two displaced copies of the picture.
// In: binding 0, float D; binding 1, flow (packed tangent). Out: binding 2, float u (L units).
#extension GL_GOOGLE_include_directive : require

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1) uniform usamplerBuffer flow;
layout (std430, binding = 2) writeonly buffer Dst { float dst[]; };
layout (push_constant) uniform Push { int width, height, n; float sigma, step; } pc;

#include "common.glsl"

void main ()
{
  ivec2 p = pixel ();
  if (outside (p))
    return;
  int i = index_of (p);
  float sum = texelFetch (src, int (i)).x, wsum = 1.0;
  float q = exp (-0.5 * pc.step * pc.step / (pc.sigma * pc.sigma));
  vec2 t0 = unpackHalf2x16 (texelFetch (flow, int (i)).x);
  for (int side = 0; side < 2; side++)
    {
      vec2 v = side == 0 ? t0 : -t0;
      vec2 at = vec2 (p);
      float w = 1.0, ratio = q;
      for (int k = 1; k <= pc.n; k++)
        {
          at += v * pc.step;
          if (at.x < 0.0 || at.y < 0.0 || at.x > float (pc.width - 1) || at.y > float (pc.height - 1))
            break;
          int j = index_of (clamp_pixel (at));
          w *= ratio;
          ratio *= q * q;
          sum += w * texelFetch (src, int (j)).x;
          wsum += w;
          vec2 nv = unpackHalf2x16 (texelFetch (flow, int (j)).x);
          v = dot (nv, v) < 0.0 ? -nv : nv;
        }
    }
  dst[i] = sum / wsum;
}
