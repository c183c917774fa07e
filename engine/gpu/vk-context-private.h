/* vk-context-private.h: the Vulkan context's fields and the VK () error-checking macro. */
#pragma once

#include <vulkan/vulkan.h>

#include "ink-error.h"
#include "vk-context.h"

struct InkVkContext {
  VkInstance instance;
  VkPhysicalDevice physical;
  VkDevice device;
  VkQueue queue;
  guint32 queue_family;
  VkCommandPool command_pool;
  VkPipelineCache pipeline_cache;
  VkDebugUtilsMessengerEXT messenger;
  PFN_vkSetDebugUtilsObjectNameEXT set_object_name;   /* NULL without VK_EXT_debug_utils */
  VkPhysicalDeviceProperties props;
  VkPhysicalDeviceMemoryProperties mem_props;
  float timestamp_period_ns;   /* ns per tick */
  gboolean has_timestamps;
  gboolean has_subgroup_shuffle;   /* in compute shaders */
  guint subgroup_size;
  gboolean has_float16;            /* shaderFloat16 (VK_KHR_shader_float16_int8), enabled */
  /* A CPU device's memory made from the process's own (VK_EXT_external_memory_host, enabled):
   * NULL without it. */
  PFN_vkGetMemoryHostPointerPropertiesEXT host_pointer_props;
  VkDeviceSize host_import_align;   /* minImportedHostPointerAlignment */
  guint validation_messages;
};

const char *ink_vk_result_name (VkResult result);
void ink_vk_set_error (GError **error, const char *call, VkResult result, const char *file, int line);
void ink_vk_name_object (InkVkContext *ctx, VkObjectType type, guint64 handle, const char *name);
/* A memory type index with all of REQUIRED (and as many of PREFERRED as possible), or -1. */
int ink_vk_find_memory_type (InkVkContext *ctx, guint32 type_bits, VkMemoryPropertyFlags required,
                             VkMemoryPropertyFlags preferred);

/* Checks a VkResult; on failure sets *error (a GError ** named `error` in scope) and jumps to the
 * function's `error:` label. */
#define VK(call)                                                              \
  G_STMT_START {                                                              \
    VkResult vk_result_ = (call);                                             \
    if (G_UNLIKELY (vk_result_ != VK_SUCCESS)) {                              \
      ink_vk_set_error (error, #call, vk_result_, __FILE__, __LINE__);        \
      goto error;                                                             \
    }                                                                         \
  } G_STMT_END
