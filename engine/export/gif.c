/* gif.c: the GIF export: one libimagequant palette, a nearest-colour table, ordered or diffusion
 * dither, temporal snapping; the file is written by gif-write.c. */
#include "export-private.h"

#include <math.h>
#include <string.h>

#include <libimagequant.h>

#include "gif-write-private.h"
#include "ink-error.h"

/* The GIF palette sees at most this many pixels of each frame (evenly subsampled). */
#define HISTOGRAM_PIXELS (1 << 19)
/* GIF delays are centiseconds; browsers turn 1 cs into 10 cs, so 50 fps is the fastest rate. */
#define GIF_MAX_FPS 50.0

/* The nearest palette entry to each colour, filled on first use: the loop's frames hold far fewer
 * distinct colours than there are, so each is searched once, and the table (32 MB, allocated
 * zeroed) takes the memory of only the pages those colours fall in. Mapping through a fixed table
 * also keeps unchanged pixels unchanged from frame to frame. Every colour gets its own nearest
 * entry: rounding colours to 7 bits a channel first, as before, cost the sample loop 0.2 dB of
 * PSNR at the same size. (Smaller tables, of hashed colours or of the colours at 7 bits holding
 * the last one searched, made the mapping slower: more searches, or more cache misses.) */
#define LUT_SIZE ((gsize) 1 << 24)

typedef struct {
  const liq_palette *palette;
  int n;
  guint16 *lut;               /* per colour, its entry + 1; 0: not searched yet */
  guint8 by_green[256];       /* the opaque entries, by green */
  int n_opaque;
  int from_green[256];        /* per green level, the first of BY_GREEN at or above it */
} Nearest;

static void
nearest_init (Nearest *near, const liq_palette *palette)
{
  near->palette = palette;
  near->n = palette->count;
  near->n_opaque = 0;
  for (int g = 0; g < 256; g++)
    for (int i = 0; i < near->n; i++)
      if (palette->entries[i].a == 255 && palette->entries[i].g == g)
        near->by_green[near->n_opaque++] = (guint8) i;
  for (int g = 0, k = 0; g < 256; g++)
    {
      while (k < near->n_opaque && palette->entries[near->by_green[k]].g < g)
        k++;
      near->from_green[g] = k;
    }
}

/* The nearest opaque entry to R, G, B (ties: the lowest index; none opaque: 0), searched outward
 * from G in order of green, until green alone puts the rest further than the best. */
static inline guint8
nearest_index (Nearest *near, int r, int g, int b)
{
  int best = 0, lo, hi;
  gint64 best_d = G_MAXINT64;
  guint16 *slot = &near->lut[(gsize) r << 16 | (gsize) g << 8 | (gsize) b];

  /* Bands of a frame map on threads of their own: each slot is read and written whole (both
     write the same entry when they search one colour at once). */
  guint16 known = __atomic_load_n (slot, __ATOMIC_RELAXED);

  if (known != 0)
    return (guint8) (known - 1);
  hi = near->from_green[g], lo = hi - 1;
  while (lo >= 0 || hi < near->n_opaque)
    {
      int below = lo >= 0 ? g - near->palette->entries[near->by_green[lo]].g : G_MAXINT;
      int above = hi < near->n_opaque ? near->palette->entries[near->by_green[hi]].g - g : G_MAXINT;
      int i = below <= above ? near->by_green[lo--] : near->by_green[hi++];
      int dg = MIN (below, above);
      const liq_color *c = &near->palette->entries[i];
      gint64 d;

      if (4 * (gint64) dg * dg > best_d)
        break;
      d = ink_gif_distance (r, g, b, c->r, c->g, c->b);
      if (d < best_d || (d == best_d && i < best))
        best_d = d, best = i;
    }
  __atomic_store_n (slot, (guint16) (best + 1), __ATOMIC_RELAXED);
  return (guint8) best;
}

static inline gint64
colour_distance (const liq_color *c, const int want[3])
{
  return ink_gif_distance (want[0], want[1], want[2], c->r, c->g, c->b);
}

