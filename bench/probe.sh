#!/usr/bin/env bash
# bench/probe.sh: kiriwake's prober against fping in the same run, on loopback only (127.0.0.x
# targets, 127.0.1.x-127.0.4.x agent peers), plus the agent's steady-state cost.
#   1. probes/s per CPU-second and CPU per 1,000 probes/s: kiriwake UDP, kiriwake ICMP, fping ICMP
#   2. agent with 1,000 peers at 1 probe/s each: CPU share and RSS over a measured window, next
#      to the kernel floor (build/release/agent_floor: the same datagrams and nothing else)
#   3. time to detect 1% loss vs the statistical minimum (computed; see docs/performance.md)
#   4. the same for a host link crossed by the 2(N-1) probe streams of an N-host mesh: measured in
#      namespaces against the minimum for that many streams
# Usage: bench/probe.sh [TARGETS=200] [COUNT=1000] [AGENT_SECONDS=60]. Needs root for ICMP/fping.
# Environment: SECTIONS="1 2 3 4" picks sections (4: the host-link case of 3, N=HOSTS hosts, default
# 6, TRIALS trials, default 10); KIRIWAKE=path runs another kiriwake binary (to
# compare two builds in one sitting).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${KIRIWAKE:-$root/build/release/kiriwake}
floor_bin=$root/build/release/agent_floor
sections=${SECTIONS:-1 2 3 4}
want() { case " $sections " in *" $1 "*) return 0 ;; esac; return 1; }
targets=${1:-200}
count=${2:-1000}
agent_seconds=${3:-60}
work=$(mktemp -d /tmp/kwa_bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in kwa-b-h1 kwa-b-h2 kwa-b-sw; do ip netns del "$n" 2>/dev/null || true; done
  for n in $(ip netns list 2>/dev/null | awk '/^kwa-c-/ {print $1}'); do ip netns del "$n" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "# kiriwake probe benchmark  $(date -u +%FT%TZ)"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "# build: $(grep -m1 CMAKE_BUILD_TYPE "$root/build/release/CMakeCache.txt" | cut -d= -f2)"
grep -q 'CMAKE_BUILD_TYPE:STRING=\(Release\|RelWithDebInfo\)' "$root/build/release/CMakeCache.txt" ||
  echo "WARNING: not an optimised build; figures are meaningless"

addrs=()
for i in $(seq 1 "$targets"); do addrs+=("127.0.0.$i"); done

# Runs a command under /usr/bin/time; prints "elapsed user sys maxrss_kb exit_status".
measure() {
  local rc=0
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || rc=$?
  echo "$(tail -1 "$work/time") $rc"
}

# Probes a run really sent, summed from its own per-target summaries, never assumed from the
# command line: fping stops with "not enough sequence numbers" (exit 4) after 65,535 probes in
# any 10 s, and a figure computed from what was asked for would credit it with probes it never sent.
sent_kiriwake() { awk '/^[^ ].* of [0-9]+ lost/ { for (i = 1; i < NF; i++) if ($i == "of") { s += $(i + 1); break } } END { print s + 0 }' "$work/out"; }
sent_fping() { awk -F'[=/ ,]+' '/xmt\/rcv/ { for (i = 1; i < NF; i++) if ($i == "%loss") { s += $(i + 1); break } } END { print s + 0 }' "$work/err"; }

report() {  # name probes elapsed user sys rss
  awk -v n="$1" -v p="$2" -v e="$3" -v u="$4" -v s="$5" -v m="$6" 'BEGIN {
    cpu = u + s; if (cpu < 0.01) cpu = 0.01; if (e < 0.01) e = 0.01;
    printf "%-22s %9d probes  %6.2f s wall  %6.2f s cpu  %9.0f probes/s achieved  %9.0f probes/cpu-s  %6.2f%% core per 1k probes/s  rss %d KB\n",
      n, p, e, cpu, p / e, p / cpu, 100 * cpu / (p > 0 ? p / 1000 : 1), m }'
}
per_cpu() { awk -v p="$1" -v u="$2" -v s="$3" 'BEGIN { c = u + s; if (c < 0.01) c = 0.01; print p / c }'; }

