/* motion-common.h: what the motion tests share: a loop rendered on a stylizer, frame differences
 * and the seam check. */
#pragma once

#include "animate.h"

typedef struct {
  int n;
  InkImage **frames;
} Loop;

/* Every frame of the animation of SRC (fails the test on an error). */
Loop render_loop (InkStylizer *stylizer, const InkImage *src, const InkStyleParams *style,
                  const InkMotionParams *motion, const InkMotionHints *hints);
void loop_free (Loop *loop);

/* Mean absolute difference of RGB, in 8-bit levels. */
double loop_diff (const InkImage *a, const InkImage *b);

/* Seam ratio (REFERENCES.md), frames held for HOLD frames; VELOCITY also checks the second
 * difference across the seam. */
void check_seamless_held (const char *what, const Loop *loop, gboolean velocity, int hold);
void check_seamless (const char *what, const Loop *loop, gboolean velocity);
/* Every frame of LOOP is STILL, bit for bit. */
void check_all_still (const Loop *loop, const InkImage *still);

/* Twelve frames on ones with every layer off; the anime preset. */
InkMotionParams motion_only (void);
InkStyleParams anime_style (void);
