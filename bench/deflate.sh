#!/usr/bin/env bash
# The Deflate codecs side by side (docs/benchmarks.md, "libdeflate"): libdeflate and the JDK's
# zlib (LANDCOVER_DEFLATE=libdeflate|jdk) in interleaved rounds on one scene: the 200 window reads
# of bench/chips.sh, chipping with --compress none and with the default Deflate, and gdal_retile.py
# (uncompressed) as the reference. Reports CPU seconds (user + sys of the whole process, and the
# reads' own cpu_seconds), wall seconds and output size; a round is every run once, in order.
# Usage: bench/deflate.sh SCENE.tif [ROUNDS (default 2)] [WORKDIR (default /tmp/landcover-deflate)]
# Needs gdal-bin, python3-gdal and /usr/bin/time. LANDCOVER (default ./landcover) is the command
# run, e.g. "java -Xmx1g -jar COPY/landcover.jar" to measure a copy of the build while it changes.
set -euo pipefail
cd "$(dirname "$0")/.."
img="$1"
rounds="${2:-2}"
work="${3:-/tmp/landcover-deflate}"
mkdir -p "$work"
read -r -a landcover <<< "${LANDCOVER:-./landcover}"
size=$(gdalinfo "$img" | sed -n 's/^Size is \([0-9]*\), .*/\1/p')
/usr/bin/python3 - "$size" > "$work/windows.txt" <<'PY'
import random, sys
n = int(sys.argv[1]); s = min(512, n); r = random.Random(1)
for _ in range(200):
    print(r.randrange(0, n - s + 1), r.randrange(0, n - s + 1), s, s)
PY
cat "$img" > /dev/null
"${landcover[@]}" doctor | grep "Deflate codec" >&2

run() {  # name, then the command: prints "| name | wall s | CPU s | reads' CPU s | output MB |"
  local name="$1"; shift
  rm -rf "${work:?}/out"
  /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$@" > "$work/last.out" 2> "$work/last.err" || {
    cat "$work/last.err" >&2; exit 1; }
  local wall user sys reads mb
  read -r wall user sys < <(tail -1 "$work/time.txt")
  reads=$(sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p' "$work/last.out")
  mb=$([ -d "$work/out" ] && du -sm "$work/out" | cut -f1 || echo "")
  echo "| $name | $wall | $(/usr/bin/python3 -c "print('%.1f' % ($user + $sys))") | ${reads:--} | ${mb:--} |"
  rm -rf "${work:?}/out"
}
echo "| run | wall s | CPU s | reads' CPU s | output MB |"
echo "|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  for codec in libdeflate jdk; do
    LANDCOVER_DEFLATE=$codec run "reads, $codec" \
      "${landcover[@]}" bench read --image "$img" --windows "$work/windows.txt"
  done
  for codec in libdeflate jdk; do
    LANDCOVER_DEFLATE=$codec run "chips --compress none, $codec" \
      "${landcover[@]}" chips --image "$img" --size 256 --overlap 128 --compress none --out "$work/out"
  done
  run "gdal_retile.py (uncompressed)" \
    bash -c 'mkdir -p "$0" && exec gdal_retile.py -ps 256 256 -overlap 128 -targetDir "$0" "$1"' \
    "$work/out" "$img"
  for codec in libdeflate jdk; do
    LANDCOVER_DEFLATE=$codec run "chips (default Deflate), $codec" \
      "${landcover[@]}" chips --image "$img" --size 256 --overlap 128 --out "$work/out"
  done
done
