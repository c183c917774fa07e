/* vk-context.c: Vulkan instance, device ranking and choice, queue, pools and validation messages. */
#include "vk-context-private.h"

#include <stdlib.h>
#include <string.h>

#define VALIDATION_LAYER "VK_LAYER_KHRONOS_validation"

const char *
ink_vk_result_name (VkResult result)
{
  switch (result)
    {
#define R(x) case x: return #x;
      R (VK_SUCCESS) R (VK_NOT_READY) R (VK_TIMEOUT) R (VK_INCOMPLETE)
      R (VK_ERROR_OUT_OF_HOST_MEMORY) R (VK_ERROR_OUT_OF_DEVICE_MEMORY)
      R (VK_ERROR_INITIALIZATION_FAILED) R (VK_ERROR_DEVICE_LOST)
      R (VK_ERROR_MEMORY_MAP_FAILED) R (VK_ERROR_LAYER_NOT_PRESENT)
      R (VK_ERROR_EXTENSION_NOT_PRESENT) R (VK_ERROR_FEATURE_NOT_PRESENT)
      R (VK_ERROR_INCOMPATIBLE_DRIVER) R (VK_ERROR_TOO_MANY_OBJECTS)
      R (VK_ERROR_FORMAT_NOT_SUPPORTED) R (VK_ERROR_FRAGMENTED_POOL)
      R (VK_ERROR_OUT_OF_POOL_MEMORY) R (VK_ERROR_UNKNOWN)
#undef R
    default:
      return "VK_ERROR_(unnamed)";
    }
}

void
ink_vk_set_error (GError **error, const char *call, VkResult result, const char *file, int line)
{
  const char *hint = "";

  g_debug ("%s failed: %s (%s:%d)", call, ink_vk_result_name (result), file, line);
  if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY)
    hint = "; try a smaller --size";
  else if (result == VK_ERROR_DEVICE_LOST)
    hint = "; the graphics driver reset the device";
  g_set_error (error, INK_ERROR, INK_ERROR_DEVICE, "the Vulkan device failed: %s%s",
               ink_vk_result_name (result), hint);
}

void
ink_vk_name_object (InkVkContext *ctx, VkObjectType type, guint64 handle, const char *name)
{
  VkDebugUtilsObjectNameInfoEXT info = {
    .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT,
    .objectType = type,
    .objectHandle = handle,
    .pObjectName = name,
  };

  if (ctx->set_object_name != NULL)
    ctx->set_object_name (ctx->device, &info);
}

int
ink_vk_find_memory_type (InkVkContext *ctx, guint32 type_bits, VkMemoryPropertyFlags required,
                         VkMemoryPropertyFlags preferred)
{
  int best = -1, best_score = -1;

  for (guint32 i = 0; i < ctx->mem_props.memoryTypeCount; i++)
    {
      VkMemoryPropertyFlags flags = ctx->mem_props.memoryTypes[i].propertyFlags;
      int score;

      if (!(type_bits & (1u << i)) || (flags & required) != required)
        continue;
      score = __builtin_popcount (flags & preferred);
      if (score > best_score)
        best = i, best_score = score;
    }
  return best;
}

static VKAPI_ATTR VkBool32 VKAPI_CALL
on_debug_message (VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                  VkDebugUtilsMessageTypeFlagsEXT types,
                  const VkDebugUtilsMessengerCallbackDataEXT *data, void *user_data)
{
  InkVkContext *ctx = user_data;

  (void) types;
  if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT)
    {
      ctx->validation_messages++;
      g_warning ("Vulkan validation: %s", data->pMessage);
    }
  else
    g_debug ("Vulkan: %s", data->pMessage);
  return VK_FALSE;
}

static gboolean
has_layer (const char *name)
{
  guint32 n = 0;
  g_autofree VkLayerProperties *layers = NULL;

  if (vkEnumerateInstanceLayerProperties (&n, NULL) != VK_SUCCESS)
    return FALSE;
  layers = g_new0 (VkLayerProperties, MAX (n, 1));
  if (vkEnumerateInstanceLayerProperties (&n, layers) != VK_SUCCESS)
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    if (g_str_equal (layers[i].layerName, name))
      return TRUE;
  return FALSE;
}

static gboolean
has_instance_extension (const char *name)
{
  guint32 n = 0;
  g_autofree VkExtensionProperties *exts = NULL;

  if (vkEnumerateInstanceExtensionProperties (NULL, &n, NULL) != VK_SUCCESS)
    return FALSE;
  exts = g_new0 (VkExtensionProperties, MAX (n, 1));
  if (vkEnumerateInstanceExtensionProperties (NULL, &n, exts) != VK_SUCCESS)
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    if (g_str_equal (exts[i].extensionName, name))
      return TRUE;
  return FALSE;
}

