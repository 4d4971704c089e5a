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
#include <span>
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

// A flow whose path FindFolded computes.
struct Flow {
  Endpoint src, dst;
  int32_t network = -1;
  // A traced route (component ids): certain, used as given instead of the topology's routes.
  const std::vector<ComponentId>* route = nullptr;
};

// The flows FindFolded reads, by index, in place in the caller's records: a million
// observations need not be copied into a vector of Flow first (at k=48 that copy was 32 MB of
// pages touched for the first time, 0.09 s on the benchmark VM). Borrows what it is made from,
// which must outlive it.
class FlowSource {
 public:
  // Implicit: a vector of flows is a source.
  FlowSource(const std::vector<Flow>& flows)  // NOLINT(google-explicit-constructor)
      : size_(flows.size()), context_(&flows), at_([](const void* context, size_t i) {
          return (*static_cast<const std::vector<Flow>*>(context))[i];
        }) {}
  // n flows, flow i being flow_at(i).
  template <class FlowAt>
  FlowSource(size_t n, const FlowAt& flow_at)
      : size_(n), context_(&flow_at), at_([](const void* context, size_t i) {
          return Flow((*static_cast<const FlowAt*>(context))(i));
        }) {}

  size_t size() const { return size_; }
  Flow operator[](size_t i) const { return at_(context_, i); }

 private:
  size_t size_;
  const void* context_;
  Flow (*at_)(const void*, size_t);
};

// Many paths in two allocations. Why: FindFolded makes a million paths at k=48, and a vector
// each was a million allocations from a heap that earlier phases had fragmented. A path's
// entries are contiguous (sorted by component, each once, as in Path); paths sit in the order
// they were set, not necessarily in index order.
class PathSet {
 public:
  PathSet() = default;
  // `paths` empty paths, to be set by Set() in any order.
  explicit PathSet(size_t paths) : spans_(paths) {}

  size_t size() const { return spans_.size(); }
  std::span<const PathEntry> operator[](size_t i) const {
    return {entries_.data() + spans_[i].begin, spans_[i].size};
  }
  // Appends a path.
  void Add(std::span<const PathEntry> entries);
  // Room for path i's n entries, for the caller to write before the next Set or Add (which may
  // move the entries); path i's old entries, if any, are left unused.
  std::span<PathEntry> Set(size_t i, size_t n);
  // Entries of all paths together, for reserving room up front.
  size_t entries() const { return entries_.size(); }
  void ReserveEntries(size_t n) { entries_.reserve(n); }

 private:
  struct Span {
    uint64_t begin = 0;
    uint64_t size = 0;
  };
  std::vector<Span> spans_;
  std::vector<PathEntry> entries_;
};

// The paths of many flows, with interchangeable components folded into one representative.
struct FoldedPaths {
  // Per flow: entries only for representatives, with the weight each of its members has.
  PathSet paths;
  // Per component: the representative that stands for it (itself for a representative), or
  // kNoComponent when no flow crosses it.
  std::vector<ComponentId> representative;
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
  // The same errors as Find without building the path: whether a -> b has one.
  Status Check(Endpoint a, Endpoint b, int32_t network);
  // Only the components a -> b crosses for certain (weight 1): what a probe on that pair would
  // surely test. Cheap even where Find's ECMP segments are thousands of entries long.
  Result<Path> FindCertain(Endpoint a, Endpoint b, int32_t network);

  // The paths of all `flows` at once, folding every set of components that each flow crosses
  // with the same weight (so no measurement of these flows can tell them apart) into one
  // representative. Why: with ECMP routes unknown, a flow between two pods of a k=34 fat-tree
  // crosses ~2,000 components with weight 1/289 or so; 200,000 such flows are 400M path entries
  // and minutes of work, yet every one of them crosses a pod's whole core-facing tier alike.
  // Folding happens before any path is materialised: a random linear signature
  // sum_f R(f) w_f(c) mod 2^61-1 per component, computed by pushing each flow's mass down its
  // sink's shortest-path DAG, and equal signatures (two independent ones) are one class.
  // NotFound/Usage as Find, with the failing flow's index in *failed_flow.
  Result<FoldedPaths> FindFolded(const FlowSource& flows, size_t* failed_flow);

  // One concrete route (for the simulator): team member and ECMP next hops chosen by `flow_hash`
  // the way a switch's hash would. Components in travel order.
  Result<std::vector<ComponentId>> Route(Endpoint a, Endpoint b, int32_t network,
                                         uint64_t flow_hash);

 private:
  struct Bfs {
    std::vector<int32_t> dist;  // hops from the source switch, -1 unreachable
    std::vector<double> count;  // number of shortest paths from the source switch
    // The same counts modulo 2^61-1: exact where a double's are not (FindFolded's signatures).
    std::vector<uint64_t> count_mod;
    std::vector<int32_t> order;  // the reachable switches, nearest first (the BFS queue)
  };
  const Bfs& BfsFrom(int32_t sw);
  // The switch links as flat arrays (CSR, in each switch's link order): per-sink passes visit
  // every link of the fabric, and a dense array of neighbours keeps that walk in cache.
  struct Adjacency {
    std::vector<uint32_t> start;  // switch u's links are [start[u], start[u + 1])
    std::vector<int32_t> to;
  };
  const Adjacency& Adj();
  // The first switch whose neighbours are exactly sw's, in the same order (sw itself if none):
  // its search from sw is the twin's with the two swapped.
  int32_t Twin(int32_t sw);
  // A flow's path before switch segments are expanded: the certain and teamed entries it
  // crosses itself (weight 1/denom each, repeats not merged) and the switch segments its
  // uplink pairs take (each with share 1/denom); unreachable segments are left out.
  struct RawEntry {
    ComponentId component;
    uint32_t denom;
  };
  struct SegmentUse {
    int32_t from, to;
    uint32_t denom;
  };
  struct Parts {
    std::vector<RawEntry> entries;
    std::vector<SegmentUse> segments;
  };
  Status Decompose(Endpoint a, Endpoint b, int32_t network, Parts* out);
  // Marginal weights of the ECMP segment between two different switches; empty if unreachable.
  const std::vector<PathEntry>* Segment(int32_t sa, int32_t sb);
  // Whether two switches are joined at all (links go both ways: one labelling serves all).
  bool Connected(int32_t sa, int32_t sb);
  Status Unreachable(int32_t ha, int32_t hb, int32_t network) const;
  Status CheckEndpoints(Endpoint a, Endpoint b, int32_t network, int32_t* ha, int32_t* hb,
                        const std::vector<int32_t>** ua, const std::vector<int32_t>** ub) const;

  const Topology& topology_;
  std::vector<std::unique_ptr<Bfs>> bfs_;
  Adjacency adj_;
  std::vector<int32_t> twin_;
  std::vector<int32_t> island_;  // per switch: the lowest switch it connects to (lazy)
  std::unordered_map<uint64_t, std::vector<PathEntry>> segments_;
};

}  // namespace kiriwake::model

#endif  // KIRIWAKE_MODEL_PATH_H_
