/* test-network.c: a whole network against PyTorch: the fixture U-Net (training/make_fixture.py:
 * every layer kind, weights from a fixed seed) run on the device and on the C references, against
 * the output PyTorch computed from the same file; and graphs that do not fit their weights,
 * refused with the file, the layer and what is wrong. */
#include "ink-config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ink-error.h"
#include "network.h"
#include "safetensors.h"
#include "test-common.h"

static InkVkContext *vk;

static char *
fixture_path (const char *name)
{
  return g_build_filename (g_getenv ("INKLOOP_TEST_DATA"), "network", name, NULL);
}

static void
run_fixture (InkCompute *compute)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *model_path = fixture_path ("fixture.safetensors");
  g_autofree char *io_path = fixture_path ("fixture-io.safetensors");
  InkNetwork *net = ink_network_open (model_path, &error);
  g_autofree double *layer_ms = NULL;
  double max, mean;

  g_assert_no_error (error);
  g_assert_cmpint (ink_network_multiple (net), ==, 4);
  layer_ms = g_new0 (double, ink_network_n_layers (net));
  max = test_network_against_io (compute, net, io_path, 2, FALSE, &mean, layer_ms);
  g_test_message ("%s: %u layers, largest difference from PyTorch %.2g, mean %.2g",
                  ink_compute_device_name (compute), ink_network_n_layers (net), max, mean);
  /* fp32 through 19 layers, normalizations and a guided filter, in another order than PyTorch's:
   * a few ulps (measured 9e-7), far under one 8-bit level (0.004). */
  g_assert_cmpfloat (max, <, 1e-5);
  for (guint i = 0; i < ink_network_n_layers (net); i++)
    g_assert_cmpfloat (layer_ms[i], >=, 0.0);
  /* fp16 storage (every value between layers rounded to a half: a relative step of 2^-11, the
   * arithmetic fp32), where the device has it: within two 8-bit levels through these 19 layers
   * of random weights (measured 0.0034 on lavapipe). */
  if (ink_compute_has_half_texels (compute))
    {
      max = test_network_against_io (compute, net, io_path, 2, TRUE, &mean, NULL);
      g_test_message ("%s, fp16 storage: largest difference from PyTorch %.2g, mean %.2g",
                      ink_compute_device_name (compute), max, mean);
      g_assert_cmpfloat (max, <, 2.0 / 255);
    }
  ink_network_free (&net);
}

static void
test_fixture_device (void)
{
  g_autoptr (GError) error = NULL;
  InkCompute *c = ink_compute_new (vk, &error);

  g_assert_no_error (error);
  run_fixture (c);
  ink_compute_free (&c);
}

static void
test_fixture_reference (void)
{
  InkCompute *c = ink_compute_new (NULL, NULL);

  run_fixture (c);
  ink_compute_free (&c);
}

/* Writes a safetensors file with one 8 x 3 x 3 x 3 F32 tensor "w" and GRAPH as its graph. */
static char *
write_model (const char *dir, const char *graph)
{
  g_autofree char *escaped = g_strescape (graph, NULL);
  g_autofree char *header = g_strdup_printf (
    "{\"__metadata__\":{\"inkloop.graph\":\"%s\"},"
    "\"w\":{\"dtype\":\"F32\",\"shape\":[8,3,3,3],\"data_offsets\":[0,864]}}", escaped);
  g_autoptr (GByteArray) file = g_byte_array_new ();
  guint64 len = GUINT64_TO_LE (strlen (header));
  guint8 zeros[864] = { 0 };
  char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr (GError) error = NULL;

  g_byte_array_append (file, (const guint8 *) &len, 8);
  g_byte_array_append (file, (const guint8 *) header, strlen (header));
  g_byte_array_append (file, zeros, sizeof zeros);
  g_file_set_contents (path, (const char *) file->data, file->len, &error);
  g_assert_no_error (error);
  return path;
}

