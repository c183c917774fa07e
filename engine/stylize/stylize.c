/* stylize.c: the stylizer's pass graph: which pass reads and writes which buffer, and the mapping
 * of resolution-independent parameters to pixels. */
#include "stylize.h"

#include <math.h>
#include <string.h>

#include "ink-error.h"
#include "ink-memory.h"
#include "learned.h"
#include "passes.h"
#include "stylize-private.h"

#define LINE_ITERATION 2

/* Smoothing, the structure tensor and the palette work at no more than the reference size: at
 * larger sizes their Gaussians are wider than any detail they keep, so the result is upsampled
 * (bilinear) for the full-size lines, flattening and composite. Preview and export therefore
 * share one smoothing, and the cost of the heavy part stops growing with the image. */
#define WORKING_LONG_EDGE ((int) INK_REFERENCE_LONG_EDGE)

/* The stylizer's buffers, each with one meaning, its grid and its texel size. Buffers whose
 * lives do not overlap share storage, said here rather than by reusing a name: FLATS (flatten's
 * output) and FRAME (a rendered frame) live in DOG's storage once the lines are drawn; LAYER (the
 * flats layer the frames are drawn from) in LAB_UP's. Full size: 8 + 4 x 4 = 24 bytes a pixel
 * (200 MB at 3840x2160); working size (at most 1024 px): 8 + 8 + 3 x 4 = 28 bytes a pixel. */
typedef enum {
  SOURCE,      /* full, rgba16: the photo (its alpha is kept to the end) */
  FLOW,        /* full, 2 x half: the edge tangent field, for the lines */
  LAB_UP,      /* full, lab32: the smoothed image sampled up, for the lines */
  DOG,         /* full, float: the difference of Gaussians across edges */
  LINES,       /* full, float: line response, one of the two layers frames are drawn from */
  FLATS,       /* full, rgba8: flattened colour, before contrast and saturation (shares DOG) */
  LAYER,       /* full, rgba8: the flats layer, the other one frames are drawn from (shares LAB_UP) */
  FRAME,       /* full, rgba8: one rendered frame, downloaded (shares DOG) */
  W_TENSOR,    /* working, 4 x half: the structure tensor */
  W_SCRATCH,   /* working, 8 bytes: the tensor's blur between its passes, or a lab32 plane */
  W_LAB0,      /* working, lab32: OKLab, then a smoothing plane */
  W_LAB1,      /* working, lab32: a smoothing plane */
  W_FLOW,      /* working, 2 x half: the edge tangent field, for the smoothing */
  PALETTE,     /* INK_PALETTE_MAX x vec4: the fitted palette */
  N_BUFFERS
} BufferId;

typedef enum { GRID_FULL, GRID_WORK, GRID_FIXED } Grid;

static const struct {
  const char *name;
  Grid grid;
  gsize bytes;       /* a texel (a pixel of the grid), or the whole buffer for GRID_FIXED */
  BufferId storage;  /* itself, or the buffer whose storage it shares */
} buffer_specs[N_BUFFERS] = {
  [SOURCE] = { "source", GRID_FULL, 8, SOURCE },
  [FLOW] = { "flow", GRID_FULL, 4, FLOW },
  [LAB_UP] = { "lab-up", GRID_FULL, 4, LAB_UP },
  [DOG] = { "dog", GRID_FULL, 4, DOG },
  [LINES] = { "lines", GRID_FULL, 4, LINES },
  [FLATS] = { "flats", GRID_FULL, 4, DOG },
  [LAYER] = { "layer", GRID_FULL, 4, LAB_UP },
  [FRAME] = { "frame", GRID_FULL, 4, DOG },
  [W_TENSOR] = { "work-tensor", GRID_WORK, 8, W_TENSOR },
  [W_SCRATCH] = { "work-scratch", GRID_WORK, 8, W_SCRATCH },
  [W_LAB0] = { "work-lab0", GRID_WORK, 4, W_LAB0 },
  [W_LAB1] = { "work-lab1", GRID_WORK, 4, W_LAB1 },
  [W_FLOW] = { "work-flow", GRID_WORK, 4, W_FLOW },
  [PALETTE] = { "palette", GRID_FIXED, INK_PALETTE_MAX * 16, PALETTE },
};

