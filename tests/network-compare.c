/* network-compare.c: an exported model (training/export.py) against PyTorch: the file opened by
 * the engine, run on the device and on the C references over the input export.py --io wrote, and
 * compared with PyTorch's output for it.
 *
 *   network-compare MODEL.safetensors IO.safetensors */
#include "ink-config.h"

#include <math.h>
#include <string.h>

#include "ink-error.h"
#include "network.h"
#include "safetensors.h"
#include "test-common.h"

static InkVkContext *vk;
static const char *model_path, *io_path;

static float *
read_tensor (InkSafetensors *file, const char *name, gsize *n, const InkTensorInfo **info)
{
  const InkTensorInfo *t = ink_safetensors_find (file, name);
  float *v;

  g_assert_nonnull (t);
  g_assert_cmpint (t->dtype, ==, INK_DTYPE_F32);
  *n = t->size / 4;
  v = g_new (float, *n);
  memcpy (v, ink_safetensors_data (file, t), t->size);
  if (info != NULL)
    *info = t;
  return v;
}

static void
compare (InkCompute *compute)
{
  g_autoptr (GError) error = NULL;
  InkNetwork *net = ink_network_open (model_path, &error);
  InkSafetensors *io;
  InkNetworkRunner *runner;
  const InkTensorInfo *x;
  gsize n[4];
  g_autofree float *in0 = NULL, *in1 = NULL, *in2 = NULL, *want = NULL, *got = NULL;
  double max = 0.0, sum = 0.0;

  g_assert_no_error (error);
  io = ink_safetensors_open (io_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ink_network_n_inputs (net), ==, 3);
  in0 = read_tensor (io, "x", &n[0], &x);
  in1 = read_tensor (io, "prev", &n[1], NULL);
  in2 = read_tensor (io, "flow", &n[2], NULL);
  want = read_tensor (io, "y", &n[3], NULL);
  g_assert_cmpuint (n[3], ==, (gsize) ink_network_output_channels (net) * x->shape[1] * x->shape[2]);
  got = g_new0 (float, n[3]);
  runner = ink_network_runner_new (net, compute, &error);
  g_assert_no_error (error);
  g_assert_true (ink_network_run (runner, (const float *[]) { in0, in1, in2 }, x->shape[1],
                                  x->shape[2], got, NULL, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < n[3]; i++)
    {
      double d = fabs ((double) got[i] - want[i]);
      g_assert_true (isfinite (got[i]));
      max = MAX (max, d);
      sum += d;
    }
  g_test_message ("%s: %s, %" G_GSIZE_FORMAT " parameters, %u layers: largest difference from "
                  "PyTorch %.2g, mean %.2g", ink_compute_device_name (compute),
                  ink_network_name (net), ink_network_parameters (net),
                  ink_network_n_layers (net), max, sum / n[3]);
  /* The same F16 weights on both sides, F32 arithmetic in another order through about 25 layers:
   * measured 1.5e-6, far under one 8-bit level (0.004). */
  g_assert_cmpfloat (max, <, 1e-4);
  ink_network_runner_free (&runner);
  ink_safetensors_free (&io);
  ink_network_free (&net);
}

static void
test_device (void)
{
  g_autoptr (GError) error = NULL;
  InkCompute *c = ink_compute_new (vk, &error);

  g_assert_no_error (error);
  compare (c);
  ink_compute_free (&c);
}

static void
test_reference (void)
{
  InkCompute *c = ink_compute_new (NULL, NULL);

  compare (c);
  ink_compute_free (&c);
}

int
main (int argc, char **argv)
{
  test_engine_init (&argc, &argv, &vk, NULL);
  if (argc != 3)
    {
      g_printerr ("usage: network-compare MODEL.safetensors IO.safetensors\n");
      return 2;
    }
  model_path = argv[1];
  io_path = argv[2];
  g_test_add_func ("/network-compare/device", test_device);
  g_test_add_func ("/network-compare/reference", test_reference);
  return test_engine_finish (g_test_run (), &vk, NULL);
}
