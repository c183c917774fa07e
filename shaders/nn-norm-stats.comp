#version 450
// nn-norm-stats.comp: group normalization's statistics (instance norm: one channel a group). One
// workgroup a group: the mean over its channels' planes, then the variance about it (two sweeps, as
// the C reference), written as (mean, 1 / sqrt (variance + eps)).
// In: binding 0, the planes. Out: binding 1, 2 floats a group.
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout (binding = 0) uniform samplerBuffer src;
layout (binding = 1, r32f) uniform writeonly imageBuffer dst;
layout (push_constant) uniform Push { int plane, c, groups, in_off; float eps; } pc;

shared float partial[gl_WorkGroupSize.x];

float group_sum (float v)
{
  uint l = gl_LocalInvocationID.x;
  partial[l] = v;
  barrier ();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s /= 2)
    {
      if (l < s)
        partial[l] += partial[l + s];
      barrier ();
    }
  float total = partial[0];
  barrier ();
  return total;
}

void main ()
{
  int g = int (gl_WorkGroupID.x);
  int n = pc.c / pc.groups * pc.plane;
  int base = pc.in_off + g * n;
  int l = int (gl_LocalInvocationID.x), step = int (gl_WorkGroupSize.x);
  float sum = 0.0;
  for (int i = l; i < n; i += step)
    sum += texelFetch (src, base + i).r;
  float mean = group_sum (sum) / float (n);
  sum = 0.0;
  for (int i = l; i < n; i += step)
    {
      float d = texelFetch (src, base + i).r - mean;
      sum += d * d;
    }
  float variance = group_sum (sum) / float (n);
  if (l == 0)
    {
      imageStore (dst, 2 * g, vec4 (mean));
      imageStore (dst, 2 * g + 1, vec4 (inversesqrt (variance + pc.eps)));
    }
}
