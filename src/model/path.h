// model/path.h: which components a flow from endpoint A to endpoint B on a network crosses.
//
// A flow crosses: the VMs and their host's vswitch, the two hosts, on each side the uplink port,
// its card, its driver, its cable and the switch port at the far end, and the switches,
// inter-switch cables and switch ports between (two VMs on one host: only the VMs, the vswitch
// and the host). Where the route is not known — a team/LAG uplink list, or equal-cost switch paths
// (ECMP) — the flow takes one of the alternatives, unknown which. A Path records that as a
// weight per component: the probability the flow crosses it, assuming each team member and each
// ECMP next hop is equally likely (per-flow hashing). Weight 1 means certain.
//
// PathFinder caches breadth-first searches per switch and switch-pair segments; it borrows the
// Topology (which must outlive it) and is not thread-safe (use one per thread).
#ifndef KIRIWAKE_MODEL_PATH_H_
#define KIRIWAKE_MODEL_PATH_H_

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "model/topology.h"
#include "util/result.h"

namespace kiriwake::model {

struct PathEntry {
  ComponentId component = kNoComponent;
  float weight = 1.0f;  // probability in (0, 1] that the flow crosses this component
};

struct Path {
  std::vector<PathEntry> entries;  // sorted by component, each component once
  bool Certain() const {
    for (const PathEntry& e : entries) {
      if (e.weight < kCertainWeight) return false;
    }
    return true;
  }
  // Weights within float rounding of 1 count as certain.
  static constexpr float kCertainWeight = 0.9999f;
};

class PathFinder {
 public:
  explicit PathFinder(const Topology& topology);
  ~PathFinder();
  PathFinder(const PathFinder&) = delete;
  PathFinder& operator=(const PathFinder&) = delete;

  // The path of a flow a -> b on `network`. NotFound when either endpoint has no uplink on the
  // network or the switches do not connect; Usage when a == b.
  Result<Path> Find(Endpoint a, Endpoint b, int32_t network);

  // One concrete route (for the simulator): team member and ECMP next hops chosen by `flow_hash`
  // the way a switch's hash would. Components in travel order.
  Result<std::vector<ComponentId>> Route(Endpoint a, Endpoint b, int32_t network,
                                         uint64_t flow_hash);

 private:
  struct Bfs {
    std::vector<int32_t> dist;   // hops from the source switch, -1 unreachable
    std::vector<double> count;   // number of shortest paths from the source switch
  };
  const Bfs& BfsFrom(int32_t sw);
  // Marginal weights of the ECMP segment between two different switches; empty if unreachable.
  const std::vector<PathEntry>* Segment(int32_t sa, int32_t sb);
  Status CheckEndpoints(Endpoint a, Endpoint b, int32_t network, int32_t* ha, int32_t* hb,
                        const std::vector<int32_t>** ua, const std::vector<int32_t>** ub) const;

  const Topology& topology_;
  std::vector<std::unique_ptr<Bfs>> bfs_;
  std::unordered_map<uint64_t, std::vector<PathEntry>> segments_;
};

}  // namespace kiriwake::model

#endif  // KIRIWAKE_MODEL_PATH_H_
