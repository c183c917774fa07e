/* compute.c: the Vulkan and CPU backends of compute.h: memory, pipelines, recording, timing. */
/* Over 600 lines on purpose: buffers, pipelines and recording each have a Vulkan and a CPU side
 * that share the InkCompute state; split, every part would reach into the others' fields. */
#include "compute.h"

#include <string.h>

#include "ink-memory.h"
#include "vk-context-private.h"

/* A pixel pass's workgroup (specialization constants 0 and 1): 16 x 16 tiles on a GPU; rows 128
 * wide and 2 high on a CPU device. Lavapipe runs a workgroup on one thread, its invocations row
 * by row, 8 lanes at a time, so a 16 x 16 tile reads 16 rows of every buffer at once, each
 * usually on pages of its own. Measured on lavapipe (2 cores; the same pixels): the stylizer's
 * passes 6-9 % faster at 1920 px, `inkloop-cli still` at 1920x1080 3 % (20-30 alternated runs a
 * side), the sample's 1920 px MP4 export 3-5 %; 64 x 4 and 256 x 1 did as well in some runs and
 * worse in others. */
#define TILE_GPU 16
#define ROW_CPU_WIDTH 128
#define ROW_CPU_HEIGHT 2
#define MAX_DISPATCHES 256     /* per recording */
#define MAX_BINDINGS 8
/* CPU devices: buffers at least this large use memory allocated here (buffer_new_with). */
#define HOST_IMPORT_MIN ((gsize) 2 << 20)

/* What a temporary buffer is, for a later recording to reuse it as the same. */
enum { SPARE_NONE, SPARE_SCRATCH, SPARE_UPLOAD, SPARE_READBACK };

struct InkBuffer {
  InkCompute *compute;
  gsize size;
  VkBuffer buffer;
  VkDeviceMemory memory;
  void *mapped;        /* host-visible device memory, or the CPU backend's memory */
  void *host;          /* a CPU device's memory this buffer's was made from (or NULL) */
  gboolean half;       /* read and written as R16_SFLOAT where a pass says INK_TEXEL_FLOAT */
  guint spare;         /* a temporary kept for the next recording to reuse: SPARE_* */
};

typedef struct {
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
} Pipeline;

/* What a pipeline is built from: the pass and its specialization. */
typedef struct {
  const InkPass *pass;
  guint32 local[3];
  guint32 spec[INK_MAX_SPEC];
  guint32 n_spec;
} PipelineKey;

static guint
key_hash (gconstpointer p)
{
  const guint32 *w = p;
  guint h = g_direct_hash (((const PipelineKey *) p)->pass);

  for (gsize i = sizeof (gpointer) / 4; i < sizeof (PipelineKey) / 4; i++)
    h = h * 31 + w[i];
  return h;
}

static gboolean
key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (PipelineKey)) == 0;
}

static PipelineKey
make_key (const InkPass *pass, const InkDispatchShape *shape)
{
  PipelineKey key;

  g_assert (shape->n_spec <= INK_MAX_SPEC);
  memset (&key, 0, sizeof key);   /* padding too: keys are compared as bytes */
  key.pass = pass;
  key.n_spec = shape->n_spec;
  memcpy (key.local, shape->local, sizeof key.local);
  memcpy (key.spec, shape->spec, shape->n_spec * 4);
  return key;
}

typedef struct {
  InkBuffer *staging;  /* NULL when the source buffer is mapped */
  InkBuffer *src;
  gsize offset;        /* in SRC, bytes (the staging copy starts at 0) */
  void *data;
  gsize size;
} Download;

/* A pipeline to build: a pass and the shape it is dispatched with. */
typedef struct {
  const InkPass *pass;
  InkDispatchShape shape;
} PrepareItem;

struct InkCompute {
  InkVkContext *vk;    /* NULL: CPU backend */
  GHashTable *pipelines;   /* PipelineKey * -> Pipeline * */
  GMutex pipelines_lock;   /* PIPELINES, for the threads building pipelines together */
  gboolean collecting;     /* ink_compute_collect: dispatches note their pipelines in COLLECTED */
  GArray *collected;       /* PrepareItem */
  VkDescriptorPool descriptor_pool;
  VkCommandBuffer cmd;
  VkFence fence;
  /* ink_compute_submit: the recording's first part, running (in_flight) while the rest is
   * recorded into CMD, with its own fence. */
  VkCommandBuffer cmd_early;
  VkFence fence_early;
  gboolean in_flight;
  VkQueryPool queries;
  guint n_dispatches;
  int tags[MAX_DISPATCHES];
  const char *names[MAX_DISPATCHES];
  GArray *downloads;   /* Download */
  GPtrArray *temporaries;  /* InkBuffer *, freed after finish (scratch and staging: kept) */
  GPtrArray *spares;       /* InkBuffer *: the last recording's temporaries, reused (drop_temporaries) */
  GArray *views;           /* VkBufferView, destroyed after finish */
  GArray *timings;     /* InkTiming */
  gboolean recording;
  gboolean half_math;  /* ink_compute_set_half_math */
  guint32 local[2];    /* pixel passes' workgroup size */
};

