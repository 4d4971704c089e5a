#include "ingest/ceph_health.h"

#include <nlohmann/json.hpp>

#include "ingest/ceph_log.h"
#include "util/json_field.h"

namespace kiriwake::ingest {

using nlohmann::json;

namespace {

// At most this many damaged detail messages are warned about one by one; the rest are counted.
constexpr int kMaxDetailWarnings = 20;

// Where `s` (as JSON encodes it) next appears in `text` from *from on, advancing *from past it:
// nlohmann writes strings as Ceph does (no "\/", \u only for controls), so a message is found
// where it was written. The file alone when it is not (escaped differently) or there is no text.
SourceLoc Find(std::string_view text, const std::string& s, size_t* from, OffsetLocator* locate,
               const std::string& file) {
  std::string quoted = json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  size_t at = text.find(quoted, *from);
  if (at == std::string_view::npos) return {file, 0, 0};
  *from = at + quoted.size();
  return locate->At(at);
}

}  // namespace

Status ReadCephHealthJson(const json& doc_in, const std::string& file, CephSink* sink,
                          std::string_view text, int64_t* malformed) {
  OffsetLocator locate(text, file);
  int warned = 0;
  int64_t damaged = 0;
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
    // nlohmann iterates keys sorted, not as written: each check is looked for from the start,
    // and its details from where its name was found on.
    size_t cursor = 0;
    SourceLoc check_loc = Find(text, code, &cursor, &locate, file);
    std::string summary;
    if (check.is_object() && check.contains("summary"))
      summary = JsonString(check["summary"], "message");
    // Reuse the log classifier on the Octopus+ header form so both paths agree.
    std::string header = "[WRN] " + code + ": " + summary;
    if (!ClassifyCephMessage(header, &e)) {
      sink->OnWarning({check_loc, "health check \"" + EscapeForMessage(code) +
                                      "\" has no readable summary; skipped"});
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
      std::string why;
      if (ClassifyCephMessage("    " + msg, &de, &why)) {
        if (de.check.empty()) de.check = code;
        sink->OnEvent(de);
      } else if (!why.empty()) {
        ++damaged;
        if (warned < kMaxDetailWarnings) {
          ++warned;
          sink->OnWarning({Find(text, msg, &cursor, &locate, file),
                           "health check \"" + EscapeForMessage(code) + "\" detail looks like " +
                               why + "; skipped: \"" + EscapeForMessage(msg) + "\""});
        }
      }
    }
  }
  if (damaged > warned) {
    sink->OnWarning({{file, 0, 0},
                     std::to_string(damaged) +
                         " health check details looked like Ceph messages "
                         "kiriwake uses but did not parse, and were skipped"});
  }
  if (malformed != nullptr) *malformed += damaged;
  return Status::Ok();
}

}  // namespace kiriwake::ingest
