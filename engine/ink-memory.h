/* ink-memory.h: large buffers that the first touch fills quickly. */
#pragma once

#include <glib.h>

/* SIZE bytes (uninitialized), or NULL where there is no memory, aligned to 64 bytes (as SIMD code
 * such as libswscale's wants). At 4 MB and more the block is aligned to 2 MB and, where the
 * system gives huge pages on request, in huge pages: first touching a fresh 1080p picture then
 * takes a fault per 2 MB rather than one per 4 kB page. Free it with ink_free_large. */
gpointer ink_alloc_large (gsize size);
gpointer ink_alloc_large0 (gsize size);   /* the same, zeroed */
/* SIZE bytes aligned to ALIGN (a power of two), and to 2 MB from 2 MB on, the whole huge pages in
 * it asked for. */
gpointer ink_alloc_large_aligned (gsize size, gsize align);
void ink_free_large (gpointer data);

/* Asks for huge pages for the whole 2 MB pages inside DATA .. DATA + SIZE (memory nothing has
 * touched yet). A hint: where the system has none, nothing changes. */
void ink_advise_huge_pages (gpointer data, gsize size);
