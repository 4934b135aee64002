"""Makes the ONNX fixture of OnnxModelTest with Debian's python3-torch (torch.onnx.export).

Run from the repository root: /usr/bin/python3 networks/src/test/python/make_onnx_fixture.py
Writes networks/src/test/resources/dev/landcover/networks/parity/onnx/: model.onnx (a 3-level
same-padding UNet, 4 bands -> 5 classes, random weights and batch-norm statistics, exported in
inference mode with dynamic batch, height and width) and data.npz (float32 input and PyTorch's
output logits).
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "tools"))
import unet_pytorch as U  # noqa: E402
from make_parity_fixtures import randomize  # noqa: E402

OUT = os.path.join(HERE, "..", "resources", "dev", "landcover", "networks", "parity", "onnx")


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(2)
    cfg = dict(bands=4, classes=5, encoder=[4, 8, 16], bottleneck=32, decoder=[16, 8, 4], padding="same",
               normalization="batch", groups=0, activation="relu", upStep="transposed", upKeepsChannels=False,
               upNormalization=False, skipFirst=True, bias=True)
    m = randomize(U.ConfigurableUNet(cfg), 21)
    x = torch.randn((2, 4, 40, 56), generator=g)
    os.makedirs(OUT, exist_ok=True)
    torch.onnx.export(m, x, os.path.join(OUT, "model.onnx"), input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "n", 2: "h", 3: "w"}, "logits": {0: "n", 2: "h", 3: "w"}},
                      opset_version=13)
    with torch.no_grad():
        y = m(x)
    np.savez(os.path.join(OUT, "data.npz"), input=x.numpy(), output=y.numpy())
    print("onnx", tuple(x.shape), "->", tuple(y.shape))


if __name__ == "__main__":
    main()
