/* stage-motion.c: the motion passes: the flow layer's velocity field, one frame from the layers
 * (camera, Eulerian loop, line boil, ink) and the manga overlays (C references and passes). */
#include "stage-private.h"

#include "flowmap.spv.h"
#include "frame.spv.h"
#include "overlay.spv.h"
#include "velocity.spv.h"

#define TAU 6.28318530718f

/* Within the 128 bytes of push constants every Vulkan device has. */
G_STATIC_ASSERT (sizeof (InkPushFrame) <= 128);

static void
ref_velocity (const void *const *in, void *out, const void *push)
{
  const InkPushVelocity *pc = push;
  const float *hints = in[0], *mask = in[1];
  guint32 *dst = out;

  for (int y = 0; y < pc->height; y++)
    for (int x = 0; x < pc->width; x++)
      {
        gsize i = (gsize) y * pc->width + x;
        float px = (x + 0.5f) / pc->width, py = (y + 0.5f) / pc->height;
        float background = 0.8f * pc->reach;
        float sum[2][2] = { { 0.0f, 0.0f }, { 0.0f, 0.0f } };   /* flow, sway */
        float wsum = 1.0f / (background * background), keep;

        for (int k = 0; k < pc->n_arrows + pc->n_anchors; k++)
          {
            const float *h = hints + 8 * k;
            float dx = (px - h[0]) * pc->aspect, dy = py - h[1], d2 = dx * dx + dy * dy, w;

            if (k < pc->n_arrows)
              {
                float r = h[4], t2 = d2 / (r * r), s = r / pc->reach;
                int sway = h[5] != 0.0f;

                w = (t2 < 1.0f ? (1.0f - t2) * (1.0f - t2) * (s * s) : 0.0f) / (d2 + 1e-6f);
                sum[sway][0] += w * h[2];
                sum[sway][1] += w * h[3];
              }
            else
              w = 3.0f / (d2 + 1e-6f);
            wsum += w;
          }
        keep = 1.0f - ink_clampf (mask[i], 0.0f, 1.0f);
        for (int f = 0; f < 2; f++)
          dst[2 * i + f] = ink_float_to_half (sum[f][0] / wsum * keep)
                           | ((guint32) ink_float_to_half (sum[f][1] / wsum * keep) << 16);
      }
}

/* Bilinear, edges clamped (DEFINE_BILINEAR in frame.comp), for 1 or 4 floats a pixel. */
typedef struct {
  gsize i00, i10, i01, i11;
  float tx, ty;
} Corners;

static Corners
corners (int w, int h, float qx, float qy)
{
  float fx = floorf (qx), fy = floorf (qy);
  int x0 = CLAMP ((int) fx, 0, w - 1), x1 = CLAMP ((int) fx + 1, 0, w - 1);
  int y0 = CLAMP ((int) fy, 0, h - 1), y1 = CLAMP ((int) fy + 1, 0, h - 1);

  return (Corners) { (gsize) y0 * w + x0, (gsize) y0 * w + x1, (gsize) y1 * w + x0,
                     (gsize) y1 * w + x1, qx - fx, qy - fy };
}

static float
lerp (float a, float b, float t)
{
  return a + (b - a) * t;
}

static void
sample_flats (const InkPushFrame *pc, const guint32 *flats, float qx, float qy, float out[4])
{
  Corners c = corners (pc->width, pc->height, qx, qy);
  float a[4], b[4], d[4], e[4];

  ink_unpack_rgba8 (flats[c.i00], a);
  ink_unpack_rgba8 (flats[c.i10], b);
  ink_unpack_rgba8 (flats[c.i01], d);
  ink_unpack_rgba8 (flats[c.i11], e);
  for (int k = 0; k < 4; k++)
    out[k] = lerp (lerp (a[k], b[k], c.tx), lerp (d[k], e[k], c.tx), c.ty);
}

static float
sample_lines (const InkPushFrame *pc, const float *lines, float qx, float qy)
{
  Corners c = corners (pc->width, pc->height, qx, qy);
  return lerp (lerp (lines[c.i00], lines[c.i10], c.tx), lerp (lines[c.i01], lines[c.i11], c.tx),
               c.ty);
}

