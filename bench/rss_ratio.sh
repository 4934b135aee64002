#!/usr/bin/env bash
# Peak RSS of `landcover predict` on a 2048 x 2048 and a 4096 x 4096 scene, mapped in column
# blocks (the default --block-width 2048) and across the whole width at once (--block-width 0),
# in interleaved rounds; prints each run, the ratio 4096² / 2048² of each way, and how many
# pixels of the two ways' 4096² class maps differ (GDAL reads both).
# Usage: bench/rss_ratio.sh [ROUNDS (default 2)] [WORKDIR]
# Needs python3-torch (the model), python3-gdal and /usr/bin/time. Prints Markdown on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"; work="${2:-/tmp/landcover-rss}"
mkdir -p "$work"
./landcover --version > /dev/null
for size in 2048 4096; do
  [ -f "$work/scene-$size/scene.tif" ] || ./landcover testdata scene --size "$size" --out "$work/scene-$size" > /dev/null
done
[ -f "$work/model.pt" ] || /usr/bin/python3 bench/forward.py "$work" 8 1 2 > /dev/null
echo "geo-course TorchScript (4 -> 10 classes), chip 256, overlap 64, Hann blending, batch 8,"
echo "launcher settings; $(nproc) cores; $(date -u +'%F %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| round | --block-width | scene | wall s | CPU s | peak RSS MB |"
echo "|---|---|---|---|---|---|"
declare -A peak
for r in $(seq 1 "$rounds"); do
  for size in 2048 4096; do
    for bw in 2048 0; do
      rm -rf "$work/out-$bw-$size"
      /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
        ./landcover predict --model "$work/model.pt" --bands 1,2,3,4 --classes 10 --chip 256 \
        --overlap 64 --blend hann --batch 8 --block-width "$bw" --out "$work/out-$bw-$size" \
        "$work/scene-$size/scene.tif" > /dev/null 2> "$work/err.txt" || { tail -5 "$work/err.txt" >&2; exit 1; }
      read -r e u s m < <(tail -1 "$work/time.txt")
      peak[$r-$bw-$size]=$m
      echo "| $r | $bw | $size² | $e | $(awk "BEGIN { print $u + $s }") | $((m / 1024)) |"
    done
  done
done
echo
echo "| --block-width | ratio 4096² / 2048², per round |"
echo "|---|---|"
for bw in 2048 0; do
  line="| $bw |"
  for r in $(seq 1 "$rounds"); do
    line="$line $(awk "BEGIN { printf \"%.3f\", ${peak[$r-$bw-4096]} / ${peak[$r-$bw-2048]} }")"
  done
  echo "$line |"
done
/usr/bin/python3 - "$work/out-2048-4096/scene_landcover.tif" "$work/out-0-4096/scene_landcover.tif" <<'PY'
import sys
import numpy as np
from osgeo import gdal
a, b = (gdal.Open(p).ReadAsArray() for p in sys.argv[1:3])
print("\n4096² class maps, column blocks against the whole width: %d of %d pixels differ." % (int(np.count_nonzero(a != b)), a.size))
PY
