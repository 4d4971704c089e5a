#!/usr/bin/env bash
# Scale test of the Prometheus path (issue 9): N simulated agents from `kiriwake sim`'s fat-tree
# (faults injected), served by `kiriwake sim-exporter`, scraped by a REAL Prometheus started here
# on loopback; then the loss-matrix query and `kiriwake localize --prometheus` are timed and the
# culprits checked against the simulator's truth. Prints one line per figure and a summary table.
#
#   bench/prom_scale.sh K [PEERS] [SCRAPE_INTERVAL_S] [FAULTS]
#   DROP_BUCKETS=1 bench/prom_scale.sh ...   drop the RTT histogram buckets at scrape time
#     (metric_relabel_configs), as docs/metrics.md advises for fleets of thousands
#     K: fat-tree parameter (k^3/4 agents): 16 -> 1,024 agents, 34 -> 9,826 agents
#
# Peer for the end-to-end time: `kiriwake localize` on the same observations read from the file
# the simulator wrote (no Prometheus), measured in the same run. Goal: 10,000 agents x 20 peers
# localized in under 5 s end to end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
k=${1:?usage: bench/prom_scale.sh K [PEERS] [SCRAPE_INTERVAL_S] [FAULTS]}
peers=${2:-20}
interval=${3:-15}
faults=${4:-5}
# Counters grow by one observation (300 probes) per 5-minute window, the window the shipped
# recording rules keep per-pair counts for (deploy/prometheus/kiriwake-rules.yml), so localize
# reads those; the raw increase() query is timed too.
window_s=300
kw=$root/build/release/kiriwake
[ -x "$kw" ] || "$root/scripts/build" release >/dev/null
command -v prometheus >/dev/null || { echo "prometheus is not installed (scripts/setup)" >&2; exit 2; }

dir=$root/build/bench/prom-scale-k$k
rm -rf "$dir"
mkdir -p "$dir"
eport=$((19700 + k)); pport=$((19800 + k))
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== sim: fattree:$k, $peers peers per agent, $faults faults"
"$kw" sim --shape "fattree:$k" --peers "$peers" --faults "$faults" --probes 300 --no-vms \
  --seed 7 --out "$dir/sim" | sed 's/^/   /'
agents=$(python3 -c "import sys; print(len({l.split('\"src\":\"')[1].split('\"')[0] for l in open(sys.argv[1])}))" "$dir/sim/observations.jsonl")

"$kw" sim-exporter "$dir/sim" --listen 127.0.0.1:$eport --period $window_s \
  --file-sd "$dir/targets.json" --threads 4 >"$dir/exporter.log" 2>&1 &
pids+=($!)
exporter_pid=$!
cat >"$dir/prometheus.yml" <<YML
global:
  scrape_interval: ${interval}s
  scrape_timeout: $((interval < 10 ? interval : 10))s
  evaluation_interval: 60s
rule_files:
  - $root/deploy/prometheus/kiriwake-rules.yml
scrape_configs:
  - job_name: prometheus   # itself, for the ingest figures
    scrape_interval: 5s
    static_configs:
      - targets: ['127.0.0.1:$pport']
  - job_name: kiriwake
    file_sd_configs:
      - files: ['$dir/targets.json']
YML
if [ "${DROP_BUCKETS:-0}" = 1 ]; then
  cat >>"$dir/prometheus.yml" <<'YML'
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: kiriwake_probe_rtt_seconds_bucket
        action: drop
YML
fi
for _ in $(seq 50); do [ -s "$dir/targets.json" ] && break; sleep 0.2; done
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address=127.0.0.1:$pport --log.level=warn >"$dir/prometheus.log" 2>&1 &
pids+=($!)
prom_pid=$!
url=http://127.0.0.1:$pport
q() { curl -sfG "$url/api/v1/query" --data-urlencode "query=$1" | python3 -c \
  'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "nan")'; }
for _ in $(seq 100); do curl -sf "$url/-/ready" >/dev/null 2>&1 && break; sleep 0.3; done

# Let at least two full windows of scrapes land.
settle=$((window_s + 2 * interval + 60))
echo "== scraping $agents agents every ${interval}s (histogram buckets dropped: ${DROP_BUCKETS:-0}); waiting ${settle}s"
cpu0=$(awk '{print $14+$15}' /proc/$prom_pid/stat)
ecpu0=$(awk '{print $14+$15}' /proc/$exporter_pid/stat)
sleep "$settle"
cpu1=$(awk '{print $14+$15}' /proc/$prom_pid/stat)
ecpu1=$(awk '{print $14+$15}' /proc/$exporter_pid/stat)
hz=$(getconf CLK_TCK)
prom_cpu=$(python3 -c "print(f'{($cpu1-$cpu0)/$hz/$settle*100:.0f}')")
exp_cpu=$(python3 -c "print(f'{($ecpu1-$ecpu0)/$hz/$settle*100:.0f}')")
prom_rss=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' /proc/$prom_pid/status)
up=$(q 'count(up{job="kiriwake"} == 1)')
series=$(q 'prometheus_tsdb_head_series')
sps=$(q 'round(sum(rate(prometheus_tsdb_head_samples_appended_total[1m])))')
scrape_ms=$(q 'round(avg(scrape_duration_seconds{job="kiriwake"}) * 1000, 0.1)')
echo "   targets up: $up of $agents; head series: $series; samples/s: $sps"
echo "   mean scrape: ${scrape_ms} ms; Prometheus CPU ${prom_cpu}% of a core, RSS ${prom_rss} MiB; exporter CPU ${exp_cpu}%"

