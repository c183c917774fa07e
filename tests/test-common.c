/* test-common.c: the engine tests' device set-up, single-pass runner, and a network against PyTorch's output. */
#include "test-common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ink-config.h"
#include "safetensors.h"

InkVkContext *
test_open_device (void)
{
  g_autoptr (GError) error = NULL;
  InkVkContextParams params = { .validation = g_getenv ("INKLOOP_NO_VALIDATION") == NULL };
  InkVkContext *vk = ink_vk_context_new (&params, &error);

  if (vk == NULL)
    {
      g_printerr ("no Vulkan device with validation: %s\n", error->message);
      exit (1);
    }
  g_test_message ("device: %s", ink_vk_context_device_name (vk));
  return vk;
}

void *
test_run_pass (InkVkContext *vk, const InkPass *pass, const void *const *inputs,
               const gsize *sizes, const void *inout, gsize out_size, const void *push)
{
  g_autoptr (GError) error = NULL;
  InkCompute *c = ink_compute_new (vk, &error);
  InkBuffer *in[8] = { NULL }, *out;
  void *result = g_malloc0 (out_size);

  g_assert_no_error (error);
  for (guint i = 0; i < pass->n_inputs; i++)
    {
      in[i] = ink_buffer_new (c, sizes[i], "in", &error);
      g_assert_no_error (error);
    }
  out = ink_buffer_new (c, out_size, "out", &error);
  g_assert_no_error (error);
  g_assert_true (ink_compute_begin (c, &error));
  for (guint i = 0; i < pass->n_inputs; i++)
    g_assert_true (ink_compute_upload (c, in[i], inputs[i], sizes[i], &error));
  if (inout != NULL)
    g_assert_true (ink_compute_upload (c, out, inout, out_size, &error));
  g_assert_true (ink_compute_dispatch (c, pass, in, out, push, 0, &error));
  g_assert_true (ink_compute_download (c, out, result, out_size, &error));
  g_assert_true (ink_compute_finish (c, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < pass->n_inputs; i++)
    ink_buffer_free (&in[i]);
  ink_buffer_free (&out);
  ink_compute_free (&c);
  return result;
}

InkImage *
test_load_sample (int long_edge)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (INK_SOURCE_DATADIR, "sample.png", NULL);
  InkLoadParams load = { .long_edge = long_edge };
  InkImage *image = ink_image_load (path, &load, &error);

  g_assert_no_error (error);
  return image;
}

double
test_psnr (const InkImage *a, const InkImage *b)
{
  double se = 0.0;
  gsize n = (gsize) a->width * a->height * 4;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (gsize i = 0; i < n; i++)
    {
      double d = (a->pixels[i] - b->pixels[i]) / 65535.0;
      se += d * d;
    }
  return se == 0.0 ? INFINITY : 10.0 * log10 (n / se);
}

void
test_engine_init (int *argc, char ***argv, InkVkContext **vk, InkStylizer **stylizer)
{
  g_autoptr (GError) error = NULL;

  g_test_init (argc, argv, NULL);
  *vk = test_open_device ();
  if (stylizer != NULL)
    {
      *stylizer = ink_stylizer_new (*vk, &error);
      g_assert_no_error (error);
    }
}

int
test_engine_finish (int status, InkVkContext **vk, InkStylizer **stylizer)
{
  g_assert_cmpuint (ink_vk_context_validation_messages (*vk), ==, 0);
  if (stylizer != NULL)
    ink_stylizer_free (stylizer);
  ink_vk_context_free (vk);
  return status;
}

/* Tensor NAME of FILE (F32) as a new array of *N values. */
static float *
io_tensor (InkSafetensors *file, const char *name, gsize *n)
{
  const InkTensorInfo *t = ink_safetensors_find (file, name);
  float *v;

  g_assert_nonnull (t);
  g_assert_cmpint (t->dtype, ==, INK_DTYPE_F32);
  *n = t->size / 4;
  v = g_new (float, *n);
  memcpy (v, ink_safetensors_data (file, t), t->size);
  return v;
}

double
test_network_against_io (InkCompute *compute, InkNetwork *net, const char *io_path, int runs,
                         gboolean half, double *mean, double *layer_ms)
{
  g_autoptr (GError) error = NULL;
  InkSafetensors *io = ink_safetensors_open (io_path, &error);
  InkNetworkRunner *runner;
  const InkTensorInfo *x;
  gsize n[4];
  g_autofree float *in0 = NULL, *in1 = NULL, *in2 = NULL, *want = NULL, *got = NULL;
  g_autofree float *other0 = NULL, *other1 = NULL, *other2 = NULL;
  double max = 0.0, sum = 0.0;

  g_assert_no_error (error);
  g_assert_cmpuint (ink_network_n_inputs (net), ==, 3);
  in0 = io_tensor (io, "x", &n[0]);
  in1 = io_tensor (io, "prev", &n[1]);
  in2 = io_tensor (io, "flow", &n[2]);
  want = io_tensor (io, "y", &n[3]);
  x = ink_safetensors_find (io, "x");
  g_assert_cmpuint (n[3], ==, (gsize) ink_network_output_channels (net) * x->shape[1] * x->shape[2]);
  got = g_new0 (float, n[3]);
  runner = ink_network_runner_new (net, compute, &error);
  g_assert_no_error (error);
  g_assert_true (ink_network_runner_set_half (runner, half, &error));
  /* More than once: the weights stay uploaded, and the runs before the last one see other
   * inputs, so the last one runs in buffers the compute reused (ink_compute_scratch) that hold
   * other values: it must not depend on what they held. */
  other0 = g_new (float, n[0]), other1 = g_new (float, n[1]), other2 = g_new (float, n[2]);
  for (gsize i = 0; i < n[0]; i++)
    other0[i] = 0.5f - in0[i];
  for (gsize i = 0; i < n[1]; i++)
    other1[i] = 0.25f - in1[i];
  for (gsize i = 0; i < n[2]; i++)
    other2[i] = -in2[i];
  for (int run = 0; run < runs; run++)
    {
      gboolean last = run == runs - 1;
      g_assert_true (ink_network_run (runner, last ? (const float *[]) { in0, in1, in2 }
                                                   : (const float *[]) { other0, other1, other2 },
                                      x->shape[1], x->shape[2], got, layer_ms, &error));
      g_assert_no_error (error);
    }
  for (gsize i = 0; i < n[3]; i++)
    {
      double d = fabs ((double) got[i] - want[i]);
      g_assert_true (isfinite (got[i]));
      max = MAX (max, d);
      sum += d;
    }
  ink_network_runner_free (&runner);
  ink_safetensors_free (&io);
  *mean = sum / n[3];
  return max;
}
