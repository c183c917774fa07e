/* learned.c: the learned generator's colour (learned.h): the photo at the working size through
 * the trained network, as lab32 for the stylizer's flatten pass and as an image for its palette. */
#include "ink-config.h"

#include "learned.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "color.h"
#include "ink-error.h"
#include "network.h"
#include "nn-layers.h"
#include "stage-private.h"

/* Results kept: the preview's draft and full sizes alternate while an artist works. */
#define KEPT 2

typedef struct {
  guint64 key;        /* the photo's content and the size; 0: empty */
  int ww, wh;
  guint32 *lab;
  InkImage *painted;
  guint64 used;       /* the call that last returned it */
} Kept;

struct InkLearned {
  char *path;
  InkNetwork *network;
  InkNetworkRunner *runner;
  InkCompute *compute;   /* the runner's */
  Kept kept[KEPT];
  Kept scratch;          /* the last result not kept */
  guint64 calls;
  /* The temporal layer ("inkloop.temporal" in the file): the value fed back, the inputs it goes
   * to and the motion's, and the motion's size divisor; features -1: none. */
  int features, prev_input, flow_input, flow_scale;
  /* The features of the last frame painted, and the content key of its moved photo. */
  float *kept_features;
  guint64 kept_features_key;
  int kept_features_w, kept_features_h;
};

char *
ink_learned_model_path (void)
{
  const char *env = g_getenv ("INKLOOP_MODEL");
  const char *candidates[] = {
    INK_DATADIR "/generator.safetensors",
    INK_SOURCE_DATADIR "/generator.safetensors",
  };

  if (env != NULL && *env)
    return g_strdup (env);
  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      return g_canonicalize_filename (candidates[i], NULL);
  return g_strdup (candidates[0]);
}

InkLearned *
ink_learned_new (void)
{
  return g_new0 (InkLearned, 1);
}

static void
kept_clear (Kept *k)
{
  g_free (k->lab);
  ink_image_free (&k->painted);
  memset (k, 0, sizeof *k);
}

void
ink_learned_free (InkLearned **pl)
{
  InkLearned *l = *pl;

  if (l == NULL)
    return;
  for (int i = 0; i < KEPT; i++)
    kept_clear (&l->kept[i]);
  kept_clear (&l->scratch);
  g_free (l->kept_features);
  ink_network_runner_free (&l->runner);
  ink_network_free (&l->network);
  g_free (l->path);
  g_free (l);
  *pl = NULL;
}

/* A 64-bit hash of the photo's pixels and the working size (FNV-1a over 64-bit words, mixed). */
static guint64
content_key (const InkImage *src, int ww, int wh)
{
  gsize n = (gsize) src->width * src->height;
  guint64 h = 0xcbf29ce484222325ull;

  h = (h ^ (guint64) src->width) * 0x100000001b3ull;
  h = (h ^ (guint64) src->height) * 0x100000001b3ull;
  h = (h ^ (guint64) ww) * 0x100000001b3ull;
  h = (h ^ (guint64) wh) * 0x100000001b3ull;
  for (gsize i = 0; i < n; i++)
    {
      guint64 w;   /* a pixel: 4 x 16 bits */

      memcpy (&w, src->pixels + 4 * i, sizeof w);
      h ^= w;
      h *= 0x100000001b3ull;
      h ^= h >> 29;
    }
  return h == 0 ? 1 : h;
}

/* The temporal layer's description, {"features": VALUE, "input": INPUT, "flow": INPUT,
 * "scale": N}; a model without one paints every frame alone. */
