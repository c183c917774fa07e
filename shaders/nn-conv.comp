#version 450
// nn-conv.comp: 2-D convolution, the network's main layer: kernel K, stride S, dilation D, zero or
// reflect padding of D (K - 1) / 2, groups (depthwise included), bias and a fused activation. One
// invocation computes OCB output channels of PXB pixels along a row, so each weight read serves PXB
// multiply-adds and each input value OCB; a subgroup fetches each weight once. Inputs are texel
// buffers: lavapipe reads storage buffers lane by lane, texel buffers for all lanes at once (3x3,
// 32 to 32 channels, 640x427: 15.8 s with storage buffers, 0.5 s so). Weights are packed per block
// of OCB output channels: [in/groups][K*K][OCB], then the block's OCB biases (the last block
// padded with zeros) (engine/network/nn-layers.c: ink_conv_pack).
// In: binding 0, the input planes; binding 1, the weights (RESIDUAL: binding 2, the planes
// added). Out: binding 2 (RESIDUAL: 3), the output planes.
//
// PACKED (the -p variants, for CPU devices): the input comes as texels of 4 channels, [in_c / 4]
// [in_h][in_w] vec4 (nn-pack.comp made it; the last texel's channels past in_c are zeros, for
// 3 channels, say), and the weights as a uniform block bound at the
// dispatch's blocks (block0 on). On lavapipe every texel fetch is a call into a fetch function
// that spills every vector register, while a uniform load is inline (3x3, 32 to 32 channels at
// 640x427: 229 ms unpacked, 126 ms packed, with NB 2).
// PACKED_OUT (-po): the output packed likewise, for a next layer that reads it packed; with
// RESIDUAL (-po-add) the planes added come packed too (res_off and out_off in texels).
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_control_flow_attributes : require
// HALF_MATH (the -h variant, which also writes halves): the products and sums in fp16 (devices
// with shaderFloat16); the weights and inputs rounded to halves as they are read.
#ifdef HALF_MATH
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define VALUE float16_t
#else
#define VALUE float
#endif
#include "nn-common.glsl"

layout (constant_id = 3) const int K = 3;
layout (constant_id = 4) const int S = 1;
layout (constant_id = 5) const int D = 1;
layout (constant_id = 6) const int REFLECT = 0;
layout (constant_id = 7) const int ACT = 0;
layout (constant_id = 8) const int OCB = 4;
layout (constant_id = 9) const int PXB = 4;
layout (constant_id = 10) const bool SHUFFLE = true;   // every subgroup has OCB lanes or more
// PACKED: blocks an invocation computes, NB of them side by side (1 or 2; more weights and inputs
// in registers for each fetch: 3x3, 32 to 32 channels at 640x427, 157 ms with 1, 123 ms with 2).
layout (constant_id = 11) const int NB = 1;
// PACKED: the channels of a texel the convolution reads, 4 but where the input has fewer (a
// picture's 3: the texel's fourth channel, a zero, is then skipped altogether).
layout (constant_id = 12) const int TEXEL_C = 4;

layout (binding = 0) uniform samplerBuffer src;
#ifdef PACKED
// The window of the weights buffer this dispatch reads: 64 KB, lavapipe's maxUniformBufferRange.
layout (std140, binding = 1) uniform Weights { vec4 wv[4096]; };
float weight_at (int i) { return wv[i >> 2][i & 3]; }
#else
layout (binding = 1) uniform samplerBuffer wt;
float weight_at (int i) { return texelFetch (wt, i).r; }
#endif
// RESIDUAL (the -add variants): binding 2 holds planes added to the output after the activation
// (a residual block's sum in the same pass); the output is then binding 3.
#ifdef RESIDUAL
layout (binding = 2) uniform samplerBuffer res;
layout (binding = 3, OUT_FORMAT) uniform writeonly imageBuffer dst;
#else
layout (binding = 2, OUT_FORMAT) uniform writeonly imageBuffer dst;
#endif
layout (push_constant) uniform Push {
  int in_w, in_h, in_c, out_w, out_h, out_c;
  int groups, in_off, out_off, w_off, bias;
  int k, stride, dil, reflect_pad, act, ocb;
  float alpha;
  int res_off, block0;
} pc;

int border (int i, int n)
{
  return REFLECT != 0 ? reflect_index (i, n) : clamp (i, 0, n - 1);
}

