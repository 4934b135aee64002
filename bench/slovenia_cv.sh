#!/usr/bin/env bash
# Two-fold spatial cross-validation on the real Slovenian Sentinel-2 scene (100 x 101, 13 bands,
# 5 classes): train on the west half, map and assess the east half, and the other way round;
# against a per-pixel baseline without spatial context (nearest class centroid on the 13
# standardized bands, and a multinomial logistic regression on them) on the same folds. Usage: bench/slovenia_cv.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/landcover-slovenia}"
img=../shared/data/scenes/s2-slovenia-13band.tif
lbl=../shared/data/labels/s2-slovenia-lulc.tif
mkdir -p "$work"
gdal_translate -q -srcwin 0 0 50 101 "$img" "$work/west.tif"
gdal_translate -q -srcwin 50 0 50 101 "$img" "$work/east.tif"
gdal_translate -q -srcwin 0 0 50 101 "$lbl" "$work/west_labels.tif"
gdal_translate -q -srcwin 50 0 50 101 "$lbl" "$work/east_labels.tif"
classes="1:cultivated:#f0d25a,2:forest:#1e6e28,3:grassland:#8cc864,4:shrubland:#a08c46,8:artificial:#c82828"
# The UNet is run with each class weighting (auto, the default, first); none is picked.
for weighting in auto sqrt none; do
for fold in "west east" "east west"; do
  set -- $fold
  ./landcover train --image "$work/$1.tif" --labels "$work/$1_labels.tif" --chip 32 --stride 6 \
    --depth 3 --filters 8 --epochs 30 --lr 3e-3 --seed 7 --val-fraction 0.2 --class-list "$classes" \
    --class-weights $weighting --checkpoint "$work/model-$1-$weighting.ckpt" \
    --out "$work/model-$1-$weighting" --overwrite > "$work/train-$1-$weighting.log" 2>&1
  ./landcover predict --model "$work/model-$1-$weighting" --chip 32 --overlap 16 \
    --out "$work/maps-$2-$weighting" --overwrite "$work/$2.tif" > /dev/null 2>&1
  ./landcover assess --prediction "$work/maps-$2-$weighting/$2_landcover.tif" \
    --reference "$work/$2_labels.tif" --out "$work/report-$2-$weighting" > /dev/null
done
done
/usr/bin/python3 - "$work" <<'PY'
import json, sys
import numpy as np
from osgeo import gdal
w = sys.argv[1]
def load(name):
    ds = gdal.Open("%s/%s.tif" % (w, name)); return ds.ReadAsArray().astype(float)
def metrics(ref, pred, ids):
    m = np.array([[np.sum((ref == a) & (pred == b)) for b in ids] for a in ids], float)
    oa = np.trace(m) / m.sum()
    iou = [m[i, i] / (m[i].sum() + m[:, i].sum() - m[i, i]) for i in range(len(ids)) if m[i].sum() + m[:, i].sum() > 0]
    return oa, float(np.mean(iou))
rows = []
for train, test in (("west", "east"), ("east", "west")):
    x, y = load(train), load(train + "_labels"); xt, yt = load(test), load(test + "_labels")
    ids = [1, 2, 3, 4, 8]
    mask = y > 0; mt = yt > 0
    mu, sd = x[:, mask].mean(1), x[:, mask].std(1) + 1e-9
    z = (x - mu[:, None, None]) / sd[:, None, None]; zt = (xt - mu[:, None, None]) / sd[:, None, None]
    cents = {c: z[:, y == c].mean(1) for c in ids if np.any(y == c)}
    keys = list(cents)
    d = np.stack([((zt - cents[c][:, None, None]) ** 2).sum(0) for c in keys])
    pred = np.array(keys)[d.argmin(0)]
    boa, biou = metrics(yt[mt], pred[mt], ids)
    # Multinomial logistic regression (softmax, L2 1e-3, full-batch gradient descent, 2000 steps).
    xs = z[:, mask].T; ys = np.searchsorted(keys, y[mask]); k = len(keys)
    wt = np.zeros((xs.shape[1] + 1, k)); xb = np.hstack([xs, np.ones((len(xs), 1))])
    onehot = np.eye(k)[ys]
    for _ in range(2000):
        p = np.exp(xb @ wt - (xb @ wt).max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
        wt -= 0.5 * (xb.T @ (p - onehot) / len(xb) + 1e-3 * wt)
    xq = np.hstack([zt.reshape(zt.shape[0], -1).T, np.ones((zt.shape[1] * zt.shape[2], 1))])
    lpred = np.array(keys)[(xq @ wt).argmax(1)].reshape(yt.shape)
    loa, liou = metrics(yt[mt], lpred[mt], ids)
    unet = []
    for weighting in ("auto", "sqrt", "none"):
        r = json.load(open("%s/report-%s-%s.json" % (w, test, weighting)))
        unet += [r["overallAccuracy"], r["meanIou"]]
    rows.append((train, test, *unet, boa, biou, loa, liou))
print("| train -> test | UNet auto OA | mIoU | UNet sqrt OA | mIoU | UNet none OA | mIoU"
      " | nearest-centroid OA | mIoU | logistic OA | mIoU |")
print("|---" * 11 + "|")
for t, s, *v in rows:
    print(("| %s -> %s" + " | %.3f" * 10 + " |") % (t, s, *v))
print(("| mean" + " | %.3f" * 10 + " |") % tuple(np.mean([r[i] for r in rows]) for i in range(2, 12)))
PY
