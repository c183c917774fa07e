/* test-layers.c: the network's layers, in ncnn's style: one line per layer configuration, each run
 * on the Vulkan device (lavapipe in CI, validation layer on) and by its C reference, and the
 * convolution also against a plain double-precision loop over PyTorch's weight layout. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute.h"
#include "color.h"
#include "nn-layers.h"
#include "test-common.h"

typedef enum { L_CONV, L_COPY, L_ADD, L_CONCAT, L_UP, L_WARP, L_BOX, L_GUIDED, L_NORM } Layer;

typedef struct {
  Layer layer;
  int c, h, w;
  InkConvSpec conv;   /* L_CONV */
  int arg;            /* L_UP: bilinear; L_BOX, L_GUIDED: radius; L_NORM: groups */
  int c2;             /* L_CONCAT: the second part's channels; L_GUIDED: the guide's; L_NORM: affine;
                         L_CONV: 1, a residual added (ink_nn_conv2d_add); L_UP: 1, an addend
                         (ink_nn_upsample2x_add) */
  InkAct act;         /* L_COPY, L_ADD, L_NORM */
  int offset;         /* floats before every tensor in its buffer */
} Case;

#define L(layer_, c_, h_, w_) .layer = layer_, .c = c_, .h = h_, .w = w_
#define CONV(ic, oc, k, s, d, g, reflect_, act_) \
  .conv = { .in_c = ic, .out_c = oc, .kernel = k, .stride = s, .dilation = d, .groups = g, \
            .reflect = reflect_, .bias = TRUE, .act = act_, .alpha = 0.2f }

