#!/usr/bin/env bash
# End-to-end scene prediction against the model alone and against a Python reference
# (docs/benchmarks.md). Usage: bench/predict.sh [SIZE (default 4096)] [WORKDIR]
# Needs python3-torch, python3-rasterio, python3-gdal and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-4096}"
work="${2:-/tmp/landcover-predict}"
half=$((size / 2))
mkdir -p "$work"
./landcover --version > /dev/null
for s in "$size" "$half"; do
  [ -f "$work/scene-$s/scene.tif" ] || ./landcover testdata scene --size "$s" --out "$work/scene-$s" > /dev/null
done
/usr/bin/python3 bench/forward.py "$work" 8 1 2 > /dev/null  # model.pt + weights.npz, geo-course 4 -> 10
measure() {  # "wall rss_kb" of a command; its stdout in $work/last.out
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/last.out" 2> "$work/last.err" || {
    tail -5 "$work/last.err" >&2; exit 1; }
  tail -1 "$work/time.txt"
}
opts=(--chip 256 --overlap 64 --blend hann --batch 8)
read -r mo_wall mo_rss < <(measure ./landcover bench forward --torchscript "$work/model.pt" --batch 8 --warmup 2 --iterations 12)
mo_cps=$(sed -n 's/.*chips_per_s=\([0-9.]*\).*/\1/p' "$work/last.out")
rm -rf "$work/lc" "$work/lc-half"
read -r lc_wall lc_rss < <(measure ./landcover predict --model "$work/model.pt" --bands 1,2,3,4 --classes 10 "${opts[@]}" --out "$work/lc" "$work/scene-$size/scene.tif")
read -r lh_wall lh_rss < <(measure ./landcover predict --model "$work/model.pt" --bands 1,2,3,4 --classes 10 "${opts[@]}" --out "$work/lc-half" "$work/scene-$half/scene.tif")
lc_sec=$(/usr/bin/python3 -c "import json;print(json.load(open('$work/lc/scene_landcover.json'))['seconds'])")
read -r py_wall py_rss < <(measure /usr/bin/python3 bench/predict_reference.py "$work/model.pt" "$work/scene-$size/scene.tif" "$work/reference.tif" 256 64 8 2)
chips=$(sed -n 's/.*chips=\([0-9]*\).*/\1/p' "$work/last.out")
agree=$(/usr/bin/python3 - "$work/lc/scene_landcover.tif" "$work/reference.tif" "$work/scene-$size/scene.tif" <<'PY'
import sys
import numpy as np
from osgeo import gdal
a = gdal.Open(sys.argv[1]).ReadAsArray(); b = gdal.Open(sys.argv[2]).ReadAsArray()
scene = gdal.Open(sys.argv[3])  # keep the dataset alive while its band is read
valid = scene.GetRasterBand(1).ReadAsArray() != 0
print("%.4f" % np.mean(a[valid] == b[valid]))  # both hold channel indices 0..9
PY
)
px=$((size * size))
py() { /usr/bin/python3 -c "print($1)"; }
cat <<MD
Scene ${size} x ${size} x 4 uint16 (and ${half} x ${half} for scaling); geo-course TorchScript (4 -> 10 classes),
chip 256, overlap 64, Hann blending, batch 8, 2 threads, CPU; $(date -u +%F).

| measure | value |
|---|---|
| chips in the scene | $chips |
| model alone (same chips, batch 8): chips/s | $mo_cps |
| model alone: pixels/s over the scene | $(py "round($px / ($chips / $mo_cps))") |
| Landcover end to end (scene in, map out, timed inside): s / pixels/s | $lc_sec / $(py "round($px / $lc_sec)") |
| end to end / model alone | $(py "round(($chips / $mo_cps) / $lc_sec, 3)") |
| Landcover process: wall s, peak RSS MB | $lc_wall, $((lc_rss / 1024)) |
| Landcover on ${half}^2 (4x fewer pixels): wall s, peak RSS MB | $lh_wall, $((lh_rss / 1024)) |
| peak RSS ratio ${size}^2 / ${half}^2 | $(py "round($lc_rss / $lh_rss, 2)") |
| Python reference (rasterio + torch 1.13, whole-scene numpy scores): wall s, peak RSS MB | $py_wall, $((py_rss / 1024)) |
| speed-up of Landcover (process wall time) | $(py "round($py_wall / $lc_wall, 2)")x |
| pixels with the same class in both maps | $agree |
MD
