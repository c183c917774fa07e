/* fuzz-video.c: libFuzzer target for the clip opener and reader (engine/video/video-input.c): any
 * input, written to a file as a user's clip would be, is refused with an error or read to its end,
 * at most MAX_FRAMES frames, each of the size the clip said. */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "video-input.h"

#define MAX_FRAMES 30

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static char *path;
  GError *error = NULL;
  InkVideo *v;
  InkImage *f;
  double pts;

  if (path == NULL)
    path = g_strdup_printf ("%s/fuzz-video-%d.clip", g_get_tmp_dir (), (int) getpid ());
  if (!g_file_set_contents (path, (const char *) data, size, NULL))
    abort ();
  v = ink_video_open (path, &error);
  if (v == NULL)
    {
      if (error == NULL)
        abort ();
      g_error_free (error);
      return 0;
    }
  for (int i = 0; i < MAX_FRAMES; i++)
    {
      f = ink_video_read (v, 48, &pts, &error);
      if (f == NULL)
        break;
      if (f->width < 1 || f->height < 1 || MAX (f->width, f->height) != 48)
        abort ();
      ink_image_free (&f);
    }
  g_clear_error (&error);
  ink_video_free (&v);
  g_unlink (path);
  return 0;
}
