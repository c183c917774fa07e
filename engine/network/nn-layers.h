/* nn-layers.h: the network runtime's layers: each a compute shader (shaders/nn-*.comp) with a
 * multi-threaded C reference (nn-ref.c), recorded on an InkCompute like the stylizer's passes. */
#pragma once

#include <glib.h>

#include "compute.h"

G_BEGIN_DECLS

/* Calls FUNC (row, DATA) for every row in 0 .. N-1, on the calling thread and a pool of a
 * thread per further processor: the C references' parallel for (nn-ref.c). FUNC must not call
 * it again (the pool's threads would wait on themselves). */
typedef void (*InkRowFunc) (int row, gpointer data);
void ink_parallel_rows (int n, InkRowFunc func, gpointer data);

/* Activations, fused into the layer before them. */
typedef enum {
  INK_ACT_NONE,
  INK_ACT_RELU,
  INK_ACT_LEAKY,     /* v < 0: alpha v */
  INK_ACT_TANH,
  INK_ACT_SIGMOID,
} InkAct;

/* A tensor: C planes of H x W fp32 values (PyTorch's NCHW with N = 1), at OFFSET floats into a
 * buffer, so several tensors (a concatenation's parts, say) can share one. PACKED: held instead as
 * C / 4 planes of texels of 4 channels each (C a multiple of 4, OFFSET too), which only the
 * convolutions, upsamplings and warps on a CPU device read and write (ink_nn_packs). Either
 * may be halves. */
typedef struct {
  InkBuffer *buffer;
  gsize offset;
  int c, h, w;
  gboolean packed;
} InkTensor;

static inline gsize
ink_tensor_count (const InkTensor *t)
{
  return (gsize) t->c * t->h * t->w;
}

/* Bytes a value: 2 in a buffer of halves (ink_buffer_set_half), else 4. */
static inline gsize
ink_tensor_element_size (const InkTensor *t)
{
  return ink_buffer_is_half (t->buffer) ? 2 : sizeof (float);
}

/* A 2-D convolution: padding D (K - 1) / 2, zero or reflected; IN_C and OUT_C divisible by GROUPS
 * (GROUPS = IN_C = OUT_C: depthwise). */
typedef struct {
  int in_c, out_c, kernel, stride, dilation, groups;
  gboolean reflect;
  gboolean bias;
  InkAct act;
  float alpha;       /* INK_ACT_LEAKY's slope */
} InkConvSpec;

/* NULL when SPEC is usable, else what is wrong with it (a static string). */
const char *ink_conv_spec_check (const InkConvSpec *spec);
/* Output channels per shader invocation: ungrouped, up to 8 (the last block padded with zero
 * weights); grouped, the largest of 8, 4, 2, 1 dividing OUT_C / GROUPS. */
int ink_conv_block (const InkConvSpec *spec);
/* Blocks of ink_conv_block () output channels. */
int ink_conv_blocks (const InkConvSpec *spec);
int ink_conv_out_size (const InkConvSpec *spec, int in_size);
/* Multiply-adds of one layer on an IN_H x IN_W input. */
double ink_conv_macs (const InkConvSpec *spec, int in_h, int in_w);
/* Whether layers run packed by 4 channels on COMPUTE (InkTensor.packed): on a CPU device, in fp32
 * arithmetic, unless INKLOOP_NN_NO_PACK is set (for the tests). Whether a convolution with SPEC
 * runs so from its input (one that is not packed, it packs first), and whether it can also write
 * its output so (with a residual, that residual packed too). An upsampling reads and writes
 * packed tensors of any multiple of 4 channels where ink_nn_packs. */
gboolean ink_nn_packs (InkCompute *compute);
gboolean ink_nn_conv_packs (InkCompute *compute, const InkConvSpec *spec);
gboolean ink_nn_conv_writes_packed (InkCompute *compute, const InkConvSpec *spec);
/* Floats of the packed weights and bias (ink_conv_pack), and of one block's. */
gsize ink_conv_packed_size (const InkConvSpec *spec);
gsize ink_conv_block_stride (const InkConvSpec *spec);
/* Packs WEIGHT (PyTorch's [out_c][in_c / groups][k][k]) and BIAS (out_c; NULL: zeros) into the
 * layout the shader reads: per block of ink_conv_block () output channels, [in / groups][k * k]
 * [block] and then the block's bias (the last block padded with zeros), so a block's weights and
 * bias are ink_conv_block_stride () floats together. */
void ink_conv_pack (const InkConvSpec *spec, const float *weight, const float *bias, float *packed);

/* The layers. Each records one or more dispatches on COMPUTE between ink_compute_begin and
 * _finish; WEIGHTS holds packed weights at W_OFF floats. Shapes are checked with g_return. */
gboolean ink_nn_conv2d (InkCompute *compute, const InkConvSpec *spec, const InkTensor *in,
                        InkBuffer *weights, gsize w_off, const InkTensor *out, GError **error);
/* As ink_nn_conv2d, with RESIDUAL (OUT's shape; NULL: none) added after the activation: a
 * convolution and the sum after it in one pass. */
gboolean ink_nn_conv2d_add (InkCompute *compute, const InkConvSpec *spec, const InkTensor *in,
                            InkBuffer *weights, gsize w_off, const InkTensor *residual,
                            const InkTensor *out, GError **error);
