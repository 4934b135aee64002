#!/usr/bin/env bash
# Memory over a batch: one `landcover predict` process over N scenes; prints the process's
# resident memory and the heap in use (after a GC) recorded after each scene in its JSON summary.
# Usage: bench/predict_memory.sh [N (default 20)] [SIZE (default 1024)] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20}"; size="${2:-1024}"; work="${3:-/tmp/landcover-memory}"
mkdir -p "$work/scenes"
[ -f "$work/model.pt" ] || /usr/bin/python3 bench/forward.py "$work" 8 1 2 > /dev/null
for i in $(seq 1 "$n"); do
  f="$work/scenes/s$(printf %02d "$i").tif"
  if [ ! -f "$f" ]; then
    ./landcover testdata scene --size "$size" --seed "$i" --out "$work/tmp" --overwrite > /dev/null
    mv "$work/tmp/scene.tif" "$f"
  fi
done
rm -rf "$work/out"
./landcover predict --model "$work/model.pt" --bands 1,2,3,4 --classes 10 --out "$work/out" "$work/scenes" > /dev/null 2>&1
echo "| scene | process RSS MB | heap committed MB | RSS - committed heap MB | heap in use MB |"
echo "|---|---|---|---|---|"
for f in "$work"/out/*_landcover.json; do
  /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('| %s | %d | %d | %d | %d |' % (d['scene'].split('/')[-1], d['processRssMb'], d['heapCommittedMb'], d['processRssMb'] - d['heapCommittedMb'], d['heapUsedMb']))" "$f"
done
