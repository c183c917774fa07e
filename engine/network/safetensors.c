/* safetensors.c: the safetensors reader: the header checked strictly (json-check.c), then read
 * with json-glib, then every tensor checked against the file. */
#include "safetensors.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "file-read.h"
#include "ink-error.h"
#include "json-check.h"

/* The header nests objects and lists at most this deep: {"name": {"shape": [..]}}. */
#define HEADER_DEPTH 3

struct InkSafetensors {
  GMappedFile *mapped;      /* NULL for data given by the caller */
  const guint8 *data;
  gsize length;
  gsize data_start;         /* 8 + the header's length */
  GPtrArray *tensors;       /* InkTensorInfo, by offset */
  GHashTable *by_name;      /* name -> InkTensorInfo */
  GHashTable *metadata;     /* key -> value */
};

static const struct { const char *name; gsize size; } dtypes[INK_DTYPE_COUNT] = {
  [INK_DTYPE_F64] = { "F64", 8 }, [INK_DTYPE_F32] = { "F32", 4 }, [INK_DTYPE_F16] = { "F16", 2 },
  [INK_DTYPE_BF16] = { "BF16", 2 }, [INK_DTYPE_I64] = { "I64", 8 }, [INK_DTYPE_I32] = { "I32", 4 },
  [INK_DTYPE_I16] = { "I16", 2 }, [INK_DTYPE_I8] = { "I8", 1 }, [INK_DTYPE_U8] = { "U8", 1 },
  [INK_DTYPE_BOOL] = { "BOOL", 1 },
};

const char *
ink_dtype_name (InkDtype dtype)
{
  return (guint) dtype < INK_DTYPE_COUNT ? dtypes[dtype].name : NULL;
}

gsize
ink_dtype_size (InkDtype dtype)
{
  return (guint) dtype < INK_DTYPE_COUNT ? dtypes[dtype].size : 0;
}

static void
tensor_info_free (gpointer p)
{
  InkTensorInfo *info = p;
  g_free (info->name);
  g_free (info);
}

static int
by_offset (gconstpointer a, gconstpointer b)
{
  const InkTensorInfo *x = *(InkTensorInfo *const *) a, *y = *(InkTensorInfo *const *) b;
  return (x->offset > y->offset) - (x->offset < y->offset);
}

static gboolean
fail (GError **error, const char *name, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, const char *name, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, INK_ERROR, INK_ERROR_DECODE,
               "%s: not usable weights (safetensors): %s; export the model again", name, what);
  return FALSE;
}

/* A JSON integer node's value, or -1 when it is not a non-negative integer. */
static gint64
whole (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (node);
}