/* OUT = act (IN), element by element (IN and OUT of one shape; OUT may be a channel range of a
 * larger tensor: concatenation). */
gboolean ink_nn_copy (InkCompute *compute, InkAct act, float alpha, const InkTensor *in,
                      const InkTensor *out, GError **error);
/* OUT = act (A + B). */
gboolean ink_nn_add (InkCompute *compute, InkAct act, float alpha, const InkTensor *a,
                     const InkTensor *b, const InkTensor *out, GError **error);
/* OUT = [A, B] along the channels. */
gboolean ink_nn_concat (InkCompute *compute, const InkTensor *a, const InkTensor *b,
                        const InkTensor *out, GError **error);
/* OUT (2 H x 2 W) = IN upsampled, nearest or bilinear (align_corners=False). */
/* OUT = the x2 upsampling of IN plus ADDEND (OUT's shape), in one pass. IN, ADDEND and OUT are
 * all packed or none is. */
gboolean ink_nn_upsample2x_add (InkCompute *compute, gboolean bilinear, const InkTensor *in,
                                const InkTensor *addend, const InkTensor *out, GError **error);
gboolean ink_nn_upsample2x (InkCompute *compute, gboolean bilinear, const InkTensor *in,
                            const InkTensor *out, GError **error);
/* OUT = IN read at p + FLOW (p) (2 planes, pixels), bilinear, clamped at the edges. IN and OUT
 * are both packed or neither; FLOW is not. */
gboolean ink_nn_warp (InkCompute *compute, const InkTensor *in, const InkTensor *flow,
                      const InkTensor *out, GError **error);
/* OUT = the mean of IN over a (2 R + 1)^2 box, normalized by the in-picture count. */
gboolean ink_nn_box (InkCompute *compute, int r, const InkTensor *in, const InkTensor *out,
                     GError **error);
/* He et al.'s guided filter, channel by channel: OUT = P filtered with GUIDE (1 or P's C planes)
 * over radius R with regularization EPS. */
gboolean ink_nn_guided (InkCompute *compute, int r, float eps, const InkTensor *guide,
                        const InkTensor *p, const InkTensor *out, GError **error);
/* Group normalization (GROUPS = C: instance norm), then gamma and beta at G_OFF and G_OFF + C in
 * WEIGHTS (WEIGHTS NULL: none), then ACT. */
gboolean ink_nn_group_norm (InkCompute *compute, int groups, float eps, InkBuffer *weights,
                            gsize g_off, InkAct act, float alpha, const InkTensor *in,
                            const InkTensor *out, GError **error);

/* The passes' push constants, shared with the C references (nn-ref.c). */
typedef struct {
  gint32 in_w, in_h, in_c, out_w, out_h, out_c;
  gint32 groups, in_off, out_off;
  gint32 w_off;     /* the first block's packed weights (ink_conv_pack) in input 1 */
  gint32 bias;      /* 1: each block's bias follows its weights; 0: none */
  gint32 k, stride, dil, reflect, act, ocb;
  float alpha;
  gint32 res_off;   /* >= 0: the planes there of input 2 added after the activation */
  gint32 block0;    /* the first block of output channels this dispatch computes */
} InkConvPush;

typedef enum {
  INK_ELT_COPY,
  INK_ELT_ADD,
  INK_ELT_GUIDED_PRODUCTS,
  INK_ELT_GUIDED_COEFFICIENTS,
  INK_ELT_GUIDED_RESULT,
} InkEltOp;

typedef struct {
  gint32 plane, c, a_off, b_off, out_off, guide_c, row, op, act;
  float alpha, eps;
} InkEltPush;

typedef struct {
  gint32 plane, c, in_off, row;
} InkPackPush;

typedef struct { gint32 in_w, in_h, c, in_off, out_off, bilinear, add_off; } InkResamplePush;
typedef struct { gint32 w, h, c, in_off, flow_off, out_off; } InkWarpPush;
typedef struct { gint32 w, h, c, r, in_off, out_off, vertical; } InkBoxPush;
/* The fused guided filter's two phases (nn-guided.comp): IN is p, then the coefficients. */
typedef struct {
  gint32 w, h, c, guide_c, r, guide_off, in_off, out_off, phase;
  float eps;
} InkGuidedPush;
typedef struct { gint32 plane, c, groups, in_off; float eps; } InkNormStatsPush;
typedef struct {
  gint32 plane, c, groups, in_off, out_off, g_off, b_off, row, act;
  float alpha;
} InkNormApplyPush;

/* The C references (nn-ref.c), split over GLib's thread pool. */
void ink_nn_ref_conv (const void *const *inputs, void *output, const void *push);
/* The convolution reading its input packed by 4 channels (ink_nn_ref_pack's layout). */
void ink_nn_ref_conv_packed (const void *const *inputs, void *output, const void *push);
/* And writing its output packed too. */
void ink_nn_ref_conv_packed_out (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_pack (const void *const *inputs, void *output, const void *push);
/* The upsampling and the warp of tensors packed by 4 channels (offsets in texels; the flow
 * planes). */
void ink_nn_ref_resample_packed (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_warp_packed (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_eltwise (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_resample (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_warp (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_box (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_guided (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_norm_stats (const void *const *inputs, void *output, const void *push);
void ink_nn_ref_norm_apply (const void *const *inputs, void *output, const void *push);

G_END_DECLS