static const Case cases[] = {
  /*  layer      c   h   w    in out  k  s  d  g  reflect  activation */
  { L (L_CONV, 3, 17, 23), CONV (3, 8, 3, 1, 1, 1, FALSE, INK_ACT_RELU) },
  { L (L_CONV, 16, 33, 47), CONV (16, 32, 3, 1, 1, 1, FALSE, INK_ACT_LEAKY) },
  { L (L_CONV, 32, 20, 71), CONV (32, 32, 3, 1, 1, 1, TRUE, INK_ACT_NONE) },
  { L (L_CONV, 8, 31, 29), CONV (8, 16, 3, 2, 1, 1, TRUE, INK_ACT_RELU) },
  { L (L_CONV, 8, 30, 30), CONV (8, 8, 3, 2, 1, 1, FALSE, INK_ACT_TANH) },
  { L (L_CONV, 12, 19, 25), CONV (12, 12, 3, 1, 2, 1, TRUE, INK_ACT_SIGMOID) },
  { L (L_CONV, 12, 19, 25), CONV (12, 12, 3, 1, 2, 1, FALSE, INK_ACT_LEAKY) },
  { L (L_CONV, 5, 11, 13), CONV (5, 7, 1, 1, 1, 1, FALSE, INK_ACT_NONE), .offset = 3 },
  { L (L_CONV, 16, 16, 16), CONV (16, 4, 1, 2, 1, 1, FALSE, INK_ACT_RELU) },
  { L (L_CONV, 3, 40, 37), CONV (3, 16, 5, 1, 1, 1, TRUE, INK_ACT_LEAKY) },
  { L (L_CONV, 4, 23, 41), CONV (4, 8, 5, 2, 2, 1, FALSE, INK_ACT_NONE) },
  { L (L_CONV, 3, 50, 45), CONV (3, 8, 7, 1, 1, 1, TRUE, INK_ACT_RELU) },
  { L (L_CONV, 6, 25, 26), CONV (6, 6, 7, 2, 1, 1, FALSE, INK_ACT_TANH) },
  { L (L_CONV, 16, 21, 34), CONV (16, 16, 3, 1, 1, 16, TRUE, INK_ACT_RELU) },    /* depthwise */
  { L (L_CONV, 16, 21, 34), CONV (16, 16, 5, 2, 1, 16, FALSE, INK_ACT_NONE) },
  { L (L_CONV, 16, 15, 18), CONV (16, 32, 3, 1, 1, 4, FALSE, INK_ACT_LEAKY) },   /* grouped */
  { L (L_CONV, 12, 15, 18), CONV (12, 6, 3, 1, 1, 3, TRUE, INK_ACT_NONE), .offset = 11 },
  /* Grouped, packed on a CPU device: two blocks an invocation within a group; one. */
  { L (L_CONV, 32, 14, 21), CONV (32, 32, 3, 1, 1, 2, TRUE, INK_ACT_LEAKY), .offset = 4 },
  { L (L_CONV, 24, 9, 17), CONV (24, 48, 1, 2, 1, 3, FALSE, INK_ACT_RELU) },
  { L (L_CONV, 9, 13, 14), CONV (9, 3, 3, 1, 1, 1, TRUE, INK_ACT_SIGMOID) },    /* block of 1 */
  { L (L_CONV, 2, 1, 1), CONV (2, 4, 3, 1, 1, 1, TRUE, INK_ACT_NONE) },
  { L (L_CONV, 2, 2, 3), CONV (2, 4, 3, 1, 2, 1, TRUE, INK_ACT_NONE) },       /* reflect > size */
  { L (L_CONV, 4, 3, 2), CONV (4, 4, 3, 2, 1, 1, FALSE, INK_ACT_RELU) },
  /* On a CPU device, packed by 4 channels with uniform weights: blocks in 4 windows of 2, in 1
   * each, too large for one (the unpacked path), and an odd count (2 an invocation, then 1). */
  { L (L_CONV, 64, 9, 13), CONV (64, 64, 3, 1, 1, 1, TRUE, INK_ACT_LEAKY), .offset = 2 },
  { L (L_CONV, 32, 12, 10), CONV (32, 16, 7, 2, 1, 1, FALSE, INK_ACT_RELU) },
  { L (L_CONV, 64, 6, 7), CONV (64, 8, 7, 1, 1, 1, TRUE, INK_ACT_NONE) },
  { L (L_CONV, 8, 14, 19), CONV (8, 20, 3, 1, 1, 1, TRUE, INK_ACT_RELU) },   /* 2 blocks, then 1 */
  { L (L_CONV, 16, 3, 263), CONV (16, 3, 3, 1, 1, 1, TRUE, INK_ACT_TANH) },  /* 8 px a lane */
  /* With the sum after them in the same pass (a residual block's). */
  { L (L_CONV, 32, 20, 71), CONV (32, 32, 3, 1, 1, 1, TRUE, INK_ACT_NONE), .c2 = 1 },
  { L (L_CONV, 8, 31, 29), CONV (8, 3, 3, 2, 1, 1, FALSE, INK_ACT_LEAKY), .c2 = 1, .offset = 5 },
  { L (L_COPY, 5, 17, 19), .act = INK_ACT_LEAKY, .offset = 4 },
  { L (L_COPY, 3, 9, 9), .act = INK_ACT_TANH },
  { L (L_COPY, 3, 9, 9), .act = INK_ACT_SIGMOID },
  { L (L_ADD, 4, 23, 31), .act = INK_ACT_RELU, .offset = 2 },
  { L (L_ADD, 2, 5, 7), .act = INK_ACT_NONE },
  { L (L_CONCAT, 3, 14, 15), .c2 = 5 },
  { L (L_CONCAT, 8, 7, 9), .c2 = 1, .offset = 6 },
  { L (L_UP, 3, 13, 17), .arg = 0 },
  { L (L_UP, 3, 13, 17), .arg = 1 },
  { L (L_UP, 4, 1, 1), .arg = 1, .offset = 5 },
  { L (L_UP, 2, 9, 2), .arg = 1 },
  /* Packed by 4 channels on a CPU device too. */
  { L (L_UP, 8, 13, 17), .arg = 1, .offset = 3 },
  { L (L_UP, 8, 6, 5), .arg = 0 },
  { L (L_UP, 4, 2, 9), .arg = 1, .c2 = 1, .offset = 6 },
  { L (L_UP, 12, 7, 1), .arg = 0, .c2 = 1 },
  { L (L_WARP, 4, 27, 33) },
  { L (L_WARP, 1, 5, 4), .offset = 9 },
  { L (L_WARP, 8, 19, 23), .offset = 5 },      /* packed by 4 channels on a CPU device too */
  { L (L_WARP, 4, 3, 7) },
  { L (L_BOX, 3, 31, 29), .arg = 1 },
  { L (L_BOX, 2, 17, 40), .arg = 5, .offset = 1 },
  { L (L_BOX, 1, 4, 6), .arg = 7 },
  { L (L_GUIDED, 3, 32, 41), .arg = 2, .c2 = 3 },
  { L (L_GUIDED, 3, 32, 41), .arg = 5, .c2 = 1 },
  { L (L_GUIDED, 1, 6, 5), .arg = 1, .c2 = 1, .offset = 3 },
  { L (L_GUIDED, 2, 4, 5), .arg = 3, .c2 = 2 },     /* the window wider than the picture */
  { L (L_GUIDED, 3, 23, 19), .arg = 0, .c2 = 1 },
  { L (L_NORM, 8, 19, 21), .arg = 8, .c2 = 1, .act = INK_ACT_RELU },     /* instance norm */
  { L (L_NORM, 8, 19, 21), .arg = 2, .c2 = 0, .act = INK_ACT_NONE },     /* group norm */
  { L (L_NORM, 16, 64, 70), .arg = 4, .c2 = 1, .act = INK_ACT_LEAKY, .offset = 7 },
  { L (L_NORM, 3, 1, 2), .arg = 1, .c2 = 1 },
};

