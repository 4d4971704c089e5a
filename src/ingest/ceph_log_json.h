// ingest/ceph_log_json.h: `ceph log last [N] [cluster] -f json` — the cluster log as a JSON array
// of LogEntry::dump objects {"name":"mon.a","rank":"mon.0","addrs":{...},"stamp":
// "2026-11-24T23:29:00.002572+0000","seq":467,"channel":"cluster","priority":"[ERR]",
// "message":"..."} (src/common/LogEntry.cc) -> the same CephEvents as the text cluster log.
// Entries whose message carries nothing we use are skipped silently (they are well-formed); one
// that starts as a message we use but does not parse is warned about and counted.
#ifndef KIRIWAKE_INGEST_CEPH_LOG_JSON_H_
#define KIRIWAKE_INGEST_CEPH_LOG_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "ingest/ceph_event.h"

namespace kiriwake::ingest {

// True when `doc` looks like `ceph log last -f json` output.
bool IsCephLogJson(const nlohmann::json& doc);
// `text` is the document `doc` was parsed from (warnings name an entry's line and column; empty:
// the file only). An entry whose message starts as one kiriwake uses but does not parse is
// warned about and counted in *malformed (if given), as in a text log.
Status ReadCephLogJson(const nlohmann::json& doc, const std::string& file, CephSink* sink,
                       std::string_view text = {}, int64_t* malformed = nullptr);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_CEPH_LOG_JSON_H_