/* The entry for WANT: the nearest (IDX), or the entry the pixel had in the frame before (PREV,
 * -1: none) when that is at most SNAP (a weighted squared distance) further from WANT. A pixel that
 * barely changed then keeps its index, which the GIF leaves out as transparent: the camera's
 * breath and the dither's noise no longer rewrite every pixel of every frame (gifski's temporal
 * denoising does the same). The error stays within SNAP of the best choice, frame by frame, never
 * summed. */
static inline guint8
choose_index (Nearest *near, const int want[3], guint8 idx, int prev, gint64 snap)
{
  if (prev >= 0 && prev != idx
      && colour_distance (&near->palette->entries[prev], want)
           <= colour_distance (&near->palette->entries[idx], want) + snap)
    return (guint8) prev;
  return idx;
}

typedef struct {
  Nearest *near;
  const guint32 *rgba, *prev_rgba;
  const guint8 *prev;
  int width, y0, y1, stride;
  InkDither dither;
  gint64 snap;
  guint8 *rows;
} Band;

/* Rows Y0 .. Y1 - 1 of a frame (remap_frame); the diffusion starts afresh at Y0. */
static void
remap_band (const Band *band)
{
  Nearest *near = band->near;
  const guint32 *rgba = band->rgba, *prev_rgba = band->prev_rgba;
  const guint8 *prev = band->prev;
  int width = band->width, stride = band->stride;
  InkDither dither = band->dither;
  gint64 snap = band->snap;
  guint8 *rows = band->rows;
  static const guint8 bayer[8][8] = {
    { 0, 32, 8, 40, 2, 34, 10, 42 },   { 48, 16, 56, 24, 50, 18, 58, 26 },
    { 12, 44, 4, 36, 14, 46, 6, 38 },  { 60, 28, 52, 20, 62, 30, 54, 22 },
    { 3, 35, 11, 43, 1, 33, 9, 41 },   { 51, 19, 59, 27, 49, 17, 57, 25 },
    { 15, 47, 7, 39, 13, 45, 5, 37 },  { 63, 31, 55, 23, 61, 29, 53, 21 },
  };
  /* Ordered: a sixth of a palette step (the colours' cube root over 0..255) breaks up bands;
     half a step, the textbook amount, cost 6 dB of PSNR on cel-shaded frames. */
  float spread = 0.15f * 255.0f / cbrtf ((float) near->n);
  /* Diffusion: Floyd-Steinberg, serpentine, a third of the error carried and clamped, so flat
     regions that match a palette colour stay clean and only gradients get a pattern (a half
     made the sample loop 0.3 % larger at 0.04 dB less). */
  g_autofree int *err = dither == INK_DITHER_DIFFUSION ? g_new0 (int, (gsize) (width + 2) * 6)
                                                      : NULL;

  for (int y = band->y0; y < band->y1; y++)
    {
      const guint32 *src = rgba + (gsize) y * width;
      const guint8 *before = prev != NULL ? prev + (gsize) y * width : NULL;
      const guint32 *src_before = prev != NULL ? prev_rgba + (gsize) y * width : NULL;
      guint8 *dst = rows + (gsize) y * stride;

      if (dither != INK_DITHER_DIFFUSION)
        for (int x = 0; x < width; x++)
          {
            int d = dither == INK_DITHER_ORDERED
                      ? (int) lrintf ((bayer[y & 7][x & 7] / 64.0f - 0.5f) * spread) : 0;
            int want[3] = { CLAMP ((int) (src[x] & 0xff) + d, 0, 255),
                            CLAMP ((int) (src[x] >> 8 & 0xff) + d, 0, 255),
                            CLAMP ((int) (src[x] >> 16 & 0xff) + d, 0, 255) };
            dst[x] = before != NULL && src_before[x] == src[x]
                       ? before[x]
                       : choose_index (near, want, nearest_index (near, want[0], want[1], want[2]),
                                       before != NULL ? before[x] : -1, snap);
          }
      else
        {
          /* Two rows of errors (x16), three channels, one pixel of margin each side. */
          int *cur = err + (y & 1) * (width + 2) * 3, *next = err + ((y + 1) & 1) * (width + 2) * 3;
          gboolean ltr = (y & 1) == 0;
          int dir = ltr ? 1 : -1;
          memset (next, 0, sizeof (int) * (width + 2) * 3);
          for (int k = 0, x = ltr ? 0 : width - 1; k < width; k++, x += dir)
            {
              int want[3], e[3];
              guint8 best;
              const liq_color *c;
              for (int ch = 0; ch < 3; ch++)
                want[ch] = CLAMP ((int) (src[x] >> (8 * ch) & 0xff)
                                    + CLAMP (cur[(x + 1) * 3 + ch] / 48, -24, 24), 0, 255);
              best = nearest_index (near, want[0], want[1], want[2]);
              dst[x] = before != NULL && src_before[x] == src[x]
                         ? before[x]
                         : choose_index (near, want, best, before != NULL ? before[x] : -1, snap);
              /* The error passed on is the nearest entry's, kept entry or not: the pattern then
                 follows the picture alone, and a pixel that kept its entry does not push its
                 neighbours off theirs (sample loop: 3.6 % smaller for 0.15 dB). */
              c = &near->palette->entries[best];
              e[0] = want[0] - c->r, e[1] = want[1] - c->g, e[2] = want[2] - c->b;
              for (int ch = 0; ch < 3; ch++)
                {
                  cur[(x + 1 + dir) * 3 + ch] += e[ch] * 7;
                  next[(x + 1 - dir) * 3 + ch] += e[ch] * 3;
                  next[(x + 1) * 3 + ch] += e[ch] * 5;
                  next[(x + 1 + dir) * 3 + ch] += e[ch] * 1;
                }
            }
        }
    }
}

