// infer/simulate.h: a probe simulator for testing and benchmarking localization. Injects K
// faults of chosen component kinds with loss rates drawn from a range, then simulates a probing
// plan — a full mesh of endpoint pairs, or Pingmesh-like sampling of random pairs (Guo et al.,
// SIGCOMM 2015) — where every flow is hashed onto one concrete route (team member, ECMP next
// hops) and its losses are binomial in the route's loss. Returns the observations, the truth,
// and (for the benchmark) each flow's concrete route.
// Deterministic for a given seed. Borrows the Topology; not thread-safe per instance.
#ifndef KIRIWAKE_INFER_SIMULATE_H_
#define KIRIWAKE_INFER_SIMULATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "infer/localize.h"
#include "model/observation.h"
#include "model/topology.h"
#include "util/result.h"

namespace kiriwake::infer {

struct SimOptions {
  int faults = 1;
  // Kinds a fault may hit; empty means cables only (the commonest real culprit).
  std::vector<model::ComponentKind> kinds;
  double min_loss_ratio = 0.02;
  double max_loss_ratio = 0.10;
  // Loss every path sees regardless of faults (ICMP rate limits, congestion).
  double background_loss_ratio = 0.0002;
  uint64_t probes_per_pair = 200;
  // 0: full mesh of all endpoints (hosts, and VMs when include_vms) on every network. >0: this
  // many random (src, dst, network) flows, Pingmesh-style.
  int64_t sampled_pairs = 0;
  // >0 (instead of sampled_pairs): every endpoint probes this many distinct random peers on each
  // network it is on, as each agent of a Pingmesh-like deployment does (fewer when the network
  // has fewer endpoints).
  int peers_per_endpoint = 0;
  bool include_vms = true;
  // Faults only on components some probed route crosses (otherwise nothing could find them).
  bool observable_faults_only = true;
  // Draw faulty components in proportion to their prior (mostly cables, as in the field);
  // false draws uniformly among components of `kinds`.
  bool draw_by_prior = false;
  ComponentPriors priors;
  uint64_t seed = 1;
  // When not empty: exactly these faults (faults, kinds and the loss range are ignored).
  std::vector<std::pair<model::ComponentId, double>> fixed_faults;
  bool keep_routes = false;  // fill Scenario::routes (for known-route benchmarks)
};

struct InjectedFault {
  model::ComponentId component = model::kNoComponent;
  double loss_ratio = 0;
};

struct Scenario {
  std::vector<model::Observation> observations;
  std::vector<InjectedFault> truth;
  std::vector<std::vector<model::ComponentId>> routes;  // per observation, when keep_routes
};

Result<Scenario> Simulate(const model::Topology& topology, const SimOptions& options);

// The scenario's observations on their traced routes (keep_routes), for LocalizePaths: each
// route's components once, certain (weight 1), with the observation's counts and index.
ObservedPaths KnownRoutePaths(const Scenario& scenario);

// Parses "cable,host_port,..." (ComponentKindName values) into kinds.
Result<std::vector<model::ComponentKind>> ParseKinds(std::string_view list);

}  // namespace kiriwake::infer

#endif  // KIRIWAKE_INFER_SIMULATE_H_
