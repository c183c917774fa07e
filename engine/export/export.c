/* export.c: the exporter's API: names, parameter checks, ink_export (encode, fit max_bytes, sum up). */
#include "export.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "atomic-file.h"
#include "export-private.h"
#include "ffmpeg-private.h"
#include "ink-error.h"
#include "output-path.h"

/* Encodings tried before --max-bytes gives up. */
#define MAX_ATTEMPTS 16

/* For messages. */
static const char *const format_labels[INK_FORMAT_COUNT] = { "GIF", "APNG", "MP4", "WebP", "PNG" };

/* The registry's names of the choices of the export enum KEY ("format", "dither"). */
static const char *const *
choices (const char *key)
{
  guint n;
  const InkParamSpec *specs = ink_export_param_specs (&n);
  const InkParamSpec *spec = ink_params_find (specs, n, key);

  g_assert (spec != NULL && spec->type == INK_PARAM_ENUM);
  return spec->choices;
}

/* The index of NAME (any case) among KEY's choices, or -1. */
static int
choice_index (const char *key, const char *name)
{
  const char *const *names = choices (key);

  for (int i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return i;
  return -1;
}

int
ink_export_format_max_side (InkExportFormat format)
{
  g_return_val_if_fail (format < INK_FORMAT_COUNT, 0);
  /* WebP stores sides in 14 bits; GIF in 16; the rest are bounded by what we load. */
  switch (format)
    {
    case INK_FORMAT_WEBP:
      return MIN (16383, INK_IMAGE_MAX_SIDE);
    case INK_FORMAT_GIF:
      return MIN (65535, INK_IMAGE_MAX_SIDE);
    case INK_FORMAT_APNG:
    case INK_FORMAT_MP4:
    case INK_FORMAT_PNG_FRAMES:
    case INK_FORMAT_COUNT:
    default:
      return INK_IMAGE_MAX_SIDE;
    }
}

const char *
ink_export_format_name (InkExportFormat format)
{
  g_return_val_if_fail (format < INK_FORMAT_COUNT, NULL);
  return choices ("format")[format];
}

gboolean
ink_export_format_from_name (const char *name, InkExportFormat *format, GError **error)
{
  int i = choice_index ("format", name);

  if (i < 0 && (g_ascii_strcasecmp (name, "png-frames") == 0
                || g_ascii_strcasecmp (name, "frames") == 0))
    i = INK_FORMAT_PNG_FRAMES;
  if (i >= 0)
    {
      *format = i;
      return TRUE;
    }
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
               "unknown format '%s': use gif, apng, mp4, webp or png (PNG frames in a folder)", name);
  return FALSE;
}

/* File name extensions; the first of each format is the one new names get. */
static const struct { const char *ext; InkExportFormat format; } exts[] = {
  { ".gif", INK_FORMAT_GIF }, { ".png", INK_FORMAT_APNG }, { ".apng", INK_FORMAT_APNG },
  { ".mp4", INK_FORMAT_MP4 }, { ".m4v", INK_FORMAT_MP4 }, { ".webp", INK_FORMAT_WEBP },
};

const char *
ink_export_format_extension (InkExportFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    if (exts[i].format == format)
      return exts[i].ext;
  return "";   /* PNG frames: a folder */
}

gboolean
ink_export_format_from_path (const char *path, InkExportFormat *format, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *base = g_path_get_basename (path);

  if (g_str_has_suffix (path, "/"))
    {
      *format = INK_FORMAT_PNG_FRAMES;
      return TRUE;
    }
  /* A file's extension wins over a folder of that name, which the export then refuses: frames
   * never land in "clip.gif/". */
  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    if (g_str_has_suffix (lower, exts[i].ext))
      {
        *format = exts[i].format;
        return TRUE;
      }
  if (g_file_test (path, G_FILE_TEST_IS_DIR) || strchr (base + 1, '.') == NULL)
    {
      *format = INK_FORMAT_PNG_FRAMES;
      return TRUE;
    }
  g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
               "%s: unknown output format; end the name with .gif, .apng, .mp4 or .webp, or "
               "with / for PNG frames in a folder, or give the format", path);
  return FALSE;
}

