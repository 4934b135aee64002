#!/usr/bin/env bash
# Benchmark of window reads and chipping against GDAL on a generated scene (docs/benchmarks.md).
# Usage: bench/chips.sh [SIZE (default 10980)] [WORKDIR (default /tmp/landcover-bench)]
# Needs gdal-bin, python3-gdal and /usr/bin/time. Prints a Markdown report on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-10980}"
work="${2:-/tmp/landcover-bench}"
scene="$work/scene-$size"
mkdir -p "$work"
if [ ! -f "$scene/scene.tif" ]; then
  ./landcover testdata scene --size "$size" --out "$scene" >&2
fi
img="$scene/scene.tif"

# 200 windows of 512 x 512 at seeded random places, the same for both readers.
/usr/bin/python3 - "$size" > "$work/windows.txt" <<'PY'
import random, sys
n = int(sys.argv[1]); s = min(512, n); r = random.Random(1)
for _ in range(200):
    print(r.randrange(0, n - s + 1), r.randrange(0, n - s + 1), s, s)
PY
cat "$img" > /dev/null  # both readers start from the page cache

measure() {  # prints "wall_seconds peak_rss_kb" of the command, its stdout to $work/last.out
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/last.out" 2> "$work/last.err" || {
    cat "$work/last.err" >&2; exit 1; }
  cat "$work/time.txt" | tail -1
}

read -r jr_wall jr_rss < <(measure ./landcover bench read --image "$img" --windows "$work/windows.txt")
jr_mbps=$(sed -n 's/.*MBps=\([0-9.]*\).*/\1/p' "$work/last.out")
jr_cpu=$(sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p' "$work/last.out")
gdal_read() {  # GDAL's window reads, timed after gdal.Open, with the process CPU time of the reads
  measure /usr/bin/python3 - "$img" "$work/windows.txt" <<'PY'
import sys, time
from osgeo import gdal
gdal.UseExceptions()
ds = gdal.Open(sys.argv[1])
wins = [tuple(map(int, l.split())) for l in open(sys.argv[2]) if l.strip()]
t0 = time.perf_counter(); c0 = time.process_time(); total = 0
for x, y, w, h in wins:
    a = ds.ReadAsArray(x, y, w, h)
    total += a.nbytes
dt = time.perf_counter() - t0
print("MBps=%.1f seconds=%.3f cpu_seconds=%.3f" % (total / 1e6 / dt, dt, time.process_time() - c0))
PY
}
read -r gr_wall gr_rss < <(gdal_read)
gr_mbps=$(sed -n 's/.*MBps=\([0-9.]*\).*/\1/p' "$work/last.out")
gr_cpu=$(sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p' "$work/last.out")
# GDAL with a block cache of Landcover's size (a quarter of its -Xmx1g heap: 256 MB) instead of its default 5% of RAM
read -r gc_wall gc_rss < <(GDAL_CACHEMAX=256 gdal_read)
gc_mbps=$(sed -n 's/.*MBps=\([0-9.]*\).*/\1/p' "$work/last.out")
gc_cpu=$(sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p' "$work/last.out")

# The chip folders of all runs stay until the end (about 12 GB for the 10980 scene): ext4 without a
# journal (as on the machines measured) skips the inodes of files deleted in the last 60 s when it
# makes new ones, so a run made right after deleting another run's thousands of chips pays for
# that scan (seconds of kernel time).
rm -rf "${work:?}"/lc "${work:?}"/ln "${work:?}"/rt "${work:?}"/rd
chip() {  # name, then the command: runs it into $work/$name, prints "wall rss chips size_mb"
  local name="$1"; shift
  mkdir -p "$work/$name"
  # Each run starts with no dirty pages of the previous run's output: the kernel's writeback of
  # gigabytes written earlier would otherwise throttle whichever run comes next.
  sync
  local wall rss
  read -r wall rss < <(measure "$@")
  local dir="$work/$name"; [ -d "$dir/images" ] && dir="$dir/images"
  echo "$wall $rss $(ls "$dir" | grep -c '\.tif$') $(du -sm "$dir" | cut -f1)"
}
sleep 61  # past the 60 s of the deletions above
read -r lc_wall lc_rss lc_n lc_mb < <(chip lc ./landcover chips --image "$img" --size 256 --overlap 128 --out "$work/lc")
read -r ln_wall ln_rss ln_n ln_mb < <(chip ln ./landcover chips --image "$img" --size 256 --overlap 128 --compress none --out "$work/ln")
read -r rt_wall rt_rss rt_n rt_mb < <(chip rt gdal_retile.py -ps 256 256 -overlap 128 -targetDir "$work/rt" "$img")
read -r rd_wall rd_rss rd_n rd_mb < <(chip rd gdal_retile.py -ps 256 256 -overlap 128 -co COMPRESS=DEFLATE -co TILED=YES -targetDir "$work/rd" "$img")

ratio() { /usr/bin/python3 -c "print('%.2f' % ($1 / $2))"; }
rate() { /usr/bin/python3 -c "print('%.1f' % ($1 / $2))"; }
cat <<MD
Scene: ${size} x ${size} x 4 uint16, Deflate, 256 x 256 tiles ($(du -h "$img" | cut -f1)); $(nproc) cores; $(date -u +%F).

| measure | Landcover | GDAL | Landcover / GDAL |
|---|---|---|---|
| window reads, 200 x 512^2 x 4 bands: MB/s | $jr_mbps | $gr_mbps | $(ratio "$jr_mbps" "$gr_mbps") |
| window reads: CPU seconds of the reads (all threads) | $jr_cpu | $gr_cpu | $(ratio "$jr_cpu" "$gr_cpu") |
| window reads: peak RSS MB | $((jr_rss / 1024)) | $((gr_rss / 1024)) | $(ratio "$jr_rss" "$gr_rss") |
| window reads, GDAL_CACHEMAX=256 (Landcover's cache size): MB/s | $jr_mbps | $gc_mbps | $(ratio "$jr_mbps" "$gc_mbps") |
| window reads, GDAL_CACHEMAX=256: CPU seconds | $jr_cpu | $gc_cpu | $(ratio "$jr_cpu" "$gc_cpu") |

Chipping 256 x 256, overlap 128 (Landcover: \`landcover chips --size 256 --overlap 128\`, 2 writer threads;
GDAL: \`gdal_retile.py -ps 256 256 -overlap 128\`, one process):

| run | wall s | chips | chips/s | peak RSS MB | output MB | speed-up of Landcover |
|---|---|---|---|---|---|---|
| gdal_retile.py (uncompressed, the reference) | $rt_wall | $rt_n | $(rate "$rt_n" "$rt_wall") | $((rt_rss / 1024)) | $rt_mb | |
| landcover chips (default: Deflate, Huffman coding only) | $lc_wall | $lc_n | $(rate "$lc_n" "$lc_wall") | $((lc_rss / 1024)) | $lc_mb | $(ratio "$rt_wall" "$lc_wall")x |
| landcover chips --compress none | $ln_wall | $ln_n | $(rate "$ln_n" "$ln_wall") | $((ln_rss / 1024)) | $ln_mb | $(ratio "$rt_wall" "$ln_wall")x |
| gdal_retile.py -co COMPRESS=DEFLATE (level 6) | $rd_wall | $rd_n | $(rate "$rd_n" "$rd_wall") | $((rd_rss / 1024)) | $rd_mb | $(ratio "$rd_wall" "$lc_wall")x (vs default) |
MD
rm -rf "${work:?}"/lc "${work:?}"/ln "${work:?}"/rt "${work:?}"/rd
