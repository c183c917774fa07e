/* mp4.c: the MP4 writer: H.264 (libx264), BT.709 limited range, odd sides padded, the loop repeated. */
#include "export-private.h"

#include <math.h>
#include <string.h>

#include <libavutil/cpu.h>
#include <libswscale/swscale.h>

#include "audio-copy.h"
#include "ink-error.h"

/* The x264 option that keeps it from its AVX-512 code, or NULL. On a CPU with AVX-512, Debian
 * 12's x264 (0.164) gave a different file from run to run for the same frames (a learned loop
 * at 320 px, the frames and their YUV planes hashing the same every run): the file followed what
 * the heap held (the same every run with MALLOC_PERTURB_, with x264's AVX2 code or with none),
 * so an AVX-512 function reads memory it did not write. Up to AVX2 every run gives the same
 * file. x264 then gets the features it would have found below AVX-512: a CPU with AVX-512 has
 * AVX2, FMA3, BMI1 and 2 and LZCNT (x264's "AVX2" set), and fast SSE2. */
static const char *
x264_cpu_option (void)
{
  int flags = av_get_cpu_flags ();
  int below = AV_CPU_FLAG_AVX2 | AV_CPU_FLAG_FMA3 | AV_CPU_FLAG_BMI2;

  if ((flags & AV_CPU_FLAG_AVX512) == 0 || (flags & below) != below)
    return NULL;
  return (flags & AV_CPU_FLAG_SSE2SLOW) != 0 ? "asm=AVX2" : "asm=AVX2,SSE2Fast";
}