# One kiriwake run: name, expected probes, then the probe arguments. Sets $rate (probes/cpu-s).
run_kiriwake() {
  local name=$1 want=$2 e u s m rc n
  shift 2
  read -r e u s m rc < <(measure "$bin" probe "$@")
  n=$(sent_kiriwake)
  report "$name" "$n" "$e" "$u" "$s" "$m"
  [ "$n" -eq "$want" ] || echo "   WARNING: $n probes reported, $want asked for (exit $rc): $(head -c 300 "$work/err")"
  rate=$(per_cpu "$n" "$u" "$s")
}

if want 1; then
"$bin" responder --listen 0.0.0.0:18790 --rate 10000000 2>/dev/null &
pids+=($!)
sleep 0.3

# fping keeps one slot per probe in a 65,535-entry map for 10 s, so one run can send at most
# 65,535 probes: the side-by-side runs are sized to fit it, and every tool gets the same load.
fcount=$((65535 / targets))
[ "$fcount" -gt "$count" ] && fcount=$count
ftotal=$((targets * fcount))
echo
echo "## 1a. side by side: $targets loopback targets x $fcount probes (fping's largest run), 1 ms per-target interval"
run_kiriwake "kiriwake udp" "$ftotal" -c "$fcount" -i 1 -t 1000 -p 18790 "${addrs[@]}"; udp_rate=$rate
run_kiriwake "kiriwake icmp" "$ftotal" --proto icmp -c "$fcount" -i 1 -t 1000 "${addrs[@]}"; icmp_rate=$rate
read -r e u s m rc < <(measure fping -q -c "$fcount" -p 1 -i 0 -t 1000 "${addrs[@]}")
n=$(sent_fping)
report "fping $(fping --version 2>&1 | awk '{print $NF}') icmp" "$n" "$e" "$u" "$s" "$m"
[ "$n" -eq "$ftotal" ] || echo "   WARNING: fping sent $n of $ftotal (exit $rc): $(grep -m1 error "$work/err")"
fping_rate=$(per_cpu "$n" "$u" "$s")
awk -v a="$udp_rate" -v b="$icmp_rate" -v f="$fping_rate" 'BEGIN {
  printf "ratio kiriwake / fping, probes per cpu-second: udp %.2fx, icmp %.2fx (higher is better for kiriwake)\n", a / f, b / f }'

