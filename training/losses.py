# losses.py: the generator's four losses (content, style, adversarial, temporal) and their
# ingredients: a fixed random-weight VGG-shaped network, OKLab, the guided-filter surface, XDoG
# lines, Gram matrices on greyscale, DiffAugment. Sources in training/README.md.
import torch
import torch.nn as nn
import torch.nn.functional as F

import inkgraph

# ---------------------------------------------------------------------------------------------
# Colour


def srgb_to_linear(x):
    x = x.clamp(0, 1)
    return torch.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055).clamp(min=1e-6) ** 2.4)


_M1 = torch.tensor([[0.4122214708, 0.5363325363, 0.0514459929],
                    [0.2119034982, 0.6806995451, 0.1073969566],
                    [0.0883024619, 0.2817188376, 0.6299787005]])
_M2 = torch.tensor([[0.2104542553, 0.7936177850, -0.0040720468],
                    [1.9779984951, -2.4285922050, 0.4505937099],
                    [0.0259040371, 0.7827717662, -0.8086757660]])


def oklab(x):
    """sRGB 0..1 (N x 3 x H x W) -> OKLab (Ottosson 2020): L 0..1, a and b about -0.4..0.4."""
    lin = srgb_to_linear(x)
    lms = torch.einsum("ij,njhw->nihw", _M1.to(x), lin).clamp(min=0)
    lms = (lms + 1e-6) ** (1 / 3)
    return torch.einsum("ij,njhw->nihw", _M2.to(x), lms)


def grey(x):
    """Luma (BT.601 weights), N x 1 x H x W."""
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


# ---------------------------------------------------------------------------------------------
# Hand-made representations


def surface(x, r=5, eps=0.05):
    """White-box Cartoonization's surface: the picture filtered by itself with a guided filter
    (r 5; eps 0.2 on -1..1 pictures is 0.05 on 0..1): flat regions, edges kept."""
    return inkgraph.guided(x, x, r, eps)


def _gauss(x, sigma):
    r = max(1, int(3 * sigma + 0.5))
    t = torch.arange(-r, r + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-t * t / (2 * sigma * sigma))
    k = k / k.sum()
    c = x.shape[1]
    x = F.pad(x, (r, r, 0, 0), mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    x = F.pad(x, (0, 0, r, r), mode="reflect")
    return F.conv2d(x, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def xdog(x, sigma=1.4, k=1.6, tau=0.956, eps=3.5, phi=0.386):
    """XDoG (Winnemöller et al. 2012) on OKLab L in 0..100, the demo's defaults: D = G_s - tau
    G_ks, 1 where D >= eps, else 1 + tanh(phi (D - eps)). 1 is paper, towards 0 is ink.
    Differentiable, so it can judge the generator's output as well as the photo."""
    lum = oklab(x)[:, 0:1] * 100
    d = _gauss(lum, sigma) - tau * _gauss(lum, k * sigma)
    return torch.where(d >= eps, torch.ones_like(d), 1 + torch.tanh(phi * (d - eps)))


# ---------------------------------------------------------------------------------------------
# A fixed random-weight VGG-shaped network (Liu et al., CVPR 2021: random weights work as a
# perceptual loss; no pretrained weights exist here)


class RandomVGG(nn.Module):
    """VGG's shape (3x3 convolutions and ReLUs in blocks, max pooling between), narrower (32 to 128
    channels), weights drawn once from a fixed seed (Kaiming normal) and never trained. Returns
    the last ReLU of blocks 2, 3 and 4 (1/2, 1/4, 1/8 size)."""

    CFG = [[32, 32], [64, 64], [128, 128, 128], [128, 128, 128]]

    def __init__(self, in_ch=3, seed=20261201):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.blocks = nn.ModuleList()
        c = in_ch
        for i, widths in enumerate(self.CFG):
            layers = [nn.MaxPool2d(2)] if i > 0 else []
            for w in widths:
                conv = nn.Conv2d(c, w, 3, padding=1, padding_mode="reflect")
                with torch.no_grad():
                    conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen)
                                      * (2.0 / (c * 9)) ** 0.5)
                    conv.bias.zero_()
                layers += [conv, nn.ReLU()]
                c = w
            self.blocks.append(nn.Sequential(*layers))
        for p in self.parameters():
            p.requires_grad_(False)
        self.in_ch = in_ch

    def forward(self, x):
        x = (x - 0.45) / 0.25
        out = []
        for i, b in enumerate(self.blocks):
            x = b(x)
            if i >= 1:
                out.append(x)
        return out


