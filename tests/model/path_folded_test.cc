// PathFinder::FindFolded and FindCertain against the reference, Find: folding loses nothing
// (every component's weight on every flow is its representative's), folds exactly the
// components no flow set can tell apart, and FindCertain is Find's certain part.
#include <map>
#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "model/path.h"
#include "model/topology_gen.h"

namespace kiriwake::model {
namespace {

std::vector<Endpoint> Endpoints(const Topology& t) {
  std::vector<Endpoint> out;
  for (size_t h = 0; h < t.hosts().size(); ++h) {
    out.push_back({Endpoint::Kind::kHost, static_cast<int32_t>(h)});
  }
  for (size_t v = 0; v < t.vms().size(); ++v) {
    out.push_back({Endpoint::Kind::kVm, static_cast<int32_t>(v)});
  }
  return out;
}

// Random flows that have a path (as the observation parser would accept).
std::vector<Flow> RandomFlows(const Topology& t, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto eps = Endpoints(t);
  PathFinder f(t);
  std::vector<Flow> flows;
  for (size_t tries = 0; flows.size() < count && tries < count * 20; ++tries) {
    Flow fl{eps[rng() % eps.size()], eps[rng() % eps.size()],
            static_cast<int32_t>(rng() % t.networks().size())};
    if (fl.src == fl.dst || t.EndpointAddress(fl.src, fl.network).empty() ||
        t.EndpointAddress(fl.dst, fl.network).empty() ||
        !f.Check(fl.src, fl.dst, fl.network).ok()) {
      continue;
    }
    flows.push_back(fl);
  }
  return flows;
}

void ExpectFoldingIsExact(const Topology& t, const std::vector<Flow>& flows) {
  PathFinder reference(t), folder(t);
  size_t failed = 99;
  auto folded = folder.FindFolded(flows, &failed);
  ASSERT_TRUE(folded.ok()) << folded.status().ToString();
  ASSERT_EQ(folded->paths.size(), flows.size());
  size_t n = t.components().size();
  // Columns from the reference: component -> {flow -> weight}.
  std::vector<std::map<size_t, float>> column(n);
  for (size_t i = 0; i < flows.size(); ++i) {
    auto p = reference.Find(flows[i].src, flows[i].dst, flows[i].network);
    ASSERT_TRUE(p.ok());
    for (const PathEntry& e : p->entries) column[e.component][i] = e.weight;
    std::map<ComponentId, float> got;
    for (const PathEntry& e : folded->paths[i]) {
      EXPECT_EQ(folded->representative[e.component], e.component) << "not a representative";
      got[e.component] = e.weight;
    }
    for (const PathEntry& e : p->entries) {
      ComponentId rep = folded->representative[e.component];
      ASSERT_NE(rep, kNoComponent) << t.component(e.component).id;
      ASSERT_TRUE(got.count(rep)) << t.component(e.component).id << " on flow " << i;
      EXPECT_NEAR(got[rep], e.weight, 1e-5) << t.component(e.component).id;
    }
  }
  // Folded together exactly when the columns are equal.
  std::map<std::vector<std::pair<size_t, int>>, ComponentId> rep_of_column;
  for (ComponentId c = 0; c < n; ++c) {
    if (column[c].empty()) {
      EXPECT_EQ(folded->representative[c], kNoComponent) << t.component(c).id;
      continue;
    }
    std::vector<std::pair<size_t, int>> key;
    for (auto [flow, w] : column[c]) key.push_back({flow, static_cast<int>(w * 1e5 + 0.5)});
    auto [it, fresh] = rep_of_column.try_emplace(key, folded->representative[c]);
    EXPECT_EQ(folded->representative[c], it->second)
        << t.component(c).id << " has the column of " << t.component(it->second).id;
  }
  std::set<ComponentId> reps;
  for (auto& [key, rep] : rep_of_column) reps.insert(rep);
  EXPECT_EQ(reps.size(), rep_of_column.size()) << "two different columns share a representative";
}

TEST(PathFolded, FatTreeWithEcmpFoldsExactly) {
  auto t = Topology::Build(FatTree(6));
  ASSERT_TRUE(t.ok());
  ExpectFoldingIsExact(*t, RandomFlows(*t, 300, 1));
}

TEST(PathFolded, LeafSpineFoldsExactly) {
  auto t = Topology::Build(LeafSpine(4, 3, 3));
  ASSERT_TRUE(t.ok());
  ExpectFoldingIsExact(*t, RandomFlows(*t, 100, 2));
}

TEST(PathFolded, HomeLabWithVmsAndThreeNetworksFoldsExactly) {
  auto t = Topology::Build(HomeLab(5));
  ASSERT_TRUE(t.ok());
  ExpectFoldingIsExact(*t, RandomFlows(*t, 120, 3));
}

// Sinks that are twins (a pod's edge switches) are pushed together from their first twin's
// search; flows that start at that first twin, or come from another pod, into two of its twins
// are the case where the base's own mass must still reach the common neighbours.
TEST(PathFolded, FlowsIntoTwinEdgeSwitchesFoldExactly) {
  auto t = Topology::Build(FatTree(6));
  ASSERT_TRUE(t.ok());
  std::vector<Flow> flows;
  auto host = [&](const std::string& name) { return *t->FindEndpoint(name); };
  for (int a = 0; a < 3; ++a) {
    for (int e = 1; e < 3; ++e) {
      for (int b = 0; b < 3; ++b) {
        flows.push_back({host("h0-0-" + std::to_string(a)),
                         host("h0-" + std::to_string(e) + "-" + std::to_string(b)), 0});
      }
    }
  }
  ExpectFoldingIsExact(*t, flows);
  flows.push_back({host("h1-0-0"), host("h0-1-2"), 0});
  flows.push_back({host("h2-1-1"), host("h0-2-0"), 0});
  flows.push_back({host("h0-1-1"), host("h0-2-2"), 0});
  ExpectFoldingIsExact(*t, flows);
}

// Twin sinks share one walk of restricted segments when swapping them maps representatives to
// representatives. Flows from one edge switch of a pod into another fold the first's links, the
// pod's aggregation switches and the second's links into one class whose representative is the
// first's; swapped, that is not a representative, so the second sink walks on its own. Both
// ways must be exact, and on one set of flows.
TEST(PathFolded, TwinSinksWhoseRepresentativesDoNotSwapFoldExactly) {
  auto t = Topology::Build(FatTree(6));
  ASSERT_TRUE(t.ok());
  auto host = [&](const std::string& name) { return *t->FindEndpoint(name); };
  std::vector<Flow> flows = {{host("h0-0-0"), host("h0-1-0"), 0}};
  ExpectFoldingIsExact(*t, flows);
  flows.push_back({host("h0-0-1"), host("h0-2-1"), 0});
  flows.push_back({host("h1-0-0"), host("h0-2-2"), 0});
  flows.push_back({host("h1-1-1"), host("h0-0-2"), 0});
  ExpectFoldingIsExact(*t, flows);
}

// 70 leaves, all twins of one another: their pushes go in batches of at most 64.
TEST(PathFolded, LeafSpineWithMoreTwinLeavesThanOneBatchFoldsExactly) {
  auto t = Topology::Build(LeafSpine(70, 3, 2));
  ASSERT_TRUE(t.ok());
  ExpectFoldingIsExact(*t, RandomFlows(*t, 600, 4));
}

TEST(PathFolded, FatTreeFoldsACoreTierIntoOneClass) {
  auto t = Topology::Build(FatTree(8));
  ASSERT_TRUE(t.ok());
  // Every host probes every host of another pod: cross-pod paths cross the 16 cores alike.
  std::vector<Flow> flows;
  auto eps = Endpoints(*t);
  for (size_t i = 0; i < eps.size(); i += 7) {
    for (size_t j = 0; j < eps.size(); j += 5) {
      if (t->hosts()[i].name.substr(0, 3) != t->hosts()[j].name.substr(0, 3)) {
        flows.push_back({eps[i], eps[j], 0});
      }
    }
  }
  PathFinder f(*t);
  auto folded = f.FindFolded(flows, nullptr);
  ASSERT_TRUE(folded.ok());
  std::set<ComponentId> core_reps;
  for (size_t s = 0; s < t->switches().size(); ++s) {
    if (t->switches()[s].name.rfind("core", 0) == 0) {
      core_reps.insert(folded->representative[t->switches()[s].component]);
    }
  }
  EXPECT_EQ(core_reps.size(), 1u);
  size_t longest = 0;
  for (size_t i = 0; i < folded->paths.size(); ++i) {
    longest = std::max(longest, folded->paths[i].size());
  }
  EXPECT_LT(longest, 40u) << "a cross-pod path unfolded is ~200 entries";
}

TEST(PathFolded, UnreachableFlowIsNotFoundWithItsIndex) {
  auto t = ParseTopology(R"(hosts:
  - {name: a, addresses: {n: 10.0.0.1}, nics: [{name: nic, ports: [p0]}]}
  - {name: b, addresses: {n: 10.0.0.2}, nics: [{name: nic, ports: [p0]}]}
switches:
  - {name: s1, ports: 4}
  - {name: s2, ports: 4}
cables:
  - {name: ca, a: a:p0, b: s1:1}
  - {name: cb, a: b:p0, b: s2:1}
networks:
  - {name: n, uplinks: {a: p0, b: p0}}
)",
                         "split.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  PathFinder f(*t);
  Endpoint a = *t->FindEndpoint("a"), b = *t->FindEndpoint("b");
  size_t failed = 99;
  auto r = f.FindFolded(std::vector<Flow>{{a, a, 0}, {a, b, 0}}, &failed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(failed, 0u);  // a -> a: a usage error, the first flow
  r = f.FindFolded(std::vector<Flow>{{b, a, 0}}, &failed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(failed, 0u);
  EXPECT_EQ(f.Check(a, b, 0).code(), StatusCode::kNotFound);
}

TEST(PathCertain, IsTheCertainPartOfFind) {
  for (auto spec : {FatTree(6), LeafSpine(3, 2, 2), HomeLab(4), SeedHomeLab()}) {
    auto t = Topology::Build(std::move(spec));
    ASSERT_TRUE(t.ok());
    PathFinder a(*t), b(*t);
    for (const Flow& fl : RandomFlows(*t, 60, 4)) {
      auto full = a.Find(fl.src, fl.dst, fl.network);
      auto certain = b.FindCertain(fl.src, fl.dst, fl.network);
      ASSERT_TRUE(full.ok() && certain.ok());
      std::vector<ComponentId> want, got;
      for (const PathEntry& e : full->entries) {
        if (e.weight >= Path::kCertainWeight) want.push_back(e.component);
      }
      for (const PathEntry& e : certain->entries) got.push_back(e.component);
      EXPECT_EQ(got, want) << t->EndpointName(fl.src) << " -> " << t->EndpointName(fl.dst);
    }
  }
}

}  // namespace
}  // namespace kiriwake::model
