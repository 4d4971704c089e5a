#include "model/path.h"

#include <algorithm>
#include <deque>
#include <span>

#include <fmt/format.h>

namespace kiriwake::model {
namespace {

// Accumulates (component, weight) pairs, merging repeats; weights are capped at 1 because a
// component shared by every alternative is crossed with certainty, not twice.
class Accumulator {
 public:
  void Add(ComponentId c, double w) {
    if (c == kNoComponent || w <= 0) return;
    items_.push_back({c, static_cast<float>(w)});
  }
  void Clear() { items_.clear(); }
  // The merged path; the accumulator keeps its items (Clear() to reuse it).
  Path Finish() {
    Path p;
    p.entries.resize(Merge());
    Write(p.entries);
    return p;
  }
  // The same, as path i of `set`.
  void FinishInto(PathSet* set, size_t i) { Write(set->Set(i, Merge())); }

 private:
  // Sorts the items; returns how many distinct components they name.
  size_t Merge() {
    // Repeats are summed smallest first: the result depends only on the items, not on the order
    // they came in (FindFolded adds a twin sink's segments in renamed, unsorted order).
    std::sort(items_.begin(), items_.end(), [](const PathEntry& x, const PathEntry& y) {
      return x.component < y.component || (x.component == y.component && x.weight < y.weight);
    });
    size_t distinct = 0;
    for (size_t i = 0; i < items_.size(); ++i) {
      distinct += i == 0 || items_[i].component != items_[i - 1].component;
    }
    return distinct;
  }
  // The sorted items, repeats summed (capped at 1), into `out` (Merge()'s size).
  void Write(std::span<PathEntry> out) const {
    size_t n = 0;
    for (const PathEntry& e : items_) {
      if (n > 0 && out[n - 1].component == e.component) {
        out[n - 1].weight = std::min(1.0f, out[n - 1].weight + e.weight);
      } else {
        out[n++] = e;
      }
    }
    for (PathEntry& e : out) {
      if (e.weight >= Path::kCertainWeight) e.weight = 1.0f;
    }
  }

