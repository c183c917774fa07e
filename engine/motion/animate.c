/* animate.c: the animator: the velocity field from the hints, and per frame the camera path, the
 * line boil's drawing, the flow's scale and the overlays, rendered from the stylizer's layers. */
#include "animate.h"

#include <math.h>
#include <string.h>

#include "ink-error.h"
#include "stylize-private.h"

#define TAU 6.28318530718

/* Line boil: displacement amplitude and noise cell, px at the reference size (REFERENCES.md: at
 * 1920 px about 0.002 x width and 23 px cells). */
#define BOIL_AMPLITUDE 2.0f
#define BOIL_CELL 12.0f
/* The flow's position maps (flowmap.comp): a frame's warps come from MAPS backward maps, each
 * MAP_SPAN = frames / MAPS frames further back, and the loop's forward map; what is left of the
 * way back (less than a span) is integrated per pixel, a substep per FRAME_STEP frames at most;
 * the maps are integrated a substep per MAP_STEP frames. */
#define MAX_MAPS 16
#define MAP_STEP 0.75f
#define FRAME_STEP 1.5f

struct InkAnimation {
  InkStylizer *stylizer;
  InkMotionParams motion;
  int width, height, work_width, work_height;
  gboolean has_alpha;
  gboolean flow_on, sway_on;
  InkBuffer *velocity;     /* working size, 2 x packed halves (flow, sway); NULL without either */
  /* With flow: Phi_-(j span) for j < n_maps (the first all zero) and Phi_N, vec2 displacements in
   * normalized units at the working size. */
  InkBuffer *maps[MAX_MAPS + 1];
  int n_maps;
  float map_span;
  /* Learned layers that repaint: the last repainted frame's moved photo and displacements, and
   * which frame that was (-1: none), for the next frame's temporal layer. */
  InkRepaintCarry carry;
  int carry_index;
};

static int
map_count (int frames)
{
  return CLAMP ((frames + 2) / 3, 1, MAX_MAPS);
}

static void
free_maps (InkBuffer **maps)
{
  for (int k = 0; k <= MAX_MAPS; k++)
    ink_buffer_free (&maps[k]);
}

/* The position maps of VELOCITY into MAPS (MAX_MAPS + 1 slots): backward ones chained span by
 * span from a zero map, the loop's forward one chained through two scratch maps. */
static gboolean
make_maps (InkAnimation *a, InkBuffer *velocity, const InkMotionParams *motion, InkBuffer **maps,
           GError **error)
{
  InkCompute *compute = ink_stylizer_get_compute (a->stylizer);
  int n = map_count (motion->frames), last = MAX_MAPS;
  float span = (float) motion->frames / n;
  gsize bytes = (gsize) a->work_width * a->work_height * 8;
  InkBuffer *scratch[2] = { NULL, NULL };
  g_autofree float *zeros = g_malloc0 (bytes);
  InkPushFlowmap pm = {
    .width = a->work_width, .height = a->work_height,
    .substeps = MAX (1, (int) ceilf (span / MAP_STEP)),
    .speed = motion->flow * motion->motion / motion->frames,
  };
  gboolean ok = TRUE;

  for (int k = 0; ok && k < n; k++)
    ok = (maps[k] = ink_buffer_new (compute, bytes, "flow-map", error)) != NULL;
  ok = ok && (maps[last] = ink_buffer_new (compute, bytes, "flow-map-loop", error)) != NULL;
  for (int k = 0; ok && k < 2 && n > 1; k++)
    ok = (scratch[k] = ink_buffer_new (compute, bytes, "flow-map-scratch", error)) != NULL;
  ok = ok && ink_compute_begin (compute, error)
       && ink_compute_upload (compute, maps[0], zeros, bytes, error);
  pm.steps = -span;
  for (int k = 1; ok && k < n; k++)
    ok = ink_compute_dispatch (compute, &ink_pass_flowmap, (InkBuffer *[]) { velocity, maps[k - 1] },
                               maps[k], &pm, -1, error);
  /* Phi_N: N spans forward, each chained onto the last. */
  pm.steps = span;
  for (int k = 1; ok && k <= n; k++)
    ok = ink_compute_dispatch (compute, &ink_pass_flowmap,
                               (InkBuffer *[]) { velocity, k == 1 ? maps[0] : scratch[k % 2] },
                               k == n ? maps[last] : scratch[(k + 1) % 2], &pm, -1, error);
  ok = ok && ink_compute_finish (compute, error);
  ink_buffer_free (&scratch[0]);
  ink_buffer_free (&scratch[1]);
  if (!ok)
    free_maps (maps);
  return ok;
}


