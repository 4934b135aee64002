"""PyTorch side of Landcover's UNet family (see ../shared/UNET.md and docs/models.md).

- The reference definitions of UNET.md (GeoCourse, Ronneberger, ClassicSame), for counting
  parameters and as parity references.
- ConfigurableUNet: the same family with Landcover's options and Landcover's canonical parameter
  names (enc1.conv1.weight, ..., bottleneck.*, up1.weight, upnorm1.*, dec1.*, head.*), which is
  the layout `landcover model import` reads.
- export(): the weights of any model of a supported architecture, mapped in module order onto
  the canonical names (shapes checked one by one), saved as .npz.

Runs with Debian's python3-torch (1.13): /usr/bin/python3 tools/unet_pytorch.py --help
"""
import argparse
import json
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---- reference definitions, as in UNET.md -------------------------------------------------
def dc(i, o, pad=1, bias=True):
    return nn.Sequential(nn.Conv2d(i, o, 3, padding=pad, bias=bias), nn.BatchNorm2d(o), nn.ReLU(True),
                         nn.Conv2d(o, o, 3, padding=pad, bias=bias), nn.BatchNorm2d(o), nn.ReLU(True))


def up_keep(c):  # geo-course up step
    return nn.Sequential(nn.ConvTranspose2d(c, c, 2, 2), nn.BatchNorm2d(c), nn.ReLU(True))


class GeoCourse(nn.Module):
    def __init__(s, e=(16, 32, 64, 128), d=(128, 64, 32, 16), inc=3, b=256, n=10):
        super().__init__(); P = lambda: nn.MaxPool2d(2, 2)
        s.e1 = dc(inc, e[0]); s.e2 = nn.Sequential(P(), dc(e[0], e[1]))
        s.e3 = nn.Sequential(P(), dc(e[1], e[2])); s.e4 = nn.Sequential(P(), dc(e[2], e[3]))
        s.b = nn.Sequential(P(), dc(e[3], b))
        s.u1, s.d1 = up_keep(b), dc(e[3] + b, d[0]); s.u2, s.d2 = up_keep(d[0]), dc(e[2] + d[0], d[1])
        s.u3, s.d3 = up_keep(d[1]), dc(e[1] + d[1], d[2]); s.u4, s.d4 = up_keep(d[2]), dc(e[0] + d[2], d[3])
        s.c = nn.Conv2d(d[3], n, 1)

    def forward(s, x):
        a = s.e1(x); b = s.e2(a); c = s.e3(b); d = s.e4(c); x = s.b(d)
        x = s.d1(torch.cat([s.u1(x), d], 1)); x = s.d2(torch.cat([s.u2(x), c], 1))
        x = s.d3(torch.cat([s.u3(x), b], 1)); x = s.d4(torch.cat([s.u4(x), a], 1))
        return s.c(x)


def center_crop(t, h, w):
    dh = (t.shape[2] - h) // 2
    dw = (t.shape[3] - w) // 2
    return t[:, :, dh:dh + h, dw:dw + w]