struct InkStylizer {
  InkCompute *compute;
  InkVkContext *vk;        /* owned when made by ink_stylizer_new_auto */
  gboolean owns_vk;
  InkBuffer *buffers[N_BUFFERS];
  int width, height;       /* full size */
  int work_width, work_height;
  /* How the lines go over the flats, from the last ink_stylizer_make_layers. */
  gboolean has_lines;
  float line_color[3];
  float line_alpha;
  float line_eps, line_phi;  /* the frames' threshold of the line response */
  float line_width;          /* px, about a stroke's width */
  /* A palette kept for every run (a clip's frames share one); fixed_size 0: each run fits its own. */
  float fixed_palette[INK_PALETTE_MAX * 4];
  int fixed_size, fixed_colors;
  InkLearned *learned;     /* the learned generator, made on its first use */
  /* When the layers are the learned generator's, what its loops repaint each moving frame with:
   * the photo as an rgba8 layer, the frame's own flats, and the still's flatten and composite
   * settings (its palette stays in PALETTE). NULL and FALSE otherwise. */
  gboolean learned_layers;
  guint64 layers_made;     /* ink_stylizer_make_layers calls: an InkRepaintCarry's origin */
  InkBuffer *photo8, *moved_layer;
  InkPushFlatten learned_flatten;
  InkPushComposite learned_composite;
};

static const char *const stage_names[INK_STAGE_COUNT] = { "smooth", "flatten", "lines", "composite" };

const char *
ink_stage_name (InkStage stage)
{
  return stage_names[stage];
}

InkStylizer *
ink_stylizer_new (InkVkContext *vk, GError **error)
{
  InkStylizer *s = g_new0 (InkStylizer, 1);

  s->vk = vk;
  s->compute = ink_compute_new (vk, error);
  if (s->compute == NULL)
    {
      g_free (s);
      return NULL;
    }
  return s;
}

InkStylizer *
ink_stylizer_new_auto (const char *device, gboolean validation, char **notice, GError **error)
{
  InkVkContextParams vp = INK_VK_CONTEXT_PARAMS_DEFAULT;
  g_autoptr (GError) local = NULL;
  const char *env = g_getenv ("INKLOOP_DEVICE");
  gboolean asked = (device != NULL && *device) || (env != NULL && *env);
  InkVkContext *vk;
  InkStylizer *s;

  if (notice != NULL)
    *notice = NULL;
  if (g_ascii_strcasecmp (device != NULL && *device ? device : env != NULL ? env : "", "cpu") == 0)
    return ink_stylizer_new (NULL, error);

  vp.device = device;
  vp.validation = validation;
  vk = ink_vk_context_new (&vp, &local);
  if (vk == NULL)
    {
      if (asked || local->code != INK_ERROR_NO_DEVICE)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (notice != NULL)
        *notice = g_strdup_printf ("%s; using the CPU reference path (much slower)",
                                   local->message);
      return ink_stylizer_new (NULL, error);
    }
  s = ink_stylizer_new (vk, error);
  if (s == NULL)
    {
      ink_vk_context_free (&vk);
      return NULL;
    }
  s->owns_vk = TRUE;
  return s;
}

InkVkContext *
ink_stylizer_vk_context (InkStylizer *s)
{
  return s->vk;
}

static void free_buffers (InkStylizer *s);

void
ink_stylizer_free (InkStylizer **ps)
{
  InkStylizer *s = *ps;

  if (s == NULL)
    return;
  free_buffers (s);
  ink_learned_free (&s->learned);
  ink_compute_free (&s->compute);
  if (s->owns_vk)
    ink_vk_context_free (&s->vk);
  g_free (s);
  *ps = NULL;
}

const char *
ink_stylizer_device_name (InkStylizer *s)
{
  return ink_compute_device_name (s->compute);
}

gboolean
ink_stylizer_prepare (InkStylizer *s, GError **error)
{
  /* The slowest to build first, so the two threads finish together. */
  static const InkPass *const passes[] = {
    &ink_pass_frame, &ink_pass_dog, &ink_pass_flatten, &ink_pass_overlay, &ink_pass_bilateral,
    &ink_pass_reduce, &ink_pass_tensor, &ink_pass_gauss, &ink_pass_flow, &ink_pass_upsample,
    &ink_pass_lines, &ink_pass_composite, &ink_pass_velocity, &ink_pass_flowmap,
  };

  return ink_compute_prepare_all (s->compute, passes, G_N_ELEMENTS (passes), error);
}

static void
free_buffers (InkStylizer *s)
{
  ink_buffer_free (&s->photo8);
  ink_buffer_free (&s->moved_layer);
  s->learned_layers = FALSE;
  for (int i = 0; i < N_BUFFERS; i++)
    if ((int) buffer_specs[i].storage == i)
      ink_buffer_free (&s->buffers[i]);
  memset (s->buffers, 0, sizeof s->buffers);
  s->width = s->height = s->work_width = s->work_height = 0;
}

