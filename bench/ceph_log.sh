#!/usr/bin/env bash
# bench/ceph_log.sh [GIB] — `kiriwake ceph` throughput on a generated multi-GB cluster log, head to
# head with `grep -c SLOW_OPS` on the same file in the same run, printed as a ratio.
# The log (default 2 GiB, in $TMPDIR or /tmp, deleted afterwards) repeats a 4 MiB block in
# Ceph 16.2.15's cluster-log format: mostly pgmap/audit lines as a busy cluster writes them, plus
# health checks, slow-ping detail lines, failure reports and slow requests (about 1 in 8 lines is
# an event kiriwake aggregates). Both tools read the file once from the page cache (a warm-up
# `cat` runs first). Needs a release build (scripts/build release).
set -euo pipefail
gib=${1:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/release/kiriwake
[ -x "$bin" ] || { echo "bench: build first: scripts/build release" >&2; exit 2; }
dir=${TMPDIR:-/tmp}
log=$(mktemp "$dir/kw-ceph-bench.XXXXXX.log")
block=$(mktemp "$dir/kw-ceph-block.XXXXXX")
trap 'rm -f "$log" "$block"' EXIT

python3 - "$block" <<'EOF'
import sys
out = []
seq = 0
def line(sec, who, rank, chan, pri, msg):
    global seq
    seq += 1
    us = (seq * 7919) % 1000000
    return f"2026-11-24T23:{(sec // 60) % 60:02d}:{sec % 60:02d}.{us:06d}+0000 {who} ({rank}) {seq} : {chan} [{pri}] {msg}\n"
size = 0
i = 0
while size < 4 << 20:
    s = i // 8
    k = i % 16
    if k in (0, 3, 6, 9, 12):
        l = line(s, "mgr.x", "mgr.4100", "cluster", "DBG", f"pgmap v{i}: 64 pgs: 64 active+clean; 1.2 GiB data, 3.6 GiB used, 2.4 GiB / 6 GiB avail; 1.2 MiB/s wr, 310 op/s")
    elif k in (1, 4, 7, 10, 13):
        l = line(s, "mon.a", "mon.0", "audit", "DBG", "from='client.? 10.77.16.10:0/3127' entity='client.admin' cmd=[{\"prefix\": \"status\", \"format\": \"json\"}]: dispatch")
    elif k == 2:
        l = line(s, "mon.a", "mon.0", "cluster", "WRN", "Health check update: Slow OSD heartbeats on back (longest 3369.100ms) (OSD_SLOW_PING_TIME_BACK)")
    elif k == 5:
        l = line(s, "mon.a", "mon.0", "cluster", "WRN", f"    Slow OSD heartbeats on back from osd.{i % 7} [] to osd.2 [] {1000 + i % 997}.125 msec")
    elif k == 8:
        l = line(s, "osd.0", "osd.0", "cluster", "WRN", "1 slow requests (by type [ 'waiting for sub ops' : 1 ] most affected pool [ 'rbd' : 1 ])")
    elif k == 11:
        l = line(s, "mon.a", "mon.0", "cluster", "DBG", f"osd.2 reported failed by osd.{i % 5}")
    elif k == 14:
        l = line(s, "mon.a", "mon.0", "cluster", "WRN", "Health check update: 1 slow ops, oldest one blocked for 35 sec, mon.a has slow ops (SLOW_OPS)")
    else:
        l = line(s, "mon.a", "mon.0", "cluster", "INF", "overall HEALTH_WARN Slow OSD heartbeats on back (longest 3369.100ms)")
    out.append(l)
    size += len(l)
    i += 1
open(sys.argv[1], "w").write("".join(out))
EOF
reps=$(( gib * 256 ))
for _ in $(seq 1 "$reps"); do cat "$block"; done >"$log"
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null

now() { date +%s.%N; }
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') x$(nproc), $(uname -r)"
echo "build:   $(grep -m1 CMAKE_BUILD_TYPE "$root/build/release/CMakeCache.txt" | cut -d= -f2)"
echo "input:   $log, $(( bytes / 1048576 )) MiB, $(wc -l <"$block") lines per 4 MiB block"

# Wall time and CPU time (user+sys) for each: the CI machine's 2 cores are shared, so CPU time is
# the steadier figure; both are printed.
t0=$(now)
grep_count=$(/usr/bin/time -f "%U %S" -o "$log.gcpu" grep -c SLOW_OPS "$log" || true)
t1=$(now)
/usr/bin/time -f "%U %S %M" -o "$log.kcpu" "$bin" ceph --json "$log" >"$log.json" || true
t2=$(now)
events=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['inputs'][0]['events'])" "$log.json")
suspect=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['suspect']; print(f\"osd.{s['osd']} {s['interface']}\")" "$log.json")

python3 - "$bytes" "$t0" "$t1" "$t2" "$grep_count" "$events" "$(tail -1 "$log.gcpu")" "$(tail -1 "$log.kcpu")" "$suspect" <<'PY'
import sys
b, t0, t1, t2 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
gu, gs = map(float, sys.argv[7].split())
ku, ks, rss = sys.argv[8].split()
kc, gc = float(ku) + float(ks), gu + gs
g, k = t1 - t0, t2 - t1
mib = b / 1048576
print(f"grep -c SLOW_OPS : wall {g:6.2f} s {mib / g:7.1f} MiB/s | cpu {gc:6.2f} s {mib / max(gc, 0.01):7.1f} MiB/s  ({sys.argv[5]} matching lines)")
print(f"kiriwake ceph    : wall {k:6.2f} s {mib / k:7.1f} MiB/s | cpu {kc:6.2f} s {mib / max(kc, 0.01):7.1f} MiB/s  ({sys.argv[6]} events, max RSS {int(rss) // 1024} MiB, suspect {sys.argv[9]})")
print(f"ratio kiriwake/grep throughput: wall {g / k:.3f}, cpu {gc / max(kc, 0.01):.3f}")
PY
rm -f "$log.gcpu" "$log.kcpu" "$log.json"
