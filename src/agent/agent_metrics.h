// agent/agent_metrics.h: the agent's Prometheus exposition (docs/metrics.md). Counters per
// (peer, network, proto) for sent/answered/lost/late/errored/duplicate probes and an RTT
// histogram with LAN and WAN buckets, plus responder counters. Cardinality is bounded by the
// configuration: per agent, peers × networks series of each name (a removed peer's series are
// dropped on reload). Thread-safe: the probe loop records, the HTTP thread renders.
#ifndef KIRIWAKE_AGENT_AGENT_METRICS_H_
#define KIRIWAKE_AGENT_AGENT_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "probe/prober.h"
#include "probe/responder.h"

namespace kiriwake::agent {

// Seconds. LAN (100 µs .. 10 ms) and WAN (25 ms .. 5 s, where TCP's 1 s / 3 s SYN retries land).
inline constexpr std::array<double, 15> kRttBucketsSeconds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

// One (peer, network, proto) path's counters, as exported.
struct PathCounters {
  uint64_t sent = 0, answered = 0, lost = 0, late = 0, errored = 0, duplicates = 0;
  std::array<uint64_t, kRttBucketsSeconds.size()> buckets{};  // cumulative, as exported
  uint64_t rtt_count = 0;
  double rtt_sum_s = 0;
};
// (peer, network, proto)
using PathKey = std::tuple<std::string, std::string, std::string>;

// The exposition of one agent named `src` (the one format both the agent and the scale test's
// simulated agents serve, so Prometheus sees the same series from either).
std::string RenderExposition(const std::string& src,
                             const std::vector<std::pair<PathKey, PathCounters>>& paths,
                             const probe::ResponderCounters& responder);

class AgentMetrics {
 public:
  explicit AgentMetrics(std::string src) : src_(std::move(src)) {}
  // The set of (peer, network, proto) series; others are dropped (reload).
  void SetPeers(const std::vector<std::tuple<std::string, std::string, std::string>>& peers);
  void Record(const std::string& peer, const std::string& network, const std::string& proto,
              const probe::ProbeEvent& e);
  void SetResponder(const probe::ResponderCounters& c);
  std::string Render() const;

 private:
  using Series = PathCounters;
  using Key = PathKey;
  mutable std::mutex mu_;
  std::string src_;
  std::map<Key, Series> series_;
  probe::ResponderCounters responder_{};
};

}  // namespace kiriwake::agent

#endif  // KIRIWAKE_AGENT_AGENT_METRICS_H_