static gboolean
ensure_buffers (InkStylizer *s, int width, int height, GError **error)
{
  int longest = MAX (width, height);
  int ww = width, wh = height;

  if (s->width == width && s->height == height)
    return TRUE;
  free_buffers (s);
  if (longest > WORKING_LONG_EDGE)
    {
      ww = MAX (1, (int) lrint ((double) width * WORKING_LONG_EDGE / longest));
      wh = MAX (1, (int) lrint ((double) height * WORKING_LONG_EDGE / longest));
    }
  for (int i = 0; i < N_BUFFERS; i++)
    {
      gsize texels = buffer_specs[i].grid == GRID_FULL ? (gsize) width * height
                     : buffer_specs[i].grid == GRID_WORK ? (gsize) ww * wh : 1;
      BufferId storage = buffer_specs[i].storage;

      if ((int) storage != i)
        {
          /* Shared storage is declared after its owner and never larger. */
          g_assert ((int) storage < i && buffer_specs[storage].grid == buffer_specs[i].grid
                    && buffer_specs[storage].bytes >= buffer_specs[i].bytes);
          s->buffers[i] = s->buffers[storage];
          continue;
        }
      s->buffers[i] = ink_buffer_new (s->compute, texels * buffer_specs[i].bytes,
                                      buffer_specs[i].name, error);
      if (s->buffers[i] == NULL)
        {
          free_buffers (s);
          return FALSE;
        }
    }
  s->width = width;
  s->height = height;
  s->work_width = ww;
  s->work_height = wh;
  return TRUE;
}

/* Taps each side for a Gaussian of SIGMA px sampled STEP px apart (2 sigma covered). */
static int
taps (float sigma, float step)
{
  return sigma < 0.25f ? 0 : (int) ceilf (2.0f * sigma / step);
}

/* IN1: a second input, or -1. */
static gboolean
dispatch (InkStylizer *s, const InkPass *pass, BufferId in0, int in1, BufferId out,
          const void *push, InkStage stage, GError **error)
{
  InkBuffer *inputs[2] = { s->buffers[in0], in1 >= 0 ? s->buffers[in1] : NULL };

  return ink_compute_dispatch (s->compute, pass, inputs, s->buffers[out], push, stage, error);
}

/* Both bilateral passes of one smoothing iteration, at the working size: FROM -> TMP -> TO. */
static gboolean
smooth_iteration (InkStylizer *s, const InkStyleParams *p, float work_scale, BufferId from,
                  BufferId tmp, BufferId to, GError **error)
{
  InkPushBilateral pb = {
    .width = s->work_width, .height = s->work_height,
    .sigma_d = p->smooth_spatial * work_scale, .step = 1.0f, .sigma_r = p->smooth_range / 100.0f,
  };

  pb.n = taps (pb.sigma_d, 1.0f);
  pb.mode = 0;
  if (!dispatch (s, &ink_pass_bilateral, from, W_FLOW, tmp, &pb, INK_STAGE_SMOOTH, error))
    return FALSE;
  pb.mode = 1;
  return dispatch (s, &ink_pass_bilateral, tmp, W_FLOW, to, &pb, INK_STAGE_SMOOTH, error);
}

static gboolean
upsample (InkStylizer *s, BufferId from, GError **error)
{
  InkPushResample pr = { s->width, s->height, s->work_width, s->work_height };
  return dispatch (s, &ink_pass_upsample, from, -1, LAB_UP, &pr, INK_STAGE_LINES, error);
}

/* The DoG's narrow sigma for LINE_WEIGHT (about half the stroke width); below MIN_LINE_SIGMA px
 * the image cannot show the stroke, which then fades (line_alpha) rather than vanishing. */
#define MIN_LINE_SIGMA 0.4f

static float
line_sigma (const InkStyleParams *p, float scale)
{
  return 0.5f * p->line_weight * scale;
}

/* Lines at full size from the working image IMAGE (upsampled into LAB_UP). */
static gboolean
record_lines (InkStylizer *s, const InkStyleParams *p, float scale, BufferId image,
              GError **error)
{
  InkPushDog pd = {
    .width = s->width, .height = s->height,
    .sigma = MAX (MIN_LINE_SIGMA, line_sigma (p, scale)), .k = 1.6f, .tau = 0.995f,
    .darken = p->mono ? INK_MONO_DARKEN : 0.0f,
  };
  InkPushLines pl = {
    .width = s->width, .height = s->height,
    .sigma = p->line_smoothness * scale, .step = MAX (1.0f, roundf (scale)),
  };

  /* A thin line needs every pixel across it; wider ones are sampled at 1.5 taps a sigma. */
  pd.step = MAX (1.0f, floorf (pd.sigma / 1.5f));
  pd.n = (int) ceilf (2.0f * pd.k * pd.sigma / pd.step);
  pl.n = taps (pl.sigma, pl.step);
  if (!upsample (s, image, error)
      || !dispatch (s, &ink_pass_dog, LAB_UP, FLOW, DOG, &pd, INK_STAGE_LINES, error))
    return FALSE;
  return dispatch (s, &ink_pass_lines, DOG, FLOW, LINES, &pl, INK_STAGE_LINES, error);
}