static InkVkContext *vk;

typedef struct {
  int n;
  int c[3], h[3], w[3];       /* the inputs' shapes */
  gsize weights;              /* floats of the weights input (0: none) */
  int out_c, out_h, out_w;
} Shapes;

static Shapes
shapes_of (const Case *k)
{
  Shapes s = { .n = 1, .c = { k->c }, .h = { k->h }, .w = { k->w },
               .out_c = k->c, .out_h = k->h, .out_w = k->w };

  switch (k->layer)
    {
    case L_CONV:
      s.weights = ink_conv_packed_size (&k->conv);
      s.out_c = k->conv.out_c;
      s.out_h = ink_conv_out_size (&k->conv, k->h);
      s.out_w = ink_conv_out_size (&k->conv, k->w);
      if (k->c2)
        s.n = 2, s.c[1] = s.out_c, s.h[1] = s.out_h, s.w[1] = s.out_w;
      break;
    case L_ADD:
      s.n = 2;
      s.c[1] = k->c, s.h[1] = k->h, s.w[1] = k->w;
      break;
    case L_CONCAT:
      s.n = 2;
      s.c[1] = k->c2, s.h[1] = k->h, s.w[1] = k->w;
      s.out_c = k->c + k->c2;
      break;
    case L_UP:
      s.out_h = 2 * k->h, s.out_w = 2 * k->w;
      if (k->c2)
        s.n = 2, s.c[1] = k->c, s.h[1] = s.out_h, s.w[1] = s.out_w;
      break;
    case L_WARP:
      s.n = 2;
      s.c[1] = 2, s.h[1] = k->h, s.w[1] = k->w;
      break;
    case L_GUIDED:
      s.n = 2;
      s.c[1] = k->c2, s.h[1] = k->h, s.w[1] = k->w;
      break;
    case L_NORM:
      s.weights = k->c2 ? 2 * k->c : 0;
      break;
    default:
      break;
    }
  return s;
}