static gboolean
read_temporal (InkLearned *l, GError **error)
{
  const char *text = ink_network_metadata (l->network, "inkloop.temporal");
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  int scale;

  l->features = l->prev_input = l->flow_input = -1;
  if (text == NULL)
    return TRUE;
  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  o = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (o, "features") || !json_object_has_member (o, "input")
      || !json_object_has_member (o, "flow") || !json_object_has_member (o, "scale"))
    goto bad;
  l->features = ink_network_value_index (
    l->network, json_object_get_string_member_with_default (o, "features", ""));
  l->prev_input = ink_network_value_index (
    l->network, json_object_get_string_member_with_default (o, "input", ""));
  l->flow_input = ink_network_value_index (
    l->network, json_object_get_string_member_with_default (o, "flow", ""));
  scale = (int) json_object_get_int_member_with_default (o, "scale", 0);
  if (l->features < 0 || l->prev_input < 0 || l->flow_input < 0
      || (guint) l->prev_input >= ink_network_n_inputs (l->network)
      || (guint) l->flow_input >= ink_network_n_inputs (l->network)
      || l->prev_input == 0 || l->flow_input == 0
      || ink_network_value_channels (l->network, l->features)
         != ink_network_value_channels (l->network, l->prev_input)
      || ink_network_value_scale (l->network, l->features) != scale
      || ink_network_value_scale (l->network, l->prev_input) != scale
      || ink_network_value_scale (l->network, l->flow_input) != scale
      || ink_network_value_channels (l->network, l->flow_input) != 2)
    goto bad;
  l->flow_scale = scale;
  return TRUE;

bad:
  l->features = -1;
  g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
               "%s: its \"inkloop.temporal\" does not match its graph; export the model again",
               l->path);
  return FALSE;
}

/* The network, opened on the first call (and again after a failure). */
static gboolean
ensure_network (InkLearned *l, InkCompute *compute, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (l->runner != NULL && l->compute == compute)
    return TRUE;
  ink_network_runner_free (&l->runner);
  if (l->network == NULL)
    {
      g_free (l->path);
      l->path = ink_learned_model_path ();
      if (!g_file_test (l->path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_NOT_FOUND,
                       "%s: the learned generator's model is missing; reinstall Inkloop, set "
                       "INKLOOP_MODEL to a model file, or use the procedural generator",
                       l->path);
          return FALSE;
        }
      l->network = ink_network_open (l->path, &local);
      if (l->network == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (ink_network_input_channels (l->network, 0) != 3
          || ink_network_output_channels (l->network) != 3)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
                       "%s: not a generator (it must take and give 3 channels)", l->path);
          ink_network_free (&l->network);
          return FALSE;
        }
    }
  l->runner = ink_network_runner_new (l->network, compute, error);
  l->compute = compute;
  /* Values between layers as halves where the device keeps them (fp16 storage): within an 8-bit
   * level of fp32 and faster, on lavapipe too (640 px: about 450 ms instead of 500). The
   * convolutions also compute in halves where a GPU can (shaderFloat16); lavapipe converts every
   * half operation, 4x slower, so not there. INKLOOP_PRECISION=fp32 keeps floats, fp16 halves
   * stored only, fp16-math halves computed wherever the device has them. */
  if (l->runner != NULL && ink_compute_has_half_texels (compute))
    {
      const char *precision = g_getenv ("INKLOOP_PRECISION");
      gboolean gpu = ink_compute_is_gpu (compute)
                     && !ink_vk_context_is_cpu (ink_compute_context (compute));

      if (g_strcmp0 (precision, "fp32") != 0)
        ink_network_runner_set_half (l->runner, TRUE, NULL);
      if (ink_compute_has_half_math (compute)
          && (g_strcmp0 (precision, "fp16-math") == 0 || (precision == NULL && gpu)))
        ink_network_runner_set_half_math (l->runner, TRUE, NULL);
    }
  if (l->runner != NULL && read_temporal (l, error))
    return TRUE;
  /* Every later call fails the same way, rather than running without its temporal layer. */
  ink_network_runner_free (&l->runner);
  ink_network_free (&l->network);
  return FALSE;
}

typedef struct {
  const InkImage *src;
  int ww, wh, pw, ph;
  float *planes;
} InputJob;

