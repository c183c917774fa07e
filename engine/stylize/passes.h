/* passes.h: the stylizer's compute passes and their push constants (mirrored in shaders/\*.comp). */
#pragma once

#include "compute.h"

G_BEGIN_DECLS

/* Buffer formats, per pixel, rows packed:
 *   rgba16 : 4 x uint16, sRGB, straight alpha (InkImage's layout)      8 bytes
 *   half4  : 4 x IEEE half (structure tensor E F G 0)                    8 bytes
 *   flow   : unit tangent as 2 x IEEE half                               4 bytes
 *   lab32  : OKLab packed in 32 bits (L 11, a 11, b 10 bits)            4 bytes
 *   float  : 1 x float                                                  4 bytes
 *   rgba8  : 4 x uint8, sRGB, straight alpha                            4 bytes */

typedef struct {
  gint32 width, height;
} InkPushSize;

typedef struct {
  gint32 width, height;          /* output */
  gint32 src_width, src_height;  /* input */
} InkPushResample;

typedef struct {
  gint32 width, height;
  gint32 dx, dy;        /* axis: (1,0) or (0,1) */
  gint32 n;             /* taps each side */
  float sigma;          /* px */
  float step;           /* whole px between taps (larger at large scales keeps the cost fixed) */
} InkPushGauss;

typedef struct {
  gint32 width, height;
  gint32 mode;          /* 0: across edges (gradient), 1: along edges (tangent) */
  gint32 n;             /* taps each side along an axis-aligned direction (more on diagonals) */
  float sigma_d;        /* px */
  float step;           /* whole px between taps along the direction's major axis */
  float sigma_r;        /* OKLab units */
} InkPushBilateral;

typedef struct {
  gint32 width, height;
  gint32 n;             /* taps each side along an axis-aligned direction */
  float sigma;          /* px, the narrow Gaussian; the wide one is k * sigma */
  float k;
  float tau;            /* weight of the wide Gaussian */
  float step;           /* whole px between taps along the major axis */
  float darken;         /* 0: lightness; black and white: INK_MONO_DARKEN (mono_grey) */
} InkPushDog;

/* Black and white darkens saturated colours by this times their redness (MONO_DARKEN in
 * shaders/common.glsl). */
#define INK_MONO_DARKEN 1.6f

typedef struct {
  gint32 width, height;
  gint32 n;             /* steps each way along the flow */
  float sigma;          /* px along the flow */
  float step;           /* px */
} InkPushLines;

typedef struct {
  gint32 width, height;
  gint32 src_width, src_height;  /* the smoothed image, sampled bilinearly (<= width, height) */
  gint32 colors;        /* palette entries (vec4 OKLab each) */
  gint32 tones;         /* cel tones: 0 off, 2..4 */
  float flatten;        /* 0..1 */
  float softness;       /* OKLab distance of the soft palette transition */
  float cel_amount;     /* 0..1 */
  float cel_step;       /* OKLab L between cel tones */
} InkPushFlatten;

typedef struct {
  gint32 width, height;
  gint32 mono;
  float saturation;
  float contrast;
  float screentone;     /* 0..1 */
  float tone_cell;      /* px between screentone dots */
} InkPushComposite;

typedef struct {
  gint32 width, height;          /* the velocity field's (working) size */
  gint32 n_arrows, n_anchors;
  float aspect;                  /* the image's width / height */
  float reach;                   /* distance (image heights) beyond which an arrow moves nothing */
} InkPushVelocity;

/* InkPushFrame.layers: the lines are drawn; the flats are read at the output pixel, not where
 * the motion maps it (they were painted from the moved photo: the learned generator's loops). */
#define INK_FRAME_LINES 1
#define INK_FRAME_FLATS_IN_PLACE 2
/* Instead of colour, each pixel's displacement to where the frame reads the picture (the
 * cross-fade's two places mixed by its weight), as two packed halves, px: the learned
 * generator's motion between frames. */
#define INK_FRAME_POSITIONS 4

