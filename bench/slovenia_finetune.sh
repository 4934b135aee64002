#!/usr/bin/env bash
# Dynamic World fine-tuned on the real Slovenian Sentinel-2 scene, in the two folds of
# bench/slovenia_cv.sh (train on the west half, map and assess the east half, and the other way
# round): the built-in dynamic-world bundle with a new 5-class head (landcover train --init),
# the head alone trained for the first epochs, then everything. Settings fixed in advance, not
# tuned on either half. Prints a Markdown table (OA, mean IoU, and per-class IoU) per fold.
# Usage: bench/slovenia_finetune.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/landcover-slovenia-finetune}"
img=../shared/data/scenes/s2-slovenia-13band.tif
lbl=../shared/data/labels/s2-slovenia-lulc.tif
mkdir -p "$work"
gdal_translate -q -srcwin 0 0 50 101 "$img" "$work/west.tif"
gdal_translate -q -srcwin 50 0 50 101 "$img" "$work/east.tif"
gdal_translate -q -srcwin 0 0 50 101 "$lbl" "$work/west_labels.tif"
gdal_translate -q -srcwin 50 0 50 101 "$lbl" "$work/east_labels.tif"
classes="1:cultivated:#f0d25a,2:forest:#1e6e28,3:grassland:#8cc864,4:shrubland:#a08c46,8:artificial:#c82828"
epochs="${EPOCHS:-10}"
freeze="${FREEZE_EPOCHS:-3}"
for fold in "west east" "east west"; do
  set -- $fold
  /usr/bin/time -f "%e s" -o "$work/time-$1.txt" \
  ./landcover train --init dynamic-world --image "$work/$1.tif" --labels "$work/$1_labels.tif" \
    --class-list "$classes" --chip 32 --stride 12 --epochs "$epochs" --freeze-epochs "$freeze" \
    --lr 1e-3 --batch 4 --class-weights auto --seed 7 --val-fraction 0.2 \
    --checkpoint "$work/dw-$1.ckpt" --out "$work/dw-$1" --overwrite > "$work/train-$1.log" 2>&1
  ./landcover predict --model "$work/dw-$1" --out "$work/maps-$2" --overwrite "$work/$2.tif" \
    > /dev/null 2>&1
  ./landcover assess --prediction "$work/maps-$2/$2_landcover.tif" \
    --reference "$work/$2_labels.tif" --out "$work/report-$2" > /dev/null
done
/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
print("| train -> test | fine-tuned Dynamic World OA | mIoU | per-class IoU | training time |")
print("|---|---|---|---|---|")
oas, ious = [], []
for train, test in (("west", "east"), ("east", "west")):
    r = json.load(open("%s/report-%s.json" % (w, test)))
    per = ", ".join("%s %.2f" % (c["name"], c["iou"]) for c in r["classes"] if c.get("iou") is not None)
    t = open("%s/time-%s.txt" % (w, train)).read().strip()
    print("| %s -> %s | %.3f | %.3f | %s | %s |" % (train, test, r["overallAccuracy"], r["meanIou"], per, t))
    oas.append(r["overallAccuracy"]); ious.append(r["meanIou"])
print("| mean | %.3f | %.3f | | |" % (sum(oas) / 2, sum(ious) / 2))
PY