static void
input_row (int y, gpointer data)
{
  InputJob *j = data;
  float *planes = j->planes;
  int pw = j->pw, ph = j->ph;

  for (int x = 0; x < j->ww; x++)
    {
      float mean[3];

      ink_box_mean_linear (j->src->pixels, j->src->width, j->src->height, x, y, j->ww, j->wh,
                           mean);
      for (int c = 0; c < 3; c++)
        planes[((gsize) c * ph + y) * pw + x] = ink_linear_to_srgb (mean[c]);
    }
  for (int x = j->ww; x < pw; x++)
    for (int c = 0; c < 3; c++)
      planes[((gsize) c * ph + y) * pw + x] = planes[((gsize) c * ph + y) * pw + j->ww - 1];
}

/* SRC box-averaged in linear light to WW x WH, as sRGB planes of PH x PW (the multiples of M at
 * or above), the edge repeated into the padding. Rows in parallel (a power per channel and
 * pixel, twice, which on one thread held up every frame). */
static float *
input_planes (const InkImage *src, int ww, int wh, int pw, int ph)
{
  InputJob job = { src, ww, wh, pw, ph, g_new (float, (gsize) 3 * pw * ph) };

  ink_parallel_rows (wh, input_row, &job);
  for (int y = wh; y < ph; y++)
    for (int c = 0; c < 3; c++)
      memcpy (job.planes + ((gsize) c * ph + y) * pw, job.planes + ((gsize) c * ph + wh - 1) * pw,
              (gsize) pw * sizeof (float));
  return job.planes;
}

/* The network's output for SRC at WW x WH into a fresh OUT (3 x PH x PW planes, the padded
 * size); PREV, FLOW: the temporal inputs (NULL: zeros); FEATURES (may be NULL): the temporal
 * layer's features of SRC, fetched into a fresh array. */
static gboolean
run_network (InkLearned *l, const InkImage *src, int ww, int wh, const float *prev,
             const float *flow, float **out, float **features, GError **error)
{
  const float *inputs[INK_NETWORK_MAX_INPUTS] = { NULL };
  float *zeros[INK_NETWORK_MAX_INPUTS] = { NULL };
  g_autofree float *planes = NULL;
  int m = ink_network_multiple (l->network);
  int pw = (ww + m - 1) / m * m, ph = (wh + m - 1) / m * m;
  gboolean ok;

  planes = input_planes (src, ww, wh, pw, ph);
  inputs[0] = planes;
  /* The other inputs (the temporal layer's previous frame and its motion) are zeros for a
   * still. */
  for (guint i = 1; i < ink_network_n_inputs (l->network); i++)
    {
      int s = ink_network_input_scale (l->network, i);
      if ((int) i == l->prev_input && prev != NULL)
        inputs[i] = prev;
      else if ((int) i == l->flow_input && flow != NULL)
        inputs[i] = flow;
      else
        inputs[i] = zeros[i] = g_new0 (float, (gsize) ink_network_input_channels (l->network, i)
                                              * (ph / s) * (pw / s));
    }
  *out = g_try_new (float, (gsize) 3 * pw * ph);
  if (features != NULL)
    *features = g_try_new (float, (gsize) ink_network_value_channels (l->network, l->features)
                                  * (ph / l->flow_scale) * (pw / l->flow_scale));
  ok = *out != NULL && (features == NULL || *features != NULL);
  if (!ok)
    g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                 "out of memory for the learned generator at %dx%d", pw, ph);
  else if (features != NULL)
    ok = ink_network_run_keeping (l->runner, inputs, ph, pw, *out, l->features, *features, error);
  else
    ok = ink_network_run (l->runner, inputs, ph, pw, *out, NULL, error);
  for (int i = 0; i < INK_NETWORK_MAX_INPUTS; i++)
    g_free (zeros[i]);
  if (!ok)
    {
      g_clear_pointer (out, g_free);
      if (features != NULL)
        g_clear_pointer (features, g_free);
      g_prefix_error (error, "%s: ", l->path);
    }
  return ok;
}