class Halving(nn.Module):
    """ronneberger (pad 0, no bias) and classic-same (pad 1, bias): halving transposed up steps."""

    def __init__(s, e=(64, 128, 256, 512), inc=1, b=1024, n=2, pad=0, bias=False):
        super().__init__(); P = lambda: nn.MaxPool2d(2, 2)
        s.e1 = dc(inc, e[0], pad, bias); s.e2 = nn.Sequential(P(), dc(e[0], e[1], pad, bias))
        s.e3 = nn.Sequential(P(), dc(e[1], e[2], pad, bias)); s.e4 = nn.Sequential(P(), dc(e[2], e[3], pad, bias))
        s.b = nn.Sequential(P(), dc(e[3], b, pad, bias))
        s.u1, s.d1 = nn.ConvTranspose2d(b, b // 2, 2, 2), dc(b, b // 2, pad, bias)
        s.u2, s.d2 = nn.ConvTranspose2d(e[3], e[3] // 2, 2, 2), dc(e[3], e[3] // 2, pad, bias)
        s.u3, s.d3 = nn.ConvTranspose2d(e[2], e[2] // 2, 2, 2), dc(e[2], e[2] // 2, pad, bias)
        s.u4, s.d4 = nn.ConvTranspose2d(e[1], e[1] // 2, 2, 2), dc(e[1], e[1] // 2, pad, bias)
        s.c = nn.Conv2d(e[0], n, 1)

    def forward(s, x):
        a = s.e1(x); b = s.e2(a); c = s.e3(b); d = s.e4(c); x = s.b(d)
        for up, dec, skip in ((s.u1, s.d1, d), (s.u2, s.d2, c), (s.u3, s.d3, b), (s.u4, s.d4, a)):
            x = up(x)
            x = dec(torch.cat([center_crop(skip, x.shape[2], x.shape[3]), x], 1))
        return s.c(x)


def Ronneberger(e=(64, 128, 256, 512), inc=1, b=1024, n=2):
    return Halving(e, inc, b, n, pad=0, bias=False)


def ClassicSame(e=(64, 128, 256, 512), inc=3, b=1024, n=1):
    return Halving(e, inc, b, n, pad=1, bias=True)


# ---- Landcover's configurable UNet with canonical names -----------------------------------
def norm_layer(kind, c, groups):
    if kind == "batch":
        return nn.BatchNorm2d(c)
    if kind == "instance":
        return nn.GroupNorm(c, c)
    if kind == "group":
        return nn.GroupNorm(groups, c)
    return nn.Identity()


def act_layer(kind):
    return {"relu": nn.ReLU(), "leaky": nn.LeakyReLU(0.1), "elu": nn.ELU()}[kind]


class DoubleConv(nn.Module):
    def __init__(s, i, o, cfg):
        super().__init__()
        pad = 1 if cfg["padding"] == "same" else 0
        s.conv1 = nn.Conv2d(i, o, 3, padding=pad, bias=cfg["bias"])
        s.norm1 = norm_layer(cfg["normalization"], o, cfg.get("groups", 0))
        s.conv2 = nn.Conv2d(o, o, 3, padding=pad, bias=cfg["bias"])
        s.norm2 = norm_layer(cfg["normalization"], o, cfg.get("groups", 0))
        s.act = act_layer(cfg["activation"])

    def forward(s, x):
        x = s.act(s.norm1(s.conv1(x)))
        return s.act(s.norm2(s.conv2(x)))


class ConfigurableUNet(nn.Module):
    """cfg: bands, classes, encoder, bottleneck, decoder, padding, normalization, groups,
    activation, upStep (transposed|nearest|bilinear), upKeepsChannels, upNormalization, bias."""

    def __init__(s, cfg):
        super().__init__()
        s.cfg = cfg
        enc, dec = cfg["encoder"], cfg["decoder"]
        L = len(enc)
        s.pool = nn.MaxPool2d(2, 2)
        s.act = act_layer(cfg["activation"])
        prev = cfg["bands"]
        for i, c in enumerate(enc):
            setattr(s, "enc%d" % (i + 1), DoubleConv(prev, c, cfg)); prev = c
        s.bottleneck = DoubleConv(prev, cfg["bottleneck"], cfg)
        below = cfg["bottleneck"]
        for i in range(L):
            up = below if cfg["upKeepsChannels"] else dec[i]
            if cfg["upStep"] == "transposed":
                setattr(s, "up%d" % (i + 1), nn.ConvTranspose2d(below, up, 2, 2))
            else:
                setattr(s, "up%d" % (i + 1), nn.Conv2d(below, up, 1))
            if cfg["upNormalization"]:
                setattr(s, "upnorm%d" % (i + 1), norm_layer(cfg["normalization"], up, cfg.get("groups", 0)))
            setattr(s, "dec%d" % (i + 1), DoubleConv(enc[L - 1 - i] + up, dec[i], cfg))
            below = dec[i]
        s.head = nn.Conv2d(below, cfg["classes"], 1)

    def forward(s, x):
        cfg = s.cfg
        L = len(cfg["encoder"])
        skips = []
        for i in range(L):
            if i > 0:
                x = s.pool(x)
            x = getattr(s, "enc%d" % (i + 1))(x)
            skips.append(x)
        x = s.bottleneck(s.pool(x))
        for i in range(L):
            if cfg["upStep"] == "transposed":
                x = getattr(s, "up%d" % (i + 1))(x)
            else:
                mode = "nearest" if cfg["upStep"] == "nearest" else "bilinear"
                kw = {} if mode == "nearest" else {"align_corners": False}
                x = getattr(s, "up%d" % (i + 1))(F.interpolate(x, scale_factor=2, mode=mode, **kw))
            if cfg["upNormalization"]:
                x = s.act(getattr(s, "upnorm%d" % (i + 1))(x))
            skip = center_crop(skips[L - 1 - i], x.shape[2], x.shape[3])
            joined = [skip, x] if cfg.get("skipFirst", True) else [x, skip]
            x = getattr(s, "dec%d" % (i + 1))(torch.cat(joined, 1))
        return s.head(x)


PRESETS = {
    "geo-course": dict(bands=3, classes=10, encoder=[16, 32, 64, 128], bottleneck=256, decoder=[128, 64, 32, 16],
                       padding="same", normalization="batch", groups=0, activation="relu", upStep="transposed",
                       upKeepsChannels=True, upNormalization=True, skipFirst=False, bias=True),
    "ronneberger": dict(bands=1, classes=2, encoder=[64, 128, 256, 512], bottleneck=1024, decoder=[512, 256, 128, 64],
                        padding="valid", normalization="batch", groups=0, activation="relu", upStep="transposed",
                        upKeepsChannels=False, upNormalization=False, skipFirst=True, bias=False),
    "classic-same": dict(bands=3, classes=1, encoder=[64, 128, 256, 512], bottleneck=1024, decoder=[512, 256, 128, 64],
                         padding="same", normalization="batch", groups=0, activation="relu", upStep="transposed",
                         upKeepsChannels=False, upNormalization=False, skipFirst=True, bias=True),
}


def canonical_state(model, cfg):
    """The model's tensors (parameters and batch-norm running statistics) under canonical names,
    matched in module order with a ConfigurableUNet of cfg; shapes must agree one by one."""
    target = ConfigurableUNet(cfg)
    keep = lambda k: not k.endswith("num_batches_tracked")
    src = [(k, v) for k, v in model.state_dict().items() if keep(k)]
    dst = [(k, v) for k, v in target.state_dict().items() if keep(k)]
    if len(src) != len(dst):
        raise SystemExit("the model has %d tensors where this configuration has %d: not a supported"
                         " architecture for this configuration" % (len(src), len(dst)))
    out = {}
    for (sk, sv), (dk, dv) in zip(src, dst):
        if tuple(sv.shape) != tuple(dv.shape):
            raise SystemExit("tensor %s has shape %s where %s needs %s" % (sk, tuple(sv.shape), dk, tuple(dv.shape)))
        out[dk] = sv.detach().cpu().numpy().astype(np.float32)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("count", help="parameter counts of the UNET.md reference definitions")
    e = sub.add_parser("export", help="export a PyTorch UNet's weights to Landcover's .npz layout")
    e.add_argument("--state-dict", required=True, help="a torch.save'd state_dict (or whole model)")
    e.add_argument("--config", required=True, help="a preset name or a JSON file of the configuration")
    e.add_argument("--out", required=True, help="the .npz to write")
    a = p.parse_args()
    if a.cmd == "count":
        for name, m in (("geo-course", GeoCourse()), ("ronneberger", Ronneberger()), ("classic-same", ClassicSame())):
            print(name, sum(t.numel() for t in m.parameters()),
                  sum(t.numel() for t in ConfigurableUNet(PRESETS[name]).parameters()))
        return
    cfg = PRESETS.get(a.config) or json.load(open(a.config))
    obj = torch.load(a.state_dict, map_location="cpu")
    if isinstance(obj, nn.Module):
        model = obj
    else:
        class StateDict:  # a bare state_dict stands in for its model
            def state_dict(self):
                return obj
        model = StateDict()
    np.savez(a.out, **canonical_state(model, cfg))
    print("wrote", a.out)


if __name__ == "__main__":
    sys.exit(main())
