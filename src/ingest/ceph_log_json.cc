#include "ingest/ceph_log_json.h"

#include <nlohmann/json.hpp>

#include "ingest/ceph_log.h"
#include "util/json_field.h"

namespace kiriwake::ingest {

using nlohmann::json;

bool IsCephLogJson(const json& doc) {
  return doc.is_array() && !doc.empty() && doc[0].is_object() && doc[0].contains("stamp") &&
         doc[0].contains("message");
}

Status ReadCephLogJson(const json& doc, const std::string& file, CephSink* sink) {
  if (!doc.is_array()) return Status::Unrecognized(file + ": not `ceph log last -f json`");
  int64_t index = 0;
  for (const json& entry : doc) {
    ++index;
    std::string msg = JsonString(entry, "message");
    std::string stamp = JsonString(entry, "stamp");
    if (msg.empty() && stamp.empty()) {
      sink->OnWarning(
          {{file, 0, 0},
           "log entry " + std::to_string(index) + " has no \"stamp\" or \"message\"; skipped"});
      continue;
    }
    CephEvent e;
    if (!ClassifyCephMessage(msg, &e)) continue;
    e.loc.file = file;
    e.source = CephSource::kClusterLog;
    std::string_view s = stamp;
    if (auto t = ConsumeCephTime(&s)) e.time_ms = *t;
    if (e.daemon.empty()) e.daemon = JsonString(entry, "name");
    std::string prio = JsonString(entry, "priority");  // "[WRN]"
    if (e.severity.empty() && prio.size() == 5) e.severity = prio.substr(1, 3);
    if (e.kind == CephEventKind::kWronglyMarkedDown && e.osd < 0) e.osd = CephOsdId(e.daemon);
    if (e.kind == CephEventKind::kSlowOps && e.daemons.empty() && !e.daemon.empty()) {
      e.daemons.push_back(e.daemon);
    }
    sink->OnEvent(e);
  }
  return Status::Ok();
}

}  // namespace kiriwake::ingest
