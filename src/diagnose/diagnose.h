// diagnose/diagnose.h: one call from whatever the user has to a verdict. Recognises each input
// by its content — a topology, observations, saved ping/fping/mtr/Windows output, Ceph logs and
// JSON — runs each analysis, maps addresses and OSDs onto the topology, turns every measurement
// into path observations and localizes. This is the top of the library: it calls ingest, model
// and infer, and report renders its result. Not thread-safe; owns everything it returns.
#ifndef KIRIWAKE_DIAGNOSE_DIAGNOSE_H_
#define KIRIWAKE_DIAGNOSE_DIAGNOSE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "infer/ceph_finding.h"
#include "infer/localize.h"
#include "ingest/ping_log.h"
#include "ingest/prometheus_loss.h"
#include "ingest/promql_client.h"
#include "model/observation.h"
#include "model/topology.h"
#include "timeline/event.h"
#include "timeline/story.h"
#include "util/result.h"
#include "util/status.h"

namespace kiriwake::diagnose {

// Persisted in --json as lowercase strings: DO NOT rename.
enum class InputKind {
  kTopology, kObservations, kPing, kCeph, kLog, kAgentDb, kAgent, kDocumentation, kUnrecognised,
  kUnreadable
};
std::string_view InputKindName(InputKind k);

struct InputFile {
  std::string path;
  InputKind kind = InputKind::kUnrecognised;
  std::string detail;          // e.g. "iputils, 1 session", "ceph log, 20 lines"
  std::string src;             // the endpoint that measured (ping inputs), if known
  Status status;               // why it could not be used (unreadable, unrecognised, malformed)
  std::vector<Diagnostic> warnings;
};

// A ping session with where it came from and how it fed localization.
struct PingEvidence {
  std::string file;
  std::string src;  // "" when unknown
  ingest::PingSession session;
  bool used = false;          // became an observation
  std::string not_used_why;   // when not used
};

// Where an observation came from, parallel to DiagnoseResult::observations.
struct ObservationOrigin {
  std::string what;  // "observations", "ping", "ceph"
  SourceLoc loc;
};

struct DiagnoseOptions {
  std::vector<std::string> inputs;  // files and directories
  std::string topology_path;        // overrides a topology found among the inputs
  std::string src;                  // the sender of ping inputs whose folder names no endpoint
  infer::LocalizeOptions localize;
  // Also read the agents' loss counters from a Prometheus-compatible engine (needs a topology).
  std::optional<ingest::PromQLOptions> prometheus;
  ingest::LossMatrixOptions prometheus_matrix;
  // Clocks of logs without a zone (timeline/inputs.h): --tz ZONE and --tz FILE=ZONE.
  std::optional<std::string> tz;
  std::vector<std::pair<std::string, std::string>> tz_per_file;
  // Live agents to pull observations from (HOST[:PORT], port 9623 by default).
  std::vector<std::string> agents;
  // Only agent history (databases, live agents) newer than this many seconds; 0 = all.
  int64_t last_seconds = 0;
  // Notable timeline events kept for the report (the story sees all of them).
  size_t max_events = 5000;
};

struct DiagnoseResult {
  std::vector<InputFile> inputs;
  std::optional<model::Topology> topology;
  std::string topology_path;
  std::vector<PingEvidence> pings;
  std::optional<infer::CephFinding> ceph;
  std::vector<model::Observation> observations;
  std::vector<ObservationOrigin> origins;
  std::optional<infer::LocalizeResult> localization;
  std::vector<Diagnostic> warnings;
  // Every timed input on one clock, told as one chain (timeline/story.h).
  std::optional<timeline::Story> story;
  std::vector<timeline::Event> events;  // notable events, time order, at most max_events
  uint64_t timeline_events = 0;         // all events merged
  std::vector<std::string> clock_assumptions;  // one per timed input

  bool any_input_failed() const;
  // Ceph evidence that was read but not used for localization (direct measurements won).
  bool ceph_as_corroboration() const { return ceph.has_value() && !ceph_used; }
  bool ceph_used = false;
  // Loss, slow heartbeats or a named culprit: what makes the exit status 1.
  bool problem_found() const;
};

// Errors only when nothing can be read at all (no inputs, a bad --topology); every per-input
// problem is recorded in its InputFile and the run goes on.
Result<DiagnoseResult> Diagnose(const DiagnoseOptions& options);

}  // namespace kiriwake::diagnose

#endif  // KIRIWAKE_DIAGNOSE_DIAGNOSE_H_
