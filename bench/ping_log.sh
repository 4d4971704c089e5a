#!/usr/bin/env bash
# Head-to-head: `kiriwake ping-log` against `grep -c icmp_seq` and `jc --ping-s` on the same
# generated iputils log (>= 1 GiB by default), plus kiriwake's peak RSS at 1/4 and full size to
# show memory is flat. Prints MB/s (wall and CPU) and ratios in one run.
#   bench/ping_log.sh [GIB]        (default 1; files go to build/bench/, never committed)
# jc is ~100x slower, so it runs on a 20 MB slice and is extrapolated per byte (said so below).
# The machine may be shared: CPU time (user+sys) is the fairer figure; wall time is printed too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
gib=${1:-1}
kw=build/release/kiriwake
out=build/bench
mkdir -p "$out"
[ -x "$kw" ] || scripts/build release >/dev/null
for tool in jc grep python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "ping_log.sh: needs $tool (scripts/setup)" >&2; exit 2; }
done

big=$out/ping_${gib}g.txt
quarter=$out/ping_${gib}g_quarter.txt
slice=$out/ping_slice_20m.txt
bytes=$(python3 -c "print(int($gib * 1024**3))")
[ -s "$big" ] || python3 bench/ping_log_gen.py "$big" "$bytes" 7
[ -s "$quarter" ] || python3 bench/ping_log_gen.py "$quarter" "$((bytes / 4))" 8
# jc's slice: the first 20 MB of whole lines of the same file.
[ -s "$slice" ] || head -c 20000000 "$big" | head -n -1 > "$slice"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "build:   $(grep -m1 CMAKE_BUILD_TYPE build/release/CMakeCache.txt | cut -d= -f2) (release, -O2 -DNDEBUG)"
grep -q 'CMAKE_BUILD_TYPE:STRING=Debug' build/release/CMakeCache.txt && echo "WARNING: not optimised: figures are meaningless"

size_of() { stat -Lc %s "$1"; }  # -L: the files may be symlinks to shared copies
# run NAME FILE CMD...: prints "wall cpu maxrss_kb"
measure() {
  local f=$1; shift
  cat "$f" >/dev/null  # warm the page cache: we measure parsing, not the disk
  /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" >"$out/stdout.txt" 2>/dev/null || true
  tail -n 1 "$out/time.txt" | awk '{printf "%s %.3f %s\n", $1, $2 + $3, $4}'
}

B=$(size_of "$big"); S=$(size_of "$slice"); Q=$(size_of "$quarter")
read -r kw_wall kw_cpu kw_rss < <(measure "$big" "$kw" ping-log "$big")
read -r gr_wall gr_cpu _ < <(measure "$big" grep -c icmp_seq "$big")
read -r jc_wall jc_cpu _ < <(measure "$slice" sh -c "jc --ping-s < '$slice'")
read -r _ _ kwq_rss < <(measure "$quarter" "$kw" ping-log "$quarter")

python3 - "$B" "$S" "$Q" "$kw_wall" "$kw_cpu" "$gr_wall" "$gr_cpu" "$jc_wall" "$jc_cpu" "$kw_rss" "$kwq_rss" <<'PY'
import sys
B, S, Q = (int(x) for x in sys.argv[1:4])
kw_wall, kw_cpu, gr_wall, gr_cpu, jc_wall, jc_cpu = (float(x) for x in sys.argv[4:10])
kw_rss, kwq_rss = int(sys.argv[10]), int(sys.argv[11])
mb = 1e6
# jc ran on S bytes; scale its times to B bytes (it is linear: one JSON object per line).
jc_wall_b, jc_cpu_b = jc_wall * B / S, jc_cpu * B / S
def row(name, wall, cpu, note=""):
    print(f"  {name:<26} wall {wall:8.2f} s {B/mb/wall:8.1f} MB/s   cpu {cpu:8.2f} s {B/mb/cpu:8.1f} MB/s {note}")
print(f"file: {B/mb:.0f} MB iputils log (ping -D, ~1% loss in bursts, icmp_seq wraps)")
row("kiriwake ping-log", kw_wall, kw_cpu)
row("grep -c icmp_seq", gr_wall, gr_cpu)
row("jc --ping-s (extrapolated)", jc_wall_b, jc_cpu_b, f"(measured on {S/mb:.0f} MB: {jc_wall:.2f} s wall, {jc_cpu:.2f} s cpu)")
print(f"ratios (cpu): kiriwake is {gr_cpu/kw_cpu:.2f}x grep -c's speed, {jc_cpu_b/kw_cpu:.0f}x jc's")
print(f"ratios (wall): kiriwake is {gr_wall/kw_wall:.2f}x grep -c's speed, {jc_wall_b/kw_wall:.0f}x jc's")
print(f"kiriwake max RSS: {kwq_rss/1024:.1f} MiB at {Q/mb:.0f} MB, {kw_rss/1024:.1f} MiB at {B/mb:.0f} MB (flat: bounded by the 2^20 exact RTT samples, the window and the loss bursts)")
PY
