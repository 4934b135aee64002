"""The Python reference of bench/predict.sh: what a user would write today with Debian's
python3-rasterio and python3-torch (as Raster Vision does): windowed reads with rasterio, the same
TorchScript model, the same chip, overlap and Hann blending, scores accumulated in whole-scene
numpy arrays, argmax, a Deflate GeoTIFF written with rasterio.
Usage: /usr/bin/python3 bench/predict_reference.py MODEL.pt SCENE.tif OUT.tif CHIP OVERLAP BATCH THREADS
"""
import sys
import time

import numpy as np
import rasterio
import torch
from rasterio.windows import Window

model_path, scene, out, chip, overlap, batch, threads = sys.argv[1:8]
chip, overlap, batch, threads = int(chip), int(overlap), int(batch), int(threads)
torch.set_num_threads(threads)
model = torch.jit.load(model_path).eval()
t0 = time.perf_counter()
with rasterio.open(scene) as src:
    W, H = src.width, src.height
    stride = chip - overlap

    def starts(n):
        s = list(range(0, max(n - chip, 0), stride)) + [max(n - chip, 0)]
        return sorted(set(s))

    # Hann window with untapered scene edges, as Landcover's
    def profile(i, n_chips, first, last):
        d = np.arange(chip) + 0.5
        w = np.sin(np.pi * np.minimum(d, chip - d) / chip) ** 2
        w[np.minimum(d, chip - d) >= chip / 2] = 1
        if first:
            w[: chip // 2] = 1
        if last:
            w[chip // 2:] = 1
        return w

    xs, ys = starts(W), starts(H)
    scores = None
    weights = np.zeros((H, W), np.float32)
    jobs = [(x, y) for y in ys for x in xs]
    for k in range(0, len(jobs), batch):
        part = jobs[k:k + batch]
        arrs = []
        for x, y in part:
            a = src.read(window=Window(x, y, chip, chip), boundless=True, fill_value=0).astype(np.float32)
            arrs.append(a)
        with torch.inference_mode():
            logits = model(torch.from_numpy(np.stack(arrs))).numpy()
        if scores is None:
            scores = np.zeros((logits.shape[1], H, W), np.float32)
        for (x, y), l in zip(part, logits):
            wy = profile(y, len(ys), y == ys[0], y == ys[-1])
            wx = profile(x, len(xs), x == xs[0], x == xs[-1])
            w = np.outer(wy, wx).astype(np.float32)
            h, ww = min(chip, H - y), min(chip, W - x)
            scores[:, y:y + h, x:x + ww] += l[:, :h, :ww] * w[:h, :ww]
            weights[y:y + h, x:x + ww] += w[:h, :ww]
    classes = (scores / weights).argmax(0).astype(np.uint8)
    profile_out = dict(src.profile, count=1, dtype="uint8", compress="deflate", tiled=True,
                       blockxsize=256, blockysize=256, nodata=255)
    with rasterio.open(out, "w", **profile_out) as dst:
        dst.write(classes, 1)
print("reference seconds=%.2f pixels_per_s=%.0f chips=%d" % (time.perf_counter() - t0, W * H / (time.perf_counter() - t0), len(jobs)))