static gpointer
remap_band_thread (gpointer data)
{
  remap_band (data);
  return NULL;
}

/* Maps one frame to palette indices (ROWS: STRIDE bytes apart) with DITHER. PREV: the indices of
 * the frame before (WIDTH a row), or NULL; PREV_RGBA: that frame's pixels; SNAP: see
 * choose_index. A pixel equal to its colour in the frame before keeps its index outright, whatever
 * the dither carries into it: a still part of the picture is left out of the GIF whole, where
 * snapping alone let 0.2 % of its pixels change (the dither's error from moving neighbours).
 *
 * The frame is mapped in BANDS bands of rows, each on a thread of its own (the calling thread
 * takes the first; without another thread, it takes them all, with the same result). The number
 * of bands depends on the picture alone, never on the machine, so the file does too. At 1920 px
 * the mapping took 2.8 s on one thread and 1.5-1.7 s in two bands (sample loop: 6 bytes more,
 * the same PSNR). */
#define BANDS 2
#define BAND_MIN_ROWS 64

static void
remap_frame (Nearest *near, const guint32 *rgba, int width, int height, InkDither dither,
             const guint8 *prev, const guint32 *prev_rgba, gint64 snap, guint8 *rows, int stride)
{
  int n = height >= BANDS * BAND_MIN_ROWS ? BANDS : 1;
  Band bands[BANDS];
  GThread *threads[BANDS] = { NULL };

  for (int b = 0; b < n; b++)
    bands[b] = (Band) {
      .near = near, .rgba = rgba, .prev_rgba = prev_rgba, .prev = prev, .width = width,
      .y0 = height * b / n, .y1 = height * (b + 1) / n, .stride = stride, .dither = dither,
      .snap = snap, .rows = rows,
    };
  for (int b = 1; b < n; b++)
    threads[b] = g_thread_try_new ("gif-map", remap_band_thread, &bands[b], NULL);
  remap_band (&bands[0]);
  for (int b = 1; b < n; b++)
    if (threads[b] != NULL)
      g_thread_join (threads[b]);
    else
      remap_band (&bands[b]);
}

static gboolean
liq_failed (GError **error, const char *path, const char *what, liq_error err)
{
  g_set_error (error, INK_ERROR, err == LIQ_OUT_OF_MEMORY ? INK_ERROR_TOO_LARGE : INK_ERROR_FAILED,
               "%s: %s failed (libimagequant error %d)", path, what, (int) err);
  return FALSE;
}

