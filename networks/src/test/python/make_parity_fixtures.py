"""Makes the PyTorch parity fixtures of UNetParityTest and TorchScriptModelTest.

Run from the repository root with Debian's python3-torch:
  /usr/bin/python3 networks/src/test/python/make_parity_fixtures.py
For each case it builds a small model (the UNET.md reference definitions where they exist,
tools/unet_pytorch.py's ConfigurableUNet otherwise) with random weights and non-trivial batch-norm
statistics, puts it in inference mode, and writes under
networks/src/test/resources/dev/landcover/networks/parity/CASE/: weights.npz (canonical names),
data.npz (float32 input and output logits). It also traces one model with torch.jit.trace
(model.pt, with its data.npz) for the TorchScript test.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "tools"))
import unet_pytorch as U  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "dev", "landcover", "core", "model", "parity")
SMALL = dict(encoder=[4, 8, 16, 32], bottleneck=64)


def randomize(model, seed):
    """Random weights (scaled by fan-in), batch-norm scales near 1, non-trivial running statistics."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            noise = torch.randn(t.shape, generator=g)
            if name.endswith("running_var"):
                t.copy_(0.5 + torch.rand(t.shape, generator=g))
            elif name.endswith("running_mean"):
                t.copy_(0.3 * noise)
            elif t.dim() > 1:
                t.copy_(noise * (1.5 / t[0].numel()) ** 0.5)
            elif name.endswith("weight"):
                t.copy_(1.0 + 0.1 * noise)
            else:
                t.copy_(0.1 * noise)
    model.eval()
    return model


def save(case, model, cfg, x):
    d = os.path.join(OUT, case)
    os.makedirs(d, exist_ok=True)
    with torch.no_grad():
        y = model(x)
    np.savez(os.path.join(d, "weights.npz"), **U.canonical_state(model, cfg))
    np.savez(os.path.join(d, "data.npz"), input=x.numpy().astype(np.float32), output=y.numpy().astype(np.float32))
    json.dump(cfg, open(os.path.join(d, "config.json"), "w"), indent=1)
    print(case, tuple(x.shape), "->", tuple(y.shape), "params", sum(p.numel() for p in model.parameters()))
    return y


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    # geo-course: the reference definition at a small width (transposed up step keeping channels)
    cfg = dict(U.PRESETS["geo-course"], encoder=[4, 8, 16, 32], bottleneck=64, decoder=[32, 16, 8, 4], classes=5)
    m = randomize(U.GeoCourse(e=(4, 8, 16, 32), d=(32, 16, 8, 4), inc=3, b=64, n=5), 11)
    x = torch.randn((2, 3, 32, 32), generator=g)
    save("geo-course", m, cfg, x)
    # ronneberger: valid padding, no bias, halving transposed up step, cropped skips
    cfg = dict(U.PRESETS["ronneberger"], encoder=[4, 8, 16, 32], bottleneck=64, decoder=[32, 16, 8, 4])
    m = randomize(U.Ronneberger(e=(4, 8, 16, 32), inc=1, b=64, n=2), 12)
    save("ronneberger", m, cfg, torch.randn((1, 1, 204, 204), generator=g))
    # classic-same
    cfg = dict(U.PRESETS["classic-same"], encoder=[4, 8, 16, 32], bottleneck=64, decoder=[32, 16, 8, 4], classes=3)
    m = randomize(U.ClassicSame(e=(4, 8, 16, 32), inc=3, b=64, n=3), 13)
    save("classic-same", m, cfg, torch.randn((1, 3, 48, 48), generator=g))
    # nearest up step, group norm, leaky ReLU, no bias (Landcover's configurable form)
    cfg = dict(bands=4, classes=6, encoder=[4, 8, 16], bottleneck=32, decoder=[16, 8, 4], padding="same",
               normalization="group", groups=2, activation="leaky", upStep="nearest", upKeepsChannels=False,
               upNormalization=False, skipFirst=True, bias=False)
    m = randomize(U.ConfigurableUNet(cfg), 14)
    save("nearest-group-leaky", m, cfg, torch.randn((2, 4, 24, 40), generator=g))
    # bilinear up step with normalization after it, instance norm, ELU, valid padding
    cfg = dict(bands=2, classes=3, encoder=[4, 8], bottleneck=16, decoder=[8, 4], padding="valid",
               normalization="instance", groups=0, activation="elu", upStep="bilinear", upKeepsChannels=True,
               upNormalization=True, skipFirst=False, bias=True)
    m = randomize(U.ConfigurableUNet(cfg), 15)
    save("bilinear-instance-elu-valid", m, cfg, torch.randn((1, 2, 44, 44), generator=g))
    # TorchScript: a traced geo-course-like model (ConvTranspose2d runs natively in libtorch)
    m = randomize(U.GeoCourse(e=(4, 8, 16, 32), d=(32, 16, 8, 4), inc=4, b=64, n=6), 16)
    x = torch.randn((2, 4, 64, 64), generator=g)
    traced = torch.jit.trace(m, x)
    d = os.path.join(OUT, "torchscript")
    os.makedirs(d, exist_ok=True)
    traced.save(os.path.join(d, "model.pt"))
    with torch.no_grad():
        y = traced(x)
    np.savez(os.path.join(d, "data.npz"), input=x.numpy(), output=y.numpy())
    print("torchscript", tuple(x.shape), "->", tuple(y.shape))


if __name__ == "__main__":
    main()
