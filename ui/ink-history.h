/* ink-history.h: undo and redo for a document: snapshots of its state, a slider drag or a stroke as one step, and the saved mark. */
#pragma once

#include "ink-document.h"

G_BEGIN_DECLS

#define INK_TYPE_HISTORY (ink_history_get_type ())
G_DECLARE_FINAL_TYPE (InkHistory, ink_history, INK, HISTORY, GObject)

/* Steps kept; the oldest are dropped beyond it. */
#define INK_HISTORY_MAX_STEPS 200
/* Changes of one parameter closer together than this are one step (a slider drag). */
#define INK_HISTORY_COALESCE_MS 800

/* Follows DOCUMENT's "changed": each change is a step, except within a group or when it
 * continues the last change of the same parameter. A new photo or project starts afresh. */
InkHistory *ink_history_new (InkDocument *document);

/* Everything between begin and end (nested; e.g. one brush stroke or one drag) is one step. */
void ink_history_begin (InkHistory *self);
void ink_history_end (InkHistory *self);
/* Ends the current coalescing run, so the next change is a step of its own. */
void ink_history_seal (InkHistory *self);

gboolean ink_history_can_undo (InkHistory *self);
gboolean ink_history_can_redo (InkHistory *self);
gboolean ink_history_undo (InkHistory *self);
gboolean ink_history_redo (InkHistory *self);

/* The state differs from the one last marked saved (a fresh start counts as saved unless
 * ink_history_set_modified said otherwise). "changed" is emitted whenever this, or what can be
 * undone or redone, may have changed. */
gboolean ink_history_get_modified (InkHistory *self);
/* Returns a token for the current state; ink_history_mark_saved (token) marks that state saved
 * (a save runs in a worker while editing goes on). */
guint ink_history_get_state (InkHistory *self);
void ink_history_mark_saved (InkHistory *self, guint state);
void ink_history_set_modified (InkHistory *self);

/* Bytes the stored steps take (masks compressed). */
gsize ink_history_get_size (InkHistory *self);

G_END_DECLS
