#include "infer/simulate.h"

#include <algorithm>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "model/path.h"
#include "util/text.h"

namespace kiriwake::infer {

using model::ComponentId;
using model::Endpoint;

Result<std::vector<model::ComponentKind>> ParseKinds(std::string_view list) {
  std::vector<model::ComponentKind> out;
  for (std::string_view part : text::Split(list, ',')) {
    part = text::Trim(part);
    bool found = false;
    for (int k = 0; k < model::kComponentKindCount; ++k) {
      auto kind = static_cast<model::ComponentKind>(k);
      if (model::ComponentKindName(kind) == part) {
        out.push_back(kind);
        found = true;
      }
    }
    if (!found) {
      return Status::Usage(
          fmt::format("unknown component kind \"{}\": expected host, vm, "
                      "vswitch, card, driver, host_port, switch_port, switch "
                      "or cable",
                      EscapeForMessage(part)));
    }
  }
  return out;
}

Result<Scenario> Simulate(const model::Topology& t, const SimOptions& o) {
  std::mt19937_64 rng(o.seed);
  model::PathFinder finder(t);
  struct Flow {
    Endpoint src, dst;
    int32_t net;
    uint64_t hash;
  };
  std::vector<Flow> flows;
  std::vector<Endpoint> endpoints;
  for (size_t h = 0; h < t.hosts().size(); ++h) {
    endpoints.push_back({Endpoint::Kind::kHost, static_cast<int32_t>(h)});
  }
  if (o.include_vms) {
    for (size_t v = 0; v < t.vms().size(); ++v) {
      endpoints.push_back({Endpoint::Kind::kVm, static_cast<int32_t>(v)});
    }
  }
  // Endpoints per network: those with an address there.
  std::vector<std::vector<Endpoint>> on_net(t.networks().size());
  for (size_t n = 0; n < t.networks().size(); ++n) {
    for (const Endpoint& e : endpoints) {
      if (!t.EndpointAddress(e, static_cast<int32_t>(n)).empty()) on_net[n].push_back(e);
    }
  }
  if (o.peers_per_endpoint > 0) {
    for (size_t n = 0; n < on_net.size(); ++n) {
      const auto& eps = on_net[n];
      size_t want = std::min(static_cast<size_t>(o.peers_per_endpoint),
                             eps.empty() ? size_t{0} : eps.size() - 1);
      for (size_t i = 0; i < eps.size(); ++i) {
        // Distinct peers by rejection: want is far below the endpoints on any large network, and
        // when it is not, the loop still ends (want <= eps.size() - 1).
        std::vector<size_t> chosen;
        while (chosen.size() < want) {
          size_t j = rng() % eps.size();
          if (j == i || std::find(chosen.begin(), chosen.end(), j) != chosen.end()) continue;
          chosen.push_back(j);
          flows.push_back({eps[i], eps[j], static_cast<int32_t>(n), rng()});
        }
      }
    }
  } else if (o.sampled_pairs <= 0) {
    for (size_t n = 0; n < on_net.size(); ++n) {
      for (const Endpoint& a : on_net[n]) {
        for (const Endpoint& b : on_net[n]) {
          if (!(a == b)) flows.push_back({a, b, static_cast<int32_t>(n), rng()});
        }
      }
    }
  } else {
    std::vector<int32_t> nets;
    for (size_t n = 0; n < on_net.size(); ++n) {
      if (on_net[n].size() >= 2) nets.push_back(static_cast<int32_t>(n));
    }
    if (nets.empty()) return Status::Usage("no network has two endpoints to probe");
    flows.reserve(static_cast<size_t>(o.sampled_pairs));
    for (int64_t i = 0; i < o.sampled_pairs; ++i) {
      int32_t n = nets[rng() % nets.size()];
      const auto& eps = on_net[n];
      Endpoint a = eps[rng() % eps.size()], b = a;
      while (b == a) b = eps[rng() % eps.size()];
      flows.push_back({a, b, n, rng()});
    }
  }
  // Concrete routes.
  std::vector<std::vector<ComponentId>> routes(flows.size());
  std::vector<char> crossed(t.components().size(), 0);
  for (size_t i = 0; i < flows.size(); ++i) {
    auto r = finder.Route(flows[i].src, flows[i].dst, flows[i].net, flows[i].hash);
    if (!r.ok()) return r.status();
    routes[i] = std::move(*r);
    for (ComponentId c : routes[i]) crossed[c] = 1;
  }
  // Faults.
  std::vector<model::ComponentKind> kinds = o.kinds;
  if (kinds.empty()) kinds = {model::ComponentKind::kCable};
  std::vector<ComponentId> pool;
  for (ComponentId c = 0; c < t.components().size(); ++c) {
    if (std::find(kinds.begin(), kinds.end(), t.component(c).kind) == kinds.end()) continue;
    if (o.observable_faults_only && !crossed[c]) continue;
    pool.push_back(c);
  }
  if (o.fixed_faults.empty() && static_cast<int>(pool.size()) < o.faults) {
    return Status::Usage(
        fmt::format("only {} candidate components for {} faults", pool.size(), o.faults));
  }
  Scenario s;
  std::uniform_real_distribution<double> loss(o.min_loss_ratio, o.max_loss_ratio);
  std::vector<double> rate(t.components().size(), 0);
  for (const auto& [c, r] : o.fixed_faults) {
    s.truth.push_back({c, r});
    rate[c] = 1.0 - (1.0 - rate[c]) * (1.0 - r);
  }
  for (int f = 0; f < (o.fixed_faults.empty() ? o.faults : 0); ++f) {
    size_t pick = f + rng() % (pool.size() - f);
    if (o.draw_by_prior) {
      double total = 0;
      for (size_t i = f; i < pool.size(); ++i) total += o.priors.For(t.component(pool[i]));
      double u = std::uniform_real_distribution<double>(0, total)(rng);
      for (pick = f; pick + 1 < pool.size(); ++pick) {
        u -= o.priors.For(t.component(pool[pick]));
        if (u <= 0) break;
      }
    }
    std::swap(pool[f], pool[pick]);
    double r = loss(rng);
    s.truth.push_back({pool[f], r});
    rate[pool[f]] = r;
  }
  s.observations.reserve(flows.size());
  for (size_t i = 0; i < flows.size(); ++i) {
    double survive = 1.0 - o.background_loss_ratio;
    for (ComponentId c : routes[i]) survive *= 1.0 - rate[c];
    std::binomial_distribution<uint64_t> lost(o.probes_per_pair, 1.0 - survive);
    model::Observation ob;
    ob.src = flows[i].src;
    ob.dst = flows[i].dst;
    ob.network = flows[i].net;
    ob.sent = o.probes_per_pair;
    ob.lost = lost(rng);
    ob.loc = {"sim", static_cast<int64_t>(i + 1), 0};
    s.observations.push_back(std::move(ob));
  }
  if (o.keep_routes) s.routes = std::move(routes);
  return s;
}

ObservedPaths KnownRoutePaths(const Scenario& scenario) {
  ObservedPaths out;
  out.counts.reserve(scenario.routes.size());
  size_t most = 0;  // entries at most: repeats in a route are merged
  for (const auto& r : scenario.routes) most += r.size();
  out.paths.ReserveEntries(most);
  std::vector<model::PathEntry> entries;
  for (size_t i = 0; i < scenario.routes.size(); ++i) {
    std::vector<ComponentId> r = scenario.routes[i];
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end()), r.end());
    entries.clear();
    for (ComponentId c : r) entries.push_back({c, 1.0f});
    out.Add(entries, {scenario.observations[i].sent, scenario.observations[i].lost,
                      static_cast<uint32_t>(i)});
  }
  return out;
}

}  // namespace kiriwake::infer