if [ "$count" -gt "$fcount" ]; then
  total=$((targets * count))
  echo
  echo "## 1b. sustained: $targets targets x $count probes ($total; more than fping can send in one run)"
  run_kiriwake "kiriwake udp" "$total" -c "$count" -i 1 -t 1000 -p 18790 "${addrs[@]}"
  echo "   (lost: $(grep -c "LOST (no reply" "$work/out" || true); the responder ran on the other core)"
  run_kiriwake "kiriwake icmp" "$total" --proto icmp -c "$count" -i 1 -t 1000 "${addrs[@]}"
  read -r e u s m rc < <(measure fping -q -c "$count" -p 1 -i 0 -t 1000 "${addrs[@]}")
  n=$(sent_fping)
  if [ "$n" -eq "$total" ]; then
    echo "fping, same run: sent all $n"
  else  # it stops without a summary after its 65,535th probe
    echo "fping, same run: exit $rc, no summary: $(grep -m1 error "$work/err" || head -c 200 "$work/err")"
  fi
fi

fi

if want 2; then
echo
echo "## 2. agent: 1,000 peers (127.0.1.1-127.0.4.232) at 1 probe/s each, ${agent_seconds} s"
{
  echo "name: bench"
  echo "listen: 0.0.0.0:18791"
  echo "http: 127.0.0.1:19791"
  echo "db: $work/agent.db"
  echo "interval_ms: 1000"
  echo "timeout_ms: 1000"
  echo "peers:"
  n=0
  for b in 1 2 3 4; do for c in $(seq 1 250); do
    n=$((n + 1)); [ "$n" -le 1000 ] && echo "  - {address: \"127.0.$b.$c:18791\"}"
  done; done
} >"$work/agent.yaml"
"$bin" agent --config "$work/agent.yaml" 2>"$work/agent.log" &
apid=$!
pids+=($apid)
# The kernel floor in the same window: the agent's datagrams (1,000 probes/s to 1,000 loopback
# addresses, answered by itself, sent and read in the agent's 20 ms batches) and nothing else.
fpid=
if [ -x "$floor_bin" ]; then
  "$floor_bin" 1000 18792 >"$work/floor.out" &
  fpid=$!
  pids+=($fpid)
fi
sleep 5  # warm-up: stagger, first windows, SQLite pages
# CPU time in ns from the scheduler (/proc/PID/schedstat), all threads; ticks as the fallback.
cpu_ns() {
  if [ -r "/proc/$1/schedstat" ]; then
    awk '{print $1}' "/proc/$1/schedstat"
  else
    awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1e9 / hz}' "/proc/$1/stat"
  fi
}
# schedstat of the main thread only counts that thread: sum the task directories.
proc_cpu_ns() {
  local t total=0
  for t in /proc/"$1"/task/*; do total=$((total + $(cpu_ns "$1/task/${t##*/}"))); done
  echo "$total"
}
a0=$(proc_cpu_ns $apid); f0=${fpid:+$(proc_cpu_ns $fpid)}
w0=$(date +%s.%N)
sleep "$agent_seconds"
a1=$(proc_cpu_ns $apid); f1=${fpid:+$(proc_cpu_ns $fpid)}
w1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' /proc/$apid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$apid/status)
threads=$(awk '/Threads/ {print $2}' /proc/$apid/status)
anon=$(awk '/^RssAnon/ {print $2}' /proc/$apid/status)
frss=${fpid:+$(awk '/VmRSS/ {print $2}' /proc/$fpid/status)}
sent=$(curl -s 127.0.0.1:19791/metrics | awk '/^kiriwake_probe_sent_total/ {s += $2} END {print s}')
lost=$(curl -s 127.0.0.1:19791/metrics | awk '/^kiriwake_probe_lost_total/ {s += $2} END {print s}')
sleep 1  # a commit (and its trim) after the scrapes, as between Prometheus scrapes
rss_scraped=$(awk '/VmRSS/ {print $2}' /proc/$apid/status)
pss=$(awk '/^Pss:/ {print $2}' /proc/$apid/smaps_rollup 2>/dev/null || echo 0)
kill -TERM $apid; wait $apid || true
if [ -n "$fpid" ]; then kill -TERM $fpid; wait $fpid || true; fi
awk -v a0="$a0" -v a1="$a1" -v f0="${f0:-0}" -v f1="${f1:-0}" -v hasf="${fpid:+1}" -v w0="$w0" -v w1="$w1" \
    -v rss="$rss" -v hwm="$hwm" -v anon="$anon" -v thr="$threads" -v frss="${frss:-0}" \
    -v rss2="$rss_scraped" -v pss="$pss" \
    -v sent="$sent" -v lost="$lost" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  wall = w1 - w0; a = 100 * (a1 - a0) / 1e9 / wall; f = 100 * (f1 - f0) / 1e9 / wall;
  printf "kiriwake agent: %.2f%% of one core (probing + responding to itself + SQLite), RSS %.1f MB (peak %.1f MB, anonymous %.1f MB, %d threads), %d probes ended, %d lost\n",
    a, rss / 1024, hwm / 1024, anon / 1024, thr, sent, lost
  printf "  after two /metrics scrapes: RSS %.1f MB, PSS %.1f MB (shared library pages counted in proportion)\n", rss2 / 1024, pss / 1024
  if (hasf) {
    printf "kernel floor (agent_floor, same datagrams, same window): %.2f%% of one core, RSS %.1f MB\n", f, frss / 1024
    printf "ratio agent / floor: %.2fx; agent / goal (0.2%%): %.1fx; floor / goal: %.1fx\n", a / (f > 0 ? f : 0.001), a / 0.2, f / 0.2
  } else {
    printf "ratio agent / goal (0.2%%): %.1fx (no build/release/agent_floor: floor not measured)\n", a / 0.2
  }
  printf "load average during the run: %s\n", load
  printf "peers (published): Pingmesh agent 0.26%% / <45 MB; deTector 0.4%% / 13 MB; goal < 0.2%% / < 12 MB\n" }'
fi