/* Deterministic values in [LO, HI). */
static float *
random_floats (GRand *rand, gsize n, double lo, double hi)
{
  float *v = g_new (float, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    v[i] = g_rand_double_range (rand, lo, hi);
  return v;
}

/* Host floats to halves, or back, as a buffer of halves holds them (HALF; else copied). */
static void
to_buffer_values (const float *f, gsize n, gboolean half, void *out)
{
  for (gsize i = 0; half && i < n; i++)
    ((guint16 *) out)[i] = ink_float_to_half (f[i]);
  if (!half)
    memcpy (out, f, n * 4);
}

/* The planes of C channels of PLANE values as texels of 4 channels (InkTensor.packed), or back. */
static void
pack4 (const float *planes, int c, gsize plane, float *texels, gboolean back)
{
  for (int ch = 0; ch < c; ch++)
    for (gsize i = 0; i < plane; i++)
      {
        gsize t = ((ch / 4) * plane + i) * 4 + ch % 4;
        if (back)
          texels[(gsize) ch * plane + i] = planes[t];
        else
          texels[t] = planes[(gsize) ch * plane + i];
      }
}

/* Runs case K on COMPUTE with INPUTS (host floats of Shapes) and the packed WEIGHTS; returns the
 * output's floats. HALF: inputs, output and scratch kept as halves (the weights stay floats).
 * PACK: a convolution's input given packed by 4 channels where the device reads it so, and its
 * output (and residual) taken packed where it writes it so; an upsampling's input, addend and
 * output all packed where the device runs it so (packed tensors at an offset rounded up to 4). */
static float *
run_case (InkCompute *c, const Case *k, float *const *inputs, const float *weights, gboolean half,
          gboolean pack)
{
  g_autoptr (GError) error = NULL;
  Shapes s = shapes_of (k);
  gboolean pack_in = pack && k->c % 4 == 0
                     && ((k->layer == L_CONV && ink_nn_conv_packs (c, &k->conv))
                         || ((k->layer == L_UP || k->layer == L_WARP) && ink_nn_packs (c)));
  gboolean pack_out = pack_in && (k->layer != L_CONV || ink_nn_conv_writes_packed (c, &k->conv));
  gsize es = half ? 2 : 4;
  int offset = pack_in ? (k->offset + 3) / 4 * 4 : k->offset;
  InkTensor in[3], out = { .c = s.out_c, .h = s.out_h, .w = s.out_w,
                           .offset = pack_out ? offset : k->offset, .packed = pack_out };
  InkBuffer *wbuf = NULL;
  gsize out_n = ink_tensor_count (&out);
  float *result = g_new (float, out_n);
  gboolean ok = FALSE;

  for (int i = 0; i < s.n; i++)
    {
      /* A residual or addend packed as the output is, a flow never. */
      gboolean packed = i == 0 ? pack_in : pack_out && k->layer != L_WARP;
      in[i] = (InkTensor) { .c = s.c[i], .h = s.h[i], .w = s.w[i],
                            .offset = packed ? offset : k->offset, .packed = packed };
      in[i].buffer = ink_buffer_new (c, (in[i].offset + ink_tensor_count (&in[i])) * es, "in",
                                     &error);
      g_assert_no_error (error);
      ink_buffer_set_half (in[i].buffer, half);
    }
  out.buffer = ink_buffer_new (c, (out.offset + out_n) * es, "out", &error);
  g_assert_no_error (error);
  ink_buffer_set_half (out.buffer, half);
  if (s.weights > 0)
    {
      wbuf = ink_buffer_new (c, s.weights * 4, "weights", &error);
      g_assert_no_error (error);
    }
  g_assert_true (ink_compute_begin (c, &error));
  for (int i = 0; i < s.n; i++)
    {
      gsize n = ink_tensor_count (&in[i]), at = in[i].offset;
      g_autofree float *padded = g_new0 (float, at + n);
      g_autofree guint8 *values = g_new (guint8, (at + n) * es);
      if (in[i].packed)
        pack4 (inputs[i], in[i].c, (gsize) in[i].h * in[i].w, padded + at, FALSE);
      else
        memcpy (padded + at, inputs[i], n * 4);
      to_buffer_values (padded, at + n, half, values);
      g_assert_true (ink_compute_upload (c, in[i].buffer, values, (at + n) * es, &error));
    }
  if (wbuf != NULL)
    g_assert_true (ink_compute_upload (c, wbuf, weights, s.weights * 4, &error));

  switch (k->layer)
    {
    case L_CONV:
      ok = ink_nn_conv2d_add (c, &k->conv, &in[0], wbuf, 0, k->c2 ? &in[1] : NULL, &out, &error);
      break;
    case L_COPY:
      ok = ink_nn_copy (c, k->act, 0.1f, &in[0], &out, &error);
      break;
    case L_ADD:
      ok = ink_nn_add (c, k->act, 0.1f, &in[0], &in[1], &out, &error);
      break;
    case L_CONCAT:
      ok = ink_nn_concat (c, &in[0], &in[1], &out, &error);
      break;
    case L_UP:
      ok = ink_nn_upsample2x_add (c, k->arg, &in[0], k->c2 ? &in[1] : NULL, &out, &error);
      break;
    case L_WARP:
      ok = ink_nn_warp (c, &in[0], &in[1], &out, &error);
      break;
    case L_BOX:
      ok = ink_nn_box (c, k->arg, &in[0], &out, &error);
      break;
    case L_GUIDED:
      ok = ink_nn_guided (c, k->arg, 0.01f, &in[1], &in[0], &out, &error);
      break;
    case L_NORM:
      ok = ink_nn_group_norm (c, k->arg, 1e-5f, wbuf, 0, k->act, 0.1f, &in[0], &out, &error);
      break;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  {
    g_autofree guint8 *all = g_new (guint8, (out.offset + out_n) * es);
    g_assert_true (ink_compute_download (c, out.buffer, all, (out.offset + out_n) * es, &error));
    g_assert_true (ink_compute_finish (c, &error));
    g_assert_no_error (error);
    g_autofree float *values = g_new (float, out_n);
    for (gsize i = 0; i < out_n; i++)
      values[i] = half ? ink_half_to_float (((guint16 *) all)[out.offset + i])
                       : ((float *) all)[out.offset + i];
    if (pack_out)
      pack4 (values, out.c, (gsize) out.h * out.w, result, TRUE);
    else
      memcpy (result, values, out_n * sizeof (float));
  }
  for (int i = 0; i < s.n; i++)
    ink_buffer_free (&in[i].buffer);
  ink_buffer_free (&out.buffer);
  ink_buffer_free (&wbuf);
  return result;
}

static double
act_double (InkAct act, double v, double alpha)
{
  switch (act)
    {
    case INK_ACT_RELU: return MAX (v, 0.0);
    case INK_ACT_LEAKY: return v < 0 ? alpha * v : v;
    case INK_ACT_TANH: return tanh (v);
    case INK_ACT_SIGMOID: return 1.0 / (1.0 + exp (-v));
    default: return v;
    }
}

/* The convolution as PyTorch defines it, in doubles, from unpacked WEIGHT and BIAS. */
static float *
naive_conv (const InkConvSpec *s, const float *in, int h, int w, const float *weight,
            const float *bias)
{
  int oh = ink_conv_out_size (s, h), ow = ink_conv_out_size (s, w);
  int ipg = s->in_c / s->groups, opg = s->out_c / s->groups, k = s->kernel;
  int pad = s->dilation * (k - 1) / 2;
  float *out = g_new (float, (gsize) s->out_c * oh * ow);

  for (int oc = 0; oc < s->out_c; oc++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++)
        {
          double sum = bias[oc];
          for (int i = 0; i < ipg; i++)
            for (int ky = 0; ky < k; ky++)
              for (int kx = 0; kx < k; kx++)
                {
                  int yi = y * s->stride + ky * s->dilation - pad;
                  int xi = x * s->stride + kx * s->dilation - pad;
                  int ic = oc / opg * ipg + i;
                  if (s->reflect)
                    {
                      /* Mirrored once each side, then clamped where the input is smaller
                       * than the padding (PyTorch refuses those). */
                      yi = abs (yi);
                      xi = abs (xi);
                      yi = CLAMP (yi >= h ? 2 * h - 2 - yi : yi, 0, h - 1);
                      xi = CLAMP (xi >= w ? 2 * w - 2 - xi : xi, 0, w - 1);
                    }
                  else if (yi < 0 || yi >= h || xi < 0 || xi >= w)
                    continue;
                  sum += (double) weight[((oc * ipg + i) * k + ky) * k + kx]
                         * in[((gsize) ic * h + yi) * w + xi];
                }
          out[((gsize) oc * oh + y) * ow + x] = act_double (s->act, sum, s->alpha);
        }
  return out;
}

static double
max_difference (const float *a, const float *b, gsize n, double *scale)
{
  double max = 0.0;

  *scale = 1.0;
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (a[i]) && isfinite (b[i]));
      max = MAX (max, fabs ((double) a[i] - b[i]));
      *scale = MAX (*scale, fabs (b[i]));
    }
  return max;
}