static gboolean
has_device_extension (VkPhysicalDevice physical, const char *name)
{
  guint32 n = 0;
  g_autofree VkExtensionProperties *exts = NULL;

  if (vkEnumerateDeviceExtensionProperties (physical, NULL, &n, NULL) != VK_SUCCESS)
    return FALSE;
  exts = g_new0 (VkExtensionProperties, MAX (n, 1));
  if (vkEnumerateDeviceExtensionProperties (physical, NULL, &n, exts) != VK_SUCCESS)
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    if (g_str_equal (exts[i].extensionName, name))
      return TRUE;
  return FALSE;
}

static gboolean
want_validation (const InkVkContextParams *params)
{
  return params->validation || g_strcmp0 (g_getenv ("INKLOOP_VALIDATION"), "1") == 0;
}

static gboolean
create_instance (InkVkContext *ctx, gboolean validation, GError **error)
{
  const char *layers[1], *exts[1];
  guint n_layers = 0, n_exts = 0;
  VkApplicationInfo app = {
    .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
    .pApplicationName = "Inkloop",
    .pEngineName = "inkloop-engine",
    .apiVersion = VK_API_VERSION_1_1,
  };
  VkInstanceCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
    .pApplicationInfo = &app,
  };
  VkDebugUtilsMessengerCreateInfoEXT messenger_info = {
    .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
    .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT
                       | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
    .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT
                   | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
                   | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
    .pfnUserCallback = on_debug_message,
    .pUserData = ctx,
  };
  gboolean debug_utils = has_instance_extension (VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  VkResult res;

  if (validation)
    {
      if (!has_layer (VALIDATION_LAYER))
        {
          g_set_error (error, INK_ERROR, INK_ERROR_NO_DEVICE,
                       "validation was asked for but %s is not installed "
                       "(Debian: apt install vulkan-validationlayers)", VALIDATION_LAYER);
          return FALSE;
        }
      layers[n_layers++] = VALIDATION_LAYER;
    }
#ifndef NDEBUG
  if (debug_utils)
    exts[n_exts++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
#else
  if (debug_utils && validation)
    exts[n_exts++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
#endif
  info.enabledLayerCount = n_layers;
  info.ppEnabledLayerNames = layers;
  info.enabledExtensionCount = n_exts;
  info.ppEnabledExtensionNames = exts;

  res = vkCreateInstance (&info, NULL, &ctx->instance);
  if (res != VK_SUCCESS)
    {
      g_debug ("vkCreateInstance failed: %s", ink_vk_result_name (res));
      g_set_error (error, INK_ERROR, INK_ERROR_NO_DEVICE,
                   "no Vulkan driver could be loaded (%s); install mesa-vulkan-drivers",
                   ink_vk_result_name (res));
      ctx->instance = VK_NULL_HANDLE;
      return FALSE;
    }
  if (n_exts > 0)
    {
      PFN_vkCreateDebugUtilsMessengerEXT create_messenger = (PFN_vkCreateDebugUtilsMessengerEXT)
        vkGetInstanceProcAddr (ctx->instance, "vkCreateDebugUtilsMessengerEXT");
      ctx->set_object_name = (PFN_vkSetDebugUtilsObjectNameEXT)
        vkGetInstanceProcAddr (ctx->instance, "vkSetDebugUtilsObjectNameEXT");
      if (validation && create_messenger != NULL)
        create_messenger (ctx->instance, &messenger_info, NULL, &ctx->messenger);
    }
  return TRUE;
}

static int
type_rank (VkPhysicalDeviceType type)
{
  switch (type)
    {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
    }
}

static const char *
type_name (VkPhysicalDeviceType type)
{
  switch (type)
    {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
    }
}

/* The compute queue family of DEV, or -1. */
static int
compute_family (VkPhysicalDevice dev)
{
  guint32 n = 0;
  g_autofree VkQueueFamilyProperties *families = NULL;
  int best = -1;

  vkGetPhysicalDeviceQueueFamilyProperties (dev, &n, NULL);
  families = g_new0 (VkQueueFamilyProperties, MAX (n, 1));
  vkGetPhysicalDeviceQueueFamilyProperties (dev, &n, families);
  for (guint32 i = 0; i < n; i++)
    {
      if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT))
        continue;
      /* Prefer a family that also does graphics: it has timestamps everywhere. */
      if (best < 0 || (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
        best = i;
      if (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)
        break;
    }
  return best;
}

static gboolean
device_usable (VkPhysicalDevice dev, const VkPhysicalDeviceProperties *props)
{
  if (props->apiVersion < VK_API_VERSION_1_1)
    {
      g_debug ("rejecting %s: Vulkan %u.%u < 1.1", props->deviceName,
               VK_API_VERSION_MAJOR (props->apiVersion), VK_API_VERSION_MINOR (props->apiVersion));
      return FALSE;
    }
  if (compute_family (dev) < 0)
    {
      g_debug ("rejecting %s: no compute queue", props->deviceName);
      return FALSE;
    }
  return TRUE;
}

/* Index of the device to use among DEVS, or -1 with *error set. */
static int
choose_device (VkPhysicalDevice *devs, guint32 n, const char *wanted, GError **error)
{
  int best = -1, best_rank = -1;
  char *end = NULL;
  long index;

  if (wanted == NULL || *wanted == '\0')
    wanted = g_getenv ("INKLOOP_DEVICE");
  if (wanted != NULL && *wanted == '\0')
    wanted = NULL;

  if (wanted != NULL)
    {
      index = strtol (wanted, &end, 10);
      for (guint32 i = 0; i < n; i++)
        {
          VkPhysicalDeviceProperties props;
          g_autofree char *lname = NULL, *lwanted = NULL;
          gboolean match;

          vkGetPhysicalDeviceProperties (devs[i], &props);
          lname = g_ascii_strdown (props.deviceName, -1);
          lwanted = g_ascii_strdown (wanted, -1);
          match = (*end == '\0') ? (index == (long) i) : (strstr (lname, lwanted) != NULL);
          if (!match)
            {
              g_debug ("device %u (%s) does not match '%s'", i, props.deviceName, wanted);
              continue;
            }
          if (!device_usable (devs[i], &props))
            continue;
          return i;
        }
      g_set_error (error, INK_ERROR, INK_ERROR_NO_DEVICE,
                   "no usable Vulkan device matches '%s'; 'inkloop-cli devices' lists them", wanted);
      return -1;
    }

  for (guint32 i = 0; i < n; i++)
    {
      VkPhysicalDeviceProperties props;
      int rank;

      vkGetPhysicalDeviceProperties (devs[i], &props);
      if (!device_usable (devs[i], &props))
        continue;
      rank = type_rank (props.deviceType);
      g_debug ("device %u: %s (%s), rank %d", i, props.deviceName, type_name (props.deviceType), rank);
      if (rank > best_rank)
        best = i, best_rank = rank;
    }
  if (best < 0)
    g_set_error (error, INK_ERROR, INK_ERROR_NO_DEVICE,
                 "no usable Vulkan device found; install mesa-vulkan-drivers for the CPU device");
  return best;
}

static VkPhysicalDevice *
enumerate (VkInstance instance, guint32 *n, GError **error)
{
  VkPhysicalDevice *devs = NULL;

  *n = 0;
  VK (vkEnumeratePhysicalDevices (instance, n, NULL));
  devs = g_new0 (VkPhysicalDevice, MAX (*n, 1));
  VK (vkEnumeratePhysicalDevices (instance, n, devs));
  if (*n == 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_NO_DEVICE,
                   "no Vulkan device found; install mesa-vulkan-drivers for the CPU device");
      goto error;
    }
  return devs;

error:
  if (error != NULL && *error != NULL && (*error)->code == INK_ERROR_DEVICE)
    (*error)->code = INK_ERROR_NO_DEVICE;
  g_free (devs);
  return NULL;
}

/* Whether /dev holds a node a GPU driver opens. */
static gboolean
has_gpu_node (void)
{
  GDir *dri = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;
  gboolean found = FALSE;

  while (dri != NULL && !found && (name = g_dir_read_name (dri)) != NULL)
    found = g_str_has_prefix (name, "renderD");
  if (dri != NULL)
    g_dir_close (dri);
  return found || g_file_test ("/dev/nvidiactl", G_FILE_TEST_EXISTS)
         || g_file_test ("/dev/nvidia0", G_FILE_TEST_EXISTS)
         || g_file_test ("/dev/dxg", G_FILE_TEST_EXISTS)
         || g_file_test ("/dev/kgsl-3d0", G_FILE_TEST_EXISTS)    /* Adreno without DRM */
         || g_file_test ("/dev/mali0", G_FILE_TEST_EXISTS);      /* Mali's own driver */
}

void
ink_vk_skip_absent_gpu_drivers (void)
{
  static const char *const chosen[] = {
    "VK_ICD_FILENAMES", "VK_DRIVER_FILES", "VK_ADD_DRIVER_FILES", "VK_LOADER_DRIVERS_SELECT",
    "VK_LOADER_DRIVERS_DISABLE",
  };

  for (guint i = 0; i < G_N_ELEMENTS (chosen); i++)
    if (g_getenv (chosen[i]) != NULL)
      return;
  if (!has_gpu_node ())
    g_setenv ("VK_LOADER_DRIVERS_SELECT", "*lvp*,*swiftshader*", FALSE);
}

InkVkContext *
ink_vk_context_new (const InkVkContextParams *params, GError **error)
{
  InkVkContextParams defaults = INK_VK_CONTEXT_PARAMS_DEFAULT;
  InkVkContext *ctx = g_new0 (InkVkContext, 1);
  g_autofree VkPhysicalDevice *devs = NULL;
  guint32 n = 0;
  int chosen;
  float priority = 1.0f;
  guint32 n_families = 0;
  g_autofree VkQueueFamilyProperties *families = NULL;

  if (params == NULL)
    params = &defaults;
  if (!create_instance (ctx, want_validation (params), error))
    goto error;
  devs = enumerate (ctx->instance, &n, error);
  if (devs == NULL)
    goto error;
  chosen = choose_device (devs, n, params->device, error);
  if (chosen < 0)
    goto error;

  ctx->physical = devs[chosen];
  ctx->queue_family = compute_family (ctx->physical);
  vkGetPhysicalDeviceProperties (ctx->physical, &ctx->props);
  {
    /* The size reported (no device varies compute subgroups below 8 lanes, the most the
     * network's shuffles need, but lavapipe without AVX has 4). */
    VkPhysicalDeviceSubgroupProperties subgroup = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
    };
    VkPhysicalDeviceProperties2 props2 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &subgroup,
    };
    vkGetPhysicalDeviceProperties2 (ctx->physical, &props2);
    ctx->has_subgroup_shuffle = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT)
                                && (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT);
    ctx->subgroup_size = subgroup.subgroupSize;
  }
  vkGetPhysicalDeviceMemoryProperties (ctx->physical, &ctx->mem_props);
  vkGetPhysicalDeviceQueueFamilyProperties (ctx->physical, &n_families, NULL);
  families = g_new0 (VkQueueFamilyProperties, n_families);
  vkGetPhysicalDeviceQueueFamilyProperties (ctx->physical, &n_families, families);
  ctx->timestamp_period_ns = ctx->props.limits.timestampPeriod;
  ctx->has_timestamps = families[ctx->queue_family].timestampValidBits > 0
                        && ctx->props.limits.timestampComputeAndGraphics;
  g_debug ("using Vulkan device %u: %s", chosen, ctx->props.deviceName);

  {
    /* fp16 arithmetic where the device has it (the network's half variants). */
    static const char *float16_ext = VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME;
    static const char *host_ext = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
    const char *exts[2];
    guint32 n_exts = 0;
    VkPhysicalDeviceShaderFloat16Int8FeaturesKHR float16 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES_KHR,
    };
    gboolean has_ext = has_device_extension (ctx->physical, float16_ext);

    if (has_ext)
      {
        VkPhysicalDeviceFeatures2 features = {
          .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &float16,
        };
        vkGetPhysicalDeviceFeatures2 (ctx->physical, &features);
      }
    ctx->has_float16 = has_ext && float16.shaderFloat16;
    float16.shaderInt8 = VK_FALSE;
    float16.pNext = NULL;
    if (ctx->has_float16)
      exts[n_exts++] = float16_ext;
    /* On a CPU device, buffers in memory the engine allocates itself, in huge pages
     * (compute.c: buffer_new_with). */
    if (ctx->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU
        && has_device_extension (ctx->physical, host_ext))
      {
        VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = {
          .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
        };
        VkPhysicalDeviceProperties2 props2 = {
          .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &host,
        };
        vkGetPhysicalDeviceProperties2 (ctx->physical, &props2);
        ctx->host_import_align = host.minImportedHostPointerAlignment;
        if (ctx->host_import_align > 0
            && (ctx->host_import_align & (ctx->host_import_align - 1)) == 0)
          exts[n_exts++] = host_ext;
      }

    VkDeviceQueueCreateInfo queue_info = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = ctx->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
    };
    VkDeviceCreateInfo device_info = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .pNext = ctx->has_float16 ? &float16 : NULL,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &queue_info,
      .enabledExtensionCount = n_exts,
      .ppEnabledExtensionNames = n_exts > 0 ? exts : NULL,
    };
    VkCommandPoolCreateInfo pool_info = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
      .queueFamilyIndex = ctx->queue_family,
    };
    VkPipelineCacheCreateInfo cache_info = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
    };

    VK (vkCreateDevice (ctx->physical, &device_info, NULL, &ctx->device));
    if (n_exts > 0 && exts[n_exts - 1] == host_ext)
      ctx->host_pointer_props = (PFN_vkGetMemoryHostPointerPropertiesEXT)
        vkGetDeviceProcAddr (ctx->device, "vkGetMemoryHostPointerPropertiesEXT");
    vkGetDeviceQueue (ctx->device, ctx->queue_family, 0, &ctx->queue);
    VK (vkCreateCommandPool (ctx->device, &pool_info, NULL, &ctx->command_pool));
    VK (vkCreatePipelineCache (ctx->device, &cache_info, NULL, &ctx->pipeline_cache));
  }
  return ctx;