InkCompute *
ink_compute_new (InkVkContext *vk, GError **error)
{
  InkCompute *c = g_new0 (InkCompute, 1);

  c->vk = vk;
  c->pipelines = g_hash_table_new_full (key_hash, key_equal, g_free, NULL);
  g_mutex_init (&c->pipelines_lock);
  c->collected = g_array_new (FALSE, FALSE, sizeof (PrepareItem));
  c->downloads = g_array_new (FALSE, FALSE, sizeof (Download));
  c->temporaries = g_ptr_array_new ();
  c->spares = g_ptr_array_new ();
  c->views = g_array_new (FALSE, FALSE, sizeof (VkBufferView));
  c->timings = g_array_new (FALSE, FALSE, sizeof (InkTiming));
  c->local[0] = c->local[1] = TILE_GPU;
  if (vk == NULL)
    return c;
  if (ink_vk_context_is_cpu (vk))
    c->local[0] = ROW_CPU_WIDTH, c->local[1] = ROW_CPU_HEIGHT;

  {
    VkDescriptorPoolSize sizes[] = {
      { .type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .descriptorCount = MAX_DISPATCHES * MAX_BINDINGS },
      { .type = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
        .descriptorCount = MAX_DISPATCHES * MAX_BINDINGS },
      { .type = VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, .descriptorCount = MAX_DISPATCHES },
      { .type = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, .descriptorCount = MAX_DISPATCHES },
    };
    VkDescriptorPoolCreateInfo pool_info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = MAX_DISPATCHES,
      .poolSizeCount = G_N_ELEMENTS (sizes),
      .pPoolSizes = sizes,
    };
    VkCommandBufferAllocateInfo cmd_info = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = vk->command_pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1,
    };
    VkFenceCreateInfo fence_info = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
    VkQueryPoolCreateInfo query_info = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = VK_QUERY_TYPE_TIMESTAMP,
      .queryCount = MAX_DISPATCHES + 1,
    };

    VK (vkCreateDescriptorPool (vk->device, &pool_info, NULL, &c->descriptor_pool));
    VK (vkAllocateCommandBuffers (vk->device, &cmd_info, &c->cmd));
    VK (vkAllocateCommandBuffers (vk->device, &cmd_info, &c->cmd_early));
    VK (vkCreateFence (vk->device, &fence_info, NULL, &c->fence));
    VK (vkCreateFence (vk->device, &fence_info, NULL, &c->fence_early));
    if (vk->has_timestamps)
      VK (vkCreateQueryPool (vk->device, &query_info, NULL, &c->queries));
  }
  return c;

error:
  ink_compute_free (&c);
  return NULL;
}

static void
destroy_pipeline (InkVkContext *vk, Pipeline *p)
{
  vkDestroyPipeline (vk->device, p->pipeline, NULL);
  vkDestroyPipelineLayout (vk->device, p->layout, NULL);
  vkDestroyDescriptorSetLayout (vk->device, p->set_layout, NULL);
  g_free (p);
}

static void
destroy_pipelines (InkCompute *c)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, c->pipelines);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    destroy_pipeline (c->vk, value);
  g_hash_table_remove_all (c->pipelines);
}

static void
free_buffers (GPtrArray *buffers)
{
  for (guint i = 0; i < buffers->len; i++)
    {
      InkBuffer *b = g_ptr_array_index (buffers, i);
      ink_buffer_free (&b);
    }
  g_ptr_array_set_size (buffers, 0);
}

/* When a recording ends (it ran or failed; one abandoned ends as the next begins): its scratch
 * and staging buffers become the spares the next one reuses, and the spares it left unused are
 * freed, so what is kept never exceeds one recording's own. Reusing them spares the memory's
 * first touch: on a CPU device (lavapipe) a new buffer is fresh pages, zeroed by the kernel a page
 * fault at a time within the pass that first writes them (a network's 35 MB tensor: 8,600
 * faults). ENDED FALSE (a begin after a recording that finished): the spares stay. */
static void
drop_temporaries (InkCompute *c, gboolean ended)
{
  if (ended)
    free_buffers (c->spares);
  for (guint i = 0; i < c->temporaries->len; i++)
    {
      InkBuffer *b = g_ptr_array_index (c->temporaries, i);
      if (b->spare != SPARE_NONE)
        g_ptr_array_add (c->spares, b);
      else
        ink_buffer_free (&b);
    }
  g_ptr_array_set_size (c->temporaries, 0);
  for (guint i = 0; i < c->views->len; i++)
    vkDestroyBufferView (c->vk->device, g_array_index (c->views, VkBufferView, i), NULL);
  g_array_set_size (c->views, 0);
  g_array_set_size (c->downloads, 0);
}

