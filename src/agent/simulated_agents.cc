#include "agent/simulated_agents.h"

#include <algorithm>
#include <cmath>

#include "agent/agent_metrics.h"

namespace kiriwake::agent {

namespace {
// A LAN round trip when the simulator gave none (sim does not model latency).
constexpr double kDefaultRttSeconds = 0.0003;
}  // namespace

SimulatedAgents::SimulatedAgents(const model::Topology& topology,
                                 const std::vector<model::Observation>& observations,
                                 double period_s, std::string proto)
    : period_s_(period_s > 0 ? period_s : 1), proto_(std::move(proto)) {
  for (const model::Observation& o : observations) {
    const std::string& src = topology.EndpointName(o.src);
    auto [it, fresh] = by_agent_.try_emplace(src);
    if (fresh) names_.push_back(src);
    SimPath p;
    p.peer = topology.EndpointName(o.dst);
    p.network = topology.networks()[o.network].name;
    p.sent = o.sent;
    p.lost = std::min(o.lost, o.sent);
    p.rtt_s = o.rtt_ms ? *o.rtt_ms / 1e3 : kDefaultRttSeconds;
    it->second.push_back(std::move(p));
    ++paths_;
  }
}

bool SimulatedAgents::Render(const std::string& name, double elapsed_s, std::string* out) const {
  auto it = by_agent_.find(name);
  if (it == by_agent_.end()) return false;
  double periods = std::max(0.0, elapsed_s) / period_s_;
  std::vector<std::pair<PathKey, PathCounters>> paths;
  paths.reserve(it->second.size());
  for (const SimPath& p : it->second) {
    PathCounters c;
    // floor() keeps both counters monotonic and lost <= sent at every instant.
    c.sent = static_cast<uint64_t>(std::floor(static_cast<double>(p.sent) * periods));
    c.lost =
        std::min(c.sent, static_cast<uint64_t>(std::floor(static_cast<double>(p.lost) * periods)));
    c.answered = c.sent - c.lost;
    for (size_t i = 0; i < kRttBucketsSeconds.size(); ++i) {
      c.buckets[i] = p.rtt_s <= kRttBucketsSeconds[i] ? c.answered : 0;
    }
    c.rtt_count = c.answered;
    c.rtt_sum_s = p.rtt_s * static_cast<double>(c.answered);
    paths.emplace_back(PathKey{p.peer, p.network, proto_}, c);
  }
  *out = RenderExposition(name, paths, probe::ResponderCounters{});
  return true;
}

}  // namespace kiriwake::agent
