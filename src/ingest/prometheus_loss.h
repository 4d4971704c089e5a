// ingest/prometheus_loss.h: the pairwise loss matrix (sent and lost probes per source, peer and
// network over a window) read from the agents' counters in a Prometheus-compatible engine.
// Uses increase(), so counter resets after an agent restart are handled with rate() semantics.
// Large results are paged by network (one query per network label value, the values read from
// the label index) so no single answer has to hold the whole mesh; every query is evaluated at
// one instant (the server's time), and the two counters are asked for in parallel. With the
// recording rules of deploy/prometheus/ and a window they record (5m, 1h), the precomputed
// per-pair counts are read instead of evaluating increase() over every raw counter. Stateless; safe
// from any thread.
#ifndef KIRIWAKE_INGEST_PROMETHEUS_LOSS_H_
#define KIRIWAKE_INGEST_PROMETHEUS_LOSS_H_

#include <optional>
#include <string>
#include <vector>

#include "ingest/promql_client.h"
#include "util/result.h"
#include "util/status.h"

namespace kiriwake::ingest {

// Metric and label names the agents export (docs/metrics.md). Persisted in users' dashboards and
// alert rules: DO NOT rename.
inline constexpr const char* kMetricProbesSent = "kiriwake_probe_sent_total";
inline constexpr const char* kMetricProbesLost = "kiriwake_probe_lost_total";
inline constexpr const char* kLabelSrc = "src";
inline constexpr const char* kLabelPeer = "peer";
inline constexpr const char* kLabelNetwork = "network";

struct PairLoss {
  std::string src, peer, network;
  double sent = 0;  // increase() extrapolates, so these are estimates, not integers
  double lost = 0;
};

struct LossMatrixOptions {
  std::string window = "5m";     // a PromQL duration
  std::optional<double> time_s;  // evaluation time; now when unset
  bool page_by_network = true;   // one query per network
  // Read kiriwake:pair_probes_{sent,lost}:increase{5m,1h} (the recording rules in
  // deploy/prometheus/) when the window is one they record and they exist.
  bool use_recorded = true;
};

struct LossMatrix {
  std::vector<PairLoss> pairs;
  std::vector<std::string> warnings;  // server warnings and series we could not use
  size_t queries = 0;
  bool recorded = false;  // read from the recording rules' series, not the raw counters
};

Result<LossMatrix> ReadLossMatrix(const PromQLClient& client, const LossMatrixOptions& options);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_PROMETHEUS_LOSS_H_