error:
  ink_vk_context_free (&ctx);
  return NULL;
}

void
ink_vk_context_free (InkVkContext **pctx)
{
  InkVkContext *ctx = *pctx;

  if (ctx == NULL)
    return;
  if (ctx->device != VK_NULL_HANDLE)
    {
      vkDeviceWaitIdle (ctx->device);
      vkDestroyPipelineCache (ctx->device, ctx->pipeline_cache, NULL);
      vkDestroyCommandPool (ctx->device, ctx->command_pool, NULL);
      vkDestroyDevice (ctx->device, NULL);
    }
  if (ctx->messenger != VK_NULL_HANDLE)
    {
      PFN_vkDestroyDebugUtilsMessengerEXT destroy = (PFN_vkDestroyDebugUtilsMessengerEXT)
        vkGetInstanceProcAddr (ctx->instance, "vkDestroyDebugUtilsMessengerEXT");
      if (destroy != NULL)
        destroy (ctx->instance, ctx->messenger, NULL);
    }
  if (ctx->instance != VK_NULL_HANDLE)
    vkDestroyInstance (ctx->instance, NULL);
  g_free (ctx);
  *pctx = NULL;
}

gboolean
ink_vk_context_has_float16 (InkVkContext *ctx)
{
  return ctx->has_float16;
}

