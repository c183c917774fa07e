/* make-clip.c: writes a test clip (clip-build.c) from a photo, for benchmarks and trying things:
 *   build/tests/make-clip PHOTO OUT.mp4|.webm|.gif|.webp WIDTHxHEIGHT SECONDS FPS [PAN [NOISE [SOUND]]]
 * PAN: px a frame the photo moves (0: a still camera); NOISE: +- levels of sensor noise; SOUND: 1
 * for a 440 Hz tone. A square crosses the picture once. */
#include <stdio.h>
#include <stdlib.h>

#include "clip-build.h"

int
main (int argc, char **argv)
{
  GError *error = NULL;
  ClipSpec spec = { CLIP_H264_MP4, 0, 0, 0, 0, .moving_box = TRUE };
  InkImage *photo;
  double seconds;

  if (argc < 6 || sscanf (argv[3], "%dx%d", &spec.width, &spec.height) != 2
      || spec.width < 16 || spec.height < 16 || (seconds = atof (argv[4])) <= 0.0
      || (spec.fps = atoi (argv[5])) < 1)
    {
      fprintf (stderr, "usage: make-clip PHOTO OUT.mp4|.webm|.gif|.webp WIDTHxHEIGHT SECONDS FPS "
                       "[PAN [NOISE [SOUND]]]\n");
      return 2;
    }
  spec.codec = g_str_has_suffix (argv[2], ".webm") ? CLIP_VP9_WEBM
               : g_str_has_suffix (argv[2], ".gif") ? CLIP_GIF
               : g_str_has_suffix (argv[2], ".webp") ? CLIP_WEBP : CLIP_H264_MP4;
  spec.frames = (int) (seconds * spec.fps + 0.5);
  spec.pan = argc > 6 ? atof (argv[6]) : 0.0;
  spec.noise = argc > 7 ? atoi (argv[7]) : 0;
  spec.audio = argc > 8 && atoi (argv[8]) != 0;
  photo = ink_image_load (argv[1], &(InkLoadParams) { .long_edge = MAX (spec.width, spec.height) },
                          &error);
  if (photo == NULL)
    {
      fprintf (stderr, "make-clip: %s\n", error->message);
      return 1;
    }
  clip_build (argv[2], photo, &spec);
  ink_image_free (&photo);
  return 0;
}
