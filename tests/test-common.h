/* test-common.h: what the engine tests share: the device with validation, one pass run on it. */
#pragma once

#include "compute.h"
#include "vk-context.h"

/* The Vulkan device with the Khronos validation layer (not with INKLOOP_NO_VALIDATION, set for
 * the sanitizer builds: the layer is not built with ASan). Exits 1 when there is none: CI has
 * lavapipe and the layer, so a missing one is a failure, not a skip. */
InkVkContext *test_open_device (void);

/* Runs PASS once on VK: uploads INPUTS (of SIZES bytes), and INOUT into the output when it is not
 * NULL (for in-place passes); returns the output's OUT_SIZE bytes (g_free them). */
void *test_run_pass (InkVkContext *vk, const InkPass *pass, const void *const *inputs,
                     const gsize *sizes, const void *inout, gsize out_size, const void *push);

#include "ink-image.h"

/* The bundled sample, its long edge scaled to LONG_EDGE px (0: as it is). */
InkImage *test_load_sample (int long_edge);

/* PSNR (dB) of two images of one size over all four channels; INFINITY when identical. */
double test_psnr (const InkImage *a, const InkImage *b);

#include "stylize.h"

/* A test program's set-up: g_test_init, the device (test_open_device) and, when STYLIZER is not
 * NULL, a stylizer on it. */
void test_engine_init (int *argc, char ***argv, InkVkContext **vk, InkStylizer **stylizer);
/* After g_test_run: the device logged no validation message; frees the stylizer (may be NULL)
 * and the device. Returns STATUS. */
int test_engine_finish (int status, InkVkContext **vk, InkStylizer **stylizer);

#include "network.h"

/* Runs NET on COMPUTE RUNS times over the inputs "x", "prev" and "flow" of IO_PATH (written by
 * training/make_fixture.py or export.py --io) and compares the output with its "y": returns the
 * largest difference, *MEAN the mean; LAYER_MS (NULL: none) gets each layer's time. HALF: the
 * values between layers kept as halves (ink_network_runner_set_half). */
double test_network_against_io (InkCompute *compute, InkNetwork *net, const char *io_path, int runs,
                                gboolean half, double *mean, double *layer_ms);