#define HEAD0 "{\"format\":\"inkloop-network\",\"inputs\":[{\"name\":\"x\",\"channels\":3}],"
#define HEAD "{\"format\":\"inkloop-network\",\"version\":1,\"inputs\":[{\"name\":\"x\",\"channels\":3}],"
#define CONV "{\"op\":\"conv2d\",\"in\":\"x\",\"out\":\"y\",\"weight\":\"w\",\"kernel\":3"

static const struct {
  const char *graph;
  const char *says;
} bad_graphs[] = {
  { "[1]", "the graph is not an object" },
  { "{\"format\":\"onnx\"}", "format" },
  { HEAD0 "\"output\":\"y\",\"layers\":[" CONV "}]}", "\"version\" is missing" },
  { HEAD0 "\"output\":\"y\",\"version\":2,\"layers\":[]}", "version" },
  { HEAD "\"output\":\"y\",\"layers\":[]}", "\"layers\"" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"fft\",\"in\":\"x\",\"out\":\"y\"}]}", "\"fft\"" },
  { HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"in\":\"z\"}]}", "appears twice" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"conv2d\",\"in\":\"z\",\"out\":\"y\",\"weight\":\"w\",\"kernel\":3}]}",
    "\"z\" is not an input" },
  { HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"weight\":\"q\"}]}", "appears twice" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"conv2d\",\"in\":\"x\",\"out\":\"y\",\"weight\":\"q\",\"kernel\":3}]}",
    "no tensor \"q\"" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"conv2d\",\"in\":\"x\",\"out\":\"y\",\"weight\":\"w\",\"kernel\":5}]}",
    "should be 8 x 3 x 5 x 5" },
  { HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"stride\":3}]}", "\"stride\" is 3" },
  { HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"groups\":2}]}", "groups" },
  { HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"padding\":\"circular\"}]}", "\"circular\"" },
  { HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"activation\":\"gelu\"}]}", "\"gelu\"" },
  { HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"out\":\"x\"}]}", "appears twice" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"conv2d\",\"in\":\"x\",\"out\":\"x\",\"weight\":\"w\",\"kernel\":3}]}",
    "defined twice" },
  { HEAD "\"output\":\"q\",\"layers\":[" CONV "}]}", "no layer's output" },
  { HEAD "\"output\":\"x\",\"layers\":[" CONV "}]}", "no layer's output" },
  { HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"stride\":2}]}", "picture's size" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"add\",\"in\":[\"x\"],\"out\":\"y\"}]}",
    "should name 2 values" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"upsample\",\"in\":\"x\",\"out\":\"y\",\"mode\":\"nearest\"}]}",
    "larger than the picture" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"warp\",\"in\":[\"x\",\"x\"],\"out\":\"y\"}]}",
    "3 channels, not 2" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"group_norm\",\"in\":\"x\",\"out\":\"y\",\"groups\":2}]}",
    "do not divide" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"box_filter\",\"in\":\"x\",\"out\":\"y\",\"radius\":-1}]}",
    "\"radius\" is -1" },
  { HEAD "\"output\":\"y\",\"layers\":[{\"op\":\"guided_filter\",\"in\":[\"x\",\"x\"],\"out\":\"y\",\"radius\":1,\"eps\":0}]}",
    "\"eps\" is 0" },
};

