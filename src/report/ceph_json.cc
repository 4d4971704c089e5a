// report/ceph_json.cc: `kiriwake ceph --json` and `--observations` (contract: docs/json.md).
#include <nlohmann/json.hpp>

#include "report/ceph_report.h"

namespace kiriwake::report {

// Insertion order, so "schema" and "verdict" come first for a person reading the document.
using json = nlohmann::ordered_json;
using ingest::kNoTime;

namespace {

// Persisted in --json: bump "schema" when a key is renamed or retyped.
constexpr int kCephJsonSchema = 1;

json Time(int64_t ms) { return ms == kNoTime ? json(nullptr) : json(FormatCephTime(ms)); }
json Num(double v) { return v < 0 ? json(nullptr) : json(v); }
json Str(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
json Osd(int id) { return id < 0 ? json(nullptr) : json(id); }

std::string Dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

json Endpoint(const infer::CephEndpoint& ep) {
  return {
      {"osd", ep.osd},
      {"host", Str(ep.host)},
      {"address", Str(ep.address)},
      {"address_network", Str(ep.address_network)},
      {"interface", ingest::CephInterfaceName(ep.iface)},
      {"interface_reason", Str(ep.iface_reason)},
      {"slow_pairs", {{"with", ep.slow_pairs_with}, {"total", ep.slow_pairs_total}}},
      {"slow_pairs_on_interface",
       {{"with", ep.slow_iface_pairs_with}, {"total", ep.slow_iface_pairs_total}}},
      {"failure_reports",
       {{"with", ep.failure_reports_with},
        {"total", ep.failure_reports_total},
        {"against", ep.failure_reports_against}}},
      {"heartbeat_no_reply_pairs", {{"with", ep.no_reply_with}, {"total", ep.no_reply_total}}},
      {"slow_op_owners", {{"with", ep.slow_op_owners_with}, {"total", ep.slow_op_owners_total}}},
      {"osds_down", {{"with", ep.down_with}, {"total", ep.down_total}}},
      {"in_every_slow_pair", ep.in_every_slow_pair()},
      {"max_ping_ms", Num(ep.max_ping_ms)},
      {"explained", ep.explained},
      {"evidence", ep.evidence},
      {"explained_ratio", ep.explained_ratio()},
      {"summary", CephSuspectLine(ep)},
  };
}

}  // namespace

std::string RenderCephJson(const infer::CephFinding& f, const std::vector<CephInputSummary>& in) {
  json j;
  j["schema"] = kCephJsonSchema;
  j["verdict"] = f.problem ? "problem" : "healthy";
  j["suspect"] = f.ranking.empty() ? json(nullptr) : Endpoint(f.ranking.front());
  j["ranking"] = json::array();
  for (const auto& ep : f.ranking) j["ranking"].push_back(Endpoint(ep));
  j["time_span"] = {{"start", Time(f.start_ms)},
                    {"end", Time(f.end_ms)},
                    {"seconds", f.start_ms == kNoTime ? json(nullptr)
                                                      : json((f.end_ms - f.start_ms) / 1000.0)}};
  j["slow_ping_threshold_ms"] = f.slow_ping_threshold_ms;
  j["checks"] = json::array();
  for (const auto& c : f.checks) {
    j["checks"].push_back({{"code", c.code},
                           {"analysed", c.analysed},
                           {"recognised", c.recognised},
                           {"first", Time(c.first_ms)},
                           {"last", Time(c.last_ms)},
                           {"raised", c.raised},
                           {"updated", c.updated},
                           {"cleared", c.cleared},
                           {"listed", c.snapshots},
                           {"active", c.active},
                           {"severity", Str(c.severity)},
                           {"summary", Str(c.last_summary)},
                           {"longest_ping_ms", Num(c.max_ping_ms)},
                           {"first_seen_at", c.first_loc.ToString()}});
  }
  j["pairs"] = json::array();
  for (const auto& p : f.pairs) {
    j["pairs"].push_back({{"interface", ingest::CephInterfaceName(p.iface)},
                          {"from_osd", p.from_osd},
                          {"to_osd", p.to_osd},
                          {"slow", p.slow()},
                          {"samples", p.samples},
                          {"slow_samples", p.slow_samples},
                          {"max_ping_ms", Num(p.max_ms)},
                          {"to_down", p.down},
                          {"first", Time(p.first_ms)},
                          {"last", Time(p.last_ms)}});
  }
  j["failure_reports"] = json::array();
  for (const auto& x : f.failures) {
    j["failure_reports"].push_back({{"reporter_osd", x.reporter_osd},
                                    {"target_osd", x.target_osd},
                                    {"reports", x.reports},
                                    {"canceled", x.canceled},
                                    {"first", Time(x.first_ms)}});
  }
  j["heartbeat_no_reply"] = json::array();
  for (const auto& x : f.no_replies) {
    j["heartbeat_no_reply"].push_back({{"reporter_osd", Osd(x.reporter_osd)},
                                       {"peer_osd", x.peer_osd},
                                       {"peer_address", Str(x.peer_addr)},
                                       {"lines", x.lines},
                                       {"back_silent_longer", x.back_stale},
                                       {"front_silent_longer", x.front_stale},
                                       {"first", Time(x.first_ms)},
                                       {"last", Time(x.last_ms)}});
  }
  j["slow_ops"] = json::array();
  for (const auto& x : f.slow_ops) {
    j["slow_ops"].push_back({{"daemon", x.daemon},
                             {"reports", x.reports},
                             {"max_ops", x.max_ops},
                             {"max_blocked_s", Num(x.max_blocked_sec)},
                             {"failure_targets", x.failure_targets},
                             {"oldest_op", Str(x.example)},
                             {"first", Time(x.first_ms)}});
  }
  j["osd_states"] = json::array();
  for (const auto& x : f.osd_states) {
    j["osd_states"].push_back({{"osd", x.osd},
                               {"down", x.down},
                               {"wrongly_marked_down", x.wrongly_marked_down},
                               {"boots", x.boots},
                               {"first_down", Time(x.first_down_ms)}});
  }
  j["osds"] = json::array();
  for (const auto& o : f.osds) {
    j["osds"].push_back({{"osd", o.id},
                         {"hostname", Str(o.hostname)},
                         {"crush_host", Str(o.crush_host)},
                         {"public_ip", Str(o.public_ip)},
                         {"cluster_ip", Str(o.cluster_ip)},
                         {"public_addr", Str(o.public_addr)},
                         {"cluster_addr", Str(o.cluster_addr)},
                         {"front_iface", Str(o.front_iface)},
                         {"back_iface", Str(o.back_iface)},
                         {"up", o.up < 0 ? json(nullptr) : json(o.up == 1)}});
  }
  j["inputs"] = json::array();
  for (const auto& i : in) {
    j["inputs"].push_back({{"file", i.file},
                           {"kind", ingest::CephInputKindName(i.stats.kind)},
                           {"error", i.failed},
                           {"lines", i.stats.lines},
                           {"events", i.stats.events},
                           {"continuation_lines", i.stats.continuation_lines},
                           {"unknown_lines", i.stats.unknown_lines},
                           {"malformed_lines", i.stats.malformed_lines},
                           {"bytes", i.stats.bytes}});
  }
  return Dump(j) + "\n";
}

std::string RenderCephObservations(const infer::CephFinding& f) {
  std::string out;
  for (const auto& o : infer::CephObservations(f)) {
    json j = {{"src", Str(o.src)},
              {"dst", Str(o.dst)},
              {"network", o.network},
              {"sent", o.sent},
              {"lost", o.lost},
              {"source", "ceph"},
              {"kind", "ceph_heartbeat"},
              {"interface", ingest::CephInterfaceName(o.iface)},
              {"src_osd", o.src_osd},
              {"dst_osd", o.dst_osd},
              {"max_ping_ms", Num(o.max_ping_ms)}};
    out += j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  }
  return out;
}

}  // namespace kiriwake::report
