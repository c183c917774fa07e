/* atomic-file.h: write a file whole or not at all (temporary file, fsync, rename). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct InkAtomicFile InkAtomicFile;

/* Opens a temporary file beside PATH (same folder, so the rename is atomic). */
InkAtomicFile *ink_atomic_file_open (const char *path, GError **error);
int ink_atomic_file_fd (InkAtomicFile *file);
/* The temporary file's path, for writers that open it themselves (FFmpeg's muxers). */
const char *ink_atomic_file_temp_path (InkAtomicFile *file);
gboolean ink_atomic_file_write (InkAtomicFile *file, const void *data, gsize size, GError **error);
/* Syncs and renames over the target; frees FILE in any case. */
gboolean ink_atomic_file_commit (InkAtomicFile **file, GError **error);
/* Removes the temporary file; the target is untouched. NULL-safe. */
void ink_atomic_file_abort (InkAtomicFile **file);

/* "PATH: cannot write: REASON (HINT)" (INK_ERROR_WRITE) for errno ERRSV, with a hint the user can
 * act on: a full disk, a missing folder, no permission, a read-only disk. */
void ink_set_write_error (GError **error, const char *path, int errsv);

G_END_DECLS