typedef struct {
  Kept *k;
  const float *out;
  int ww, pw, ph;
} StoreJob;

static void
store_row (int y, gpointer data)
{
  StoreJob *j = data;
  Kept *k = j->k;

  for (int x = 0; x < j->ww; x++)
    {
      gsize i = (gsize) y * j->ww + x;
      float rgb[3], lin[3], c[3];

      for (int ch = 0; ch < 3; ch++)
        {
          rgb[ch] = ink_clampf (j->out[((gsize) ch * j->ph + y) * j->pw + x], 0.0f, 1.0f);
          lin[ch] = ink_srgb_to_linear (rgb[ch]);
          k->painted->pixels[4 * i + ch] = (guint16) lrintf (rgb[ch] * 65535.0f);
        }
      k->painted->pixels[4 * i + 3] = 65535;
      ink_linear_to_oklab (lin, c);
      k->lab[i] = ink_pack_lab (c);
    }
}

/* OUT (the PW x PH planes of run_network) into K, emptied first, as lab32 and as an image; rows
 * in parallel. */
static void
store (Kept *k, const float *out, int ww, int wh, int pw, int ph)
{
  StoreJob job = { k, out, ww, pw, ph };

  kept_clear (k);
  k->ww = ww;
  k->wh = wh;
  k->lab = g_new (guint32, (gsize) ww * wh);
  k->painted = ink_image_new (ww, wh);
  ink_parallel_rows (wh, store_row, &job);
}

static void
padded (InkLearned *l, int ww, int wh, int *pw, int *ph)
{
  int m = ink_network_multiple (l->network);

  *pw = (ww + m - 1) / m * m;
  *ph = (wh + m - 1) / m * m;
}

gboolean
ink_learned_paint (InkLearned *l, InkCompute *compute, const InkImage *src, int ww, int wh,
                   gboolean keep, const guint32 **lab, const InkImage **painted, double *ms,
                   GError **error)
{
  guint64 key = keep ? content_key (src, ww, wh) : 0;
  g_autofree float *out = NULL;
  Kept *k = &l->kept[0];
  int pw, ph;
  gint64 t0;

  *ms = 0.0;
  l->calls++;
  for (int i = 0; i < KEPT && keep; i++)
    if (l->kept[i].key == key && l->kept[i].ww == ww && l->kept[i].wh == wh)
      {
        l->kept[i].used = l->calls;
        *lab = l->kept[i].lab;
        *painted = l->kept[i].painted;
        return TRUE;
      }
  if (!ensure_network (l, compute, error))
    return FALSE;
  t0 = g_get_monotonic_time ();
  if (!run_network (l, src, ww, wh, NULL, NULL, &out, NULL, error))
    return FALSE;

  /* The least recently used place, or the scratch one. */
  for (int i = 1; i < KEPT; i++)
    if (l->kept[i].used < k->used)
      k = &l->kept[i];
  if (!keep)
    k = &l->scratch;
  padded (l, ww, wh, &pw, &ph);
  store (k, out, ww, wh, pw, ph);
  k->key = key;
  k->used = l->calls;
  *lab = k->lab;
  *painted = k->painted;
  *ms = (g_get_monotonic_time () - t0) / 1000.0;
  return TRUE;
}

gboolean
ink_learned_is_temporal (InkLearned *l, InkCompute *compute, gboolean *temporal, GError **error)
{
  if (!ensure_network (l, compute, error))
    return FALSE;
  *temporal = l->features >= 0;
  return TRUE;
}

/* Half -> float of one of the two halves packed in V. */
static float
half_at (guint32 v, int which)
{
  return ink_half_to_float ((guint16) (v >> (16 * which)));
}

/* The full-size span [*A, *B) under cells [I * SCALE, (I + 1) * SCALE) of a working grid of
 * WORK px over FULL px (cells past the picture, in the padding, take its last pixels). */
