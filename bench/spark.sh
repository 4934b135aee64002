#!/usr/bin/env bash
# Eight scenes mapped four ways (docs/benchmarks.md, "Beyond one JVM"): one CLI process, two CLI
# processes with --shard 0/2 and 1/2 at once, Spark local[1] and Spark local[2]. Prints wall time,
# peak RSS per process (Spark in local mode: driver and executor are one JVM) and checks that every
# run wrote the same maps, byte for byte. Usage: bench/spark.sh [TILE (default 512)] [WORKDIR]
# Needs gdal_translate and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
tile="${1:-512}"
work="${2:-/tmp/landcover-spark-bench}"
model=testdata/demo-model
mkdir -p "$work/scenes"
./landcover --version > /dev/null
if [ ! -f "$work/scenes/tile_08.tif" ]; then
  ./landcover testdata scene --size $((4 * tile)) --height $((2 * tile)) --seed 7 --out "$work/big" > /dev/null
  n=1
  for row in 0 1; do
    for col in 0 1 2 3; do
      gdal_translate -q -srcwin $((col * tile)) $((row * tile)) "$tile" "$tile" \
        "$work/big/scene.tif" "$work/scenes/tile_0$n.tif"
      n=$((n + 1))
    done
  done
fi
timed() {  # NAME COMMAND...: runs it, writes "wall rss_kb" to $work/NAME.time
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || {
    tail -5 "$work/$name.err" >&2; exit 1; }
}
now() { date +%s.%N; }
rm -rf "$work"/out-*
t0=$(now); timed cli ./landcover predict --model "$model" --out "$work/out-cli" "$work/scenes"; t1=$(now)
cli_wall=$(echo "$t1 - $t0" | bc)
t0=$(now)
timed shard0 ./landcover predict --model "$model" --shard 0/2 --out "$work/out-shards" "$work/scenes" &
p0=$!
timed shard1 ./landcover predict --model "$model" --shard 1/2 --out "$work/out-shards" "$work/scenes" &
p1=$!
wait "$p0" "$p1"
t1=$(now)
shards_wall=$(echo "$t1 - $t0" | bc)
for m in 1 2; do
  t0=$(now)
  timed "spark$m" ./landcover spark predict --master "local[$m]" --model "$model" --out "$work/out-spark$m" "$work/scenes"
  t1=$(now)
  eval "spark${m}_wall=$(echo "$t1 - $t0" | bc)"
done
for d in out-shards out-spark1 out-spark2; do
  for f in "$work"/out-cli/*_landcover.tif; do
    cmp -s "$f" "$work/$d/$(basename "$f")" || { echo "$d/$(basename "$f") differs" >&2; exit 1; }
  done
done
rss() { awk '{printf "%.0f", $2 / 1024}' "$work/$1.time"; }
n0=$(grep -c '^  done' "$work/shard0.out" || true)
n1=$(grep -c '^  done' "$work/shard1.out" || true)
printf "cores=%s load1=%s tile=%d scenes=8\n" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" "$tile"
printf "%-22s %8s %14s\n" run wall_s peak_rss_mb
printf "%-22s %8.1f %14s\n" "cli (1 process)" "$cli_wall" "$(rss cli)"
printf "%-22s %8.1f %14s\n" "cli --shard x2 ($n0+$n1)" "$shards_wall" "$(rss shard0), $(rss shard1)"
printf "%-22s %8.1f %14s\n" "spark local[1]" "$spark1_wall" "$(rss spark1)"
printf "%-22s %8.1f %14s\n" "spark local[2]" "$spark2_wall" "$(rss spark2)"
echo "all maps byte-for-byte equal to the single CLI run's"
