/* ink-history.c: undo and redo for a document: snapshots of its state, a slider drag or a stroke as one step, and the saved mark. */
#include "ink-config.h"

#include "ink-history.h"

#include <string.h>

/* A freeze mask as stored in the history: its pixels deflated (masks are mostly flat, so a
 * 1024 px mask takes a few kB), shared by every step that has the same mask. */
typedef struct
{
  int width, height;
  gboolean has_alpha;
  gsize raw_size;
  gboolean deflated;
  GBytes *bytes;
} MaskBlob;

static void
mask_blob_clear (gpointer data)
{
  g_bytes_unref (((MaskBlob *) data)->bytes);
}

static void
mask_blob_unref (MaskBlob *blob)
{
  g_rc_box_release_full (blob, mask_blob_clear);
}

typedef struct
{
  guint id;
  char *preset;
  InkStyleParams style;
  InkMotionParams motion;
  GArray *arrows;
  GArray *anchors;
  MaskBlob *mask;   /* NULL: none */
  gboolean has_clip;
  InkClipRange clip;   /* a clip's part, with HAS_CLIP */
} Snapshot;

static void
snapshot_free (gpointer data)
{
  Snapshot *s = data;

  if (s == NULL)
    return;
  g_free (s->preset);
  g_array_unref (s->arrows);
  g_array_unref (s->anchors);
  if (s->mask != NULL)
    mask_blob_unref (s->mask);
  g_free (s);
}

struct _InkHistory
{
  GObject parent_instance;
  InkDocument *document;
  GPtrArray *undo;        /* Snapshot, oldest first: the states before each step */
  GPtrArray *redo;        /* Snapshot, the next redo last */
  Snapshot *current;      /* the document's state now */
  guint next_id;
  guint saved_id;         /* 0: no state is saved */
  int depth;
  gboolean group_dirty;
  char *last_name;        /* the parameter of the last change, for coalescing */
  gint64 last_time;
  gboolean applying;
  guint cached_serial;    /* the document's mask serial that CACHED holds */
  MaskBlob *cached;
};

G_DEFINE_FINAL_TYPE (InkHistory, ink_history, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Runs CONVERTER over DATA in memory. */
static GBytes *
convert (GConverter *converter, const guint8 *data, gsize size, GError **error)
{
  GByteArray *out = g_byte_array_new ();
  guint8 buffer[64 * 1024];
  gsize pos = 0;

  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult r = g_converter_convert (converter, data + pos, size - pos, buffer, sizeof buffer,
                                                G_CONVERTER_INPUT_AT_END, &read, &written, error);
      if (r == G_CONVERTER_ERROR)
        {
          g_byte_array_unref (out);
          return NULL;
        }
      pos += read;
      g_byte_array_append (out, buffer, (guint) written);
      if (r == G_CONVERTER_FINISHED)
        return g_byte_array_free_to_bytes (out);
    }
}

static MaskBlob *
mask_blob_new (const InkImage *mask)
{
  MaskBlob *blob = g_rc_box_new0 (MaskBlob);
  g_autoptr (GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, 1);
  g_autoptr (GError) error = NULL;

  blob->width = mask->width;
  blob->height = mask->height;
  blob->has_alpha = mask->has_alpha;
  blob->raw_size = (gsize) mask->width * mask->height * 4 * sizeof (guint16);
  blob->bytes = convert (G_CONVERTER (z), (const guint8 *) mask->pixels, blob->raw_size, &error);
  blob->deflated = blob->bytes != NULL;
  if (blob->bytes == NULL)
    {
      g_warning ("history: the mask could not be compressed (%s); it is kept whole", error->message);
      blob->bytes = g_bytes_new (mask->pixels, blob->raw_size);
    }
  return blob;
}

