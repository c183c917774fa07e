/* cli-bench-network.c: inkloop-cli bench --generator learned: the network runtime on the chosen
 * device, whole and layer by layer, with GFLOP/s. */
#include "ink-config.h"

#include "cli-bench.h"

#include <math.h>
#include <stdlib.h>

#include "compute.h"
#include "ink-error.h"
#include "learned.h"
#include "network.h"

char *
cli_bench_default_model (void)
{
  /* The model the learned generator uses (learned.c); failing that, in a source tree, the 0.2 M
   * U-Net of random weights the tests use (training/make_fixture.py). */
  g_autofree char *model = ink_learned_model_path ();
  const char *fixture = INK_SOURCE_DATADIR "/../tests/data/network/unet-bench.safetensors";

  if (g_file_test (model, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&model);
  if (g_file_test (fixture, G_FILE_TEST_IS_REGULAR))
    return g_canonicalize_filename (fixture, NULL);
  return NULL;
}

/* The picture as planes of R, G, B in 0 .. 1, cropped to multiples of M. */
static float *
picture_planes (const InkImage *image, int m, int *h, int *w)
{
  float *planes;

  *h = image->height / m * m;
  *w = image->width / m * m;
  planes = g_new (float, (gsize) 3 * *h * *w);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < *h; y++)
      for (int x = 0; x < *w; x++)
        planes[((gsize) c * *h + y) * *w + x]
          = image->pixels[((gsize) y * image->width + x) * 4 + c] / 65535.0f;
  return planes;
}

/* One size: a warm-up run, then RUNS timed ones; appends its row (and its layers). */
static gboolean
bench_size (InkNetwork *net, InkNetworkRunner *runner, const InkImage *source, int long_edge,
            int runs, gboolean json, gboolean first, GString *out, GError **error)
{
  guint n_layers = ink_network_n_layers (net);
  InkImage *scaled = ink_image_scale (source, long_edge, error);
  const float *inputs[INK_NETWORK_MAX_INPUTS];
  float *planes[INK_NETWORK_MAX_INPUTS] = { NULL };
  g_autofree double *whole = g_new0 (double, runs);
  g_autofree double *layer_runs = g_new0 (double, (gsize) n_layers * runs);
  g_autofree double *layer_ms = g_new0 (double, n_layers);
  g_autofree float *output = NULL;
  double macs = 0.0, ms;
  int h = 0, w = 0;
  gboolean ok = TRUE;

  if (scaled == NULL)
    return FALSE;
  planes[0] = picture_planes (scaled, ink_network_multiple (net), &h, &w);
  ink_image_free (&scaled);
  if (h == 0 || w == 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "--sizes: %d px is too small for this network", long_edge);
      g_free (planes[0]);
      return FALSE;
    }
  /* The other inputs (the previous frame's features, the motion): zeros, a still. */
  for (guint i = 1; i < ink_network_n_inputs (net); i++)
    {
      int s = ink_network_input_scale (net, i);
      planes[i] = g_new0 (float, (gsize) ink_network_input_channels (net, i) * (h / s) * (w / s));
    }
  for (guint i = 0; i < ink_network_n_inputs (net); i++)
    inputs[i] = planes[i];
  output = g_new (float, (gsize) ink_network_output_channels (net) * h * w);

  for (int run = -1; run < runs && ok; run++)
    {
      gint64 t0 = g_get_monotonic_time ();
      ok = ink_network_run (runner, inputs, h, w, output, layer_ms, error);
      if (run >= 0)
        {
          whole[run] = (g_get_monotonic_time () - t0) / 1000.0;
          for (guint l = 0; l < n_layers; l++)
            layer_runs[(gsize) l * runs + run] = layer_ms[l];
        }
    }
  for (guint i = 0; i < ink_network_n_inputs (net); i++)
    g_free (planes[i]);
  if (!ok)
    return FALSE;

  for (guint l = 0; l < n_layers; l++)
    macs += ink_network_layer_macs (net, l, h, w);
  ms = cli_bench_median (whole, runs);
  if (json)
    g_string_append_printf (out, "%s{\"width\": %d, \"height\": %d, \"stylize_ms\": %.3f, "
                            "\"gflop\": %.3f, \"gflops\": %.2f, \"layers\": [",
                            first ? "" : ", ", w, h, ms, 2e-9 * macs, 2e-6 * macs / ms);
  else
    g_string_append_printf (out, "%dx%d: %.1f ms, %.2f GFLOP, %.2f GFLOP/s\n", w, h, ms,
                            2e-9 * macs, 2e-6 * macs / ms);
  for (guint l = 0; l < n_layers; l++)
    {
      double lm = cli_bench_median (layer_runs + (gsize) l * runs, runs);
      double lmacs = ink_network_layer_macs (net, l, h, w);
      double gflops = lm > 0.0 ? 2e-6 * lmacs / lm : 0.0;

      if (json)
        g_string_append_printf (out, "%s{\"name\": \"%s\", \"op\": \"%s\", \"ms\": %.3f, "
                                "\"gflops\": %.2f}", l == 0 ? "" : ", ",
                                ink_network_layer_name (net, l), ink_network_layer_op (net, l), lm,
                                gflops);
      else if (lmacs > 0.0)
        g_string_append_printf (out, "  %-12s %-14s %9.2f ms %8.2f GFLOP/s\n",
                                ink_network_layer_name (net, l), ink_network_layer_op (net, l), lm,
                                gflops);
      else
        g_string_append_printf (out, "  %-12s %-14s %9.2f ms\n", ink_network_layer_name (net, l),
                                ink_network_layer_op (net, l), lm);
    }
  if (json)
    g_string_append (out, "]}");
  return TRUE;
}

