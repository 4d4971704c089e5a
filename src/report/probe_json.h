// report/probe_json.h: the machine renderings of live probe results, built with nlohmann-json.
// ObservationJson is one line of the observations JSON Lines format that `localize` reads and
// that `--observations`, the agent's /api/v1/observations and `collect` all write (docs/json.md,
// "## observations"). SummaryJson is the richer `kiriwake probe --json` summary record.
// Pure functions; thread-safe.
#ifndef KIRIWAKE_REPORT_PROBE_JSON_H_
#define KIRIWAKE_REPORT_PROBE_JSON_H_

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "probe/probe_summary.h"
#include "probe/prober.h"

namespace kiriwake::report {

// Observations format version; bump on any rename or retype (docs/json.md).
inline constexpr int kObservationSchema = 1;

// RFC 3339 UTC with milliseconds: "2026-11-26T20:31:58.123Z".
std::string Rfc3339Ms(int64_t realtime_ns);

nlohmann::json ObservationJson(const probe::TargetSummary& t);
nlohmann::json SummaryJson(const probe::TargetSummary& t);
nlohmann::json ProbeEventJson(const probe::TargetSummary& t, const probe::ProbeEvent& e);

// One JSON document on one line (JSON Lines), invalid UTF-8 replaced, with '\n'.
std::string JsonLine(const nlohmann::json& j);

}  // namespace kiriwake::report

#endif  // KIRIWAKE_REPORT_PROBE_JSON_H_
