/* webp.c: the animated WebP writer: lossy frames at the loop's rate, played forever, each frame
 * after the first only the rectangle that changed, equal neighbours merged, the last frame
 * lasting to the loop's end.
 *
 * Each frame is encoded by libwebp on its own, several at once on a pool of threads, and the
 * frames are then put together by libwebp's muxer. Before, FFmpeg's libwebp_anim (and then
 * libwebp's WebPAnimEncoder) encoded the frames one after another on one thread, each several
 * times to choose between a key frame and blended sub-frames: the sample's 24 frames at 1920 px
 * took 9.1 s, against 7.5 s for the ffmpeg command line. Every frame here replaces its rectangle
 * (no blending) and leaves it for the next (no disposal), which every WebP decoder shows alike. */
#include "export-private.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "atomic-file.h"
#include "ink-error.h"

/* Rectangles are whole macroblocks of VP8, the lossy codec. */
#define MACROBLOCK 16
/* What the frames waiting or being encoded may take, about. */
#define FLIGHT_BUDGET ((gsize) 256 << 20)

/* What the pool's threads and the writer share: a frame's done flag is set under LOCK. */
typedef struct {
  GMutex lock;
  GCond cond;
  const WebPConfig *config;
} Shared;

/* One frame's rectangle, encoded on the pool. */
typedef struct {
  int start;                        /* the loop frame it starts at */
  int x, y;                         /* its place on the canvas (even, as WebP stores it) */
  WebPPicture picture;
  WebPMemoryWriter bitstream;
  gboolean done, ok;
} Frame;

static void
encode_frame (gpointer data, gpointer user_data)
{
  Frame *f = data;
  Shared *shared = user_data;
  gboolean ok;

  f->picture.writer = WebPMemoryWrite;
  f->picture.custom_ptr = &f->bitstream;
  ok = WebPEncode (shared->config, &f->picture);
  g_mutex_lock (&shared->lock);
  f->ok = ok;
  f->done = TRUE;
  g_cond_broadcast (&shared->cond);
  g_mutex_unlock (&shared->lock);
}

static void
frame_free (gpointer data)
{
  Frame *f = data;

  WebPPictureFree (&f->picture);
  WebPMemoryWriterClear (&f->bitstream);
  g_free (f);
}

/* Frame I's start in ms at FPS, rounded on the running total so the loop keeps its length. */
static int
start_ms (int i, double fps)
{
  return (int) lrint (1000.0 * i / fps);
}

static const char *
encoder_error (WebPEncodingError code)
{
  switch (code)
    {
    case VP8_ENC_ERROR_OUT_OF_MEMORY:
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_ENC_ERROR_BAD_DIMENSION:
      return "the picture is too large for WebP (16383 px a side at most); try a smaller --size";
    case VP8_ENC_ERROR_FILE_TOO_BIG:
      return "the animation is larger than WebP allows (4 GiB); try a smaller --size";
    default:
      return "the WebP encoder failed";
    }
}

/* The muxer's ERR for PATH. */
static gboolean
mux_failed (GError **error, const char *path, WebPMuxError err)
{
  gboolean memory = err == WEBP_MUX_MEMORY_ERROR;

  g_set_error (error, INK_ERROR, memory ? INK_ERROR_TOO_LARGE : INK_ERROR_FAILED, "%s: %s", path,
               memory ? "out of memory" : "the WebP muxer failed");
  return FALSE;
}

/* A libwebp whose structures differ from its headers' (WebP*Init refused them). */
static gboolean
version_failed (GError **error, const char *path)
{
  g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "%s: this libwebp is not the one Inkloop was "
               "built with; reinstall libwebp", path);
  return FALSE;
}

/* Waits for the oldest frame in FLIGHT, then adds it to MUX lasting until END_MS. */
static gboolean
mux_oldest (Shared *shared, GPtrArray *flight, WebPMux *mux, double fps, int end_ms,
            const char *path, GError **error)
{
  Frame *f = g_ptr_array_index (flight, 0);
  WebPMuxFrameInfo info = {
    .x_offset = f->x, .y_offset = f->y,
    .duration = end_ms - start_ms (f->start, fps),
    .id = WEBP_CHUNK_ANMF,
    .dispose_method = WEBP_MUX_DISPOSE_NONE,
    .blend_method = WEBP_MUX_NO_BLEND,
  };
  WebPMuxError err;

  g_mutex_lock (&shared->lock);
  while (!f->done)
    g_cond_wait (&shared->cond, &shared->lock);
  g_mutex_unlock (&shared->lock);
  if (!f->ok)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: %s", path,
                   encoder_error (f->picture.error_code));
      return FALSE;
    }
  info.bitstream.bytes = f->bitstream.mem;
  info.bitstream.size = f->bitstream.size;
  err = WebPMuxPushFrame (mux, &info, 1);
  g_ptr_array_remove_index (flight, 0);
  if (err != WEBP_MUX_OK)
    return mux_failed (error, path, err);
  return TRUE;
}

