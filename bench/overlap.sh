#!/usr/bin/env bash
# The overlap derived from the receptive field against the previous default (a quarter of the
# chip's output) on the README's demo scene, same run, interleaved (docs/benchmarks.md).
# Usage: bench/overlap.sh [ROUNDS (default 2)] [WORKDIR]
# The previous default geometry for this scene and the 2 GiB budget was chip 1448, overlap 362
# (1448 / 4), batch 1 (docs/benchmarks.md, "Whole run on a Sentinel-2-sized scene"); it is given
# explicitly. Needs python3-gdal.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
work="${2:-/tmp/landcover-overlap}"
mkdir -p "$work"
./landcover --version > /dev/null
[ -f "$work/sample/scene.tif" ] || ./landcover testdata scene --size 2048 --seed 102 --out "$work/sample" --overwrite > /dev/null
run() {  # name, options...: "seconds chips geometry"
  local name="$1"; shift
  rm -rf "$work/$name"
  ./landcover predict --model testdata/demo-model --out "$work/$name" "$@" "$work/sample/scene.tif" \
    > "$work/$name.out" 2> "$work/$name.err"
  local seconds chips geometry
  seconds=$(/usr/bin/python3 -c "import json;print(json.load(open('$work/$name/scene_landcover.json'))['seconds'])")
  chips=$(tr '\r' '\n' < "$work/$name.err" | sed -n 's/.*chips: [0-9]*\/\([0-9]*\).*/\1/p' | tail -1)
  geometry=$(cat "$work/$name.out" "$work/$name.err" | grep -o 'chip [0-9]* px, overlap [0-9]*, batch [0-9]*' | head -1)
  echo "$seconds|$chips|$geometry"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$work/results.txt"
for r in $(seq 1 "$rounds"); do
  echo "derived|$(run derived)" | tee -a "$work/results.txt"
  echo "previous|$(run previous --chip 1448 --overlap 362 --batch 1)" | tee -a "$work/results.txt"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$work" <<'PY'
import re, sys
import numpy as np
from osgeo import gdal
work = sys.argv[1]
rows = [l.strip().split("|") for l in open(work + "/results.txt") if l.strip()]
def fed(row):
    chip = int(re.search(r"chip (\d+) px", row[3]).group(1))
    return int(row[2]) * chip * chip
d = [r for r in rows if r[0] == "derived"]
p = [r for r in rows if r[0] == "previous"]
print("derived:  %s, %s chips, %.1f Mpx fed" % (d[0][3], d[0][2], fed(d[0]) / 1e6))
print("previous: %s, %s chips, %.1f Mpx fed" % (p[0][3], p[0][2], fed(p[0]) / 1e6))
print("pixels fed, previous / derived: %.3f" % (fed(p[0]) / fed(d[0])))
for i, (x, y) in enumerate(zip(d, p)):
    print("round %d: derived %.2f s, previous %.2f s, previous / derived %.3f"
          % (i + 1, float(x[1]), float(y[1]), float(y[1]) / float(x[1])))
a = gdal.Open(work + "/derived/scene_landcover.tif").ReadAsArray()
b = gdal.Open(work + "/previous/scene_landcover.tif").ReadAsArray()
print("pixels with the same class in both maps: %.5f" % np.mean(a == b))
PY