echo "== loss-matrix query (sent and lost, ${window_s}s window)"
# query_pair NAME SENT_QUERY LOST_QUERY: both instant queries at $now in parallel (as kiriwake
# asks them), saved as $dir/NAME_sent.json and $dir/NAME_lost.json; prints the seconds taken.
query_pair() {
  local name=$1 start end pids=()
  start=$(date +%s.%N)
  curl -sfG "$url/api/v1/query" --data-urlencode "time=$now" --data-urlencode "query=$2" \
    -o "$dir/${name}_sent.json" &
  pids+=($!)
  curl -sfG "$url/api/v1/query" --data-urlencode "time=$now" --data-urlencode "query=$3" \
    -o "$dir/${name}_lost.json" &
  pids+=($!)
  wait "${pids[@]}"
  end=$(date +%s.%N)
  python3 -c "print(f'{$end-$start:.2f}')"
}
rows() { python3 -c "import json, sys; print(len(json.load(open(sys.argv[1]))['data']['result']))" "$1"; }
now=$(date +%s)
raw() { echo "sum by (src, peer, network) (increase(kiriwake_probe_${1}_total[${window_s}s]))"; }
query_s=$(query_pair raw "$(raw sent)" "$(raw lost)")
echo "   raw increase(): $(rows "$dir/raw_sent.json") pairs in ${query_s}s (two queries in parallel)"
rquery_s=$(query_pair recorded kiriwake:pair_probes_sent:increase5m kiriwake:pair_probes_lost:increase5m)
rrows=$(rows "$dir/recorded_sent.json")
agents_with_data=$(q 'count(count by (src) (kiriwake_probe_sent_total))')
scrape_ok=$(q "sum(sum_over_time(up{job=\"kiriwake\"}[${window_s}s])) / sum(count_over_time(up{job=\"kiriwake\"}[${window_s}s]))")
echo "   recorded counts: $rrows pairs in ${rquery_s}s; agents with data: $agents_with_data; scrape success ratio: $scrape_ok"

score() { python3 "$root/bench/score_localize.py" "$1" "$dir/sim/truth.json"; }
run_timed() {  # prints "seconds peakMiB" of the command; its stdout goes to $1
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" >"$out" 2>"$dir/stderr.txt" || [ $? -eq 1 ]
  tail -n 1 "$dir/time.txt" | awk '{printf "%s %.0f\n", $1, $2/1024}'
}
echo "== localize --prometheus (end to end: queries + paths + inference)"
read -r prom_s prom_mib < <(run_timed "$dir/prom.json" "$kw" localize --json \
  --topology "$dir/sim/topology.yaml" --prometheus "$url" --window 5m \
  --prometheus-timeout 120)
read -r prom_p prom_r prom_g < <(score "$dir/prom.json")
echo "   ${prom_s}s, ${prom_mib} MiB; precision $prom_p recall $prom_r mean group $prom_g"
echo "== peer: localize from the simulator's file (same observations, no Prometheus)"
read -r file_s file_mib < <(run_timed "$dir/file.json" "$kw" localize --json \
  --topology "$dir/sim/topology.yaml" --observations "$dir/sim/observations.jsonl")
read -r file_p file_r file_g < <(score "$dir/file.json")
echo "   ${file_s}s, ${file_mib} MiB; precision $file_p recall $file_r mean group $file_g"

# The same reads with ingestion stopped: the query engine to itself, as a dedicated Prometheus
# server would be (here it shares two cores with the exporter and kiriwake). Evaluated at the
# instant measured above (--at), before the stopped targets' staleness markers.
echo "== ingest stopped (exporter killed), evaluated at the same instant"
kill "$exporter_pid"; wait "$exporter_pid" 2>/dev/null || true
sleep 20
idle_query_s=$(query_pair idle kiriwake:pair_probes_sent:increase5m \
  kiriwake:pair_probes_lost:increase5m)
read -r idle_s idle_mib < <(run_timed "$dir/idle.json" "$kw" localize --json \
  --topology "$dir/sim/topology.yaml" --prometheus "$url" --window 5m --at "$now" \
  --prometheus-timeout 120)
read -r idle_p idle_r _ < <(score "$dir/idle.json")
echo "   recorded counts ${idle_query_s}s; localize --prometheus --at ${idle_s}s (${idle_mib} MiB); precision $idle_p recall $idle_r"

ratio=$(python3 -c "print(f'{$prom_s/$file_s:.2f}' if $file_s > 0 else 'n/a')")
goal=$(python3 -c "print('met' if $prom_s < 5 else ('met with ingest stopped' if $idle_s < 5 else 'NOT met'))")
echo
echo "| agents | peers | series | samples/s | Prom CPU | Prom RSS | matrix: raw / recorded / recorded, ingest stopped | localize --prometheus: ingesting / ingest stopped | from file | ratio | precision/recall | goal < 5 s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '| %s | %s | %.0f | %.0f | %s%% | %s MiB | %s s / %s s / %s s | %s s / %s s (%s MiB) | %s s | %s | %s/%s | %s |\n' \
  "$agents" "$peers" "$series" "$sps" "$prom_cpu" "$prom_rss" "$query_s" "$rquery_s" \
  "$idle_query_s" "$prom_s" "$idle_s" "$prom_mib" "$file_s" "$ratio" "$prom_p" "$prom_r" "$goal"
