/* learned.c: the learned generator's colour (learned.h): the photo at the working size through
 * the trained network, as lab32 for the stylizer's flatten pass and as an image for its palette. */
#include "ink-config.h"

#include "learned.h"

#include <math.h>
#include <string.h>

#include "color.h"
#include "ink-error.h"
#include "network.h"
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
  const guint64 *w = (const guint64 *) src->pixels;   /* a pixel is 4 x 16 bits */
  gsize n = (gsize) src->width * src->height;
  guint64 h = 0xcbf29ce484222325ull;

  h = (h ^ (guint64) src->width) * 0x100000001b3ull;
  h = (h ^ (guint64) src->height) * 0x100000001b3ull;
  h = (h ^ (guint64) ww) * 0x100000001b3ull;
  h = (h ^ (guint64) wh) * 0x100000001b3ull;
  for (gsize i = 0; i < n; i++)
    {
      h ^= w[i];
      h *= 0x100000001b3ull;
      h ^= h >> 29;
    }
  return h == 0 ? 1 : h;
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
  return l->runner != NULL;
}

/* SRC box-averaged in linear light to WW x WH, as sRGB planes of PH x PW (the multiples of M at
 * or above), the edge repeated into the padding. */
static float *
input_planes (const InkImage *src, int ww, int wh, int pw, int ph)
{
  float *planes = g_new (float, (gsize) 3 * pw * ph);
  int sw = src->width, sh = src->height;

  for (int y = 0; y < ph; y++)
    for (int x = 0; x < pw; x++)
      {
        int cx = MIN (x, ww - 1), cy = MIN (y, wh - 1);
        int x0 = (cx * sw) / ww, x1 = MAX (x0 + 1, ((cx + 1) * sw) / ww);
        int y0 = (cy * sh) / wh, y1 = MAX (y0 + 1, ((cy + 1) * sh) / wh);
        float sum[3] = { 0 };

        if (y < wh && x < ww)
          {
            for (int sy = y0; sy < y1; sy++)
              for (int sx = x0; sx < x1; sx++)
                for (int c = 0; c < 3; c++)
                  sum[c] += ink_srgb_to_linear (src->pixels[4 * ((gsize) sy * sw + sx) + c]
                                                / 65535.0f);
            for (int c = 0; c < 3; c++)
              planes[((gsize) c * ph + y) * pw + x]
                = ink_linear_to_srgb (sum[c] / (float) ((x1 - x0) * (y1 - y0)));
          }
        else
          for (int c = 0; c < 3; c++)
            planes[((gsize) c * ph + y) * pw + x] = planes[((gsize) c * ph + cy) * pw + cx];
      }
  return planes;
}

gboolean
ink_learned_paint (InkLearned *l, InkCompute *compute, const InkImage *src, int ww, int wh,
                   gboolean keep, const guint32 **lab, const InkImage **painted, double *ms,
                   GError **error)
{
  guint64 key = keep ? content_key (src, ww, wh) : 0;
  const float *inputs[INK_NETWORK_MAX_INPUTS] = { NULL };
  float *extra[INK_NETWORK_MAX_INPUTS] = { NULL };
  g_autofree float *planes = NULL, *out = NULL;
  Kept *k = &l->kept[0];
  int m, pw, ph;
  gboolean ok;
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
  m = ink_network_multiple (l->network);
  pw = (ww + m - 1) / m * m;
  ph = (wh + m - 1) / m * m;
  planes = input_planes (src, ww, wh, pw, ph);
  inputs[0] = planes;
  /* The other inputs (the temporal layer's previous frame and its motion) are zeros: a still. */
  for (guint i = 1; i < ink_network_n_inputs (l->network); i++)
    {
      int s = ink_network_input_scale (l->network, i);
      extra[i] = g_new0 (float, (gsize) ink_network_input_channels (l->network, i)
                                * (ph / s) * (pw / s));
      inputs[i] = extra[i];
    }
  out = g_try_new (float, (gsize) 3 * pw * ph);
  ok = out != NULL;
  if (!ok)
    g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                 "out of memory for the learned generator at %dx%d", pw, ph);
  else
    ok = ink_network_run (l->runner, inputs, ph, pw, out, NULL, error);
  for (int i = 0; i < INK_NETWORK_MAX_INPUTS; i++)
    g_free (extra[i]);
  if (!ok)
    {
      g_prefix_error (error, "%s: ", l->path);
      return FALSE;
    }

  /* The least recently used place, or the scratch one. */
  for (int i = 1; i < KEPT; i++)
    if (l->kept[i].used < k->used)
      k = &l->kept[i];
  if (!keep)
    k = &l->scratch;
  kept_clear (k);
  k->key = key;
  k->ww = ww;
  k->wh = wh;
  k->used = l->calls;
  k->lab = g_new (guint32, (gsize) ww * wh);
  k->painted = ink_image_new (ww, wh);
  for (int y = 0; y < wh; y++)
    for (int x = 0; x < ww; x++)
      {
        gsize i = (gsize) y * ww + x;
        float rgb[3], lin[3], c[3];

        for (int ch = 0; ch < 3; ch++)
          {
            rgb[ch] = ink_clampf (out[((gsize) ch * ph + y) * pw + x], 0.0f, 1.0f);
            lin[ch] = ink_srgb_to_linear (rgb[ch]);
            k->painted->pixels[4 * i + ch] = (guint16) lrintf (rgb[ch] * 65535.0f);
          }
        k->painted->pixels[4 * i + 3] = 65535;
        ink_linear_to_oklab (lin, c);
        k->lab[i] = ink_pack_lab (c);
      }
  *lab = k->lab;
  *painted = k->painted;
  *ms = (g_get_monotonic_time () - t0) / 1000.0;
  return TRUE;
}
