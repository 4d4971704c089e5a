#include "model/path.h"

#include <algorithm>
#include <deque>

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
  Path Finish() {
    std::sort(items_.begin(), items_.end(),
              [](const PathEntry& x, const PathEntry& y) { return x.component < y.component; });
    Path p;
    for (const PathEntry& e : items_) {
      if (!p.entries.empty() && p.entries.back().component == e.component) {
        p.entries.back().weight = std::min(1.0f, p.entries.back().weight + e.weight);
      } else {
        p.entries.push_back(e);
      }
    }
    for (PathEntry& e : p.entries) {
      if (e.weight >= Path::kCertainWeight) e.weight = 1.0f;
    }
    return p;
  }

 private:
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

PathFinder::PathFinder(const Topology& topology)
    : topology_(topology), bfs_(topology.switches().size()) {}
PathFinder::~PathFinder() = default;

const PathFinder::Bfs& PathFinder::BfsFrom(int32_t sw) {
  auto& slot = bfs_[sw];
  if (slot) return *slot;
  const auto& switches = topology_.switches();
  auto b = std::make_unique<Bfs>();
  b->dist.assign(switches.size(), -1);
  b->count.assign(switches.size(), 0.0);
  std::vector<int32_t> queue;
  queue.reserve(switches.size());
  queue.push_back(sw);
  b->dist[sw] = 0;
  b->count[sw] = 1;
  for (size_t head = 0; head < queue.size(); ++head) {
    int32_t u = queue[head];
    for (const SwitchLink& l : switches[u].links) {
      if (b->dist[l.to] < 0) {
        b->dist[l.to] = b->dist[u] + 1;
        queue.push_back(l.to);
      }
      if (b->dist[l.to] == b->dist[u] + 1) b->count[l.to] += b->count[u];
    }
  }
  slot = std::move(b);
  return *slot;
}

const std::vector<PathEntry>* PathFinder::Segment(int32_t sa, int32_t sb) {
  uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(sa)) << 32) |
                 static_cast<uint32_t>(sb);
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

Status PathFinder::CheckEndpoints(Endpoint a, Endpoint b, int32_t network, int32_t* ha,
                                  int32_t* hb, const std::vector<int32_t>** ua,
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
    return Status::NotFound(fmt::format("host {} has no uplink on network {}",
                                        topology_.hosts()[*ha].name, net));
  }
  if (!*ub) {
    return Status::NotFound(fmt::format("host {} has no uplink on network {}",
                                        topology_.hosts()[*hb].name, net));
  }
  return Status::Ok();
}

Result<Path> PathFinder::Find(Endpoint a, Endpoint b, int32_t network) {
  int32_t ha = -1, hb = -1;
  const std::vector<int32_t>* ua = nullptr;
  const std::vector<int32_t>* ub = nullptr;
  KW_RETURN_IF_ERROR(CheckEndpoints(a, b, network, &ha, &hb, &ua, &ub));
  const auto& hosts = topology_.hosts();
  const auto& switches = topology_.switches();
  Accumulator acc;
  for (Endpoint e : {a, b}) {
    if (e.kind == Endpoint::Kind::kVm) {
      acc.Add(topology_.vms()[e.index].component, 1);
      acc.Add(hosts[topology_.EndpointHost(e)].vswitch, 1);
    }
  }
  acc.Add(hosts[ha].component, 1);
  if (ha == hb) return acc.Finish();
  acc.Add(hosts[hb].component, 1);
  auto add_side = [&](int32_t h, const std::vector<int32_t>& ups) {
    double w = 1.0 / static_cast<double>(ups.size());
    for (int32_t pi : ups) {
      const HostPort& p = hosts[h].ports[pi];
      acc.Add(p.port, w);
      acc.Add(p.card, w);
      acc.Add(p.driver, w);
      acc.Add(p.cable, w);
      acc.Add(p.peer_port, w);
    }
  };
  add_side(ha, *ua);
  add_side(hb, *ub);
  double pair_w = 1.0 / static_cast<double>(ua->size() * ub->size());
  double reachable_w = 0;
  for (int32_t pa : *ua) {
    for (int32_t pb : *ub) {
      int32_t sa = hosts[ha].ports[pa].peer_switch;
      int32_t sb = hosts[hb].ports[pb].peer_switch;
      if (sa == sb) {
        acc.Add(switches[sa].component, pair_w);
        reachable_w += pair_w;
        continue;
      }
      const std::vector<PathEntry>* seg = Segment(sa, sb);
      if (seg->empty()) continue;
      reachable_w += pair_w;
      for (const PathEntry& e : *seg) acc.Add(e.component, pair_w * e.weight);
    }
  }
  if (reachable_w <= 0) {
    return Status::NotFound(fmt::format(
        "no switch path joins {} and {} on network {}", hosts[ha].name, hosts[hb].name,
        topology_.networks()[network].name));
  }
  return acc.Finish();
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
        return Status::NotFound(fmt::format("no switch path joins {} and {}", hosts[ha].name,
                                            hosts[hb].name));
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
