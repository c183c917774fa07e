/* tmp-folder.h: temporary folders for the tests that write files: made, counted, removed whole. */
#pragma once

#include <glib.h>

/* A new empty folder under $TMPDIR (g_free the name). */
char *test_tmp_folder_new (void);
/* PATH and all below it, made writable first (a test may have taken the permissions away);
 * links are removed, not followed. */
void test_tmp_folder_remove (const char *path);
/* The entries in folder PATH. */
guint test_count_entries (const char *path);
