// ingest/ceph_osd_network.h: `ceph daemon osd.N dump_osd_network [ms]` and the mgr's cluster-wide
// `ceph daemon mgr.X dump_osd_network [ms]` -> one kPingSample CephEvent per entry.
// {"threshold": ms, "entries": [{"last update": ctime, "stale": bool, "from osd": N, "to osd": M,
//  "interface": "back"|"front", "average": {"1min","5min","15min"}, "min": {...}, "max": {...},
//  "last": ms}]} (src/osd/OSD.cc and src/mgr/ClusterState.cc asok_command).
// A sample's ping_ms is the largest of the three averages, the value the mgr compares with
// mon_warn_on_slow_ping_time (src/mon/PGMap.cc); "min" is ignored (the OSD variant fills it from
// "max", a bug in 16.2.15 and 18.2.7). Whether a sample is slow is decided by the analysis.
#ifndef KIRIWAKE_INGEST_CEPH_OSD_NETWORK_H_
#define KIRIWAKE_INGEST_CEPH_OSD_NETWORK_H_

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "ingest/ceph_event.h"

namespace kiriwake::ingest {

Status ReadCephOsdNetwork(const nlohmann::json& doc, const std::string& file, CephSink* sink);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_CEPH_OSD_NETWORK_H_