void
ink_compute_free (InkCompute **pc)
{
  InkCompute *c = *pc;

  if (c == NULL)
    return;
  if (c->vk != NULL)
    {
      VkDevice dev = c->vk->device;
      vkDeviceWaitIdle (dev);
      drop_temporaries (c, TRUE);
      destroy_pipelines (c);
      if (c->queries != VK_NULL_HANDLE)
        vkDestroyQueryPool (dev, c->queries, NULL);
      if (c->fence != VK_NULL_HANDLE)
        vkDestroyFence (dev, c->fence, NULL);
      if (c->fence_early != VK_NULL_HANDLE)
        vkDestroyFence (dev, c->fence_early, NULL);
      if (c->cmd != VK_NULL_HANDLE)
        vkFreeCommandBuffers (dev, c->vk->command_pool, 1, &c->cmd);
      if (c->cmd_early != VK_NULL_HANDLE)
        vkFreeCommandBuffers (dev, c->vk->command_pool, 1, &c->cmd_early);
      if (c->descriptor_pool != VK_NULL_HANDLE)
        vkDestroyDescriptorPool (dev, c->descriptor_pool, NULL);
    }
  drop_temporaries (c, TRUE);
  free_buffers (c->spares);
  g_ptr_array_free (c->spares, TRUE);
  g_hash_table_destroy (c->pipelines);
  g_mutex_clear (&c->pipelines_lock);
  g_array_free (c->collected, TRUE);
  g_array_free (c->downloads, TRUE);
  g_ptr_array_free (c->temporaries, TRUE);
  g_array_free (c->views, TRUE);
  g_array_free (c->timings, TRUE);
  g_free (c);
  *pc = NULL;
}

void
ink_compute_uniform_window (InkCompute *c, gsize *range, gsize *align)
{
  *range = c->vk != NULL ? c->vk->props.limits.maxUniformBufferRange : G_MAXUINT32;
  *align = c->vk != NULL ? c->vk->props.limits.minUniformBufferOffsetAlignment : 1;
}

gboolean
ink_compute_is_gpu (InkCompute *c)
{
  return c->vk != NULL;
}

InkVkContext *
ink_compute_context (InkCompute *c)
{
  return c->vk;
}

const char *
ink_compute_device_name (InkCompute *c)
{
  return c->vk != NULL ? ink_vk_context_device_name (c->vk) : "CPU reference";
}

/* Buffers --------------------------------------------------------------------------------------- */

static InkBuffer *
buffer_new_with (InkCompute *c, gsize size, const char *name, VkBufferUsageFlags usage,
                 VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred, GError **error)
{
  InkBuffer *b = g_new0 (InkBuffer, 1);
  InkVkContext *vk = c->vk;
  VkMemoryRequirements req;
  int type;

  b->compute = c;
  b->size = size;
  if (vk == NULL)
    {
      b->mapped = g_try_malloc0 (MAX (size, 16));
      if (b->mapped == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_DEVICE,
                       "out of memory allocating %" G_GSIZE_FORMAT " MB; try a smaller --size",
                       size >> 20);
          goto error;
        }
      return b;
    }

  {
    /* A CPU device's large buffers live in memory allocated here, in huge pages where the system
     * has them: first touching lavapipe's own (4 kB pages) was a tenth of a 1080p still's CPU
     * time, a page fault costing as much as 16 us in a virtual machine. */
    gboolean import = vk->host_pointer_props != NULL && size >= HOST_IMPORT_MIN;
    VkExternalMemoryBufferCreateInfo external = {
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
      .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
    };
    VkBufferCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .pNext = import ? &external : NULL,
      .size = MAX (size, 16),
      .usage = usage,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkImportMemoryHostPointerInfoEXT host = {
      .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
      .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
    };
    VkMemoryHostPointerPropertiesEXT host_props = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
    };
    VkMemoryAllocateInfo alloc = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };

    VK (vkCreateBuffer (vk->device, &info, NULL, &b->buffer));
    vkGetBufferMemoryRequirements (vk->device, b->buffer, &req);
    if (import)
      {
        VkDeviceSize align = MAX (vk->host_import_align, req.alignment);

        req.size = (req.size + align - 1) / align * align;
        b->host = ink_alloc_large_aligned (req.size, align);
        if (b->host == NULL)
          {
            g_set_error (error, INK_ERROR, INK_ERROR_DEVICE,
                         "out of memory allocating %" G_GSIZE_FORMAT " MB; try a smaller --size",
                         size >> 20);
            goto error;
          }
        VK (vk->host_pointer_props (vk->device,
                                    VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                                    b->host, &host_props));
        req.memoryTypeBits &= host_props.memoryTypeBits;
        host.pHostPointer = b->host;
        alloc.pNext = &host;
      }
    type = ink_vk_find_memory_type (vk, req.memoryTypeBits, required, preferred);
    if (type < 0)
      {
        g_set_error (error, INK_ERROR, INK_ERROR_DEVICE, "the Vulkan device has no suitable memory");
        goto error;
      }
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = type;
    VK (vkAllocateMemory (vk->device, &alloc, NULL, &b->memory));
    VK (vkBindBufferMemory (vk->device, b->buffer, b->memory, 0));
    if ((vk->mem_props.memoryTypes[type].propertyFlags
         & (VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT))
        == (VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT))
      VK (vkMapMemory (vk->device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->mapped));
    ink_vk_name_object (vk, VK_OBJECT_TYPE_BUFFER, (guint64) b->buffer, name);
  }
  return b;

error:
  ink_buffer_free (&b);
  return NULL;
}

InkBuffer *
ink_buffer_new (InkCompute *c, gsize size, const char *name, GError **error)
{
  return buffer_new_with (c, size, name,
                          VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
                          | VK_BUFFER_USAGE_TRANSFER_DST_BIT
                          | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT
                          | VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT
                          | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
                          0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, error);
}

