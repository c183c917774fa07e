# motion.py: training pairs for the temporal loss: a photo and the same photo moved by one of
# Inkloop's kinds of motion (engine/motion/: camera, flow, sway, boil), re-made here as
# displacement fields whose every value is known, so no optical-flow estimate is needed.
#
# Convention (the runtime's warp): frame 2 at p is frame 1 read at p + f(p), f in pixels.
import math

import torch
import torch.nn.functional as F

import inkgraph


def _grid(h, w, device=None):
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32, device=device),
                            torch.arange(w, dtype=torch.float32, device=device), indexing="ij")
    return xs, ys


def _smooth_noise(n, ch, h, w, cell, gen):
    """Value noise: uniform -1..1 on a grid of CELL px, bilinear between (the boil's look)."""
    gh, gw = max(2, math.ceil(h / cell) + 1), max(2, math.ceil(w / cell) + 1)
    v = torch.rand(n, ch, gh, gw, generator=gen) * 2 - 1
    return F.interpolate(v, size=(h, w), mode="bilinear", align_corners=True)


def _falloff(n, h, w, gen, reach):
    """A compact Gaussian around a random centre, REACH (in picture heights) its sigma: a hint's
    local reach (the engine's flow_reach)."""
    xs, ys = _grid(h, w)
    c = torch.rand(n, 2, generator=gen)
    dx = xs[None] - c[:, 0, None, None] * (w - 1)
    dy = ys[None] - c[:, 1, None, None] * (h - 1)
    s = reach * h
    return torch.exp(-(dx * dx + dy * dy) / (2 * s * s))[:, None]


def camera(n, h, w, gen, amount=1.0):
    """Breathe/zoom, pan, rotation and shake between two frames: an affine map about the centre."""
    xs, ys = _grid(h, w)
    cx, cy = (w - 1) / 2, (h - 1) / 2
    r = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=gen)  # noqa: E731
    scale = 1 + amount * r(-0.03, 0.03)
    angle = amount * r(-0.03, 0.03)                     # radians
    tx, ty = amount * r(-0.03, 0.03) * w, amount * r(-0.03, 0.03) * h
    cos, sin = torch.cos(angle), torch.sin(angle)
    px, py = xs[None] - cx, ys[None] - cy
    sx = (cos[:, None, None] * px - sin[:, None, None] * py) * scale[:, None, None] + cx + tx[:, None, None]
    sy = (sin[:, None, None] * px + cos[:, None, None] * py) * scale[:, None, None] + cy + ty[:, None, None]
    return torch.stack([sx - xs, sy - ys], dim=1)


def flow(n, h, w, gen, amount=1.0):
    """Material streaming along a hint: a smooth direction field, local to a random reach."""
    v = _smooth_noise(n, 2, h, w, max(h, w) / 3, gen) * amount * 0.03 * w
    return v * _falloff(n, h, w, gen, 0.1 + 0.3 * torch.rand(1, generator=gen).item())


def sway(n, h, w, gen, amount=1.0, frames=24):
    """Material swinging along a hint, d(t) = A sin(2 pi t / N): the step from one frame to the
    next at a random phase."""
    ang = torch.rand(n, generator=gen) * 2 * math.pi
    a = amount * (0.01 + 0.03 * torch.rand(n, generator=gen)) * w
    t = torch.rand(n, generator=gen) * frames
    step = a * (torch.sin(2 * math.pi * (t + 1) / frames) - torch.sin(2 * math.pi * t / frames))
    d = torch.stack([torch.cos(ang), torch.sin(ang)], dim=1) * step[:, None]
    return d[:, :, None, None] * _falloff(n, h, w, gen, 0.1 + 0.2 * torch.rand(1, generator=gen).item())


def boil(n, h, w, gen, amount=1.0):
    """Line boil: value noise of cells about 23 px at 1920 wide (at least 4 px), displacement up to
    0.002 of the width (at least a pixel, so it shows at training sizes)."""
    cell = max(4.0, 23.0 * w / 1920)
    return _smooth_noise(n, 2, h, w, cell, gen) * amount * max(1.0, 0.002 * w)


KINDS = {"camera": camera, "flow": flow, "sway": sway, "boil": boil}


def random_field(n, h, w, gen):
    """The sum of a random, non-empty set of the kinds, N x 2 x H x W."""
    f = torch.zeros(n, 2, h, w)
    chosen = [k for k in KINDS if torch.rand(1, generator=gen).item() < 0.5] or ["camera"]
    for k in chosen:
        f = f + KINDS[k](n, h, w, gen)
    return f


def valid_mask(f):
    """Where frame 2's pixel comes from inside frame 1 (the warp clamps outside)."""
    _, _, h, w = f.shape
    xs, ys = _grid(h, w, f.device)
    sx, sy = xs + f[:, 0], ys + f[:, 1]
    return ((sx >= 0) & (sx <= w - 1) & (sy >= 0) & (sy <= h - 1)).float()[:, None]


def downscale_flow(f, scale):
    """The field at 1/SCALE size, in those pixels: what the generator's warp reads."""
    return F.avg_pool2d(f, scale) / scale


def make_pair(x1, gen, noise=0.01):
    """(x2, f, mask): x1 moved by a random field f, with a little sensor noise and a small
    exposure change, so the frames differ the way real frames do, not only by the motion."""
    n, _, h, w = x1.shape
    f = random_field(n, h, w, gen).to(x1)    # drawn on the CPU: the same on any device
    x2 = inkgraph.warp(x1, f)
    gain = (1 + 0.02 * (torch.rand(n, 1, 1, 1, generator=gen) * 2 - 1)).to(x1)
    x2 = (x2 * gain + noise * torch.randn(x2.shape, generator=gen).to(x1)).clamp(0, 1)
    return x2, f, valid_mask(f)
