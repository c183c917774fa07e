/* test-common.c: the engine tests' device set-up and single-pass runner. */
#include "test-common.h"

#include <math.h>
#include <stdlib.h>

#include "ink-config.h"

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