/* One palette for the whole loop, from an even subsample of every frame. */
static liq_result *
gif_palette (InkExportJob *job, liq_attr *attr, GError **error)
{
  liq_histogram *hist = liq_histogram_create (attr);
  gsize pixels = (gsize) job->width * job->height;
  int step = pixels > HISTOGRAM_PIXELS ? (int) ceil (sqrt ((double) pixels / HISTOGRAM_PIXELS)) : 1;
  int sw = (job->width + step - 1) / step, sh = (job->height + step - 1) / step;
  g_autofree guint32 *small = step > 1 ? g_new (guint32, (gsize) sw * sh) : NULL;
  liq_result *result = NULL;
  liq_error err;

  for (int i = 0; i < job->n; i++)
    {
      /* Frame 0 is rendered ahead for the mapping pass that follows. */
      const guint32 *frame = ink_export_job_frame (job, i, (i + 1) % job->n, TRUE, error);
      liq_image *image;
      if (frame == NULL)
        goto out;
      if (step > 1)
        {
          for (int y = 0; y < sh; y++)
            for (int x = 0; x < sw; x++)
              small[(gsize) y * sw + x] = frame[(gsize) (y * step) * job->width + x * step];
          frame = small;
        }
      image = liq_image_create_rgba (attr, frame, step > 1 ? sw : job->width,
                                     step > 1 ? sh : job->height, 0);
      if (image == NULL)
        {
          liq_failed (error, job->path, "reading a frame", LIQ_OUT_OF_MEMORY);
          goto out;
        }
      err = liq_histogram_add_image (hist, attr, image);
      liq_image_destroy (image);
      if (err != LIQ_OK)
        {
          liq_failed (error, job->path, "counting colours", err);
          goto out;
        }
      ink_export_job_step (job);
    }
  err = liq_histogram_quantize (hist, attr, &result);
  if (err != LIQ_OK)
    liq_failed (error, job->path, "choosing the palette", err);
out:
  liq_histogram_destroy (hist);
  return result;
}

/* How much worse than the nearest entry a pixel's entry of the frame before may be and still be
 * kept (choose_index), in levels on each channel at quality 100; more as the quality falls (twice
 * at 75). With the LZW tolerance below it sets the size against the PSNR; 3.9 and 1.25 levels
 * (from 3 and 2) take the sample loop (600x400) from 1,129,308 bytes at 43.08 dB to 1,030,869
 * bytes at 42.81 dB, under 1 MiB, where gifski 1.7.1 makes 1,342,698 bytes at 42.68 dB. On the
 * four sample photos at 512 px the GIFs are 6-16 % smaller than before and 0.16-0.9 dB above
 * gifski's. */
#define SNAP_LEVELS 3.9

static gint64
gif_snap (int quality)
{
  double levels = SNAP_LEVELS * (1.0 + (100 - quality) / 25.0);

  return (gint64) llround (9.0 * levels * levels);
}

/* The LZW coder's tolerance (gif-write.c), in the same units, likewise growing as the quality
 * falls. Past a level or so it buys fewer bytes for its PSNR than snapping: on the sample loop
 * at 3.8 levels of snapping (half the dither's error carried), 1 and 2 levels gave 1,050,921
 * bytes at 42.89 dB and 1,021,515 at 42.65 dB (121 kB a dB), where snapping 4.0 levels instead
 * of 3.8 gave 150 kB a dB. */
#define LOSSY_LEVELS 1.25

static gint64
gif_tolerance (int quality)
{
  double levels = LOSSY_LEVELS * (1.0 + (100 - quality) / 25.0);

  return (gint64) llround (9.0 * levels * levels);
}

