# inkgraph.py: the engine's network format in PyTorch: safetensors writing, the runtime's ops
# (engine/network/network.h) with the same definitions, and a runner for a whole graph, shared by
# make_fixture.py, model.py and export.py.
import json
import struct

import torch
import torch.nn.functional as F


def save_safetensors(path, tensors, metadata, dtype=torch.float32):
    """The safetensors format: 8-byte little-endian header length, JSON header, raw data."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(dtype).numpy().tobytes()
        header[name] = {"dtype": "F16" if dtype == torch.float16 else "F32",
                        "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """The tensors (as float32) and the metadata of a safetensors file written as above."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    dtypes = {"F16": torch.float16, "F32": torch.float32}
    tensors = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=dtypes[info["dtype"]])
        tensors[name] = t.reshape(info["shape"]).float()
    return tensors, metadata


ACTS = {
    "none": lambda x: x,
    "relu": F.relu,
    "leaky_relu": lambda x, a=0.2: F.leaky_relu(x, a),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}


def act(name, x, alpha=0.2):
    return F.leaky_relu(x, alpha) if name == "leaky_relu" else ACTS[name](x)


def box(x, r):
    """The mean over a (2r+1)^2 box of the values inside the picture."""
    return F.avg_pool2d(x, 2 * r + 1, stride=1, padding=r, count_include_pad=False)


def guided(guide, p, r, eps):
    """He et al.'s guided filter, channel by channel (guide of 1 or p's channels)."""
    guide = guide.expand_as(p)
    m_i, m_p = box(guide, r), box(p, r)
    var = box(guide * guide, r) - m_i * m_i
    cov = box(guide * p, r) - m_i * m_p
    a = cov / (var + eps)
    b = m_p - a * m_i
    return box(a, r) * guide + box(b, r)


def warp(x, flow):
    """x read at p + flow(p), bilinear, clamped at the edges."""
    _, _, h, w = x.shape
    ys, xs = torch.meshgrid(torch.arange(h, dtype=x.dtype, device=x.device),
                            torch.arange(w, dtype=x.dtype, device=x.device), indexing="ij")
    gx = (xs + flow[:, 0]) / (w - 1) * 2 - 1
    gy = (ys + flow[:, 1]) / (h - 1) * 2 - 1
    grid = torch.stack([gx, gy], dim=-1)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=True)


def conv2d(layer, x, weight, bias):
    """The runtime's conv2d: 'same' size at stride 1, half at stride 2, zero or reflect padding."""
    pad = layer.get("dilation", 1) * (layer["kernel"] - 1) // 2
    if layer.get("padding", "zero") == "reflect" and pad > 0:
        x = F.pad(x, (pad, pad, pad, pad), mode="reflect")
        pad = 0
    r = F.conv2d(x, weight, bias, stride=layer.get("stride", 1), padding=pad,
                 dilation=layer.get("dilation", 1), groups=layer.get("groups", 1))
    return act(layer.get("activation", "none"), r, layer.get("alpha", 0.2))


def run_layer(layer, values, weights):
    """One layer of a graph over VALUES (name -> tensor); WEIGHTS maps tensor names to tensors."""
    op, inp = layer["op"], layer["in"]
    a, alpha = layer.get("activation", "none"), layer.get("alpha", 0.2)
    if op == "conv2d":
        return conv2d(layer, values[inp], weights[layer["weight"]],
                      weights[layer["bias"]] if "bias" in layer else None)
    if op == "group_norm":
        r = F.group_norm(values[inp], layer["groups"], weights.get(layer.get("weight")),
                         weights.get(layer.get("bias")), layer["eps"])
        return act(a, r, alpha)
    if op == "warp":
        return warp(values[inp[0]], values[inp[1]])
    if op == "concat":
        return torch.cat([values[n] for n in inp], dim=1)
    if op == "upsample":
        return F.interpolate(values[inp], scale_factor=2, mode=layer["mode"],
                             **({"align_corners": False} if layer["mode"] == "bilinear" else {}))
    if op == "add":
        return act(a, values[inp[0]] + values[inp[1]], alpha)
    if op == "activation":
        return act(a, values[inp], alpha)
    if op == "box_filter":
        return box(values[inp], layer["radius"])
    if op == "guided_filter":
        return guided(values[inp[0]], values[inp[1]], layer["radius"], layer["eps"])
    raise ValueError(op)


def run_graph(graph, weights, inputs):
    """Every value of GRAPH run over INPUTS (name -> tensor), as the engine runs it."""
    values = dict(inputs)
    for layer in graph["layers"]:
        values[layer["out"]] = run_layer(layer, values, weights)
    return values
