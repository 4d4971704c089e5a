#include "ingest/ceph_health.h"

#include <nlohmann/json.hpp>

#include "ingest/ceph_log.h"
#include "util/json_field.h"

namespace kiriwake::ingest {

using nlohmann::json;

Status ReadCephHealthJson(const json& doc_in, const std::string& file, CephSink* sink) {
  const json* doc = &doc_in;
  if (doc->is_object() && !doc->contains("checks") && doc->contains("health")) {
    doc = &(*doc)["health"];  // `ceph status -f json`
  }
  if (!doc->is_object() || !doc->contains("checks") || !(*doc)["checks"].is_object()) {
    return Status::Unrecognized(file + ": not `ceph health detail -f json` (no \"checks\" object)");
  }
  std::string status = JsonString(*doc, "status");
  if (status == "HEALTH_OK") {
    CephEvent e;
    e.kind = CephEventKind::kHealthy;
    e.loc.file = file;
    e.text = status;
    sink->OnEvent(e);
  }
  for (const auto& [code, check] : (*doc)["checks"].items()) {
    CephEvent e;
    e.loc.file = file;
    std::string summary;
    if (check.is_object() && check.contains("summary"))
      summary = JsonString(check["summary"], "message");
    // Reuse the log classifier on the Octopus+ header form so both paths agree.
    std::string header = "[WRN] " + code + ": " + summary;
    if (!ClassifyCephMessage(header, &e)) {
      sink->OnWarning({{file, 0, 0}, "health check \"" + code + "\" has no readable summary"});
      continue;
    }
    e.severity = JsonString(check, "severity");
    if (check.contains("muted") && check["muted"].is_boolean() && check["muted"].get<bool>()) {
      e.text += " (muted)";
    }
    sink->OnEvent(e);
    if (!check.contains("detail") || !check["detail"].is_array()) continue;
    for (const json& d : check["detail"]) {
      std::string msg = JsonString(d, "message");
      CephEvent de;
      de.loc.file = file;
      if (ClassifyCephMessage("    " + msg, &de)) {
        if (de.check.empty()) de.check = code;
        sink->OnEvent(de);
      }
    }
  }
  return Status::Ok();
}

}  // namespace kiriwake::ingest