void
ink_buffer_free (InkBuffer **pb)
{
  InkBuffer *b = *pb;

  if (b == NULL)
    return;
  if (b->compute->vk == NULL)
    g_free (b->mapped);
  else
    {
      VkDevice dev = b->compute->vk->device;
      if (b->buffer != VK_NULL_HANDLE)
        vkDestroyBuffer (dev, b->buffer, NULL);
      if (b->memory != VK_NULL_HANDLE)
        vkFreeMemory (dev, b->memory, NULL);
      ink_free_large (b->host);   /* after the memory made from it */
    }
  g_free (b);
  *pb = NULL;
}

gsize
ink_buffer_size (InkBuffer *b)
{
  return b->size;
}

void
ink_buffer_set_half (InkBuffer *b, gboolean half)
{
  g_return_if_fail (!half || b->compute->vk != NULL);
  b->half = half;
}

gboolean
ink_buffer_is_half (InkBuffer *b)
{
  return b->half;
}

gboolean
ink_compute_has_half_texels (InkCompute *c)
{
  VkFormatProperties props;
  const VkFormatFeatureFlags need = VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT
                                    | VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT;

  if (c->vk == NULL)
    return FALSE;
  vkGetPhysicalDeviceFormatProperties (c->vk->physical, VK_FORMAT_R16_SFLOAT, &props);
  if ((props.bufferFeatures & need) != need)
    return FALSE;
  vkGetPhysicalDeviceFormatProperties (c->vk->physical, VK_FORMAT_R16G16B16A16_SFLOAT, &props);
  return (props.bufferFeatures & need) == need;
}

gboolean
ink_compute_has_half_math (InkCompute *c)
{
  return c->vk != NULL && ink_vk_context_has_float16 (c->vk);
}

void
ink_compute_set_half_math (InkCompute *c, gboolean half_math)
{
  c->half_math = half_math && ink_compute_has_half_math (c);
}

gboolean
ink_compute_half_math (InkCompute *c)
{
  return c->half_math;
}

/* Pipelines ------------------------------------------------------------------------------------- */

/* How binding I of PASS is read or written: through a texel buffer of this format, or not. */
static InkTexelFormat
texel_format (const InkPass *pass, guint i)
{
  if (i == pass->n_inputs)
    return (InkTexelFormat) pass->texel_output;
  return i < 8 ? (InkTexelFormat) (pass->texel_inputs >> (4 * i) & 0xf) : INK_TEXEL_NONE;
}

static VkDescriptorType
descriptor_type (const InkPass *pass, guint i)
{
  if (texel_format (pass, i) == INK_TEXEL_NONE)
    return VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  if (texel_format (pass, i) == INK_TEXEL_UNIFORM)
    return VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
  return i == pass->n_inputs ? VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER
                             : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
}

static Pipeline *
get_pipeline (InkCompute *c, const InkPass *pass, const InkDispatchShape *shape, GError **error)
{
  InkVkContext *vk = c->vk;
  PipelineKey key = make_key (pass, shape);
  Pipeline *p;
  VkDescriptorSetLayoutBinding bindings[MAX_BINDINGS];
  VkShaderModule module = VK_NULL_HANDLE;
  guint n = pass->n_inputs + 1;
  guint32 constants[3 + INK_MAX_SPEC];
  VkSpecializationMapEntry entries[3 + INK_MAX_SPEC];
  VkSpecializationInfo spec = {
    .mapEntryCount = 3 + shape->n_spec, .pMapEntries = entries,
    .dataSize = (3 + shape->n_spec) * 4, .pData = constants,
  };

  g_mutex_lock (&c->pipelines_lock);
  p = g_hash_table_lookup (c->pipelines, &key);
  g_mutex_unlock (&c->pipelines_lock);
  if (p != NULL)
    return p;
  g_assert (n <= MAX_BINDINGS && pass->push_size <= 128 && pass->push_size % 4 == 0);
  for (guint i = 0; i < 3 + shape->n_spec; i++)
    {
      constants[i] = i < 3 ? shape->local[i] : shape->spec[i - 3];
      entries[i] = (VkSpecializationMapEntry) { .constantID = i, .offset = 4 * i, .size = 4 };
    }
  p = g_new0 (Pipeline, 1);
  for (guint i = 0; i < n; i++)
    bindings[i] = (VkDescriptorSetLayoutBinding) {
      .binding = i,
      .descriptorType = descriptor_type (pass, i),
      .descriptorCount = 1,
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
    };

  {
    VkDescriptorSetLayoutCreateInfo set_info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = n,
      .pBindings = bindings,
    };
    VkPushConstantRange range = {
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .offset = 0, .size = pass->push_size,
    };
    VkPipelineLayoutCreateInfo layout_info = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &p->set_layout,
      .pushConstantRangeCount = 1,
      .pPushConstantRanges = &range,
    };
    VkShaderModuleCreateInfo module_info = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = pass->spv_size,
      .pCode = pass->spv,
    };
    VkComputePipelineCreateInfo pipe_info = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
        .stage = VK_SHADER_STAGE_COMPUTE_BIT,
        .pName = "main",
        .pSpecializationInfo = &spec,
      },
    };

    VK (vkCreateDescriptorSetLayout (vk->device, &set_info, NULL, &p->set_layout));
    VK (vkCreatePipelineLayout (vk->device, &layout_info, NULL, &p->layout));
    VK (vkCreateShaderModule (vk->device, &module_info, NULL, &module));
    pipe_info.stage.module = module;
    pipe_info.layout = p->layout;
    VK (vkCreateComputePipelines (vk->device, vk->pipeline_cache, 1, &pipe_info, NULL,
                                  &p->pipeline));
    vkDestroyShaderModule (vk->device, module, NULL);
    ink_vk_name_object (vk, VK_OBJECT_TYPE_PIPELINE, (guint64) p->pipeline, pass->name);
  }
  {
    /* Another thread of ink_compute_prepare_all may have built the same one meanwhile. */
    Pipeline *built;

    g_mutex_lock (&c->pipelines_lock);
    built = g_hash_table_lookup (c->pipelines, &key);
    if (built == NULL)
      g_hash_table_insert (c->pipelines, g_memdup2 (&key, sizeof key), p);
    g_mutex_unlock (&c->pipelines_lock);
    if (built != NULL)
      {
        destroy_pipeline (vk, p);
        p = built;
      }
  }
  return p;

