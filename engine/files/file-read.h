/* file-read.h: reading a whole input file, with messages that name it and say what to do. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

G_BEGIN_DECLS

/* Reads PATH whole into *CONTENTS (NUL-terminated) and *LENGTH. KIND says what the file should be
 * ("image", "project") in messages. A missing file is INK_ERROR_NOT_FOUND, one that is not a
 * regular file or cannot be read INK_ERROR_READ, one over MAX_BYTES INK_ERROR_TOO_LARGE (refused
 * before reading). *NAME is set to PATH's base name, for the caller's messages, in every case. */
gboolean ink_file_read_all (const char *path, gsize max_bytes, const char *kind, char **name,
                            char **contents, gsize *length, GError **error);

/* Opens PATH for reading without blocking (a FIFO or a device must not hang the open), refusing
 * anything but a regular file; NAME is PATH as messages show it, KIND as above. The descriptor
 * (blocking again where it matters: regular files never block) and its stat in *ST, or -1 and
 * ERROR as ink_file_read_all's. */
int ink_file_open_regular (const char *path, const char *name, const char *kind, GStatBuf *st,
                           GError **error);

G_END_DECLS
