/* nn-ref.c: the C references of the network's layers (shaders/nn-*.comp), also the runtime with no
 * Vulkan device: plain C over fp32 planes, split by rows over GLib's thread pool. The convolution
 * is written for speed (8-wide vectors, OCB accumulators held in registers); the rest for clarity. */
#include "nn-layers.h"

#include <math.h>
#include <string.h>

/* Parallel for ---------------------------------------------------------------------------------- */

typedef struct {
  InkRowFunc func;
  gpointer data;
  int n, next;        /* rows, and the next row to take (atomic) */
  int running;        /* workers not yet done (atomic) */
  GMutex lock;
  GCond done;
} ParallelJob;

static void
run_rows (ParallelJob *job)
{
  int row;

  while ((row = g_atomic_int_add (&job->next, 1)) < job->n)
    job->func (row, job->data);
}

static void
worker (gpointer item, gpointer unused)
{
  ParallelJob *job = item;

  (void) unused;
  run_rows (job);
  g_mutex_lock (&job->lock);
  if (g_atomic_int_dec_and_test (&job->running))
    g_cond_signal (&job->done);
  g_mutex_unlock (&job->lock);
}

/* The pool's threads, made at once by its first caller, run at that thread's priority: the
 * editor's workers are niced so the interface stays ahead of them, and their rows must be too.
 * (A shared GLib pool's threads take the priority of whichever thread first made one.) NULL
 * when no thread could be made: the caller then does every row. */
static GThreadPool *
row_pool (void)
{
  static gsize once;
  static GThreadPool *pool;

  if (g_once_init_enter (&once))
    {
      pool = g_thread_pool_new (worker, NULL, MAX (1, (int) g_get_num_processors () - 1), TRUE,
                                NULL);
      g_once_init_leave (&once, 1);
    }
  return pool;
}

void
ink_parallel_rows (int n, InkRowFunc func, gpointer data)
{
  ParallelJob job = { .func = func, .data = data, .n = n };
  GThreadPool *pool = row_pool ();
  int helpers = pool != NULL ? MIN (n - 1, (int) g_thread_pool_get_max_threads (pool)) : 0;

  g_mutex_init (&job.lock);
  g_cond_init (&job.done);
  job.running = MAX (helpers, 0);
  for (int i = 0; i < helpers; i++)
    if (!g_thread_pool_push (pool, &job, NULL))
      g_atomic_int_add (&job.running, -1);
  run_rows (&job);
  g_mutex_lock (&job.lock);
  while (g_atomic_int_get (&job.running) > 0)
    g_cond_wait (&job.done, &job.lock);
  g_mutex_unlock (&job.lock);
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.done);
}

/* Activations and borders, as nn-common.glsl --------------------------------------------------- */

static inline float
activate (int act, float v, float alpha)
{
  switch (act)
    {
    case INK_ACT_RELU:
      return v > 0.0f ? v : 0.0f;
    case INK_ACT_LEAKY:
      return v < 0.0f ? v * alpha : v;
    case INK_ACT_TANH:
      return tanhf (v);
    case INK_ACT_SIGMOID:
      return 1.0f / (1.0f + expf (-v));
    default:
      return v;
    }
}

static inline int
reflect_index (int i, int n)
{
  i = i < 0 ? -i : i;
  i = i >= n ? 2 * n - 2 - i : i;
  return CLAMP (i, 0, n - 1);
}

/* Convolution ----------------------------------------------------------------------------------- */

typedef float V8 __attribute__ ((vector_size (32)));

typedef struct {
  const InkConvPush *p;
  const float *src, *wt;
  const float *res;   /* the planes added after the activation (res_off), or NULL */
  float *dst;
  int blocks, span;   /* output-channel blocks; floats in one phase row */
  int vx;             /* 8-wide vectors across an output row */
} ConvJob;

/* One row of one tap set: the OCB accumulators over the row's vectors, from the phase rows
 * ROWS (per input channel and ky: STRIDE rows of SPAN floats, row q holding padded[j S + q]). */