typedef struct {
  gint32 width, height;          /* full size */
  gint32 work_width, work_height;  /* the velocity field's size */
  gint32 frame, frames;          /* t of N */
  gint32 drawing;                /* which drawing the line boil shows */
  gint32 seed;
  gint32 layers;                 /* INK_FRAME_LINES | INK_FRAME_FLATS_IN_PLACE | _POSITIONS */
  gint32 camera_on, flow_on, substeps;
  float boil_amp, boil_cell;     /* px */
  float flow_sx, flow_sy;        /* px a frame per normalized unit a loop */
  float m00, m01, m02, m10, m11, m12;  /* camera: output px -> source px */
  float line_r, line_g, line_b;  /* sRGB 0..1 */
  float line_alpha;              /* 0..1: strokes thinner than the image can show fade instead */
  /* Ink coverage from the line response u: clamp (-tanh (line_phi * (u - line_eps)), 0, 1). */
  float line_eps;                /* threshold (OKLab L units, <= 0) */
  float line_phi;                /* sharpness of the soft threshold, 1 / L units */
  float line_width;              /* px, about a stroke's width (> 0) */
  float sway_sx, sway_sy;        /* px of displacement per normalized unit this frame (0: none) */
  float flow_back;               /* frames the flow is integrated back before the map (< the
                                  * map's span) */
} InkPushFrame;

typedef struct {
  gint32 width, height;          /* the working grid */
  gint32 substeps;
  float steps;                   /* frames, signed */
  float speed;                   /* normalized units a frame per normalized unit a loop */
} InkPushFlowmap;

typedef struct {
  gint32 width, height;
  gint32 frame, frames;
  gint32 drawing, seed;
  gint32 focus_on, speed_on;
  gint32 particles;              /* InkParticles */
  float focus_x, focus_y;        /* px */
  float focus_amount;
  float speed_dx, speed_dy;      /* unit direction */
  float speed_amount;
  float particle_amount;
  float scale;                   /* px per reference px */
  float ink_r, ink_g, ink_b;
} InkPushOverlay;

extern const InkPass ink_pass_reduce;       /* rgba16 -> lab32, box-averaged to a size <= */
extern const InkPass ink_pass_tensor;       /* lab32 -> half4 structure tensor */
extern const InkPass ink_pass_gauss;        /* half4 -> half4, 1-D Gaussian along an axis */
extern const InkPass ink_pass_flow;         /* half4 tensor -> flow (tangent, 2 halves), any size */
extern const InkPass ink_pass_bilateral;    /* lab32, flow -> lab32 */
extern const InkPass ink_pass_upsample;     /* lab32 -> lab32, bilinear to a size >= */
extern const InkPass ink_pass_flatten;      /* lab32, palette (vec4 x colors) -> lab32 */
extern const InkPass ink_pass_dog;          /* lab32, flow -> float DoG */
extern const InkPass ink_pass_lines;        /* float DoG, flow -> float line response */
extern const InkPass ink_pass_composite;    /* lab32, rgba16 source (alpha) -> rgba8 flats */
extern const InkPass ink_pass_velocity;     /* hints (2 vec4), float mask -> flow, sway (2 x 2 halves) */
extern const InkPass ink_pass_flowmap;      /* fields, vec2 map -> vec2 map, one step further */
extern const InkPass ink_pass_frame;        /* rgba8 flats, float lines, fields, 2 maps -> rgba8 */
extern const InkPass ink_pass_overlay;      /* rgba8 frame, in place */

G_END_DECLS

#include "ink-image.h"

G_BEGIN_DECLS
/* Small subjects whose colour stands out keep it: a compact region of at least
 * INK_SALIENT_MIN_AREA of the picture whose colour is INK_SALIENT_CONTRAST or more (OKLab) from
 * its surroundings gets a palette entry within INK_SALIENT_SERVED of its colour, up to
 * INK_PALETTE_EXTRA beyond COLORS. */
#define INK_PALETTE_EXTRA 4
#define INK_PALETTE_MAX (32 + INK_PALETTE_EXTRA)
#define INK_SALIENT_MIN_AREA 0.0005f
#define INK_SALIENT_CONTRAST 0.1f
#define INK_SALIENT_SERVED 0.03f

/* Fits COLORS (1..32) OKLab colours to IMAGE by k-means on an area-averaged 96 px version, so the
 * palette hardly depends on the image's size, then adds the salient colours. PALETTE (room for
 * INK_PALETTE_MAX) receives the entries as (L, a, b, 0), darkest first; returns their count. */
int ink_palette_fit (const InkImage *image, int colors, float *palette);
G_END_DECLS
