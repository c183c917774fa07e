/* ink-memory.c: large buffers in huge pages where the system has them. Linux gives them to memory
 * that asks (transparent huge pages in "madvise" mode, Debian's default); page faults on fresh
 * buffers took a tenth of a 1080p still's CPU time. A large buffer is its own mapping, unmapped
 * when freed: huge-page advice on memory malloc keeps (its heap) would stay on that memory and
 * make the heap's later growth zero 2 MB pages. Every block has a header just before it that says
 * how to free it. */
#include "ink-memory.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((gsize) 2 << 20)
#define PAGE ((gsize) 4096)
#define HEADER 64   /* the header's room before a block: keeps blocks 64-byte aligned */

#if defined(__linux__) && defined(MADV_HUGEPAGE)
#define MAPPED 1
#endif

enum { FROM_MALLOC = 0x6d616c6c, FROM_MMAP = 0x6d6d6170 };

typedef struct {
  guint32 from;
  gpointer base;   /* what malloc or mmap gave */
  gsize length;    /* mmap: the mapping's length */
} Header;

G_STATIC_ASSERT (sizeof (Header) <= HEADER);

static Header *
header_of (gpointer data)
{
  return (Header *) ((guint8 *) data - HEADER);
}

#ifdef MAPPED
/* Asks for huge pages for the whole 2 MB pages inside DATA .. DATA + SIZE (memory nothing has
 * touched yet). A hint: where the system has none, nothing changes. */
static void
advise_huge_pages (gpointer data, gsize size)
{
  guintptr start = ((guintptr) data + HUGE_PAGE - 1) & ~(guintptr) (HUGE_PAGE - 1);
  guintptr end = ((guintptr) data + size) & ~(guintptr) (HUGE_PAGE - 1);

  if (end > start)
    madvise ((void *) start, end - start, MADV_HUGEPAGE);   /* failure changes nothing */
}
#endif

gpointer
ink_alloc_large_aligned (gsize size, gsize align)
{
  void *base = NULL;
  guint8 *data;

  g_return_val_if_fail (align >= 1 && (align & (align - 1)) == 0 && align <= HUGE_PAGE, NULL);
  align = MAX (align, HEADER);
#ifdef MAPPED
  if (size >= HUGE_PAGE && size <= G_MAXSIZE - 2 * HUGE_PAGE)
    {
      /* A mapping with room for the block at a 2 MB boundary and a page for the header before
       * it; the pages never touched cost nothing. */
      gsize length = HUGE_PAGE + (size + PAGE - 1) / PAGE * PAGE;

      base = mmap (NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (base == MAP_FAILED)
        return NULL;
      data = (guint8 *) (((guintptr) base + PAGE + HUGE_PAGE - 1) & ~(guintptr) (HUGE_PAGE - 1));
      *header_of (data) = (Header) { FROM_MMAP, base, length };
      advise_huge_pages (data, size);
      return data;
    }
#endif
  if (size > G_MAXSIZE - align || posix_memalign (&base, align, size + align) != 0)
    return NULL;
  data = (guint8 *) base + align;
  *header_of (data) = (Header) { FROM_MALLOC, base, 0 };
  return data;
}

gpointer
ink_alloc_large (gsize size)
{
  return ink_alloc_large_aligned (size, HEADER);
}

gpointer
ink_alloc_large0 (gsize size)
{
  gpointer data = ink_alloc_large (size);

  /* A fresh mapping is zeros already (and stays untouched until used). */
  if (data != NULL && header_of (data)->from == FROM_MALLOC)
    memset (data, 0, size);
  return data;
}

void
ink_free_large (gpointer data)
{
  Header *h;

  if (data == NULL)
    return;
  h = header_of (data);
  g_return_if_fail (h->from == FROM_MALLOC || h->from == FROM_MMAP);
#ifdef MAPPED
  if (h->from == FROM_MMAP)
    {
      munmap (h->base, h->length);
      return;
    }
#endif
  free (h->base);
}
