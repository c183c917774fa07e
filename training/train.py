#!/usr/bin/python3
# train.py: trains the generator (model.py) with the four losses (losses.py) on a set from
# build_dataset.py: a content-only start (CartoonGAN's initialization phase), then everything,
# with two discriminators. Fixed seeds; resumable from OUT/checkpoint.pt (weights, optimizers,
# step, random states); a loss log OUT/log.csv; --smoke runs a few steps on tiny synthetic data.
#
#   /usr/bin/python3 training/train.py --data DATA --out RUN [--steps 20000]
#   /usr/bin/python3 training/train.py --smoke --out RUN
import argparse
import csv
import math
import os
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import losses as L  # noqa: E402
import motion  # noqa: E402
from model import SCALE, Generator, PatchDiscriminator, count_parameters  # noqa: E402

SEED = 20261201


def load_folder(folder):
    """Every PNG under FOLDER as one uint8 tensor, N x 3 x S x S."""
    import numpy as np
    from PIL import Image
    files = sorted(Path(folder).glob("*.png"))
    if not files:
        return None
    return torch.from_numpy(np.stack([np.asarray(Image.open(f).convert("RGB")) for f in files])
                            ).permute(0, 3, 1, 2).contiguous()


def synthetic(n, size, kind, gen):
    """Tiny stand-in sets for --smoke: 'photos' of smooth colour with fine texture, 'art' of flat
    discs and boxes with dark outlines on paper."""
    if kind == "photo":
        x = F.interpolate(torch.rand(n, 3, 4, 4, generator=gen), size=(size, size),
                          mode="bicubic", align_corners=False)
        x = x + 0.1 * F.interpolate(torch.rand(n, 3, size // 4, size // 4, generator=gen) - 0.5,
                                    size=(size, size), mode="bilinear", align_corners=False)
        return (x.clamp(0, 1) * 255).to(torch.uint8)
    ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float32),
                            torch.arange(size, dtype=torch.float32), indexing="ij")
    art = torch.ones(n, 3, size, size)
    for i in range(n):
        for _ in range(4):
            c = torch.rand(3, generator=gen)
            cx, cy, r = (torch.rand(3, generator=gen) * torch.tensor([size, size, size / 4])).tolist()
            d = ((xs - cx) ** 2 + (ys - cy) ** 2).sqrt() - (r + 4)
            art[i] = torch.where(d < 0, c[:, None, None], art[i])
            art[i] = torch.where(d.abs() < 1.2, torch.zeros(3, 1, 1), art[i])
    return (art * 255).to(torch.uint8)


def batch(data, n, size, gen):
    """N random crops of SIZE px, flipped at random, as floats 0..1."""
    idx = torch.randint(len(data), (n,), generator=gen)
    s = data.shape[-1]
    out = []
    for i in idx.tolist():
        y, x = torch.randint(s - size + 1, (2,), generator=gen).tolist()
        c = data[i, :, y:y + size, x:x + size]
        if torch.rand(1, generator=gen).item() < 0.5:
            c = c.flip(-1)
        out.append(c)
    return torch.stack(out).float() / 255