const char *
ink_dither_name (InkDither dither)
{
  g_return_val_if_fail (dither < INK_DITHER_COUNT, NULL);
  return choices ("dither")[dither];
}

gboolean
ink_export_params_validate (const InkExportParams *p, GError **error)
{
  guint n;
  const InkParamSpec *specs = ink_export_param_specs (&n);

  if (!ink_params_validate (specs, n, p, error))
    return FALSE;
  if (p->max_bytes > 0 && p->format != INK_FORMAT_GIF && p->format != INK_FORMAT_WEBP)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "max-bytes: only GIF and WebP files can be fitted under a size");
      return FALSE;
    }
  return TRUE;
}

void
ink_export_params_default (InkExportParams *params)
{
  guint n;
  const InkParamSpec *specs = ink_export_param_specs (&n);

  ink_params_fill_defaults (specs, n, params);
}

void
ink_export_result_clear (InkExportResult *result)
{
  g_free (result->summary);
  memset (result, 0, sizeof *result);
}

/* The export ------------------------------------------------------------------------------------ */

static int
default_quality (InkExportFormat format)
{
  return format == INK_FORMAT_GIF ? 100 : format == INK_FORMAT_WEBP ? 85 : 65;
}

/* One encoding of the loop at the job's size into a temporary file beside PATH; kept as PATH
 * when it fits MAX_BYTES (0: always), else removed and *TOO_BIG set. */
static gboolean
encode_once (InkExportJob *job, const InkExportParams *params, int colors, int quality,
             gint64 max_bytes, InkExportResult *result, gboolean *too_big, GError **error)
{
  InkAtomicFile *file = ink_atomic_file_open (job->path, error);
  const char *tmp;
  gboolean ok;
  GStatBuf st;

  *too_big = FALSE;
  if (file == NULL)
    return FALSE;
  tmp = ink_atomic_file_temp_path (file);
  switch (params->format)
    {
    case INK_FORMAT_GIF:
      ok = ink_export_write_gif (job, tmp, params, colors, quality, result, error);
      break;
    case INK_FORMAT_APNG:
      ok = ink_export_write_apng (job, tmp, result, error);
      break;
    case INK_FORMAT_MP4:
      ok = ink_export_write_mp4 (job, tmp, params, quality, result, error);
      break;
    case INK_FORMAT_WEBP:
      ok = ink_export_write_webp (job, tmp, quality, result, error);
      break;
    case INK_FORMAT_PNG_FRAMES:
    case INK_FORMAT_COUNT:
    default:
      g_assert_not_reached ();
    }
  if (ok && g_stat (tmp, &st) != 0)
    {
      ink_set_write_error (error, job->path, errno);
      ok = FALSE;
    }
  if (!ok || g_cancellable_set_error_if_cancelled (job->cancellable, error))
    {
      ink_atomic_file_abort (&file);
      return FALSE;
    }
  result->bytes = st.st_size;
  if (max_bytes > 0 && st.st_size > max_bytes)
    {
      *too_big = TRUE;
      ink_atomic_file_abort (&file);
      return TRUE;
    }
  return ink_atomic_file_commit (&file, error);
}

