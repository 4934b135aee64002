#!/usr/bin/env bash
# Regenerates the bundled demo model (testdata/demo-model): a small UNet trained by
# `landcover train` on a generated 1024 x 1024 scene (seed 101). Deterministic on CPU.
# Usage: testdata/make-demo-model.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/landcover-demo}"
./landcover testdata scene --size 1024 --seed 101 --out "$work/train" --overwrite
classes="1:fields:#f0d25a,2:forest:#1e6e28,3:grassland:#8cc864,4:water:#285ad2,5:built-up:#c82828,6:roads:#5a5a5a"
./landcover train --image "$work/train/scene.tif" --labels "$work/train/labels.tif" \
  --chip 64 --stride 32 --depth 3 --filters 8 --epochs 12 --batch 8 --lr 3e-3 --seed 7 --class-weights auto \
  --class-list "$classes" --checkpoint "$work/demo-model.ckpt" --out testdata/demo-model --overwrite