/* Field F (0 the flow's velocity, 1 the sway's amplitude) of the motion fields (two packed
 * halves a texel each) on the W x H working grid at grid position (GX, GY), bilinear. */
static void
halves_at (const guint32 *fields, int f, int w, int h, float gx, float gy, float out[2])
{
  Corners c = corners (w, h, gx, gy);
  float v[4][2];
  gsize idx[4] = { c.i00, c.i10, c.i01, c.i11 };

  for (int k = 0; k < 4; k++)
    {
      guint32 packed = fields[2 * idx[k] + f];
      v[k][0] = ink_half_to_float (packed & 0xffffu);
      v[k][1] = ink_half_to_float (packed >> 16);
    }
  for (int k = 0; k < 2; k++)
    out[k] = lerp (lerp (v[0][k], v[1][k], c.tx), lerp (v[2][k], v[3][k], c.tx), c.ty);
}

/* Full-size position (QX, QY) on the working grid (work_at in frame.comp). */
static void
to_work (const InkPushFrame *pc, float qx, float qy, float *gx, float *gy)
{
  *gx = (qx + 0.5f) * pc->work_width / pc->width - 0.5f;
  *gy = (qy + 0.5f) * pc->work_height / pc->height - 0.5f;
}

/* Field F of the motion fields at full-size position (QX, QY), scaled by (SX, SY). */
static void
field_at (const InkPushFrame *pc, const guint32 *fields, int f, float qx, float qy, float sx,
          float sy, float *vx, float *vy)
{
  float gx, gy, v[2];

  to_work (pc, qx, qy, &gx, &gy);
  halves_at (fields, f, pc->work_width, pc->work_height, gx, gy, v);
  *vx = v[0] * sx;
  *vy = v[1] * sy;
}

/* A vec2 map on the W x H working grid at grid position (GX, GY), bilinear, edges clamped. */
static void
map_at (const float *map, int w, int h, float gx, float gy, float out[2])
{
  Corners c = corners (w, h, gx, gy);

  for (int k = 0; k < 2; k++)
    out[k] = lerp (lerp (map[2 * c.i00 + k], map[2 * c.i10 + k], c.tx),
                   lerp (map[2 * c.i01 + k], map[2 * c.i11 + k], c.tx), c.ty);
}

/* One step of the position maps (flowmap.comp). */
static void
ref_flowmap (const void *const *in, void *out, const void *push)
{
  const InkPushFlowmap *pc = push;
  const guint32 *fields = in[0];
  const float *prev = in[1];
  float *dst = out;
  int w = pc->width, h = pc->height;
  float dt = pc->steps / (float) pc->substeps;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float ux = (x + 0.5f) / w, uy = (y + 0.5f) / h, px = ux, py = uy, d[2];
        gsize i = (gsize) y * w + x;

        for (int k = 0; k < pc->substeps; k++)
          {
            float v[2];

            halves_at (fields, 0, w, h, px * w - 0.5f, py * h - 0.5f, v);
            px += v[0] * (pc->speed * dt);
            py += v[1] * (pc->speed * dt);
          }
        map_at (prev, w, h, px * w - 0.5f, py * h - 0.5f, d);
        dst[2 * i] = (px - ux) + d[0];
        dst[2 * i + 1] = (py - uy) + d[1];
      }
}

static void
velocity_at (const InkPushFrame *pc, const guint32 *vel, float qx, float qy, float *vx, float *vy)
{
  field_at (pc, vel, 0, qx, qy, pc->flow_sx, pc->flow_sy, vx, vy);
}

static void
advect (const InkPushFrame *pc, const guint32 *vel, float *qx, float *qy, float steps)
{
  float dt = steps / (float) pc->substeps;

  for (int k = 0; k < pc->substeps; k++)
    {
      float vx, vy;
      velocity_at (pc, vel, *qx, *qy, &vx, &vy);
      *qx += vx * dt;
      *qy += vy * dt;
    }
}

