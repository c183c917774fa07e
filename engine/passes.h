/* passes.h: the stylizer's compute passes and their push constants (mirrored in shaders/\*.comp). */
#pragma once

#include "compute.h"

G_BEGIN_DECLS

/* Buffer formats, per pixel, rows packed:
 *   rgba16 : 4 x uint16, sRGB, straight alpha (InkImage's layout)      8 bytes
 *   half4  : 4 x IEEE half (OKLab L a b + alpha, or tensor E F G 0)     8 bytes
 *   float  : 1 x float                                                  4 bytes
 *   rgba8  : 4 x uint8, sRGB, straight alpha                            4 bytes */

typedef struct {
  gint32 width, height;
} InkPushSize;

typedef struct {
  gint32 width, height;
  gint32 dx, dy;        /* axis: (1,0) or (0,1) */
  gint32 n;             /* taps each side */
  float sigma;          /* px */
  float step;           /* px between taps (>= 1; larger at large scales keeps the cost fixed) */
} InkPushGauss;

typedef struct {
  gint32 width, height;
  gint32 mode;          /* 0: across edges (gradient), 1: along edges (tangent) */
  gint32 n;             /* taps each side */
  float sigma_d;        /* px */
  float step;           /* px */
  float sigma_r;        /* OKLab units */
} InkPushBilateral;

typedef struct {
  gint32 width, height;
  gint32 n;             /* taps each side */
  float sigma;          /* px, the narrow Gaussian; the wide one is k * sigma */
  float k;
  float tau;            /* weight of the wide Gaussian */
  float step;           /* px */
} InkPushDog;

typedef struct {
  gint32 width, height;
  gint32 n;             /* steps each way along the flow */
  float sigma;          /* px along the flow */
  float step;           /* px */
  float eps;            /* threshold (OKLab L units, <= 0) */
  float phi;            /* sharpness of the soft threshold, 1 / L units */
} InkPushLines;

typedef struct {
  gint32 width, height;
  gint32 colors;        /* palette entries (vec4 OKLab each) */
  gint32 tones;         /* cel tones: 0 off, 2..4 */
  float flatten;        /* 0..1 */
  float softness;       /* OKLab distance of the soft palette transition */
  float cel_amount;     /* 0..1 */
  float cel_step;       /* OKLab L between cel tones */
} InkPushFlatten;

typedef struct {
  gint32 width, height;
  gint32 has_lines;
  gint32 mono;
  float line_r, line_g, line_b;   /* sRGB 0..1 */
  float saturation;
  float contrast;
  float screentone;     /* 0..1 */
  float tone_cell;      /* px between screentone dots */
} InkPushComposite;

extern const InkPass ink_pass_lab;          /* rgba16 -> half4 OKLab */
extern const InkPass ink_pass_tensor;       /* half4 OKLab -> half4 structure tensor */
extern const InkPass ink_pass_gauss;        /* half4 -> half4, 1-D Gaussian along an axis */
extern const InkPass ink_pass_bilateral;    /* half4 OKLab, half4 tensor -> half4 OKLab */
extern const InkPass ink_pass_flatten;      /* half4 OKLab, palette (vec4 x colors) -> half4 OKLab */
extern const InkPass ink_pass_dog;          /* half4 OKLab, half4 tensor -> float DoG */
extern const InkPass ink_pass_lines;        /* float DoG, half4 tensor -> float line coverage */
extern const InkPass ink_pass_composite;    /* half4 OKLab, float coverage -> rgba8 */

G_END_DECLS

#include "ink-image.h"

G_BEGIN_DECLS
/* Fits COLORS (1..32) OKLab colours to IMAGE by k-means on an area-averaged 96 px version, so the
 * palette hardly depends on the image's size. PALETTE receives COLORS x (L, a, b, 0), darkest first. */
void ink_palette_fit (const InkImage *image, int colors, float *palette);
G_END_DECLS
