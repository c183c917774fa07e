/* fuzz-safetensors.c: libFuzzer target for the weights reader (ink_safetensors_new_from_data, what
 * ink_safetensors_open runs on a mapped file) and the network reader over it (the graph in the
 * metadata, checked against the tensors): any input is refused with an error or read whole, and
 * every tensor it accepts lies inside the input. */
#include <stdlib.h>

#include "network.h"
#include "safetensors.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  GError *error = NULL;
  InkSafetensors *st = ink_safetensors_new_from_data (data, size, "fuzz.safetensors", &error);

  if (st == NULL)
    {
      if (error == NULL)
        abort ();
      g_error_free (error);
      return 0;
    }
  for (guint i = 0; i < ink_safetensors_count (st); i++)
    {
      const InkTensorInfo *info = ink_safetensors_get (st, i);
      const guint8 *p = ink_safetensors_data (st, info);
      if (p < data || p + info->size > data + size)
        abort ();
    }
  ink_safetensors_free (&st);

  {
    InkNetwork *net = ink_network_new_from_data (data, size, "fuzz.safetensors", &error);
    if (net == NULL)
      {
        if (error == NULL)
          abort ();
        g_error_free (error);
        return 0;
      }
    /* What a run would ask of it: sizes, weights and every layer's cost. */
    if (ink_network_multiple (net) < 1 || ink_network_n_layers (net) < 1)
      abort ();
    for (guint i = 0; i < ink_network_n_layers (net); i++)
      if (ink_network_layer_macs (net, i, 64 * ink_network_multiple (net),
                                  64 * ink_network_multiple (net)) < 0.0)
        abort ();
    (void) ink_network_parameters (net);
    ink_network_free (&net);
  }
  return 0;
}