error:
  if (module != VK_NULL_HANDLE)
    vkDestroyShaderModule (vk->device, module, NULL);
  destroy_pipeline (vk, p);
  return NULL;
}

/* The shape of PASS dispatched by ink_compute_dispatch: one invocation per pixel, and the
 * variant PUSH needs. */
static InkDispatchShape
pixel_shape (InkCompute *c, const InkPass *pass, const void *push)
{
  const gint32 *size = push;
  InkDispatchShape shape = { .local = { c->local[0], c->local[1], 1 }, .groups = { 1, 1, 1 } };

  if (size != NULL)
    {
      shape.groups[0] = ((guint32) size[0] + c->local[0] - 1) / c->local[0];
      shape.groups[1] = ((guint32) size[1] + c->local[1] - 1) / c->local[1];
    }
  if (pass->variant != NULL)
    {
      shape.spec[0] = pass->variant (push);
      shape.n_spec = 1;
    }
  return shape;
}

gboolean
ink_compute_prepare (InkCompute *c, const InkPass *pass, GError **error)
{
  InkDispatchShape shape = pixel_shape (c, pass, NULL);

  return c->vk == NULL || get_pipeline (c, pass, &shape, error) != NULL;
}

typedef struct {
  InkCompute *compute;
  const PrepareItem *items;
  guint n;
  gint next;          /* the next item to build, taken atomically */
  GError *error;      /* the first failure; guarded by the compute's pipelines_lock */
} PrepareJob;

static gpointer
prepare_main (gpointer data)
{
  PrepareJob *job = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&job->next, 1)) < job->n)
    {
      GError *error = NULL;
      if (get_pipeline (job->compute, job->items[i].pass, &job->items[i].shape, &error) == NULL)
        {
          g_mutex_lock (&job->compute->pipelines_lock);
          if (job->error == NULL)
            job->error = g_steal_pointer (&error);
          g_mutex_unlock (&job->compute->pipelines_lock);
          g_clear_error (&error);
        }
    }
  return NULL;
}

/* Builds the pipelines of ITEMS on two threads: drivers compile on the CPU, one pipeline a call
 * (lavapipe: the stylizer's 14 took 50 ms, the first thing an export waits for). */
static gboolean
prepare_items (InkCompute *c, const PrepareItem *items, guint n, GError **error)
{
  PrepareJob job = { c, items, n, 0, NULL };
  GThread *helper = NULL;

  if (n > 1)
    helper = g_thread_try_new ("ink-prepare", prepare_main, &job, NULL);
  prepare_main (&job);
  if (helper != NULL)
    g_thread_join (helper);
  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ink_compute_prepare_all (InkCompute *c, const InkPass *const *passes, guint n, GError **error)
{
  g_autofree PrepareItem *items = g_new (PrepareItem, MAX (n, 1));

  if (c->vk == NULL)
    return TRUE;
  for (guint i = 0; i < n; i++)
    items[i] = (PrepareItem) { passes[i], pixel_shape (c, passes[i], NULL) };
  return prepare_items (c, items, n, error);
}

gboolean
ink_compute_collect (InkCompute *c)
{
  g_array_set_size (c->collected, 0);
  c->collecting = c->vk != NULL;
  return c->collecting;
}

gboolean
ink_compute_is_collecting (InkCompute *c)
{
  return c->collecting;
}

gboolean
ink_compute_prepare_collected (InkCompute *c, GError **error)
{
  gboolean ok;

  /* A collecting recording left unfinished by an error recorded nothing on the device. */
  if (c->collecting)
    c->recording = FALSE;
  c->collecting = FALSE;
  ok = prepare_items (c, (const PrepareItem *) c->collected->data, c->collected->len, error);
  g_array_set_size (c->collected, 0);
  return ok;
}

/* Recording ------------------------------------------------------------------------------------- */

static void
barrier (InkCompute *c)
{
  VkMemoryBarrier mb = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
    .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
    .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT
                     | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
  };

  vkCmdPipelineBarrier (c->cmd,
                        VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                        VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                        0, 1, &mb, 0, NULL, 0, NULL);
}

static void
timestamp (InkCompute *c, int tag, const char *name)
{
  if (c->queries != VK_NULL_HANDLE)
    {
      vkCmdWriteTimestamp (c->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, c->queries,
                           c->n_dispatches);
    }
  if (c->n_dispatches > 0)
    {
      c->tags[c->n_dispatches - 1] = tag;
      c->names[c->n_dispatches - 1] = name;
    }
  c->n_dispatches++;
}