/* Records the stylization into the layers: the flats in LAYER, the line response in LINES. */
/* LEARNED: the learned generator's working-size colour (lab32), which the flats are then made
 * from instead of the smoothing; NULL for the procedural generator. */
/* FIT_FROM: the image the palette is fitted to, while the device smooths and draws the lines (the
 * first part runs as the host fits it); NULL: PALETTE (PALETTE_SIZE colours) is given. */
static gboolean
record (InkStylizer *s, const InkImage *src, const InkStyleParams *p, const InkImage *fit_from,
        float *palette, int palette_size, const guint32 *learned, InkStylizeStats *stats,
        GError **error)
{
  /* The three working lab32 planes the smoothing rotates through. */
  static const BufferId planes[3] = { W_LAB0, W_LAB1, W_SCRATCH };
  float scale = ink_style_scale (s->width, s->height);
  float work_scale = ink_style_scale (s->work_width, s->work_height);
  gboolean lines = p->line_weight > 0.0f;
  InkPushSize ps = { .width = s->work_width, .height = s->work_height };
  InkPushResample reduce = { s->work_width, s->work_height, s->width, s->height };
  InkPushResample flow_work = { s->work_width, s->work_height, s->work_width, s->work_height };
  InkPushResample flow_full = { s->width, s->height, s->work_width, s->work_height };
  InkPushGauss pg = {
    .width = s->work_width, .height = s->work_height, .sigma = p->structure_scale * work_scale,
    .step = 1.0f,
  };
  InkPushFlatten pf = {
    .width = s->width, .height = s->height, .src_width = s->work_width,
    .src_height = s->work_height, .tones = p->cel_tones,
    .flatten = p->flatten, .softness = 0.02f, .cel_amount = p->cel_amount, .cel_step = 0.09f,
  };
  InkPushComposite pc = {
    .width = s->width, .height = s->height, .mono = p->mono,
    .saturation = p->saturation, .contrast = p->contrast, .screentone = p->screentone,
    .tone_cell = MAX (2.5f, p->tone_size * scale),
  };
  gsize n = (gsize) s->width * s->height;
  gsize work_n = (gsize) s->work_width * s->work_height;
  /* The learned generator's flats need the smoothing only for the lines. */
  int passes = learned == NULL ? p->smooth_passes
               : lines ? MIN (p->smooth_passes, LINE_ITERATION) : 0;
  InkBuffer *painted = NULL;
  gint64 t0;
  int image = 0;   /* index into planes */

  pg.n = taps (pg.sigma, 1.0f);
  if (!ink_compute_begin (s->compute, error))
    return FALSE;

  t0 = g_get_monotonic_time ();
  if (!ink_compute_upload (s->compute, s->buffers[SOURCE], src->pixels, n * 8, error))
    return FALSE;
  if (learned != NULL
      && ((painted = ink_compute_scratch (s->compute, work_n * 4, "learned", error)) == NULL
          || !ink_compute_upload (s->compute, painted, learned, work_n * 4, error)))
    return FALSE;
  stats->upload_ms = (g_get_monotonic_time () - t0) / 1000.0;

  /* Stage 1 at the working size: OKLab, the tensor (blurred through SCRATCH) and its flow, the
   * bilateral iterations. The flow is also sampled up to full size for the lines. */
  pg.dx = 1, pg.dy = 0;
  if (!dispatch (s, &ink_pass_reduce, SOURCE, -1, W_LAB0, &reduce, INK_STAGE_SMOOTH, error)
      || !dispatch (s, &ink_pass_tensor, W_LAB0, -1, W_TENSOR, &ps, INK_STAGE_SMOOTH, error)
      || !dispatch (s, &ink_pass_gauss, W_TENSOR, -1, W_SCRATCH, &pg, INK_STAGE_SMOOTH, error))
    return FALSE;
  pg.dx = 0, pg.dy = 1;
  if (!dispatch (s, &ink_pass_gauss, W_SCRATCH, -1, W_TENSOR, &pg, INK_STAGE_SMOOTH, error)
      || !dispatch (s, &ink_pass_flow, W_TENSOR, -1, W_FLOW, &flow_work, INK_STAGE_SMOOTH, error)
      || (lines && !dispatch (s, &ink_pass_flow, W_TENSOR, -1, FLOW, &flow_full,
                              INK_STAGE_LINES, error)))
    return FALSE;

  /* The lines see the image after LINE_ITERATION smoothing iterations (fewer speckles in fur and
   * wood grain than after one), the flats after all of them. */
  for (int k = 0; k < passes; k++)
    {
      if (!smooth_iteration (s, p, work_scale, planes[image], planes[(image + 1) % 3],
                             planes[(image + 2) % 3], error))
        return FALSE;
      image = (image + 2) % 3;
      if (k == MIN (LINE_ITERATION, passes) - 1 && lines
          && !record_lines (s, p, scale, planes[image], error))
        return FALSE;
    }
  if (passes == 0 && lines && !record_lines (s, p, scale, planes[image], error))
    return FALSE;

  /* The palette: fitted on the host while the device runs what is recorded so far (no pass
   * before the flattening reads PALETTE). */
  if (fit_from != NULL)
    {
      gint64 t1;

      if (!ink_compute_submit (s->compute, error))
        return FALSE;
      t1 = g_get_monotonic_time ();
      palette_size = ink_palette_fit (fit_from, p->colors, palette);
      stats->stage_ms[INK_STAGE_FLATTEN] += (g_get_monotonic_time () - t1) / 1000.0;
    }
  pf.colors = palette_size;
  if (!ink_compute_upload (s->compute, s->buffers[PALETTE], palette, palette_size * 16, error))
    return FALSE;

  /* Stage 2 at full size (reading the working image bilinearly); stage 4, the flats layer. */
  if (!ink_compute_dispatch (s->compute, &ink_pass_flatten,
                             (InkBuffer *[]) { painted != NULL ? painted
                                                               : s->buffers[planes[image]],
                                               s->buffers[PALETTE] },
                             s->buffers[FLATS], &pf, INK_STAGE_FLATTEN, error)
      || !dispatch (s, &ink_pass_composite, FLATS, SOURCE, LAYER, &pc, INK_STAGE_COMPOSITE, error))
    return FALSE;
  s->has_lines = lines;
  s->learned_flatten = pf;
  s->learned_composite = pc;
  memcpy (s->line_color, p->line_color, sizeof s->line_color);
  s->line_alpha = MIN (1.0f, line_sigma (p, scale) / MIN_LINE_SIGMA);
  s->line_eps = -(0.012f - 0.011f * p->line_sensitivity);
  s->line_phi = 200.0f;
  s->line_width = 2.0f * MAX (MIN_LINE_SIGMA, line_sigma (p, scale));
  return ink_compute_finish (s->compute, error);
}

