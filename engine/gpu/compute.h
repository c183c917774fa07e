/* compute.h: buffers and passes run on a Vulkan device or, with the same interface, by their C references. */
#pragma once

#include <glib.h>

#include "vk-context.h"

G_BEGIN_DECLS

/* A C reference: reads INPUTS, writes OUTPUT; PUSH is the pass's push-constant struct. */
typedef void (*InkRefFunc) (const void *const *inputs, void *output, const void *push);

/* One compute operation: a shader and its C reference. Bindings 0 .. n_inputs-1 are the inputs,
 * binding n_inputs the output; every push struct begins with gint32 width, height, which also
 * size the dispatch (one invocation per pixel). */
typedef struct {
  const char *name;
  const guint32 *spv;
  gsize spv_size;     /* bytes */
  guint n_inputs;
  guint push_size;    /* bytes, multiple of 4, at most 128 */
  InkRefFunc ref;
  guint32 texel_inputs;   /* INK_TEXEL (i, FORMAT) for each input read as a uniform texel buffer
                             (GLSL samplerBuffer, usamplerBuffer) rather than a storage buffer */
  guint32 texel_output;   /* an InkTexelFormat: the output written as a storage texel buffer (GLSL
                             imageBuffer, r32f or r32ui); INK_TEXEL_NONE: a storage buffer */
  /* The features a dispatch with PUSH uses (a bit set the shader defines), given to the shader as
   * specialization constant 3, so each pipeline is compiled without the code of the others.
   * Lavapipe runs both sides of a branch under a mask even when the condition is the same for
   * every invocation, so code a dispatch switches off at run time still costs its time. PUSH
   * NULL: the set ink_compute_prepare builds. NULL: the pass has no variants. */
  guint32 (*variant) (const void *push);
} InkPass;

/* How a pass reads an input through a uniform texel buffer: the elements' format. Lavapipe
 * fetches texel buffers for all of a subgroup's lanes at once, storage buffers lane by lane. */
typedef enum {
  INK_TEXEL_NONE,       /* a storage buffer */
  INK_TEXEL_FLOAT,      /* R32_SFLOAT: float */
  INK_TEXEL_VEC2,       /* R32G32_SFLOAT: vec2 */
  INK_TEXEL_VEC4,       /* R32G32B32A32_SFLOAT: vec4 */
  INK_TEXEL_UINT,       /* R32_UINT: uint */
  INK_TEXEL_UVEC2,      /* R32G32_UINT: uvec2 */
  INK_TEXEL_RGBA8,      /* R8G8B8A8_UNORM: a uint packed as rgba8, read as a vec4 in [0, 1] */
  INK_TEXEL_UNIFORM,    /* not a texel buffer: a uniform buffer (GLSL uniform block), bound at the
                           dispatch's InkDispatchShape.window; one such input a pass */
} InkTexelFormat;
/* A buffer marked half (ink_buffer_set_half) is read and written as R16_SFLOAT wherever a pass
 * takes it as INK_TEXEL_FLOAT, and as R16G16B16A16_SFLOAT as INK_TEXEL_VEC4: half the memory and
 * traffic, the shader unchanged (a texel fetch converts; a pass that writes one must declare its
 * output image r16f or rgba16f). */

#define INK_TEXEL(input, format) ((guint32) (format) << (4 * (input)))

typedef struct InkCompute InkCompute;
typedef struct InkBuffer InkBuffer;

/* One dispatch's time. TAG is the caller's id for what the dispatch belongs to (the stylizer's
 * InkStage, say), given to ink_compute_dispatch; PASS the pass's name. */
typedef struct {
  int tag;
  const char *pass;
  double ms;
} InkTiming;

/* VK NULL: the CPU backend (C references). */
InkCompute *ink_compute_new (InkVkContext *vk, GError **error);
void ink_compute_free (InkCompute **compute);
gboolean ink_compute_is_gpu (InkCompute *compute);
/* The device's context; NULL for the CPU backend. */
InkVkContext *ink_compute_context (InkCompute *compute);
const char *ink_compute_device_name (InkCompute *compute);

InkBuffer *ink_buffer_new (InkCompute *compute, gsize size, const char *name, GError **error);
void ink_buffer_free (InkBuffer **buffer);
/* A buffer for the current recording only: the compute takes it back when the recording finishes
 * (or is abandoned) and hands it to the next recording asking for as much or up to half less, or
 * frees it then (its contents are undefined: zeros on first use only; it may be larger than
 * SIZE). */
InkBuffer *ink_compute_scratch (InkCompute *compute, gsize size, const char *name, GError **error);
gsize ink_buffer_size (InkBuffer *buffer);
/* Marks BUFFER as holding halves (see InkTexelFormat); FALSE by default. The CPU backend has no
 * halves: its references read and write floats. */
