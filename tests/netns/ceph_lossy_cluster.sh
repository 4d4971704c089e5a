#!/usr/bin/env bash
# tests/netns/ceph_lossy_cluster.sh OUTDIR [LOSS_PERCENT] [LOSSY_OSD]
#
# Starts a real Ceph 16.2 (Pacific, Debian's ceph-mon/ceph-osd/ceph-mgr) mini cluster: one mon and
# one mgr in netns kwc-mon, three memstore OSDs each in its own netns (kwc-o0..2) with its own
# hostname (kwc-h0..2) and two interfaces, public 10.77.16.0/24 and cluster 10.77.17.0/24, on two
# bridges in netns kwc-sw. It writes load with `rados bench`, drops LOSS_PERCENT % (default 30) of
# the packets in both directions on the cluster (back) interface of LOSSY_OSD (default 2) with
# nftables, waits (at most 240 s) for OSD_SLOW_PING_TIME_BACK, and collects into OUTDIR: ceph.log,
# the mon and OSD daemon logs, `ceph health detail` (text and -f json), each OSD's and the mgr's
# `dump_osd_network 0`, and `ceph osd dump|tree|metadata -f json`. Everything is torn down on exit,
# success or not (daemons killed by pid, namespaces deleted, the scratch dir removed).
# Exit 0 when the check was raised and artifacts collected, 1 when it was not, 77 when Ceph or
# root is missing (a skip). Only addresses in 10.77.16.0/20 are used.
set -u
OUT=${1:?usage: ceph_lossy_cluster.sh OUTDIR [LOSS_PERCENT] [LOSSY_OSD]}
LOSS=${2:-30}
LOSSY=${3:-2}
NOSD=3
P=kwc
PUB=10.77.16
CLU=10.77.17

log() { echo "ceph_lossy_cluster: $*" >&2; }
for t in ceph-mon ceph-osd ceph-mgr ceph rados monmaptool nft ip unshare; do
  command -v "$t" >/dev/null || { log "missing $t"; exit 77; }
done
[ "$(id -u)" = 0 ] || { log "needs root"; exit 77; }