static char *
format_bytes (gint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* Writes JOB (its source, style and motion, or its clip, set) at PARAMS; the long edge
 * LONG_EDGE unless the output must shrink to fit max_bytes. */
static gboolean
export_job (InkExportJob *job, const InkExportParams *params, int long_edge,
            InkExportResult *result, GError **error)
{
  g_autoptr (GString) reduced = g_string_new (NULL);
  const char *path = job->path;
  int colors, quality;
  gboolean ok = FALSE, too_big = FALSE;
  gint64 t0 = g_get_monotonic_time ();

  /* Everything that can be known before the work: where the output goes, the format's limits. */
  if (!ink_output_check (path, params->format == INK_FORMAT_PNG_FRAMES,
                         (const char *[]) { job->clip_path, NULL }, error))
    return FALSE;
  if (long_edge > ink_export_format_max_side (params->format))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s: %s frames can be at most %d px on a side, and this %s's long edge "
                   "would be %d px; choose a size of %d px or less", path,
                   format_labels[params->format], ink_export_format_max_side (params->format),
                   job->clip_path != NULL ? "clip" : "loop", long_edge,
                   ink_export_format_max_side (params->format));
      return FALSE;
    }
  colors = params->colors;
  quality = params->quality >= 0 ? params->quality : default_quality (params->format);
  /* The GIF writer reads the frames twice (palette, then mapping); a repeated MP4 reads them
     each repeat; a size limit may encode them again. */
  job->reread = params->format == INK_FORMAT_GIF || params->max_bytes > 0
                || (params->format == INK_FORMAT_MP4 && params->repeat > 1);
  if (!ink_export_job_set_size (job, long_edge, error))
    goto out;
  if (long_edge <= 0)
    long_edge = MAX (job->width, job->height);

  if (params->format == INK_FORMAT_PNG_FRAMES)
    ok = ink_export_write_frames (job, path, result, error);
  else
    for (int attempt = 0;; attempt++)
      {
        if (!encode_once (job, params, colors, quality, params->max_bytes, result, &too_big,
                          error))
          goto out;
        if (!too_big)
          {
            ok = TRUE;
            break;
          }
        /* Too big: fewer colours (GIF) or a lower quality (WebP) first, then a smaller size. */
        if (params->format == INK_FORMAT_GIF && colors > 64)
          colors = MAX (64, colors / 2);
        else if (params->format == INK_FORMAT_WEBP && quality > 50)
          quality = MAX (50, quality - 15);
        else
          {
            int next = (int) (MAX (job->width, job->height) * 0.8);
            if (next < 64 || attempt + 1 >= MAX_ATTEMPTS)
              {
                g_autofree char *limit = format_bytes (params->max_bytes);
                g_autofree char *got = format_bytes (result->bytes);
                g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                             "%s: cannot fit the %s under %s (still %s at %dx%d); raise the "
                             "limit, or use fewer frames", path,
                             job->clip_path != NULL ? "clip" : "loop", limit, got, job->width,
                             job->height);
                goto out;
              }
            if (!ink_export_job_set_size (job, next, error))
              goto out;
          }
      }

  result->width = job->width;
  result->height = job->height;
  result->duration_s = job->n / job->fps * (params->format == INK_FORMAT_MP4 ? params->repeat : 1);
  result->seconds = (g_get_monotonic_time () - t0) / 1e6;
  if (params->format == INK_FORMAT_GIF)
    g_string_append_printf (reduced, ", %d colours", result->colors);
  {
    int asked = params->quality >= 0 ? params->quality : default_quality (params->format);
    g_autoptr (GPtrArray) what = g_ptr_array_new_with_free_func (g_free);
    if (params->format == INK_FORMAT_GIF && colors != params->colors)
      g_ptr_array_add (what, g_strdup_printf ("at most %d colours (from %d)", colors,
                                              params->colors));
    if (params->format == INK_FORMAT_WEBP && quality != asked)
      g_ptr_array_add (what, g_strdup_printf ("quality %d (from %d)", quality, asked));
    if (long_edge != MAX (job->width, job->height))
      g_ptr_array_add (what, g_strdup_printf ("%dx%d px (from a %d px long edge)", job->width,
                                              job->height, long_edge));
    if (what->len > 0)
      {
        g_autofree char *limit = format_bytes (params->max_bytes);
        g_ptr_array_add (what, NULL);
        g_autofree char *list = g_strjoinv (", ", (char **) what->pdata);
        g_string_append_printf (reduced, "; reduced to fit %s: %s", limit, list);
      }
  }
  {
    g_autofree char *size = format_bytes (result->bytes);
    g_autoptr (GString) notes = g_string_new (NULL);
    if (job->clip != NULL && job->range->loop)
      {
        double start, end;
        ink_clip_span (job->clip, &start, &end);
        g_string_append_printf (notes, "; a loop of %.2f s from %.2f s of the clip (its seam "
                                "%.1fx a frame's change before the cross-fade)", end - start,
                                start - ink_video_get_info (ink_clip_video (job->clip))->start_s,
                                ink_clip_seam (job->clip));
      }
    if (job->note != NULL)
      g_string_append_printf (notes, "; %s", job->note);
    else if (job->clip != NULL && params->format != INK_FORMAT_MP4
             && ink_video_get_info (ink_clip_video (job->clip))->has_audio)
      g_string_append_printf (notes, "; without the clip's sound (%s files have none)",
                              format_labels[params->format]);
    result->summary = g_strdup_printf ("%s: %s, %dx%d, %d frames, %.2f s%s%s", path, size,
                                       result->width, result->height, result->frames,
                                       result->duration_s, reduced->str, notes->str);
  }
  if (job->progress != NULL)
    job->progress (1.0, job->user_data);
