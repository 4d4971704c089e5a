// probe/probe_summary.h: turns a stream of ProbeEvents into one model::ProbeSeries per target
// (the same summary ping-log builds from saved output) plus what only a live prober knows: the
// one-way split of losses, reordering and the time window. Used by `kiriwake probe` for the
// whole run and by the agent for each observation window. Not thread-safe.
#ifndef KIRIWAKE_PROBE_PROBE_SUMMARY_H_
#define KIRIWAKE_PROBE_PROBE_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/probe_series.h"
#include "probe/prober.h"

namespace kiriwake::probe {

struct TargetSummary {
  std::string src;      // the probing host's name
  std::string name;     // the target as named by the user or the config
  std::string address;  // numeric address probed
  std::string network;
  std::string proto;    // "udp", "icmp", "tcp"
  model::ProbeSeries series;
  uint64_t reordered = 0;
  // Known only with kiriwake responders (their receive count); none otherwise.
  std::optional<uint64_t> lost_forward, lost_reverse;
  int64_t start_realtime_ns = 0, end_realtime_ns = 0;
};

class SummaryCollector {
 public:
  SummaryCollector(const std::vector<ProbeTarget>& targets, std::string proto, std::string src,
                   int64_t start_realtime_ns);
  void Add(const ProbeEvent& e);
  // Records the one-way split from the prober's counters (UDP only).
  void SetDirections(size_t target, const TargetCounters& c);
  std::vector<TargetSummary> Finish(int64_t end_realtime_ns) const;
  // Starts a new window: every builder empties, the window starts at `start_realtime_ns`.
  void Reset(int64_t start_realtime_ns);

 private:
  // Per target, what Finish() copies into its summary (src and proto are everyone's): 128
  // bytes a target instead of a whole TargetSummary (416) kept between windows.
  struct Base {
    std::string name, address, network;
    std::optional<uint64_t> lost_forward, lost_reverse;
  };
  std::string src_, proto_;
  std::vector<Base> base_;
  std::vector<model::ProbeSeriesBuilder> builders_;
  std::vector<uint64_t> reordered_;
  int64_t start_realtime_ns_;
};

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_PROBE_SUMMARY_H_
