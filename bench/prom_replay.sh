#!/usr/bin/env bash
# The query engine's share of `localize --prometheus` (issue 9), measured on its own: Prometheus
# restarted on a bench/prom_scale.sh K run's TSDB with no scraping and no rules (a dedicated server
# with nothing else to do), each query kiriwake makes timed with curl at that run's instant, then
# `kiriwake localize --prometheus --at` end to end RUNS times (all, min, median) and scored against
# the simulator's truth. prom_scale.sh's own end-to-end figures share the two cores with ingestion
# and the load generator; this one does not.
#   bench/prom_replay.sh K [RUNS=5]     (after bench/prom_scale.sh K)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
k=${1:?usage: bench/prom_replay.sh K [RUNS]}
runs=${2:-5}
kw=${KIRIWAKE:-$root/build/release/kiriwake}
dir=$root/build/bench/prom-scale-k$k
for f in data recorded_sent.json sim/topology.yaml sim/truth.json; do
  [ -e "$dir/$f" ] || { echo "missing $dir/$f: run bench/prom_scale.sh $k first" >&2; exit 2; }
done
command -v prometheus >/dev/null || { echo "prometheus is not installed (scripts/setup)" >&2; exit 2; }
# The instant prom_scale.sh evaluated every query at, and the network its pairs are on.
read -r at network < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"][0]
print(int(float(r["value"][0])), r["metric"]["network"])' "$dir/recorded_sent.json")
port=$((19950 + k))
url=http://127.0.0.1:$port
cat >"$dir/replay.yml" <<'YML'
global:
  scrape_interval: 60s
scrape_configs: []
YML
prometheus --config.file="$dir/replay.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address=127.0.0.1:$port --log.level=warn >"$dir/replay.log" 2>&1 &
prom=$!
trap 'kill $prom 2>/dev/null || true; wait $prom 2>/dev/null || true' EXIT
start=$(date +%s)
for _ in $(seq 600); do curl -sf "$url/-/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf "$url/-/ready" >/dev/null || { echo "prometheus did not become ready" >&2; exit 1; }
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); TSDB of bench/prom_scale.sh $k ready in $(( $(date +%s) - start )) s; instant $at"

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
# timed NAME PATH ARGS...: one GET, its seconds and answer size.
timed() {
  local name=$1 path=$2 s e; shift 2
  s=$(now)
  curl -sfG "$url$path" "$@" -o "$dir/replay.out"
  e=$(now)
  printf '%-44s %6s s %10d bytes\n' "$name" "$(secs "$s" "$e")" "$(stat -c %s "$dir/replay.out")"
}
# query Q: an instant query's curl arguments, in the array `qa` (queries hold spaces).
query() { qa=(--data-urlencode "time=$at" --data-urlencode "query=$1"); }
sel="{network=\"$network\"}"
for rep in 1 2 3; do
  echo "== queries, round $rep"
  timed "network label values (the pages)" /api/v1/label/network/values \
    --data-urlencode "match[]=kiriwake_probe_sent_total" --data-urlencode "match[]=kiriwake_probe_lost_total"
  query "kiriwake:pair_probes_sent:increase5m$sel"
  timed "recorded sent counts" /api/v1/query "${qa[@]}"
  sent_qa=("${qa[@]}")
  # Both counters at once, as kiriwake asks them: lost only where it grew (as kiriwake since
  # session 8), and the whole lost matrix (as before).
  for lost_q in "kiriwake:pair_probes_lost:increase5m$sel > 0" "kiriwake:pair_probes_lost:increase5m$sel"; do
    s=$(now)
    curl -sfG "$url/api/v1/query" "${sent_qa[@]}" -o /dev/null &
    sent_pid=$!
    query "$lost_q"
    curl -sfG "$url/api/v1/query" "${qa[@]}" -o "$dir/replay.out"
    wait "$sent_pid"  # not a bare wait: Prometheus is a child too
    case $lost_q in *"> 0") what="recorded sent, and lost > 0 (as kiriwake)" ;; *) what="recorded sent and all lost (before)" ;; esac
    printf '%-44s %6s s %10d bytes of lost\n' "$what" "$(secs "$s" "$(now)")" "$(stat -c %s "$dir/replay.out")"
  done
  query "sum by (src, peer, network) (increase(kiriwake_probe_sent_total${sel}[300s]))"
  timed "raw increase() of the sent counters" /api/v1/query "${qa[@]}"
done

# KIRIWAKE_BEFORE=path: another build's runs interleaved with these (same server, same minutes),
# so a change is judged against the variance of the server's answers, not against another day.
run_localize() {  # BINARY OUT.json: prints "wall kb"
  /usr/bin/time -f "%e %M" -o "$dir/replay.time" "$1" localize --json \
    --topology "$dir/sim/topology.yaml" --prometheus "$url" --window 5m --at "$at" \
    --prometheus-timeout 120 >"$2" 2>"$dir/replay.err" || [ $? -eq 1 ]
  tail -n 1 "$dir/replay.time"  # after "Command exited with non-zero status 1"
}
echo "== localize --prometheus --window 5m --at $at, end to end, $runs runs${KIRIWAKE_BEFORE:+, interleaved with $KIRIWAKE_BEFORE}"
walls=()
before_walls=()
for i in $(seq "$runs"); do
  if [ -n "${KIRIWAKE_BEFORE:-}" ]; then
    read -r wall kb < <(run_localize "$KIRIWAKE_BEFORE" "$dir/replay-before.json")
    before_walls+=("$wall")
    echo "   run $i, before: $wall s, $((kb / 1024)) MiB"
  fi
  read -r wall kb < <(run_localize "$kw" "$dir/replay.json")
  walls+=("$wall")
  echo "   run $i: $wall s, $((kb / 1024)) MiB"
done
if [ -n "${KIRIWAKE_BEFORE:-}" ]; then
  cmp -s "$dir/replay.json" "$dir/replay-before.json" && echo "   same --json output as before" ||
    echo "   WARNING: --json output differs from before"
  python3 -c 'import statistics, sys; w = [float(x) for x in sys.argv[1:]]; print(f"   before: min {min(w):.2f} s, median {statistics.median(w):.2f} s")' "${before_walls[@]}"
fi
read -r precision recall _ < <(python3 "$root/bench/score_localize.py" "$dir/replay.json" \
  "$dir/sim/truth.json")
python3 - "$precision" "$recall" "${walls[@]}" <<'PY'
import statistics, sys
walls = [float(w) for w in sys.argv[3:]]
print(f"   min {min(walls):.2f} s, median {statistics.median(walls):.2f} s; "
      f"precision {sys.argv[1]} recall {sys.argv[2]}; goal < 5 s: "
      f"{'met' if statistics.median(walls) < 5 else 'met in some runs' if min(walls) < 5 else 'NOT met'}")
PY
