#!/usr/bin/python3
# plot_log.py: the loss curves of a training run (train.py's log.csv) as one PNG, drawn with PIL
# alone: a panel per loss, the raw values faint and a moving average over them, validation losses
# as dots.
#
#   /usr/bin/python3 training/plot_log.py RUN/log.csv OUT.png [--average 25]
import argparse
import csv
import math
import sys

from PIL import Image, ImageDraw

PANELS = [
    ("content", "content (random-VGG L1)"), ("style", "style (greyscale Gram)"),
    ("temporal", "temporal (frame difference)"), ("colour", "colour (OKLab)"),
    ("adv_surface", "adversarial, surface"), ("adv_texture", "adversarial, texture"),
    ("d_surface", "discriminator, surface"), ("d_texture", "discriminator, texture"),
    ("val_content", "validation: content"), ("val_temporal", "validation: temporal"),
]
W, H, PAD = 360, 220, 36


def series(rows, key):
    pts = []
    for r in rows:
        v = r.get(key, "")
        if v not in ("", None):
            pts.append((int(r["step"]), float(v)))
    return pts


def moving_average(pts, n):
    out, acc = [], []
    for s, v in pts:
        acc.append(v)
        if len(acc) > n:
            acc.pop(0)
        out.append((s, sum(acc) / len(acc)))
    return out


def panel(draw, x0, y0, title, pts, n, last_step):
    draw.rectangle([x0, y0, x0 + W - 1, y0 + H - 1], outline=(200, 200, 200))
    draw.text((x0 + 6, y0 + 4), title, fill=(0, 0, 0))
    if not pts:
        draw.text((x0 + 6, y0 + H // 2), "(not logged)", fill=(120, 120, 120))
        return
    lo = min(v for _, v in pts)
    hi = max(v for _, v in pts)
    if hi - lo < 1e-12:
        hi = lo + 1e-3
    left, right, top, bottom = x0 + PAD + 10, x0 + W - 8, y0 + 22, y0 + H - 20

    def xy(s, v):
        return (left + (right - left) * s / max(last_step, 1),
                bottom - (bottom - top) * (v - lo) / (hi - lo))

    draw.text((x0 + 4, top - 6), f"{hi:.3g}", fill=(90, 90, 90))
    draw.text((x0 + 4, bottom - 8), f"{lo:.3g}", fill=(90, 90, 90))
    draw.text((right - 60, bottom + 4), f"step {last_step}", fill=(90, 90, 90))
    if len(pts) < 40:   # sparse (validation): dots
        for s, v in pts:
            x, y = xy(s, v)
            draw.ellipse([x - 2.5, y - 2.5, x + 2.5, y + 2.5], fill=(200, 60, 40))
        return
    draw.line([xy(s, v) for s, v in pts], fill=(190, 205, 230), width=1)
    draw.line([xy(s, v) for s, v in moving_average(pts, n)], fill=(30, 70, 160), width=2)


def main():
    ap = argparse.ArgumentParser(description="Loss curves of a training run as a PNG.")
    ap.add_argument("log")
    ap.add_argument("out")
    ap.add_argument("--average", type=int, default=25, help="steps in the moving average")
    args = ap.parse_args()
    with open(args.log, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"plot_log.py: {args.log} has no steps")
    last = int(rows[-1]["step"])
    cols = 2
    lines = math.ceil(len(PANELS) / cols)
    img = Image.new("RGB", (cols * W + 8, lines * H + 40), "white")
    draw = ImageDraw.Draw(img)
    init = [int(r["step"]) for r in rows if r.get("phase") == "init"]
    draw.text((8, 10), f"{args.log}: {last} steps"
              + (f" (content-only start until step {max(init)})" if init else "")
              + f"; moving average over {args.average} steps", fill=(0, 0, 0))
    for i, (key, title) in enumerate(PANELS):
        panel(draw, 4 + (i % cols) * W, 32 + (i // cols) * H, title, series(rows, key),
              args.average, last)
    img.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