/* One tensor's entry: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}. */
static gboolean
read_tensor (InkSafetensors *st, const char *key, JsonNode *node, const char *name,
             GError **error)
{
  JsonObject *entry;
  JsonNode *dtype, *shape, *offsets;
  JsonArray *dims, *range;
  InkTensorInfo *info;
  gint64 begin, end;
  guint64 count = 1;
  const char *text;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, name, "tensor '%s' is not an object", key);
  entry = json_node_get_object (node);
  dtype = json_object_get_member (entry, "dtype");
  shape = json_object_get_member (entry, "shape");
  offsets = json_object_get_member (entry, "data_offsets");
  if (json_object_get_size (entry) != 3 || dtype == NULL || shape == NULL || offsets == NULL)
    return fail (error, name, "tensor '%s' needs exactly dtype, shape and data_offsets", key);
  info = g_new0 (InkTensorInfo, 1);
  info->name = g_strdup (key);
  g_ptr_array_add (st->tensors, info);
  text = JSON_NODE_HOLDS_VALUE (dtype) && json_node_get_value_type (dtype) == G_TYPE_STRING
         ? json_node_get_string (dtype) : "";
  info->dtype = INK_DTYPE_COUNT;
  for (int d = 0; d < INK_DTYPE_COUNT; d++)
    if (g_str_equal (text, dtypes[d].name))
      info->dtype = d;
  if (info->dtype == INK_DTYPE_COUNT)
    return fail (error, name, "tensor '%s' has dtype '%s', not one of F64, F32, F16, BF16, I64, "
                 "I32, I16, I8, U8, BOOL", key, text);
  if (!JSON_NODE_HOLDS_ARRAY (shape) || json_array_get_length (dims = json_node_get_array (shape)) > INK_TENSOR_MAX_RANK)
    return fail (error, name, "tensor '%s': its shape is not a list of at most %d sizes", key,
                 INK_TENSOR_MAX_RANK);
  info->rank = (int) json_array_get_length (dims);
  for (int k = 0; k < info->rank; k++)
    {
      gint64 n = whole (json_array_get_element (dims, k));
      if (n < 0)
        return fail (error, name, "tensor '%s': shape[%d] is not a size", key, k);
      info->shape[k] = n;
      if (n > 0 && count > G_MAXUINT64 / (guint64) n)
        return fail (error, name, "tensor '%s': its shape is too large", key);
      count *= (guint64) n;
    }
  if (count > G_MAXSIZE / ink_dtype_size (info->dtype))
    return fail (error, name, "tensor '%s': its shape is too large", key);
  info->size = (gsize) count * ink_dtype_size (info->dtype);
  if (!JSON_NODE_HOLDS_ARRAY (offsets) || json_array_get_length (range = json_node_get_array (offsets)) != 2
      || (begin = whole (json_array_get_element (range, 0))) < 0
      || (end = whole (json_array_get_element (range, 1))) < begin)
    return fail (error, name, "tensor '%s': data_offsets is not [begin, end] with begin <= end",
                 key);
  if ((guint64) (end - begin) != (guint64) info->size)
    return fail (error, name, "tensor '%s': %" G_GINT64_FORMAT " bytes of data for a %s tensor "
                 "of %" G_GUINT64_FORMAT " values (%" G_GSIZE_FORMAT " bytes)", key, end - begin,
                 text, count, info->size);
  if ((guint64) end > st->length - st->data_start)
    return fail (error, name, "tensor '%s' ends at byte %" G_GINT64_FORMAT " of %" G_GSIZE_FORMAT
                 " bytes of data: the file is cut short", key, end, st->length - st->data_start);
  info->offset = st->data_start + (gsize) begin;
  g_hash_table_insert (st->by_name, info->name, info);
  return TRUE;
}

static gboolean
read_metadata (InkSafetensors *st, JsonNode *node, const char *name, GError **error)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, name, "__metadata__ is not an object");
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &key, &value))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        return fail (error, name, "__metadata__.%s is not a string", key);
      g_hash_table_insert (st->metadata, g_strdup (key), g_strdup (json_node_get_string (value)));
    }
  return TRUE;
}