gboolean
ink_compute_begin (InkCompute *c, GError **error)
{
  VkCommandBufferBeginInfo begin = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
    .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
  };

  /* A recording abandoned after an error is simply started afresh, once a part of it that was
   * submitted has run: its descriptors and temporaries go now. */
  if (c->in_flight)
    {
      c->in_flight = FALSE;
      VK (vkWaitForFences (c->vk->device, 1, &c->fence_early, VK_TRUE, UINT64_MAX));
    }
  drop_temporaries (c, c->temporaries->len > 0);
  g_array_set_size (c->timings, 0);
  c->n_dispatches = 0;
  c->recording = TRUE;
  if (c->vk == NULL || c->collecting)
    return TRUE;
  VK (vkResetDescriptorPool (c->vk->device, c->descriptor_pool, 0));
  VK (vkResetCommandBuffer (c->cmd, 0));
  VK (vkBeginCommandBuffer (c->cmd, &begin));
  if (c->queries != VK_NULL_HANDLE)
    vkCmdResetQueryPool (c->cmd, c->queries, 0, MAX_DISPATCHES + 1);
  timestamp (c, -1, NULL);
  return TRUE;

error:
  c->recording = FALSE;
  return FALSE;
}

/* The smallest spare of KIND holding SIZE bytes, at most twice that (drop_temporaries), now a
 * temporary of this recording; or NULL. Not only the same size: a network run in tiles asks for
 * a little less at the picture's edges. */
static InkBuffer *
take_spare (InkCompute *c, guint kind, gsize size, const char *name)
{
  InkBuffer *b = NULL;
  guint best = 0;

  for (guint i = 0; i < c->spares->len; i++)
    {
      InkBuffer *s = g_ptr_array_index (c->spares, i);
      if (s->spare == kind && s->size >= size && s->size / 2 <= size
          && (b == NULL || s->size < b->size))
        b = s, best = i;
    }
  if (b == NULL)
    return NULL;
  g_ptr_array_remove_index_fast (c->spares, best);
  b->half = FALSE;
  if (c->vk == NULL)
    memset (b->mapped, 0, MAX (b->size, 16));   /* as new, for the references */
  else
    ink_vk_name_object (c->vk, VK_OBJECT_TYPE_BUFFER, (guint64) b->buffer, name);
  g_ptr_array_add (c->temporaries, b);
  return b;
}

static InkBuffer *
staging_new (InkCompute *c, gsize size, gboolean readback, GError **error)
{
  const char *name = readback ? "download" : "upload";
  guint kind = readback ? SPARE_READBACK : SPARE_UPLOAD;
  InkBuffer *b = take_spare (c, kind, size, name);

  if (b != NULL)
    return b;
  b = buffer_new_with (c, size, name,
                       readback ? VK_BUFFER_USAGE_TRANSFER_DST_BIT : VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                       readback ? VK_MEMORY_PROPERTY_HOST_CACHED_BIT : 0, error);
  if (b != NULL)
    {
      b->spare = kind;
      g_ptr_array_add (c->temporaries, b);
    }
  return b;
}

InkBuffer *
ink_compute_scratch (InkCompute *c, gsize size, const char *name, GError **error)
{
  InkBuffer *b;

  g_return_val_if_fail (c->recording, NULL);
  b = take_spare (c, SPARE_SCRATCH, size, name);
  if (b == NULL && (b = ink_buffer_new (c, size, name, error)) != NULL)
    {
      b->spare = SPARE_SCRATCH;
      g_ptr_array_add (c->temporaries, b);
    }
  return b;
}

gboolean
ink_compute_upload (InkCompute *c, InkBuffer *dst, const void *data, gsize size, GError **error)
{
  InkBuffer *staging;

  g_return_val_if_fail (c->recording && size <= dst->size, FALSE);
  if (c->collecting)
    return TRUE;
  if (dst->mapped != NULL)
    {
      memcpy (dst->mapped, data, size);
      return TRUE;
    }
  staging = staging_new (c, size, FALSE, error);
  if (staging == NULL)
    return FALSE;
  memcpy (staging->mapped, data, size);
  barrier (c);
  vkCmdCopyBuffer (c->cmd, staging->buffer, dst->buffer, 1,
                   &(VkBufferCopy) { .size = size });
  return TRUE;
}

gboolean
ink_compute_download_at (InkCompute *c, InkBuffer *src, gsize offset, void *data, gsize size,
                         GError **error)
{
  Download d = { .src = src, .offset = offset, .data = data, .size = size };

  g_return_val_if_fail (c->recording && offset <= src->size && size <= src->size - offset, FALSE);
  if (c->collecting)
    return TRUE;
  if (c->vk == NULL)
    {
      memcpy (data, (const guint8 *) src->mapped + offset, size);
      return TRUE;
    }
  if (src->mapped == NULL)
    {
      d.staging = staging_new (c, size, TRUE, error);
      if (d.staging == NULL)
        return FALSE;
      d.offset = 0;
      barrier (c);
      vkCmdCopyBuffer (c->cmd, src->buffer, d.staging->buffer, 1,
                       &(VkBufferCopy) { .srcOffset = offset, .size = size });
    }
  g_array_append_val (c->downloads, d);
  return TRUE;
}