if want 3; then
echo
echo "## 3. time to detect 1% loss (statistical minimum; see docs/performance.md)"
awk 'BEGIN {
  p = 0.01;
  for (i = 1; i <= 2; i++) {
    conf = (i == 1) ? 0.95 : 0.99;
    n = log(1 - conf) / log(1 - p);
    printf "  %.0f%% confidence that a 1%%-lossy path shows a loss: n >= %.0f probes (%.0f s at 1/s per pair; %.1f s for a host link crossed by 2x(N-1)=18 probe streams of a 10-host mesh)\n",
      100 * conf, n, n, n / 18 }
  printf "  kiriwake flags a pair degraded at its first lost probe (+ the timeout), so its detection time is that minimum: mean 100 probes, median 69.\n" }'

echo
echo "## 3b. measured: time to the first reported loss on a 1%-lossy pair (namespaces, 10.77.37.0/24)"
if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null; then
  echo "skipped: needs root and nft"
else
for n in kwa-b-h1 kwa-b-h2 kwa-b-sw; do ip netns del "$n" 2>/dev/null || true; done
ip netns add kwa-b-sw; ip -n kwa-b-sw link add br0 type bridge; ip -n kwa-b-sw link set br0 up
for i in 1 2; do
  ip netns add kwa-b-h$i; ip -n kwa-b-h$i link set lo up
  ip -n kwa-b-sw link add kwa-bh$i type veth peer name eth0 netns kwa-b-h$i
  ip -n kwa-b-sw link set kwa-bh$i master br0 up
  ip -n kwa-b-h$i addr add 10.77.37.$i/24 dev eth0; ip -n kwa-b-h$i link set eth0 up
done
# 1% of IPv4 packets dropped arriving at h2 (netdev ingress: the sender sees no error, like a cable).
ip netns exec kwa-b-h2 nft add table netdev kw
ip netns exec kwa-b-h2 nft 'add chain netdev kw in { type filter hook ingress device eth0 priority 0; }'
ip netns exec kwa-b-h2 nft add rule netdev kw in meta protocol ip numgen random mod 100 '<' 1 drop
ip netns exec kwa-b-h2 "$bin" responder --listen 10.77.37.2:8623 2>/dev/null &
pids+=($!)
sleep 0.3
trials=20
interval_ms=5
timeout_ms=100
: >"$work/first"
for t in $(seq 1 $trials); do
  start=$(date +%s%N)
  ip netns exec kwa-b-h1 "$bin" probe -c 3000 -i $interval_ms -t $timeout_ms 10.77.37.2 |
    while IFS= read -r line; do
      case "$line" in *LOST*) echo "$line $(( ($(date +%s%N) - start) / 1000000 ))" >>"$work/first"; break ;; esac
    done || true
done
m=$(wc -l <"$work/first")
if [ "$m" -eq 0 ]; then echo "  no loss seen"; else
sed 's/.*seq \([0-9]*\) LOST.*/\1/' "$work/first" | sort -n >"$work/seqs"
awk '{print $NF}' "$work/first" | sort -n >"$work/ms"
mean=$(awk '{s += $1} END {printf "%.0f", s / NR}' "$work/seqs")
med=$(sed -n "$(( (m + 1) / 2 ))p" "$work/seqs")
medms=$(sed -n "$(( (m + 1) / 2 ))p" "$work/ms")
echo "  $m of $trials trials saw a loss; probes until the first loss: mean $mean, median $med (geometric, p = 0.01: mean 100, median 69)"
echo "  wall time to the printed LOST line at $interval_ms ms/probe + $timeout_ms ms timeout: median $medms ms (≈ median probes × interval + timeout + start-up)"
echo "  at 1 probe/s per pair: median ~69 s, mean ~100 s, plus the 1 s timeout"
fi
fi
fi

if want 4; then
echo
hosts=${HOSTS:-6}
trials=${TRIALS:-10}
streams=$((2 * (hosts - 1)))
echo "## 4. measured: a 1%-lossy host link in a $hosts-host full mesh ($streams probe streams cross it; namespaces, 10.77.38.0/24)"
if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null; then
  echo "skipped: needs root and nft"
else
ip netns add kwa-c-sw; ip -n kwa-c-sw link add br0 type bridge; ip -n kwa-c-sw link set br0 up
for i in $(seq 1 "$hosts"); do
  ip netns add kwa-c-h$i; ip -n kwa-c-h$i link set lo up
  ip -n kwa-c-sw link add kwa-ch$i type veth peer name eth0 netns kwa-c-h$i
  ip -n kwa-c-sw link set kwa-ch$i master br0 up
  ip -n kwa-c-h$i addr add 10.77.38.$i/24 dev eth0; ip -n kwa-c-h$i link set eth0 up
  ip netns exec kwa-c-h$i "$bin" responder --listen 10.77.38.$i:8623 2>/dev/null &
  pids+=($!)
