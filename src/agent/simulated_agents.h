// agent/simulated_agents.h: the exposition of many agents that do not exist — the scale test's
// load generator (`kiriwake sim-exporter`). Each simulated agent is a source endpoint of a
// `kiriwake sim` run; its paths are that run's observations from it. Counters grow linearly so
// that over any `period` they increase by the observation's sent and lost counts: a Prometheus
// increase() over the period reads back what the simulator measured, so localization from
// Prometheus can be checked against the simulator's truth. The series are rendered by the
// agent's own RenderExposition: Prometheus ingests exactly what real agents would send.
// Immutable after construction; Render is safe from any thread.
#ifndef KIRIWAKE_AGENT_SIMULATED_AGENTS_H_
#define KIRIWAKE_AGENT_SIMULATED_AGENTS_H_

#include <string>
#include <unordered_map>
#include <vector>

#include "model/observation.h"
#include "model/topology.h"

namespace kiriwake::agent {

class SimulatedAgents {
 public:
  // One agent per distinct observation source; `proto` labels every path.
  SimulatedAgents(const model::Topology& topology,
                  const std::vector<model::Observation>& observations, double period_s,
                  std::string proto = "udp");

  // Agent names, in first-seen order.
  const std::vector<std::string>& names() const { return names_; }
  size_t paths() const { return paths_; }

  // The exposition of agent `name` `elapsed_s` seconds after its counters started at zero;
  // false when there is no such agent.
  bool Render(const std::string& name, double elapsed_s, std::string* out) const;

 private:
  struct SimPath {
    std::string peer, network;
    uint64_t sent = 0, lost = 0;  // per period
    double rtt_s = 0;
  };
  double period_s_;
  std::string proto_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::vector<SimPath>> by_agent_;
  size_t paths_ = 0;
};

}  // namespace kiriwake::agent

#endif  // KIRIWAKE_AGENT_SIMULATED_AGENTS_H_