static void
identity (float m[6])
{
  m[0] = 1, m[1] = 0, m[2] = 0, m[3] = 0, m[4] = 1, m[5] = 0;
}

gboolean
ink_camera_matrix (const InkMotionParams *motion, int index, int width, int height, float m[6])
{
  double a = motion->camera_amount * motion->motion;
  /* An eighth of a turn in, so the loop point is not where the motion turns (there every step
   * would be smaller than elsewhere). */
  double phi = TAU * index / motion->frames + TAU / 8.0;
  double zoom = 1.0, angle = 0.0, ox = 0.0, oy = 0.0, cx, cy, c, s;

  identity (m);
  if (motion->camera == INK_CAMERA_NONE || a <= 0.0)
    return FALSE;
  switch (motion->camera)
    {
    case INK_CAMERA_BREATHE:
      zoom = 1.0 + 0.03 * a * (0.5 - 0.5 * cos (phi));
      break;
    case INK_CAMERA_ZOOM:
      zoom = 1.0 + 0.12 * a * (0.5 - 0.5 * cos (phi));
      break;
    case INK_CAMERA_PAN:
      zoom = 1.0 + 0.08 * a;
      ox = 0.035 * a * width * sin (phi);
      oy = 0.015 * a * height * sin (2.0 * phi);
      break;
    case INK_CAMERA_ROTATE:
      zoom = 1.0 + 0.05 * a;
      angle = 2.5 * a * (TAU / 360.0) * sin (phi);
      break;
    case INK_CAMERA_SHAKE:
      {
        /* A hand-held wobble: harmonics of the loop with phases from the seed. */
        static const int harmonics[] = { 2, 3, 5, 7 };
        GRand *rand = g_rand_new_with_seed ((guint32) motion->seed * 2654435761u + 17);
        double amp = 0.004 * MIN (width, height) * a;

        zoom = 1.0 + 0.02 * a;
        for (guint k = 0; k < G_N_ELEMENTS (harmonics); k++)
          {
            double px = g_rand_double (rand) * TAU, py = g_rand_double (rand) * TAU;
            double pr = g_rand_double (rand) * TAU;
            ox += amp / (k + 1) * sin (harmonics[k] * phi + px);
            oy += amp / (k + 1) * sin (harmonics[k] * phi + py);
            angle += 0.15 * a * (TAU / 360.0) / (k + 1) * sin (harmonics[k] * phi + pr);
          }
        g_rand_free (rand);
      }
      break;
    default:
      break;
    }
  /* Output p -> source c + R(-angle) (p - c) / zoom - o. */
  cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
  c = cos (angle) / zoom, s = sin (angle) / zoom;
  m[0] = (float) c, m[1] = (float) s;
  m[3] = (float) -s, m[4] = (float) c;
  m[2] = (float) (cx - c * cx - s * cy - ox);
  m[5] = (float) (cy + s * cx - c * cy - oy);
  return TRUE;
}

/* The freeze mask's grey level (0 free .. 1 frozen), bilinear at the working grid's centres. */
static float *
mask_grid (const InkImage *mask, int gw, int gh)
{
  float *grid = g_new0 (float, (gsize) gw * gh);

  if (mask == NULL)
    return grid;
  for (int y = 0; y < gh; y++)
    for (int x = 0; x < gw; x++)
      {
        float qx = (x + 0.5f) * mask->width / gw - 0.5f, qy = (y + 0.5f) * mask->height / gh - 0.5f;
        float fx = floorf (qx), fy = floorf (qy), tx = qx - fx, ty = qy - fy, v[4];
        int xs[2] = { CLAMP ((int) fx, 0, mask->width - 1), CLAMP ((int) fx + 1, 0, mask->width - 1) };
        int ys[2] = { CLAMP ((int) fy, 0, mask->height - 1), CLAMP ((int) fy + 1, 0, mask->height - 1) };

        for (int k = 0; k < 4; k++)
          {
            v[k] = ink_mask_grey (mask->pixels + 4 * ((gsize) ys[k >> 1] * mask->width + xs[k & 1]));
          }
        grid[(gsize) y * gw + x] = (v[0] + (v[1] - v[0]) * tx) * (1 - ty)
                                   + (v[2] + (v[3] - v[2]) * tx) * ty;
      }
  return grid;
}

