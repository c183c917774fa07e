/* video-webp.h: animated WebP clips, decoded by libwebp's demuxer. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct InkWebpAnim InkWebpAnim;

/* Whether the file's first N bytes HEAD say an animated WebP. */
gboolean ink_webp_is_animated (const guint8 *head, gsize n);

/* Reads PATH whole and opens its animation. Errors name the file. */
InkWebpAnim *ink_webp_anim_open (const char *path, GError **error);
void ink_webp_anim_free (InkWebpAnim **anim);
void ink_webp_anim_size (InkWebpAnim *anim, int *width, int *height, int *frames);
/* Back to the first frame. */
void ink_webp_anim_rewind (InkWebpAnim *anim);
/* The next frame composed on the canvas (8-bit RGBA, straight alpha; valid until the next call),
 * with its start and end times in seconds; NULL at the end (no error) or on an error. */
const guint8 *ink_webp_anim_next (InkWebpAnim *anim, double *pts, double *end, GError **error);

G_END_DECLS
