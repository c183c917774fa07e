/* ink-error.h: the engine's one error domain and the codes a user can act on. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define INK_ERROR (ink_error_quark ())

typedef enum {
  INK_ERROR_FAILED,        /* an internal failure: a bug, please report it */
  INK_ERROR_NOT_FOUND,     /* the input file does not exist */
  INK_ERROR_READ,          /* the input file exists but cannot be read */
  INK_ERROR_DECODE,        /* not an image, or a corrupt, truncated or empty one */
  INK_ERROR_TOO_LARGE,     /* the image is above INK_IMAGE_MAX_PIXELS / INK_IMAGE_MAX_SIDE */
  INK_ERROR_WRITE,         /* the output cannot be written (folder missing, read-only, disk full) */
  INK_ERROR_INVALID_PARAM, /* a parameter is out of its range, or unknown */
  INK_ERROR_NO_DEVICE,     /* no usable Vulkan device (or the one asked for is not there) */
  INK_ERROR_DEVICE,        /* the Vulkan device failed: out of memory, lost, ... */
} InkErrorCode;

GQuark ink_error_quark (void);

G_END_DECLS