static gboolean
parse (InkSafetensors *st, const char *name, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  guint64 header = 0;
  JsonNode *root;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  gsize expect;

  if (st->length < 8)
    return fail (error, name, "%" G_GSIZE_FORMAT " bytes, shorter than the header's length", st->length);
  for (int k = 7; k >= 0; k--)
    header = header << 8 | st->data[k];
  if (header < 2 || header > INK_SAFETENSORS_MAX_HEADER || header > st->length - 8)
    return fail (error, name, "a header of %" G_GUINT64_FORMAT " bytes in a file of %" G_GSIZE_FORMAT,
                 header, st->length);
  st->data_start = 8 + (gsize) header;
  /* The format pads the header with spaces; the strict check allows that. */
  if (!ink_json_check ((const char *) st->data + 8, (gsize) header, HEADER_DEPTH, &local)
      || !json_parser_load_from_data (parser, (const char *) st->data + 8, (gssize) header, &local))
    return fail (error, name, "its header is not JSON of the expected form (%s)", local->message);
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return fail (error, name, "its header is not an object");
  if (json_object_get_size (json_node_get_object (root)) > INK_SAFETENSORS_MAX_TENSORS + 1)
    return fail (error, name, "more than %d tensors", INK_SAFETENSORS_MAX_TENSORS);
  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &key, &value))
    if (!(g_str_equal (key, "__metadata__") ? read_metadata (st, value, name, error)
                                            : read_tensor (st, key, value, name, error)))
      return FALSE;
  /* The data: covered by the tensors, end to end, without gaps or overlaps. */
  g_ptr_array_sort (st->tensors, by_offset);
  expect = st->data_start;
  for (guint i = 0; i < st->tensors->len; i++)
    {
      const InkTensorInfo *info = g_ptr_array_index (st->tensors, i);
      if (info->offset != expect)
        return fail (error, name, "tensor '%s' starts at byte %" G_GSIZE_FORMAT " of the data, "
                     "where %" G_GSIZE_FORMAT " was expected (a gap or an overlap)", info->name,
                     info->offset - st->data_start, expect - st->data_start);
      expect += info->size;
    }
  if (expect != st->length)
    return fail (error, name, "%" G_GSIZE_FORMAT " bytes after the last tensor's data",
                 st->length - expect);
  return TRUE;
}

static InkSafetensors *
tensors_new (void)
{
  InkSafetensors *st = g_new0 (InkSafetensors, 1);

  st->tensors = g_ptr_array_new_with_free_func (tensor_info_free);
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return st;
}

InkSafetensors *
ink_safetensors_new_from_data (const guint8 *data, gsize length, const char *name, GError **error)
{
  InkSafetensors *st = tensors_new ();

  st->data = data;
  st->length = length;
  if (!parse (st, name, error))
    ink_safetensors_free (&st);
  return st;
}

InkSafetensors *
ink_safetensors_open (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *name = g_filename_display_name (path);
  GMappedFile *mapped;
  InkSafetensors *st;
  GStatBuf stat;
  int fd = ink_file_open_regular (path, name, "model (.safetensors)", &stat, error);

  if (fd < 0)
    return NULL;
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local);
  close (fd);   /* the mapping keeps what it needs */
  if (mapped == NULL)
    {
      g_set_error (error, INK_ERROR,
                   g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? INK_ERROR_NOT_FOUND
                                                                           : INK_ERROR_READ,
                   "%s: cannot be read (%s)", name, local->message);
      return NULL;
    }
  st = tensors_new ();
  st->mapped = mapped;
  st->data = (const guint8 *) g_mapped_file_get_contents (mapped);
  st->length = g_mapped_file_get_length (mapped);
  if (!parse (st, name, error))
    ink_safetensors_free (&st);
  return st;
}

void
ink_safetensors_free (InkSafetensors **pst)
{
  InkSafetensors *st = *pst;

  if (st == NULL)
    return;
  g_hash_table_unref (st->by_name);
  g_hash_table_unref (st->metadata);
  g_ptr_array_unref (st->tensors);
  if (st->mapped != NULL)
    g_mapped_file_unref (st->mapped);
  g_free (st);
  *pst = NULL;
}

guint
ink_safetensors_count (InkSafetensors *st)
{
  return st->tensors->len;
}

const InkTensorInfo *
ink_safetensors_get (InkSafetensors *st, guint index)
{
  g_return_val_if_fail (index < st->tensors->len, NULL);
  return g_ptr_array_index (st->tensors, index);
}

const InkTensorInfo *
ink_safetensors_find (InkSafetensors *st, const char *name)
{
  return g_hash_table_lookup (st->by_name, name);
}

const guint8 *
ink_safetensors_data (InkSafetensors *st, const InkTensorInfo *info)
{
  return st->data + info->offset;
}

const char *
ink_safetensors_metadata (InkSafetensors *st, const char *key)
{
  return g_hash_table_lookup (st->metadata, key);
}
