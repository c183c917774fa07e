/* output-path.h: where an output may go (checked before any work), temporary names that say what
 * they are, and their removal on interruption or by the next export after a crash. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Checks PATH as an output before any work is done. FOLDER: PATH is a folder of PNG frames, else a
 * file. Refuses "-" (standard output is not supported), a name longer than NAME_MAX, a missing or
 * unwritable folder, a folder where a file is wanted (and the reverse), anything but a regular
 * file to replace, a frames folder holding anything but frame-NNNN.png files, and any of INPUTS
 * (NULL-terminated, may be NULL) being PATH itself (same device and inode, so hard and symbolic
 * links count) or, for a folder, lying directly inside it. */
gboolean ink_output_check (const char *path, gboolean folder, const char *const *inputs,
                           GError **error);

/* Whether A and B are the same file (device and inode; symbolic links followed). FALSE when
 * either does not exist. */
gboolean ink_same_file (const char *a, const char *b);

/* A mkstemp/mkdtemp template beside PATH: DIR/.BASE.inkloop-partial-PID-XXXXXX, BASE shortened
 * (at a character boundary) so the name fits NAME_MAX. Free with g_free. */
char *ink_partial_template (const char *path);

/* Partial outputs are registered from their creation until they are renamed into place or
 * removed, so an interrupted process can remove them. Creations and renames into place run under
 * ink_partial_lock (recursive), so a removal never races them. */
void ink_partial_register (const char *tmp_path, gboolean is_folder);
void ink_partial_unregister (const char *tmp_path);
void ink_partial_lock (void);
void ink_partial_unlock (void);

/* Removes every registered partial output and keeps the registry locked, so nothing is committed
 * afterwards: for a signal-handling thread that then ends the process. Returns how many. */
int ink_partial_remove_all (void);

/* Removes the partial outputs of PATH (.BASE.inkloop-partial-PID-*) left by processes that no
 * longer run (killed, crashed). */
void ink_partial_sweep (const char *path);

/* Removes PATH and, for a folder, everything below it, never following symbolic links. */
gboolean ink_remove_tree (const char *path, GError **error);

G_END_DECLS