static inline __attribute__ ((always_inline)) void
conv_row_block (const ConvJob *job, const float *rows, const float *w, V8 *out, int ocb)
{
  const InkConvPush *p = job->p;
  int ipg = p->in_c / p->groups, k = p->k, s = p->stride, d = p->dil;

  for (int xv = 0; xv < job->vx; xv++)
    {
      V8 acc[8] = { 0 };
      const float *wp = w;

      for (int i = 0; i < ipg; i++)
        for (int ky = 0; ky < k; ky++)
          {
            const float *r = rows + ((gsize) (i * k + ky) * s) * job->span + 8 * xv;
            for (int kx = 0; kx < k; kx++, wp += ocb)
              {
                int t = kx * d;
                V8 v;
                memcpy (&v, r + (t % s) * job->span + t / s, sizeof v);
                for (int o = 0; o < ocb; o++)
                  acc[o] += wp[o] * v;
              }
          }
      for (int o = 0; o < ocb; o++)
        out[o * job->vx + xv] = acc[o];
    }
}

/* Built twice on x86-64: for AVX2 with FMA and for the baseline, chosen at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define VECTOR_CLONES __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#else
#define VECTOR_CLONES
#endif

VECTOR_CLONES static void
conv_row (int unit, gpointer data)
{
  const ConvJob *job = data;
  const InkConvPush *p = job->p;
  int y = unit / job->blocks, block = p->block0 + unit % job->blocks;
  int ipg = p->in_c / p->groups, opg = p->out_c / p->groups;
  int k = p->k, s = p->stride, d = p->dil, pad = d * (k - 1) / 2, ocb = p->ocb;
  int oc0 = block * ocb, g = oc0 / opg;
  gsize plane = (gsize) p->in_w * p->in_h;
  float *rows = g_new (float, (gsize) ipg * k * s * job->span);
  V8 *acc = g_aligned_alloc ((gsize) ocb * job->vx, sizeof (V8), sizeof (V8));
  const float *w = job->wt + p->w_off + (gsize) (block - p->block0) * (ipg * k * k + 1) * ocb;

  /* The padded input rows this output row reads, split into STRIDE phases. */
  for (int i = 0; i < ipg; i++)
    for (int ky = 0; ky < k; ky++)
      {
        int yi = y * s + ky * d - pad, yr = p->reflect ? reflect_index (yi, p->in_h) : yi;
        gboolean zero = !p->reflect && (yi < 0 || yi >= p->in_h);
        const float *src = zero ? NULL
                           : job->src + p->in_off + (g * ipg + i) * plane + (gsize) yr * p->in_w;
        float *r = rows + ((gsize) (i * k + ky) * s) * job->span;

        for (int q = 0; q < s; q++)
          for (int j = 0; j < job->span; j++)
            {
              int xi = j * s + q - pad;
              float v = 0.0f;
              if (p->reflect)
                v = src[reflect_index (xi, p->in_w)];
              else if (!zero && xi >= 0 && xi < p->in_w)
                v = src[xi];
              r[q * job->span + j] = v;
            }
      }

  switch (ocb)
    {
    case 8: conv_row_block (job, rows, w, acc, 8); break;
    case 4: conv_row_block (job, rows, w, acc, 4); break;
    case 2: conv_row_block (job, rows, w, acc, 2); break;
    default: conv_row_block (job, rows, w, acc, 1); break;
    }

  for (int o = 0; o < ocb && oc0 + o < p->out_c; o++)
    {
      const float *a = (const float *) (acc + o * job->vx);
      float bias = p->bias ? w[(gsize) ipg * k * k * ocb + o] : 0.0f;
      gsize at = ((gsize) (oc0 + o) * p->out_h + y) * p->out_w;
      float *dst = job->dst + p->out_off + at;
      for (int x = 0; x < p->out_w; x++)
        dst[x] = activate (p->act, a[x] + bias, p->alpha);
      if (job->res != NULL)
        for (int x = 0; x < p->out_w; x++)
          dst[x] += job->res[p->res_off + at + x];
    }
  g_aligned_free (acc);
  g_free (rows);
}