/* The flow's velocity and the sway's amplitude (scaled by the motion's sway and strength). */
static gboolean
make_velocity (InkAnimation *a, const InkMotionHints *hints, const InkMotionParams *motion,
               GError **error)
{
  InkCompute *compute = ink_stylizer_get_compute (a->stylizer);
  guint n = hints->arrows->len + hints->anchors->len;
  g_autofree float *h = g_new0 (float, 8 * MAX (n, 1));
  g_autofree float *mask = mask_grid (hints->mask, a->work_width, a->work_height);
  InkBuffer *in[2] = { NULL, NULL };
  InkPushVelocity pv = {
    .width = a->work_width, .height = a->work_height,
    .n_arrows = hints->arrows->len, .n_anchors = hints->anchors->len,
    .aspect = (float) a->width / a->height, .reach = motion->flow_reach,
  };
  gsize wn = (gsize) a->work_width * a->work_height;
  gboolean ok = FALSE;

  for (guint i = 0; i < hints->arrows->len; i++)
    {
      const InkArrow *ar = &g_array_index (hints->arrows, InkArrow, i);
      float *v = h + 8 * i;
      float gain = ar->kind == INK_ARROW_SWAY ? motion->sway * motion->motion : 1.0f;

      v[0] = ar->x0, v[1] = ar->y0;
      v[2] = (ar->x1 - ar->x0) * gain, v[3] = (ar->y1 - ar->y0) * gain;
      v[4] = ink_arrow_reach (ar, motion);
      v[5] = ar->kind == INK_ARROW_SWAY;
    }
  for (guint i = 0; i < hints->anchors->len; i++)
    {
      const InkAnchor *an = &g_array_index (hints->anchors, InkAnchor, i);
      float *v = h + 8 * (hints->arrows->len + i);
      v[0] = an->x, v[1] = an->y;
    }
  in[0] = ink_buffer_new (compute, 32 * MAX (n, 1), "hints", error);
  in[1] = in[0] != NULL ? ink_buffer_new (compute, wn * 4, "freeze-mask", error) : NULL;
  a->velocity = in[1] != NULL ? ink_buffer_new (compute, wn * 8, "motion-fields", error) : NULL;
  if (a->velocity != NULL && ink_compute_begin (compute, error)
      && ink_compute_upload (compute, in[0], h, 32 * MAX (n, 1), error)
      && ink_compute_upload (compute, in[1], mask, wn * 4, error)
      && ink_compute_dispatch (compute, &ink_pass_velocity, in, a->velocity, &pv, -1, error)
      && ink_compute_finish (compute, error))
    ok = TRUE;
  ink_buffer_free (&in[0]);
  ink_buffer_free (&in[1]);
  return ok;
}

static gboolean
has_arrows (const InkMotionHints *hints, int kind)
{
  for (guint i = 0; i < hints->arrows->len; i++)
    if (g_array_index (hints->arrows, InkArrow, i).kind == kind)
      return TRUE;
  return FALSE;
}

InkAnimation *
ink_animation_new (InkStylizer *stylizer, const InkImage *source, const InkStyleParams *style,
                   const InkMotionParams *motion, const InkMotionHints *hints,
                   InkStylizeStats *stats, GError **error)
{
  InkAnimation *a = NULL;
  InkStylizeStats local;

  if (!ink_motion_params_validate (motion, error)
      || (hints != NULL && !ink_motion_hints_validate (hints, error))
      || !ink_stylizer_make_layers (stylizer, source, style, stats ? stats : &local, error))
    return NULL;
  a = g_new0 (InkAnimation, 1);
  a->stylizer = stylizer;
  a->carry_index = -1;
  a->has_alpha = source->has_alpha;
  ink_stylizer_get_sizes (stylizer, &a->width, &a->height, &a->work_width, &a->work_height);
  if (!ink_animation_set_motion (a, motion, hints, error))
    {
      ink_animation_free (&a);
      return NULL;
    }
  return a;
}

