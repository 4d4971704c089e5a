// infer/localize.h: network tomography — from loss measured between endpoint pairs to the
// components (cable, port, card, driver, switch, host, VM) most likely causing it.
//
// Model. Each component is healthy or faulty; a faulty one drops a fraction r of the packets
// crossing it (its own loss rate, estimated). Every path also loses a background fraction b
// (congestion, rate limits on ICMP) that nobody is blamed for. An observation of n probes with m
// lost is binomial in the path's loss; where the route is uncertain (teaming, ECMP) a flow crosses
// an uncertain component with the path weight w, so its likelihood is a mixture. Priors per
// component kind (ComponentPriors) say how often each kind is the culprit.
//
// Search. Components no observation can tell apart (identical path incidence) form one
// ambiguity group and are searched as one unit. Faults are added greedily while the best group's
// log-likelihood gain exceeds its prior log-odds, so any number of simultaneous faults is found;
// each chosen group's probability compares it with its competitors given the other faults.
//
// Pure function of its inputs; the result owns its data and refers to components by id.
// Thread-compatible: concurrent calls on different inputs are fine.
#ifndef KIRIWAKE_INFER_LOCALIZE_H_
#define KIRIWAKE_INFER_LOCALIZE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/observation.h"
#include "model/path.h"
#include "model/topology.h"
#include "util/result.h"

namespace kiriwake::infer {

// Prior probability that one component of a kind is faulty in an incident being investigated.
// The ordering follows field studies of data-centre failures: links — cables and their optics or
// DAC connectors — fail far more often than the devices they join (Gill et al., "Understanding
// Network Failures in Data Centers", SIGCOMM 2011: links and ToR links dominate; Zhuo et al.,
// "Understanding and Mitigating Packet Corruption in Data Center Networks", SIGCOMM 2017: most
// corruption comes from dirty or damaged connectors, fibres and decaying transceivers). Absolute
// values only shift how much evidence a diagnosis needs; the ratios matter. Override per kind
// (--prior kind=value) or per cable (`prior:` in the topology).
struct ComponentPriors {
  double cable_dac = 0.02;     // passive copper twinax: connector wear, bent cables
  double cable_fiber = 0.02;   // fibre + optics: dirty connectors, failing transceivers
  double cable_copper = 0.01;  // RJ45 copper: sturdier, but still the weakest link
  double cable_other = 0.015;  // medium unknown
  double host_port = 0.002;    // a NIC port (cage, PHY)
  double switch_port = 0.002;  // a switch port (cage, PHY)
  double card = 0.001;         // a whole NIC card
  double driver = 0.001;       // a NIC driver on one host (e.g. after an upgrade)
  double vswitch = 0.0005;     // a hypervisor's virtual switch
  double host = 0.001;         // a host's stack (CPU, memory, kernel) dropping packets
  double vm = 0.001;           // a VM's stack
  double switch_ = 0.0005;     // a whole switch (backplane, firmware)

  double For(const model::Component& c) const;
  // Sets one value by name ("dac", "fiber", "copper", "cable", "host_port", "switch_port",
  // "card", "driver", "vswitch", "host", "vm", "switch"); false for an unknown name.
  bool Set(std::string_view name, double value);
};

struct LocalizeOptions {
  ComponentPriors priors;
  // Loss every path may show without blaming anyone: 0.1% covers ICMP rate limiting and light
  // congestion on a LAN; a path needs significantly more to count as lossy.
  double background_loss_ratio = 0.001;
  // A path is "lossy" in the evidence counts when its loss is this improbable under background
  // loss alone (one-sided binomial tail).
  double lossy_p_value = 1e-3;
  // Groups at least this likely are reported (below 0.5 as "possible", not diagnosed).
  double report_probability = 0.05;
  int max_faults = 100;
  int max_examples = 3;
  int max_next_tests = 6;
  // Probing advice considers at most this many unmeasured endpoint pairs (sampled beyond).
  int max_probe_candidates = 20000;
  // The exchange search's work budget, as a multiple of the greedy passes' work (Engine::Run
  // says why); 0: trials are limited in number only (localize_bench measures the difference).
  int exchange_work_factor = 20;
  // Name, in a chosen fault's group, the components that fit exactly as well in its place given
  // the other faults (Suspect::alike_given_others). Off: path-identical groups only, as before
  // (localize_bench compares the two).
  bool name_alike_given_others = true;
};

// One measured path's counts (several observations of the same flow are merged).
struct PathCounts {
  uint64_t sent = 0;
  uint64_t lost = 0;
  // The flow's first observation (an index into the caller's list), the one evidence examples
  // cite; kNoObservation when the caller has none. One index, not the list of all of them: a
  // million single-observation flows would otherwise be a million allocations.
  uint32_t first_observation = kNoObservation;
  static constexpr uint32_t kNoObservation = UINT32_MAX;
};

// The measured paths: path i crosses paths[i] and was measured counts[i]. Flat, like
// model::PathSet, so that FindFolded's million paths move in whole.
struct ObservedPaths {
  model::PathSet paths;
  std::vector<PathCounts> counts;