static InkImage *
mask_blob_inflate (const MaskBlob *blob)
{
  InkImage *mask = ink_image_new (blob->width, blob->height);
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (GError) error = NULL;

  mask->has_alpha = blob->has_alpha;
  if (blob->deflated)
    {
      g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
      raw = convert (G_CONVERTER (z), g_bytes_get_data (blob->bytes, NULL), g_bytes_get_size (blob->bytes), &error);
    }
  else
    raw = g_bytes_ref (blob->bytes);
  if (raw == NULL || g_bytes_get_size (raw) != blob->raw_size)
    {
      /* Only memory corruption gets here; an empty mask is the safe state. */
      g_critical ("history: a stored mask could not be restored: %s", error ? error->message : "wrong size");
      ink_image_free (&mask);
      return NULL;
    }
  memcpy (mask->pixels, g_bytes_get_data (raw, NULL), blob->raw_size);
  return mask;
}

static Snapshot *
take_snapshot (InkHistory *self)
{
  const InkProject *project = ink_document_get_project (self->document);
  const InkMotionHints *hints = project->hints;
  Snapshot *s = g_new0 (Snapshot, 1);
  guint serial = ink_document_get_mask_serial (self->document);

  s->id = ++self->next_id;
  s->preset = g_strdup (ink_document_get_preset (self->document));
  s->style = project->style;
  s->motion = project->motion;
  s->arrows = g_array_copy (hints->arrows);
  s->anchors = g_array_copy (hints->anchors);
  if (ink_document_get_clip (self->document) != NULL)
    {
      s->has_clip = TRUE;
      s->clip = *ink_document_get_clip (self->document);
    }
  if (serial != self->cached_serial)
    {
      g_clear_pointer (&self->cached, mask_blob_unref);
      if (hints->mask != NULL)
        self->cached = mask_blob_new (hints->mask);
      self->cached_serial = serial;
    }
  s->mask = self->cached != NULL ? g_rc_box_acquire (self->cached) : NULL;
  return s;
}

static void
apply (InkHistory *self, Snapshot *s)
{
  InkMotionHints *hints = ink_motion_hints_new ();

  g_array_append_vals (hints->arrows, s->arrows->data, s->arrows->len);
  g_array_append_vals (hints->anchors, s->anchors->data, s->anchors->len);
  if (s->mask != NULL)
    hints->mask = mask_blob_inflate (s->mask);
  self->applying = TRUE;
  ink_document_restore (self->document, s->preset, &s->style, &s->motion, hints);
  if (s->has_clip && ink_document_get_clip (self->document) != NULL)
    ink_document_set_clip (self->document, &s->clip);
  self->applying = FALSE;
  /* The document's mask is now the snapshot's. */
  g_clear_pointer (&self->cached, mask_blob_unref);
  self->cached = s->mask != NULL ? g_rc_box_acquire (s->mask) : NULL;
  self->cached_serial = ink_document_get_mask_serial (self->document);
}

