# model.py: the learned generator (a U-Net without normalization working from 1/2 size down, with
# a temporal layer at 1/4 size) written as an engine graph (engine/network/network.h) whose
# PyTorch run is the engine's run layer for layer, and the spectral-norm PatchGAN discriminator it trains against.
import copy

import torch
import torch.nn as nn

import inkgraph

# The value the engine keeps from one frame for the next: the encoder's features at 1/4 size,
# before the temporal layer (so the memory is two frames long, never a recurrence that drifts).
FEATURES = "e2"
SCALE = 4


class Generator(nn.Module):
    """x (N x 3 x H x W, RGB 0..1; H and W multiples of 8), prev (N x C x H/4 x W/4: the previous
    frame's FEATURES, or zeros for a still) and flow (N x 2 x H/4 x W/4, in 1/4-size pixels: the
    previous frame's features are read at p + flow(p)) -> (the stylized picture, RGB 0..1 before
    the engine's clamp; this frame's FEATURES for the next frame).

    Nothing is convolved at full size: the network works from 1/2 size down, where a 640 px frame
    costs about 3.3 GFLOP (width 16), and its change to the photo is brought back to full size by
    the guided filter, which puts the edges back where the photo's are (He's fast guided filter
    does the same with its coefficients). Layers (widths w, 2w, 4w; w = 16: 0.22 M parameters):
      e0   conv 3x3 /2 3->w, conv w->w          1/2
      e2   conv 3x3 /2 w->2w, conv 2w->2w       1/4      = FEATURES
      temporal: warp(prev, flow), concat with e2, conv 1x1 4w->2w
                (a convolution over time with kernel 2: this frame and the last, aligned)
      e3   conv 3x3 /2 2w->4w                   1/8
      BLOCKS residual blocks at 1/8 (conv, conv, add)
      decoder: conv 4w->2w at 1/8, bilinear x2, add the temporal layer's output, conv 2w->2w;
               conv 2w->w at 1/4, bilinear x2, add e0, conv w->w
      out  conv 3x3 w->3 at 1/2, tanh: the change; bilinear x2, added to x
      a guided filter (r 1, eps 0.005) with the photo as guide, as in White-box Cartoonization.
    Every convolution pads by reflection and none is normalized, so the picture can run in
    tiles. The graph is self.graph; weights are self.weights (a ParameterDict keyed by the
    tensor names the exported file uses)."""

    def __init__(self, width=16, blocks=2, name="inkloop generator"):
        super().__init__()
        self.width = width
        self.weights = nn.ParameterDict()
        layers = []

        def conv(lname, inp, out, cin, cout, k=3, stride=1, activation="leaky_relu"):
            w = torch.empty(cout, cin, k, k)
            nn.init.kaiming_uniform_(w, a=0.2 if activation == "leaky_relu" else 1.0)
            self.weights[lname + "_weight"] = nn.Parameter(w)
            self.weights[lname + "_bias"] = nn.Parameter(torch.zeros(cout))
            layer = {"op": "conv2d", "in": inp, "out": out, "weight": lname + ".weight",
                     "bias": lname + ".bias", "kernel": k, "stride": stride, "dilation": 1,
                     "groups": 1, "padding": "reflect", "activation": activation}
            if activation == "leaky_relu":
                layer["alpha"] = 0.2
            layers.append(layer)

        def up(inp, out):
            layers.append({"op": "upsample", "in": inp, "out": out, "mode": "bilinear"})

        def add(a, b, out):
            layers.append({"op": "add", "in": [a, b], "out": out, "activation": "none"})

        w1, w2, w4 = width, 2 * width, 4 * width
        conv("e0a", "x", "e0a", 3, w1, stride=2)
        conv("e0", "e0a", "e0", w1, w1)
        conv("e2a", "e0", "e2a", w1, w2, stride=2)
        conv("e2", "e2a", FEATURES, w2, w2)
        layers.append({"op": "warp", "in": ["prev", "flow"], "out": "prev_warped"})
        layers.append({"op": "concat", "in": [FEATURES, "prev_warped"], "out": "t"})
        conv("temporal", "t", "tm", 2 * w2, w2, k=1)
        conv("e3", "tm", "m0", w2, w4, stride=2)
        cur = "m0"
        for b in range(blocks):
            conv(f"r{b}a", cur, f"r{b}a", w4, w4)
            conv(f"r{b}b", f"r{b}a", f"r{b}b", w4, w4, activation="none")
            add(f"r{b}b", cur, f"m{b + 1}")
            cur = f"m{b + 1}"
        conv("d2a", cur, "d2a", w4, w2)
        up("d2a", "u2")
        add("u2", "tm", "s2")
        conv("d2", "s2", "d2", w2, w2)
        conv("d1a", "d2", "d1a", w2, w1)
        up("d1a", "u1")
        add("u1", "e0", "s1")
        conv("d1", "s1", "d1", w1, w1)
        conv("out", "d1", "delta_half", w1, 3, activation="tanh")
        with torch.no_grad():  # start near the photo: a small change
            self.weights["out_weight"].mul_(0.1)
        up("delta_half", "delta")
        add("x", "delta", "raw")
        layers.append({"op": "guided_filter", "in": ["x", "raw"], "out": "y", "radius": 1,
                       "eps": 0.005})
        self.graph = {
            "format": "inkloop-network", "version": 1, "name": name,
            "inputs": [{"name": "x", "channels": 3, "scale": 1},
                       {"name": "prev", "channels": w2, "scale": SCALE},
                       {"name": "flow", "channels": 2, "scale": SCALE}],
            "output": "y",
            "layers": layers,
        }

    @property
    def feature_channels(self):
        return 2 * self.width

    def tensors(self):
        """The weights under the names the graph uses ("e0.weight"; a ParameterDict cannot hold
        dots)."""
        return {k.replace("_weight", ".weight").replace("_bias", ".bias"): v
                for k, v in self.weights.items()}

    def forward(self, x, prev=None, flow=None):
        n, _, h, w = x.shape
        if prev is None:
            prev = x.new_zeros(n, self.feature_channels, h // SCALE, w // SCALE)
        if flow is None:
            flow = x.new_zeros(n, 2, h // SCALE, w // SCALE)
        values = inkgraph.run_graph(self.graph, self.tensors(),
                                    {"x": x, "prev": prev, "flow": flow})
        return values["y"], values[FEATURES]

    def export_graph(self):
        return copy.deepcopy(self.graph)


class PatchDiscriminator(nn.Module):
    """A PatchGAN (Isola et al. 2017) with spectral normalization on every convolution (Miyato et
    al. 2018) and no other normalization: IN_CH x H x W -> 1 x H/8 x W/8 scores, each from a
    patch of about 46 px."""

    def __init__(self, in_ch=3, width=32):
        super().__init__()
        sn = nn.utils.spectral_norm
        self.net = nn.Sequential(
            sn(nn.Conv2d(in_ch, width, 3, 1, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(width, width * 2, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(width * 2, width * 4, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(width * 4, width * 4, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(width * 4, width * 4, 3, 1, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(width * 4, 1, 3, 1, 1)),
        )

    def forward(self, x):
        return self.net(x)


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


if __name__ == "__main__":
    g = Generator()
    x = torch.rand(1, 3, 64, 96)
    y, f = g(x)
    print("generator:", count_parameters(g), "parameters; output", tuple(y.shape),
          "features", tuple(f.shape))
    print("discriminator:", count_parameters(PatchDiscriminator()), "parameters")