gboolean
ink_vk_context_is_cpu (InkVkContext *ctx)
{
  return ctx->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

guint
ink_vk_context_shuffle_lanes (InkVkContext *ctx)
{
  return ctx->has_subgroup_shuffle ? ctx->subgroup_size : 0;
}

const char *
ink_vk_context_device_name (InkVkContext *ctx)
{
  return ctx->props.deviceName;
}

guint
ink_vk_context_validation_messages (InkVkContext *ctx)
{
  return ctx->validation_messages;
}

void
ink_vk_device_info_free (gpointer data)
{
  InkVkDeviceInfo *info = data;

  g_free (info->name);
  g_free (info->api_version);
  g_free (info->driver);
  g_free (info);
}

GPtrArray *
ink_vk_list_devices (const char *device, GError **error)
{
  InkVkContext tmp = { 0 };
  g_autofree VkPhysicalDevice *devs = NULL;
  GPtrArray *list = NULL;
  guint32 n = 0;
  int chosen;

  if (!create_instance (&tmp, FALSE, error))
    return NULL;
  devs = enumerate (tmp.instance, &n, error);
  if (devs == NULL)
    goto out;
  chosen = choose_device (devs, n, device, NULL);
  list = g_ptr_array_new_with_free_func (ink_vk_device_info_free);
  for (guint32 i = 0; i < n; i++)
    {
      VkPhysicalDeviceDriverProperties driver = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
      };
      VkPhysicalDeviceProperties2 props2 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
        .pNext = &driver,
      };
      InkVkDeviceInfo *info = g_new0 (InkVkDeviceInfo, 1);
      VkPhysicalDeviceProperties *p = &props2.properties;

      vkGetPhysicalDeviceProperties2 (devs[i], &props2);
      info->index = i;
      info->name = g_strdup (p->deviceName);
      info->type = type_name (p->deviceType);
      info->api_version = g_strdup_printf ("%u.%u.%u", VK_API_VERSION_MAJOR (p->apiVersion),
                                           VK_API_VERSION_MINOR (p->apiVersion),
                                           VK_API_VERSION_PATCH (p->apiVersion));
      info->driver = g_strdup_printf ("%s %s", driver.driverName, driver.driverInfo);
      info->usable = device_usable (devs[i], p);
      info->chosen = (int) i == chosen;
      g_ptr_array_add (list, info);
    }

out:
  vkDestroyInstance (tmp.instance, NULL);
  return list;
}
