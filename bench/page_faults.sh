#!/usr/bin/env bash
# Page faults of `landcover predict` with and without huge pages for libtorch's tensors
# (GLIBC_TUNABLES=glibc.malloc.hugetlb=0 or 1; the launcher sets 1 unless told otherwise), in
# interleaved rounds on the same scene; checks that both maps are byte-identical.
# Usage: bench/page_faults.sh [SIZE (default 4096)] [ROUNDS (default 2)] [WORKDIR]
# Needs python3-torch (the model) and /usr/bin/time. Prints a Markdown table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-4096}"; rounds="${2:-2}"; work="${3:-/tmp/landcover-faults}"
mkdir -p "$work"
./landcover --version > /dev/null
[ -f "$work/scene-$size/scene.tif" ] || ./landcover testdata scene --size "$size" --out "$work/scene-$size" > /dev/null
[ -f "$work/model.pt" ] || /usr/bin/python3 bench/forward.py "$work" 8 1 2 > /dev/null
echo "Scene $size x $size x 4 uint16, geo-course TorchScript (4 -> 10 classes), chip 256, overlap 64,"
echo "Hann blending, batch 8; THP mode: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown); $(date -u +'%F %H:%M') UTC."
echo
echo "| run | glibc.malloc.hugetlb | wall s | user s | system s | peak RSS MB | minor page faults |"
echo "|---|---|---|---|---|---|---|"
for r in $(seq 1 "$rounds"); do
  for h in 0 1; do
    rm -rf "$work/out-$h"
    GLIBC_TUNABLES="glibc.malloc.hugetlb=$h" /usr/bin/time -f "%e %U %S %M %R" -o "$work/time.txt" \
      ./landcover predict --model "$work/model.pt" --bands 1,2,3,4 --classes 10 --chip 256 \
      --overlap 64 --blend hann --batch 8 --out "$work/out-$h" "$work/scene-$size/scene.tif" \
      > /dev/null 2> "$work/err.txt" || { tail -5 "$work/err.txt" >&2; exit 1; }
    read -r e u s m f < <(tail -1 "$work/time.txt")
    echo "| $r | $h | $e | $u | $s | $((m / 1024)) | $f |"
  done
  cmp "$work/out-0/scene_landcover.tif" "$work/out-1/scene_landcover.tif" > /dev/null \
    || { echo "round $r: the maps differ" >&2; exit 1; }
done
echo
echo "Maps byte-identical in every round (cmp)."
