/* network.h: a network model: its graph (JSON in the safetensors metadata key "inkloop.graph")
 * and its weights (the file's tensors), checked against each other when opened, and run on an
 * InkCompute with the layers of nn-layers.h.
 *
 * The graph: {"format": "inkloop-network", "version": 1, "name": ...,
 *   "inputs": [{"name", "channels", "scale"}, ...]   the first is the picture (scale 1); the
 *                                                    others are 1/scale of its size
 *   "output": NAME,
 *   "layers": [{"op", "in": NAME or [NAME, NAME], "out": NAME, ...}, ...]}   in order, each out new
 * with the ops
 *   conv2d         weight, bias (optional), kernel, stride, dilation, groups, padding ("zero" or
 *                  "reflect"), activation, alpha
 *   activation     activation ("none", "relu", "leaky_relu", "tanh", "sigmoid"), alpha
 *   add            two inputs, activation
 *   concat         two inputs, along the channels
 *   upsample       mode ("nearest" or "bilinear"), x2
 *   warp           [features, flow]: features read at p + flow (p) (2 channels, pixels)
 *   box_filter     radius
 *   guided_filter  [guide, input], radius, eps
 *   group_norm     groups, eps, weight and bias (optional), activation
 * Weight tensors are F32 or F16 in PyTorch's layouts. */
#pragma once

#include <glib.h>

#include "compute.h"

G_BEGIN_DECLS

typedef struct InkNetwork InkNetwork;

#define INK_NETWORK_MAX_INPUTS 4
#define INK_NETWORK_MAX_LAYERS 200

/* Opens and checks PATH: the graph's syntax, every name, every weight's dtype and shape against
 * its layer, and the channels through the graph. Errors name the file, the layer and what is
 * wrong (INK_ERROR_DECODE). */
InkNetwork *ink_network_open (const char *path, GError **error);
/* The same over DATA (LENGTH bytes, kept by the caller while the result lives); NAME is used in
 * messages. */
InkNetwork *ink_network_new_from_data (const guint8 *data, gsize length, const char *name,
                                       GError **error);
void ink_network_free (InkNetwork **network);

const char *ink_network_name (InkNetwork *network);
guint ink_network_n_inputs (InkNetwork *network);
/* Input I's channels and its size divisor (1 for the picture). */
int ink_network_input_channels (InkNetwork *network, guint i);
int ink_network_input_scale (InkNetwork *network, guint i);
int ink_network_output_channels (InkNetwork *network);
/* The file's metadata value KEY, or NULL. */
const char *ink_network_metadata (InkNetwork *network, const char *key);
/* The index of the value (an input or a layer's output) called NAME, or -1; its channels and size
 * divisor. Inputs are values 0 .. n_inputs - 1. */
int ink_network_value_index (InkNetwork *network, const char *name);
int ink_network_value_channels (InkNetwork *network, int value);
int ink_network_value_scale (InkNetwork *network, int value);
/* Picture sizes must be multiples of this (the strides' product). */
int ink_network_multiple (InkNetwork *network);
guint ink_network_n_layers (InkNetwork *network);
/* Layer I's op and output name, and its multiply-adds on an H x W picture. */
const char *ink_network_layer_op (InkNetwork *network, guint i);
const char *ink_network_layer_name (InkNetwork *network, guint i);
double ink_network_layer_macs (InkNetwork *network, guint i, int h, int w);
/* Parameters, all weights counted. */
gsize ink_network_parameters (InkNetwork *network);

/* NETWORK made ready on COMPUTE: its weights packed and uploaded, kept for every run. Free it
 * before COMPUTE and NETWORK. */
typedef struct InkNetworkRunner InkNetworkRunner;

InkNetworkRunner *ink_network_runner_new (InkNetwork *network, InkCompute *compute,
                                          GError **error);
void ink_network_runner_free (InkNetworkRunner **runner);
/* Keeps every value between layers as halves (fp16 storage: half the memory and its traffic;
 * weights, normalization statistics and arithmetic stay fp32) or, HALF FALSE, as floats (the
 * default). Fails on a device without R16_SFLOAT texel buffers and on the CPU backend. */
gboolean ink_network_runner_set_half (InkNetworkRunner *runner, gboolean half, GError **error);
gboolean ink_network_runner_is_half (InkNetworkRunner *runner);
/* With halves kept (ink_network_runner_set_half), also computes the convolutions in halves:
 * products and sums in fp16 (a relative step of 2^-11 on every sum). Fails on a device without
 * shaderFloat16. */
gboolean ink_network_runner_set_half_math (InkNetworkRunner *runner, gboolean half_math,
                                           GError **error);
gboolean ink_network_runner_is_half_math (InkNetworkRunner *runner);

/* Runs the network over an H x W picture (multiples of ink_network_multiple): INPUTS[i] holds
 * input i's planes (channels x H/scale x W/scale floats), OUTPUT receives the output's. When
 * LAYER_MS is not NULL it receives each layer's time (ink_network_n_layers values, summed over
 * tiles). Large pictures run in tiles (ink_network_run_tiled) so that no value passes 64 MB. */
gboolean ink_network_run (InkNetworkRunner *runner, const float *const *inputs, int h, int w,
                          float *output, double *layer_ms, GError **error);
/* As ink_network_run, always over the whole picture, also fetching value KEEP (an index from
 * ink_network_value_index) into KEPT (its channels x H/scale x W/scale floats): a temporal
 * network's features for the next frame. */
gboolean ink_network_run_keeping (InkNetworkRunner *runner, const float *const *inputs, int h,
                                  int w, float *output, int keep, float *kept, GError **error);
/* The same in tiles of at most TILE x TILE px (rounded down to the multiple), each run with a
 * halo of the network's reach (its receptive field, and the largest flow a warp reads), so the
 * result is the whole picture's. Networks with group_norm run whole. */
gboolean ink_network_run_tiled (InkNetworkRunner *runner, const float *const *inputs, int h,
                                int w, float *output, int tile, double *layer_ms, GError **error);

G_END_DECLS