/* The photo as an rgba8 layer (and room for a frame's own flats), for the learned generator's
 * loops: the frame pass moves it as it moves the flats. */
static gboolean
upload_photo8 (InkStylizer *s, const InkImage *src, GError **error)
{
  gsize n = (gsize) s->width * s->height;
  g_autofree guint32 *rgba8 = g_try_new (guint32, n);

  if (rgba8 == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                   "out of memory for a %dx%d image; try a smaller --size", s->width, s->height);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      const guint16 *p = src->pixels + 4 * i;
      rgba8[i] = (guint32) ((p[0] + 128) / 257) | (guint32) ((p[1] + 128) / 257) << 8
                 | (guint32) ((p[2] + 128) / 257) << 16 | (guint32) ((p[3] + 128) / 257) << 24;
    }
  if ((s->photo8 == NULL
       && (s->photo8 = ink_buffer_new (s->compute, n * 4, "photo8", error)) == NULL)
      || (s->moved_layer == NULL
          && (s->moved_layer = ink_buffer_new (s->compute, n * 4, "moved layer", error)) == NULL))
    return FALSE;
  return ink_compute_begin (s->compute, error)
         && ink_compute_upload (s->compute, s->photo8, rgba8, n * 4, error)
         && ink_compute_finish (s->compute, error);
}

static void
add_timings (InkStylizer *s, InkStylizeStats *stats)
{
  const GArray *timings = ink_compute_timings (s->compute);

  for (guint i = 0; i < timings->len; i++)
    {
      const InkTiming *t = &g_array_index (timings, InkTiming, i);
      if (t->tag >= 0 && t->tag < INK_STAGE_COUNT)
        stats->stage_ms[t->tag] += t->ms;
    }
}

