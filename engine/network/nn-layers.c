/* nn-layers.c: the network's layers recorded on an InkCompute: shapes checked, push constants and
 * specialization constants filled, workgroups counted. The shaders are shaders/nn-*.comp, the C
 * references nn-ref.c. */
#include "nn-layers.h"

#include <stdint.h>
#include <string.h>


#include "nn-box.spv.h"
#include "nn-conv.spv.h"
#include "nn-eltwise.spv.h"
#include "nn-guided.spv.h"
#include "nn-norm-apply.spv.h"
#include "nn-norm-stats.spv.h"
#include "nn-resample.spv.h"
#include "nn-warp.spv.h"
#include "nn-box-f16.spv.h"
#include "nn-conv-f16.spv.h"
#include "nn-conv-h.spv.h"
#include "nn-conv-add.spv.h"
#include "nn-conv-add-f16.spv.h"
#include "nn-conv-add-h.spv.h"
#include "nn-conv-p.spv.h"
#include "nn-conv-p-f16.spv.h"
#include "nn-conv-p-add.spv.h"
#include "nn-conv-p-add-f16.spv.h"
#include "nn-conv-po.spv.h"
#include "nn-conv-po-f16.spv.h"
#include "nn-conv-po-add.spv.h"
#include "nn-conv-po-add-f16.spv.h"
#include "nn-resample-po.spv.h"
#include "nn-resample-po-f16.spv.h"
#include "nn-warp-po.spv.h"
#include "nn-warp-po-f16.spv.h"
#include "nn-pack-f16.spv.h"
#include "nn-pack.spv.h"
#include "nn-eltwise-f16.spv.h"
#include "nn-guided-f16.spv.h"
#include "nn-norm-apply-f16.spv.h"
#include "nn-resample-f16.spv.h"
#include "nn-warp-f16.spv.h"

/* A pass whose inputs are read as the texel formats TEXELS (INK_TEXEL) and whose output is
 * written as OUT_TEXEL. */
#define PASS_AS(id, code, inputs, push_type, reference, texels, out_texel) \
  static const InkPass id = { .name = #id, .spv = code, .spv_size = sizeof code, \
                              .n_inputs = inputs, .push_size = sizeof (push_type), \
                              .ref = reference, .texel_inputs = texels, \
                              .texel_output = out_texel }
/* All N inputs read as texel buffers of floats: INK_TEXEL (i, INK_TEXEL_FLOAT) for i < N. */
#define ALL_FLOATS(n) ((0x11111111u >> (4 * (8 - (n)))) * INK_TEXEL_FLOAT)
#define PASS1(id, code, inputs, push_type, reference) \
  PASS_AS (id, code, inputs, push_type, reference, ALL_FLOATS (inputs), INK_TEXEL_FLOAT)
/* A layer's pass, and its twin writing halves (OUT_FORMAT r16f): which one runs is the output
 * buffer's choice (PASS_FOR). Inputs read halves or floats as their buffers hold them. */
