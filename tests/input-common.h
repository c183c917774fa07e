/* input-common.h: what the loader's tests share: the test pictures' values, loading them, comparing. */
#pragma once

#include <glib.h>

#include "ink-image.h"

/* The size of the pictures in tests/data made by make-inputs.py. */
#define W 64
#define H 40

/* The grey ramps written by tests/data/make-inputs.py. */
guint grey8_value (int x, int y);

guint grey16_value (int x, int y);

guint alpha8_value (int x, int y);

char *data_path (const char *name);

InkImage *load_sized (const char *name, int long_edge);

InkImage *load (const char *name);

guint16 *px (const InkImage *image, int x, int y);

/* Mean and largest absolute difference, in 8-bit levels, over the first CHANNELS channels. */
void diff_stats (const InkImage *a, const InkImage *b, int channels, double *mean, double *max);

void assert_close (const InkImage *a, const InkImage *b, int channels, double mean_limit, double max_limit);

void assert_opaque (const InkImage *image);

/* The number of colour values that are not a whole 8-bit level (v = k * 257). */
gsize count_fine_values (const InkImage *image);

void assert_load_error (const char *name, int code, const char *fragment);

GBytes *read_data (const char *name);

InkImage *load_bytes (const guint8 *data, gsize size, const char *name, int long_edge, GError **error);
