"""Per-pixel baselines for bench/zion_cv.sh, and the table of every method.

Usage: zion_baselines.py WORKDIR [--fit] [--png CLASSES.json]. With --fit, for each fold (train
north -> test south, and the other way round) fits on the training half a nearest class centroid
and a multinomial logistic regression (softmax, L2 1e-3, 2000 full-batch gradient steps as in
bench/slovenia_cv.sh, on 100,000 of the labelled pixels drawn at random) on the 4 bands
standardized with the training half's mean and standard deviation, and writes their maps
(WORKDIR/centroid-<test>.tif, logistic-<test>.tif, on the test half's grid). Then prints OA, mean
IoU (4 decimals: the methods can be that close) and per-class IoU of them and of every UNet map
found at WORKDIR/maps-<name>-<test>/<test>_landcover.tif. Mean IoU is over the classes present
in the reference or the prediction, as `landcover assess` takes it. With --png, writes half-size
quicklooks (nearest neighbour, the classes' colours) of the reference, the default UNet's map and
the logistic regression's map of each test half to WORKDIR/png.
"""
import json
import os
import sys

import numpy as np
from osgeo import gdal

work = sys.argv[1]
IDS = [1, 2, 3, 4, 5, 6, 7, 8]
NAMES = ["water", "developed", "barren", "forest", "shrubland", "herbaceous", "cultivated", "wetlands"]


def load(name):
    return gdal.Open(os.path.join(work, name + ".tif")).ReadAsArray().astype(np.float64)


def metrics(ref, pred):
    m = np.array([[np.sum((ref == a) & (pred == b)) for b in IDS] for a in IDS], float)
    oa = np.trace(m) / m.sum()
    iou = []
    for i in range(len(IDS)):
        den = m[i].sum() + m[:, i].sum() - m[i, i]
        iou.append(m[i, i] / den if den > 0 else float("nan"))
    return oa, float(np.nanmean(iou)), iou


def write_like(template, name, array):
    src = gdal.Open(os.path.join(work, template + ".tif"))
    drv = gdal.GetDriverByName("GTiff")
    out = drv.Create(os.path.join(work, name + ".tif"), src.RasterXSize, src.RasterYSize, 1, gdal.GDT_Byte,
                     ["COMPRESS=DEFLATE"])
    out.SetGeoTransform(src.GetGeoTransform())
    out.SetProjection(src.GetProjection())
    out.GetRasterBand(1).WriteArray(array.astype(np.uint8))
    out = None


def baselines(train, test):
    x, y = load(train), load(train + "_labels")
    xt = load(test)
    mask = (y >= 1) & (y <= 8)
    mu, sd = x[:, mask].mean(1), x[:, mask].std(1) + 1e-9
    z = (x - mu[:, None, None]) / sd[:, None, None]
    zt = (xt - mu[:, None, None]) / sd[:, None, None]
    keys = [c for c in IDS if np.any(y == c)]
    cents = {c: z[:, y == c].mean(1) for c in keys}
    d = np.stack([((zt - cents[c][:, None, None]) ** 2).sum(0) for c in keys])
    centroid = np.array(keys)[d.argmin(0)]
    # The regression is fitted on 100,000 labelled pixels drawn at random (seed 0): 2000 steps over
    # all 570,000 take an hour of a shared 2-core machine, for 40 coefficients.
    sample = np.random.default_rng(0).choice(int(mask.sum()), size=min(100000, int(mask.sum())), replace=False)
    xs = z[:, mask].T[sample].astype(np.float32)
    ys = np.searchsorted(keys, y[mask][sample]).astype(int)
    k = len(keys)
    wt = np.zeros((xs.shape[1] + 1, k), np.float32)
    xb = np.hstack([xs, np.ones((len(xs), 1), np.float32)])
    onehot = np.eye(k, dtype=np.float32)[ys]
    for _ in range(2000):
        s = xb @ wt
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        wt -= 0.5 * (xb.T @ (p - onehot) / len(xb) + 1e-3 * wt)
    xq = np.hstack([zt.reshape(zt.shape[0], -1).T, np.ones((zt.shape[1] * zt.shape[2], 1))])
    logistic = np.array(keys)[(xq @ wt).argmax(1)].reshape(zt.shape[1:])
    return centroid, logistic


folds = (("north", "south"), ("south", "north"))
if "--fit" in sys.argv:
    for train, test in folds:
        centroid, logistic = baselines(train, test)
        write_like(test, "centroid-" + test, centroid)
        write_like(test, "logistic-" + test, logistic)

rows = []
for train, test in folds:
    yt = load(test + "_labels")
    mt = (yt >= 1) & (yt <= 8)
    maps = {"nearest centroid": "centroid-" + test, "logistic regression": "logistic-" + test}
    for label in sorted(os.listdir(work)):
        if label.startswith("maps-") and label.endswith("-" + test):
            maps["UNet " + label[5:-len(test) - 1]] = label + "/" + test + "_landcover"
    for method, name in maps.items():
        if not os.path.exists(os.path.join(work, name + ".tif")):
            continue
        oa, miou, iou = metrics(yt[mt], load(name)[mt])
        rows.append((train + " -> " + test, method, oa, miou, iou))
print("| train -> test | method | OA | mean IoU | " + " | ".join(NAMES) + " |")
print("|---" * (4 + len(NAMES)) + "|")
for fold, method, oa, miou, iou in rows:
    print("| %s | %s | %.4f | %.4f | %s |" % (fold, method, oa, miou, " | ".join(
        "-" if np.isnan(v) else "%.3f" % v for v in iou)))


def quicklook(src_name, png_name, colours):
    a = load(src_name).astype(np.uint8)
    mem = gdal.GetDriverByName("MEM").Create("", a.shape[1], a.shape[0], 1, gdal.GDT_Byte)
    mem.GetRasterBand(1).WriteArray(a)
    table = gdal.ColorTable()
    for i in range(256):
        table.SetColorEntry(i, colours.get(i, (0, 0, 0, 255)))
    mem.GetRasterBand(1).SetRasterColorTable(table)
    gdal.Translate(os.path.join(work, "png", png_name + ".png"), mem, format="PNG",
                   width=a.shape[1] // 2, height=a.shape[0] // 2, resampleAlg="nearest")


if "--png" in sys.argv:
    classes = json.load(open(sys.argv[sys.argv.index("--png") + 1]))
    colours = {c["id"]: tuple(int(c["color"][i:i + 2], 16) for i in (1, 3, 5)) + (255,) for c in classes}
    os.makedirs(os.path.join(work, "png"), exist_ok=True)
    for train, test in folds:
        quicklook(test + "_labels", "zion-%s-reference" % test, colours)
        quicklook("logistic-" + test, "zion-%s-logistic" % test, colours)
        unet = "maps-default-%s/%s_landcover" % (test, test)
        if os.path.exists(os.path.join(work, unet + ".tif")):
            quicklook(unet, "zion-%s-unet" % test, colours)
