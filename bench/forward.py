"""PyTorch side of bench/forward.sh: builds geo-course (4 bands, 10 classes) with seeded random
weights, writes its canonical weights (.npz) and a traced TorchScript file for the Java runs, and
times the same forward passes under python3-torch in inference mode.
Usage: /usr/bin/python3 bench/forward.py WORKDIR BATCH ITERATIONS THREADS"""
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import unet_pytorch as U  # noqa: E402

work, batch, iterations, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
cfg = dict(U.PRESETS["geo-course"], bands=4, classes=10)
model = U.ConfigurableUNet(cfg).eval()
np.savez(os.path.join(work, "weights.npz"), **U.canonical_state(model, cfg))
x = torch.randn(batch, 4, 256, 256)
with torch.inference_mode():
    torch.jit.trace(model, x[:1]).save(os.path.join(work, "model.pt"))
    for _ in range(3):
        model(x)
    t0 = time.perf_counter()
    for _ in range(iterations):
        model(x)
    dt = time.perf_counter() - t0
print("model=pytorch-eager iterations=%d seconds=%.3f chips_per_s=%.2f" % (iterations, dt, iterations * batch / dt))
