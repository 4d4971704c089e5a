// model/observation.h: measured loss between two endpoints on one network — the evidence
// `localize` reasons over. Read from JSON Lines, one measurement a line:
//   {"src": "esxi1", "dst": "esxi2", "network": "service", "sent": 73, "lost": 4}
// src and dst are endpoint names or addresses (an address implies its network); optional keys:
// "received" (instead of "lost"), "start"/"end" (the time window, kept as given), "rtt_ms"
// (average RTT), "route" (the component ids the flow was traced through). Unknown keys are
// ignored so enriched lines still load.
// Also reads one `kiriwake ping-log --json` document ({"sessions": [{"target": {"name",
// "address"}, "transmitted", "lost_count", ...}]}) when the source is named with `src`.
//
// Bad lines (unknown endpoint, lost > sent, negative or non-integer counts, a network that no
// path carries) are errors with file:line:col; with `lenient` they become warnings and are
// counted in skipped_lines. Pure functions of their input; results own their strings.
#ifndef KIRIWAKE_MODEL_OBSERVATION_H_
#define KIRIWAKE_MODEL_OBSERVATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/topology.h"
#include "util/result.h"
#include "util/status.h"

namespace kiriwake::model {

struct Observation {
  Endpoint src;
  Endpoint dst;
  int32_t network = -1;
  uint64_t sent = 0;
  uint64_t lost = 0;
  std::string start;                 // time window as written, may be empty
  std::string end;
  std::optional<double> rtt_ms;      // average round-trip time, when given
  // The flow's traced route (component ids, from traceroute or source routing), when given:
  // then its path is certain — no ECMP or teaming guesswork.
  std::vector<ComponentId> route;
  SourceLoc loc;
};

struct ObservationSet {
  std::vector<Observation> observations;
  std::vector<Diagnostic> warnings;  // skipped lines (lenient) and other recoverable findings
  int64_t skipped_lines = 0;
};

struct ObservationOptions {
  bool lenient = false;   // skip bad lines with a warning instead of failing
  std::string src;        // the sender for ping-log documents (`--src NAME`); also a default
                          // for JSON Lines without "src"
};

Result<ObservationSet> ParseObservations(std::string_view text, std::string_view source_name,
                                         const Topology& topology,
                                         const ObservationOptions& options);
// Reads through ingest::LineReader ("-" is stdin; gz/xz/UTF-16 handled).
Result<ObservationSet> LoadObservations(const std::string& path, const Topology& topology,
                                        const ObservationOptions& options);

}  // namespace kiriwake::model

#endif  // KIRIWAKE_MODEL_OBSERVATION_H_