void
ink_nn_ref_conv (const void *const *inputs, void *output, const void *push)
{
  const InkConvPush *p = push;
  ConvJob job = { .p = p, .src = inputs[0], .wt = inputs[1], .dst = output,
                  .res = p->res_off >= 0 ? inputs[2] : NULL };

  /* Blocks BLOCK0 to the last (the device may split a layer's blocks among dispatches). */
  job.blocks = (p->out_c + p->ocb - 1) / p->ocb - p->block0;
  job.vx = (p->out_w + 7) / 8;
  job.span = job.vx * 8 + (p->k - 1) * p->dil / p->stride + 1;
  ink_parallel_rows (p->out_h * job.blocks, conv_row, &job);
}

/* C planes of PLANE values from texels of 4 channels at PACKED (ink_nn_ref_pack's layout). */
static float *
unpack4 (const float *packed, int c, gsize plane)
{
  float *planes = g_new (float, MAX ((gsize) c * plane, 1));

  for (int ch = 0; ch < c; ch++)
    for (gsize i = 0; i < plane; i++)
      planes[ch * plane + i] = packed[((ch / 4) * plane + i) * 4 + ch % 4];
  return planes;
}

void
ink_nn_ref_conv_packed (const void *const *inputs, void *output, const void *push)
{
  InkConvPush p = *(const InkConvPush *) push;
  g_autofree float *planes = unpack4 ((const float *) inputs[0] + (gsize) p.in_off * 4, p.in_c,
                                      (gsize) p.in_w * p.in_h);
  const void *in[] = { planes, inputs[1], p.res_off >= 0 ? inputs[2] : NULL };

  p.in_off = 0;
  ink_nn_ref_conv (in, output, &p);
}

void
ink_nn_ref_conv_packed_out (const void *const *inputs, void *output, const void *push)
{
  InkConvPush p = *(const InkConvPush *) push;
  gsize plane = (gsize) p.out_w * p.out_h;
  g_autofree float *planes = g_new0 (float, p.out_c * plane);
  g_autofree float *res = NULL;
  InkPackPush pack = { .plane = plane, .c = p.out_c };
  float *dst = (float *) output + (gsize) p.out_off * 4;   /* out_off in texels */

  /* The residual comes packed as well (the -po-add variants). */
  if (p.res_off >= 0)
    res = unpack4 ((const float *) inputs[2] + (gsize) p.res_off * 4, p.out_c, plane);
  p.out_off = 0;
  p.res_off = res != NULL ? 0 : -1;
  ink_nn_ref_conv_packed ((const void *[]) { inputs[0], inputs[1], res }, planes, &p);
  ink_nn_ref_pack ((const void *[]) { planes }, dst, &pack);
}

void
ink_nn_ref_pack (const void *const *inputs, void *output, const void *push)
{
  const InkPackPush *p = push;
  const float *src = (const float *) inputs[0] + p->in_off;
  float *dst = output;

  for (int c4 = 0; c4 < (p->c + 3) / 4; c4++)
    for (gint32 i = 0; i < p->plane; i++)
      for (int k = 0; k < 4; k++)
        {
          int c = c4 * 4 + k;
          dst[((gsize) c4 * p->plane + i) * 4 + k] = c < p->c ? src[(gsize) c * p->plane + i] : 0.0f;
        }
}

/* Element-wise ---------------------------------------------------------------------------------- */

typedef struct {
  const InkEltPush *p;
  const float *a, *b;
  float *dst;
} EltJob;

