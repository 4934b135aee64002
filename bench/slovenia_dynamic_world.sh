#!/usr/bin/env bash
# Dynamic World zero-shot on the real Slovenian Sentinel-2 scene (100 x 101, 13 bands, L1C):
# `landcover predict --model dynamic-world` on the whole scene, assessed by `landcover assess
# --crosswalk` on the west half (columns 0-49), the east half (50-99) and the whole scene, beside
# the per-pixel baselines of bench/slovenia_cv.sh. Crosswalk (Dynamic World class -> label
# class): 1 trees -> 2 forest, 4 crops -> 1 cultivated land, 2 grass -> 3 grassland, 5
# shrub_and_scrub -> 4 shrubland, 6 built -> 8 artificial surface; 0 water, 3
# flooded_vegetation, 7 bare and 8 snow_and_ice have no counterpart and count as wrong (they
# lower OA and the IoU of the reference class they fall on; they are not classes of the mean
# IoU). Mean IoU is over the label classes present in the reference or the (translated)
# prediction, as in the other tables. Writes WORKDIR/slovenia-reference.png and
# WORKDIR/slovenia-dynamic-world.png (3x, nearest neighbour, the label's palette; Dynamic World
# classes without a counterpart in grey). Usage: bench/slovenia_dynamic_world.sh [WORKDIR]
# LANDCOVER names the command (default ./landcover).
set -euo pipefail
cd "$(dirname "$0")/.."
lc="${LANDCOVER:-./landcover}"
work="${1:-/tmp/landcover-slovenia-dw}"
img=../shared/data/scenes/s2-slovenia-13band.tif
lbl=../shared/data/labels/s2-slovenia-lulc.tif
crosswalk=1=2,4=1,2=3,5=4,6=8
mkdir -p "$work"
"$lc" predict --model dynamic-world --out "$work/dw" --overwrite "$img" > "$work/predict.log" 2>&1
map="$work/dw/s2-slovenia-13band_landcover.tif"
for part in "east 50" "west 0"; do
  set -- $part
  gdal_translate -q -srcwin "$2" 0 50 101 "$map" "$work/map-$1.tif"
  gdal_translate -q -srcwin "$2" 0 50 101 "$lbl" "$work/labels-$1.tif"
done
cp "$map" "$work/map-whole.tif"
cp "$lbl" "$work/labels-whole.tif"
for part in east west whole; do
  "$lc" assess --prediction "$work/map-$part.tif" --reference "$work/labels-$part.tif" \
    --crosswalk "$crosswalk" --out "$work/report-$part" > "$work/assess-$part.txt"
done
/usr/bin/python3 - "$map" "$lbl" "$work" "$crosswalk" <<'PY'
import json
import os
import sys
import numpy as np
from osgeo import gdal
pred = gdal.Open(sys.argv[1]).ReadAsArray()
ref = gdal.Open(sys.argv[2]).ReadAsArray()
work = sys.argv[3]
crosswalk = dict(tuple(int(v) for v in pair.split("=")) for pair in sys.argv[4].split(","))
mapped = np.full(pred.shape, -1)
for a, b in crosswalk.items():
    mapped[pred == a] = b


def png(array, name, palette):
    mem = gdal.GetDriverByName("MEM").Create("", array.shape[1], array.shape[0], 1, gdal.GDT_Byte)
    mem.GetRasterBand(1).WriteArray(array.astype(np.uint8))
    mem.GetRasterBand(1).SetRasterColorTable(palette)
    gdal.Translate(os.path.join(work, name), mem, format="PNG", width=3 * array.shape[1],
                   height=3 * array.shape[0], resampleAlg="nearest")


labels = gdal.Open(sys.argv[2])  # kept open: the colour table belongs to the dataset
palette = labels.GetRasterBand(1).GetRasterColorTable().Clone()
palette.SetColorEntry(9, (128, 128, 128, 255))
png(ref, "slovenia-reference.png", palette)
png(np.where(mapped < 0, 9, mapped), "slovenia-dynamic-world.png", palette)
print("Dynamic World classes on the labelled pixels (whole scene):",
      {int(c): int(n) for c, n in zip(*np.unique(pred[ref > 0], return_counts=True))})
ids = [1, 2, 3, 4, 8]
names = ["cultivated", "forest", "grassland", "shrubland", "artificial"]
print("| assessed on | OA | mean IoU | " + " | ".join(names) + " | unmatched px |")
print("|---" * (4 + len(ids)) + "|")
for part, name in (("east", "east half"), ("west", "west half"), ("whole", "whole scene")):
    r = json.load(open(os.path.join(work, "report-%s.json" % part)))
    iou = {c["id"]: c["iou"] for c in r["classes"]}
    print("| %s | %.3f | %.3f | %s | %d |" % (
        name, r["overallAccuracy"], r["meanIou"],
        " | ".join("-" if iou.get(c) is None else "%.3f" % iou[c] for c in ids),
        sum(r["unmatchedPredictedClasses"].values())))
PY
