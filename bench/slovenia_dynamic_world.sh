#!/usr/bin/env bash
# Dynamic World zero-shot on the real Slovenian Sentinel-2 scene (100 x 101, 13 bands, L1C):
# `landcover predict --model dynamic-world` on the whole scene, its 9 classes translated to the
# label's 5 by a crosswalk, assessed on the west half (columns 0-49), the east half (50-99) and
# the whole scene, beside the per-pixel baselines of bench/slovenia_cv.sh. Crosswalk (Dynamic
# World class -> label class): trees -> 2 forest, crops -> 1 cultivated land, grass -> 3
# grassland, shrub_and_scrub -> 4 shrubland, built -> 8 artificial surface; water,
# flooded_vegetation, bare and snow_and_ice have no counterpart and count as wrong (they lower OA
# and the IoU of the reference class they fall on; they are not classes of the mean IoU). Mean
# IoU is over the label classes present in the reference or the (translated) prediction, as in
# the other tables. Writes WORKDIR/slovenia-reference.png and WORKDIR/slovenia-dynamic-world.png
# (3x, nearest neighbour, the label's palette; Dynamic World classes without a counterpart in
# grey). Usage: bench/slovenia_dynamic_world.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/landcover-slovenia-dw}"
img=../shared/data/scenes/s2-slovenia-13band.tif
lbl=../shared/data/labels/s2-slovenia-lulc.tif
mkdir -p "$work"
./landcover predict --model dynamic-world --out "$work/dw" --overwrite "$img" > "$work/predict.log" 2>&1
/usr/bin/python3 - "$work/dw/s2-slovenia-13band_landcover.tif" "$lbl" "$work" <<'PY'
import os
import sys
import numpy as np
from osgeo import gdal
pred = gdal.Open(sys.argv[1]).ReadAsArray()
ref = gdal.Open(sys.argv[2]).ReadAsArray()
assert pred.shape == ref.shape, (pred.shape, ref.shape)
# Dynamic World ids: 0 water, 1 trees, 2 grass, 3 flooded_vegetation, 4 crops, 5 shrub_and_scrub,
# 6 built, 7 bare, 8 snow_and_ice. -1: no counterpart, always wrong.
crosswalk = {1: 2, 4: 1, 2: 3, 5: 4, 6: 8}
mapped = np.full(pred.shape, -1)
for a, b in crosswalk.items():
    mapped[pred == a] = b
ids = [1, 2, 3, 4, 8]


def png(array, name, palette):
    mem = gdal.GetDriverByName("MEM").Create("", array.shape[1], array.shape[0], 1, gdal.GDT_Byte)
    mem.GetRasterBand(1).WriteArray(array.astype(np.uint8))
    mem.GetRasterBand(1).SetRasterColorTable(palette)
    gdal.Translate(os.path.join(sys.argv[3], name), mem, format="PNG", width=3 * array.shape[1],
                   height=3 * array.shape[0], resampleAlg="nearest")


labels = gdal.Open(sys.argv[2])  # kept open: the colour table belongs to the dataset
palette = labels.GetRasterBand(1).GetRasterColorTable().Clone()
palette.SetColorEntry(9, (128, 128, 128, 255))
png(ref, "slovenia-reference.png", palette)
png(np.where(mapped < 0, 9, mapped), "slovenia-dynamic-world.png", palette)
names = ["cultivated", "forest", "grassland", "shrubland", "artificial"]
print("Dynamic World classes on the labelled pixels (whole scene):",
      {int(c): int(n) for c, n in zip(*np.unique(pred[ref > 0], return_counts=True))})
print("| assessed on | OA | mean IoU | " + " | ".join(names) + " |")
print("|---" * (3 + len(ids)) + "|")
for name, cols in (("east half", np.s_[:, 50:]), ("west half", np.s_[:, :50]), ("whole scene", np.s_[:, :])):
    r, p = ref[cols], mapped[cols]
    valid = r > 0
    r, p = r[valid], p[valid]
    ious = []
    for c in ids:
        union = np.sum((r == c) | (p == c))
        ious.append(np.sum((r == c) & (p == c)) / union if union else float("nan"))
    print("| %s | %.3f | %.3f | %s |" % (name, np.mean(r == p), np.nanmean(ious),
                                        " | ".join("-" if np.isnan(v) else "%.3f" % v for v in ious)))
PY