void main ()
{
  int x = int (gl_GlobalInvocationID.x) * PXB, y = int (gl_GlobalInvocationID.y);
  // A dispatch computes blocks BLOCK0 on (the weights at w_off are BLOCK0's), NB an invocation.
  int zb = int (gl_GlobalInvocationID.z), block = pc.block0 + zb * NB;
  // No early return: the weights are shared across the subgroup below, so every lane takes part.
  bool inside = x < pc.out_w && y < pc.out_h;
  y = min (y, pc.out_h - 1);

  int ipg = pc.in_c / pc.groups, opg = pc.out_c / pc.groups;
  int oc0 = block * OCB, g = oc0 / opg;
  int pad = D * (K - 1) / 2;
  // The input columns this invocation's pixels read (SEG of them from the first pixel's first
  // tap), and 0 where zero padding reads outside.
  const int SEG = (PXB - 1) * S + (K - 1) * D + 1;
  int ix[SEG];
  float mx[SEG];
  for (int j = 0; j < SEG; j++)
    {
      int xi = x * S - pad + j;
      ix[j] = border (xi, pc.in_w);
      mx[j] = REFLECT != 0 || xi == ix[j] ? 1.0 : 0.0;
    }

  // The blocks' weights, each followed by its biases, STRIDE floats a block; output channel
  // oc0 + v is accumulated in acc[v * PXB ..].
  const int NO = NB * OCB;
  int stride = (ipg * K * K + 1) * OCB;
  int w = pc.w_off + zb * NB * stride;
  VALUE acc[NO * PXB];
  [[unroll]] for (int v = 0; v < NO; v++)
    [[unroll]] for (int p = 0; p < PXB; p++)
      acc[v * PXB + p] = VALUE (pc.bias != 0 ? weight_at (w + (v / OCB) * stride
                                                          + ipg * K * K * OCB + v % OCB)
                                             : 0.0);
  // Lane o fetches weight o and every lane takes it from there: one fetch, not OCB (where every
  // subgroup has the lanes: SHUFFLE).
  int lane = min (int (gl_SubgroupInvocationID), OCB - 1);
  int plane = pc.in_w * pc.in_h;
#ifdef PACKED
  int base = pc.in_off + g * (ipg / 4) * plane;
  for (int i = 0; i < ipg; i += 4, base += plane)
    for (int ky = 0; ky < K; ky++)
      {
        int yi = y * S + ky * D - pad, yr = border (yi, pc.in_h);
        float my = REFLECT != 0 || yi == yr ? 1.0 : 0.0;
        int row = base + yr * pc.in_w;
        vec4 seg[SEG];
        for (int j = 0; j < SEG; j++)
          seg[j] = texelFetch (src, row + ix[j]) * (mx[j] * my);
        [[unroll]] for (int c = 0; c < TEXEL_C; c++)
          [[unroll]] for (int kx = 0; kx < K; kx++)
            {
              // Channels past ipg (3 channels, say) are zeros in the texel: their weights are
              // taken as zeros too, whatever the weights after the block's hold.
              bool real = i + c < ipg;
              int wi = w + ((min (i + c, ipg - 1) * K + ky) * K + kx) * OCB;
              float mine[NB];
              [[unroll]] for (int h = 0; h < NB; h++)
                mine[h] = SHUFFLE && real ? weight_at (wi + h * stride + lane) : 0.0;
              [[unroll]] for (int v = 0; v < NO; v++)
                {
                  VALUE weight = VALUE (SHUFFLE ? subgroupShuffle (mine[v / OCB], uint (v % OCB))
                                                : weight_at (wi + (v / OCB) * stride + v % OCB));
                  [[unroll]] for (int p = 0; p < PXB; p++)
                    acc[v * PXB + p] = fma (weight, VALUE (seg[p * S + kx * D][c]),
                                            acc[v * PXB + p]);
                }
            }
      }
#else
  int base = pc.in_off + g * ipg * plane;
  for (int i = 0; i < ipg; i++, base += plane)
    for (int ky = 0; ky < K; ky++)
      {
        int yi = y * S + ky * D - pad, yr = border (yi, pc.in_h);
        float my = REFLECT != 0 || yi == yr ? 1.0 : 0.0;
        int row = base + yr * pc.in_w;
        VALUE seg[SEG];
        for (int j = 0; j < SEG; j++)
          seg[j] = VALUE (texelFetch (src, row + ix[j]).r * (mx[j] * my));
        for (int kx = 0; kx < K; kx++, w += OCB)
          {
            float mine = SHUFFLE ? weight_at (w + lane) : 0.0;
            for (int o = 0; o < OCB; o++)
              {
                VALUE weight = VALUE (SHUFFLE ? subgroupShuffle (mine, uint (o))
                                              : weight_at (w + o));
                for (int p = 0; p < PXB; p++)
                  acc[o * PXB + p] = fma (weight, seg[p * S + kx * D], acc[o * PXB + p]);
              }
          }
      }
#endif

  int out_plane = pc.out_w * pc.out_h;
#ifdef PACKED_OUT
  // The output packed by 4 channels too, for the next convolution (out_off in texels).
  [[unroll]] for (int q = 0; q < NO / 4; q++)
    [[unroll]] for (int p = 0; p < PXB; p++)
      if (inside && x + p < pc.out_w && oc0 + 4 * q < pc.out_c)
        {
          vec4 v;
          int at = (oc0 / 4 + q) * out_plane + y * pc.out_w + x + p;
          [[unroll]] for (int k = 0; k < 4; k++)
            v[k] = activate (ACT, float (acc[(4 * q + k) * PXB + p]), pc.alpha);
#ifdef RESIDUAL
          v += texelFetch (res, pc.res_off + at);
#endif
          imageStore (dst, pc.out_off + at, v);
        }
#else
  [[unroll]] for (int o = 0; o < NO; o++)
    [[unroll]] for (int p = 0; p < PXB; p++)
      if (inside && x + p < pc.out_w && oc0 + o < pc.out_c)
        {
          int at = (oc0 + o) * out_plane + y * pc.out_w + x + p;
          float v = activate (ACT, float (acc[o * PXB + p]), pc.alpha);
#ifdef RESIDUAL
          v += texelFetch (res, pc.res_off + at).r;
#endif
          imageStore (dst, pc.out_off + at, vec4 (v));
        }
#endif
}