gboolean
ink_compute_download (InkCompute *c, InkBuffer *src, void *data, gsize size, GError **error)
{
  return ink_compute_download_at (c, src, 0, data, size, error);
}

gboolean
ink_compute_dispatch (InkCompute *c, const InkPass *pass, InkBuffer *const *inputs,
                      InkBuffer *output, const void *push, int tag, GError **error)
{
  InkDispatchShape shape = pixel_shape (c, pass, push);

  return ink_compute_dispatch_shaped (c, pass, inputs, output, push, &shape, tag, error);
}

gboolean
ink_compute_dispatch_shaped (InkCompute *c, const InkPass *pass, InkBuffer *const *inputs,
                             InkBuffer *output, const void *push, const InkDispatchShape *shape,
                             int tag, GError **error)
{
  guint n = pass->n_inputs + 1;
  VkDescriptorBufferInfo infos[MAX_BINDINGS];
  VkWriteDescriptorSet writes[MAX_BINDINGS];
  VkBufferView views[MAX_BINDINGS];
  VkDescriptorSet set;
  Pipeline *p;

  g_return_val_if_fail (c->recording, FALSE);
  if (c->vk == NULL)
    {
      const void *in[MAX_BINDINGS];
      gint64 t0 = g_get_monotonic_time ();
      InkTiming t = { .tag = tag, .pass = pass->name };

      for (guint i = 0; i < pass->n_inputs; i++)
        in[i] = inputs[i]->mapped;
      pass->ref (in, output->mapped, push);
      t.ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (c->timings, t);
      return TRUE;
    }

  if (c->collecting)
    {
      /* Each pipeline not built yet, once. */
      PrepareItem item = { pass, *shape };
      PipelineKey key = make_key (pass, shape);
      gboolean have = g_hash_table_lookup (c->pipelines, &key) != NULL;

      for (guint i = 0; i < c->collected->len && !have; i++)
        {
          const PrepareItem *o = &g_array_index (c->collected, PrepareItem, i);
          PipelineKey other = make_key (o->pass, &o->shape);
          have = key_equal (&key, &other);
        }
      if (!have)
        g_array_append_val (c->collected, item);
      return TRUE;
    }
  if (c->n_dispatches >= MAX_DISPATCHES)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_FAILED, "too many dispatches in one recording");
      return FALSE;
    }
  p = get_pipeline (c, pass, shape, error);
  if (p == NULL)
    return FALSE;

  {
    VkDescriptorSetAllocateInfo alloc = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = c->descriptor_pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &p->set_layout,
    };
    VK (vkAllocateDescriptorSets (c->vk->device, &alloc, &set));
  }
  for (guint i = 0; i < n; i++)
    {
      InkBuffer *b = i < pass->n_inputs ? inputs[i] : output;
      infos[i] = (VkDescriptorBufferInfo) { .buffer = b->buffer, .range = VK_WHOLE_SIZE };
      writes[i] = (VkWriteDescriptorSet) {
        .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
        .dstSet = set,
        .dstBinding = i,
        .descriptorCount = 1,
        .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .pBufferInfo = &infos[i],
      };
      if (texel_format (pass, i) == INK_TEXEL_UNIFORM)
        {
          g_assert (shape->window[0] % c->vk->props.limits.minUniformBufferOffsetAlignment == 0
                    && shape->window[0] + shape->window[1] <= b->size
                    && shape->window[1] <= c->vk->props.limits.maxUniformBufferRange);
          infos[i].offset = shape->window[0];
          infos[i].range = shape->window[1];
          writes[i].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
        }
      else if (texel_format (pass, i) != INK_TEXEL_NONE)
        {
          static const VkFormat formats[] = {
            [INK_TEXEL_FLOAT] = VK_FORMAT_R32_SFLOAT, [INK_TEXEL_VEC2] = VK_FORMAT_R32G32_SFLOAT,
            [INK_TEXEL_VEC4] = VK_FORMAT_R32G32B32A32_SFLOAT, [INK_TEXEL_UINT] = VK_FORMAT_R32_UINT,
            [INK_TEXEL_UVEC2] = VK_FORMAT_R32G32_UINT, [INK_TEXEL_RGBA8] = VK_FORMAT_R8G8B8A8_UNORM,
          };
          static const guint sizes[] = { 0, 4, 8, 16, 4, 8, 4 };
          InkTexelFormat f = texel_format (pass, i);
          gboolean half = (f == INK_TEXEL_FLOAT || f == INK_TEXEL_VEC4) && b->half;
          guint size = half ? sizes[f] / 2 : sizes[f];
          gsize elements = MAX (b->size, 16) / size;
          VkBufferViewCreateInfo view_info = {
            .sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
            .buffer = b->buffer,
            .format = !half ? formats[f]
                      : f == INK_TEXEL_VEC4 ? VK_FORMAT_R16G16B16A16_SFLOAT : VK_FORMAT_R16_SFLOAT,
            .range = elements * size,
          };
          if (elements > c->vk->props.limits.maxTexelBufferElements)
            {
              g_set_error (error, INK_ERROR, INK_ERROR_DEVICE,
                           "%s: a buffer of %" G_GSIZE_FORMAT " values is more than the Vulkan "
                           "device reads at once (%u); try a smaller --size", pass->name,
                           elements, c->vk->props.limits.maxTexelBufferElements);
              return FALSE;
            }
          VK (vkCreateBufferView (c->vk->device, &view_info, NULL, &views[i]));
          g_array_append_val (c->views, views[i]);
          writes[i].descriptorType = descriptor_type (pass, i);
          writes[i].pBufferInfo = NULL;
          writes[i].pTexelBufferView = &views[i];
        }
    }
  vkUpdateDescriptorSets (c->vk->device, n, writes, 0, NULL);

  barrier (c);
  vkCmdBindPipeline (c->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipeline);
  vkCmdBindDescriptorSets (c->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, 1, &set, 0, NULL);
  vkCmdPushConstants (c->cmd, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pass->push_size, push);
  vkCmdDispatch (c->cmd, shape->groups[0], shape->groups[1], shape->groups[2]);
  timestamp (c, tag, pass->name);
  return TRUE;