static void
eltwise_plane (int ch, gpointer data)
{
  const EltJob *job = data;
  const InkEltPush *p = job->p;
  gsize n = (gsize) p->c * p->plane;
  const float *a = job->a + p->a_off, *b = job->b + p->b_off;
  float *dst = job->dst + p->out_off;

  for (gsize i = (gsize) ch * p->plane; i < (gsize) (ch + 1) * p->plane; i++)
    {
      gsize g = p->guide_c == 1 ? i % p->plane : i;
      switch (p->op)
        {
        case INK_ELT_COPY:
          dst[i] = activate (p->act, a[i], p->alpha);
          break;
        case INK_ELT_ADD:
          dst[i] = activate (p->act, a[i] + b[i], p->alpha);
          break;
        case INK_ELT_GUIDED_PRODUCTS:
          dst[i] = a[g];
          dst[n + i] = b[i];
          dst[2 * n + i] = a[g] * a[g];
          dst[3 * n + i] = a[g] * b[i];
          break;
        case INK_ELT_GUIDED_COEFFICIENTS:
          {
            float m_i = a[i], m_p = a[n + i], m_ii = a[2 * n + i], m_ip = a[3 * n + i];
            float coef = (m_ip - m_i * m_p) / (m_ii - m_i * m_i + p->eps);
            dst[i] = coef;
            dst[n + i] = m_p - coef * m_i;
          }
          break;
        default:
          dst[i] = a[i] * b[g] + a[n + i];
          break;
        }
    }
}

void
ink_nn_ref_eltwise (const void *const *inputs, void *output, const void *push)
{
  const InkEltPush *p = push;
  EltJob job = { .p = p, .a = inputs[0], .b = inputs[1], .dst = output };

  ink_parallel_rows (p->c, eltwise_plane, &job);
}

/* Upsampling, warping, box filter --------------------------------------------------------------- */

typedef struct {
  const void *p;
  const float *src, *aux;
  float *dst;
} PlaneJob;

static float
bilinear (const float *plane, int w, int h, float sx, float sy)
{
  int x0 = (int) sx, y0 = (int) sy, x1 = MIN (x0 + 1, w - 1), y1 = MIN (y0 + 1, h - 1);
  float fx = sx - x0, fy = sy - y0;
  float top = plane[y0 * w + x0] + (plane[y0 * w + x1] - plane[y0 * w + x0]) * fx;
  float bottom = plane[y1 * w + x0] + (plane[y1 * w + x1] - plane[y1 * w + x0]) * fx;
  return top + (bottom - top) * fy;
}

static void
resample_row (int row, gpointer data)
{
  const PlaneJob *job = data;
  const InkResamplePush *p = job->p;
  int ow = 2 * p->in_w, oh = 2 * p->in_h, ch = row / oh, y = row % oh;
  const float *plane = job->src + p->in_off + (gsize) ch * p->in_w * p->in_h;
  float *dst = job->dst + p->out_off + ((gsize) ch * oh + y) * ow;

  for (int x = 0; x < ow; x++)
    {
      dst[x] = !p->bilinear ? plane[(y / 2) * p->in_w + x / 2]
               : bilinear (plane, p->in_w, p->in_h, MAX ((x + 0.5f) * 0.5f - 0.5f, 0.0f),
                           MAX ((y + 0.5f) * 0.5f - 0.5f, 0.0f));
      if (p->add_off >= 0)
        dst[x] += job->aux[p->add_off + ((gsize) ch * oh + y) * ow + x];
    }
}

void
ink_nn_ref_resample (const void *const *inputs, void *output, const void *push)
{
  const InkResamplePush *p = push;
  PlaneJob job = { .p = p, .src = inputs[0], .aux = inputs[1], .dst = output };

  ink_parallel_rows (p->c * 2 * p->in_h, resample_row, &job);
}

