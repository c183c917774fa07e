/* test-safetensors.c: weights files: a valid one read whole, and hostile ones refused with a
 * message naming the file and what is wrong. */
#include "ink-config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ink-error.h"
#include "safetensors.h"

/* A file: the header's length (8 bytes, little-endian), HEADER, then DATA_LENGTH bytes 0, 1, 2 ... */
static GByteArray *
make_file (const char *header, gsize data_length)
{
  GByteArray *file = g_byte_array_new ();
  guint64 n = strlen (header);

  for (int k = 0; k < 8; k++)
    {
      guint8 b = (guint8) (n >> (8 * k));
      g_byte_array_append (file, &b, 1);
    }
  g_byte_array_append (file, (const guint8 *) header, (guint) n);
  for (gsize i = 0; i < data_length; i++)
    {
      guint8 b = (guint8) i;
      g_byte_array_append (file, &b, 1);
    }
  return file;
}

static void
test_valid (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) file = make_file (
    "{\"__metadata__\": {\"format\": \"pt\"}, "
    "\"b\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [12, 16]}, "
    "\"a\": {\"dtype\": \"F32\", \"shape\": [3, 1], \"data_offsets\": [0, 12]}, "
    "\"s\": {\"dtype\": \"U8\", \"shape\": [], \"data_offsets\": [16, 17]}, "
    "\"e\": {\"dtype\": \"I64\", \"shape\": [0, 5], \"data_offsets\": [17, 17]}}   ", 17);
  InkSafetensors *st = ink_safetensors_new_from_data (file->data, file->len, "w.safetensors", &error);
  const InkTensorInfo *a, *b, *s;

  g_assert_no_error (error);
  g_assert_cmpuint (ink_safetensors_count (st), ==, 4);
  a = ink_safetensors_get (st, 0);
  g_assert_cmpstr (a->name, ==, "a");   /* by offset */
  g_assert_cmpint (a->dtype, ==, INK_DTYPE_F32);
  g_assert_cmpint (a->rank, ==, 2);
  g_assert_cmpint (a->shape[0], ==, 3);
  g_assert_cmpuint (a->size, ==, 12);
  b = ink_safetensors_find (st, "b");
  g_assert_nonnull (b);
  g_assert_cmpstr (ink_dtype_name (b->dtype), ==, "F16");
  g_assert_cmpuint (ink_safetensors_data (st, b)[0], ==, 12);   /* byte 12 of the data */
  s = ink_safetensors_find (st, "s");
  g_assert_cmpint (s->rank, ==, 0);
  g_assert_cmpuint (s->size, ==, 1);
  g_assert_cmpuint (ink_safetensors_find (st, "e")->size, ==, 0);
  g_assert_null (ink_safetensors_find (st, "nope"));
  g_assert_cmpstr (ink_safetensors_metadata (st, "format"), ==, "pt");
  ink_safetensors_free (&st);
}

static void
test_hostile (void)
{
  static const struct { const char *what, *header; gsize data; const char *expect; } cases[] = {
    { "not JSON", "{\"a\": ", 0, "not JSON" },
    { "a list", "[]", 0, "not an object" },
    { "duplicate name", "{\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}, "
      "\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [1, 2]}}", 2, "not JSON" },
    { "too deep", "{\"a\": {\"shape\": [[1]]}}", 0, "not JSON" },
    { "entry not an object", "{\"a\": 3}", 0, "'a' is not an object" },
    { "extra key", "{\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1], \"x\": 1}}", 1,
      "exactly dtype, shape and data_offsets" },
    { "unknown dtype", "{\"a\": {\"dtype\": \"F8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1,
      "dtype 'F8'" },
    { "negative size", "{\"a\": {\"dtype\": \"U8\", \"shape\": [-1], \"data_offsets\": [0, 1]}}", 1,
      "shape[0] is not a size" },
    { "fractional size", "{\"a\": {\"dtype\": \"U8\", \"shape\": [2.5], \"data_offsets\": [0, 1]}}", 1,
      "shape[0] is not a size" },
    { "rank 9", "{\"a\": {\"dtype\": \"U8\", \"shape\": [1,1,1,1,1,1,1,1,1], \"data_offsets\": [0, 1]}}", 1,
      "at most 8" },
    { "overflowing shape", "{\"a\": {\"dtype\": \"F64\", \"shape\": [4294967296, 4294967296, 16], "
      "\"data_offsets\": [0, 1]}}", 1, "too large" },
    { "wrong byte count", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4,
      "4 bytes of data for a F32 tensor of 2 values (8 bytes)" },
    { "end before begin", "{\"a\": {\"dtype\": \"U8\", \"shape\": [0], \"data_offsets\": [4, 0]}}", 4,
      "begin <= end" },
    { "cut short", "{\"a\": {\"dtype\": \"U8\", \"shape\": [8], \"data_offsets\": [0, 8]}}", 5,
      "cut short" },
    { "gap", "{\"a\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}, "
      "\"b\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [3, 5]}}", 5, "a gap or an overlap" },
    { "overlap", "{\"a\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}, "
      "\"b\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [1, 3]}}", 3, "a gap or an overlap" },
    { "trailing data", "{\"a\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 6,
      "4 bytes after the last tensor" },
    { "metadata not a string", "{\"__metadata__\": {\"x\": 1}}", 0, "__metadata__.x is not a string" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GByteArray) file = make_file (cases[i].header, cases[i].data);
      InkSafetensors *st = ink_safetensors_new_from_data (file->data, file->len, "bad.safetensors", &error);

      g_test_message ("%s: %s", cases[i].what, error != NULL ? error->message : "(accepted)");
      g_assert_null (st);
      g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
      g_assert_true (g_str_has_prefix (error->message, "bad.safetensors: "));
      g_assert_nonnull (strstr (error->message, cases[i].expect));
    }

  /* The header's length itself: too short a file, a length past the end, an absurd length. */
  {
    static const guint8 short_file[5] = { 1, 2, 3, 4, 5 };
    guint8 past[12] = { 200, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ' };
    guint8 huge[12] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, '{', '}', ' ', ' ' };
    const guint8 *files[3] = { short_file, past, huge };
    gsize sizes[3] = { sizeof short_file, sizeof past, sizeof huge };

    for (int k = 0; k < 3; k++)
      {
        g_autoptr (GError) error = NULL;
        g_assert_null (ink_safetensors_new_from_data (files[k], sizes[k], "bad.safetensors", &error));
        g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
        g_test_message ("header length %d: %s", k, error->message);
      }
  }
}

static void
test_open (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("inkloop-weights-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "tiny.safetensors", NULL);
  g_autoptr (GByteArray) file = make_file ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4);
  InkSafetensors *st;

  g_assert_true (g_file_set_contents (path, (const char *) file->data, file->len, NULL));
  st = ink_safetensors_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ink_safetensors_count (st), ==, 1);
  ink_safetensors_free (&st);
  g_unlink (path);
  g_assert_null (ink_safetensors_open (path, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "tiny.safetensors"));
  g_clear_error (&error);
  /* A FIFO (nothing writes to it: opening it to read would wait for ever) and a folder are
   * refused at once. */
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  g_assert_null (ink_safetensors_open (path, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_READ);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  g_unlink (path);
  g_assert_null (ink_safetensors_open (dir, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_READ);
  g_assert_nonnull (strstr (error->message, "folder"));
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/safetensors/valid", test_valid);
  g_test_add_func ("/safetensors/hostile", test_hostile);
  g_test_add_func ("/safetensors/open", test_open);
  return g_test_run ();
}