static void
footprint (int i, int scale, int work, int full, int *a, int *b)
{
  int w0 = MIN (i * scale, work - 1), w1 = MIN ((i + 1) * scale, work);

  *a = (int) ((gint64) w0 * full / work);
  *b = MAX (*a + 1, (int) (((gint64) w1 * full + work - 1) / work));
  *b = MIN (*b, full);
}

/* The motion from the previous frame to this one on the temporal layer's grid (GW x GH, in its
 * pixels), as training made it (the field averaged over each cell, in cell units): where each
 * cell's content was in the previous frame, from the two frames' displacements. */
static float *
grid_flow (const guint32 *disp, const guint32 *prev_disp, int width, int height, int ww, int wh,
           int scale, int gw, int gh)
{
  float *flow = g_new (float, (gsize) 2 * gw * gh);
  /* Full-size px to grid cells. */
  float kx = (float) ww / width / scale, ky = (float) wh / height / scale;

  for (int gy = 0; gy < gh; gy++)
    for (int gx = 0; gx < gw; gx++)
      {
        int x0, x1, y0, y1;
        double sx = 0.0, sy = 0.0;

        footprint (gx, scale, ww, width, &x0, &x1);
        footprint (gy, scale, wh, height, &y0, &y1);
        /* The content shown here now is at (here + now's displacement - then's) in the previous
         * frame, the displacements being smooth. */
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++)
            {
              gsize i = (gsize) y * width + x;
              sx += half_at (disp[i], 0) - half_at (prev_disp[i], 0);
              sy += half_at (disp[i], 1) - half_at (prev_disp[i], 1);
            }
        flow[(gsize) gy * gw + gx] = (float) (sx / ((x1 - x0) * (y1 - y0))) * kx;
        flow[(gsize) (gh + gy) * gw + gx] = (float) (sy / ((x1 - x0) * (y1 - y0))) * ky;
      }
  return flow;
}

gboolean
ink_learned_paint_frame (InkLearned *l, InkCompute *compute, const InkImage *moved,
                         const InkImage *prev, const guint32 *disp, const guint32 *prev_disp,
                         int ww, int wh, const guint32 **lab, const InkImage **painted,
                         double *ms, GError **error)
{
  g_autofree float *out = NULL, *flow = NULL, *features = NULL, *prev_out = NULL;
  guint64 prev_key;
  int pw, ph, gw, gh;
  gint64 t0 = g_get_monotonic_time ();

  if (!ensure_network (l, compute, error))
    return FALSE;
  if (l->features < 0 || prev == NULL)
    return ink_learned_paint (l, compute, moved, ww, wh, FALSE, lab, painted, ms, error);
  padded (l, ww, wh, &pw, &ph);
  gw = pw / l->flow_scale, gh = ph / l->flow_scale;

  /* The previous frame's features: kept from the last frame painted, or made now. */
  prev_key = content_key (prev, ww, wh);
  if (l->kept_features == NULL || l->kept_features_key != prev_key
      || l->kept_features_w != pw || l->kept_features_h != ph)
    {
      g_clear_pointer (&l->kept_features, g_free);
      if (!run_network (l, prev, ww, wh, NULL, NULL, &prev_out, &l->kept_features, error))
        return FALSE;
      l->kept_features_key = prev_key;
      l->kept_features_w = pw, l->kept_features_h = ph;
    }
  flow = grid_flow (disp, prev_disp, moved->width, moved->height, ww, wh, l->flow_scale, gw, gh);
  if (!run_network (l, moved, ww, wh, l->kept_features, flow, &out, &features, error))
    return FALSE;
  g_free (l->kept_features);
  l->kept_features = g_steal_pointer (&features);
  l->kept_features_key = content_key (moved, ww, wh);

  store (&l->scratch, out, ww, wh, pw, ph);
  *lab = l->scratch.lab;
  *painted = l->scratch.painted;
  *ms = (g_get_monotonic_time () - t0) / 1000.0;
  return TRUE;
}