static void
boil (const InkPushFrame *pc, float qx, float qy, float *dx, float *dy)
{
  float cx = qx / pc->boil_cell, cy = qy / pc->boil_cell;
  float fx = floorf (cx), fy = floorf (cy), tx = cx - fx, ty = cy - fy;
  int ix = (int) fx, iy = (int) fy;
  guint32 z = (guint32) pc->seed * 0x9e3779b9u + (guint32) pc->drawing;
  float r[4][2];

  for (int k = 0; k < 4; k++)
    {
      guint32 h = ink_hash3 (ix + (k & 1), iy + (k >> 1), z);
      r[k][0] = ink_unit (h) * 2.0f - 1.0f;
      r[k][1] = ink_unit (ink_hash1 (h)) * 2.0f - 1.0f;
    }
  tx = tx * tx * (3.0f - 2.0f * tx);
  ty = ty * ty * (3.0f - 2.0f * ty);
  *dx = lerp (lerp (r[0][0], r[1][0], tx), lerp (r[2][0], r[3][0], tx), ty) * pc->boil_amp;
  *dy = lerp (lerp (r[0][1], r[1][1], tx), lerp (r[2][1], r[3][1], tx), ty) * pc->boil_amp;
}

/* The line response at (QX, QY) (the boil moves where it is read), and the ink it draws. */
static float
response_at (const InkPushFrame *pc, const float *lines, float qx, float qy)
{
  if (pc->boil_amp > 0.0f)
    {
      float dx, dy;
      boil (pc, qx, qy, &dx, &dy);
      qx += dx, qy += dy;
    }
  return sample_lines (pc, lines, qx, qy);
}

static float
ink_of (const InkPushFrame *pc, float u)
{
  return (pc->layers & INK_FRAME_LINES) ? ink_clampf (-tanhf (pc->line_phi * (u - pc->line_eps)), 0.0f, 1.0f) : 0.0f;
}

static void
ref_frame (const void *const *in, void *out, const void *push)
{
  const InkPushFrame *pc = push;
  const guint32 *flats = in[0], *vel = in[2];
  const float *lines = in[1], *map_back = in[3], *map_loop = in[4];
  guint32 *dst = out;
  const float line[3] = { pc->line_r, pc->line_g, pc->line_b };

  for (int y = 0; y < pc->height; y++)
    for (int x = 0; x < pc->width; x++)
      {
        float qx = x, qy = y, base[4], ink, rx, ry;

        if (pc->camera_on)
          {
            float sx = pc->m00 * qx + pc->m01 * qy + pc->m02;
            float sy = pc->m10 * qx + pc->m11 * qy + pc->m12;
            qx = sx, qy = sy;
          }
        if (pc->sway_sx != 0.0f || pc->sway_sy != 0.0f)
          {
            float dx, dy;
            field_at (pc, vel, 1, qx, qy, pc->sway_sx, pc->sway_sy, &dx, &dy);
            qx -= dx, qy -= dy;
          }
        rx = qx, ry = qy;
        if (pc->flow_on)
          {
            float n = (float) pc->frames, t = (float) ((pc->frame + pc->frames / 2) % pc->frames);
            float alpha = t / n;
            float ax = qx, ay = qy, bx, by, gx, gy, fa[4], fb[4], d[2];

            /* a = Phi_-t (q), b = Phi_N (a), from the maps (frame.comp). */
            advect (pc, vel, &ax, &ay, -pc->flow_back);
            to_work (pc, ax, ay, &gx, &gy);
            map_at (map_back, pc->work_width, pc->work_height, gx, gy, d);
            ax += d[0] * pc->width, ay += d[1] * pc->height;
            to_work (pc, ax, ay, &gx, &gy);
            map_at (map_loop, pc->work_width, pc->work_height, gx, gy, d);
            bx = ax + d[0] * pc->width, by = ay + d[1] * pc->height;
            sample_flats (pc, flats, ax, ay, fa);
            sample_flats (pc, flats, bx, by, fb);
            rx = lerp (ax, bx, alpha), ry = lerp (ay, by, alpha);
            for (int k = 0; k < 4; k++)
              base[k] = lerp (fa[k], fb[k], alpha);
            if (pc->layers & INK_FRAME_FLATS_IN_PLACE)
              sample_flats (pc, flats, x, y, base);
            /* Ink from the blended response, its contrast given back (ink_weight and blend_gain
             * in frame.comp). */
            float a3 = alpha * alpha * alpha, o3 = (1.0f - alpha) * (1.0f - alpha) * (1.0f - alpha);
            float beta = a3 / (a3 + o3);
            float apart = ink_clampf (hypotf (ax - bx, ay - by) / (2.0f * pc->line_width), 0.0f, 1.0f);
            float gain = lerp (1.0f, MAX (beta, 1.0f - beta), apart);

            ink = ink_of (pc, lerp (response_at (pc, lines, ax, ay), response_at (pc, lines, bx, by),
                                    beta) / gain);
          }
        else
          {
            if (pc->layers & INK_FRAME_FLATS_IN_PLACE)
              sample_flats (pc, flats, x, y, base);
            else
              sample_flats (pc, flats, qx, qy, base);
            ink = ink_of (pc, response_at (pc, lines, qx, qy));
          }
        if (pc->layers & INK_FRAME_POSITIONS)
          {
            dst[(gsize) y * pc->width + x] = ink_float_to_half (rx - x)
                                             | (guint32) ink_float_to_half (ry - y) << 16;
            continue;
          }
        for (int k = 0; k < 3; k++)
          base[k] = lerp (base[k], line[k], ink * pc->line_alpha);
        dst[(gsize) y * pc->width + x] = ink_pack_rgba8 (base);
      }
}