  std::vector<PathEntry> items_;
};

uint64_t Mix(uint64_t x) {
  // splitmix64 finaliser: a cheap, well-spread hash step like a switch's ECMP hash.
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

namespace {

// Arithmetic modulo the Mersenne prime 2^61 - 1: exact, so components crossed alike get equal
// signatures whatever the order of the sums.
constexpr uint64_t kMod = (uint64_t{1} << 61) - 1;
uint64_t AddMod(uint64_t x, uint64_t y) {
  uint64_t s = x + y;
  return s >= kMod ? s - kMod : s;
}
uint64_t MulMod(uint64_t x, uint64_t y) {
  unsigned __int128 p = static_cast<unsigned __int128>(x) * y;
  uint64_t lo = static_cast<uint64_t>(p & kMod), hi = static_cast<uint64_t>(p >> 61);
  return AddMod(lo, hi);
}
uint64_t PowMod(uint64_t x, uint64_t e) {
  uint64_t r = 1;
  for (; e; e >>= 1, x = MulMod(x, x)) {
    if (e & 1) r = MulMod(r, x);
  }
  return r;
}
uint64_t InvMod(uint64_t x) { return PowMod(x % kMod, kMod - 2); }

struct Sig {
  uint64_t a = 0, b = 0;
  bool zero() const { return a == 0 && b == 0; }
  void Add(const Sig& s, uint64_t w) {
    a = AddMod(a, MulMod(s.a, w));
    b = AddMod(b, MulMod(s.b, w));
  }
  void Add(const Sig& s) {
    a = AddMod(a, s.a);
    b = AddMod(b, s.b);
  }
  friend bool operator==(const Sig&, const Sig&) = default;
};
struct SigHash {
  size_t operator()(const Sig& s) const { return s.a * 0x9e3779b97f4a7c15ULL ^ s.b; }
};

}  // namespace

void PathSet::Add(std::span<const PathEntry> entries) {
  spans_.push_back({entries_.size(), entries.size()});
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

std::span<PathEntry> PathSet::Set(size_t i, size_t n) {
  spans_[i] = {entries_.size(), n};
  entries_.resize(entries_.size() + n);
  return {entries_.data() + spans_[i].begin, n};
}

PathFinder::PathFinder(const Topology& topology)
    : topology_(topology), bfs_(topology.switches().size()) {}
PathFinder::~PathFinder() = default;

const PathFinder::Adjacency& PathFinder::Adj() {
  if (adj_.start.empty()) {
    const auto& switches = topology_.switches();
    adj_.start.reserve(switches.size() + 1);
    adj_.start.push_back(0);
    for (const Switch& s : switches) {
      for (const SwitchLink& l : s.links) adj_.to.push_back(l.to);
      adj_.start.push_back(static_cast<uint32_t>(adj_.to.size()));
    }
  }
  return adj_;
}

int32_t PathFinder::Twin(int32_t sw) {
  if (twin_.empty()) {
    // Switches with the same neighbours in the same order (a fabric's edge switches in one pod,
    // its cores in one group): grouped by a hash of the sequence, confirmed element by element.
    const Adjacency& adj = Adj();
    size_t ns = adj.start.size() - 1;
    twin_.resize(ns);
    std::unordered_map<uint64_t, std::vector<int32_t>> by_hash;
    for (size_t u = 0; u < ns; ++u) {
      twin_[u] = static_cast<int32_t>(u);
      std::span<const int32_t> mine(adj.to.data() + adj.start[u], adj.to.data() + adj.start[u + 1]);
      if (mine.empty()) continue;  // an isolated switch reaches nothing: nothing to share
      uint64_t h = mine.size();
      for (int32_t v : mine) h = Mix(h ^ static_cast<uint64_t>(v));
      for (int32_t first : by_hash[h]) {
        std::span<const int32_t> theirs(adj.to.data() + adj.start[first],
                                        adj.to.data() + adj.start[first + 1]);
        if (std::equal(mine.begin(), mine.end(), theirs.begin(), theirs.end())) {
          twin_[u] = first;
          break;
        }
      }
      if (twin_[u] == static_cast<int32_t>(u)) by_hash[h].push_back(static_cast<int32_t>(u));
    }
  }
  return twin_[sw];
}

const PathFinder::Bfs& PathFinder::BfsFrom(int32_t sw) {
  auto& slot = bfs_[sw];
  if (slot) return *slot;
  if (int32_t tw = Twin(sw); tw != sw) {
    // A twin's search, with the two swapped. No shortest path from one twin passes through the
    // other (it sits two hops away, behind the same neighbours), so every other switch has the
    // same distance, the same path counts summed in the same order, and the same place in the
    // queue; the twins trade theirs. A copy instead of a walk over every link.
    auto b = std::make_unique<Bfs>(BfsFrom(tw));
    std::swap(b->dist[sw], b->dist[tw]);
    std::swap(b->count[sw], b->count[tw]);
    std::swap(b->count_mod[sw], b->count_mod[tw]);
    auto at_sw = std::find(b->order.begin(), b->order.end(), sw);
    auto at_tw = std::find(b->order.begin(), b->order.end(), tw);
    std::iter_swap(at_sw, at_tw);
    slot = std::move(b);
    return *slot;
  }
  const auto& switches = topology_.switches();
  auto b = std::make_unique<Bfs>();
  b->dist.assign(switches.size(), -1);
  b->count.assign(switches.size(), 0.0);
  b->count_mod.assign(switches.size(), 0);
  const Adjacency& adj = Adj();
  std::vector<int32_t>& queue = b->order;
  queue.reserve(switches.size());
  queue.push_back(sw);
  b->dist[sw] = 0;
  b->count[sw] = 1;
  b->count_mod[sw] = 1;
  for (size_t head = 0; head < queue.size(); ++head) {
    int32_t u = queue[head];
    int32_t du = b->dist[u];
    for (uint32_t k = adj.start[u]; k < adj.start[u + 1]; ++k) {
      int32_t v = adj.to[k];
      if (b->dist[v] < 0) {
        b->dist[v] = du + 1;
        queue.push_back(v);
      }
      if (b->dist[v] == du + 1) {
        b->count[v] += b->count[u];
        b->count_mod[v] = AddMod(b->count_mod[v], b->count_mod[u]);
      }
    }
  }
  slot = std::move(b);
  return *slot;
}

const std::vector<PathEntry>* PathFinder::Segment(int32_t sa, int32_t sb) {
  uint64_t key =
      (static_cast<uint64_t>(static_cast<uint32_t>(sa)) << 32) | static_cast<uint32_t>(sb);
  if (auto it = segments_.find(key); it != segments_.end()) return &it->second;
  const Bfs& from_a = BfsFrom(sa);
  const Bfs& from_b = BfsFrom(sb);
  std::vector<PathEntry>& out = segments_[key];
  int32_t d = from_a.dist[sb];
  if (d < 0) return &out;  // unreachable: empty
  const auto& switches = topology_.switches();
  double total = from_a.count[sb];
  Accumulator acc;
  // Walk the shortest-path DAG forward from sa: a link u->v is on it when v is one hop closer
  // to sb. The share of flows on it is paths(sa..u) * paths(v..sb) / paths(sa..sb).
  std::vector<int32_t> frontier{sa};
  std::unordered_map<int32_t, char> visited;
  visited[sa] = 1;
  for (size_t head = 0; head < frontier.size(); ++head) {
    int32_t u = frontier[head];
    acc.Add(switches[u].component, from_a.count[u] * from_b.count[u] / total);
    for (const SwitchLink& l : switches[u].links) {
      if (from_b.dist[l.to] != from_b.dist[u] - 1) continue;
      double w = from_a.count[u] * from_b.count[l.to] / total;
      acc.Add(l.local_port, w);
      acc.Add(l.cable, w);
      acc.Add(l.remote_port, w);
      if (visited.emplace(l.to, 1).second) frontier.push_back(l.to);
    }
  }
  out = acc.Finish().entries;
  return &out;
}

bool PathFinder::Connected(int32_t sa, int32_t sb) {
  if (island_.empty()) {
    // Links go both ways, so two switches connect exactly when they share an island: label
    // them once rather than search from every sink.
    const auto& switches = topology_.switches();
    island_.assign(switches.size(), -1);
    std::vector<int32_t> queue;
    for (size_t s0 = 0; s0 < switches.size(); ++s0) {
      if (island_[s0] >= 0) continue;
      island_[s0] = static_cast<int32_t>(s0);
      queue.assign(1, static_cast<int32_t>(s0));
      for (size_t head = 0; head < queue.size(); ++head) {
        for (const SwitchLink& l : switches[queue[head]].links) {
          if (island_[l.to] < 0) {
            island_[l.to] = static_cast<int32_t>(s0);
            queue.push_back(l.to);
          }
        }
      }
    }
  }
  return island_[sa] == island_[sb];
}

Status PathFinder::Unreachable(int32_t ha, int32_t hb, int32_t network) const {
  return Status::NotFound(fmt::format("no switch path joins {} and {} on network {}",
                                      topology_.hosts()[ha].name, topology_.hosts()[hb].name,
                                      topology_.networks()[network].name));
}

Status PathFinder::CheckEndpoints(Endpoint a, Endpoint b, int32_t network, int32_t* ha, int32_t* hb,
                                  const std::vector<int32_t>** ua,
                                  const std::vector<int32_t>** ub) const {
  if (a == b) {
    return Status::Usage(fmt::format("a path from {} to itself", topology_.EndpointName(a)));
  }
  if (network < 0 || static_cast<size_t>(network) >= topology_.networks().size()) {
    return Status::NotFound("no such network");
  }
  *ha = topology_.EndpointHost(a);
  *hb = topology_.EndpointHost(b);
  if (*ha == *hb) return Status::Ok();
  *ua = topology_.Uplinks(*ha, network);
  *ub = topology_.Uplinks(*hb, network);
  const std::string& net = topology_.networks()[network].name;
  if (!*ua) {
    return Status::NotFound(
        fmt::format("host {} has no uplink on network {}", topology_.hosts()[*ha].name, net));
  }
  if (!*ub) {
    return Status::NotFound(
        fmt::format("host {} has no uplink on network {}", topology_.hosts()[*hb].name, net));
  }
  return Status::Ok();
}

Status PathFinder::Decompose(Endpoint a, Endpoint b, int32_t network, Parts* out) {
  out->entries.clear();
  out->segments.clear();
  int32_t ha = -1, hb = -1;
  const std::vector<int32_t>* ua = nullptr;
  const std::vector<int32_t>* ub = nullptr;
  KW_RETURN_IF_ERROR(CheckEndpoints(a, b, network, &ha, &hb, &ua, &ub));
  const auto& hosts = topology_.hosts();
  const auto& switches = topology_.switches();
  auto add = [&](ComponentId c, size_t denom) {
    if (c != kNoComponent) out->entries.push_back({c, static_cast<uint32_t>(denom)});
  };
  for (Endpoint e : {a, b}) {
    if (e.kind == Endpoint::Kind::kVm) {
      add(topology_.vms()[e.index].component, 1);
      add(hosts[topology_.EndpointHost(e)].vswitch, 1);
    }
  }
  add(hosts[ha].component, 1);
  if (ha == hb) return Status::Ok();
  add(hosts[hb].component, 1);
  auto add_side = [&](int32_t h, const std::vector<int32_t>& ups) {
    for (int32_t pi : ups) {
      const HostPort& p = hosts[h].ports[pi];
      for (ComponentId c : {p.port, p.card, p.driver, p.cable, p.peer_port}) add(c, ups.size());
    }
  };
  add_side(ha, *ua);
  add_side(hb, *ub);
  size_t pair_denom = ua->size() * ub->size();
  bool reachable = false;
  for (int32_t pa : *ua) {
    for (int32_t pb : *ub) {
      int32_t sa = hosts[ha].ports[pa].peer_switch;
      int32_t sb = hosts[hb].ports[pb].peer_switch;
      if (sa == sb) {
        add(switches[sa].component, pair_denom);
        reachable = true;
      } else if (Connected(sa, sb)) {
        out->segments.push_back({sa, sb, static_cast<uint32_t>(pair_denom)});
        reachable = true;
      }
    }
  }
  return reachable ? Status::Ok() : Unreachable(ha, hb, network);
}

Result<Path> PathFinder::Find(Endpoint a, Endpoint b, int32_t network) {
  Parts parts;
  KW_RETURN_IF_ERROR(Decompose(a, b, network, &parts));
  Accumulator acc;
  for (const RawEntry& e : parts.entries) acc.Add(e.component, 1.0 / e.denom);
  for (const SegmentUse& u : parts.segments) {
    double share = 1.0 / u.denom;
    for (const PathEntry& e : *Segment(u.from, u.to)) acc.Add(e.component, share * e.weight);
  }
  return acc.Finish();
}

Status PathFinder::Check(Endpoint a, Endpoint b, int32_t network) {
  int32_t ha = -1, hb = -1;
  const std::vector<int32_t>* ua = nullptr;
  const std::vector<int32_t>* ub = nullptr;
  KW_RETURN_IF_ERROR(CheckEndpoints(a, b, network, &ha, &hb, &ua, &ub));
  if (ha == hb) return Status::Ok();
  const auto& hosts = topology_.hosts();
  for (int32_t pa : *ua) {
    for (int32_t pb : *ub) {
      if (Connected(hosts[ha].ports[pa].peer_switch, hosts[hb].ports[pb].peer_switch)) {
        return Status::Ok();
      }
    }
  }
  return Unreachable(ha, hb, network);
}

Result<Path> PathFinder::FindCertain(Endpoint a, Endpoint b, int32_t network) {
  Parts parts;
  KW_RETURN_IF_ERROR(Decompose(a, b, network, &parts));
  if (parts.segments.size() != 1 || parts.segments[0].denom != 1) {
    // Teams on both sides, or several segments: rare and small; the full path says it.
    KW_ASSIGN_OR_RETURN(Path full, Find(a, b, network));
    std::erase_if(full.entries, [](const PathEntry& e) { return e.weight < Path::kCertainWeight; });
    return full;
  }
  Accumulator acc;
  for (const RawEntry& e : parts.entries) acc.Add(e.component, 1.0 / e.denom);
  // Within the one segment, a switch is certain when it is the only one at its distance on the
  // shortest-path DAG, and a link when it is the only link between two such switches.
  const auto& switches = topology_.switches();
  int32_t sa = parts.segments[0].from, sb = parts.segments[0].to;
  const Bfs& from_a = BfsFrom(sa);
  const Bfs& from_b = BfsFrom(sb);
  int32_t d = from_a.dist[sb];
  std::vector<int32_t> only(static_cast<size_t>(d) + 1, -1);
  std::vector<int32_t> count(static_cast<size_t>(d) + 1, 0);
  for (int32_t u : from_a.order) {
    int32_t du = from_a.dist[u];
    if (du > d) break;
    if (from_b.dist[u] < 0 || du + from_b.dist[u] != d) continue;
    ++count[du];
    only[du] = u;
  }
  for (int32_t k = 0; k <= d; ++k) {
    if (count[k] != 1) continue;
    int32_t u = only[k];
    acc.Add(switches[u].component, 1);
    if (k == d || count[k + 1] != 1) continue;
    const SwitchLink* link = nullptr;
    int links = 0;
    for (const SwitchLink& l : switches[u].links) {
      if (l.to == only[k + 1]) {
        link = &l;
        ++links;
      }
    }
    if (links == 1) {
      for (ComponentId c : {link->local_port, link->cable, link->remote_port}) acc.Add(c, 1);
    }
  }
  Path p = acc.Finish();
  std::erase_if(p.entries, [](const PathEntry& e) { return e.weight < Path::kCertainWeight; });
  return p;
}

Result<FoldedPaths> PathFinder::FindFolded(const FlowSource& flows, size_t* failed_flow) {
  const auto& switches = topology_.switches();
  const auto& hosts = topology_.hosts();
  size_t n = topology_.components().size();
  std::vector<Sig> sig(n);
  std::vector<uint64_t> inv_small(2, 1);  // 1/d mod p for small denominators
  auto inv = [&](uint32_t d) {
    while (inv_small.size() <= d) inv_small.push_back(InvMod(inv_small.size()));
    return inv_small[d];
  };
  std::unordered_map<uint64_t, uint64_t> inv_cache;  // path counts: a fabric has few distinct
  auto inv_count = [&](uint64_t x) {
    auto [it, fresh] = inv_cache.try_emplace(x, 0);
    if (fresh) it->second = InvMod(x);
    return it->second;
  };
  auto flow_sig = [](size_t i) { return Sig{Mix(i * 2 + 1) % kMod, Mix(i * 2 + 2) % kMod}; };

  // A flow between two hosts is its two sides — what Decompose adds for one endpoint on one
  // network (VM and vswitch, host, and each uplink's port, card, driver, cable and switch port)
  // — and the switch segments between their uplinks. Sides are few (an endpoint per network) and
  // flows many, so each side is built once, flows only add their signature to their sides' mass,
  // and a side's mass reaches its components once at the end: exact, since the signature is
  // linear. The rest (traced routes, two endpoints on one host) go through Decompose.
  // What the per-flow loops read of a side is kept apart from its entries, in flat arrays, so it
  // stays in cache: flows pick their sides at random.
  struct Side {
    std::vector<RawEntry> entries;
  };
  struct SideHot {
    int32_t host;
    uint32_t switches_at, switches_n;  // the switch at each uplink, in uplink order
  };
  size_t nets = topology_.networks().size();
  std::vector<int32_t> side_index((hosts.size() + topology_.vms().size()) * nets, -1);
  auto side_key = [&](Endpoint e) {
    return e.kind == Endpoint::Kind::kHost ? static_cast<size_t>(e.index)
                                           : hosts.size() + static_cast<size_t>(e.index);
  };
  std::vector<Side> sides;
  std::vector<SideHot> side_hot;
  std::vector<Sig> side_mass;
  std::vector<int32_t> side_switches;
  // Made only for an endpoint with an uplink on `net` (CheckEndpoints said so).
  auto side_of = [&](Endpoint e, int32_t net) -> int32_t {
    size_t key = side_key(e) * nets + static_cast<size_t>(net);
    if (side_index[key] >= 0) return side_index[key];
    Side sd;
    int32_t h = topology_.EndpointHost(e);
    if (e.kind == Endpoint::Kind::kVm) {
      sd.entries.push_back({topology_.vms()[e.index].component, 1});
      if (hosts[h].vswitch != kNoComponent) sd.entries.push_back({hosts[h].vswitch, 1});
    }
    if (hosts[h].component != kNoComponent) sd.entries.push_back({hosts[h].component, 1});
    const std::vector<int32_t>& ups = *topology_.Uplinks(h, net);
    SideHot hot{h, static_cast<uint32_t>(side_switches.size()), static_cast<uint32_t>(ups.size())};
    for (int32_t pi : ups) {
      const HostPort& p = hosts[h].ports[pi];
      for (ComponentId c : {p.port, p.card, p.driver, p.cable, p.peer_port}) {
        if (c != kNoComponent) sd.entries.push_back({c, static_cast<uint32_t>(ups.size())});
      }
      side_switches.push_back(p.peer_switch);
    }
    side_index[key] = static_cast<int32_t>(sides.size());
    sides.push_back(std::move(sd));
    side_hot.push_back(hot);
    side_mass.emplace_back();
    return side_index[key];
  };
  auto switches_of = [&](int32_t side) {
    const SideHot& h = side_hot[side];
    return std::span<const int32_t>(side_switches.data() + h.switches_at, h.switches_n);
  };
  // Per flow: its two sides (-1: a Decompose flow), and how many segments it has.
  std::vector<std::pair<int32_t, int32_t>> flow_sides(flows.size(), {-1, -1});
  std::vector<uint32_t> segments_of(flows.size(), 0);
  Parts parts;
  // A Decompose flow's own entries and segments (recomputed in pass 3 rather than kept).
  auto flow_parts = [&](size_t i) -> Status {
    const Flow& f = flows[i];
    if (!f.route) return Decompose(f.src, f.dst, f.network, &parts);
    // A traced route names each component once, whatever it repeats.
    parts.entries.clear();
    parts.segments.clear();
    for (ComponentId c : *f.route) parts.entries.push_back({c, 1});
    auto& e = parts.entries;
    std::sort(e.begin(), e.end(),
              [](const RawEntry& x, const RawEntry& y) { return x.component < y.component; });
    e.erase(std::unique(
                e.begin(), e.end(),
                [](const RawEntry& x, const RawEntry& y) { return x.component == y.component; }),
            e.end());
    return Status::Ok();
  };

  // Pass 1: each flow's own entries (through its sides), and its segments, bucketed below by
  // sink switch.
  struct SegmentOfFlow {
    int32_t to, from;
    uint32_t flow, denom;
  };
  std::vector<SegmentOfFlow> segs;
  segs.reserve(flows.size());
  constexpr size_t kAhead = 8;
  auto valid_net = [&](int32_t net) { return net >= 0 && static_cast<size_t>(net) < nets; };
  for (size_t i = 0; i < flows.size(); ++i) {
    const Flow& f = flows[i];
    if (i + kAhead < flows.size()) {
      const Flow& g = flows[i + kAhead];
      if (valid_net(g.network)) {
        __builtin_prefetch(&side_index[side_key(g.src) * nets + static_cast<size_t>(g.network)]);
        __builtin_prefetch(&side_index[side_key(g.dst) * nets + static_cast<size_t>(g.network)]);
      }
    }
    Sig r = flow_sig(i);
    // By sides when CheckEndpoints passes and the hosts differ. Both sides already made is the
    // common case and says as much: each endpoint has an uplink on the network.
    int32_t a = -1, b = -1;
    if (!f.route && valid_net(f.network)) {
      a = side_index[side_key(f.src) * nets + static_cast<size_t>(f.network)];
      b = side_index[side_key(f.dst) * nets + static_cast<size_t>(f.network)];
      if (a < 0 || b < 0) {
        int32_t ha = -1, hb = -1;
        const std::vector<int32_t>* ua = nullptr;
        const std::vector<int32_t>* ub = nullptr;
        if (CheckEndpoints(f.src, f.dst, f.network, &ha, &hb, &ua, &ub).ok() && ha != hb) {
          a = side_of(f.src, f.network);
          b = side_of(f.dst, f.network);
        } else {
          a = b = -1;
        }
      }
    }
    if (a >= 0 && side_hot[a].host != side_hot[b].host) {
      side_mass[a].Add(r);
      side_mass[b].Add(r);
      auto sw_a = switches_of(a), sw_b = switches_of(b);
      uint32_t pair_denom = static_cast<uint32_t>(sw_a.size() * sw_b.size());
      bool reachable = false;
      size_t before = segs.size();
      for (int32_t sa : sw_a) {
        for (int32_t sb : sw_b) {
          if (sa == sb) {
            sig[switches[sa].component].Add(r, inv(pair_denom));
            reachable = true;
          } else if (Connected(sa, sb)) {
            segs.push_back({sb, sa, static_cast<uint32_t>(i), pair_denom});
            reachable = true;
          }
        }
      }
      if (reachable) {
        flow_sides[i] = {a, b};
        segments_of[i] = static_cast<uint32_t>(segs.size() - before);
        continue;
      }
      // Unreachable: Decompose (below) fails with its words, and so does the whole call.
    }
    if (Status st = flow_parts(i); !st.ok()) {
      if (failed_flow) *failed_flow = i;
      return st;
    }
    for (const RawEntry& e : parts.entries) sig[e.component].Add(r, inv(e.denom));
    for (const SegmentUse& u : parts.segments) {
      segs.push_back({u.to, u.from, static_cast<uint32_t>(i), u.denom});
    }
    segments_of[i] = static_cast<uint32_t>(parts.segments.size());
  }
  for (size_t k = 0; k < sides.size(); ++k) {
    if (side_mass[k].zero()) continue;
    for (const RawEntry& e : sides[k].entries) sig[e.component].Add(side_mass[k], inv(e.denom));
  }
  // Counting sort by sink; stable, so each sink's flows stay in index order.
  std::vector<uint32_t> sink_start(switches.size() + 1, 0);
  for (const SegmentOfFlow& sg : segs) ++sink_start[sg.to + 1];
  for (size_t i = 0; i < switches.size(); ++i) sink_start[i + 1] += sink_start[i];
  std::vector<SegmentOfFlow> by_sink(segs.size());
  {
    std::vector<uint32_t> fill(sink_start.begin(), sink_start.end() - 1);
    for (const SegmentOfFlow& sg : segs) by_sink[fill[sg.to]++] = sg;
  }
  segs.clear();
  segs.shrink_to_fit();
  auto sink_segments = [&](int32_t sink) {
    return std::span<const SegmentOfFlow>(by_sink.data() + sink_start[sink],
                                          by_sink.data() + sink_start[sink + 1]);
  };

  // Pass 2: per sink, push the mass down the shortest-path DAG toward it. The share of a
  // segment's flows through switch u is paths(from..u) * paths(u..sink) / paths(from..sink);
  // pushing from u to each next hop v by paths(v..sink) / paths(u..sink) gives exactly that.
  // What is pushed is the mass per path to the sink, nu(u) = mass(u) / paths(u..sink): a next hop
  // gets nu(u) * paths(v..sink) of mass, so its nu is the plain sum of its predecessors', and a
  // link costs one product (its own signature) instead of two. The arithmetic is exact modulo
  // 2^61-1, so the signatures are the same numbers.
  const Adjacency& adj = Adj();
  // Summed per switch and per link (adjacency order, so a switch's links are adjacent) and
  // moved to the components after the last sink: the component array is megabytes wide and
  // these adds are the inner loop.
  std::vector<Sig> switch_sig(switches.size()), link_sig(adj.to.size());
  std::vector<Sig> nu(switches.size());
  std::vector<char> reached(switches.size(), 0);
  // Per sink: the switches its flows reach (their sources and everything on the way), the only
  // ones whose restricted segments pass 3 needs.
  const size_t reach_words = (switches.size() + 63) / 64;
  std::vector<uint64_t> reach(switches.size() * reach_words, 0);  // a bit per (sink, switch)
  auto reaches = [&](int32_t sink, int32_t u) {
    return (reach[static_cast<size_t>(sink) * reach_words + static_cast<size_t>(u) / 64] >>
            (u % 64)) &
           1;
  };
  auto mark_reach = [&](int32_t sink, int32_t u) {
    reach[static_cast<size_t>(sink) * reach_words + static_cast<size_t>(u) / 64] |= uint64_t{1}
                                                                                   << (u % 64);
  };
  std::vector<int32_t> sources;
  auto push_one = [&](int32_t sink) {
    auto use = sink_segments(sink);
    const Bfs& to_sink = BfsFrom(sink);
    const std::vector<int32_t>& order = to_sink.order;
    const std::vector<uint64_t>& count_mod = to_sink.count_mod;
    const std::vector<int32_t>& dist = to_sink.dist;
    for (int32_t u : order) {
      nu[u] = Sig{};
      reached[u] = 0;
    }
    sources.clear();
    for (const SegmentOfFlow& sg : use) {
      if (!reached[sg.from]) {
        reached[sg.from] = 1;
        sources.push_back(sg.from);
      }
      nu[sg.from].Add(flow_sig(sg.flow), inv(sg.denom));
    }
    for (int32_t u : sources) {
      Sig m = nu[u];
      nu[u] = Sig{};
      nu[u].Add(m, inv_count(count_mod[u]));
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      int32_t u = *it;
      if (!reached[u]) continue;
      const Sig nu_u = nu[u];
      switch_sig[u].Add(nu_u, count_mod[u]);
      if (u == sink) continue;
      int32_t next = dist[u] - 1;
      for (uint32_t k = adj.start[u]; k < adj.start[u + 1]; ++k) {
        int32_t v = adj.to[k];
        if (dist[v] != next) continue;
        link_sig[k].Add(nu_u, count_mod[v]);
        nu[v].Add(nu_u);
        reached[v] = 1;
      }
    }
    for (int32_t u : order) {
      if (reached[u]) mark_reach(sink, u);
    }
  };
  // Twin sinks (PathFinder::Twin) see one DAG: the same distances, counts and next hops
  // everywhere but at the twins themselves (a sink's twins sit two hops out, behind the common
  // neighbours, and the last hop goes to the sink's own links). Their pushes run together over
  // the base twin's search: each keeps its own nu (additions), but a link's and a switch's
  // signature need only the sum over the group, one product instead of one per sink, and each
  // link is scanned once per group. Exact modulo 2^61-1 like the rest.
  std::vector<std::vector<int32_t>> group(switches.size());  // base twin -> sinks, in order
  for (int32_t sink = 0; sink < static_cast<int32_t>(switches.size()); ++sink) {
    if (!sink_segments(sink).empty()) group[Twin(sink)].push_back(sink);
  }
  std::vector<Sig> gnu;      // [switch * members + i]
  std::vector<char> greach;  // the same layout
  std::vector<int32_t> member_of(switches.size(), -1);
  // At most kBatch sinks at a time: the per-member nu is a switch count times the batch (a
  // leaf-spine's leaves are all twins of one another).
  constexpr size_t kBatch = 64;
  std::vector<std::pair<int32_t, std::span<const int32_t>>> batches;  // (base twin, sinks)
  for (int32_t base = 0; base < static_cast<int32_t>(switches.size()); ++base) {
    for (size_t at = 0; at < group[base].size(); at += kBatch) {
      size_t n = std::min(kBatch, group[base].size() - at);
      batches.push_back({base, std::span<const int32_t>(group[base].data() + at, n)});
    }
  }
  for (const auto& batch : batches) {
    // Named copies, not a structured binding: lambdas below capture them, which clang 14 (the
    // fuzz build) does not allow for bindings.
    const int32_t base = batch.first;
    const std::span<const int32_t> members = batch.second;
    if (members.size() == 1) {
      push_one(members[0]);
      continue;
    }
    const size_t g = members.size();
    const Bfs& bb = BfsFrom(base);
    const std::vector<int32_t>& order = bb.order;
    const std::vector<int32_t>& dist = bb.dist;
    const std::vector<uint64_t>& cm = bb.count_mod;
    for (size_t i = 0; i < g; ++i) member_of[members[i]] = static_cast<int32_t>(i);
    gnu.assign(switches.size() * g, Sig{});
    greach.assign(switches.size() * g, 0);
    // Member i's view: the base search with base and members[i] swapped.
    auto cm_of = [&](size_t i, int32_t u) {
      int32_t t = members[i];
      return u == base ? cm[t] : u == t ? cm[base] : cm[u];
    };
    sources.clear();
    for (size_t i = 0; i < g; ++i) {
      for (const SegmentOfFlow& sg : sink_segments(members[i])) {
        size_t at = static_cast<size_t>(sg.from) * g + i;
        if (!greach[at]) {
          greach[at] = 1;
          sources.push_back(static_cast<int32_t>(at));
        }
        gnu[at].Add(flow_sig(sg.flow), inv(sg.denom));
      }
    }
    for (int32_t at : sources) {
      Sig m = gnu[at];
      gnu[at] = Sig{};
      gnu[at].Add(m, inv_count(cm_of(static_cast<size_t>(at) % g,
                                     static_cast<int32_t>(static_cast<size_t>(at) / g))));
    }
    // A twin (the base, or a member for the others) pushes to all its neighbours, one hop
    // nearer every other member; per member, since its own count differs for the base.
    auto push_twin = [&](int32_t u) {
      for (size_t i = 0; i < g; ++i) {
        if (members[i] == u || !greach[static_cast<size_t>(u) * g + i]) continue;
        const Sig x = gnu[static_cast<size_t>(u) * g + i];
        switch_sig[u].Add(x, cm_of(i, u));
        for (uint32_t k = adj.start[u]; k < adj.start[u + 1]; ++k) {
          int32_t v = adj.to[k];
          link_sig[k].Add(x, cm[v]);
          gnu[static_cast<size_t>(v) * g + i].Add(x);
          greach[static_cast<size_t>(v) * g + i] = 1;
        }
      }
    };
    bool base_pushed = false;
    for (size_t idx = order.size(); idx-- > 1;) {  // order[0] is the base
      int32_t u = order[idx];
      if (dist[u] <= 1 && !base_pushed) {
        push_twin(base);  // two hops from every other member: before the common neighbours
        base_pushed = true;
      }
      if (member_of[u] >= 0) {
        push_twin(u);
        continue;
      }
      // A member that does not reach u has a zero nu there, and adding zero changes nothing:
      // these loops over the members run without a test per member.
      const Sig* u_nu = gnu.data() + static_cast<size_t>(u) * g;
      const char* u_reach = greach.data() + static_cast<size_t>(u) * g;
      Sig sum;
      char any = 0;
      for (size_t i = 0; i < g; ++i) {
        sum.Add(u_nu[i]);
        any |= u_reach[i];
      }
      if (!any) continue;
      switch_sig[u].Add(sum, cm[u]);
      if (dist[u] == 1) {
        // A common neighbour: each member's last hop is its own links.
        for (uint32_t k = adj.start[u]; k < adj.start[u + 1]; ++k) {
          int32_t v = adj.to[k];
          int32_t i = member_of[v];
          if (i < 0 || !greach[static_cast<size_t>(u) * g + static_cast<size_t>(i)]) continue;
          const Sig x = gnu[static_cast<size_t>(u) * g + static_cast<size_t>(i)];
          link_sig[k].Add(x, cm_of(static_cast<size_t>(i), v));
          gnu[static_cast<size_t>(v) * g + static_cast<size_t>(i)].Add(x);
          greach[static_cast<size_t>(v) * g + static_cast<size_t>(i)] = 1;
        }
        continue;
      }
      int32_t next = dist[u] - 1;
      for (uint32_t k = adj.start[u]; k < adj.start[u + 1]; ++k) {
        int32_t v = adj.to[k];
        if (dist[v] != next) continue;
        link_sig[k].Add(sum, cm[v]);
        Sig* v_nu = gnu.data() + static_cast<size_t>(v) * g;
        char* v_reach = greach.data() + static_cast<size_t>(v) * g;
        for (size_t i = 0; i < g; ++i) {
          v_nu[i].Add(u_nu[i]);
          v_reach[i] |= u_reach[i];
        }
      }
    }
    if (!base_pushed) push_twin(base);
    for (size_t i = 0; i < g; ++i) {
      int32_t t = members[i];
      size_t at = static_cast<size_t>(t) * g + i;
      if (greach[at]) switch_sig[t].Add(gnu[at], cm_of(i, t));
      for (int32_t u : order) {
        if (greach[static_cast<size_t>(u) * g + i]) mark_reach(t, u);
      }
    }
    for (int32_t t : members) member_of[t] = -1;
  }
  for (size_t u = 0; u < switches.size(); ++u) {
    if (switches[u].component != kNoComponent) sig[switches[u].component].Add(switch_sig[u]);
    for (size_t j = 0; j < switches[u].links.size(); ++j) {
      const SwitchLink& l = switches[u].links[j];
      const Sig& share = link_sig[adj.start[u] + j];
      if (l.cable != kNoComponent) {
        sig[l.cable].Add(share);  // its two ports get the cable's total below
      } else {
        for (ComponentId c : {l.local_port, l.remote_port}) {
          if (c != kNoComponent) sig[c].Add(share);
        }
      }
    }
  }
  std::vector<Sig>().swap(switch_sig);  // `= {}` would keep the capacity
  std::vector<Sig>().swap(link_sig);
  // A switch-to-switch cable and its two ports are crossed alike, and by nothing but segments.
  for (size_t u = 0; u < switches.size(); ++u) {
    for (const SwitchLink& l : switches[u].links) {
      if (l.cable == kNoComponent || static_cast<size_t>(l.to) < u) continue;
      if (static_cast<size_t>(l.to) == u) continue;  // Build rejects loops; nothing to split
      for (ComponentId c : {l.local_port, l.remote_port}) {
        if (c != kNoComponent) sig[c].Add(sig[l.cable]);
      }
    }
  }

  // Classes: equal signatures; the lowest id represents its class.
  FoldedPaths out;
  out.representative.assign(n, kNoComponent);
  {
    std::unordered_map<Sig, ComponentId, SigHash> rep_of_sig;
    for (ComponentId c = 0; c < n; ++c) {
      if (sig[c].zero()) continue;
      auto [it, fresh] = rep_of_sig.try_emplace(sig[c], c);
      out.representative[c] = it->second;
    }
  }
  sig.clear();
  sig.shrink_to_fit();
  auto is_rep = [&](ComponentId c) { return c != kNoComponent && out.representative[c] == c; };
  // Per side, its entries on representatives (weight 1/denom), flat like its switches.
  std::vector<uint32_t> side_reps_start(sides.size() + 1, 0);
  std::vector<PathEntry> side_reps;
  for (size_t k = 0; k < sides.size(); ++k) {
    for (const RawEntry& e : sides[k].entries) {
      if (is_rep(e.component)) side_reps.push_back({e.component, 1.0f / e.denom});
    }
    side_reps_start[k + 1] = static_cast<uint32_t>(side_reps.size());
  }
  auto reps_of = [&](int32_t side) {
    return std::span<const PathEntry>(side_reps.data() + side_reps_start[side],
                                      side_reps.data() + side_reps_start[side + 1]);
  };

  // Pass 3: each flow's path over representatives only. Per sink, each switch's segment toward
  // it, restricted to representatives, is built from its next hops' (nearest the sink first),
  // so nothing the size of an unfolded segment is ever made. A flow is finished at its last
  // sink.
  out.paths = PathSet(flows.size());
  // Room for a fabric's paths (11 entries each at k=48) without regrowing: untouched room costs
  // address space, not memory.
  out.paths.ReserveEntries(16 * flows.size());
  Accumulator acc;
  auto own_entries = [&](size_t i) {
    auto [a, b] = flow_sides[i];
    if (a >= 0) {
      for (const PathEntry& e : reps_of(a)) acc.Add(e.component, e.weight);
      for (const PathEntry& e : reps_of(b)) acc.Add(e.component, e.weight);
      auto sw_a = switches_of(a), sw_b = switches_of(b);
      uint32_t pair_denom = static_cast<uint32_t>(sw_a.size() * sw_b.size());
      for (int32_t sa : sw_a) {
        for (int32_t sb : sw_b) {
          if (sa == sb && is_rep(switches[sa].component)) {
            acc.Add(switches[sa].component, 1.0 / pair_denom);
          }
        }
      }
      return;
    }
    (void)flow_parts(i);  // it succeeded in pass 1
    for (const RawEntry& e : parts.entries) {
      if (is_rep(e.component)) acc.Add(e.component, 1.0 / e.denom);
    }
  };
  for (size_t i = 0; i < flows.size(); ++i) {
    if (segments_of[i] != 0) continue;
    acc.Clear();
    own_entries(i);
    acc.FinishInto(&out.paths, i);
  }
  // Flows over several segments (teamed uplinks) gather theirs across sinks.
  std::unordered_map<uint32_t, Accumulator> gathering;
  std::vector<std::vector<PathEntry>> memo(switches.size());
  // A switch's restricted segment is summed densely: a fabric switch merges dozens of next
  // hops' lists that name the same few representatives.
  std::vector<double> dense(n, 0.0);
  std::vector<ComponentId> touched;
  auto add_dense = [&](ComponentId c, double w) {
    if (dense[c] == 0.0) touched.push_back(c);
    dense[c] += w;
  };
  // Per link (adjacency order): which of its port, cable and port are representatives, in that
  // order. Most are not (a fabric tier folds into one), so the per-sink walk skips them cheaply.
  std::vector<uint32_t> link_reps_start(adj.to.size() + 1, 0);
  std::vector<ComponentId> link_reps;
  for (size_t u = 0; u < switches.size(); ++u) {
    for (size_t j = 0; j < switches[u].links.size(); ++j) {
      const SwitchLink& l = switches[u].links[j];
      for (ComponentId c : {l.local_port, l.cable, l.remote_port}) {
        if (is_rep(c)) link_reps.push_back(c);
      }
      link_reps_start[adj.start[u] + j + 1] = static_cast<uint32_t>(link_reps.size());
    }
  }
  // Each switch's restricted segment toward `sink`, for the switches `wanted` says.
  auto walk = [&](int32_t sink, auto&& wanted) {
    const Bfs& to_sink = BfsFrom(sink);
    const std::vector<int32_t>& dist = to_sink.dist;
    const std::vector<double>& count = to_sink.count;
    for (int32_t u : to_sink.order) {
      // A switch no flow to this sink reaches: its segment would never be read.
      if (!wanted(u)) continue;
      touched.clear();
      if (is_rep(switches[u].component)) add_dense(switches[u].component, 1.0);
      if (u != sink) {
        int32_t next = dist[u] - 1;
        double total = count[u];
        for (uint32_t k = adj.start[u]; k < adj.start[u + 1]; ++k) {
          int32_t v = adj.to[k];
          if (dist[v] != next) continue;
          double f = count[v] / total;
          for (uint32_t r = link_reps_start[k]; r < link_reps_start[k + 1]; ++r) {
            add_dense(link_reps[r], f);
          }
          for (const PathEntry& e : memo[v]) add_dense(e.component, f * e.weight);
        }
      }
      std::sort(touched.begin(), touched.end());
      std::vector<PathEntry>& m = memo[u];
      m.clear();
      for (ComponentId c : touched) {
        float w = static_cast<float>(std::min(1.0, dense[c]));
        m.push_back({c, w >= Path::kCertainWeight ? 1.0f : w});
        dense[c] = 0.0;
      }
    }
  };
  // Finishes the flows toward `sink` from the segments in `memo`, which were walked toward
  // `walked`: the sink itself, or its twin, whose walk is the sink's with the two swapped —
  // the source switch is swapped back and every representative through `rename`.
  std::vector<ComponentId> rename(n);
  for (ComponentId c = 0; c < n; ++c) rename[c] = c;
  auto finish_flows = [&](int32_t sink, int32_t walked) {
    auto use = sink_segments(sink);
    for (size_t j = 0; j < use.size(); ++j) {
      const SegmentOfFlow& sg = use[j];
      // Flows come in index order but far apart: fetch a few ahead what is written and read
      // per flow, or each one waits on a cache miss.
      if (j + kAhead < use.size()) {
        uint32_t ahead = use[j + kAhead].flow;
        __builtin_prefetch(&flow_sides[ahead]);
        __builtin_prefetch(&segments_of[ahead]);
      }
      double share = 1.0 / sg.denom;
      int32_t from = sg.from == walked ? sink : sg.from == sink ? walked : sg.from;
      const std::vector<PathEntry>& seg = memo[from];
      if (segments_of[sg.flow] == 1) {
        acc.Clear();
        own_entries(sg.flow);
        for (const PathEntry& e : seg) acc.Add(rename[e.component], share * e.weight);
        acc.FinishInto(&out.paths, sg.flow);
        continue;
      }
      auto [it, first] = gathering.try_emplace(sg.flow);
      if (first) {
        acc.Clear();
        own_entries(sg.flow);
        it->second = acc;
      }
      for (const PathEntry& e : seg) it->second.Add(rename[e.component], share * e.weight);
      if (--segments_of[sg.flow] == 0) {
        it->second.FinishInto(&out.paths, sg.flow);
        gathering.erase(it);
      }
    }
  };
  // Twin sinks (PathFinder::Twin) share one walk when swapping them maps representatives to
  // representatives: then every segment toward the member is the base's with the two switches,
  // their links' ports and cables swapped, and summed in the same order, so the same floats.
  // A fabric's edge switches in a pod are twins: 48 walks instead of 1,152 at k=48.
  std::vector<std::pair<ComponentId, ComponentId>> swapped;
  auto twin_swap = [&](int32_t base, int32_t t) {
    swapped.clear();
    auto pair = [&](ComponentId x, ComponentId y) {
      if ((x == kNoComponent) != (y == kNoComponent) || is_rep(x) != is_rep(y)) return false;
      if (is_rep(x)) swapped.push_back({x, y});
      return true;
    };
    const std::vector<SwitchLink>& lb = switches[base].links;
    const std::vector<SwitchLink>& lt = switches[t].links;
    if (lb.size() != lt.size() || !pair(switches[base].component, switches[t].component)) {
      return false;
    }
    for (size_t j = 0; j < lb.size(); ++j) {
      if (!pair(lb[j].local_port, lt[j].local_port) || !pair(lb[j].cable, lt[j].cable) ||
          !pair(lb[j].remote_port, lt[j].remote_port)) {
        return false;
      }
    }
    return true;
  };
  // Renames along `swapped`; false (and nothing renamed) when a component is named twice, which
  // would not be a swap.
  auto rename_swapped = [&]() {
    for (auto [x, y] : swapped) {
      if (x == y) continue;
      if (rename[x] != x || rename[y] != y) {
        for (auto [a, b] : swapped) rename[a] = a, rename[b] = b;
        return false;
      }
      rename[x] = y;
      rename[y] = x;
    }
    return true;
  };
  auto unrename = [&]() {
    for (auto [x, y] : swapped) rename[x] = x, rename[y] = y;
  };
  std::vector<char> need(switches.size(), 0);
  std::vector<int32_t> sharing;
  for (int32_t base = 0; base < static_cast<int32_t>(switches.size()); ++base) {
    if (group[base].empty()) continue;
    sharing.clear();
    for (int32_t t : group[base]) {
      if (t == base || (twin_swap(base, t) && rename_swapped())) {
        unrename();
        sharing.push_back(t);
        continue;
      }
      walk(t, [&](int32_t u) { return reaches(t, u); });
      finish_flows(t, t);
    }
    if (sharing.empty()) continue;
    std::fill(need.begin(), need.end(), 0);
    for (int32_t t : sharing) {
      for (int32_t u = 0; u < static_cast<int32_t>(switches.size()); ++u) {
        if (reaches(t, u)) need[u == t ? base : u == base ? t : u] = 1;
      }
    }
    walk(base, [&](int32_t u) { return need[u] != 0; });
    for (int32_t t : sharing) {
      if (t == base) {
        finish_flows(t, t);
        continue;
      }
      twin_swap(base, t);
      rename_swapped();
      finish_flows(t, base);
      unrename();
    }
  }
  return out;
}

Result<std::vector<ComponentId>> PathFinder::Route(Endpoint a, Endpoint b, int32_t network,
                                                   uint64_t flow_hash) {
  int32_t ha = -1, hb = -1;
  const std::vector<int32_t>* ua = nullptr;
  const std::vector<int32_t>* ub = nullptr;
  KW_RETURN_IF_ERROR(CheckEndpoints(a, b, network, &ha, &hb, &ua, &ub));
  const auto& hosts = topology_.hosts();
  const auto& switches = topology_.switches();
  std::vector<ComponentId> out;
  auto push = [&](ComponentId c) {
    if (c != kNoComponent) out.push_back(c);
  };
  if (a.kind == Endpoint::Kind::kVm) {
    push(topology_.vms()[a.index].component);
    push(hosts[ha].vswitch);
  }
  push(hosts[ha].component);
  if (ha != hb) {
    uint64_t h = Mix(flow_hash);
    const HostPort& pa = hosts[ha].ports[(*ua)[h % ua->size()]];
    h = Mix(h);
    const HostPort& pb = hosts[hb].ports[(*ub)[h % ub->size()]];
    for (ComponentId c : {pa.driver, pa.card, pa.port, pa.cable, pa.peer_port}) push(c);
    int32_t u = pa.peer_switch;
    int32_t target = pb.peer_switch;
    push(switches[u].component);
    if (u != target) {
      const Bfs& to_b = BfsFrom(target);
      if (to_b.dist[u] < 0) {
        return Status::NotFound(
            fmt::format("no switch path joins {} and {}", hosts[ha].name, hosts[hb].name));
      }
      while (u != target) {
        std::vector<const SwitchLink*> next;
        for (const SwitchLink& l : switches[u].links) {
          if (to_b.dist[l.to] == to_b.dist[u] - 1) next.push_back(&l);
        }
        h = Mix(h ^ static_cast<uint64_t>(u));
        const SwitchLink* l = next[h % next.size()];
        push(l->local_port);
        push(l->cable);
        push(l->remote_port);
        u = l->to;
        push(switches[u].component);
      }
    }
    for (ComponentId c : {pb.peer_port, pb.cable, pb.port, pb.card, pb.driver}) push(c);
    push(hosts[hb].component);
  }
  if (b.kind == Endpoint::Kind::kVm) {
    if (ha != hb) push(hosts[hb].vswitch);
    push(topology_.vms()[b.index].component);
  }
  return out;
}

}  // namespace kiriwake::model
