/* ink-session.h: what the editor keeps between runs: the autosave and its restore, recent files, the window's size and the last parameters. */
#pragma once

#include "ink-window.h"

G_BEGIN_DECLS

/* A window's session state. */
typedef struct
{
  guint autosave_id;              /* the pending autosave, 0 when none */
  guint autosave_ms;              /* autosave this long after the first unsaved change */
} InkSession;

/* Where the autosave is written (in the user's cache folder). */
char *ink_session_autosave_path (void);

/* Sets the autosave interval's default, and the window's size and the document's parameters
 * to what the last closed window had. */
void ink_session_restore (InkWindow *self);
/* Once per run: the first window offers what a crash left behind. */
void ink_session_offer_restore_once (InkWindow *self);
/* Opens the autosave, as new unsaved work. */
void ink_session_restore_autosave (InkWindow *self);
/* Starts the autosave timer when there are unsaved changes and none is pending. */
void ink_session_schedule_autosave (InkWindow *self);
/* Stops a pending autosave. */
void ink_session_cancel_autosave (InkWindow *self);
/* The window closes on purpose: deletes the autosave, stops the timer, remembers the window's
 * size and the parameters. */
void ink_session_end (InkWindow *self);

/* Remembers PHOTO's folder for the Open dialog, adds FILE to the recent files and updates the
 * recent menu. */
void ink_session_note_opened (InkWindow *self, const char *photo, const char *file);
/* Adds PATH to the recent files. */
void ink_session_add_recent (const char *path);
/* The photos and projects Inkloop opened or saved, newest first, that still exist: pairs of the
 * menu's label ("name — folder") and the path (free with g_ptr_array_unref). What the file
 * chooser adds by itself (exports) is not among them. */
GPtrArray *ink_session_recent_entries (void);
/* Fills the recent-files menu. */
void ink_session_update_recent_menu (InkWindow *self);

G_END_DECLS