static void
test_case (gconstpointer data)
{
  const Case *k = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (k - cases) + 1);
  Shapes s = shapes_of (k);
  float *inputs[3] = { NULL };
  g_autofree float *weight = NULL, *bias = NULL, *packed = NULL;
  g_autofree float *gpu_out = NULL, *cpu_out = NULL, *naive = NULL;
  InkCompute *gpu = ink_compute_new (vk, &error), *cpu = ink_compute_new (NULL, &error);
  gsize out_n = (gsize) s.out_c * s.out_h * s.out_w;
  double scale, diff;

  g_assert_no_error (error);
  for (int i = 0; i < s.n; i++)
    {
      gsize n = (gsize) s.c[i] * s.h[i] * s.w[i];
      /* Flows reach past the edges; guides and filtered inputs are pictures in 0 .. 1. */
      if (k->layer == L_WARP && i == 1)
        inputs[i] = random_floats (rand, n, -0.6 * k->w, 0.6 * k->w);
      else if (k->layer == L_GUIDED || k->layer == L_BOX)
        inputs[i] = random_floats (rand, n, 0.0, 1.0);
      else
        inputs[i] = random_floats (rand, n, -1.0, 1.0);
    }
  if (k->layer == L_CONV)
    {
      gsize nw = (gsize) k->conv.out_c * (k->conv.in_c / k->conv.groups) * k->conv.kernel
                 * k->conv.kernel;
      double range = 1.0 / sqrt (nw / k->conv.out_c);
      weight = random_floats (rand, nw, -range, range);
      bias = random_floats (rand, k->conv.out_c, -0.5, 0.5);
      packed = g_new (float, s.weights);
      ink_conv_pack (&k->conv, weight, bias, packed);
    }
  else if (s.weights > 0)
    packed = random_floats (rand, s.weights, -1.0, 1.0);

  gpu_out = run_case (gpu, k, inputs, packed, FALSE, FALSE);
  cpu_out = run_case (cpu, k, inputs, packed, FALSE, FALSE);
  diff = max_difference (gpu_out, cpu_out, out_n, &scale);
  g_test_message ("layer %d %dx%dx%d: device against C reference, largest difference %.2g",
                  k->layer, k->c, k->h, k->w, diff);
  /* fp32 sums of up to a few hundred terms in another order: a few ulps of the largest value. */
  g_assert_cmpfloat (diff, <=, 2e-5 * scale);
  if (k->layer == L_UP || k->layer == L_WARP)
    {
      /* Packed on a CPU device; the packed reference alike. */
      g_autofree float *packed_io = run_case (gpu, k, inputs, NULL, FALSE, TRUE);
      diff = max_difference (packed_io, cpu_out, out_n, &scale);
      g_assert_cmpfloat (diff, <=, 2e-5 * scale);
      if (k->layer == L_WARP && k->c % 4 == 0)
        {
          InkWarpPush push = { .w = k->w, .h = k->h, .c = k->c, .out_off = 1 };
          gsize plane = (gsize) k->w * k->h;
          g_autofree float *in = g_new (float, out_n);
          g_autofree float *texels = g_new (float, 4 + out_n), *ref = g_new (float, out_n);

          pack4 (inputs[0], k->c, plane, in, FALSE);
          ink_nn_ref_warp_packed ((const void *[]) { in, inputs[1] }, texels, &push);
          pack4 (texels + 4, k->c, plane, ref, TRUE);
          diff = max_difference (ref, cpu_out, out_n, &scale);
          g_assert_cmpfloat (diff, <=, 1e-6 * scale);
        }
      if (k->layer == L_UP && k->c % 4 == 0)
        {
          InkResamplePush push = { .in_w = k->w, .in_h = k->h, .c = k->c, .out_off = 1,
                                   .bilinear = k->arg, .add_off = k->c2 ? 0 : -1 };
          gsize plane = (gsize) k->w * k->h;
          g_autofree float *in = g_new (float, k->c * plane);
          g_autofree float *add = g_new (float, out_n);
          g_autofree float *texels = g_new (float, 4 + out_n), *ref = g_new (float, out_n);

          pack4 (inputs[0], k->c, plane, in, FALSE);
          if (k->c2)
            pack4 (inputs[1], k->c, 4 * plane, add, FALSE);
          ink_nn_ref_resample_packed ((const void *[]) { in, add }, texels, &push);
          pack4 (texels + 4, k->c, 4 * plane, ref, TRUE);
          diff = max_difference (ref, cpu_out, out_n, &scale);
          g_assert_cmpfloat (diff, <=, 1e-6 * scale);
        }
    }
  if (k->layer == L_CONV)
    {
      /* The device's other path: every weight fetched by every lane (for small subgroups). */
      g_autofree float *unshared = NULL;
      g_setenv ("INKLOOP_NN_NO_SHUFFLE", "1", TRUE);
      unshared = run_case (gpu, k, inputs, packed, FALSE, FALSE);
      g_unsetenv ("INKLOOP_NN_NO_SHUFFLE");
      diff = max_difference (unshared, cpu_out, out_n, &scale);
      g_assert_cmpfloat (diff, <=, 2e-5 * scale);
      /* On a CPU device: unpacked where it would pack, and packed in and out. */
      {
        g_autofree float *unpacked = NULL, *packed_io = NULL;
        g_setenv ("INKLOOP_NN_NO_PACK", "1", TRUE);
        unpacked = run_case (gpu, k, inputs, packed, FALSE, FALSE);
        g_unsetenv ("INKLOOP_NN_NO_PACK");
        diff = max_difference (unpacked, cpu_out, out_n, &scale);
        g_assert_cmpfloat (diff, <=, 2e-5 * scale);
        packed_io = run_case (gpu, k, inputs, packed, FALSE, TRUE);
        diff = max_difference (packed_io, cpu_out, out_n, &scale);
        g_assert_cmpfloat (diff, <=, 2e-5 * scale);
        if (g_test_verbose () && ink_nn_conv_packs (gpu, &k->conv))
          g_test_message ("conv: packed in%s, largest difference %.2g",
                          ink_nn_conv_writes_packed (gpu, &k->conv) ? " and out" : "", diff);
      }
      naive = naive_conv (&k->conv, inputs[0], k->h, k->w, weight, bias);
      for (gsize i = 0; k->c2 && i < out_n; i++)   /* the residual */
        naive[i] += inputs[1][i];
      diff = max_difference (cpu_out, naive, out_n, &scale);
      g_assert_cmpfloat (diff, <=, 2e-5 * scale);
    }
  /* fp16 storage: the inputs, the output and any scratch rounded to halves (a relative step of
   * 2^-11), the arithmetic fp32. A warp also reads its flow as halves: a step of 1/64 px at
   * 16 to 32 px, times these random pictures' gradients of up to 2 a pixel. */
  if (ink_compute_has_half_texels (gpu))
    {
      g_autofree float *halves = run_case (gpu, k, inputs, packed, TRUE, FALSE);
      double tolerance = k->layer == L_WARP ? 0.06 : 4e-3;

      diff = max_difference (halves, cpu_out, out_n, &scale);
      g_test_message ("layer %d: fp16 storage against the fp32 reference, largest difference %.2g "
                      "(tolerance %.2g)", k->layer, diff, tolerance * scale);
      g_assert_cmpfloat (diff, <=, tolerance * scale);
      if (k->layer == L_CONV || k->layer == L_UP || k->layer == L_WARP)
        {
          g_autofree float *packed_halves = run_case (gpu, k, inputs, packed, TRUE, TRUE);
          diff = max_difference (packed_halves, cpu_out, out_n, &scale);
          g_assert_cmpfloat (diff, <=, tolerance * scale);
        }
    }
  /* fp16 arithmetic (a convolution's products and sums in halves): each of up to K K C_in terms
   * and partial sums rounded to a relative 2^-11, errors that grow as the sum's square root. */
  if (k->layer == L_CONV && ink_compute_has_half_texels (gpu) && ink_compute_has_half_math (gpu))
    {
      g_autofree float *half_math = NULL;
      int terms = k->conv.kernel * k->conv.kernel * (k->conv.in_c / k->conv.groups);
      double tolerance = 2e-3 + 6e-4 * sqrt ((double) terms);

      ink_compute_set_half_math (gpu, TRUE);
      half_math = run_case (gpu, k, inputs, packed, TRUE, FALSE);
      ink_compute_set_half_math (gpu, FALSE);
      diff = max_difference (half_math, cpu_out, out_n, &scale);
      g_test_message ("conv %d terms: fp16 arithmetic against the fp32 reference, largest "
                      "difference %.2g of %.2g (tolerance %.2g)", terms, diff, scale,
                      tolerance * scale);
      g_assert_cmpfloat (diff, <=, tolerance * scale);
    }
  for (int i = 0; i < s.n; i++)
    g_free (inputs[i]);
  ink_compute_free (&gpu);
  ink_compute_free (&cpu);
}

int
main (int argc, char **argv)
{
  static const char *names[] = { "conv", "copy", "add", "concat", "upsample", "warp", "box",
                                 "guided", "norm" };

  test_engine_init (&argc, &argv, &vk, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/layers/%s/%02zu", names[cases[i].layer], i);
      g_test_add_data_func (path, &cases[i], test_case);
    }
  return test_engine_finish (g_test_run (), &vk, NULL);
}
