#include <span>

#include <nlohmann/json.hpp>

#include "report/localize_report.h"

namespace kiriwake::report {

using nlohmann::json;

namespace {

json Example(const LocalizeReport& r, uint32_t idx) {
  const model::Observation& o = r.observations[idx];
  json e;
  e["src"] = r.topology.EndpointName(o.src);
  e["dst"] = r.topology.EndpointName(o.dst);
  e["network"] = r.topology.networks()[o.network].name;
  e["sent"] = o.sent;
  e["lost"] = o.lost;
  e["loss_ratio"] = static_cast<double>(o.lost) / static_cast<double>(o.sent);
  e["source"] = o.loc.ToString();
  return e;
}

json Ids(const model::Topology& t, std::span<const model::ComponentId> ids) {
  json a = json::array();
  for (model::ComponentId c : ids) a.push_back(t.component(c).id);
  return a;
}

}  // namespace

std::string LocalizeJson(const LocalizeReport& r) {
  const infer::LocalizeResult& res = r.result;
  // Persisted contract (docs/json.md): add keys freely; renaming or retyping bumps "schema".
  json doc;
  doc["schema"] = 1;
  doc["culprit_named"] = res.culprit_named();
  json suspects = json::array();
  for (const infer::Suspect& s : res.suspects) {
    json j;
    j["components"] = Ids(r.topology, s.components);
    json kinds = json::array();
    for (model::ComponentId c : s.components) {
      kinds.push_back(model::ComponentKindName(r.topology.component(c).kind));
    }
    j["kinds"] = kinds;
    // The tail of `components` that fits as well only given the other suspects.
    j["alike_given_others"] =
        Ids(r.topology, std::span(s.components).subspan(s.identical_members()));
    j["probability"] = s.probability;
    j["diagnosed"] = s.diagnosed();
    j["loss_estimate"] = s.loss_ratio_estimate;
    json ev;
    ev["lossy_paths"] = s.evidence.lossy_paths;
    ev["weak_paths"] = s.evidence.weak_paths;
    ev["clean_paths"] = s.evidence.clean_paths;
    json ex = json::array();
    for (uint32_t i : s.evidence.examples) {
      if (i < r.observations.size()) ex.push_back(Example(r, i));
    }
    ev["examples"] = ex;
    j["evidence"] = ev;
    suspects.push_back(j);
  }
  doc["suspects"] = suspects;
  json exonerated = json::array();
  for (const infer::Exonerated& e : res.exonerated) {
    exonerated.push_back(r.topology.component(e.component).id);
  }
  doc["exonerated"] = exonerated;
  doc["unobserved"] = Ids(r.topology, res.unobserved);
  json tests = json::array();
  for (const infer::NextTest& t : res.next_tests) {
    json j;
    j["kind"] = infer::NextTestKindName(t.kind);
    j["action"] = t.action;
    j["splits"] = Ids(r.topology, t.splits);
    j["expected_gain"] = t.expected_gain_bits;
    if (t.kind == infer::NextTestKind::kProbe) {
      j["probe"] = {{"src", r.topology.EndpointName(t.src)},
                    {"dst", r.topology.EndpointName(t.dst)},
                    {"network", r.topology.networks()[t.network].name}};
    } else {
      j["probe"] = nullptr;
    }
    tests.push_back(j);
  }
  doc["next_tests"] = tests;
  doc["paths"] = res.paths;
  doc["lossy_paths"] = res.lossy_paths;
  doc["weak_paths"] = res.weak_paths;
  doc["unexplained_lossy_paths"] = res.unexplained_lossy_paths;
  doc["background_loss_ratio"] = res.background_loss_ratio;
  if (res.widespread_loss_ratio > 0) {
    doc["widespread_loss_ratio"] = res.widespread_loss_ratio;
  } else {
    doc["widespread_loss_ratio"] = nullptr;
  }
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace kiriwake::report
