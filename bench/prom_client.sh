#!/usr/bin/env bash
# kiriwake's own part of `localize --prometheus` (issue 9): the answers a real Prometheus gave in
# a bench/prom_scale.sh K run (saved there as idle_sent.json / idle_lost.json) are served at once
# by bench/prom_standin.py, so the time is the client's: queries, parsing the answers, the
# topology, paths and inference. Peer, same run: `localize` on the simulator's observation file.
#   bench/prom_client.sh K [RUNS=3]     (after bench/prom_scale.sh K)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
k=${1:?usage: bench/prom_client.sh K [RUNS]}
runs=${2:-3}
kw=$root/build/release/kiriwake
dir=$root/build/bench/prom-scale-k$k
for f in idle_sent.json idle_lost.json sim/topology.yaml sim/observations.jsonl; do
  [ -f "$dir/$f" ] || { echo "missing $dir/$f: run bench/prom_scale.sh $k first" >&2; exit 2; }
done
port=$((19900 + k))
python3 "$root/bench/prom_standin.py" "$port" "$dir/idle_sent.json" "$dir/idle_lost.json" fabric &
standin=$!
trap 'kill $standin 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/v1/label/network/values" >/dev/null && break; sleep 0.1; done
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(wc -l <"$dir/sim/observations.jsonl") pairs"
for i in $(seq "$runs"); do
  /usr/bin/time -f "localize --prometheus (stand-in)  %e s wall  %U s user  %M KB" \
    "$kw" localize --json --topology "$dir/sim/topology.yaml" \
    --prometheus "http://127.0.0.1:$port" --window 5m >/dev/null 2>"$dir/client.err" || [ $? -eq 1 ]
  tail -n 1 "$dir/client.err"
  /usr/bin/time -f "localize from the file (peer)     %e s wall  %U s user  %M KB" \
    "$kw" localize --json --topology "$dir/sim/topology.yaml" \
    --observations "$dir/sim/observations.jsonl" >/dev/null 2>"$dir/client.err" || [ $? -eq 1 ]
  tail -n 1 "$dir/client.err"
done