error:
  return FALSE;
}

static void
collect_timings (InkCompute *c)
{
  guint64 ticks[MAX_DISPATCHES + 1];

  if (c->queries == VK_NULL_HANDLE || c->n_dispatches < 2)
    return;
  if (vkGetQueryPoolResults (c->vk->device, c->queries, 0, c->n_dispatches, sizeof ticks, ticks,
                             sizeof ticks[0], VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT)
      != VK_SUCCESS)
    return;
  for (guint i = 0; i + 1 < c->n_dispatches; i++)
    {
      InkTiming t = {
        .tag = c->tags[i],
        .pass = c->names[i],
        .ms = (ticks[i + 1] - ticks[i]) * (double) c->vk->timestamp_period_ns / 1e6,
      };
      g_array_append_val (c->timings, t);
      g_debug ("%3d %-10s %8.2f ms", t.tag, t.pass, t.ms);
    }
}

/* Ends the command buffer being recorded and submits it, to signal FENCE. */
static gboolean
end_and_submit (InkCompute *c, VkFence fence, GError **error)
{
  VkSubmitInfo submit = {
    .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
    .commandBufferCount = 1,
    .pCommandBuffers = &c->cmd,
  };

  barrier (c);
  VK (vkEndCommandBuffer (c->cmd));
  VK (vkResetFences (c->vk->device, 1, &fence));
  VK (vkQueueSubmit (c->vk->queue, 1, &submit, fence));
  return TRUE;

error:
  return FALSE;
}

gboolean
ink_compute_submit (InkCompute *c, GError **error)
{
  VkCommandBufferBeginInfo begin = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
    .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
  };
  VkCommandBuffer running;

  g_return_val_if_fail (c->recording, FALSE);
  if (c->vk == NULL || c->in_flight || c->collecting)   /* the C references have run already; one part at a time */
    return TRUE;
  if (!end_and_submit (c, c->fence_early, error))
    return FALSE;
  /* The rest is recorded into the other command buffer; its barriers order it after this part
   * (a pipeline barrier's first scope takes in earlier submissions to the queue), and finish's
   * fence covers both. */
  running = c->cmd;
  c->cmd = c->cmd_early;
  c->cmd_early = running;
  c->in_flight = TRUE;
  VK (vkResetCommandBuffer (c->cmd, 0));
  VK (vkBeginCommandBuffer (c->cmd, &begin));
  /* A timestamp where the rest starts, so the time the device waits for it (while the host
   * works) is timed apart (tag -1), not as the next dispatch's. */
  if (c->n_dispatches < MAX_DISPATCHES)
    timestamp (c, -1, "(host)");
  return TRUE;

error:
  return FALSE;
}

gboolean
ink_compute_finish (InkCompute *c, GError **error)
{
  g_return_val_if_fail (c->recording, FALSE);
  c->recording = FALSE;
  if (c->vk == NULL)
    return TRUE;
  if (c->collecting)
    {
      drop_temporaries (c, TRUE);
      return TRUE;
    }

  if (!end_and_submit (c, c->fence, error))
    goto error;
  VK (vkWaitForFences (c->vk->device, 1, &c->fence, VK_TRUE, UINT64_MAX));
  if (c->in_flight)
    {
      c->in_flight = FALSE;
      VK (vkWaitForFences (c->vk->device, 1, &c->fence_early, VK_TRUE, UINT64_MAX));
    }
  collect_timings (c);
  for (guint i = 0; i < c->downloads->len; i++)
    {
      Download *d = &g_array_index (c->downloads, Download, i);
      memcpy (d->data, (const guint8 *) (d->staging != NULL ? d->staging->mapped : d->src->mapped)
                         + d->offset, d->size);
    }
  drop_temporaries (c, TRUE);
  return TRUE;

error:
  /* A part already submitted may still be reading the temporaries. */
  if (c->in_flight)
    {
      c->in_flight = FALSE;
      vkWaitForFences (c->vk->device, 1, &c->fence_early, VK_TRUE, UINT64_MAX);
    }
  drop_temporaries (c, TRUE);
  return FALSE;
}

guint
ink_compute_n_recorded (InkCompute *c)
{
  return c->vk == NULL ? c->timings->len : MAX (c->n_dispatches, 1) - 1;
}

const GArray *
ink_compute_timings (InkCompute *c)
{
  return c->timings;
}