static float
focus_ink (const InkPushOverlay *pc, float px, float py)
{
  float dx = px - pc->focus_x, dy = py - pc->focus_y;
  float r = sqrtf (dx * dx + dy * dy);
  float short_side = (float) MIN (pc->width, pc->height);
  int spokes = (int) lerp (60.0f, 200.0f, pc->focus_amount);
  float u = (atan2f (dy, dx) + 0.5f * TAU) / TAU * (float) spokes;
  int k0 = (int) floorf (u);
  float ink = 0.0f;

  for (int j = -1; j <= 1; j++)
    {
      int k = k0 + j, kk = ((k % spokes) + spokes) % spokes;
      guint32 h = ink_hash3 (kk, pc->drawing, (guint32) pc->seed ^ 0xf0c05u);
      float centre, r0, wmax, half_w, across;

      if (ink_unit (h) > 0.35f + 0.5f * pc->focus_amount)
        continue;
      centre = (float) k + 0.5f + (ink_unit (ink_hash1 (h)) - 0.5f) * 0.8f;
      r0 = lerp (0.2f, 0.45f, ink_unit (ink_hash1 (h ^ 0x51u))) * short_side;
      wmax = lerp (0.6f, 2.5f, ink_unit (ink_hash1 (h ^ 0xa7u))) * pc->scale;
      if (r <= r0)
        continue;
      half_w = wmax * fminf (1.0f, (r - r0) / (0.5f * r0 + 1.0f));
      across = fabsf (u - centre) * (TAU / (float) spokes) * r;
      ink = fmaxf (ink, ink_clampf (half_w - across + 0.5f, 0.0f, 1.0f));
    }
  return ink;
}

static float
speed_ink (const InkPushOverlay *pc, float px, float py)
{
  float nx = -pc->speed_dy, ny = pc->speed_dx;
  float spacing = 7.0f * pc->scale;
  float diag = sqrtf ((float) pc->width * pc->width + (float) pc->height * pc->height);
  float s = (px * nx + py * ny) / spacing, along = px * pc->speed_dx + py * pc->speed_dy;
  int l0 = (int) floorf (s);
  float ink = 0.0f;

  for (int j = -1; j <= 1; j++)
    {
      int lane = l0 + j;
      guint32 h = ink_hash3 (lane, pc->drawing, (guint32) pc->seed ^ 0x5eedu);
      float centre, half_w, len, start, t, across;

      if (ink_unit (h) > 0.15f + 0.45f * pc->speed_amount)
        continue;
      centre = (float) lane + 0.5f + (ink_unit (ink_hash1 (h)) - 0.5f) * 0.6f;
      half_w = lerp (0.4f, 1.5f, ink_unit (ink_hash1 (h ^ 0x11u))) * pc->scale;
      len = lerp (0.15f, 0.6f, ink_unit (ink_hash1 (h ^ 0x22u))) * diag;
      start = (ink_unit (ink_hash1 (h ^ 0x33u)) * 2.0f - 1.0f) * diag;
      t = (along - start) / len;
      if (t < 0.0f || t > 1.0f)
        continue;
      across = fabsf (s - centre) * spacing;
      ink = fmaxf (ink, ink_clampf (half_w * sinf (0.5f * TAU * t) - across + 0.5f, 0.0f, 1.0f));
    }
  return ink;
}

