#!/usr/bin/python3
# flicker.py: the temporal stability of a stylized sequence: the mean absolute change (levels,
# 0..255, over R, G and B) of output pixels between consecutive frames, over the pixels whose
# *input* changed by under 3 levels in every channel (still background). The source's own figure
# is printed beside it: stable stylization comes close to it.
#
#   /usr/bin/python3 training/flicker.py INPUT_FRAMES/ OUTPUT_FRAMES/ [--threshold 3]
#
# --compensate first moves each frame before onto the next by the whole-pixel shift (up to
# --reach px) that best matches the input frames, in both sequences: under a panning camera the
# plain figure counts content sliding past as change (any spatial filter's output moves with its
# neighbourhood), the compensated one only what changed in the moving picture.
#
# Both folders hold PNG frames whose names sort in time order, one output frame per input frame;
# the output is scaled to the input's size if they differ. Decode a clip's frames with any decoder,
# e.g. `ffmpeg -i CLIP.mp4 IN/%04d.png`, and render the output with
# `inkloop-cli render CLIP.mp4 -o OUT/`.
import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def frames(folder, size=None):
    files = sorted(Path(folder).glob("*.png"))
    if not files:
        sys.exit(f"flicker.py: {folder} holds no PNG frames")
    for f in files:
        im = Image.open(f).convert("RGB")
        if size is not None and im.size != size:
            im = im.resize(size, Image.BILINEAR)
        yield np.asarray(im).astype(np.int16)


def aligned(a, b, ya, yb, r):
    """A (and YA) shifted by the whole-pixel (dx, dy), |d| <= R, that best matches B, all four
    cropped by R on every side so no wrapped pixel counts."""
    def crop(x):
        return x[r:x.shape[0] - r, r:x.shape[1] - r]

    best = None
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            d = np.abs(crop(np.roll(a, (dy, dx), axis=(0, 1))) - crop(b)).mean()
            if best is None or d < best[0]:
                best = (d, dy, dx)
    _, dy, dx = best
    return (crop(np.roll(a, (dy, dx), axis=(0, 1))), crop(b),
            crop(np.roll(ya, (dy, dx), axis=(0, 1))), crop(yb))


def main():
    ap = argparse.ArgumentParser(description="Flicker of a stylized sequence on still input.")
    ap.add_argument("inputs")
    ap.add_argument("outputs")
    ap.add_argument("--threshold", type=int, default=3,
                    help="levels under which an input pixel counts as still (default 3)")
    ap.add_argument("--compensate", action="store_true",
                    help="compare each frame with the one before shifted by the camera's motion")
    ap.add_argument("--reach", type=int, default=4,
                    help="the largest shift --compensate tries, px (default 4)")
    args = ap.parse_args()
    ins = list(frames(args.inputs))
    size = (ins[0].shape[1], ins[0].shape[0])
    outs = list(frames(args.outputs, size))
    if len(ins) != len(outs):
        sys.exit(f"flicker.py: {len(ins)} input frames but {len(outs)} output frames")
    if len(ins) < 2:
        sys.exit("flicker.py: at least two frames are needed")
    change = source = pixels = 0.0
    r = args.reach if args.compensate else 0
    for a, b, ya, yb in zip(ins, ins[1:], outs, outs[1:]):
        if r > 0:
            a, b, ya, yb = aligned(a, b, ya, yb, r)
        still = (np.abs(b - a) < args.threshold).all(axis=2)
        n = still.sum()
        pixels += n
        change += np.abs(yb - ya)[still].mean(axis=1).sum()
        source += np.abs(b - a)[still].mean(axis=1).sum()
    if pixels == 0:
        sys.exit("flicker.py: no input pixel stays still")
    total = sum((x.shape[0] - 2 * r) * (x.shape[1] - 2 * r) for x in ins[1:])
    print(f"frames {len(ins)}; still pixels {100 * pixels / total:.1f} %; "
          f"source change {source / pixels:.3f} levels; output change {change / pixels:.3f} levels")


if __name__ == "__main__":
    main()
