#!/usr/bin/python3
# make_fixture.py: writes the network runtime's test fixtures: a tiny U-Net with every layer the
# runtime has (engine/network/), random weights from a fixed seed, in one safetensors file with its
# graph in the metadata, and PyTorch's output for a fixed input, for tests/test-network.c; and a
# 0.2 M-parameter U-Net of random F16 weights for the benchmark and the tiling test.
#
#   /usr/bin/python3 training/make_fixture.py tests/data/network
#
# Needs Debian's python3-torch; the files it writes are committed, so the tests do not.
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from inkgraph import act, box, guided, save_safetensors, warp

SEED = 20261201


def main():
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/network")
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)
    weights = {}

    def conv_layer(name, inp, out, cin, cout, k=3, stride=1, dilation=1, groups=1,
                   padding="zero", activation="none", bias=True):
        bound = 1.0 / (cin // groups * k * k) ** 0.5
        weights[name + ".weight"] = (torch.rand(cout, cin // groups, k, k) * 2 - 1) * bound * 1.5
        layer = {"op": "conv2d", "in": inp, "out": out, "weight": name + ".weight",
                 "kernel": k, "stride": stride, "dilation": dilation, "groups": groups,
                 "padding": padding, "activation": activation}
        if activation == "leaky_relu":
            layer["alpha"] = 0.2
        if bias:
            weights[name + ".bias"] = torch.rand(cout) - 0.5
            layer["bias"] = name + ".bias"
        return layer

    layers = [
        conv_layer("enc0", "x", "e0", 3, 8, k=7, padding="reflect", activation="leaky_relu"),
        conv_layer("enc1", "e0", "e1", 8, 16, stride=2, activation="relu"),
        conv_layer("dw1", "e1", "d1", 16, 16, groups=16, padding="reflect", activation="none"),
        {"op": "group_norm", "in": "d1", "out": "n1", "groups": 4, "eps": 1e-5,
         "weight": "gn1.weight", "bias": "gn1.bias", "activation": "leaky_relu", "alpha": 0.2},
        conv_layer("enc2", "n1", "e2", 16, 16, k=5, stride=2, padding="reflect",
                   activation="leaky_relu"),
        {"op": "warp", "in": ["prev", "flow"], "out": "pw"},
        {"op": "concat", "in": ["e2", "pw"], "out": "t2"},
        conv_layer("temporal", "t2", "m2", 32, 16, k=3, dilation=2, groups=2,
                   activation="relu"),
        {"op": "group_norm", "in": "m2", "out": "i2", "groups": 16, "eps": 1e-5,
         "activation": "none"},
        {"op": "upsample", "in": "i2", "out": "u1", "mode": "bilinear"},
        {"op": "add", "in": ["u1", "e1"], "out": "s1", "activation": "relu"},
        conv_layer("dec1", "s1", "r1", 16, 8, k=1, activation="none"),
        {"op": "upsample", "in": "r1", "out": "u0", "mode": "nearest"},
        {"op": "concat", "in": ["u0", "e0"], "out": "c0"},
        conv_layer("dec0", "c0", "r0", 16, 3, k=3, padding="reflect", activation="tanh"),
        {"op": "activation", "in": "r0", "out": "s0", "activation": "sigmoid"},
        {"op": "box_filter", "in": "s0", "out": "b0", "radius": 2},
        {"op": "add", "in": ["b0", "s0"], "out": "a0", "activation": "none"},
        {"op": "guided_filter", "in": ["x", "a0"], "out": "y", "radius": 1, "eps": 0.01},
    ]
    weights["gn1.weight"] = torch.rand(16) + 0.5
    weights["gn1.bias"] = torch.rand(16) - 0.5
    graph = {
        "format": "inkloop-network", "version": 1, "name": "layer fixture",
        "inputs": [{"name": "x", "channels": 3, "scale": 1},
                   {"name": "prev", "channels": 16, "scale": 4},
                   {"name": "flow", "channels": 2, "scale": 4}],
        "output": "y",
        "layers": layers,
    }

    # PyTorch's own run of the graph, layer by layer.
    h, w = 24, 40
    x = torch.rand(1, 3, h, w)
    prev = torch.rand(1, 16, h // 4, w // 4) * 2 - 1
    flow = (torch.rand(1, 2, h // 4, w // 4) * 2 - 1) * 3
    values = {"x": x, "prev": prev, "flow": flow}
    for layer in layers:
        op, inp = layer["op"], layer["in"]
        a = layer.get("activation", "none")
        if op == "conv2d":
            t = values[inp]
            pad = layer["dilation"] * (layer["kernel"] - 1) // 2
            if layer["padding"] == "reflect" and pad > 0:
                t = F.pad(t, (pad, pad, pad, pad), mode="reflect")
                pad = 0
            r = F.conv2d(t, weights[layer["weight"]], weights.get(layer.get("bias")),
                         stride=layer["stride"], padding=pad, dilation=layer["dilation"],
                         groups=layer["groups"])
            r = act(a, r)
        elif op == "group_norm":
            r = F.group_norm(values[inp], layer["groups"], weights.get(layer.get("weight")),
                             weights.get(layer.get("bias")), layer["eps"])
            r = act(a, r)
        elif op == "warp":
            r = warp(values[inp[0]], values[inp[1]])
        elif op == "concat":
            r = torch.cat([values[n] for n in inp], dim=1)
        elif op == "upsample":
            r = F.interpolate(values[inp], scale_factor=2, mode=layer["mode"],
                              **({"align_corners": False} if layer["mode"] == "bilinear" else {}))
        elif op == "add":
            r = act(a, values[inp[0]] + values[inp[1]])
        elif op == "activation":
            r = act(a, values[inp])
        elif op == "box_filter":
            r = box(values[inp], layer["radius"])
        elif op == "guided_filter":
            r = guided(values[inp[0]], values[inp[1]], layer["radius"], layer["eps"])
        else:
            raise ValueError(op)
        values[layer["out"]] = r

    save_safetensors(out_dir / "fixture.safetensors", weights,
                     {"inkloop.graph": json.dumps(graph, separators=(",", ":")),
                      "licence": "GPL-3.0-or-later", "source": "training/make_fixture.py"})
    save_safetensors(out_dir / "fixture-io.safetensors",
                     {"x": x[0], "prev": prev[0], "flow": flow[0], "y": values["y"][0]},
                     {"source": "training/make_fixture.py", "torch": torch.__version__})
    print("wrote", out_dir / "fixture.safetensors", "and fixture-io.safetensors;",
          sum(t.numel() for t in weights.values()), "parameters")


def random_conv(weights, layers, name, inp, out, cin, cout, k, stride, activation):
    """A reflect-padded convolution with uniform random weights and bias (bound 1/sqrt(fan-in))
    added to WEIGHTS and LAYERS, for the bench models."""
    bound = 1.0 / (cin * k * k) ** 0.5
    weights[name + ".weight"] = (torch.rand(cout, cin, k, k) * 2 - 1) * bound
    weights[name + ".bias"] = (torch.rand(cout) * 2 - 1) * bound
    layers.append({"op": "conv2d", "in": inp, "out": out, "weight": name + ".weight",
                   "bias": name + ".bias", "kernel": k, "stride": stride,
                   "padding": "reflect", "activation": activation, "alpha": 0.2})


def save_bench(path, weights, graph):
    """A bench model: GRAPH in the metadata, the weights as F16."""
    save_safetensors(path, weights,
                     {"inkloop.graph": json.dumps(graph, separators=(",", ":")),
                      "licence": "GPL-3.0-or-later", "source": "training/make_fixture.py"},
                     dtype=torch.float16)
    print("wrote", str(path) + ";", sum(t.numel() for t in weights.values()), "parameters")


def bench_unet(out_dir):
    """A 0.2 M-parameter U-Net shaped like the learned generator (no normalization, a temporal
    layer at 1/4 size), random F16 weights: what `inkloop-cli bench --generator learned` times
    until a trained model exists."""
    torch.manual_seed(SEED + 1)
    weights, layers = {}, []

    def conv(name, inp, out, cin, cout, k=3, stride=1, activation="leaky_relu"):
        random_conv(weights, layers, name, inp, out, cin, cout, k, stride, activation)

    conv("e0", "x", "e0", 3, 16, k=7)
    conv("e1", "e0", "e1a", 16, 32, stride=2)
    conv("e1b", "e1a", "e1", 32, 32)
    conv("e2", "e1", "e2a", 32, 64, stride=2)
    conv("e2b", "e2a", "e2", 64, 64)
    layers.append({"op": "warp", "in": ["prev", "flow"], "out": "pw"})
    layers.append({"op": "concat", "in": ["e2", "pw"], "out": "t"})
    conv("temporal", "t", "m", 128, 64)
    conv("r", "m", "r", 64, 64)
    layers.append({"op": "upsample", "in": "r", "out": "u1", "mode": "bilinear"})
    conv("d1", "u1", "d1a", 64, 32)
    layers.append({"op": "add", "in": ["d1a", "e1"], "out": "s1"})
    conv("d1b", "s1", "d1", 32, 32)
    layers.append({"op": "upsample", "in": "d1", "out": "u0", "mode": "bilinear"})
    conv("d0", "u0", "d0a", 32, 16)
    layers.append({"op": "add", "in": ["d0a", "e0"], "out": "s0"})
    conv("out", "s0", "y", 16, 3, activation="tanh")
    graph = {
        "format": "inkloop-network", "version": 1, "name": "0.2M U-Net, random weights",
        "inputs": [{"name": "x", "channels": 3, "scale": 1},
                   {"name": "prev", "channels": 64, "scale": 4},
                   {"name": "flow", "channels": 2, "scale": 4}],
        "output": "y", "layers": layers,
    }
    save_bench(out_dir / "unet-bench.safetensors", weights, graph)


def bench_conv(out_dir):
    """Three 3x3 convolutions, the last two 32 to 32 channels at the picture's size, then a 1x1
    to 3: `bench --generator learned --model conv-bench.safetensors --sizes 640` times the
    runtime's 3x3 convolution at 640x427 (layers c1, c2) apart from everything else."""
    torch.manual_seed(SEED + 3)
    weights, layers = {}, []
    for name, inp, cin, cout, k, act in (("c0", "x", 3, 32, 3, "leaky_relu"),
                                         ("c1", "c0", 32, 32, 3, "leaky_relu"),
                                         ("c2", "c1", 32, 32, 3, "leaky_relu"),
                                         ("y", "c2", 32, 3, 1, "tanh")):
        random_conv(weights, layers, name, inp, name, cin, cout, k, 1, act)
    graph = {"format": "inkloop-network", "version": 1,
             "name": "three 3x3 convolutions, random weights",
             "inputs": [{"name": "x", "channels": 3, "scale": 1}], "output": "y",
             "layers": layers}
    save_bench(out_dir / "conv-bench.safetensors", weights, graph)


def tiny_generator(out_dir):
    """The learned generator's own graph (model.Generator) at width 4 with its initial random
    weights (a small change added to the photo): the stylizer's tests run the learned path with
    it, independent of any training run."""
    import export
    from model import Generator
    torch.manual_seed(SEED + 2)
    g = Generator(width=4, blocks=1, name="tiny generator, random weights")
    export.export(g, {"step": 0, "data": "none (random weights)"},
                  out_dir / "generator-tiny.safetensors")


if __name__ == "__main__":
    main()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/network")
    bench_unet(out)
    bench_conv(out)
    tiny_generator(out)