void ink_buffer_set_half (InkBuffer *buffer, gboolean half);
gboolean ink_buffer_is_half (InkBuffer *buffer);
/* Whether the device reads and writes R16_SFLOAT and R16G16B16A16_SFLOAT texel buffers (FALSE for
 * the CPU backend). */
gboolean ink_compute_has_half_texels (InkCompute *compute);
/* Whether the device computes in halves (shaderFloat16); and whether layers that can (the
 * network's convolutions writing halves) do so on COMPUTE, off by default and where it has none. */
gboolean ink_compute_has_half_math (InkCompute *compute);
void ink_compute_set_half_math (InkCompute *compute, gboolean half_math);
gboolean ink_compute_half_math (InkCompute *compute);

/* A dispatch's shape where the default (one invocation a pixel over the push's width and height,
 * in 16 x 16 workgroups, 128 x 2 on a CPU device) does not fit: the network's layers, say.
 * Pipelines are built once per (pass, local size, constants). */
#define INK_MAX_SPEC 12
typedef struct {
  guint32 local[3];     /* workgroup size: specialization constants 0, 1, 2 */
  guint32 groups[3];    /* workgroup counts */
  guint32 spec[INK_MAX_SPEC];   /* specialization constants 3 .. 3 + n_spec - 1 */
  guint n_spec;
  /* An INK_TEXEL_UNIFORM input's offset and range in bytes: the offset a multiple of the
   * alignment and the range at most the size ink_compute_uniform_window gives. */
  gsize window[2];
} InkDispatchShape;

/* The most bytes a uniform buffer binding may span on COMPUTE's device, and the alignment of its
 * offset. */
void ink_compute_uniform_window (InkCompute *compute, gsize *range, gsize *align);

/* Builds PASS's pipeline now rather than at its first dispatch. */
gboolean ink_compute_prepare (InkCompute *compute, const InkPass *pass, GError **error);
/* The same for N passes, built on two threads. */
gboolean ink_compute_prepare_all (InkCompute *compute, const InkPass *const *passes, guint n,
                                  GError **error);
/* Collecting (Vulkan only; FALSE on the CPU backend, which has no pipelines): until
 * ink_compute_prepare_collected, a recording runs nothing (no upload, download or submit) and
 * its dispatches only note the pipelines they need. A recording so made first, then
 * prepare_collected, builds all of its pipelines at once on two threads, where its dispatches
 * would have built them one after another. Scratch buffers are made as ever. */
gboolean ink_compute_collect (InkCompute *compute);
gboolean ink_compute_is_collecting (InkCompute *compute);
/* Builds what was collected and ends collecting (also after a failed recording). */
gboolean ink_compute_prepare_collected (InkCompute *compute, GError **error);

/* Recording: begin, uploads (done at once: upload before the recording uses the buffer),
 * dispatches and downloads (filled in by finish), then finish, which runs and waits. */
gboolean ink_compute_begin (InkCompute *compute, GError **error);
gboolean ink_compute_upload (InkCompute *compute, InkBuffer *dst, const void *data, gsize size,
                             GError **error);
gboolean ink_compute_dispatch (InkCompute *compute, const InkPass *pass, InkBuffer *const *inputs,
                               InkBuffer *output, const void *push, int tag, GError **error);
/* As ink_compute_dispatch with SHAPE; the C reference gets only PUSH, so PUSH also carries what
 * the reference needs of the constants. */
gboolean ink_compute_dispatch_shaped (InkCompute *compute, const InkPass *pass,
                                      InkBuffer *const *inputs, InkBuffer *output, const void *push,
                                      const InkDispatchShape *shape, int tag, GError **error);
gboolean ink_compute_download (InkCompute *compute, InkBuffer *src, void *data, gsize size,
                               GError **error);
/* As ink_compute_download, from OFFSET bytes into SRC. */
gboolean ink_compute_download_at (InkCompute *compute, InkBuffer *src, gsize offset, void *data,
                                  gsize size, GError **error);
gboolean ink_compute_finish (InkCompute *compute, GError **error);
/* Starts what is recorded so far without waiting for it, so the host can work meanwhile;
 * recording goes on, and finish waits for both parts (once a recording: a second call does
 * nothing). After it, an upload must not write a buffer that the submitted part reads: uploads to
 * mapped buffers are done at once. With the C references (no device) everything has run already. */
gboolean ink_compute_submit (InkCompute *compute, GError **error);

/* Dispatches recorded so far in the current recording: with ink_compute_timings, which
 * dispatches (and so which times) belong to what. */
guint ink_compute_n_recorded (InkCompute *compute);

/* Per-dispatch times of the last finished recording (GPU timestamps, or CPU wall time). */
const GArray *ink_compute_timings (InkCompute *compute);

G_END_DECLS