static void
warp_row (int row, gpointer data)
{
  const PlaneJob *job = data;
  const InkWarpPush *p = job->p;
  int ch = row / p->h, y = row % p->h;
  gsize plane = (gsize) p->w * p->h;
  const float *src = job->src + p->in_off + ch * plane;
  const float *fx = job->aux + p->flow_off + (gsize) y * p->w, *fy = fx + plane;
  float *dst = job->dst + p->out_off + ch * plane + (gsize) y * p->w;

  for (int x = 0; x < p->w; x++)
    dst[x] = bilinear (src, p->w, p->h, CLAMP (x + fx[x], 0.0f, p->w - 1.0f),
                       CLAMP (y + fy[x], 0.0f, p->h - 1.0f));
}

void
ink_nn_ref_resample_packed (const void *const *inputs, void *output, const void *push)
{
  InkResamplePush p = *(const InkResamplePush *) push;
  gsize plane = (gsize) p.in_w * p.in_h, out_plane = 4 * plane;
  g_autofree float *in = unpack4 ((const float *) inputs[0] + (gsize) p.in_off * 4, p.c, plane);
  g_autofree float *add = NULL;
  g_autofree float *planes = g_new (float, p.c * out_plane);
  InkPackPush pack = { .plane = out_plane, .c = p.c };
  float *dst = (float *) output + (gsize) p.out_off * 4;   /* offsets in texels */

  if (p.add_off >= 0)
    add = unpack4 ((const float *) inputs[1] + (gsize) p.add_off * 4, p.c, out_plane);
  p.in_off = p.out_off = 0;
  p.add_off = add != NULL ? 0 : -1;
  ink_nn_ref_resample ((const void *[]) { in, add }, planes, &p);
  ink_nn_ref_pack ((const void *[]) { planes }, dst, &pack);
}

void
ink_nn_ref_warp (const void *const *inputs, void *output, const void *push)
{
  const InkWarpPush *p = push;
  PlaneJob job = { .p = p, .src = inputs[0], .aux = inputs[1], .dst = output };

  ink_parallel_rows (p->c * p->h, warp_row, &job);
}

void
ink_nn_ref_warp_packed (const void *const *inputs, void *output, const void *push)
{
  InkWarpPush p = *(const InkWarpPush *) push;
  gsize plane = (gsize) p.w * p.h;
  g_autofree float *in = unpack4 ((const float *) inputs[0] + (gsize) p.in_off * 4, p.c, plane);
  g_autofree float *planes = g_new (float, p.c * plane);
  InkPackPush pack = { .plane = plane, .c = p.c };
  float *dst = (float *) output + (gsize) p.out_off * 4;   /* offsets in texels */

  p.in_off = p.out_off = 0;
  ink_nn_ref_warp ((const void *[]) { in, inputs[1] }, planes, &p);
  ink_nn_ref_pack ((const void *[]) { planes }, dst, &pack);
}

static void
box_row (int row, gpointer data)
{
  const PlaneJob *job = data;
  const InkBoxPush *p = job->p;
  int ch = row / p->h, y = row % p->h;
  gsize at = (gsize) ch * p->w * p->h + (gsize) y * p->w;
  const float *src = job->src + p->in_off + at;
  float *dst = job->dst + p->out_off + at;

  for (int x = 0; x < p->w; x++)
    {
      int pos = p->vertical ? y : x, len = p->vertical ? p->h : p->w;
      int step = p->vertical ? p->w : 1;
      int lo = MAX (pos - p->r, 0), hi = MIN (pos + p->r, len - 1);
      float sum = 0.0f;
      for (int i = lo; i <= hi; i++)
        sum += src[x + (gsize) (i - pos) * step];
      dst[x] = sum / (hi - lo + 1);
    }
}

void
ink_nn_ref_box (const void *const *inputs, void *output, const void *push)
{
  const InkBoxPush *p = push;
  PlaneJob job = { .p = p, .src = inputs[0], .dst = output };

  ink_parallel_rows (p->c * p->h, box_row, &job);
}

