#include "ingest/ceph_osd_network.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "util/json_field.h"

namespace kiriwake::ingest {

using nlohmann::json;

Status ReadCephOsdNetwork(const json& doc, const std::string& file, CephSink* sink) {
  if (!doc.is_object() || !doc.contains("entries") || !doc["entries"].is_array()) {
    return Status::Unrecognized(file + ": not `dump_osd_network` JSON (no \"entries\" array)");
  }
  double threshold = JsonNumber(doc, "threshold");
  int index = 0;
  for (const json& en : doc["entries"]) {
    ++index;
    CephEvent e;
    e.kind = CephEventKind::kPingSample;
    e.loc.file = file;
    e.reporter_osd = JsonInt(en, "from osd");
    e.osd = JsonInt(en, "to osd");
    std::string iface = JsonString(en, "interface");
    e.iface = iface == "back"    ? CephInterface::kBack
              : iface == "front" ? CephInterface::kFront
                                 : CephInterface::kUnknown;
    const json& avg = en.is_object() && en.contains("average") ? en["average"] : json();
    e.ping_ms =
        std::max({JsonNumber(avg, "1min"), JsonNumber(avg, "5min"), JsonNumber(avg, "15min")});
    if (e.reporter_osd < 0 || e.osd < 0 || e.iface == CephInterface::kUnknown || e.ping_ms < 0) {
      sink->OnWarning(
          {{file, 0, 0},
           "dump_osd_network entry " + std::to_string(index) +
               " lacks \"from osd\", \"to osd\", \"interface\" or \"average\"; skipped"});
      continue;
    }
    e.threshold_ms = threshold;
    e.stale = en.contains("stale") && en["stale"].is_boolean() && en["stale"].get<bool>();
    e.check =
        e.iface == CephInterface::kBack ? "OSD_SLOW_PING_TIME_BACK" : "OSD_SLOW_PING_TIME_FRONT";
    sink->OnEvent(e);
  }
  return Status::Ok();
}

}  // namespace kiriwake::ingest
