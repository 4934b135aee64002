#!/usr/bin/env bash
# Forward throughput of geo-course (4 bands, 10 classes, 256 x 256, batch 8, inference mode, 2
# threads) for the DJL UNet, the same model traced to TorchScript under DJL, and python3-torch on
# the same weights, in one run; batch-norm folding against the model as trained, interleaved, with
# GFLOP/s against the CPU's nominal peak (docs/benchmarks.md). Usage: bench/forward.sh [ITERATIONS] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-20}"
work="${2:-/tmp/landcover-forward}"
mkdir -p "$work"
./landcover --version > /dev/null
/usr/bin/python3 bench/forward.py "$work" 8 "$iterations" 2 | tee "$work/python.txt"
run() {  # label, java options, extra bench options
  local label="$1" opts="$2"; shift 2
  echo "== $label"
  LANDCOVER_JAVA_OPTS="$opts" ./landcover bench forward --batch 8 --iterations "$iterations" "$@"
}
run "DJL UNet (defaults: graph optimizer on, 2 threads)" "" --weights "$work/weights.npz"
run "DJL UNet, graph optimizer off" "-Dai.djl.pytorch.graph_optimizer=false" --weights "$work/weights.npz"
run "DJL TorchScript (traced)" "" --torchscript "$work/model.pt"
run "DJL TorchScript, graph optimizer off" "-Dai.djl.pytorch.graph_optimizer=false" --torchscript "$work/model.pt"
run "Batch-norm folding: as trained (the reference) vs folded, interleaved" "" \
  --weights "$work/weights.npz" --variant as-trained,folded,as-trained,folded
echo "== Dynamic World (built-in bundle, 9 bands, batch 4): as imported vs folded, interleaved"
./landcover bench forward --model dynamic-world --batch 4 --iterations "$iterations" \
  --variant as-trained,folded,as-trained,folded
echo "== Memory: DJL UNet, 1000 forward passes of one chip (RSS every 100)"
./landcover bench forward --batch 1 --warmup 20 --iterations 1000 --rss-every 100 --weights "$work/weights.npz"
