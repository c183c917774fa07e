#!/usr/bin/python3
# flicker.py: the temporal stability of a stylized sequence: the mean absolute change (levels,
# 0..255, over R, G and B) of output pixels between consecutive frames, over the pixels whose
# *input* changed by under 3 levels in every channel (still background). The source's own figure
# is printed beside it: stable stylization comes close to it.
#
#   /usr/bin/python3 training/flicker.py INPUT_FRAMES/ OUTPUT_FRAMES/ [--threshold 3]
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


def main():
    ap = argparse.ArgumentParser(description="Flicker of a stylized sequence on still input.")
    ap.add_argument("inputs")
    ap.add_argument("outputs")
    ap.add_argument("--threshold", type=int, default=3,
                    help="levels under which an input pixel counts as still (default 3)")
    args = ap.parse_args()
    ins = list(frames(args.inputs))
    size = (ins[0].shape[1], ins[0].shape[0])
    outs = list(frames(args.outputs, size))
    if len(ins) != len(outs):
        sys.exit(f"flicker.py: {len(ins)} input frames but {len(outs)} output frames")
    if len(ins) < 2:
        sys.exit("flicker.py: at least two frames are needed")
    change = source = pixels = 0.0
    for a, b, ya, yb in zip(ins, ins[1:], outs, outs[1:]):
        still = (np.abs(b - a) < args.threshold).all(axis=2)
        n = still.sum()
        pixels += n
        change += np.abs(yb - ya)[still].mean(axis=1).sum()
        source += np.abs(b - a)[still].mean(axis=1).sum()
    if pixels == 0:
        sys.exit("flicker.py: no input pixel stays still")
    total = sum(x.shape[0] * x.shape[1] for x in ins[1:])
    print(f"frames {len(ins)}; still pixels {100 * pixels / total:.1f} %; "
          f"source change {source / pixels:.3f} levels; output change {change / pixels:.3f} levels")


if __name__ == "__main__":
    main()
