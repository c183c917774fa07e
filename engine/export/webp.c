/* webp.c: the animated WebP writer: libwebp_anim at the loop's rate, played forever. */
#include "export-private.h"

gboolean
ink_export_write_webp (InkExportJob *job, const char *tmp_path, int quality,
                       InkExportResult *result, GError **error)
{
  InkMuxer o = { .path = job->path };
  AVDictionary *mux_opts = NULL, *enc_opts = NULL;
  AVRational tick = ink_muxer_frame_duration (job->fps);
  gboolean ok = FALSE;

  job->total = job->done + job->n;
  if (!ink_muxer_new (&o, "webp", tmp_path, AV_CODEC_ID_NONE, "libwebp_anim", job->width,
                   job->height, AV_PIX_FMT_BGRA, tick, av_inv_q (tick), error))
    goto out;
  av_dict_set_int (&enc_opts, "quality", quality, 0);
  av_dict_set (&enc_opts, "preset", "drawing", 0);
  av_dict_set (&mux_opts, "loop", "0", 0);    /* forever */
  if (!ink_muxer_open (&o, &enc_opts, &mux_opts, error))
    goto out;
  /* libwebp merges equal neighbours itself and gives the last frame one tick. */
  for (int i = 0; i < job->n; i++)
    {
      const guint32 *frame = ink_export_job_frame (job, i, i + 1 < job->n ? i + 1 : -1, FALSE,
                                                   error);
      if (frame == NULL)
        goto out;
      ink_export_job_step (job);
      if (ink_muxer_frame (&o, error) == NULL)
        goto out;
      for (int y = 0; y < job->height; y++)
        {
          const guint32 *src = frame + (gsize) y * job->width;
          guint32 *dst = (guint32 *) (o.frame->data[0] + (gsize) y * o.frame->linesize[0]);
          for (int x = 0; x < job->width; x++)   /* R G B A bytes to B G R A */
            dst[x] = (src[x] & 0xff00ff00u) | (src[x] >> 16 & 0xff) | (src[x] & 0xff) << 16;
        }
      o.frame->pts = i;
      if (!ink_muxer_send (&o, o.frame, error))
        goto out;
    }
  if (!ink_muxer_finish (&o, error))
    goto out;
  result->frames = job->n;
  ok = TRUE;
out:
  av_dict_free (&enc_opts);
  av_dict_free (&mux_opts);
  ink_muxer_free (&o);
  return ok;
}