gboolean
ink_stylizer_make_layers (InkStylizer *s, const InkImage *src, const InkStyleParams *params,
                          InkStylizeStats *stats, GError **error)
{
  float palette[INK_PALETTE_MAX * 4];
  int palette_size;
  const guint32 *learned = NULL;
  const InkImage *painted = src, *fit_from = NULL;

  memset (stats, 0, sizeof *stats);
  s->layers_made++;
  if (!ink_style_params_validate (params, error)
      || !ensure_buffers (s, src->width, src->height, error))
    return FALSE;
  if (params->generator == INK_GENERATOR_LEARNED)
    {
      if (s->learned == NULL)
        s->learned = ink_learned_new ();
      if (!ink_learned_paint (s->learned, s->compute, src, s->work_width, s->work_height, TRUE,
                              &learned, &painted, &stats->stage_ms[INK_STAGE_SMOOTH], error))
        return FALSE;
    }
  palette_size = 0;
  if (s->fixed_size > 0 && s->fixed_colors == params->colors)
    {
      palette_size = s->fixed_size;
      memcpy (palette, s->fixed_palette, sizeof palette);
    }
  else  /* fitted in record (); the learned generator's to its own colours */
    fit_from = painted;
  s->has_lines = FALSE;
  s->learned_layers = FALSE;
  if (!record (s, src, params, fit_from, palette, palette_size, learned, stats, error))
    return FALSE;
  if (learned != NULL && !upload_photo8 (s, src, error))
    return FALSE;
  s->learned_layers = learned != NULL;
  add_timings (s, stats);
  return TRUE;
}

void
ink_stylizer_fix_palette (InkStylizer *s, const InkImage *image, int colors)
{
  s->fixed_size = 0;
  if (image == NULL)
    return;
  s->fixed_size = ink_palette_fit (image, colors, s->fixed_palette);
  s->fixed_colors = colors;
}

InkCompute *
ink_stylizer_get_compute (InkStylizer *s)
{
  return s->compute;
}

void
ink_stylizer_get_sizes (InkStylizer *s, int *width, int *height, int *work_width,
                        int *work_height)
{
  *width = s->width, *height = s->height;
  *work_width = s->work_width, *work_height = s->work_height;
}

void
ink_stylizer_frame_defaults (InkStylizer *s, InkPushFrame *frame)
{
  *frame = (InkPushFrame) {
    .width = s->width, .height = s->height,
    .work_width = s->work_width, .work_height = s->work_height,
    .frame = 0, .frames = 1, .substeps = 8,
    .m00 = 1.0f, .m11 = 1.0f,
    .layers = s->has_lines ? INK_FRAME_LINES : 0,
    .line_r = s->line_color[0], .line_g = s->line_color[1], .line_b = s->line_color[2],
    .line_alpha = s->line_alpha, .line_eps = s->line_eps, .line_phi = s->line_phi,
    .line_width = MAX (s->line_width, 0.8f),
  };
}

/* Records the frame pass from the flats LAYER and the lines (and the overlay) into FRAME, and its
 * download into RGBA8. */
static gboolean
record_frame (InkStylizer *s, InkBuffer *layer, const InkPushFrame *frame,
              InkBuffer *const motion[3], const InkPushOverlay *overlay, guint32 *rgba8,
              GError **error)
{
  /* Unused bindings get a layer, which the pass then does not read. */
  InkBuffer *inputs[5] = { layer, s->buffers[LINES], s->buffers[LINES], s->buffers[LINES],
                           s->buffers[LINES] };

  for (int k = 0; k < 3; k++)
    if (motion != NULL && motion[k] != NULL)
      inputs[2 + k] = motion[k];
  g_return_val_if_fail ((motion != NULL && motion[0] != NULL)
                        || (!frame->flow_on && frame->sway_sx == 0.0f && frame->sway_sy == 0.0f),
                        FALSE);
  g_return_val_if_fail (!frame->flow_on || (motion[1] != NULL && motion[2] != NULL), FALSE);
  return ink_compute_dispatch (s->compute, &ink_pass_frame, inputs, s->buffers[FRAME], frame,
                               INK_STAGE_COMPOSITE, error)
         && (overlay == NULL
             || ink_compute_dispatch (s->compute, &ink_pass_overlay, NULL, s->buffers[FRAME],
                                      overlay, INK_STAGE_COMPOSITE, error))
         && ink_compute_download (s->compute, s->buffers[FRAME], rgba8,
                                  (gsize) s->width * s->height * 4, error);
}

static double
device_time (InkStylizer *s)
{
  const GArray *timings = ink_compute_timings (s->compute);
  double ms = 0.0;

  for (guint i = 0; i < timings->len; i++)
    ms += g_array_index (timings, InkTiming, i).ms;
  return ms;
}

gboolean
ink_stylizer_render_frame (InkStylizer *s, const InkPushFrame *frame, InkBuffer *const motion[3],
                           const InkPushOverlay *overlay, guint32 *rgba8, double *device_ms,
                           GError **error)
{
  if (!ink_compute_begin (s->compute, error)
      || !record_frame (s, s->buffers[LAYER], frame, motion, overlay, rgba8, error)
      || !ink_compute_finish (s->compute, error))
    return FALSE;
  *device_ms = device_time (s);
  return TRUE;
}

