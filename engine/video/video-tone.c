/* video-tone.c: HDR frames (PQ and HLG, BT.2020) brought to SDR sRGB, and interlaced frames
 * un-combed, after their conversion to RGBA64 (video-input.c). */
#include "video-tone.h"

#include <math.h>
#include <string.h>

/* SDR reference white in nits (ITU-R BT.2408), what 1.0 of SDR is made from. */
#define SDR_WHITE_NITS 203.0

/* PQ (SMPTE ST 2084) code value 0..1 to nits. */
static double
pq_to_nits (double v)
{
  const double m1 = 2610.0 / 16384, m2 = 2523.0 / 4096 * 128;
  const double c1 = 3424.0 / 4096, c2 = 2413.0 / 4096 * 32, c3 = 2392.0 / 4096 * 32;
  double p = pow (CLAMP (v, 0.0, 1.0), 1.0 / m2);

  return 10000.0 * pow (MAX (p - c1, 0.0) / (c2 - c3 * p), 1.0 / m1);
}

/* HLG (ARIB STD-B67) signal 0..1 to scene light 0..1. */
static double
hlg_to_scene (double v)
{
  const double a = 0.17883277, b = 1.0 - 4.0 * a, c = 0.5 - a * log (4.0 * a);

  v = CLAMP (v, 0.0, 1.0);
  return v <= 0.5 ? v * v / 3.0 : (exp ((v - c) / a) + b) / 12.0;
}

/* Highlights rolled off: light up to KNEE (in SDR whites) is kept, above it it bends smoothly
 * (no kink) towards 1, so SDR white lands at 0.91 and a 1000-nit highlight at 1. */
static double
roll_off (double x)
{
  const double knee = 0.75;

  return x <= knee ? x : knee + (1.0 - knee) * (1.0 - exp (-(x - knee) / (1.0 - knee)));
}

static double
linear_to_srgb (double c)
{
  c = CLAMP (c, 0.0, 1.0);
  return c <= 0.0031308 ? 12.92 * c : 1.055 * pow (c, 1.0 / 2.4) - 0.055;
}

gboolean
ink_video_tone_map (InkImage *image, enum AVColorTransferCharacteristic trc,
                    enum AVColorPrimaries primaries)
{
  g_autofree float *lut = NULL;
  gboolean hlg = trc == AVCOL_TRC_ARIB_STD_B67;
  /* BT.2020 to BT.709 primaries, linear light. */
  static const double to709[3][3] = {
    { 1.6605, -0.5876, -0.0728 },
    { -0.1246, 1.1329, -0.0083 },
    { -0.0182, -0.1006, 1.1187 },
  };
  gboolean wide = primaries == AVCOL_PRI_BT2020;

  if (trc != AVCOL_TRC_SMPTE2084 && !hlg)
    return FALSE;
  /* Each 16-bit code to light in SDR whites. */
  lut = g_new (float, 65536);
  for (int i = 0; i < 65536; i++)
    {
      double v = i / 65535.0;
      /* HLG: scene light to display light for a 1000-nit display (system gamma 1.2). */
      lut[i] = hlg ? pow (hlg_to_scene (v), 1.2) * 1000.0 / SDR_WHITE_NITS
                   : pq_to_nits (v) / SDR_WHITE_NITS;
    }
  for (gsize p = 0, n = (gsize) image->width * image->height; p < n; p++)
    {
      guint16 *px = image->pixels + 4 * p;
      double rgb[3] = { lut[px[0]], lut[px[1]], lut[px[2]] }, out[3];
      for (int k = 0; k < 3; k++)
        out[k] = wide ? to709[k][0] * rgb[0] + to709[k][1] * rgb[1] + to709[k][2] * rgb[2]
                      : rgb[k];
      for (int k = 0; k < 3; k++)
        px[k] = (guint16) lround (linear_to_srgb (roll_off (MAX (out[k], 0.0))) * 65535.0);
    }
  return TRUE;
}

void
ink_video_uncomb (InkImage *image)
{
  int w = image->width, h = image->height;
  g_autofree guint16 *prev = g_new (guint16, (gsize) w * 4);
  g_autofree guint16 *cur = g_new (guint16, (gsize) w * 4);

  if (h < 3)
    return;
  /* Each row with half of each neighbour (a [1 2 1] / 4 filter down the columns): the two
   * fields' rows meet, and the comb of moving edges goes. */
  memcpy (prev, image->pixels, (gsize) w * 8);
  for (int y = 1; y + 1 < h; y++)
    {
      guint16 *row = image->pixels + (gsize) y * w * 4, *next = row + (gsize) w * 4;
      memcpy (cur, row, (gsize) w * 8);
      for (int i = 0; i < w * 4; i++)
        row[i] = (guint16) ((prev[i] + 2u * cur[i] + next[i] + 2u) / 4u);
      memcpy (prev, cur, (gsize) w * 8);
    }
}