gboolean
ink_animation_set_motion (InkAnimation *a, const InkMotionParams *motion,
                          const InkMotionHints *hints, GError **error)
{
  InkBuffer *old_velocity = a->velocity, *maps[MAX_MAPS + 1] = { NULL };
  gboolean flow_on = hints != NULL && has_arrows (hints, INK_ARROW_FLOW)
                     && motion->flow * motion->motion > 0.0f;
  gboolean sway_on = hints != NULL && has_arrows (hints, INK_ARROW_SWAY)
                     && motion->sway * motion->motion > 0.0f;

  if (!ink_motion_params_validate (motion, error)
      || (hints != NULL && !ink_motion_hints_validate (hints, error)))
    return FALSE;
  a->velocity = NULL;
  if (((flow_on || sway_on) && !make_velocity (a, hints, motion, error))
      || (flow_on && !make_maps (a, a->velocity, motion, maps, error)))
    {
      ink_buffer_free (&a->velocity);
      a->velocity = old_velocity;
      return FALSE;
    }
  ink_buffer_free (&old_velocity);
  free_maps (a->maps);
  memcpy (a->maps, maps, sizeof maps);
  a->carry_index = -1;   /* moved by the old motion */
  a->n_maps = flow_on ? map_count (motion->frames) : 0;
  a->map_span = (float) motion->frames / MAX (a->n_maps, 1);
  a->motion = *motion;
  a->flow_on = flow_on;
  a->sway_on = sway_on;
  return TRUE;
}

void
ink_animation_free (InkAnimation **pa)
{
  InkAnimation *a = *pa;

  if (a == NULL)
    return;
  ink_buffer_free (&a->velocity);
  free_maps (a->maps);
  ink_repaint_carry_clear (&a->carry);
  g_free (a);
  *pa = NULL;
}

int
ink_animation_n_frames (InkAnimation *a)
{
  return a->motion.frames;
}

/* Frame INDEX's push constants for the frame pass, and which backward map it reads. */
static void
frame_push (InkAnimation *a, int index, InkPushFrame *out, int *map_out)
{
  const InkMotionParams *m = &a->motion;
  float scale = ink_style_scale (a->width, a->height);
  int drawings = (m->frames + m->hold - 1) / m->hold;
  float strength = m->motion;
  InkPushFrame pf;
  float cam[6];
  int map = 0;

  ink_stylizer_frame_defaults (a->stylizer, &pf);
  pf.frame = index;
  pf.frames = m->frames;
  pf.drawing = (index / m->hold) % drawings;
  pf.seed = m->seed;
  pf.substeps = MAX (1, (int) ceilf (a->map_span / FRAME_STEP));
  pf.boil_amp = BOIL_AMPLITUDE * scale * m->boil * strength;
  pf.boil_cell = BOIL_CELL * scale;
  pf.flow_on = a->flow_on;
  if (a->flow_on)
    {
      /* Frame t of the cross-fade (frame.comp) is Phi_-t: back through map j, then t - j span
       * frames more. */
      int t = (index + m->frames / 2) % m->frames;
      map = MIN (a->n_maps - 1, (int) floorf (t / a->map_span));
      pf.flow_back = t - map * a->map_span;
    }
  pf.flow_sx = a->width * m->flow * strength / m->frames;
  pf.flow_sy = a->height * m->flow * strength / m->frames;
  if (a->sway_on)
    {
      /* Out and back once a loop, so position and velocity meet at the seam; an eighth of a turn
       * in, so the loop point is not where the swing is fastest (there every step would be
       * larger than elsewhere). */
      float s = (float) sin (TAU * index / m->frames + TAU / 8.0);
      pf.sway_sx = a->width * s, pf.sway_sy = a->height * s;
    }
  pf.camera_on = ink_camera_matrix (m, index, a->width, a->height, cam);
  pf.m00 = cam[0], pf.m01 = cam[1], pf.m02 = cam[2];
  pf.m10 = cam[3], pf.m11 = cam[4], pf.m12 = cam[5];
  *out = pf;
  *map_out = map;
}

