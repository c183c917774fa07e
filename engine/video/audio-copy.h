/* audio-copy.h: a clip's sound copied, not re-encoded, into the stylized MP4. */
#pragma once

#include <glib.h>
#include <libavformat/avformat.h>

G_BEGIN_DECLS

typedef struct InkAudioCopy InkAudioCopy;

/* The sound of CLIP from START to END (the clip's own times) as a new stream of OUT (call before
 * OUT's header is written). NULL without an error when the clip has no sound, or when its codec
 * cannot go into OUT's format as it is (*WHY then says so; g_free it). */
InkAudioCopy *ink_audio_copy_new (const char *clip, double start, double end,
                                  AVFormatContext *out, char **why, GError **error);
void ink_audio_copy_free (InkAudioCopy **audio);
/* Writes the part's packets that start before T seconds (the result's time). */
gboolean ink_audio_copy_until (InkAudioCopy *audio, double t, GError **error);
/* From the part's start again, its times shifted by OFFSET seconds (the MP4's repeats). */
gboolean ink_audio_copy_restart (InkAudioCopy *audio, double offset, GError **error);

G_END_DECLS
