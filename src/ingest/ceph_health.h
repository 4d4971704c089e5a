// ingest/ceph_health.h: `ceph health detail -f json` (and `ceph status -f json`, which embeds it)
// -> CephEvents: one kCheckRaised per check (its summary parsed as in the logs) and one event per
// detail line that ceph_log.h can classify (slow ping pairs, OSDs/hosts/mons down).
// Nautilus: {"checks":{CODE:{"severity","summary":{"message"},"detail":[{"message"}]}},"status"};
// Octopus+ adds "summary.count", "muted" and a top-level "mutes" (src/mon/HealthMonitor.cc).
// The text form of `ceph health detail` is read line by line by CephLineParser (ceph_log.h).
// Pure function of the document; results go to the sink. Thread-compatible.
#ifndef KIRIWAKE_INGEST_CEPH_HEALTH_H_
#define KIRIWAKE_INGEST_CEPH_HEALTH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "ingest/ceph_event.h"

namespace kiriwake::ingest {

// `text` (the document as read, when the caller has it) places warnings at a line and column:
// a check without a readable summary at its name, a detail message that starts as one kiriwake
// uses but does not parse at that message. Such details are counted in *malformed (if given),
// like damaged log lines, and warned about, never dropped silently.
Status ReadCephHealthJson(const nlohmann::json& doc, const std::string& file, CephSink* sink,
                          std::string_view text = {}, int64_t* malformed = nullptr);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_CEPH_HEALTH_H_