#define PASS(id, inputs, push_type, reference) \
  PASS1 (id, ink_spv_##id, inputs, push_type, reference); \
  PASS1 (id##_f16, ink_spv_##id##_f16, inputs, push_type, reference)
#define PASS_FOR(id, out) (ink_buffer_is_half ((out)->buffer) ? &id##_f16 : &id)

PASS (nn_conv, 2, InkConvPush, ink_nn_ref_conv);
/* The convolution computing in halves (ink_compute_set_half_math), for outputs of halves. */
PASS1 (nn_conv_h, ink_spv_nn_conv_h, 2, InkConvPush, ink_nn_ref_conv);
/* The three adding a residual (input 2). */
PASS (nn_conv_add, 3, InkConvPush, ink_nn_ref_conv);
PASS1 (nn_conv_add_h, ink_spv_nn_conv_add_h, 3, InkConvPush, ink_nn_ref_conv);
/* On CPU devices, the passes of tensors packed by 4 channels (texels of 4: INK_TEXEL_VEC4); the
 * convolution's weights a uniform block. Each in floats and halves (the output's choice). */
#define CONV_TEXELS(residual) (INK_TEXEL (0, INK_TEXEL_VEC4) | INK_TEXEL (1, INK_TEXEL_UNIFORM) \
                               | INK_TEXEL (2, residual))
#define PASS_PACKED(id, inputs, push_type, reference, texels, out_texel) \
  PASS_AS (id, ink_spv_##id, inputs, push_type, reference, texels, out_texel); \
  PASS_AS (id##_f16, ink_spv_##id##_f16, inputs, push_type, reference, texels, out_texel)
/* The convolution from a packed input (nn_pack packs one that is not), with a residual of
 * planes (-add); writing its output packed too (-po), with a packed residual (-po-add). */
PASS_PACKED (nn_conv_p, 2, InkConvPush, ink_nn_ref_conv_packed, CONV_TEXELS (INK_TEXEL_FLOAT),
             INK_TEXEL_FLOAT);
PASS_PACKED (nn_conv_p_add, 3, InkConvPush, ink_nn_ref_conv_packed,
             CONV_TEXELS (INK_TEXEL_FLOAT), INK_TEXEL_FLOAT);
PASS_PACKED (nn_conv_po, 2, InkConvPush, ink_nn_ref_conv_packed_out,
             CONV_TEXELS (INK_TEXEL_VEC4), INK_TEXEL_VEC4);
PASS_PACKED (nn_conv_po_add, 3, InkConvPush, ink_nn_ref_conv_packed_out,
             CONV_TEXELS (INK_TEXEL_VEC4), INK_TEXEL_VEC4);
/* The upsampling (with a packed addend), and the warp (its flow as planes). */
PASS_PACKED (nn_resample_po, 2, InkResamplePush, ink_nn_ref_resample_packed,
             INK_TEXEL (0, INK_TEXEL_VEC4) | INK_TEXEL (1, INK_TEXEL_VEC4), INK_TEXEL_VEC4);
PASS_PACKED (nn_warp_po, 2, InkWarpPush, ink_nn_ref_warp_packed,
             INK_TEXEL (0, INK_TEXEL_VEC4) | INK_TEXEL (1, INK_TEXEL_FLOAT), INK_TEXEL_VEC4);
/* Planes packed. */
PASS_PACKED (nn_pack, 1, InkPackPush, ink_nn_ref_pack, INK_TEXEL (0, INK_TEXEL_FLOAT),
             INK_TEXEL_VEC4);
PASS (nn_eltwise, 2, InkEltPush, ink_nn_ref_eltwise);
PASS (nn_resample, 2, InkResamplePush, ink_nn_ref_resample);
PASS (nn_warp, 2, InkWarpPush, ink_nn_ref_warp);
PASS (nn_box, 1, InkBoxPush, ink_nn_ref_box);
PASS (nn_guided, 2, InkGuidedPush, ink_nn_ref_guided);
PASS1 (nn_norm_stats, ink_spv_nn_norm_stats, 1, InkNormStatsPush, ink_nn_ref_norm_stats);
PASS (nn_norm_apply, 3, InkNormApplyPush, ink_nn_ref_norm_apply);

/* Every layer reads its inputs as texel buffers (InkPass.texel_inputs): lavapipe fetches those
 * for all lanes at once, storage buffers lane by lane. */

/* Workgroup sizes: wide rows suit lavapipe, which runs a workgroup's invocations as SIMD lanes, as
 * well as GPUs. */
#define ROW_LOCAL 64
#define FLAT_LOCAL 256
#define MAX_GROUPS 65535
/* Pixels along a row a convolution's invocation computes (nn-conv.comp's PXB): 4 (each weight
 * read serving more multiply-adds) where rows are wide, 2 where they are narrow (more lanes with
 * work): on lavapipe, 3x3 at 64 channels, 80 px wide went from 5.5 to 8.8 GFLOP/s with 2, while
 * 160 px and wider layers are fastest with 4. */
static int
conv_pixels (int out_w)
{
  return out_w >= 128 ? 4 : 2;
}

/* A shape of ROW_LOCAL x 1 x 1 workgroups over W x H x DEPTH invocations. */
static InkDispatchShape
grid_shape (int w, int h, int depth)
{
  return (InkDispatchShape) {
    .local = { ROW_LOCAL, 1, 1 },
    .groups = { (w + ROW_LOCAL - 1) / ROW_LOCAL, h, depth },
  };
}

/* A convolution's shape over W x H x DEPTH invocations: ROW_LOCAL invocations a workgroup, as
 * LX x (ROW_LOCAL / LX) with LX the power of two from 4 up that wastes fewest invocations. Every
 * invocation of a convolution does the whole work (nn-conv.comp shares weights across the
 * subgroup, so none returns early): a 20-wide row (80 px at 4 a lane) in 64-wide workgroups
 * would run 64 lanes for 20 pixels' worth. */
static InkDispatchShape
conv_shape (int w, int h, int depth)
{
  InkDispatchShape best = grid_shape (w, h, depth);
  gint64 best_waste = G_MAXINT64;

  for (int lx = 4; lx <= ROW_LOCAL; lx *= 2)
    {
      int ly = ROW_LOCAL / lx, gx = (w + lx - 1) / lx, gy = (h + ly - 1) / ly;
      gint64 waste = (gint64) gx * lx * gy * ly - (gint64) w * h;

      if (waste <= best_waste)
        {
          best_waste = waste;
          best = (InkDispatchShape) { .local = { lx, ly, 1 }, .groups = { gx, gy, depth } };
        }
    }
  return best;
}

/* A shape of FLAT_LOCAL workgroups over N elements, laid over rows of *ROW elements. */
static InkDispatchShape
flat_shape (gsize n, gint32 *row)
{
  gsize groups = (n + FLAT_LOCAL - 1) / FLAT_LOCAL;
  guint32 gx = MIN (groups, MAX_GROUPS);

  *row = gx * FLAT_LOCAL;
  return (InkDispatchShape) {
    .local = { FLAT_LOCAL, 1, 1 },
    .groups = { gx, (groups + gx - 1) / gx, 1 },
  };
}

static gboolean
same_shape (const InkTensor *a, const InkTensor *b)
{
  return a->c == b->c && a->h == b->h && a->w == b->w;
}

static gboolean
fits_any (const InkTensor *t)
{
  return t->buffer != NULL && t->c > 0 && t->h > 0 && t->w > 0
         && (!t->packed || (t->c % 4 == 0 && t->offset % 4 == 0))
         && (t->offset + ink_tensor_count (t)) * ink_tensor_element_size (t)
              <= ink_buffer_size (t->buffer)
         && t->offset + ink_tensor_count (t) <= G_MAXINT32;
}

/* A tensor every layer but the convolution, the upsampling and the warp takes: planes, not
 * packed. */
static gboolean
fits (const InkTensor *t)
{
  return fits_any (t) && !t->packed;
}

/* Convolution ----------------------------------------------------------------------------------- */

const char *
ink_conv_spec_check (const InkConvSpec *s)
{
  if (s->in_c <= 0 || s->out_c <= 0 || s->groups <= 0)
    return "channel and group counts must be positive";
  if (s->in_c % s->groups != 0 || s->out_c % s->groups != 0)
    return "channels must divide into the groups";
  if (s->kernel != 1 && s->kernel != 3 && s->kernel != 5 && s->kernel != 7)
    return "the kernel must be 1, 3, 5 or 7";
  if (s->stride != 1 && s->stride != 2)
    return "the stride must be 1 or 2";
  if (s->dilation != 1 && s->dilation != 2)
    return "the dilation must be 1 or 2";
  if (s->act < INK_ACT_NONE || s->act > INK_ACT_SIGMOID)
    return "unknown activation";
  return NULL;
}

int
ink_conv_block (const InkConvSpec *s)
{
  int opg = s->out_c / s->groups;

  /* Ungrouped: up to 8 a block, the last block padded with zero weights (3 outputs: a block of
   * 4). Grouped: a block never spans two groups. */
  if (s->groups == 1)
    return s->out_c >= 5 ? 8 : s->out_c >= 3 ? 4 : s->out_c;
  return opg % 8 == 0 ? 8 : opg % 4 == 0 ? 4 : opg % 2 == 0 ? 2 : 1;
}

int
ink_conv_blocks (const InkConvSpec *s)
{
  int ocb = ink_conv_block (s);

  return (s->out_c + ocb - 1) / ocb;
}

int
ink_conv_out_size (const InkConvSpec *s, int in_size)
{
  return (in_size - 1) / s->stride + 1;
}

double
ink_conv_macs (const InkConvSpec *s, int in_h, int in_w)
{
  return (double) ink_conv_out_size (s, in_h) * ink_conv_out_size (s, in_w) * s->out_c
         * (s->in_c / s->groups) * s->kernel * s->kernel;
}

gsize
ink_conv_block_stride (const InkConvSpec *s)
{
  return (gsize) ink_conv_block (s) * ((s->in_c / s->groups) * s->kernel * s->kernel + 1);
}

gsize
ink_conv_packed_size (const InkConvSpec *s)
{
  return ink_conv_blocks (s) * ink_conv_block_stride (s);
}

void
ink_conv_pack (const InkConvSpec *s, const float *weight, const float *bias, float *packed)
{
  int ocb = ink_conv_block (s), ipg = s->in_c / s->groups, kk = s->kernel * s->kernel;
  float *w = packed;

  for (int block = 0; block < ink_conv_blocks (s); block++)
    {
      for (int i = 0; i < ipg; i++)
        for (int t = 0; t < kk; t++)
          for (int o = 0; o < ocb; o++)
            {
              int oc = block * ocb + o;
              *w++ = oc < s->out_c ? weight[((gsize) oc * ipg + i) * kk + t] : 0.0f;
            }
      for (int o = block * ocb; o < (block + 1) * ocb; o++)
        *w++ = bias != NULL && o < s->out_c ? bias[o] : 0.0f;
    }
}

/* Weights shared by subgroup shuffles where every subgroup has a lane for each of a block's OCB
 * outputs (the tests turn it off with INKLOOP_NN_NO_SHUFFLE to try the other path). */
static gboolean
conv_shuffles (InkCompute *c, int ocb)
{
  return ink_compute_is_gpu (c)
         && ink_vk_context_shuffle_lanes (ink_compute_context (c)) >= (guint) ocb
         && g_getenv ("INKLOOP_NN_NO_SHUFFLE") == NULL;
}

/* The PACKED variants (nn-conv.comp) run where ink_nn_packs, ungrouped or with groups of a
 * multiple of 4 input channels (each group then starts at a texel; depthwise stays unpacked),
 * with a block's weights within a uniform binding and a lane a subgroup for each of a block's
 * outputs. An input that is
 * not packed is packed first, its channels padded with zeros to a multiple of 4 (15 ms of 3x3,
 * 32 to 32 channels at 640x427, which took 229 ms unpacked and 126 ms from a packed input). */
gboolean
ink_nn_packs (InkCompute *c)
{
  return ink_compute_is_gpu (c) && ink_vk_context_is_cpu (ink_compute_context (c))
         && !ink_compute_half_math (c) && g_getenv ("INKLOOP_NN_NO_PACK") == NULL;
}

gboolean
ink_nn_conv_packs (InkCompute *c, const InkConvSpec *s)
{
  gsize range, align;

  if (!ink_nn_packs (c) || !conv_shuffles (c, ink_conv_block (s))
      || (s->groups != 1 && (s->in_c / s->groups) % 4 != 0))
    return FALSE;
  ink_compute_uniform_window (c, &range, &align);
  return ink_conv_block_stride (s) * sizeof (float) + align <= MIN (range, 65536);
}

gboolean
ink_nn_conv_writes_packed (InkCompute *c, const InkConvSpec *s)
{
  return ink_nn_conv_packs (c, s) && ink_conv_block (s) % 4 == 0 && s->out_c % 4 == 0;
}

/* The convolution PUSH and SHAPE describe, from IN packed by 4 channels (into a scratch buffer
 * first where it is not), its blocks of output channels in as many dispatches as their weights
 * need uniform windows. */
static gboolean
conv_packed (InkCompute *c, const InkConvSpec *s, const InkTensor *in, InkBuffer **inputs,
             const InkTensor *out, const InkConvPush *push, const InkDispatchShape *shape,
             GError **error)
{
  gboolean add = inputs[2] != NULL;
  const InkPass *pass = out->packed ? (add ? PASS_FOR (nn_conv_po_add, out)
                                           : PASS_FOR (nn_conv_po, out))
                        : add ? PASS_FOR (nn_conv_p_add, out) : PASS_FOR (nn_conv_p, out);
  gsize range, align, stride = ink_conv_block_stride (s) * sizeof (float);
  gsize size = ink_buffer_size (inputs[1]);
  int blocks = ink_conv_blocks (s), per;
  gint32 in_off = in->offset / 4;
  InkDispatchShape wide;

  if (!in->packed)
    {
      InkPackPush pack = { .plane = in->w * in->h, .c = in->c, .in_off = in->offset };
      InkDispatchShape pack_shape = flat_shape ((gsize) (in->c + 3) / 4 * pack.plane, &pack.row);
      gboolean halves = ink_buffer_is_half (in->buffer);   /* packed as halves where it is */

      inputs[0] = ink_compute_scratch (c, (gsize) (in->c + 3) / 4 * 4 * pack.plane
                                          * ink_tensor_element_size (in),
                                       "nn packed input", error);
      if (inputs[0] == NULL)
        return FALSE;
      ink_buffer_set_half (inputs[0], halves);
      if (!ink_compute_dispatch_shaped (c, halves ? &nn_pack_f16 : &nn_pack, &in->buffer,
                                        inputs[0], &pack, &pack_shape, -1, error))
        return FALSE;
      in_off = 0;
    }
  ink_compute_uniform_window (c, &range, &align);
  range = MIN (range, 65536);   /* the size nn-conv.comp declares */
  per = (range - align) / stride;
  /* An invocation computing 4 channels or fewer (an output of 3 channels, say) takes 8 pixels
   * where rows are wide: 3x3, 16 to 3 channels at 640x424 took 10.8 ms so, 9.2 ms with 8 (but 8
   * channels of 8 pixels ran at half the speed of 16 of 4). */
  if ((MIN (per, blocks) >= 2 ? 2 : 1) * ink_conv_block (s) <= 4 && out->w >= 256)
    {
      wide = conv_shape ((out->w + 7) / 8, out->h, blocks);
      memcpy (wide.spec, shape->spec, sizeof wide.spec);
      wide.n_spec = shape->n_spec;
      wide.spec[6] = 8;
      shape = &wide;
    }
  /* Two blocks an invocation where a window holds two (NB), the odd one out alone. */
  for (int b0 = 0, n; b0 < blocks; b0 += n)
    {
      InkConvPush p = *push;
      InkDispatchShape sh = *shape;
      gsize at = (push->w_off * sizeof (float) + b0 * stride) / align * align;
      /* Grouped: an invocation's two blocks in one group. */
      int nb = MIN (per, blocks - b0) >= 2
               && (s->groups == 1 || (s->out_c / s->groups) % (2 * ink_conv_block (s)) == 0)
               ? 2 : 1;

      n = MIN (per, blocks - b0) / nb * nb;
      p.in_off = in_off;
      p.out_off = out->packed ? (gint32) out->offset / 4 : push->out_off;
      p.res_off = add && out->packed ? (gint32) push->res_off / 4 : push->res_off;
      p.block0 = b0;
      p.w_off = (push->w_off * sizeof (float) + b0 * stride - at) / sizeof (float);
      sh.groups[2] = n / nb;
      sh.spec[8] = nb;
      sh.spec[9] = MIN (s->in_c, 4);   /* TEXEL_C */
      sh.n_spec = 10;
      sh.window[0] = at;
      sh.window[1] = MIN (range, size - at);
      if (!ink_compute_dispatch_shaped (c, pass, inputs, out->buffer, &p, &sh, -1, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
ink_nn_conv2d_add (InkCompute *c, const InkConvSpec *s, const InkTensor *in, InkBuffer *weights,
                   gsize w_off, const InkTensor *residual, const InkTensor *out, GError **error)
{
  InkConvPush push = {
    .in_w = in->w, .in_h = in->h, .in_c = in->c,
    .out_w = out->w, .out_h = out->h, .out_c = out->c,
    .groups = s->groups, .in_off = in->offset, .out_off = out->offset,
    .w_off = w_off, .bias = s->bias,
    .k = s->kernel, .stride = s->stride, .dil = s->dilation, .reflect = s->reflect,
    .act = s->act, .ocb = ink_conv_block (s), .alpha = s->alpha,
    .res_off = residual != NULL ? (gint32) residual->offset : -1,
  };
  int pxb = conv_pixels (out->w);
  InkDispatchShape shape = conv_shape ((out->w + pxb - 1) / pxb, out->h, ink_conv_blocks (s));
  InkBuffer *inputs[] = { in->buffer, weights, residual != NULL ? residual->buffer : NULL };
  gboolean half_math = ink_buffer_is_half (out->buffer) && ink_compute_half_math (c);
  gboolean packs = ink_nn_conv_packs (c, s);
  const InkPass *pass;

  g_return_val_if_fail (ink_conv_spec_check (s) == NULL && fits_any (in) && fits_any (out),
                        FALSE);
  g_return_val_if_fail (in->c == s->in_c && out->c == s->out_c, FALSE);
  g_return_val_if_fail (out->w == ink_conv_out_size (s, in->w)
                        && out->h == ink_conv_out_size (s, in->h), FALSE);
  g_return_val_if_fail ((w_off + ink_conv_packed_size (s)) * sizeof (float)
                        <= ink_buffer_size (weights), FALSE);
  g_return_val_if_fail (residual == NULL || (fits_any (residual) && same_shape (residual, out)
                                              && residual->packed == out->packed), FALSE);
  g_return_val_if_fail (!in->packed || packs, FALSE);
  g_return_val_if_fail (!out->packed || ink_nn_conv_writes_packed (c, s), FALSE);
  memcpy (shape.spec, (guint32[]) { push.k, push.stride, push.dil, push.reflect, push.act,
                                    push.ocb, pxb, conv_shuffles (c, push.ocb) },
          8 * sizeof (guint32));
  shape.n_spec = 8;
  if (packs)
    return conv_packed (c, s, in, inputs, out, &push, &shape, error);
  if (residual != NULL)
    pass = half_math ? &nn_conv_add_h : PASS_FOR (nn_conv_add, out);
  else
    pass = half_math ? &nn_conv_h : PASS_FOR (nn_conv, out);
  return ink_compute_dispatch_shaped (c, pass, inputs, out->buffer, &push, &shape, -1, error);
}

gboolean
ink_nn_conv2d (InkCompute *c, const InkConvSpec *s, const InkTensor *in, InkBuffer *weights,
               gsize w_off, const InkTensor *out, GError **error)
{
  return ink_nn_conv2d_add (c, s, in, weights, w_off, NULL, out, error);
}

/* Element-wise ---------------------------------------------------------------------------------- */

/* One element-wise dispatch over PLANES planes of OUT's size (nn-eltwise.comp says what each OP
 * reads and writes). */
static gboolean
eltwise (InkCompute *c, InkEltOp op, InkAct act, float alpha, float eps, const InkTensor *a,
         const InkTensor *b, int guide_c, int planes, const InkTensor *out, GError **error)
{
  InkEltPush push = {
    .plane = out->h * out->w, .c = planes, .a_off = a->offset, .b_off = b->offset,
    .out_off = out->offset, .guide_c = guide_c, .op = op, .act = act, .alpha = alpha, .eps = eps,
  };
  InkDispatchShape shape = flat_shape ((gsize) planes * push.plane, &push.row);
  InkBuffer *inputs[] = { a->buffer, b->buffer };

  shape.spec[0] = op;
  shape.spec[1] = act;
  shape.n_spec = 2;
  return ink_compute_dispatch_shaped (c, PASS_FOR (nn_eltwise, out), inputs, out->buffer, &push, &shape, -1,
                                      error);
}

gboolean
ink_nn_copy (InkCompute *c, InkAct act, float alpha, const InkTensor *in, const InkTensor *out,
             GError **error)
{
  g_return_val_if_fail (fits (in) && fits (out) && same_shape (in, out), FALSE);
  return eltwise (c, INK_ELT_COPY, act, alpha, 0.0f, in, in, 0, out->c, out, error);
}

gboolean
ink_nn_add (InkCompute *c, InkAct act, float alpha, const InkTensor *a, const InkTensor *b,
            const InkTensor *out, GError **error)
{
  g_return_val_if_fail (fits (a) && fits (b) && fits (out), FALSE);
  g_return_val_if_fail (same_shape (a, out) && same_shape (b, out), FALSE);
  return eltwise (c, INK_ELT_ADD, act, alpha, 0.0f, a, b, 0, out->c, out, error);
}

gboolean
ink_nn_concat (InkCompute *c, const InkTensor *a, const InkTensor *b, const InkTensor *out,
               GError **error)
{
  InkTensor part = *out;

  g_return_val_if_fail (fits (a) && fits (b) && fits (out), FALSE);
  g_return_val_if_fail (a->c + b->c == out->c && a->h == out->h && a->w == out->w
                        && b->h == out->h && b->w == out->w, FALSE);
  part.c = a->c;
  if (!ink_nn_copy (c, INK_ACT_NONE, 0.0f, a, &part, error))
    return FALSE;
  part.offset += ink_tensor_count (&part);
  part.c = b->c;
  return ink_nn_copy (c, INK_ACT_NONE, 0.0f, b, &part, error);
}

/* Resampling and filters ------------------------------------------------------------------------ */

gboolean
ink_nn_upsample2x_add (InkCompute *c, gboolean bilinear, const InkTensor *in,
                       const InkTensor *addend, const InkTensor *out, GError **error)
{
  InkResamplePush push = {
    .in_w = in->w, .in_h = in->h, .c = in->c, .in_off = in->offset, .out_off = out->offset,
    .bilinear = bilinear, .add_off = addend != NULL ? (gint32) addend->offset : -1,
  };
  InkDispatchShape shape = grid_shape (out->w, out->h, out->c);
  InkBuffer *inputs[] = { in->buffer, addend != NULL ? addend->buffer : in->buffer };
  const InkPass *pass = PASS_FOR (nn_resample, out);

  g_return_val_if_fail (fits_any (in) && fits_any (out) && (addend == NULL || fits_any (addend)),
                        FALSE);
  g_return_val_if_fail (out->c == in->c && out->w == 2 * in->w && out->h == 2 * in->h, FALSE);
  g_return_val_if_fail (addend == NULL || same_shape (addend, out), FALSE);
  g_return_val_if_fail (in->packed == out->packed && (addend == NULL
                                                      || addend->packed == out->packed), FALSE);
  g_return_val_if_fail (!in->packed || ink_nn_packs (c), FALSE);
  /* Packed: an invocation for each input pixel's 2 x 2 outputs, offsets in texels. */
  if (in->packed)
    {
      shape = grid_shape (in->w, in->h, in->c / 4);
      push.in_off /= 4;
      push.out_off /= 4;
      push.add_off = addend != NULL ? push.add_off / 4 : -1;
      pass = PASS_FOR (nn_resample_po, out);
    }
  shape.spec[0] = bilinear != 0;
  shape.n_spec = 1;
  return ink_compute_dispatch_shaped (c, pass, inputs, out->buffer, &push, &shape, -1, error);
}

gboolean
ink_nn_upsample2x (InkCompute *c, gboolean bilinear, const InkTensor *in, const InkTensor *out,
                   GError **error)
{
  return ink_nn_upsample2x_add (c, bilinear, in, NULL, out, error);
}

gboolean
ink_nn_warp (InkCompute *c, const InkTensor *in, const InkTensor *flow, const InkTensor *out,
             GError **error)
{
  InkWarpPush push = {
    .w = in->w, .h = in->h, .c = in->c, .in_off = in->offset, .flow_off = flow->offset,
    .out_off = out->offset,
  };
  InkDispatchShape shape = grid_shape (out->w, out->h, out->c);
  InkBuffer *inputs[] = { in->buffer, flow->buffer };
  const InkPass *pass = PASS_FOR (nn_warp, out);

  g_return_val_if_fail (fits_any (in) && fits (flow) && fits_any (out) && same_shape (in, out)
                        && in->packed == out->packed, FALSE);
  g_return_val_if_fail (flow->c == 2 && flow->w == in->w && flow->h == in->h, FALSE);
  g_return_val_if_fail (!in->packed || ink_nn_packs (c), FALSE);
  /* Packed: an invocation for 4 channels, offsets in texels. */
  if (in->packed)
    {
      shape = grid_shape (out->w, out->h, out->c / 4);
      push.in_off /= 4;
      push.out_off /= 4;
      pass = PASS_FOR (nn_warp_po, out);
    }
  return ink_compute_dispatch_shaped (c, pass, inputs, out->buffer, &push, &shape, -1, error);
}

static gboolean
box_axis (InkCompute *c, int r, gboolean vertical, const InkTensor *in, const InkTensor *out,
          GError **error)
{
  InkBoxPush push = {
    .w = in->w, .h = in->h, .c = in->c, .r = r, .in_off = in->offset, .out_off = out->offset,
    .vertical = vertical,
  };
  InkDispatchShape shape = grid_shape (out->w, out->h, out->c);

  shape.spec[0] = vertical;
  shape.n_spec = 1;
  return ink_compute_dispatch_shaped (c, PASS_FOR (nn_box, out), &in->buffer, out->buffer, &push, &shape, -1,
                                      error);
}

/* A scratch tensor of SHAPE's dimensions with C planes. */
static gboolean
scratch_tensor (InkCompute *c, const InkTensor *shape, int channels, InkTensor *t, GError **error)
{
  *t = (InkTensor) { .c = channels, .h = shape->h, .w = shape->w };
  t->buffer = ink_compute_scratch (c, ink_tensor_count (t) * ink_tensor_element_size (shape),
                                   "nn scratch", error);
  if (t->buffer != NULL)
    ink_buffer_set_half (t->buffer, ink_buffer_is_half (shape->buffer));
  return t->buffer != NULL;
}

gboolean
ink_nn_box (InkCompute *c, int r, const InkTensor *in, const InkTensor *out, GError **error)
{
  InkTensor across;

  g_return_val_if_fail (fits (in) && fits (out) && same_shape (in, out) && r >= 0, FALSE);
  return scratch_tensor (c, in, in->c, &across, error)
         && box_axis (c, r, FALSE, in, &across, error)
         && box_axis (c, r, TRUE, &across, out, error);
}

/* Radii up to this take the fused two-pass filter (at most 49 taps); larger ones the separable
 * box filters. */
#define GUIDED_FUSED_MAX_RADIUS 3

static gboolean
guided_phase (InkCompute *c, int phase, int r, float eps, const InkTensor *guide,
              const InkTensor *in, int channels, const InkTensor *out, GError **error)
{
  InkGuidedPush push = {
    .w = guide->w, .h = guide->h, .c = channels, .guide_c = guide->c, .r = r,
    .guide_off = guide->offset, .in_off = in->offset, .out_off = out->offset, .phase = phase,
    .eps = eps,
  };
  /* nn-guided.comp filters 4 pixels an invocation. */
  InkDispatchShape shape = grid_shape ((guide->w + 3) / 4, guide->h, channels);

  shape.spec[0] = phase;
  shape.spec[1] = r;
  shape.n_spec = 2;
  return ink_compute_dispatch_shaped (c, PASS_FOR (nn_guided, out),
                                      (InkBuffer *[]) { guide->buffer, in->buffer },
                                      out->buffer, &push, &shape, -1, error);
}

gboolean
ink_nn_guided (InkCompute *c, int r, float eps, const InkTensor *guide, const InkTensor *p,
               const InkTensor *out, GError **error)
{
  InkTensor products, means, coefs, coef_means;

  g_return_val_if_fail (fits (guide) && fits (p) && fits (out) && same_shape (p, out), FALSE);
  g_return_val_if_fail ((guide->c == 1 || guide->c == p->c) && guide->w == p->w
                        && guide->h == p->h && r >= 0, FALSE);
  if (r <= GUIDED_FUSED_MAX_RADIUS)
    return scratch_tensor (c, p, 2 * p->c, &coefs, error)
           && guided_phase (c, 0, r, eps, guide, p, p->c, &coefs, error)
           && guided_phase (c, 1, r, eps, guide, &coefs, p->c, out, error);
  return scratch_tensor (c, p, 4 * p->c, &products, error)
         && scratch_tensor (c, p, 4 * p->c, &means, error)
         && scratch_tensor (c, p, 2 * p->c, &coefs, error)
         && scratch_tensor (c, p, 2 * p->c, &coef_means, error)
         && eltwise (c, INK_ELT_GUIDED_PRODUCTS, INK_ACT_NONE, 0.0f, eps, guide, p, guide->c,
                     p->c, &products, error)
         && ink_nn_box (c, r, &products, &means, error)
         && eltwise (c, INK_ELT_GUIDED_COEFFICIENTS, INK_ACT_NONE, 0.0f, eps, &means, &means, 0,
                     p->c, &coefs, error)
         && ink_nn_box (c, r, &coefs, &coef_means, error)
         && eltwise (c, INK_ELT_GUIDED_RESULT, INK_ACT_NONE, 0.0f, eps, &coef_means, guide,
                     guide->c, p->c, out, error);
}

gboolean
ink_nn_group_norm (InkCompute *c, int groups, float eps, InkBuffer *weights, gsize g_off,
                   InkAct act, float alpha, const InkTensor *in, const InkTensor *out,
                   GError **error)
{
  InkNormStatsPush stats_push = {
    .plane = in->w * in->h, .c = in->c, .groups = groups, .in_off = in->offset, .eps = eps,
  };
  InkNormApplyPush apply = {
    .plane = in->w * in->h, .c = in->c, .groups = groups, .in_off = in->offset,
    .out_off = out->offset, .g_off = weights != NULL ? (gint32) g_off : -1,
    .b_off = weights != NULL ? (gint32) (g_off + in->c) : -1, .act = act, .alpha = alpha,
  };
  InkDispatchShape stats_shape = {
    .local = { FLAT_LOCAL, 1, 1 }, .groups = { groups, 1, 1 },
  };
  InkDispatchShape apply_shape = flat_shape (ink_tensor_count (in), &apply.row);
  InkBuffer *stats;

  g_return_val_if_fail (fits (in) && fits (out) && same_shape (in, out), FALSE);
  g_return_val_if_fail (groups > 0 && in->c % groups == 0, FALSE);
  g_return_val_if_fail (weights == NULL
                        || (g_off + 2 * in->c) * sizeof (float) <= ink_buffer_size (weights),
                        FALSE);
  stats = ink_compute_scratch (c, 2 * groups * sizeof (float), "nn norm statistics", error);
  if (stats == NULL)
    return FALSE;
  apply_shape.spec[0] = act;
  apply_shape.n_spec = 1;
  return ink_compute_dispatch_shaped (c, &nn_norm_stats, &in->buffer, stats, &stats_push,
                                      &stats_shape, -1, error)
         && ink_compute_dispatch_shaped (c, PASS_FOR (nn_norm_apply, out),
                                         (InkBuffer *[]) { in->buffer, stats,
                                                           weights != NULL ? weights : stats },
                                         out->buffer, &apply, &apply_shape, -1, error);
}
