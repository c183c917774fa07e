/* video-tone.h: HDR and interlaced clips made presentable as SDR progressive frames. */
#pragma once

#include <glib.h>
#include <libavutil/pixfmt.h>

#include "ink-image.h"

G_BEGIN_DECLS

/* IMAGE, converted from a frame with the transfer TRC and PRIMARIES, to sRGB: PQ and HLG light
 * (BT.2408's 203-nit reference white as SDR white; light to 0.75 of it kept, brighter light rolled
 * off smoothly below 1), BT.2020 primaries to BT.709. FALSE (IMAGE untouched) for any other
 * transfer. */
gboolean ink_video_tone_map (InkImage *image, enum AVColorTransferCharacteristic trc,
                             enum AVColorPrimaries primaries);
/* An interlaced frame's two fields blended where they meet, so moving edges lose their comb. */
void ink_video_uncomb (InkImage *image);

G_END_DECLS