  size_t size() const { return counts.size(); }
  void Add(std::span<const model::PathEntry> entries, PathCounts c) {
    paths.Add(entries);
    counts.push_back(c);
  }
};

struct Evidence {
  int64_t lossy_paths = 0;  // loss beyond background, significant on the path alone
  // Some loss, more than background would likely give, but not significant on the path alone:
  // several such paths through one component can convict it together, so they are neither
  // lossy nor clean.
  int64_t weak_paths = 0;
  int64_t clean_paths = 0;
  std::vector<uint32_t> examples;  // observation indices, lossy ones first
};

struct Suspect {
  std::vector<model::ComponentId> components;  // the ambiguity group, most likely first
  double probability = 0;                      // >= 0.5: diagnosed faulty
  // The last this many of `components` are not path-identical to the first: they fit the
  // measurements exactly as well in its place only given the other faults named (a card under
  // two lossy cables, for one of them). The priors alone rank them.
  size_t alike_given_others = 0;
  // How many of `components`, from the first, have identical path incidence.
  size_t identical_members() const { return components.size() - alike_given_others; }
  double loss_ratio_estimate = 0;              // the group's own loss rate
  Evidence evidence;
  bool diagnosed() const { return probability >= 0.5; }
};

struct Exonerated {
  model::ComponentId component = model::kNoComponent;
  int64_t lossy_paths = 0;  // lossy paths it lies on (explained by the suspects)
  int64_t clean_paths = 0;
};

// Persisted in --json as lowercase strings: DO NOT rename.
enum class NextTestKind { kProbe, kMoveUplink, kSwapCable };
std::string_view NextTestKindName(NextTestKind k);  // "probe", "move_uplink", "swap_cable"

struct NextTest {
  NextTestKind kind = NextTestKind::kProbe;
  std::string action;                      // what to do, in words
  std::vector<model::ComponentId> splits;  // the components this test separates from the rest
  double expected_gain_bits = 0;           // expected reduction of uncertainty (entropy)
  // For probes: the pair to measure.
  model::Endpoint src, dst;
  int32_t network = -1;
};

struct LocalizeResult {
  std::vector<Suspect> suspects;       // by probability, highest first
  std::vector<Exonerated> exonerated;  // observed, not suspected; those on lossy paths first
  std::vector<model::ComponentId> unobserved;  // no measured path crosses them
  std::vector<NextTest> next_tests;            // by expected gain, highest first
  int64_t paths = 0;
  int64_t lossy_paths = 0;
  int64_t weak_paths = 0;  // some loss, but not significant on the path alone (Evidence)
  int64_t unexplained_lossy_paths = 0;  // lossy paths no reported suspect lies on
  double background_loss_ratio = 0;
  // Nonzero when loss is widespread: most paths lost packets, far more than the background
  // would touch, and five or more culprits were named to explain it. Then it is the median
  // path's loss ratio: the fabric may simply lose that much everywhere (rerun with it as the
  // background), or share something the topology does not show.
  double widespread_loss_ratio = 0;
  bool culprit_named() const { return !suspects.empty() && suspects.front().diagnosed(); }
};

// Localizes from parsed observations (paths computed here). Errors only for paths that cannot be
// computed (the observation parser already rejects those).
Result<LocalizeResult> Localize(const model::Topology& topology,
                                const std::vector<model::Observation>& observations,
                                const LocalizeOptions& options);

// The engine on precomputed paths (the benchmark and simulator use it directly). next_tests
// probes are only proposed when `finder` is given. When the paths are folded
// (PathFinder::FindFolded), `representative` maps every component to the one whose entries stand
// for it, so groups, priors and the exonerated list still name every member.
LocalizeResult LocalizePaths(const model::Topology& topology,
                             const ObservedPaths& paths,
                             const LocalizeOptions& options, model::PathFinder* finder = nullptr,
                             const std::vector<model::Observation>* observations = nullptr,
                             const std::vector<model::ComponentId>* representative = nullptr);

// A given set of faulty components scored as Localize scores its answer: each fault's loss rate
// refitted given the others, the log-likelihood of every path over none faulty, and the
// objective Localize maximises (that plus each fault's prior log-odds less its rate price).
// Components of one ambiguity group count once. `representative` as for LocalizePaths, when the
// paths are folded. For analysis: localize_bench compares the injected faults with the answer,
// to tell a miss the search could have avoided (the truth scores higher) from one the model
// itself prefers.
struct FaultSetFit {
  struct Fault {
    std::vector<model::ComponentId> group;  // the fault's ambiguity group
    double rate = 0;                        // refitted loss rate
    double probes = 0;                      // probes on the paths it crosses
    double log_odds = 0;                    // prior log-odds less the rate price
  };
  std::vector<Fault> faults;
  double log_likelihood = 0;
  double score = 0;
};
FaultSetFit FitFaultSet(const model::Topology& topology, const ObservedPaths& paths,
                        const LocalizeOptions& options,
                        const std::vector<model::ComponentId>& faults,
                        const std::vector<model::ComponentId>* representative = nullptr);

}  // namespace kiriwake::infer

#endif  // KIRIWAKE_INFER_LOCALIZE_H_