gboolean
ink_animation_render_rgba8 (InkAnimation *a, int index, guint32 *rgba8, InkFrameStats *stats,
                            GError **error)
{
  const InkMotionParams *m = &a->motion;
  float scale = ink_style_scale (a->width, a->height);
  float strength = m->motion;
  InkPushFrame pf, prev;
  InkPushOverlay po;
  gboolean overlays = strength > 0.0f
                      && (m->focus_lines || m->speed_lines || m->particles != INK_PARTICLES_NONE);
  int map = 0, prev_map = 0;
  double device_ms = 0.0;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok;

  if (index < 0 || index >= m->frames)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM, "frame %d: the loop has frames 0 to %d",
                   index, m->frames - 1);
      return FALSE;
    }
  frame_push (a, index, &pf, &map);

  if (overlays)
    {
      double angle = m->speed_angle * TAU / 360.0;
      po = (InkPushOverlay) {
        .width = a->width, .height = a->height, .frame = index, .frames = m->frames,
        .drawing = pf.drawing, .seed = m->seed,
        .focus_on = m->focus_lines, .speed_on = m->speed_lines, .particles = m->particles,
        .focus_x = m->focus_x * (a->width - 1), .focus_y = m->focus_y * (a->height - 1),
        .focus_amount = m->focus_amount * strength,
        .speed_dx = (float) cos (angle), .speed_dy = (float) sin (angle),
        .speed_amount = m->speed_amount * strength,
        .particle_amount = m->particle_amount * strength,
        .scale = scale,
        .ink_r = pf.line_r, .ink_g = pf.line_g, .ink_b = pf.line_b,
      };
    }
  /* The learned generator paints every frame of a loop whose picture flows or sways from the
   * moved photo (every one, so that a frame where the motion passes through rest looks like the
   * others), its temporal layer fed the frame before (the last, for the first: the loop closes).
   * Where only the camera moves, the picture moves whole and its painting with it, as the
   * procedural flats do: painting each frame anew would add nothing but the network's flicker
   * (loops of a photo under the camera alone: 0.53 levels of change where the photo changes by
   * under 3, against 0.36 moved; training/flicker.py). */
  if (ink_stylizer_has_learned_layers (a->stylizer) && (a->flow_on || a->sway_on))
    {
      int before = (index + m->frames - 1) % m->frames;
      frame_push (a, before, &prev, &prev_map);
      /* Played in order, the frame before's moved photo is the one the last frame moved. */
      a->carry.valid = a->carry_index == before;
      ok = ink_stylizer_render_repainted (
        a->stylizer, &pf,
        (InkBuffer *[]) { a->velocity, a->flow_on ? a->maps[map] : NULL,
                          a->flow_on ? a->maps[MAX_MAPS] : NULL },
        &prev,
        (InkBuffer *[]) { a->velocity, a->flow_on ? a->maps[prev_map] : NULL,
                          a->flow_on ? a->maps[MAX_MAPS] : NULL },
        overlays ? &po : NULL, &a->carry, rgba8, &device_ms, error);
      a->carry_index = ok && a->carry.valid ? index : -1;
    }
  else
    ok = ink_stylizer_render_frame (a->stylizer, &pf,
                                    (InkBuffer *[]) { a->velocity,
                                                      a->flow_on ? a->maps[map] : NULL,
                                                      a->flow_on ? a->maps[MAX_MAPS] : NULL },
                                    overlays ? &po : NULL, rgba8, &device_ms, error);
  if (!ok)
    return FALSE;
  if (stats != NULL)
    {
      stats->frame_ms = device_ms;
      stats->total_ms = (g_get_monotonic_time () - t0) / 1000.0;
      stats->download_ms = MAX (0.0, stats->total_ms - device_ms);
    }
  return TRUE;
}

InkImage *
ink_animation_render (InkAnimation *a, int index, InkFrameStats *stats, GError **error)
{
  g_autofree guint32 *rgba8 = g_try_malloc ((gsize) a->width * a->height * 4);

  if (rgba8 == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "out of memory for a %dx%d frame",
                   a->width, a->height);
      return NULL;
    }
  if (!ink_animation_render_rgba8 (a, index, rgba8, stats, error))
    return NULL;
  return ink_image_from_rgba8 (rgba8, a->width, a->height, a->has_alpha, error);
}