gboolean
ink_stylizer_has_learned_layers (InkStylizer *s)
{
  return s->learned_layers;
}

/* Frame FRAME's pass over the photo layer into RGBA8: the photo as the frame moves the flats (no
 * lines, no boil: those move only ink), or with POSITIONS each pixel's displacement. */
static gboolean
move_photo (InkStylizer *s, const InkPushFrame *frame, InkBuffer *const motion[3],
            gboolean positions, guint32 *rgba8, double *device_ms, GError **error)
{
  InkPushFrame moved = *frame;

  moved.layers = positions ? INK_FRAME_POSITIONS : 0;
  moved.boil_amp = 0.0f;
  if (!ink_compute_begin (s->compute, error)
      || !record_frame (s, s->photo8, &moved, motion, NULL, rgba8, error)
      || !ink_compute_finish (s->compute, error))
    return FALSE;
  *device_ms += device_time (s);
  return TRUE;
}

void
ink_repaint_carry_clear (InkRepaintCarry *carry)
{
  g_clear_pointer (&carry->photo, g_free);
  g_clear_pointer (&carry->disp, g_free);
  carry->valid = FALSE;
}

gboolean
ink_stylizer_render_repainted (InkStylizer *s, const InkPushFrame *frame,
                               InkBuffer *const motion[3], const InkPushFrame *prev,
                               InkBuffer *const prev_motion[3], const InkPushOverlay *overlay,
                               InkRepaintCarry *carry, guint32 *rgba8, double *device_ms,
                               GError **error)
{
  InkPushFrame shown = *frame;
  gsize n = (gsize) s->width * s->height, work_n = (gsize) s->work_width * s->work_height;
  const guint32 *lab;
  const InkImage *painted;
  InkImage *photo = NULL, *prev_photo = NULL;
  g_autofree guint32 *disp = NULL, *prev_disp = NULL;
  InkBuffer *scratch, *moved;
  double network_ms;
  gboolean ok, temporal = FALSE, held;

  g_return_val_if_fail (s->learned_layers && s->learned != NULL, FALSE);
  *device_ms = 0.0;
  /* Whether CARRY holds the frame before's: from the same layers, and said so by the caller. */
  held = carry != NULL && carry->valid && carry->layers == s->layers_made && prev != NULL;
  if (carry != NULL)
    carry->valid = FALSE;   /* until it holds this frame's */
  if (prev != NULL && !ink_learned_is_temporal (s->learned, s->compute, &temporal, error))
    return FALSE;
  if (temporal)
    {
      /* The frame before, moved, and both frames' displacements: the temporal layer's input
       * and the motion between them. The frame before's come from CARRY when the frames are
       * painted in order (the last one moved them); otherwise the photo is moved again. */
      disp = g_try_new (guint32, n);
      prev_disp = g_try_new (guint32, n);
      if (disp == NULL || prev_disp == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                       "out of memory for a %dx%d frame", s->width, s->height);
          return FALSE;
        }
      /* Sized for these layers (others may be another size); without the memory, the frame is
       * painted all the same, and the next one moves its frame before again. */
      if (carry != NULL && carry->layers != s->layers_made)
        ink_repaint_carry_clear (carry);
      if (carry != NULL && carry->photo == NULL)
        carry->photo = g_try_new (guint32, n);
      if (carry != NULL && carry->disp == NULL)
        carry->disp = g_try_new (guint32, n);
      if (carry != NULL && (carry->photo == NULL || carry->disp == NULL))
        {
          ink_repaint_carry_clear (carry);
          carry = NULL;
          held = FALSE;
        }
      if (held)
        {
          memcpy (rgba8, carry->photo, n * 4);
          memcpy (prev_disp, carry->disp, n * 4);
        }
      else if (!move_photo (s, prev, prev_motion, FALSE, rgba8, device_ms, error)
               || !move_photo (s, prev, prev_motion, TRUE, prev_disp, device_ms, error))
        return FALSE;
      if (!move_photo (s, frame, motion, TRUE, disp, device_ms, error))
        return FALSE;
      prev_photo = ink_image_from_rgba8 (rgba8, s->width, s->height, FALSE, error);
      if (prev_photo == NULL)
        return FALSE;
    }
  if (!move_photo (s, frame, motion, FALSE, rgba8, device_ms, error))
    {
      ink_image_free (&prev_photo);
      return FALSE;
    }
  if (temporal && carry != NULL)
    {
      memcpy (carry->photo, rgba8, n * 4);
      memcpy (carry->disp, disp, n * 4);
      carry->layers = s->layers_made;
    }
  photo = ink_image_from_rgba8 (rgba8, s->width, s->height, TRUE, error);
  if (photo == NULL)
    {
      ink_image_free (&prev_photo);
      return FALSE;
    }
  ok = ink_learned_paint_frame (s->learned, s->compute, photo, prev_photo, disp, prev_disp,
                                s->work_width, s->work_height, &lab, &painted, &network_ms,
                                error);
  ink_image_free (&prev_photo);
  if (!ok)
    {
      ink_image_free (&photo);
      return FALSE;
    }
  *device_ms += network_ms;

  /* Its flats with the still's palette and settings, shown in place under the moving lines. */
  /* The composite takes its alpha from the moved photo, so transparency moves with it. */
  shown.layers |= INK_FRAME_FLATS_IN_PLACE;
  ok = ink_compute_begin (s->compute, error)
       && (scratch = ink_compute_scratch (s->compute, work_n * 4, "learned", error)) != NULL
       && ink_compute_upload (s->compute, scratch, lab, work_n * 4, error)
       && (moved = ink_compute_scratch (s->compute, n * 8, "moved photo", error)) != NULL
       && ink_compute_upload (s->compute, moved, photo->pixels, n * 8, error);
  ink_image_free (&photo);
  if (!ok
      || !ink_compute_dispatch (s->compute, &ink_pass_flatten,
                                (InkBuffer *[]) { scratch, s->buffers[PALETTE] },
                                s->buffers[FLATS], &s->learned_flatten, INK_STAGE_FLATTEN, error)
      || !ink_compute_dispatch (s->compute, &ink_pass_composite,
                                (InkBuffer *[]) { s->buffers[FLATS], moved },
                                s->moved_layer, &s->learned_composite, INK_STAGE_COMPOSITE,
                                error)
      || !record_frame (s, s->moved_layer, &shown, motion, overlay, rgba8, error)
      || !ink_compute_finish (s->compute, error))
    return FALSE;
  *device_ms += device_time (s);
  if (temporal && carry != NULL)
    carry->valid = TRUE;
  return TRUE;
}

