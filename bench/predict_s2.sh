#!/usr/bin/env bash
# Whole-run timing of `landcover predict` on a Sentinel-2-sized scene (docs/benchmarks.md):
# generates a 10980 x 10980 x 4 uint16 scene (and a 2048 x 2048 one, the reference for memory),
# maps both with the bundled demo model at the default geometry and output (a Cloud-Optimized
# GeoTIFF class map with overviews, its style and summary), and reports wall time, Mpx/s and peak
# RSS (/usr/bin/time -v) of each run, and GDAL's `gdal_translate -of COG` of the 10980 map (mode
# overviews) as the reference for the write step. Load averages are printed with the figures.
# Usage: bench/predict_s2.sh [SIZE (default 10980)] [SMALL (default 2048)] [WORKDIR]
# Needs gdal-bin and /usr/bin/time. Prints a Markdown report on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-10980}"
small="${2:-2048}"
work="${3:-/tmp/landcover-s2}"
mkdir -p "$work"
./landcover --version > /dev/null
for s in "$size" "$small"; do
  [ -f "$work/scene-$s/scene.tif" ] || ./landcover testdata scene --size "$s" --out "$work/scene-$s" > /dev/null
done
measure() {  # "wall_s peak_rss_kb" of a command (/usr/bin/time -v); its output in $work/last.*
  /usr/bin/time -v -o "$work/time.txt" "$@" > "$work/last.out" 2> "$work/last.err" || {
    tail -5 "$work/last.err" >&2; exit 1; }
  /usr/bin/python3 - "$work/time.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
w = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
wall = int(w.group(1) or 0) * 3600 + int(w.group(2)) * 60 + float(w.group(3))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print("%.2f %d" % (wall, rss))
PY
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%FT%TZ), $(nproc) cores)"
rows=()
for s in "$small" "$size"; do
  rm -rf "$work/maps-$s"
  cat "$work/scene-$s/scene.tif" > /dev/null
  read -r wall rss < <(measure ./landcover predict --model testdata/demo-model --out "$work/maps-$s" "$work/scene-$s/scene.tif")
  mpx=$(/usr/bin/python3 -c "print('%.3f' % ($s * $s / 1e6))")
  rate=$(/usr/bin/python3 -c "print('%.3f' % ($s * $s / 1e6 / $wall))")
  rows+=("| \`predict\` $s x $s ($mpx Mpx) | $wall | $rate | $((rss / 1024)) |")
  eval "wall_$s=$wall; rss_$s=$rss"
done
map="$work/maps-$size/scene_landcover.tif"
rm -f "$work/gdal-cog.tif"
read -r gwall grss < <(measure gdal_translate -q -of COG -co COMPRESS=DEFLATE -co OVERVIEW_RESAMPLING=MODE "$map" "$work/gdal-cog.tif")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%FT%TZ))"
echo
echo "| run | wall s | Mpx/s | peak RSS MB |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo "| \`gdal_translate -of COG\` of the $size map (Deflate, mode overviews) | $gwall | $(/usr/bin/python3 -c "print('%.3f' % ($size * $size / 1e6 / $gwall))") | $((grss / 1024)) |"
echo
eval "big_rss=\$rss_$size; small_rss=\$rss_$small; big_wall=\$wall_$size"
/usr/bin/python3 -c "print('peak RSS %s / %s: %.2f for %.1fx the pixels; GDAL COG write / whole predict run: %.3f' % ('$size', '$small', $big_rss / $small_rss, ($size / $small) ** 2, $gwall / $big_wall))"
