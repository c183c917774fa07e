/* cli-bench.h: the benchmark's parts in their own files. */
#pragma once

#include <glib.h>

#include "ink-image.h"
#include "vk-context.h"

G_BEGIN_DECLS

/* The median of the N VALUES (sorted in place). */
double cli_bench_median (double *values, int n);

/* The learned generator's weights to time when --model is not given: the bundled one, else (in a
 * source tree) the tests' U-Net of random weights; NULL when there is neither. */
char *cli_bench_default_model (void);

/* inkloop-cli bench --generator learned: the network in MODEL on VK (NULL: the C references)
 * over SOURCE (named INPUT) at each long edge in SIZES, RUNS timed runs after a warm-up; the
 * whole network and each layer, with GFLOP/s, as text or the start of a JSON object. */
/* HALF: the values between layers kept in fp16 (ink_network_runner_set_half). */
gboolean cli_bench_network (InkVkContext *vk, const char *model, const InkImage *source,
                            const char *input, char **sizes, int runs, const char *precision,
                            gboolean json, GString *out, GError **error);

G_END_DECLS
