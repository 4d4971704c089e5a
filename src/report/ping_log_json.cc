// JSON renderer for ping-log: the contract in docs/json.md ("ping-log"). Persisted by scripts
// and read by other verbs: add keys freely; renaming or retyping one bumps kSchema.
#include <nlohmann/json.hpp>

#include "report/ping_log_report.h"

namespace kiriwake::report {
namespace {

// Persisted in --json: DO NOT change without a NEWS entry.
constexpr int kSchema = 1;

nlohmann::json OrNull(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json Warnings(const std::vector<Diagnostic>& ws) {
  nlohmann::json a = nlohmann::json::array();
  for (const Diagnostic& d : ws) {
    a.push_back({{"source", d.loc.ToString()}, {"message", d.message}});
  }
  return a;
}

nlohmann::json Session(const ingest::PingSession& s) {
  const model::ProbeSeries& ps = s.series;
  nlohmann::json j;
  j["format"] = ingest::PingFormatName(s.format);
  j["source"] = s.source.ToString();
  j["target"] = {
      {"name", s.target_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.target_name)},
      {"address",
       s.target_address.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.target_address)}};
  j["hop"] = s.hop ? nlohmann::json(*s.hop) : nlohmann::json(nullptr);
  j["transmitted"] = ps.transmitted;
  j["received"] = ps.received;
  j["lost"] = ps.LostIds();
  j["lost_count"] = ps.lost_count;
  j["duplicates"] = ps.duplicates;
  j["errors"] = ps.errored;
  j["loss_ratio"] = ps.loss_ratio();
  nlohmann::json bursts = nlohmann::json::array();
  for (const model::LossBurst& b : ps.bursts) {
    bool tail = s.tail_first_id && b.first + b.length - 1 >= *s.tail_first_id;
    bursts.push_back({{"first", b.first}, {"length", b.length}, {"tail", tail}});
  }
  j["bursts"] = std::move(bursts);
  j["first_id"] = s.first_id;
  j["last_id"] = s.last_id >= s.first_id ? nlohmann::json(s.last_id) : nlohmann::json(nullptr);
  j["tail_first_id"] = s.tail_first_id ? nlohmann::json(*s.tail_first_id) : nlohmann::json(nullptr);
  j["summary_only"] = s.summary_only;
  if (ps.rtt) {
    const model::RttSummary& r = *ps.rtt;
    j["rtt_ms"] = {{"min", r.min_ms},   {"median", r.median_ms}, {"p95", r.p95_ms},
                   {"p99", r.p99_ms},   {"max", r.max_ms},       {"mean", r.mean_ms},
                   {"mdev", r.mdev_ms}, {"exact", r.exact},      {"from", "replies"}};
  } else if (s.totals && s.totals->rtt_min_ms && s.totals->rtt_max_ms) {
    const ingest::PingToolTotals& t = *s.totals;
    j["rtt_ms"] = {{"min", OrNull(t.rtt_min_ms)},
                   {"median", nullptr},
                   {"p95", nullptr},
                   {"p99", nullptr},
                   {"max", OrNull(t.rtt_max_ms)},
                   {"mean", OrNull(t.rtt_avg_ms)},
                   {"mdev", OrNull(t.rtt_mdev_ms)},
                   {"exact", false},
                   {"from", "totals"}};
  } else {
    j["rtt_ms"] = nullptr;
  }
  nlohmann::json outliers = nlohmann::json::array();
  for (const model::Outlier& o : ps.outliers)
    outliers.push_back({{"id", o.id}, {"rtt_ms", o.rtt_ms}});
  j["outliers"] = std::move(outliers);
  j["outlier_count"] = ps.outlier_count;
  j["verdict"] = model::VerdictName(ps.verdict);
  if (s.totals) {
    const ingest::PingToolTotals& t = *s.totals;
    j["tool_totals"] = {
        {"source", t.loc.ToString()},
        {"transmitted", t.transmitted},
        {"received", t.received},
        {"duplicates", t.duplicates ? nlohmann::json(*t.duplicates) : nlohmann::json(nullptr)},
        {"errors", t.errors ? nlohmann::json(*t.errors) : nlohmann::json(nullptr)},
        {"loss_percent", OrNull(t.loss_percent)}};
  } else {
    j["tool_totals"] = nullptr;
  }
  j["windows_error_replies"] = s.windows_error_replies;
  j["rounding_bug_corrections"] = s.rounding_bug_corrections;
  j["warnings"] = Warnings(s.warnings);
  return j;
}

}  // namespace

std::string RenderPingLogJson(const PingLogReport& report) {
  nlohmann::json doc;
  doc["schema"] = kSchema;
  nlohmann::json sessions = nlohmann::json::array();
  for (const ingest::PingSession& s : report.sessions) sessions.push_back(Session(s));
  doc["sessions"] = std::move(sessions);
  doc["warnings"] = Warnings(report.file_warnings);
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& [file, message] : report.errors) {
    errors.push_back({{"file", file}, {"message", message}});
  }
  doc["errors"] = std::move(errors);
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace kiriwake::report
