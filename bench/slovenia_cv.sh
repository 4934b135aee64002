#!/usr/bin/env bash
# Two-fold spatial cross-validation on the real Slovenian Sentinel-2 scene (100 x 101, 13 bands,
# 5 classes): train on the west half, map and assess the east half, and the other way round;
# against a per-pixel baseline without spatial context (nearest class centroid on the 13
# standardized bands) on the same folds. Usage: bench/slovenia_cv.sh [WORKDIR]
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
for fold in "west east" "east west"; do
  set -- $fold
  ./landcover train --image "$work/$1.tif" --labels "$work/$1_labels.tif" --chip 32 --stride 6 \
    --depth 3 --filters 8 --epochs 30 --lr 3e-3 --seed 7 --val-fraction 0.2 --class-list "$classes" \
    --out "$work/model-$1" --overwrite > "$work/train-$1.log" 2>&1
  ./landcover predict --model "$work/model-$1" --chip 32 --overlap 16 --out "$work/maps-$2" --overwrite "$work/$2.tif" > /dev/null 2>&1
  ./landcover assess --prediction "$work/maps-$2/$2_landcover.tif" --reference "$work/$2_labels.tif" --out "$work/report-$2" > /dev/null
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
    r = json.load(open("%s/report-%s.json" % (w, test)))
    rows.append((train, test, r["overallAccuracy"], r["meanIou"], boa, biou))
print("| train -> test | UNet OA | UNet mIoU | nearest-centroid OA | nearest-centroid mIoU |")
print("|---|---|---|---|---|")
for t, s, oa, miou, boa, biou in rows:
    print("| %s -> %s | %.3f | %.3f | %.3f | %.3f |" % (t, s, oa, miou, boa, biou))
print("| mean | %.3f | %.3f | %.3f | %.3f |" % tuple(np.mean([r[i] for r in rows]) for i in range(2, 6)))
PY