gboolean
ink_export_write_mp4 (InkExportJob *job, const char *tmp_path, const InkExportParams *params,
                      int quality, InkExportResult *result, GError **error)
{
  InkMuxer o = { .path = job->path };
  AVDictionary *mux_opts = NULL, *enc_opts = NULL;
  AVRational tick = ink_muxer_frame_duration (job->fps);
  /* yuv420p needs even sides: an odd one is padded by repeating the last row or column. */
  int w = (job->width + 1) & ~1, h = (job->height + 1) & ~1;
  g_autofree guint32 *padded = NULL;
  struct SwsContext *sws = NULL;
  InkAudioCopy *audio = NULL;
  gboolean ok = FALSE;
  int crf = (int) lrint (51.0 * (100 - quality) / 100.0), lookahead;

  job->total = job->done + (double) job->n * params->repeat;
  if (w != job->width || h != job->height)
    padded = g_try_malloc ((gsize) w * h * 4);
  if (!ink_muxer_new (&o, "mp4", tmp_path, AV_CODEC_ID_NONE, "libx264", w, h, AV_PIX_FMT_YUV420P,
                   tick, av_inv_q (tick), error))
    goto out;
  o.enc->sample_aspect_ratio = (AVRational) { 1, 1 };
  /* BT.709, limited range, and tagged so: untagged video is read as BT.601 and washes out. */
  o.enc->color_primaries = AVCOL_PRI_BT709;
  o.enc->color_trc = AVCOL_TRC_BT709;
  o.enc->colorspace = AVCOL_SPC_BT709;
  o.enc->color_range = AVCOL_RANGE_MPEG;
  av_dict_set_int (&enc_opts, "crf", crf, 0);
  av_dict_set (&enc_opts, "preset", "medium", 0);
  /* x264 keeps rc-lookahead frames (40 by default) in flight: 1.3 GB at 3840x2160. Large frames
     look less far ahead, so memory stays flat: 1080p keeps the default, 3840x2160 looks 5 frames
     ahead (10 peaked at 1.03 GB for 48 frames, 5 at under 1 GB). */
  lookahead = (int) CLAMP (40.0 * pow (1920.0 * 1080 / ((double) w * h), 1.5), 5.0, 40.0);
  /* x264 encodes nothing until it has looked that far ahead: in a loop of a few dozen frames it
     would wait for nearly all of them, so making them and encoding them ran one after the other.
     Looking 10 frames ahead, they overlap; the size for the quality stayed the same (FFmpeg's
     x264 on 24-frame loops at 1920 px, rc-lookahead 10 against 30 at CRF 18 and 18.5: within
     0.01 dB at equal size on the sample and on a flowing loop of the astronaut). A clip keeps
     the longer look ahead, which its length pays for. */
  if (job->clip == NULL)
    lookahead = MIN (lookahead, 10);
  av_dict_set_int (&enc_opts, "rc-lookahead", lookahead, 0);
  /* Above 4 megapixels, slices instead of frame threads: another 150 MB less at 3840x2160. */
  {
    const char *cpu = x264_cpu_option ();
    g_autoptr (GString) x264 = g_string_new (NULL);

    if ((gsize) w * h > 4000000)
      g_string_append (x264, "sliced-threads=1");
    if (cpu != NULL)
      g_string_append_printf (x264, "%s%s", x264->len > 0 ? ":" : "", cpu);
    if (x264->len > 0)
      av_dict_set (&enc_opts, "x264-params", x264->str, 0);
  }
  av_dict_set (&mux_opts, "movflags", "+faststart", 0);   /* moov first: plays while loading */
  if (job->clip != NULL && !job->range->no_audio
      && ink_video_get_info (ink_clip_video (job->clip))->has_audio)
    {
      double start, end;
      g_autofree char *why = NULL;
      GError *local = NULL;
      ink_clip_span (job->clip, &start, &end);
      audio = ink_audio_copy_new (job->clip_path, start, end, o.fmt, &why, &local);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          goto out;
        }
      g_free (job->note);
      job->note = audio != NULL ? g_strdup ("with its sound") : g_steal_pointer (&why);
    }
  if (!ink_muxer_open (&o, &enc_opts, &mux_opts, error))
    goto out;
  o.frame->color_primaries = AVCOL_PRI_BT709;
  o.frame->color_trc = AVCOL_TRC_BT709;
  o.frame->colorspace = AVCOL_SPC_BT709;
  o.frame->color_range = AVCOL_RANGE_MPEG;
  sws = sws_getContext (w, h, AV_PIX_FMT_RGBA, w, h, AV_PIX_FMT_YUV420P,
                        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
  if (sws == NULL || (padded == NULL && (w != job->width || h != job->height)))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "%s: out of memory", job->path);
      goto out;
    }
  sws_setColorspaceDetails (sws, sws_getCoefficients (SWS_CS_ITU709), 1,
                            sws_getCoefficients (SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16);
  for (int r = 0, pts = 0; r < params->repeat; r++)
    for (int i = 0; i < job->n; i++, pts++)
      {
        /* The sound up to this frame's start, shifted to the repeat it plays in. */
        if (audio != NULL && ((i == 0 && r > 0 && !ink_audio_copy_restart (audio, r * job->n
                                                                            / job->fps, error))
                              || !ink_audio_copy_until (audio, pts / job->fps, error)))
          goto out;
        gboolean last = r + 1 == params->repeat && i + 1 == job->n;
        const guint32 *frame = ink_export_job_frame (job, i, last ? -1 : (i + 1) % job->n, TRUE,
                                                     error);
        const guint8 *src[1];
        int stride[1] = { w * 4 };
        if (frame == NULL)
          goto out;
        ink_export_job_step (job);
        if (padded != NULL)
          {
            for (int y = 0; y < h; y++)
              {
                const guint32 *row = frame + (gsize) MIN (y, job->height - 1) * job->width;
                memcpy (padded + (gsize) y * w, row, (gsize) job->width * 4);
                if (w > job->width)
                  padded[(gsize) y * w + w - 1] = row[job->width - 1];
              }
            frame = padded;
          }
        src[0] = (const guint8 *) frame;
        if (ink_muxer_frame (&o, error) == NULL)
          goto out;
        sws_scale (sws, src, stride, 0, h, o.frame->data, o.frame->linesize);
        o.frame->pts = pts;
        if (!ink_muxer_send (&o, o.frame, error))
          goto out;
      }
  if ((audio != NULL && !ink_audio_copy_until (audio, INFINITY, error))
      || !ink_muxer_finish (&o, error))
    goto out;
  result->frames = job->n * params->repeat;
  ok = TRUE;
out:
  sws_freeContext (sws);
  ink_audio_copy_free (&audio);
  av_dict_free (&enc_opts);
  av_dict_free (&mux_opts);
  ink_muxer_free (&o);
  return ok;
}