static void
guided_row (int row, gpointer data)
{
  const PlaneJob *job = data;
  const InkGuidedPush *p = job->p;
  int ch = row / p->h, y = row % p->h;
  gsize plane = (gsize) p->w * p->h;
  const float *g = job->aux + p->guide_off + (p->guide_c == 1 ? 0 : ch) * plane;
  int y0 = MAX (y - p->r, 0), y1 = MIN (y + p->r, p->h - 1);

  for (int x = 0; x < p->w; x++)
    {
      int x0 = MAX (x - p->r, 0), x1 = MIN (x + p->r, p->w - 1);
      float n = (float) ((x1 - x0 + 1) * (y1 - y0 + 1));
      gsize at = (gsize) y * p->w + x;

      if (p->phase == 0)
        {
          const float *in = job->src + p->in_off + ch * plane;
          float s_i = 0.0f, s_p = 0.0f, s_ii = 0.0f, s_ip = 0.0f, m_i, m_p, coef;
          for (int j = y0; j <= y1; j++)
            for (int i = x0; i <= x1; i++)
              {
                float gi = g[(gsize) j * p->w + i], pi = in[(gsize) j * p->w + i];
                s_i += gi, s_p += pi, s_ii += gi * gi, s_ip += gi * pi;
              }
          m_i = s_i / n, m_p = s_p / n;
          coef = (s_ip / n - m_i * m_p) / (s_ii / n - m_i * m_i + p->eps);
          job->dst[p->out_off + ch * plane + at] = coef;
          job->dst[p->out_off + (p->c + ch) * plane + at] = m_p - coef * m_i;
        }
      else
        {
          const float *a = job->src + p->in_off + ch * plane;
          const float *b = job->src + p->in_off + (p->c + ch) * plane;
          float s_a = 0.0f, s_b = 0.0f;
          for (int j = y0; j <= y1; j++)
            for (int i = x0; i <= x1; i++)
              s_a += a[(gsize) j * p->w + i], s_b += b[(gsize) j * p->w + i];
          job->dst[p->out_off + ch * plane + at] = s_a / n * g[at] + s_b / n;
        }
    }
}

/* The guided filter's phase: inputs the guide, then p or the coefficients (nn-guided.comp). */
void
ink_nn_ref_guided (const void *const *inputs, void *output, const void *push)
{
  const InkGuidedPush *p = push;
  PlaneJob job = { .p = p, .aux = inputs[0], .src = inputs[1], .dst = output };

  ink_parallel_rows (p->c * p->h, guided_row, &job);
}

/* Group normalization --------------------------------------------------------------------------- */

void
ink_nn_ref_norm_stats (const void *const *inputs, void *output, const void *push)
{
  const InkNormStatsPush *p = push;
  gsize n = (gsize) (p->c / p->groups) * p->plane;
  float *stats = output;

  for (int g = 0; g < p->groups; g++)
    {
      const float *src = (const float *) inputs[0] + p->in_off + g * n;
      double sum = 0.0, var = 0.0;
      float mean;

      for (gsize i = 0; i < n; i++)
        sum += src[i];
      mean = sum / n;
      for (gsize i = 0; i < n; i++)
        var += (src[i] - mean) * (double) (src[i] - mean);
      stats[2 * g] = mean;
      stats[2 * g + 1] = 1.0 / sqrt (var / n + p->eps);
    }
}

void
ink_nn_ref_norm_apply (const void *const *inputs, void *output, const void *push)
{
  const InkNormApplyPush *p = push;
  const float *src = (const float *) inputs[0] + p->in_off, *stats = inputs[1], *wt = inputs[2];
  float *dst = (float *) output + p->out_off;

  for (int ch = 0; ch < p->c; ch++)
    {
      int g = ch / (p->c / p->groups);
      for (gsize i = (gsize) ch * p->plane; i < (gsize) (ch + 1) * p->plane; i++)
        {
          float v = (src[i] - stats[2 * g]) * stats[2 * g + 1];
          if (p->g_off >= 0)
            v = v * wt[p->g_off + ch] + wt[p->b_off + ch];
          dst[i] = activate (p->act, v, p->alpha);
        }
    }
}