def save_checkpoint(path, state):
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="Trains the learned generator.")
    ap.add_argument("--data", type=Path, help="a folder written by build_dataset.py")
    ap.add_argument("--out", type=Path, required=True, help="checkpoints and the loss log")
    ap.add_argument("--smoke", action="store_true", help="a few steps on tiny synthetic data")
    ap.add_argument("--steps", type=int, help="train until this step (default 20000; smoke 4)")
    ap.add_argument("--init-steps", type=int, help="content-only steps first (default 1000; smoke 2)")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--size", type=int, default=128, help="training crop, px (a multiple of 8)")
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--every", type=int, default=200, help="checkpoint and validate every N steps")
    ap.add_argument("--threads", type=int,
                    help="CPU threads (default 2; smoke 1, so a busy machine does not stall it)")
    ap.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    ap.add_argument("--weight", action="append", default=[], metavar="NAME=VALUE",
                    help="a loss weight other than losses.py's (repeatable), e.g. adv_texture=0.5")
    ap.add_argument("--style-ema", type=float, default=0.0,
                    help="style target: 0, each step's art batch (default); 0.99, say, a running "
                         "mean of those")
    ap.add_argument("--device", default="auto",
                    help="cpu, cuda, cuda:N or auto (cuda when PyTorch sees a GPU, else cpu); "
                         "random numbers come from the CPU either way, so a run is the same "
                         "draw on any device")
    args = ap.parse_args()
    if args.smoke:
        args.steps = args.steps or 4
        args.init_steps = 2 if args.init_steps is None else args.init_steps
        args.batch, args.size, args.every = 2, 64, 2
        args.threads = args.threads or 1
    args.steps = args.steps or 20000
    args.threads = args.threads or 2
    args.init_steps = 1000 if args.init_steps is None else args.init_steps
    if args.size % 8:
        sys.exit("train.py: --size must be a multiple of 8")
    torch.set_num_threads(args.threads)
    if args.device == "auto":
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(args.device)
        torch.empty(1, device=dev)
    except (RuntimeError, AssertionError) as e:
        sys.exit(f"train.py: cannot use --device {args.device}: {e}")
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)

    if args.smoke:
        data_gen = torch.Generator().manual_seed(SEED + 1)
        photos = synthetic(8, 96, "photo", data_gen)
        art = synthetic(8, 96, "art", data_gen)
        val = synthetic(2, 64, "photo", data_gen)
        data_desc = "synthetic (--smoke)"
    else:
        if args.data is None:
            sys.exit("train.py: give --data (a folder from build_dataset.py) or --smoke")
        photos, art = load_folder(args.data / "photo/train"), load_folder(args.data / "art/train")
        val = load_folder(args.data / "photo/val")
        if photos is None or art is None:
            sys.exit(f"train.py: {args.data} has no photo/train or art/train pictures")
        data_desc = str(args.data.resolve())
    print(f"train.py: {len(photos)} photos, {len(art)} art, "
          f"{0 if val is None else len(val)} validation photos")

    cfg = {"width": args.width, "blocks": args.blocks}
    g = Generator(**cfg).to(dev)
    d_surface, d_texture = PatchDiscriminator(3).to(dev), PatchDiscriminator(1).to(dev)
    weights = {}
    for item in args.weight:
        name, _, value = item.partition("=")
        try:
            weights[name] = float(value)
        except ValueError:
            sys.exit(f"train.py: --weight {item}: give NAME=VALUE, e.g. adv_texture=0.5")
    if not 0.0 <= args.style_ema < 1.0:
        sys.exit("train.py: --style-ema must be at least 0 and under 1")
    try:
        loss = L.Losses(weights, args.style_ema).to(dev)
    except ValueError as e:
        sys.exit(f"train.py: --weight: {e}")
    opt_g = torch.optim.Adam(g.parameters(), lr=args.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(list(d_surface.parameters()) + list(d_texture.parameters()),
                             lr=args.lr, betas=(0.5, 0.999))
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path, log_path = args.out / "checkpoint.pt", args.out / "log.csv"
    step = 0
    if ckpt_path.exists() and not args.fresh:
        state = torch.load(ckpt_path, map_location="cpu")
        if state["config"] != cfg:
            sys.exit(f"train.py: {ckpt_path} is a {state['config']} network, not {cfg}")
        g.load_state_dict(state["generator"])
        d_surface.load_state_dict(state["d_surface"])
        d_texture.load_state_dict(state["d_texture"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        torch.set_rng_state(state["rng"])
        gen.set_state(state["gen"])
        step = state["step"]
        if "losses" in state:
            loss.load_state(state["losses"], dev)
        print(f"train.py: resumed {ckpt_path} at step {step}")
    elif log_path.exists():
        log_path.unlink()
    print(f"train.py: loss weights {loss.w}, style target "
          + (f"a running mean ({args.style_ema})" if args.style_ema > 0 else "each art batch"))
    print(f"train.py: generator {count_parameters(g)} parameters, discriminators "
          f"{count_parameters(d_surface) + count_parameters(d_texture)}; steps {step} to "
          f"{args.steps} (content only until {args.init_steps}) on {dev}")

    fields = ["step", "phase", "seconds", "total", "content", "surface", "lines", "style",
              "colour", "tv", "adv_surface", "adv_texture", "temporal", "d_surface", "d_texture",
              "val_content", "val_temporal"]
    new_log = not log_path.exists()
    log_file = open(log_path, "a", newline="")
    log = csv.DictWriter(log_file, fieldnames=fields)
    if new_log:
        log.writeheader()

    def checkpoint():
        save_checkpoint(ckpt_path, {
            "config": cfg, "step": step, "data": data_desc,
            "generator": g.state_dict(), "d_surface": d_surface.state_dict(),
            "d_texture": d_texture.state_dict(), "opt_g": opt_g.state_dict(),
            "opt_d": opt_d.state_dict(), "rng": torch.get_rng_state(), "gen": gen.get_state(),
            "losses": loss.state()})

    def validate():
        """Content and temporal losses on the validation photos (never trained on), with their
        own fixed seed so every validation sees the same pairs."""
        if val is None:
            return {}
        vgen = torch.Generator().manual_seed(SEED + 2)
        g.eval()
        with torch.no_grad():
            x1 = val[:8].to(dev).float() / 255
            x1 = x1[:, :, :x1.shape[2] // 8 * 8, :x1.shape[3] // 8 * 8]
            y1, f1 = g(x1)
            x2, f, mask = motion.make_pair(x1, vgen)
            y2, _ = g(x2, f1, motion.downscale_flow(f, SCALE))
            c = loss.content(y1, x1)["content"].item()
            t = loss.temporal(y1, y2, x1, x2, f, mask)["temporal"].item()
        g.train()
        return {"val_content": f"{c:.5f}", "val_temporal": f"{t:.5f}"}

    t0 = time.time()
    while step < args.steps:
        adversarial = step >= args.init_steps
        x1 = batch(photos, args.batch, args.size, gen).to(dev)
        y1, f1 = g(x1)
        x2, f, mask = motion.make_pair(x1, gen)
        y2, _ = g(x2, f1, motion.downscale_flow(f, SCALE))
        parts = loss.content(y1, x1)
        parts.update(loss.temporal(y1, y2, x1, x2, f, mask))
        if adversarial:
            a = batch(art, args.batch, args.size, gen).to(dev)
            parts.update(loss.style(y1, x1, a))
            parts.update(loss.adversarial_g(y1, d_surface, d_texture, gen))
        else:
            parts.update({k: v for k, v in loss.style(y1, x1, x1).items() if k == "colour"})
        total = loss.total(parts)
        opt_g.zero_grad(set_to_none=True)
        total.backward()
        opt_g.step()
        if adversarial:
            dl = loss.discriminators(y1, a, d_surface, d_texture, gen)
            opt_d.zero_grad(set_to_none=True)
            (dl["d_surface"] + dl["d_texture"]).backward()
            opt_d.step()
            parts.update(dl)
        if not math.isfinite(total.item()):
            sys.exit(f"train.py: the loss is {total.item()} at step {step}")
        step += 1
        row = {"step": step, "phase": "full" if adversarial else "init",
               "seconds": f"{time.time() - t0:.2f}", "total": f"{total.item():.5f}"}
        row.update({k: f"{v.item():.5f}" for k, v in parts.items()})
        if step % args.every == 0 or step == args.steps:
            row.update(validate())
            checkpoint()
        log.writerow(row)
        log_file.flush()
        if step % 10 == 0 or step == args.steps or args.smoke:
            print(f"step {step}: total {total.item():.4f} "
                  + " ".join(f"{k} {v.item():.4f}" for k, v in parts.items()), flush=True)
    log_file.close()
    print(f"train.py: {ckpt_path} at step {step}, log {log_path}, {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
