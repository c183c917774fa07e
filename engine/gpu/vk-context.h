/* vk-context.h: the Vulkan instance and the chosen compute device. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct InkVkContext InkVkContext;

typedef struct {
  const char *device;    /* index or case-insensitive name substring; NULL: $INKLOOP_DEVICE, else the best */
  gboolean validation;   /* load VK_LAYER_KHRONOS_validation (also with $INKLOOP_VALIDATION=1) and count its messages */
} InkVkContextParams;

#define INK_VK_CONTEXT_PARAMS_DEFAULT { .device = NULL, .validation = FALSE }

/* For main (), before any thread starts: where the machine has no GPU device node
 * (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg, /dev/kgsl-3d0, /dev/mali0), only a CPU driver
 * (lavapipe, SwiftShader) can give a Vulkan device, so the Vulkan loader is told to load only
 * those (VK_LOADER_DRIVERS_SELECT) rather than every hardware driver installed, unless drivers
 * were chosen in the environment already. */
void ink_vk_skip_absent_gpu_drivers (void);

/* Fails with INK_ERROR_NO_DEVICE when there is no Vulkan device, or not the one asked for. */
InkVkContext *ink_vk_context_new (const InkVkContextParams *params, GError **error);
void ink_vk_context_free (InkVkContext **ctx);

const char *ink_vk_context_device_name (InkVkContext *ctx);
/* Lanes a compute shader can share values among with subgroup shuffles: the subgroup size; 0
 * without VK_SUBGROUP_FEATURE_SHUFFLE_BIT in compute shaders. */
guint ink_vk_context_shuffle_lanes (InkVkContext *ctx);
/* Whether shaders may compute in halves (shaderFloat16, enabled on the device). */
gboolean ink_vk_context_has_float16 (InkVkContext *ctx);
/* Whether the device is the CPU (lavapipe): there halves are converted for every operation. */
gboolean ink_vk_context_is_cpu (InkVkContext *ctx);
/* Validation-layer warnings and errors seen so far (0 when validation is off). */
guint ink_vk_context_validation_messages (InkVkContext *ctx);

typedef struct {
  guint index;
  char *name;
  const char *type;      /* "discrete", "integrated", "virtual", "cpu", "other" */
  char *api_version;     /* "1.3.239" */
  char *driver;          /* driver name and info, if known */
  gboolean usable;       /* has a compute queue and Vulkan 1.1 */
  gboolean chosen;       /* the one ink_vk_context_new would pick with the same DEVICE */
} InkVkDeviceInfo;

/* Lists every physical device; DEVICE as in InkVkContextParams. Free with ink_vk_device_info_free. */
GPtrArray *ink_vk_list_devices (const char *device, GError **error);
void ink_vk_device_info_free (gpointer info);

G_END_DECLS