out:
  ink_export_job_clear_size (job);
  g_clear_pointer (&job->note, g_free);
  return ok;
}

/* What both entry points share: RESULT (may be NULL) cleared, the export and style parameters
 * checked, then export_job. */
static gboolean
run_export (InkExportJob *job, const InkExportParams *params, int long_edge,
            InkExportResult *result, GError **error)
{
  InkExportResult local = { 0 };
  gboolean ok = FALSE;

  if (result == NULL)
    result = &local;
  memset (result, 0, sizeof *result);
  ink_ffmpeg_init_logging ();
  if (ink_export_params_validate (params, error) && ink_style_params_validate (job->style, error))
    ok = export_job (job, params, long_edge, result, error);
  if (result == &local)
    ink_export_result_clear (&local);
  return ok;
}

gboolean
ink_export (InkStylizer *stylizer, const InkImage *source, const InkStyleParams *style,
            const InkMotionParams *motion, const InkMotionHints *hints, const char *path,
            const InkExportParams *params, InkExportProgress progress, gpointer user_data,
            GCancellable *cancellable, InkExportResult *result, GError **error)
{
  InkExportJob job = {
    .stylizer = stylizer, .source = source, .style = style, .motion = motion, .hints = hints,
    .path = path, .progress = progress, .user_data = user_data, .cancellable = cancellable,
  };

  g_return_val_if_fail (stylizer != NULL && source != NULL && style != NULL && motion != NULL
                          && path != NULL && params != NULL, FALSE);
  if (result != NULL)
    memset (result, 0, sizeof *result);
  if (!ink_motion_params_validate (motion, error)
      || (hints != NULL && !ink_motion_hints_validate (hints, error)))
    return FALSE;
  return run_export (&job, params, params->long_edge > 0 ? params->long_edge
                                                         : MAX (source->width, source->height),
                     result, error);
}

gboolean
ink_export_clip (InkStylizer *stylizer, const char *clip, const InkClipRange *range,
                 const InkStyleParams *style, const char *path, const InkExportParams *params,
                 InkExportProgress progress, gpointer user_data, GCancellable *cancellable,
                 InkExportResult *result, GError **error)
{
  InkExportJob job = {
    .stylizer = stylizer, .clip_path = clip, .range = range, .style = style, .path = path,
    .progress = progress, .user_data = user_data, .cancellable = cancellable,
  };

  g_return_val_if_fail (stylizer != NULL && clip != NULL && range != NULL && style != NULL
                          && path != NULL && params != NULL, FALSE);
  return run_export (&job, params, params->long_edge, result, error);
}