static int
wrap (int v, int n)
{
  return ((v % n) + n) % n;
}

/* Premultiplied colour and coverage of one depth layer's particles (particle_layer). */
static void
particle_layer (const InkPushOverlay *pc, float px, float py, int layer, float acc[4])
{
  int kind = pc->particles;
  float g = (layer == 0 ? 56.0f : 34.0f) * pc->scale;
  int cx = MAX (1, (int) ceilf ((float) pc->width / g));
  int cy = MAX (1, (int) ceilf ((float) pc->height / g));
  float period_x = cx * g, period_y = cy * g;
  float phase = (float) pc->frame / (float) pc->frames;
  float fall = kind == 1 ? (float) (3 - layer) : kind == 4 ? 0.0f : 1.0f;
  float density = (kind == 4 ? 0.25f : 0.8f) * pc->particle_amount;
  float size = layer == 0 ? 1.0f : 0.7f;
  float qx = px, qy = py - fall * period_y * phase;
  int c0x, c0y;

  qx = qx - period_x * floorf (qx / period_x);
  qy = qy - period_y * floorf (qy / period_y);
  c0x = (int) floorf (qx / g);
  c0y = (int) floorf (qy / g);
  acc[0] = acc[1] = acc[2] = acc[3] = 0.0f;
  for (int dy = -1; dy <= 1; dy++)
    for (int dx = -1; dx <= 1; dx++)
      {
        int ccx = c0x + dx, ccy = c0y + dy;
        guint32 h = ink_hash3 (wrap (ccx, cx), wrap (ccy, cy),
                               (guint32) pc->seed * 31u + (guint32) layer * 7u + (guint32) kind);
        float centre_x, centre_y, ph, ex, ey, colour[3], a;

        if (ink_unit (h) >= density)
          continue;
        centre_x = ((float) ccx + ink_unit (ink_hash1 (h))) * g;
        centre_y = ((float) ccy + ink_unit (ink_hash1 (h ^ 0x9u))) * g;
        ph = ink_unit (ink_hash1 (h ^ 0x77u)) * TAU;
        ex = qx - centre_x, ey = qy - centre_y;
        if (kind == 1)
          {
            float hw = 0.6f * pc->scale * size, half_len = 0.35f * g;
            a = ink_clampf (hw - fabsf (ex) + 0.5f, 0.0f, 1.0f)
                * ink_clampf (half_len - fabsf (ey), 0.0f, 1.0f) * 0.5f;
            colour[0] = 0.78f, colour[1] = 0.85f, colour[2] = 0.97f;
          }
        else if (kind == 2)
          {
            float r;
            ex -= sinf (TAU * phase + ph) * 0.25f * g;
            r = lerp (1.5f, 3.5f, ink_unit (ink_hash1 (h ^ 0x5u))) * pc->scale * size;
            a = ink_clampf (r - sqrtf (ex * ex + ey * ey) + 0.5f, 0.0f, 1.0f) * 0.9f;
            colour[0] = colour[1] = colour[2] = 1.0f;
          }
        else if (kind == 3)
          {
            float ang, rx, ry, k, ux, uy;
            ex -= sinf (TAU * phase + ph) * 0.35f * g;
            ang = ph + TAU * phase;
            ux = cosf (ang) * ex + sinf (ang) * ey;
            uy = -sinf (ang) * ex + cosf (ang) * ey;
            rx = 4.0f * pc->scale * size, ry = 2.2f * pc->scale * size;
            k = sqrtf ((ux / rx) * (ux / rx) + (uy / ry) * (uy / ry));
            a = ink_clampf ((1.0f - k) * ry + 0.5f, 0.0f, 1.0f) * 0.95f;
            colour[0] = 1.0f, colour[1] = 0.72f, colour[2] = 0.8f;
          }
        else
          {
            float b = 0.5f + 0.5f * sinf (TAU * phase * (float) (1u + (h & 1u)) + ph);
            float arm = 7.0f * pc->scale * size * b + 0.5f, w = 1.1f * pc->scale;
            float ax = ink_clampf (w - fabsf (ey) + 0.5f, 0.0f, 1.0f)
                       * ink_clampf (1.0f - fabsf (ex) / arm, 0.0f, 1.0f);
            float ay = ink_clampf (w - fabsf (ex) + 0.5f, 0.0f, 1.0f)
                       * ink_clampf (1.0f - fabsf (ey) / arm, 0.0f, 1.0f);
            a = fmaxf (ax, ay) * b;
            colour[0] = 1.0f, colour[1] = 0.97f, colour[2] = 0.82f;
          }
        for (int k = 0; k < 3; k++)
          acc[k] = colour[k] * a + acc[k] * (1.0f - a);
        acc[3] = a + acc[3] * (1.0f - a);
      }
}