static void
emit_changed (InkHistory *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ink_history_seal (InkHistory *self)
{
  g_clear_pointer (&self->last_name, g_free);
}

/* The document's state before the change becomes an undo step. */
static void
push_step (InkHistory *self)
{
  g_ptr_array_add (self->undo, self->current);
  self->current = take_snapshot (self);
  g_ptr_array_set_size (self->redo, 0);
  if (self->undo->len > INK_HISTORY_MAX_STEPS)
    g_ptr_array_remove_index (self->undo, 0);
}

static void
reset (InkHistory *self)
{
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
  snapshot_free (self->current);
  self->current = take_snapshot (self);
  self->saved_id = self->current->id;
  self->depth = 0;
  self->group_dirty = FALSE;
  ink_history_seal (self);
}

static void
on_document_changed (InkDocument *document, guint what, const char *name, InkHistory *self)
{
  gint64 now = g_get_monotonic_time ();

  (void) document;
  if (self->applying)
    return;
  if (what & INK_CHANGE_SOURCE)
    {
      reset (self);
      emit_changed (self);
      return;
    }
  if (self->depth > 0)
    {
      self->group_dirty = TRUE;
      return;
    }
  if (name != NULL && self->last_name != NULL && g_str_equal (name, self->last_name)
      && now - self->last_time < INK_HISTORY_COALESCE_MS * 1000)
    {
      /* The same slider still moving: the step grows. */
      snapshot_free (self->current);
      self->current = take_snapshot (self);
    }
  else
    push_step (self);
  g_free (self->last_name);
  self->last_name = g_strdup (name);
  self->last_time = now;
  emit_changed (self);
}

static void
ink_history_dispose (GObject *object)
{
  InkHistory *self = INK_HISTORY (object);

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  G_OBJECT_CLASS (ink_history_parent_class)->dispose (object);
}

static void
ink_history_finalize (GObject *object)
{
  InkHistory *self = INK_HISTORY (object);

  g_ptr_array_unref (self->undo);
  g_ptr_array_unref (self->redo);
  snapshot_free (self->current);
  g_clear_pointer (&self->cached, mask_blob_unref);
  g_free (self->last_name);
  G_OBJECT_CLASS (ink_history_parent_class)->finalize (object);
}

static void
ink_history_class_init (InkHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ink_history_dispose;
  G_OBJECT_CLASS (klass)->finalize = ink_history_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ink_history_init (InkHistory *self)
{
  self->undo = g_ptr_array_new_with_free_func (snapshot_free);
  self->redo = g_ptr_array_new_with_free_func (snapshot_free);
  self->cached_serial = G_MAXUINT;
}

InkHistory *
ink_history_new (InkDocument *document)
{
  InkHistory *self = g_object_new (INK_TYPE_HISTORY, NULL);

  self->document = g_object_ref (document);
  reset (self);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  return self;
}

void
ink_history_begin (InkHistory *self)
{
  if (self->depth++ == 0)
    self->group_dirty = FALSE;
}

void
ink_history_end (InkHistory *self)
{
  g_return_if_fail (self->depth > 0);
  if (--self->depth > 0 || !self->group_dirty)
    return;
  self->group_dirty = FALSE;
  push_step (self);
  ink_history_seal (self);
  emit_changed (self);
}

gboolean
ink_history_can_undo (InkHistory *self)
{
  return self->undo->len > 0 && self->depth == 0;
}

gboolean
ink_history_can_redo (InkHistory *self)
{
  return self->redo->len > 0 && self->depth == 0;
}

gboolean
ink_history_undo (InkHistory *self)
{
  if (!ink_history_can_undo (self))
    return FALSE;
  g_ptr_array_add (self->redo, self->current);
  self->current = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  apply (self, self->current);
  ink_history_seal (self);
  emit_changed (self);
  return TRUE;
}

gboolean
ink_history_redo (InkHistory *self)
{
  if (!ink_history_can_redo (self))
    return FALSE;
  g_ptr_array_add (self->undo, self->current);
  self->current = g_ptr_array_steal_index (self->redo, self->redo->len - 1);
  apply (self, self->current);
  ink_history_seal (self);
  emit_changed (self);
  return TRUE;
}

gboolean
ink_history_get_modified (InkHistory *self)
{
  return self->current->id != self->saved_id || self->depth > 0;
}

guint
ink_history_get_state (InkHistory *self)
{
  return self->current->id;
}

void
ink_history_mark_saved (InkHistory *self, guint state)
{
  self->saved_id = state;
  emit_changed (self);
}

void
ink_history_set_modified (InkHistory *self)
{
  self->saved_id = 0;
  emit_changed (self);
}

gsize
ink_history_get_size (InkHistory *self)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  gsize total = 0;
  GPtrArray *lists[] = { self->undo, self->redo };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        Snapshot *s = g_ptr_array_index (lists[l], i);

        total += sizeof *s + (s->arrows->len * sizeof (InkArrow)) + (s->anchors->len * sizeof (InkAnchor));
        if (s->mask != NULL && g_hash_table_add (seen, s->mask))
          total += g_bytes_get_size (s->mask->bytes);
      }
  return total;
}