static void
test_bad_graphs (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("inkloop-network-XXXXXX", &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_graphs); i++)
    {
      g_autofree char *path = write_model (dir, bad_graphs[i].graph);
      InkNetwork *net = ink_network_open (path, &error);

      g_assert_null (net);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_true (strstr (error->message, path) != NULL);
      if (strstr (error->message, bad_graphs[i].says) == NULL)
        g_error ("graph %zu: \"%s\" does not say \"%s\"", i, error->message, bad_graphs[i].says);
      g_clear_error (&error);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* A good graph opens, and a run at a size that is not a multiple is refused. */
static void
test_sizes (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("inkloop-network-XXXXXX", &error);
  g_autofree char *path = write_model (dir, HEAD "\"output\":\"y\",\"layers\":[" CONV ",\"stride\":2},"
                                       "{\"op\":\"upsample\",\"in\":\"y\",\"out\":\"z\",\"mode\":\"bilinear\"}],"
                                       "\"output\":\"z\"}");
  InkNetwork *net;
  InkCompute *c = ink_compute_new (NULL, NULL);
  InkNetworkRunner *runner;
  float in[3 * 4 * 6] = { 0 }, out[8 * 4 * 6];

  net = ink_network_open (path, &error);
  g_assert_null (net);   /* "output" twice */
  g_clear_error (&error);
  g_unlink (path);
  g_free (path);
  path = write_model (dir, HEAD "\"layers\":[" CONV ",\"stride\":2},"
                      "{\"op\":\"upsample\",\"in\":\"y\",\"out\":\"z\",\"mode\":\"bilinear\"}],"
                      "\"output\":\"z\"}");
  net = ink_network_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ink_network_multiple (net), ==, 2);
  g_assert_cmpint (ink_network_output_channels (net), ==, 8);
  g_assert_cmpuint (ink_network_parameters (net), ==, 216);
  runner = ink_network_runner_new (net, c, &error);
  g_assert_no_error (error);
  g_assert_false (ink_network_run (runner, (const float *[]) { in }, 4, 5, out, NULL, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM);
  g_clear_error (&error);
  g_assert_true (ink_network_run (runner, (const float *[]) { in }, 4, 6, out, NULL, &error));
  g_assert_no_error (error);
  ink_network_runner_free (&runner);
  ink_network_free (&net);
  ink_compute_free (&c);
  g_unlink (path);
  g_rmdir (dir);
}

/* The 0.2 M U-Net (a warp of 8-pixel flows included) in tiles of 32 px against one run over the
 * whole picture: the same within one 8-bit level (measured: equal to a few ulps). Returns the
 * whole picture's fp32 output (its values in *N_OUT). */
static float *
run_tiles (InkCompute *c, gsize *n_values)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = fixture_path ("unet-bench.safetensors");
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  InkNetwork *net = ink_network_open (path, &error);
  InkNetworkRunner *runner;
  int h = 72, w = 104;
  float *in[3];
  g_autofree float *whole = NULL, *tiled = NULL;
  gsize n_out;
  double max = 0.0;
  float *result;

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      int s = ink_network_input_scale (net, i);
      gsize n = (gsize) ink_network_input_channels (net, i) * (h / s) * (w / s);
      in[i] = g_new (float, n);
      for (gsize k = 0; k < n; k++)
        in[i][k] = i == 2 ? g_rand_double_range (rand, -2.0, 2.0) : g_rand_double (rand);
    }
  n_out = (gsize) ink_network_output_channels (net) * h * w;
  whole = g_new0 (float, n_out);
  tiled = g_new0 (float, n_out);
  runner = ink_network_runner_new (net, c, &error);
  g_assert_no_error (error);
  g_assert_true (ink_network_run_tiled (runner, (const float *const *) in, h, w, whole, 0, NULL,
                                        &error));
  g_assert_true (ink_network_run_tiled (runner, (const float *const *) in, h, w, tiled, 32, NULL,
                                        &error));
  g_assert_no_error (error);
  for (gsize k = 0; k < n_out; k++)
    max = MAX (max, fabs ((double) whole[k] - tiled[k]));
  g_test_message ("%s: tiles of 32 px against the whole picture: largest difference %.2g",
                  ink_compute_device_name (c), max);
  g_assert_cmpfloat (max, <, 1.0 / 255);
  *n_values = n_out;
  result = g_memdup2 (whole, n_out * sizeof (float));
  /* The same with the values kept as halves, where the device can. */
  if (ink_compute_has_half_texels (c))
    {
      g_assert_true (ink_network_runner_set_half (runner, TRUE, &error));
      g_assert_true (ink_network_run_tiled (runner, (const float *const *) in, h, w, whole, 0,
                                            NULL, &error));
      g_assert_true (ink_network_run_tiled (runner, (const float *const *) in, h, w, tiled, 32,
                                            NULL, &error));
      g_assert_no_error (error);
      max = 0.0;
      for (gsize k = 0; k < n_out; k++)
        max = MAX (max, fabs ((double) whole[k] - tiled[k]));
      g_test_message ("%s, fp16 storage: tiles of 32 px against the whole picture: largest "
                      "difference %.2g", ink_compute_device_name (c), max);
      g_assert_cmpfloat (max, <, 1.0 / 255);
    }
  for (guint i = 0; i < 3; i++)
    g_free (in[i]);
  ink_network_runner_free (&runner);
  ink_network_free (&net);
  return result;
}