gboolean
ink_export_write_webp (InkExportJob *job, const char *tmp_path, int quality,
                       InkExportResult *result, GError **error)
{
  gsize pixels = (gsize) job->width * job->height;
  g_autofree guint32 *prev = g_try_malloc (pixels * 4);
  g_autoptr (GPtrArray) flight = g_ptr_array_new_with_free_func (frame_free);
  int workers = CLAMP ((int) g_get_num_processors (), 1, 16);
  int in_flight = (int) MIN ((gsize) workers + 1, MAX (2, FLIGHT_BUDGET / (2 * 4 * pixels)));
  GThreadPool *pool = NULL;
  WebPMux *mux = WebPMuxNew ();
  WebPMuxAnimParams anim = { .bgcolor = 0xffffffff, .loop_count = 0 };   /* forever */
  WebPConfig config;
  Shared shared = { .config = &config };
  WebPData data = { NULL, 0 };
  FILE *file = NULL;
  int written = 0, errsv = 0;
  gboolean ok = FALSE;

  job->total = job->done + job->n;
  g_mutex_init (&shared.lock);
  g_cond_init (&shared.cond);
  if (prev == NULL || mux == NULL)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      goto out;
    }
  if (!WebPConfigPreset (&config, WEBP_PRESET_DRAWING, quality))
    {
      version_failed (error, job->path);
      goto out;
    }
  /* The pool's threads start now (exclusive): where none can, this thread encodes each frame. */
  pool = g_thread_pool_new (encode_frame, &shared, workers, TRUE, NULL);
  {
    WebPMuxError err = WebPMuxSetCanvasSize (mux, job->width, job->height);
    if (err == WEBP_MUX_OK)
      err = WebPMuxSetAnimationParams (mux, &anim);
    if (err != WEBP_MUX_OK)
      {
        mux_failed (error, job->path, err);
        goto out;
      }
  }
  for (int i = 0; i < job->n; i++)
    {
      const guint32 *frame = ink_export_job_frame (job, i, i + 1 < job->n ? i + 1 : -1, FALSE,
                                                   error);
      int x0 = 0, y0 = 0, x1 = job->width - 1, y1 = job->height - 1;
      Frame *f;

      if (frame == NULL)
        goto out;
      ink_export_job_step (job);
      /* The rectangle in whole 16 px macroblocks of the canvas: the encoder's ringing around
         a change stays inside blocks that the next change to them sends again whole, rather
         than lingering beside a rectangle cut through a block (a red pixel moving over grey
         left 35 levels of it; 10 so, and a smaller file). Offsets are then even, as WebP
         stores them. */
      if (written > 0
          && !ink_export_changed_rect (frame, prev, job->width, job->height, MACROBLOCK, &x0, &y0,
                                       &x1, &y1))
        continue;   /* lengthens the frame before */
      /* The frames ahead of this one wait in order; the oldest leaves once this one says when it
       * ends. At most one more than the pool's threads are held, and no more than the budget
       * (each costs about twice its pixels while encoding). */
      while ((int) flight->len >= in_flight)
        {
          int end = ((Frame *) g_ptr_array_index (flight, 1))->start;
          if (!mux_oldest (&shared, flight, mux, job->fps, start_ms (end, job->fps), job->path,
                           error))
            goto out;
        }
      f = g_new0 (Frame, 1);
      g_ptr_array_add (flight, f);
      WebPMemoryWriterInit (&f->bitstream);
      if (!WebPPictureInit (&f->picture))
        {
          version_failed (error, job->path);
          goto out;
        }
      f->start = i, f->x = x0, f->y = y0;
      f->picture.use_argb = 1;
      f->picture.width = x1 - x0 + 1;
      f->picture.height = y1 - y0 + 1;
      if (!WebPPictureAlloc (&f->picture))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: %s", job->path,
                       encoder_error (f->picture.error_code));
          goto out;
        }
      /* R G B A bytes to libwebp's ARGB words. */
      for (int y = 0; y < f->picture.height; y++)
        {
          const guint32 *src = frame + (gsize) (y0 + y) * job->width + x0;
          guint32 *dst = f->picture.argb + (gsize) y * f->picture.argb_stride;
          for (int x = 0; x < f->picture.width; x++)
            dst[x] = (src[x] & 0xff00ff00u) | (src[x] >> 16 & 0xff) | (src[x] & 0xff) << 16;
        }
      memcpy (prev, frame, pixels * 4);
      if (pool != NULL)
        g_thread_pool_push (pool, f, NULL);
      else
        encode_frame (f, &shared);
      written++;
    }
  /* The last frame lasts to the end of the loop. */
  while (flight->len > 0)
    {
      int end = flight->len > 1 ? ((Frame *) g_ptr_array_index (flight, 1))->start : job->n;
      if (!mux_oldest (&shared, flight, mux, job->fps, start_ms (end, job->fps), job->path,
                       error))
        goto out;
    }
  {
    WebPMuxError err = WebPMuxAssemble (mux, &data);
    if (err != WEBP_MUX_OK)
      {
        mux_failed (error, job->path, err);
        goto out;
      }
  }
  file = g_fopen (tmp_path, "wb");
  if (file == NULL || fwrite (data.bytes, 1, data.size, file) != data.size || fflush (file) != 0)
    errsv = errno != 0 ? errno : EIO;
  if (file != NULL && fclose (file) != 0 && errsv == 0)
    errsv = errno != 0 ? errno : EIO;
  if (errsv != 0)
    {
      ink_set_write_error (error, job->path, errsv);
      goto out;
    }
  result->frames = written;
  ok = TRUE;
out:
  /* Frames still on the pool finish (those queued are dropped) before any is freed. */
  if (pool != NULL)
    g_thread_pool_free (pool, TRUE, TRUE);
  g_ptr_array_set_size (flight, 0);
  g_mutex_clear (&shared.lock);
  g_cond_clear (&shared.cond);
  WebPDataClear (&data);
  WebPMuxDelete (mux);
  return ok;
}