W=$(mktemp -d /tmp/kwc-ceph.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leftovers of an earlier run with our prefix.
for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do ip netns del "$ns"; done

# --- network: a switch namespace with two bridges, one namespace per host ---
ip netns add $P-sw
ip -n $P-sw link set lo up
for br in ${P}pub ${P}clu; do
  ip -n $P-sw link add $br type bridge
  ip -n $P-sw link set $br up
done
attach() {  # ns net(p|c) bridge addr
  local ns=$1 kind=$2 br=$3 addr=$4 inner=${P}$5
  ip -n $P-sw link add ${P}$kind-${ns#$P-} type veth peer name "$inner" netns "$ns"
  ip -n $P-sw link set ${P}$kind-${ns#$P-} master "$br" up
  ip -n "$ns" addr add "$addr/24" dev "$inner"
  ip -n "$ns" link set "$inner" up
}
ip netns add $P-mon
ip -n $P-mon link set lo up
attach $P-mon p ${P}pub $PUB.10 pub
for i in $(seq 0 $((NOSD - 1))); do
  ip netns add $P-o$i
  ip -n $P-o$i link set lo up
  attach $P-o$i p ${P}pub $PUB.$((11 + i)) pub
  attach $P-o$i c ${P}clu $CLU.$((11 + i)) clu
done

# --- ceph configuration (auth off: a throw-away cluster on private namespaces) ---
FSID=$(cat /proc/sys/kernel/random/uuid)
CONF=$W/ceph.conf
mkdir -p "$W/run" "$W/log"
cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon_host = v2:$PUB.10:3300/0
public_network = $PUB.0/24
cluster_network = $CLU.0/24
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
auth_allow_insecure_global_id_reclaim = false
mon_warn_on_insecure_global_id_reclaim_allowed = false
ms_bind_msgr1 = false
osd_objectstore = memstore
memstore_device_bytes = 536870912
osd_pool_default_size = 3
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 16
osd_pool_default_pgp_num = 16
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 1
# Quick heartbeats: a ping each second, grace 10 s; slow above 50 ms (default 1000 ms).
osd_heartbeat_interval = 1
osd_heartbeat_grace = 10
mon_warn_on_slow_ping_time = 50
# Failure reports reach the mon, but no OSD is marked down (the seed: mon.eins kept slow ops).
mon_osd_min_down_reporters = 10
mon_osd_reporter_subtree_level = host
mgr_initial_modules =
mon_cluster_log_file = $W/log/ceph.log
run_dir = $W/run
osd_memory_target = 536870912
[mon]
mon_data = $W/mon.\$id
log_file = $W/log/ceph-mon.\$id.log
admin_socket = $W/run/ceph-mon.\$id.asok
[mgr]
mgr_data = $W/mgr.\$id
log_file = $W/log/ceph-mgr.\$id.log
admin_socket = $W/run/ceph-mgr.\$id.asok
[osd]
osd_data = $W/osd.\$id
log_file = $W/log/ceph-osd.\$id.log
admin_socket = $W/run/ceph-osd.\$id.asok
[client]
log_file = /dev/null
admin_socket =
EOF
in_mon() { ip netns exec $P-mon "$@"; }
ceph_() { in_mon timeout 30 ceph -c "$CONF" "$@"; }

monmaptool --create --addv a "[v2:$PUB.10:3300]" --fsid "$FSID" "$W/monmap" >/dev/null || exit 1
mkdir -p "$W/mon.a" "$W/mgr.x"
in_mon ceph-mon -c "$CONF" -i a --mkfs --monmap "$W/monmap" || { log "mon mkfs failed"; exit 1; }
# Started with `ip netns exec` directly (not through a shell function, which would run in a
# subshell): $! must be the daemon's own pid for the cleanup to stop it.
ip netns exec $P-mon ceph-mon -c "$CONF" -i a -f 2>>"$W/stderr.log" &
PIDS+=($!)
ok=0
for _ in $(seq 1 30); do
  if ceph_ mon stat >/dev/null 2>&1; then ok=1; break; fi
  sleep 1
done
[ $ok = 1 ] || { log "mon did not answer in 30 s"; tail -20 "$W/log/ceph-mon.a.log" >&2; exit 1; }
ip netns exec $P-mon ceph-mgr -c "$CONF" -i x -f 2>>"$W/stderr.log" &
PIDS+=($!)

for i in $(seq 0 $((NOSD - 1))); do
  uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph_ osd new "$uuid") || { log "osd new failed"; exit 1; }
  mkdir -p "$W/osd.$id"
  ip netns exec $P-o$i ceph-osd -c "$CONF" -i "$id" --mkfs --osd-uuid "$uuid" \
    --public-addr $PUB.$((11 + i)) --cluster-addr $CLU.$((11 + i)) >"$W/mkfs.$id.log" 2>&1 ||
    { log "osd.$id mkfs failed"; exit 1; }
  ip netns exec $P-o$i unshare --uts sh -c \
    "hostname kwc-h$i; exec ceph-osd -c '$CONF' -i $id -f --public-addr $PUB.$((11 + i)) --cluster-addr $CLU.$((11 + i))" 2>>"$W/stderr.log" &
  PIDS+=($!)
done

ok=0
for _ in $(seq 1 90); do
  up=$(ceph_ osd stat -f json 2>/dev/null | sed -n 's/.*"num_up_osds":\([0-9]*\).*/\1/p')
  if [ "${up:-0}" = $NOSD ]; then ok=1; break; fi
  sleep 1
done
[ $ok = 1 ] || { log "OSDs not up in 90 s"; ceph_ -s >&2; exit 1; }
log "$NOSD OSDs up"
ceph_ osd pool create kw 16 16 >/dev/null 2>&1
ceph_ osd pool application enable kw rados >/dev/null 2>&1
# With one mon the periodic health dump is not armed by ceph.conf; set it at run time.
ceph_ config set mon mon_health_to_clog_interval 60 >/dev/null 2>&1
for _ in $(seq 1 60); do
  if ceph_ pg stat 2>/dev/null | grep -q "16 active+clean"; then break; fi
  sleep 1
done
ip netns exec $P-mon timeout 400 rados -c "$CONF" -p kw bench 400 write -b 4096 -t 8 \
  --no-cleanup >/dev/null 2>&1 &
PIDS+=($!)
sleep 15

date -u +%Y-%m-%dT%H:%M:%SZ >"$W/loss_start"
log "dropping $LOSS% on osd.$LOSSY's back interface"
ip netns exec $P-o$LOSSY nft -f - <<EOF || { log "nft failed"; exit 1; }
table inet $P {
  chain in { type filter hook input priority 0; iifname "${P}clu" numgen random mod 100 < $LOSS drop; }
  chain out { type filter hook output priority 0; oifname "${P}clu" numgen random mod 100 < $LOSS drop; }
}
EOF

raised=0
for _ in $(seq 1 48); do
  sleep 5
  if ceph_ health detail 2>/dev/null | grep -q OSD_SLOW_PING_TIME_BACK; then raised=1; break; fi
done
if [ $raised = 1 ]; then
  log "OSD_SLOW_PING_TIME_BACK raised; letting failure reports and the health dump accumulate"
  sleep 65
else
  log "OSD_SLOW_PING_TIME_BACK not raised within 240 s"
fi

mkdir -p "$OUT"
cp "$W/loss_start" "$OUT/loss_start.txt"
echo "osd.$LOSSY back (cluster network $CLU.$((11 + LOSSY))) loss $LOSS%" >"$OUT/fault.txt"
ceph_ health detail >"$OUT/health-detail.txt" 2>/dev/null
ceph_ health detail -f json-pretty >"$OUT/health-detail.json" 2>/dev/null
ceph_ osd dump -f json-pretty >"$OUT/osd-dump.json" 2>/dev/null
ceph_ osd tree -f json-pretty >"$OUT/osd-tree.json" 2>/dev/null
ceph_ osd metadata -f json-pretty >"$OUT/osd-metadata.json" 2>/dev/null
for i in $(seq 0 $((NOSD - 1))); do
  timeout 20 ceph -c "$CONF" --admin-daemon "$W/run/ceph-osd.$i.asok" dump_osd_network 0 \
    >"$OUT/dump_osd_network-osd$i.json" 2>/dev/null
done
timeout 20 ceph -c "$CONF" --admin-daemon "$W/run/ceph-mgr.x.asok" dump_osd_network 0 \
  >"$OUT/dump_osd_network-mgr.json" 2>/dev/null
cp "$W/log/"*.log "$OUT/" 2>/dev/null
[ $raised = 1 ]
