#!/usr/bin/env bash
# Sieve memory and time: `landcover sieve --sieve N` on generated class maps, against
# `gdal_sieve.py -4 -st N` on the same files in the same run. Three maps (GDAL/numpy, 5 classes,
# each block of BxB pixels one random class, 0 = nodata on 1% of the blocks):
#   small:          SMALL x SMALL, blocks of 3 (many small patches)
#   large:          SIZE x SIZE, blocks of 3 (the same texture: patches grow with the area)
#   large-coarse:   SIZE x SIZE, blocks scaled by SIZE/SMALL (about as many patches as small)
# and a 64 x 64 map first, for the fixed cost of a run (JVM start, SIS, GDAL's Python).
# For each: wall time, peak RSS (/usr/bin/time -v), the largest heap in use after a GC (from the
# JVM's GC log), patches merged; and gdal_sieve.py's wall time and peak RSS.
# Usage: bench/sieve.sh [SIZE (10980)] [SMALL (2048)] [N (20)] [WORKDIR] [OLD_JAR (optional: the
#        same runs with an earlier build's landcover.jar)]
# LANDCOVER_JAR (default app/target/landcover.jar) names the build to measure.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-10980}"; small="${2:-2048}"; n="${3:-20}"; work="${4:-/tmp/landcover-sieve}"
old_jar="${5:-}"
mkdir -p "$work"
python=/usr/bin/python3
gen() { # gen FILE SIZE BLOCK SEED
  [ -f "$1" ] && return
  "$python" - "$1" "$2" "$3" "$4" <<'EOF'
import sys
import numpy as np
from osgeo import gdal, osr
path, size, block, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)
nb = -(-size // block)
blocks = rng.integers(1, 6, size=(nb, nb), dtype=np.uint8)
blocks[rng.random((nb, nb)) < 0.01] = 0
ds = gdal.GetDriverByName("GTiff").Create(
    path, size, size, 1, gdal.GDT_Byte,
    ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"])
ds.SetGeoTransform([500000, 10, 0, 5200000, 0, -10])
srs = osr.SpatialReference(); srs.ImportFromEPSG(32633)
ds.SetProjection(srs.ExportToWkt())
band = ds.GetRasterBand(1)
band.SetNoDataValue(0)
for y0 in range(0, size, 1024):
    rows = np.arange(y0, min(size, y0 + 1024)) // block
    strip = np.repeat(blocks[rows], block, axis=1)[:, :size]
    band.WriteArray(strip, 0, y0)
ds = None
EOF
}
coarse=$(( 3 * size / small ))
gen "$work/tiny.tif" 64 3 4
gen "$work/small.tif" "$small" 3 1
gen "$work/large.tif" "$size" 3 2
gen "$work/large-coarse.tif" "$size" "$coarse" 3
jar="${LANDCOVER_JAR:-app/target/landcover.jar}"
[ -f "$jar" ] || ./landcover --version > /dev/null

peak_rss() { awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s}' "$1"; }
heap_after_gc() { # the largest "->NM(" in a G1 log: heap in use after a collection
  grep -o -- '->[0-9]*M(' "$1" | tr -dc '0-9\n' | sort -n | tail -1
}
run_landcover() { # run_landcover LABEL JAR MAP
  local label="$1" jar="$2" map="$3" out="$work/$1-$(basename "$3" .tif)-sieved.tif"
  rm -f "$out" "$work/gc.log"
  MALLOC_ARENA_MAX=2 /usr/bin/time -v -o "$work/time.txt" java -Xmx1g -Xlog:gc:file="$work/gc.log" \
    -jar "$jar" sieve "$map" --sieve "$n" --out "$out" > "$work/out.txt" 2> "$work/err.txt" || {
    echo "| $label | $(basename "$map") | failed: $(tail -1 "$work/err.txt") | | | |"; return; }
  echo "| $label | $(basename "$map") | $(wall "$work/time.txt") | $(peak_rss "$work/time.txt") | $(heap_after_gc "$work/gc.log") | $(grep -o '[0-9,]* patches merged' "$work/out.txt") |"
}
run_gdal() { # run_gdal MAP
  local map="$1" out="$work/gdal-$(basename "$1" .tif)-sieved.tif"
  rm -f "$out"
  /usr/bin/time -v -o "$work/time.txt" "$python" "$(command -v gdal_sieve.py)" -q -4 -st "$n" \
    "$map" -of GTiff "$out" > /dev/null
  echo "| gdal_sieve.py | $(basename "$map") | $(wall "$work/time.txt") | $(peak_rss "$work/time.txt") | | |"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run | map | wall s | peak RSS MB | heap after GC, max MB | merged |"
echo "|---|---|---|---|---|---|"
# The fixed cost of a run (JVM, SIS, opening and writing a GeoTIFF) on a 64 x 64 map.
run_landcover landcover "$jar" "$work/tiny.tif"
run_gdal "$work/tiny.tif"
for map in small large-coarse large; do
  run_landcover landcover "$jar" "$work/$map.tif"
  run_gdal "$work/$map.tif"
  if [ -n "$old_jar" ]; then run_landcover before "$old_jar" "$work/$map.tif"; fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" - "$work" <<'EOF'
import sys
import numpy as np
from osgeo import gdal
from scipy import ndimage
work = sys.argv[1]
for name in ("small", "large-coarse", "large"):
    a = gdal.Open(f"{work}/{name}.tif").ReadAsArray()
    patches = sum(ndimage.label(a == c)[1] for c in range(1, 6))
    print(f"{name}: {a.shape[1]} x {a.shape[0]}, {patches:,} patches (4-connected, scipy)")
EOF
