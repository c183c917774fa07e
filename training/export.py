#!/usr/bin/python3
# export.py: a training checkpoint's generator as the engine's model file: F16 safetensors with the
# graph in the metadata key "inkloop.graph" (engine/network/network.h), and on request PyTorch's
# output for a fixed input with those F16 weights, for the engine comparison (tests/network-compare.c).
#
#   /usr/bin/python3 training/export.py CHECKPOINT OUT.safetensors [--io IO.safetensors]
import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import inkgraph  # noqa: E402
from model import FEATURES, SCALE, Generator, count_parameters  # noqa: E402


def load_generator(checkpoint):
    state = torch.load(checkpoint, map_location="cpu")
    cfg = state["config"]
    g = Generator(width=cfg["width"], blocks=cfg["blocks"])
    g.load_state_dict(state["generator"])
    g.eval()
    return g, state


def export(g, state, out, io=None, seed=1):
    graph = g.export_graph()
    graph["name"] = f"inkloop generator, step {state['step']}"
    tensors = g.tensors()
    metadata = {
        "inkloop.graph": json.dumps(graph, separators=(",", ":")),
        # What the engine keeps from a frame for the next: the value FEATURES, fed to "prev" with
        # the motion at 1/SCALE size (in those pixels) in "flow"; zeros for a still.
        "inkloop.temporal": json.dumps({"features": FEATURES, "input": "prev", "flow": "flow",
                                        "scale": SCALE}),
        "licence": "GPL-3.0-or-later",
        "source": "training/export.py",
        "training.step": str(state["step"]),
        "training.data": state.get("data", "unknown"),
        "torch": torch.__version__,
    }
    inkgraph.save_safetensors(out, tensors, metadata, dtype=torch.float16)
    print(f"wrote {out}: {count_parameters(g)} parameters, F16, step {state['step']}")
    if io is None:
        return
    # PyTorch's run of the file as written: F16 weights, computed in F32 as the engine does; a
    # photo-like input (smooth colour with edges), a previous frame's features and a motion.
    weights, _ = inkgraph.load_safetensors(out)
    gen = torch.Generator().manual_seed(seed)
    h, w = 48, 64
    base = torch.rand(1, 3, h // 8, w // 8, generator=gen)
    x = torch.nn.functional.interpolate(base, size=(h, w), mode="bilinear", align_corners=False)
    x = (x + 0.15 * (torch.rand(1, 3, h, w, generator=gen) > 0.9)).clamp(0, 1)
    with torch.no_grad():
        values = inkgraph.run_graph(graph, weights, {
            "x": x,
            "prev": torch.zeros(1, g.feature_channels, h // SCALE, w // SCALE),
            "flow": torch.zeros(1, 2, h // SCALE, w // SCALE)})
        prev = values[FEATURES]
        flow = (torch.rand(1, 2, h // SCALE, w // SCALE, generator=gen) * 2 - 1) * 2
        values = inkgraph.run_graph(graph, weights, {"x": x, "prev": prev, "flow": flow})
    inkgraph.save_safetensors(io, {"x": x[0], "prev": prev[0], "flow": flow[0],
                                   "y": values["y"][0]},
                              {"source": "training/export.py", "torch": torch.__version__})
    print(f"wrote {io}: PyTorch's output for a {w}x{h} input with a previous frame")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    ap.add_argument("--io", help="also write PyTorch's output for a fixed input here")
    args = ap.parse_args()
    g, state = load_generator(args.checkpoint)
    export(g, state, args.out, args.io)


if __name__ == "__main__":
    main()
