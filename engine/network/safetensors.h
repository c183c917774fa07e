/* safetensors.h: weights in the safetensors format (an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the raw little-endian data), read
 * and checked against the file before any byte of data is used. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  INK_DTYPE_F64, INK_DTYPE_F32, INK_DTYPE_F16, INK_DTYPE_BF16,
  INK_DTYPE_I64, INK_DTYPE_I32, INK_DTYPE_I16, INK_DTYPE_I8, INK_DTYPE_U8, INK_DTYPE_BOOL,
  INK_DTYPE_COUNT
} InkDtype;

#define INK_TENSOR_MAX_RANK 8
/* The header's size limit (the format's own: 100 MB) and a tensor count limit. */
#define INK_SAFETENSORS_MAX_HEADER (100 * 1000 * 1000)
#define INK_SAFETENSORS_MAX_TENSORS 100000

typedef struct {
  char *name;
  InkDtype dtype;
  int rank;
  gint64 shape[INK_TENSOR_MAX_RANK];
  gsize offset;            /* in the file */
  gsize size;              /* bytes: the product of the shape x the dtype's size */
} InkTensorInfo;

typedef struct InkSafetensors InkSafetensors;

/* "F32" ... and its size in bytes; NULL / 0 for an unknown dtype. */
const char *ink_dtype_name (InkDtype dtype);
gsize ink_dtype_size (InkDtype dtype);

/* Maps PATH and checks it whole: the header is strict JSON of at most
 * INK_SAFETENSORS_MAX_HEADER bytes; every tensor has a known dtype, a shape of at most
 * INK_TENSOR_MAX_RANK non-negative dimensions whose byte size fits, and data_offsets [begin,
 * end) of exactly that size; together the tensors cover the data without gaps or overlaps, to
 * its last byte; "__metadata__", if there, maps strings to strings. Errors name the file and
 * the tensor (INK_ERROR_DECODE; INK_ERROR_NOT_FOUND or INK_ERROR_READ when it cannot be read). */
InkSafetensors *ink_safetensors_open (const char *path, GError **error);
/* The same over DATA (LENGTH bytes, kept by the caller while the result lives); NAME is used in
 * messages. */
InkSafetensors *ink_safetensors_new_from_data (const guint8 *data, gsize length, const char *name,
                                               GError **error);
void ink_safetensors_free (InkSafetensors **tensors);

guint ink_safetensors_count (InkSafetensors *tensors);
/* Tensors in file order (by offset). */
const InkTensorInfo *ink_safetensors_get (InkSafetensors *tensors, guint index);
const InkTensorInfo *ink_safetensors_find (InkSafetensors *tensors, const char *name);
/* INFO's bytes (little-endian, unaligned in general). */
const guint8 *ink_safetensors_data (InkSafetensors *tensors, const InkTensorInfo *info);
/* A metadata value, or NULL. */
const char *ink_safetensors_metadata (InkSafetensors *tensors, const char *key);

G_END_DECLS
