// nn-common.glsl: what the network layers share: the workgroup size from specialization constants
// 0, 1, 2, the activations (mirrored in engine/network/nn-ref.c) and border indexing.

layout (local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

// The output's format: r32f, or r16f in the half variants (-DOUT_FORMAT=r16f, shaders/meson.build),
// which write tensors kept as halves (ink_buffer_set_half). Reads convert by themselves.
#ifndef OUT_FORMAT
#define OUT_FORMAT r32f
#endif

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_LEAKY 2
#define ACT_TANH 3
#define ACT_SIGMOID 4

float activate (int act, float v, float alpha)
{
  if (act == ACT_RELU)
    return max (v, 0.0);
  if (act == ACT_LEAKY)
    return v < 0.0 ? v * alpha : v;
  if (act == ACT_TANH)
    return tanh (v);
  if (act == ACT_SIGMOID)
    return 1.0 / (1.0 + exp (-v));
  return v;
}

// I mirrored into 0 .. N-1 about the edge pixels (PyTorch's "reflect"), clamped where N is too small.
int reflect_index (int i, int n)
{
  i = i < 0 ? -i : i;
  i = i >= n ? 2 * n - 2 - i : i;
  return clamp (i, 0, n - 1);
}

// The element index of a 1-D dispatch laid over a 2-D grid of workgroups (ROW elements a row).
int flat_index (int row)
{
  return int (gl_GlobalInvocationID.y) * row + int (gl_GlobalInvocationID.x);
}
