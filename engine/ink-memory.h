/* ink-memory.h: large buffers that the first touch fills quickly. */
#pragma once

#include <glib.h>

/* SIZE bytes (uninitialized), or NULL where there is no memory, aligned to 64 bytes (as SIMD code
 * such as libswscale's wants). From 2 MB on, on Linux, the block is a mapping of its own, aligned
 * to 2 MB, its whole 2 MB pages asked to be huge pages: first touching a fresh 1080p picture then
 * takes a fault per 2 MB rather than one per 4 kB page. Free it with ink_free_large (only). */
gpointer ink_alloc_large (gsize size);
gpointer ink_alloc_large0 (gsize size);   /* the same, zeroed */
/* The same aligned to ALIGN (a power of two, at most 2 MB). */
gpointer ink_alloc_large_aligned (gsize size, gsize align);
void ink_free_large (gpointer data);