def gram(f):
    n, c, h, w = f.shape
    f = f.reshape(n, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


# ---------------------------------------------------------------------------------------------
# DiffAugment (Zhao et al., NeurIPS 2020): the same differentiable augmentations on real and fake
# pictures, for the discriminator and for the generator's adversarial term.


def diff_augment(x, gen=None):
    n = x.shape[0]
    dev = x.device

    def r(*shape):
        return torch.rand(*shape, generator=gen).to(dev)

    # colour: brightness, saturation, contrast
    x = x + (r(n, 1, 1, 1) - 0.5)
    m = x.mean(dim=1, keepdim=True)
    x = (x - m) * (r(n, 1, 1, 1) * 2) + m
    m = x.mean(dim=[1, 2, 3], keepdim=True)
    x = (x - m) * (r(n, 1, 1, 1) + 0.5) + m
    # translation by up to 1/8 of the size, zeros shifted in
    _, _, h, w = x.shape
    sh, sw = h // 8, w // 8
    ty = (r(n) * (2 * sh + 1)).long() - sh
    tx = (r(n) * (2 * sw + 1)).long() - sw
    ys = (torch.arange(h, device=dev)[None, :] - ty[:, None])
    xs = (torch.arange(w, device=dev)[None, :] - tx[:, None])
    inside = ((ys >= 0) & (ys < h))[:, :, None] & ((xs >= 0) & (xs < w))[:, None, :]
    ys, xs = ys.clamp(0, h - 1), xs.clamp(0, w - 1)
    idx = torch.arange(n, device=dev)[:, None, None]
    x = x.permute(0, 2, 3, 1)[idx, ys[:, :, None], xs[:, None, :]].permute(0, 3, 1, 2)
    x = x * inside[:, None].float()
    # cutout: a square of half the size set to zero
    ch, cw = h // 2, w // 2
    cy = (r(n) * (h + 1 - ch)).long()
    cx = (r(n) * (w + 1 - cw)).long()
    yy = torch.arange(h, device=dev)[None, :]
    xx = torch.arange(w, device=dev)[None, :]
    cut = ((yy >= cy[:, None]) & (yy < cy[:, None] + ch))[:, :, None] & \
          ((xx >= cx[:, None]) & (xx < cx[:, None] + cw))[:, None, :]
    return x * (~cut)[:, None].float()


# ---------------------------------------------------------------------------------------------
# The adversarial term: LSGAN (Mao et al. 2017) against two discriminators, as White-box
# Cartoonization splits them: one on the surface (colour), one on the texture (greyscale).


def to_surface_view(x):
    return surface(x)


def to_texture_view(x, gen=None):
    """White-box Cartoonization's random colour shift: greyscale with jittered channel weights,
    so the texture discriminator cannot judge by colour."""
    n = x.shape[0]
    w = torch.tensor([0.299, 0.587, 0.114]) + 0.1 * (torch.rand(n, 3, generator=gen) * 2 - 1)
    w = (w / w.sum(dim=1, keepdim=True)).to(x)
    return (x * w[:, :, None, None]).sum(dim=1, keepdim=True)


def edge_smoothed(art, r=2):
    """CartoonGAN's edge-promoting fake: the art with its outlines blurred, so that the texture
    discriminator learns that clean outlines are what makes art art."""
    e = 1 - xdog(art)
    mask = F.max_pool2d((e > 0.3).float(), 2 * r + 1, stride=1, padding=r)
    return mask * _gauss(art, 1.5) + (1 - mask) * art


def lsgan_d(d_real, d_fakes):
    loss = ((d_real - 1) ** 2).mean()
    for f in d_fakes:
        loss = loss + (f ** 2).mean() / len(d_fakes)
    return loss


def lsgan_g(d_fake):
    return ((d_fake - 1) ** 2).mean()


# ---------------------------------------------------------------------------------------------
# The losses


class Losses(nn.Module):
    """Weights start from White-box Cartoonization's balance (content 200 : surface 0.1 : texture
    1 : TV 1e4 on -1..1 pictures) and AnimeGAN's (content 1.5 : style 2.5 : colour 10), rescaled
    for this network's feature sizes; the temporal weight follows the founding design."""

    WEIGHTS = {"content": 1.0, "surface": 1.0, "lines": 1.0, "style": 1.0, "colour": 5.0,
               "tv": 0.1, "adv_surface": 0.1, "adv_texture": 0.1, "temporal": 5.0}

    def __init__(self, w=None, style_ema=0.0):
        """W: weights that replace WEIGHTS' defaults. STYLE_EMA: 0, the style target is the Gram
        of each step's art batch; above 0 (0.99, say), a running mean of those over the steps,
        which follows the whole art set rather than four crops (saved with state())."""
        super().__init__()
        self.vgg = RandomVGG()
        self.w = dict(self.WEIGHTS)
        if w:
            unknown = set(w) - set(self.w)
            if unknown:
                raise ValueError(f"unknown loss weights: {', '.join(sorted(unknown))}")
            self.w.update(w)
        self.style_ema = style_ema
        self.art_gram = None

    def state(self):
        return {"w": dict(self.w), "style_ema": self.style_ema,
                "art_gram": None if self.art_gram is None else [g.cpu() for g in self.art_gram]}

    def load_state(self, state, device):
        if state.get("art_gram") is not None and self.style_ema > 0:
            self.art_gram = [g.to(device) for g in state["art_gram"]]

    def content(self, y, x):
        """L1 on the random VGG's features, the guided-filter surfaces in OKLab, the XDoG lines."""
        fy, fx = self.vgg(y), self.vgg(x)
        perceptual = sum(F.l1_loss(a, b) / (b.abs().mean() + 1e-6) for a, b in zip(fy[1:], fx[1:]))
        surf = F.l1_loss(oklab(surface(y)), oklab(surface(x)))
        lines = F.l1_loss(xdog(y), xdog(x))
        return {"content": perceptual, "surface": surf, "lines": lines}

    def style(self, y, x, art):
        """Gram matrices of greyscale features against the art's (AnimeGAN), colour kept against
        the photo in OKLab at 1/4 size (AnimeGAN's YUV colour loss), total variation."""
        gy = [gram(f) for f in self.vgg(grey(y).expand(-1, 3, -1, -1))]
        with torch.no_grad():
            ga = [gram(f).mean(dim=0, keepdim=True)
                  for f in self.vgg(grey(art).expand(-1, 3, -1, -1))]
            if self.style_ema > 0:
                m = self.style_ema
                self.art_gram = ga if self.art_gram is None else [
                    m * a + (1 - m) * b for a, b in zip(self.art_gram, ga)]
                ga = self.art_gram
        style = sum(F.l1_loss(a, b.expand_as(a)) / (b.abs().mean() + 1e-6) for a, b in zip(gy, ga))
        ly, lx = oklab(F.avg_pool2d(y, 4)), oklab(F.avg_pool2d(x, 4))
        colour = F.l1_loss(ly[:, 0], lx[:, 0]) + F.smooth_l1_loss(ly[:, 1:] * 10, lx[:, 1:] * 10) / 10
        tv = (y[:, :, 1:] - y[:, :, :-1]).abs().mean() + (y[:, :, :, 1:] - y[:, :, :, :-1]).abs().mean()
        return {"style": style, "colour": colour, "tv": tv}

    def temporal(self, y1, y2, x1, x2, f, mask):
        """The frame-difference loss: || (y2 - W y1) - (x2 - W x1) || over pixels whose source is
        inside frame 1, W the warp by the known field F."""
        dy = y2 - inkgraph.warp(y1, f)
        dx = x2 - inkgraph.warp(x1, f)
        return {"temporal": ((dy - dx).abs() * mask).sum() / (mask.sum() * 3 + 1e-6)}

    def adversarial_g(self, y, d_surface, d_texture, gen=None):
        return {"adv_surface": lsgan_g(d_surface(diff_augment(to_surface_view(y), gen))),
                "adv_texture": lsgan_g(d_texture(diff_augment(to_texture_view(y, gen), gen)))}

    def discriminators(self, y, art, d_surface, d_texture, gen=None):
        """LSGAN losses of both discriminators: art real; the generator's output fake, and for the
        texture discriminator also the art with blurred outlines."""
        y = y.detach()
        aug = lambda t: diff_augment(t, gen)  # noqa: E731
        ls = lsgan_d(d_surface(aug(to_surface_view(art))), [d_surface(aug(to_surface_view(y)))])
        lt = lsgan_d(d_texture(aug(to_texture_view(art, gen))),
                     [d_texture(aug(to_texture_view(y, gen))),
                      d_texture(aug(to_texture_view(edge_smoothed(art), gen)))])
        return {"d_surface": ls, "d_texture": lt}

    def total(self, parts):
        return sum(self.w[k] * v for k, v in parts.items() if k in self.w)

