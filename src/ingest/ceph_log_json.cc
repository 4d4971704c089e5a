#include "ingest/ceph_log_json.h"

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ingest/ceph_log.h"
#include "util/json_field.h"

namespace kiriwake::ingest {

using nlohmann::json;

namespace {
// Per document, the damaged entries warned about one by one; the rest are counted and summed up.
constexpr int kMaxCephJsonEntryWarnings = 5;
}  // namespace

bool IsCephLogJson(const json& doc) {
  return doc.is_array() && !doc.empty() && doc[0].is_object() && doc[0].contains("stamp") &&
         doc[0].contains("message");
}

Status ReadCephLogJson(const json& doc, const std::string& file, CephSink* sink,
                       std::string_view text, int64_t* malformed) {
  if (!doc.is_array()) return Status::Unrecognized(file + ": not `ceph log last -f json`");
  // Where each entry starts in `text`, for warnings: file:line:col of the entry's '{'.
  std::vector<size_t> offsets = JsonArrayElementOffsets(text);
  if (offsets.size() != doc.size()) offsets.clear();
  OffsetLocator locate(text, file);
  auto entry_loc = [&](int64_t index) {
    if (offsets.empty()) return SourceLoc{file, 0, 0};
    return locate.At(offsets[static_cast<size_t>(index - 1)]);
  };
  int64_t index = 0;
  int warned = 0;
  for (const json& entry : doc) {
    ++index;
    std::string msg = JsonString(entry, "message");
    std::string stamp = JsonString(entry, "stamp");
    if (msg.empty() && stamp.empty()) {
      sink->OnWarning({entry_loc(index), "log entry " + std::to_string(index) +
                                             " has no \"stamp\" or \"message\"; skipped"});
      continue;
    }
    CephEvent e;
    std::string why;
    if (!ClassifyCephMessage(msg, &e, &why)) {
      if (!why.empty()) {
        if (malformed != nullptr) ++*malformed;
        if (warned < kMaxCephJsonEntryWarnings) {
          ++warned;
          sink->OnWarning({entry_loc(index), "log entry " + std::to_string(index) +
                                                 ": message looks like " + why + "; skipped: \"" +
                                                 EscapeForMessage(msg) + "\""});
        }
      }
      continue;
    }
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
  if (malformed != nullptr && *malformed > warned) {
    sink->OnWarning({{file, 0, 0},
                     std::to_string(*malformed) +
                         " log entries looked like Ceph messages kiriwake uses but did not "
                         "parse, and were skipped"});
  }
  return Status::Ok();
}

}  // namespace kiriwake::ingest
