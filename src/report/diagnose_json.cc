#include <nlohmann/json.hpp>

#include "report/ceph_report.h"
#include "report/diagnose_report.h"
#include "report/localize_report.h"
#include "report/timeline_render.h"

namespace kiriwake::report {

using nlohmann::json;

std::string DiagnoseJson(const diagnose::DiagnoseResult& r) {
  json doc;
  doc["schema"] = 1;
  doc["inputs"] = json::array();
  for (const auto& in : r.inputs) {
    json j;
    j["path"] = in.path;
    j["kind"] = diagnose::InputKindName(in.kind);
    j["detail"] = in.detail;
    j["error"] = in.status.ok() ? json(nullptr) : json(in.status.ToString());
    j["warnings"] = json::array();
    for (const auto& w : in.warnings) j["warnings"].push_back(w.ToString());
    doc["inputs"].push_back(j);
  }
  // Each analysis in its own documented contract.
  PingLogReport pr;
  for (const auto& p : r.pings) pr.sessions.push_back(p.session);
  json pings = json::parse(RenderPingLogJson(pr), nullptr, false);
  doc["ping_log"] = pings.is_discarded() ? json(nullptr) : pings;
  doc["ping_sources"] = json::array();
  for (const auto& p : r.pings) {
    doc["ping_sources"].push_back({{"file", p.file},
                                   {"src", p.src.empty() ? json(nullptr) : json(p.src)},
                                   {"used", p.used},
                                   {"not_used_why", p.used ? json(nullptr) : json(p.not_used_why)}});
  }
  if (r.ceph) {
    json c = json::parse(RenderCephJson(*r.ceph, {}), nullptr, false);
    doc["ceph"] = c.is_discarded() ? json(nullptr) : c;
  } else {
    doc["ceph"] = nullptr;
  }
  if (r.localization && r.topology) {
    json l = json::parse(LocalizeJson(LocalizeReport{*r.topology, r.observations, *r.localization}),
                         nullptr, false);
    doc["localize"] = l.is_discarded() ? json(nullptr) : l;
  } else {
    doc["localize"] = nullptr;
  }
  doc["story"] = r.story ? TimelineStoryJson(*r.story) : json(nullptr);
  doc["timeline_events"] = r.timeline_events;
  doc["clock_assumptions"] = r.clock_assumptions;
  doc["topology"] = r.topology ? json(r.topology_path) : json(nullptr);
  doc["warnings"] = json::array();
  for (const auto& w : r.warnings) doc["warnings"].push_back(w.ToString());
  json verdict;
  verdict["text"] = DiagnoseVerdict(r);
  verdict["problem_found"] = r.problem_found();
  if (r.localization && r.localization->culprit_named() && r.topology) {
    const auto& s = r.localization->suspects.front();
    verdict["culprit"] = r.topology->component(s.components.front()).id;
    verdict["probability"] = s.probability;
    verdict["group"] = json::array();
    for (auto c : s.components) verdict["group"].push_back(r.topology->component(c).id);
  } else {
    verdict["culprit"] = nullptr;
    verdict["probability"] = nullptr;
    verdict["group"] = json::array();
  }
  doc["verdict"] = verdict;
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace kiriwake::report
