#include "report/probe_json.h"

#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace kiriwake::report {

std::string Rfc3339Ms(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  int64_t ms = (ns % 1'000'000'000) / 1'000'000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  tm t{};
  gmtime_r(&secs, &t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.tm_year + 1900, t.tm_mon + 1,
                     t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ms);
}

namespace {
nlohmann::json RttJson(const model::ProbeSeries& s) {
  if (!s.rtt) return nullptr;
  const model::RttSummary& r = *s.rtt;
  return {{"min", r.min_ms},       {"median", r.median_ms}, {"p95", r.p95_ms},
          {"p99", r.p99_ms},       {"max", r.max_ms},       {"mean", r.mean_ms},
          {"mdev", r.mdev_ms}};
}
nlohmann::json Optional(const std::optional<uint64_t>& v) {
  if (!v) return nullptr;
  return *v;
}
}  // namespace

nlohmann::json ObservationJson(const probe::TargetSummary& t) {
  const model::ProbeSeries& s = t.series;
  nlohmann::json j;
  j["schema"] = kObservationSchema;
  j["src"] = t.src;
  j["dst"] = t.name;
  j["dst_address"] = t.address;
  j["network"] = t.network.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.network);
  j["proto"] = t.proto;
  j["sent"] = s.transmitted;
  j["lost"] = s.lost_count;
  j["errored"] = s.errored;
  j["late"] = s.late;
  j["duplicates"] = s.duplicates.size();
  j["reordered"] = t.reordered;
  j["lost_forward"] = Optional(t.lost_forward);
  j["lost_reverse"] = Optional(t.lost_reverse);
  j["rtt_ms"] = RttJson(s);
  j["start"] = Rfc3339Ms(t.start_realtime_ns);
  j["end"] = Rfc3339Ms(t.end_realtime_ns);
  return j;
}

nlohmann::json SummaryJson(const probe::TargetSummary& t) {
  const model::ProbeSeries& s = t.series;
  nlohmann::json j = ObservationJson(t);
  j["type"] = "summary";
  j["verdict"] = model::VerdictName(s.verdict);
  j["received"] = s.received;
  j["loss_ratio"] = s.loss_ratio();
  nlohmann::json bursts = nlohmann::json::array();
  for (const auto& b : s.bursts) bursts.push_back({{"first", b.first}, {"length", b.length}});
  j["lost_bursts"] = bursts;
  nlohmann::json outliers = nlohmann::json::array();
  for (const auto& o : s.outliers) outliers.push_back({{"seq", o.id}, {"rtt_ms", o.rtt_ms}});
  j["outliers"] = outliers;
  j["outlier_count"] = s.outlier_count;
  return j;
}

nlohmann::json ProbeEventJson(const probe::TargetSummary& t, const probe::ProbeEvent& e) {
  nlohmann::json j;
  j["type"] = probe::ProbeOutcomeName(e.outcome);
  j["dst"] = t.name;
  j["dst_address"] = t.address;
  j["network"] = t.network.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.network);
  j["seq"] = e.seq;
  j["sent"] = Rfc3339Ms(e.sent_realtime_ns);
  bool has_rtt = e.outcome == probe::ProbeOutcome::kAnswered ||
                 e.outcome == probe::ProbeOutcome::kLate ||
                 e.outcome == probe::ProbeOutcome::kDuplicate;
  j["rtt_ms"] = has_rtt ? nlohmann::json(e.rtt_ms) : nlohmann::json(nullptr);
  j["error"] = e.outcome == probe::ProbeOutcome::kErrored
                   ? nlohmann::json(std::strerror(e.error_errno))
                   : nlohmann::json(nullptr);
  return j;
}

std::string JsonLine(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace kiriwake::report
