#!/usr/bin/env bash
# Head-to-head: `kiriwake timeline` merging >= 2 GB across >= 50 generated files of mixed formats
# (syslog, ESXi vmkernel, Ceph cluster log, PostgreSQL, journald short-iso, ping -D) against
# `sort -m` (a plain lexical merge, no parsing) and lnav's headless mode (`lnav -n`) on the same files.
# lnav indexes everything first and is far slower (~90-110 s CPU and 1.4 GB for 2 GB): it runs on
# LNAV_FILES files of the set (default all of them, as the goal is stated; 6 for a quick check)
# under a timeout, and its ratio is against kiriwake on the same files. Prints ratios.
# Usage: bench/timeline.sh [SIZE_MB=2048] [FILES=60] [DIR=build/bench-timeline]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-2048}
files=${2:-60}
dir=${3:-$root/build/bench-timeline}
lnav_files=${LNAV_FILES:-$files}
lnav_timeout=${LNAV_TIMEOUT:-600}
bin=$root/build/release/kiriwake
[ -x "$bin" ] || { echo "build first: scripts/build release" >&2; exit 2; }
grep -q 'CMAKE_BUILD_TYPE:STRING=RelWithDebInfo' "$root/build/release/CMakeCache.txt" ||
  echo "warning: build/release is not an optimised build: figures are not comparable" >&2

if [ ! -f "$dir/.done-$size_mb-$files" ]; then
  rm -rf "$dir"
  echo "generating $files files, ~$size_mb MB in $dir ..."
  python3 "$root/bench/gen_timeline_logs.py" "$dir" "$files" "$size_mb"
  touch "$dir/.done-$size_mb-$files"
fi
bytes=$(cat "$dir"/node* | wc -c)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "input: $(ls "$dir"/node* | wc -l) files, $((bytes / 1048576)) MiB"

# measure NAME CMD...: wall seconds and max RSS (KiB) into $secs / $rss
measure() {
  local name=$1; shift
  local t tf
  tf=$(mktemp)
  /usr/bin/time -o "$tf" -f '%e %U %S %M' "$@" >/dev/null 2>/dev/null || true
  read -r secs usr sys rss < <(tail -1 "$tf")
  rm -f "$tf"
  cpu=$(echo "$usr + $sys" | bc -l)
  printf '%-36s %8.2f s wall %8.2f s cpu %8.1f MiB/s(cpu) %6d MiB RSS\n' "$name" "$secs" "$cpu" \
    "$(echo "$cur_bytes / 1048576 / $cpu" | bc -l)" $((rss / 1024))
}

cur_bytes=$bytes
sync; cat "$dir"/node* > /dev/null  # warm the page cache for every contender alike
measure "kiriwake timeline (all files)" "$bin" timeline --tz UTC "$dir"
k_secs=$secs; k_cpu=$cpu; k_rss=$rss
measure "LC_ALL=C sort -m (all files)" env LC_ALL=C sort -m "$dir"/node*
s_secs=$secs; s_cpu=$cpu

slice=$(ls "$dir"/node* | head -n "$lnav_files")
cur_bytes=$(cat $slice | wc -c)
echo "slice for lnav: $lnav_files files, $((cur_bytes / 1048576)) MiB"
measure "kiriwake timeline (slice)" "$bin" timeline --tz UTC $slice
ks_secs=$secs; ks_cpu=$cpu
# `lnav -n -c ':write-raw-to -'` refuses without marked lines ("no lines marked to write");
# plain `lnav -n FILES` prints the merged log view, which is the same job.
measure "lnav -n (slice, timeout ${lnav_timeout}s)" timeout "$lnav_timeout" lnav -n $slice
l_secs=$secs; l_cpu=$cpu

echo
# The machine is shared (2 cores): CPU seconds are the steadier figure; wall is printed too.
printf 'ratio sort -m / kiriwake (all files):  wall %.2f  cpu %.2f  (>1: kiriwake faster)\n' \
  "$(echo "$s_secs / $k_secs" | bc -l)" "$(echo "$s_cpu / $k_cpu" | bc -l)"
printf 'ratio lnav / kiriwake (same slice):    wall %.2f  cpu %.2f  (>1: kiriwake faster)\n' \
  "$(echo "$l_secs / $ks_secs" | bc -l)" "$(echo "$l_cpu / $ks_cpu" | bc -l)"
printf 'kiriwake max RSS on %d MiB: %d MiB (flat: one window per file)\n' $((bytes / 1048576)) $((k_rss / 1024))
