#!/usr/bin/env bash
# Training memory: one epoch on a generated 4096 x 4096 scene (3,106 training chips of 64 x 64,
# 4 bands, about 270 MB as float) in a JVM with a 256 MB heap; peak RSS from GNU time.
# Usage: bench/train_memory.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/landcover-train-memory}"
mkdir -p "$work"
[ -f "$work/s/scene.tif" ] || ./landcover testdata scene --size 4096 --seed 103 --out "$work/s" > /dev/null
rm -rf "$work/model" "$work/model.ckpt"
LANDCOVER_JAVA_OPTS=-Xmx256m /usr/bin/time -v ./landcover train --image "$work/s/scene.tif" \
  --labels "$work/s/labels.tif" --chip 64 --stride 64 --depth 3 --filters 8 --epochs 1 \
  --out "$work/model" > "$work/train.log" 2> "$work/time.log" || { tail -5 "$work/time.log"; exit 1; }
grep -E "Training|epoch   1" "$work/train.log"
grep -E "Maximum resident|Elapsed" "$work/time.log"
