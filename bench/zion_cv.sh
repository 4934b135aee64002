#!/usr/bin/env bash
# Two-fold spatial cross-validation on the real Landsat 8 scene of Zion National Park (1128 x
# 1428, bands 2-5 as raw DN) with NLCD 2011 labels (8 classes): train on the north half (rows
# 0-713), map and assess the south half (rows 714-1427), and the other way round. The UNet is
# `landcover train` with no option but the data, the classes and the output (the defaults), and
# `landcover predict` with no option but the model; the per-pixel baselines (nearest class
# centroid and multinomial logistic regression on the 4 standardized bands, numpy) are fitted
# on the same training half (bench/zion_baselines.py). Prints OA, mean IoU and per-class IoU of
# every method and fold, the training times, and writes quicklooks (reference, UNet, logistic
# regression per test half) to WORKDIR/png. Usage: bench/zion_cv.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/landcover-zion}"
img=../shared/data/scenes/landsat8-zion-4band.tif
lbl=../shared/data/labels/nlcd2011-zion-8class.tif
classes=../shared/data/labels/nlcd2011-zion-8class.classes.json
mkdir -p "$work/png"
gdal_translate -q -srcwin 0 0 1128 714 "$img" "$work/north.tif"
gdal_translate -q -srcwin 0 714 1128 714 "$img" "$work/south.tif"
gdal_translate -q -srcwin 0 0 1128 714 "$lbl" "$work/north_labels.tif"
gdal_translate -q -srcwin 0 714 1128 714 "$lbl" "$work/south_labels.tif"
for fold in "north south" "south north"; do
  set -- $fold
  start=$(date +%s)
  ./landcover train --image "$work/$1.tif" --labels "$work/$1_labels.tif" --classes "$classes" \
    --out "$work/model-$1" --overwrite > "$work/train-$1.log" 2>&1
  echo "train on $1: $(($(date +%s) - start)) s; $(grep 'Best epoch' "$work/train-$1.log")"
  ./landcover predict --model "$work/model-$1" --out "$work/maps-default-$2" --overwrite \
    "$work/$2.tif" > "$work/predict-$2.log" 2>&1
done
/usr/bin/python3 bench/zion_baselines.py "$work" --fit --png "$classes"
