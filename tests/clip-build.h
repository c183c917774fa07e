/* clip-build.h: clips the video tests make: a photo moved along a known camera path, encoded by
 * FFmpeg's libraries, with or without sound, rotation or an irregular frame rate. */
#pragma once

#include <glib.h>

#include "ink-image.h"

typedef enum {
  CLIP_H264_MP4,
  CLIP_VP9_WEBM,
  CLIP_GIF,
  CLIP_WEBP,              /* animated WebP (libwebp_anim) */
  CLIP_MPEG4_AVI,         /* MPEG-4 Part 2 in AVI */
  CLIP_MJPEG_AVI,         /* Motion JPEG in AVI */
  CLIP_H264_AVI,          /* H.264 with B-frames in AVI: its packets have no presentation times */
  CLIP_H264_TS,           /* H.264 in MPEG-TS, one key frame: seeks land past it */
} ClipCodec;

typedef struct {
  ClipCodec codec;
  int width, height;      /* of the frames as stored */
  int frames;             /* 0: no video at all (sound only, with AUDIO) */
  int fps;
  double pan;             /* px a frame the picture moves right (0: a still camera) */
  int noise;              /* +- levels of per-frame noise over the picture (a sensor's) */
  gboolean moving_box;    /* a dark square crossing the picture (something moving) */
  int period;             /* frames: the square swings left and right with this period instead */
  gboolean audio;         /* a 440 Hz tone in AAC */
  int rotation;           /* display rotation, degrees clockwise, in the file's metadata */
  gboolean variable_rate; /* frames at uneven times (every third frame twice as long; not AVI) */
  gboolean ten_bit;       /* H.264 in 10-bit 4:2:0 */
  gboolean hdr_pq;        /* with TEN_BIT: the frames' light as PQ (SDR white at 203 nits), tagged so */
  gboolean interlaced;    /* H.264 coded as interlaced fields */
} ClipSpec;

/* Writes the clip of SPEC, made from PHOTO, to PATH; g_error on failure. */
void clip_build (const char *path, const InkImage *photo, const ClipSpec *spec);

/* The 8-bit RGBA frame K of SPEC as it went into the encoder (before its losses). */
guint32 *clip_frame (const InkImage *photo, const ClipSpec *spec, int k);