/* 8-bit RGBA -> InkImage (16 bits, v * 257); NULL and ERROR when the memory cannot be had. */
InkImage *
ink_image_from_rgba8 (const guint32 *rgba8, int width, int height, gboolean has_alpha,
                      GError **error)
{
  InkImage *out = ink_image_try_new (width, height, error);
  gsize n = (gsize) width * height;

  if (out == NULL)
    return NULL;
  out->has_alpha = has_alpha;
  for (gsize i = 0; i < n; i++)
    {
      guint32 v = rgba8[i];
      guint16 *d = out->pixels + 4 * i;
      d[0] = (v & 0xff) * 257;
      d[1] = ((v >> 8) & 0xff) * 257;
      d[2] = ((v >> 16) & 0xff) * 257;
      d[3] = (v >> 24) * 257;
    }
  return out;
}

InkImage *
ink_stylizer_run (InkStylizer *s, const InkImage *src, const InkStyleParams *params,
                  InkStylizeStats *stats_out, GError **error)
{
  InkStylizeStats stats;
  InkPushFrame frame;
  guint32 *rgba8 = NULL;
  gint64 t0 = g_get_monotonic_time (), t1;
  double frame_ms;
  InkImage *out;

  if (!ink_stylizer_make_layers (s, src, params, &stats, error))
    return NULL;
  rgba8 = ink_alloc_large ((gsize) src->width * src->height * 4);
  if (rgba8 == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                   "out of memory for a %dx%d image; try a smaller --size", src->width, src->height);
      return NULL;
    }
  /* The still is the loop's frame with no motion: the same pass draws both, so a loop with
   * motion strength 0 is this still, bit for bit. */
  ink_stylizer_frame_defaults (s, &frame);
  if (!ink_stylizer_render_frame (s, &frame, NULL, NULL, rgba8, &frame_ms, error))
    {
      ink_free_large (rgba8);
      return NULL;
    }
  stats.stage_ms[INK_STAGE_COMPOSITE] += frame_ms;

  t1 = g_get_monotonic_time ();
  out = ink_image_from_rgba8 (rgba8, src->width, src->height, src->has_alpha, error);
  ink_free_large (rgba8);
  if (out == NULL)
    return NULL;
  stats.download_ms = (g_get_monotonic_time () - t1) / 1000.0;
  stats.device_ms = 0.0;
  for (int k = 0; k < INK_STAGE_COUNT; k++)
    stats.device_ms += stats.stage_ms[k];
  stats.total_ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (stats_out != NULL)
    *stats_out = stats;
  return out;
}
