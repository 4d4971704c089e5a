#!/usr/bin/env bash
# Checks that a new `kiriwake ping-log` prints byte-for-byte what an old binary prints: stdout,
# stderr and exit code, text and --json, on every ping/log file under tests/ and examples/, on
# generated logs (bench/ping_log_gen.py: the benchmark's shape; bench/ping_log_mixed_gen.py:
# mixed and damaged shapes, many crossing the 2 MiB mapped windows) and on build/bench/ping_1g.txt
# when present.
#   bench/ping_log_compare.sh OLD_BINARY [NEW_BINARY]   (NEW defaults to build/release/kiriwake)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
old=$1
new=${2:-build/release/kiriwake}
gen=build/bench/compare
mkdir -p "$gen"
if [ ! -e "$gen/.done" ]; then
  for seed in 1 2 3; do
    python3 bench/ping_log_gen.py "$gen/plain_$seed.txt" $((seed * 1500000 + 150000)) "$seed"
  done
  for seed in $(seq 1 60); do
    size=$(( (seed * 7919) % 6000000 + 1000 ))
    [ $((seed % 5)) = 0 ] && size=$(( seed * 37 ))
    python3 bench/ping_log_mixed_gen.py "$gen/mixed_$seed.txt" "$size" "$seed"
  done
  touch "$gen/.done"
fi
if [ ! -e "$gen/nul_tail.txt" ]; then
  # No ping output, a NUL deep in a mapped file: the error must still say "binary data".
  python3 -c "
b = bytearray(b'hello world\\n' * 300000)
b[2500000] = 0
open('$gen/nul_mid.txt', 'wb').write(b)
open('$gen/nul_tail.txt', 'wb').write(b'hello world\\n' * 300000 + b'x\\0')
"
fi
files=$(find tests examples -name '*.txt' -o -name '*.log' | sort)
files="$files $(ls $gen/*.txt)"
[ -e build/bench/ping_1g.txt ] && files="$files build/bench/ping_1g.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
for f in $files; do
  for json in "" --json; do
    rc_old=0 rc_new=0
    "$old" ping-log $json "$f" >"$tmp/o.out" 2>"$tmp/o.err" || rc_old=$?
    "$new" ping-log $json "$f" >"$tmp/n.out" 2>"$tmp/n.err" || rc_new=$?
    n=$((n + 1))
    if [ "$rc_old" != "$rc_new" ] || ! cmp -s "$tmp/o.out" "$tmp/n.out" ||
      ! cmp -s "$tmp/o.err" "$tmp/n.err"; then
      echo "DIFFERS: ping-log $json $f (exit $rc_old vs $rc_new)"
      bad=$((bad + 1))
    fi
  done
done
echo "$n runs, $bad differ"
[ "$bad" = 0 ]