gboolean
ink_export_write_gif (InkExportJob *job, const char *tmp_path, const InkExportParams *params,
                      int colors, int quality, InkExportResult *result, GError **error)
{
  liq_attr *attr = liq_attr_create ();
  liq_result *quant = NULL;
  const liq_palette *palette;
  Nearest near = { 0 };
  InkGifWriter *writer = NULL;
  g_autofree guint32 *prev = NULL;
  g_autofree guint8 *indices = NULL;
  guint8 rgb[256 * 3];
  gint64 snap, tolerance;
  double fps = MIN (job->fps, GIF_MAX_FPS);
  gint64 t_start, t_remap = 0, t_encode = 0, t0;
  gint64 total_cs = llround (job->n * 100.0 / fps);
  gsize pixels = (gsize) job->width * job->height;
  gboolean ok = FALSE;
  int written = 0;

  job->total = job->done + 2.0 * job->n;
  /* One entry is kept transparent: the writer leaves unchanged pixels out of each frame, which
   * is most of a loop. libimagequant makes no palette under 2 colours (it refuses 1 and would
   * keep 256), so 2 colours take a third index for transparency. */
  if (liq_set_max_colors (attr, MAX (2, colors - 1)) != LIQ_OK)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "%s: a GIF palette of %d colours cannot be "
                   "made; choose 2 to 256", job->path, colors);
      goto out;
    }
  liq_set_quality (attr, 0, quality);
  liq_set_speed (attr, 3);   /* speed 1 measured no better on these frames, and slower */
  t_start = g_get_monotonic_time ();
  quant = gif_palette (job, attr, error);
  if (quant == NULL)
    goto out;
  g_debug ("gif: palette %.0f ms", (g_get_monotonic_time () - t_start) / 1000.0);
  palette = liq_get_palette (quant);
  for (guint c = 0; c < palette->count; c++)
    {
      rgb[3 * c] = palette->entries[c].r;
      rgb[3 * c + 1] = palette->entries[c].g;
      rgb[3 * c + 2] = palette->entries[c].b;
    }

  writer = ink_gif_writer_new (tmp_path, job->path, job->width, job->height, rgb,
                               (int) palette->count, error);
  if (writer == NULL)
    goto out;
  prev = g_try_malloc (pixels * 4);
  indices = g_try_malloc (pixels);
  snap = gif_snap (quality);
  tolerance = gif_tolerance (quality);
  nearest_init (&near, palette);
  near.lut = g_try_malloc0 (sizeof (guint16) * LUT_SIZE);
  if (prev == NULL || indices == NULL || near.lut == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      goto out;
    }

  for (int i = 0; i < job->n; i++)
    {
      const guint32 *frame = ink_export_job_frame (job, i, i + 1 < job->n ? i + 1 : -1, TRUE,
                                                   error);
      /* Delays in centiseconds are rounded on the running total (24 fps: 4, 4, 5, ...), so
         the loop lasts exactly N / FPS; equal neighbours merge into one longer frame. */
      gint64 pts = llround (i * 100.0 / fps);
      if (frame == NULL)
        goto out;
      ink_export_job_step (job);
      /* A frame equal to the one before only lengthens that one's delay. */
      if (written > 0 && memcmp (frame, prev, pixels * 4) == 0)
        continue;
      t0 = g_get_monotonic_time ();
      /* Snapping and keeping compare with what is on screen, which the tolerance may have
         made differ from the frame before's own choice. */
      remap_frame (&near, frame, job->width, job->height, params->dither,
                   written > 0 ? ink_gif_writer_shown (writer) : NULL, prev, snap, indices,
                   job->width);
      t_remap += g_get_monotonic_time () - t0;
      t0 = g_get_monotonic_time ();
      if (!ink_gif_writer_frame (writer, indices, frame, written > 0 ? prev : NULL, tolerance,
                                 pts, error))
        goto out;
      t_encode += g_get_monotonic_time () - t0;
      memcpy (prev, frame, pixels * 4);
      written++;
    }
  /* The last frame lasts what is left of the loop. */
  if (!ink_gif_writer_finish (writer, total_cs, error))
    goto out;
  g_debug ("gif: mapping %.0f ms, encoding %.0f ms, all %.0f ms", t_remap / 1000.0,
           t_encode / 1000.0, (g_get_monotonic_time () - t_start) / 1000.0);
  result->colors = palette->count;
  result->frames = written;
  ok = TRUE;
out:
  ink_gif_writer_free (&writer);
  g_free (near.lut);
  if (quant != NULL)
    liq_result_destroy (quant);
  liq_attr_destroy (attr);
  return ok;
}
