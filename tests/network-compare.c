/* network-compare.c: an exported model (training/export.py) against PyTorch: the file opened by
 * the engine, run on the device and on the C references over the input export.py --io wrote, and
 * compared with PyTorch's output for it.
 *
 *   network-compare MODEL.safetensors IO.safetensors */
#include "ink-config.h"

#include "network.h"
#include "test-common.h"

static InkVkContext *vk;
static const char *model_path, *io_path;

static void
compare (InkCompute *compute)
{
  g_autoptr (GError) error = NULL;
  InkNetwork *net = ink_network_open (model_path, &error);
  double max, mean;

  g_assert_no_error (error);
  max = test_network_against_io (compute, net, io_path, 1, FALSE, &mean, NULL);
  g_test_message ("%s: %s, %" G_GSIZE_FORMAT " parameters, %u layers: largest difference from "
                  "PyTorch %.2g, mean %.2g", ink_compute_device_name (compute),
                  ink_network_name (net), ink_network_parameters (net),
                  ink_network_n_layers (net), max, mean);
  /* The same F16 weights on both sides, F32 arithmetic in another order through about 25 layers:
   * measured 1.5e-6, far under one 8-bit level (0.004). */
  g_assert_cmpfloat (max, <, 1e-4);
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