static void
ref_overlay (const void *const *in, void *out, const void *push)
{
  const InkPushOverlay *pc = push;
  guint32 *image = out;
  const float ink[3] = { pc->ink_r, pc->ink_g, pc->ink_b };

  (void) in;
  for (int y = 0; y < pc->height; y++)
    for (int x = 0; x < pc->width; x++)
      {
        gsize i = (gsize) y * pc->width + x;
        float c[4], t;

        ink_unpack_rgba8 (image[i], c);
        if (pc->focus_on)
          {
            t = focus_ink (pc, x, y);
            for (int k = 0; k < 3; k++)
              c[k] = lerp (c[k], ink[k], t);
          }
        if (pc->speed_on)
          {
            t = speed_ink (pc, x, y);
            for (int k = 0; k < 3; k++)
              c[k] = lerp (c[k], ink[k], t);
          }
        if (pc->particles != 0)
          for (int layer = 1; layer >= 0; layer--)
            {
              float pl[4];
              particle_layer (pc, x, y, layer, pl);
              for (int k = 0; k < 3; k++)
                c[k] = c[k] * (1.0f - pl[3]) + pl[k];
            }
        image[i] = ink_pack_rgba8 (c);
      }
}

INK_DEFINE_PASS (velocity, 2, InkPushVelocity, INK_TEXELS2 (VEC4, FLOAT));
INK_DEFINE_PASS (flowmap, 2, InkPushFlowmap, INK_TEXELS2 (UINT, VEC2));
/* The frame pass's variants (shaders/frame.comp): INK_FRAME_LINES, _FLATS_IN_PLACE and
 * _POSITIONS as in InkPushFrame.layers, and which motions it applies. A still has only its
 * lines; without a push, that one. */
#define FRAME_CAMERA 8
#define FRAME_SWAY 16
#define FRAME_FLOW 32
#define FRAME_BOIL 64

static guint32
variant_frame (const void *push)
{
  const InkPushFrame *pf = push;

  if (pf == NULL)
    return INK_FRAME_LINES;
  return (guint32) (pf->layers & (INK_FRAME_LINES | INK_FRAME_FLATS_IN_PLACE | INK_FRAME_POSITIONS))
         | (pf->camera_on ? FRAME_CAMERA : 0)
         | (pf->sway_sx != 0.0f || pf->sway_sy != 0.0f ? FRAME_SWAY : 0)
         | (pf->flow_on ? FRAME_FLOW : 0) | (pf->boil_amp > 0.0f ? FRAME_BOIL : 0);
}

INK_DEFINE_PASS_VARIANTS (frame, 5, InkPushFrame, (INK_TEXELS2 (RGBA8, FLOAT) | INK_TEXEL (2, INK_TEXEL_UINT) | INK_TEXEL (3, INK_TEXEL_VEC2)
                  | INK_TEXEL (4, INK_TEXEL_VEC2)));
/* The overlay's variants (shaders/overlay.comp): 1 focus lines, 2 speed lines, 4 particles. */
static guint32
variant_overlay (const void *push)
{
  const InkPushOverlay *po = push;

  if (po == NULL)
    return 0;
  return (po->focus_on ? 1 : 0) | (po->speed_on ? 2 : 0) | (po->particles != 0 ? 4 : 0);
}

INK_DEFINE_PASS_VARIANTS (overlay, 0, InkPushOverlay, 0);