/* And the device's output against the C references' (every value on lavapipe passed packed by
 * 4 channels: the inputs, a warp into a concatenation, upsamplings, sums). */
static void
test_tiles (void)
{
  InkCompute *cpu = ink_compute_new (NULL, NULL), *gpu = ink_compute_new (vk, NULL);
  gsize n_cpu = 0, n_gpu = 0;
  g_autofree float *on_cpu = run_tiles (cpu, &n_cpu), *on_gpu = run_tiles (gpu, &n_gpu);
  double max = 0.0;

  g_assert_cmpuint (n_cpu, ==, n_gpu);
  for (gsize k = 0; k < n_cpu; k++)
    max = MAX (max, fabs ((double) on_cpu[k] - on_gpu[k]));
  g_test_message ("%s against the C references: largest difference %.2g",
                  ink_compute_device_name (gpu), max);
  g_assert_cmpfloat (max, <, 1e-4);
  ink_compute_free (&cpu);
  ink_compute_free (&gpu);
}

/* The generator shipped in data/: it opens, has its temporal layer, fits the size bound, and
 * paints the sample as a picture (finite, in range, near the photo's colours), on the device as
 * on the references. */
static void
test_shipped (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (INK_SOURCE_DATADIR, "generator.safetensors", NULL);
  InkNetwork *net = ink_network_open (path, &error);
  InkImage *photo = test_load_sample (96);
  int h = photo->height / 8 * 8, w = photo->width / 8 * 8;
  const float *in[INK_NETWORK_MAX_INPUTS] = { NULL };
  float *planes[INK_NETWORK_MAX_INPUTS] = { NULL };
  g_autofree float *gpu = g_new (float, (gsize) 3 * h * w), *cpu = g_new (float, (gsize) 3 * h * w);
  InkCompute *cg = ink_compute_new (vk, &error), *cc = ink_compute_new (NULL, &error);
  InkNetworkRunner *rg, *rc;
  double worst = 0.0, change = 0.0;
  gsize out_of_range = 0;

  g_assert_no_error (error);
  g_assert_cmpint (ink_network_n_inputs (net), ==, 3);
  g_assert_cmpint (ink_network_output_channels (net), ==, 3);
  g_assert_nonnull (ink_network_metadata (net, "inkloop.temporal"));
  g_assert_cmpuint (ink_network_parameters (net), <, 2500000);   /* under 5 MB in F16 */
  for (guint i = 0; i < 3; i++)
    {
      int s = ink_network_input_scale (net, i);
      planes[i] = g_new0 (float, (gsize) ink_network_input_channels (net, i) * (h / s) * (w / s));
      in[i] = planes[i];
    }
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        planes[0][((gsize) c * h + y) * w + x]
          = photo->pixels[((gsize) y * photo->width + x) * 4 + c] / 65535.0f;
  rg = ink_network_runner_new (net, cg, &error);
  rc = ink_network_runner_new (net, cc, &error);
  g_assert_true (ink_network_run (rg, in, h, w, gpu, NULL, &error));
  g_assert_true (ink_network_run (rc, in, h, w, cpu, NULL, &error));
  g_assert_no_error (error);
  /* fp16 storage on the device: within one 8-bit level of the fp32 references (measured
   * 0.0021 on lavapipe). */
  if (ink_compute_has_half_texels (cg))
    {
      g_autofree float *halves = g_new (float, (gsize) 3 * h * w);
      double worst_half = 0.0;

      g_assert_true (ink_network_runner_set_half (rg, TRUE, &error));
      g_assert_true (ink_network_run (rg, in, h, w, halves, NULL, &error));
      g_assert_true (ink_network_runner_set_half (rg, FALSE, &error));
      for (gsize k = 0; k < (gsize) 3 * h * w; k++)
        worst_half = MAX (worst_half, fabs ((double) halves[k] - cpu[k]));
      g_test_message ("fp16 storage against the references: %.2g", worst_half);
      g_assert_cmpfloat (worst_half, <, 1.0 / 255);
    }
  /* fp16 arithmetic too (the convolutions' sums in halves), where the device has it: within two
   * 8-bit levels of the references (measured 0.0014 on lavapipe). */
  if (ink_compute_has_half_texels (cg) && ink_compute_has_half_math (cg))
    {
      g_autofree float *halves = g_new (float, (gsize) 3 * h * w);
      double worst_half = 0.0;

      g_assert_true (ink_network_runner_set_half (rg, TRUE, &error));
      g_assert_true (ink_network_runner_set_half_math (rg, TRUE, &error));
      g_assert_true (ink_network_runner_is_half_math (rg));
      g_assert_true (ink_network_run (rg, in, h, w, halves, NULL, &error));
      g_assert_true (ink_network_runner_set_half_math (rg, FALSE, &error));
      g_assert_true (ink_network_runner_set_half (rg, FALSE, &error));
      for (gsize k = 0; k < (gsize) 3 * h * w; k++)
        worst_half = MAX (worst_half, fabs ((double) halves[k] - cpu[k]));
      g_test_message ("fp16 arithmetic against the references: %.2g", worst_half);
      g_assert_cmpfloat (worst_half, <, 2.0 / 255);
    }
  /* The CPU backend has no half arithmetic either. */
  g_assert_false (ink_network_runner_set_half_math (rc, TRUE, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DEVICE);
  g_clear_error (&error);
  /* The CPU backend keeps no halves, and says so. */
  g_assert_false (ink_network_runner_set_half (rc, TRUE, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DEVICE);
  g_clear_error (&error);
  for (gsize k = 0; k < (gsize) 3 * h * w; k++)
    {
      g_assert_true (isfinite (gpu[k]));
      worst = MAX (worst, fabs ((double) gpu[k] - cpu[k]));
      out_of_range += gpu[k] < -0.25f || gpu[k] > 1.25f;
      change += fabs ((double) gpu[k] - planes[0][k]) / (3.0 * h * w);
    }
  g_test_message ("%s: %zu parameters; device against references %.2g; mean change from the "
                  "photo %.3f; %zu values out of range", path, ink_network_parameters (net), worst,
                  change, out_of_range);
  g_assert_cmpfloat (worst, <, 1e-4);
  g_assert_cmpuint (out_of_range, <, (gsize) h * w / 100);
  g_assert_cmpfloat (change, <, 0.25);
  for (guint i = 0; i < 3; i++)
    g_free (planes[i]);
  ink_network_runner_free (&rg);
  ink_network_runner_free (&rc);
  ink_compute_free (&cg);
  ink_compute_free (&cc);
  ink_network_free (&net);
  ink_image_free (&photo);
}

int
main (int argc, char **argv)
{
  test_engine_init (&argc, &argv, &vk, NULL);
  g_test_add_func ("/network/fixture/device", test_fixture_device);
  g_test_add_func ("/network/fixture/reference", test_fixture_reference);
  g_test_add_func ("/network/bad-graphs", test_bad_graphs);
  g_test_add_func ("/network/sizes", test_sizes);
  g_test_add_func ("/network/tiles", test_tiles);
  g_test_add_func ("/network/shipped-generator", test_shipped);
  return test_engine_finish (g_test_run (), &vk, NULL);
}