gboolean
cli_bench_network (InkVkContext *vk, const char *model, const InkImage *source,
                   const char *input, char **sizes, int runs, const char *precision, gboolean json,
                   GString *out, GError **error)
{
  InkNetwork *net = ink_network_open (model, error);
  InkCompute *compute = NULL;
  InkNetworkRunner *runner = NULL;
  g_autofree char *model_json = NULL, *input_json = NULL;
  gboolean ok = FALSE;

  if (net == NULL)
    return FALSE;
  compute = ink_compute_new (vk, error);
  if (compute == NULL)
    goto out;
  runner = ink_network_runner_new (net, compute, error);
  if (runner == NULL
      || !ink_network_runner_set_half (runner, !g_str_equal (precision, "fp32"), error)
      || !ink_network_runner_set_half_math (runner, g_str_equal (precision, "fp16-math"), error))
    goto out;
  model_json = g_strescape (model, NULL);
  input_json = g_strescape (input, NULL);
  if (json)
    g_string_append_printf (out, "{\"device\": \"%s\", \"generator\": \"learned\", "
                            "\"model\": \"%s\", \"parameters\": %" G_GSIZE_FORMAT ", "
                            "\"input\": \"%s\", \"runs\": %d, \"precision\": \"%s\", "
                            "\"sizes\": [",
                            ink_compute_device_name (compute), model_json,
                            ink_network_parameters (net), input_json, runs, precision);
  else
    g_string_append_printf (out, "device: %s\nmodel: %s (%s), %" G_GSIZE_FORMAT " parameters\n"
                            "input: %s, %d runs each, precision %s, medians (the whole "
                            "network: wall time; layers: device time)\n",
                            ink_compute_device_name (compute), model, ink_network_name (net),
                            ink_network_parameters (net), input, runs, precision);
  for (int i = 0; sizes[i] != NULL; i++)
    if (!bench_size (net, runner, source, atoi (sizes[i]), runs, json, i == 0, out, error))
      goto out;
  if (json)
    g_string_append (out, "]");
  ok = TRUE;

out:
  ink_network_runner_free (&runner);
  ink_compute_free (&compute);
  ink_network_free (&net);
  return ok;
}