done
# h1's link drops 1% of what arrives on it: every probe to h1 and every reply to h1's own probes
# crosses it once, so each of the 2(N-1) streams through it loses 1%, and no other stream does.
ip netns exec kwa-c-h1 nft add table netdev kw
ip netns exec kwa-c-h1 nft 'add chain netdev kw in { type filter hook ingress device eth0 priority 0; }'
ip netns exec kwa-c-h1 nft add rule netdev kw in meta protocol ip numgen random mod 100 '<' 1 drop
sleep 0.3
interval_ms=20
count=400  # 8 s per trial: the chance that no stream loses anything is 0.99^(400 x streams)
: >"$work/mesh"
for t in $(seq 1 "$trials"); do
  trial_pids=()
  for i in $(seq 1 "$hosts"); do
    others=()
    for j in $(seq 1 "$hosts"); do [ "$j" -ne "$i" ] && others+=("10.77.38.$j"); done
    # Every lost probe, as "trial prober target seq": the seq is the probe's round, since every
    # stream sends one probe per interval from the same start.
    ip netns exec kwa-c-h$i "$bin" probe -c $count -i $interval_ms -t 200 "${others[@]}" 2>/dev/null |
      awk -v t="$t" -v h="$i" '$2 == "seq" && $4 ~ /^LOST/ { split($1, a, "."); print t, h, a[4], $3 }' >>"$work/mesh" &
    trial_pids+=($!)
  done
  wait "${trial_pids[@]}" || true
done
python3 - "$work/mesh" "$hosts" "$trials" "$count" <<'PY'
import random, statistics, sys
path, n, trials, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
p = 0.01
first, second, stray = [], [], 0
by_trial = {}
for line in open(path):
    t, prober, target, seq = (int(x) for x in line.split())
    if prober != 1 and target != 1:
        stray += 1  # a loss on a path that does not cross the lossy link
        continue
    peer = target if prober == 1 else prober
    by_trial.setdefault(t, []).append((seq, peer))
for t in range(1, trials + 1):
    events = sorted(by_trial.get(t, []))
    if not events:
        continue
    first.append(events[0][0])
    seen = set()
    for seq, peer in events:
        seen.add(peer)
        if len(seen) == 2:
            second.append(seq)
            break
# The statistical minimum for the same streams: S = 2(N-1) streams, two per peer of h1, each
# probe lost with p; rounds until the first loss, and until losses on two different peers (the
# first round at which h1's link is the only component those lossy paths share).
S = 2 * (n - 1)
rng = random.Random(1)
sim_first, sim_second = [], []
for _ in range(20000):
    seen, r, f = set(), 0, None
    while len(seen) < 2 and r < count:
        r += 1
        for s in range(S):
            if rng.random() < p:
                if f is None:
                    f = r
                seen.add(s // 2)
    sim_first.append(f if f is not None else count)
    if len(seen) >= 2:
        sim_second.append(r)
def fmt(v):
    if not v:
        return "none"
    q95 = sorted(v)[max(0, -(-95 * len(v) // 100) - 1)]
    return f"mean {statistics.mean(v):.1f}, median {statistics.median(v):.0f}, 95th percentile {q95}"
print(f"  {len(first)} of {trials} trials saw a loss through h1's link; {stray} losses on paths not through it")
print(f"  probe rounds to the first loss on any of the {S} streams: measured {fmt(first)}; minimum (simulated) {fmt(sim_first)}")
print(f"  probe rounds until two different peers of h1 show loss (the link singled out): measured {fmt(second)}; minimum {fmt(sim_second)}")
import math
n95 = math.ceil(math.log(0.05) / (S * math.log(1 - p)))
print(f"  95% confidence of a loss through the link needs {n95} rounds of its {S} streams (ln 0.05 / ({S} ln 0.99))")
print(f"  one round = one probe per pair per interval: at 1 probe/s per pair, rounds are seconds")
PY
fi
fi
