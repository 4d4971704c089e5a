// ingest/ceph_log_json.h: `ceph log last [N] [cluster] -f json` — the cluster log as a JSON array
// of LogEntry::dump objects {"name":"mon.a","rank":"mon.0","addrs":{...},"stamp":
// "2026-11-24T23:29:00.002572+0000","seq":467,"channel":"cluster","priority":"[ERR]",
// "message":"..."} (src/common/LogEntry.cc) -> the same CephEvents as the text cluster log.
// Entries whose message carries nothing we use are skipped silently (they are well-formed).
#ifndef KIRIWAKE_INGEST_CEPH_LOG_JSON_H_
#define KIRIWAKE_INGEST_CEPH_LOG_JSON_H_

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "ingest/ceph_event.h"

namespace kiriwake::ingest {

// True when `doc` looks like `ceph log last -f json` output.
bool IsCephLogJson(const nlohmann::json& doc);
Status ReadCephLogJson(const nlohmann::json& doc, const std::string& file, CephSink* sink);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_CEPH_LOG_JSON_H_
