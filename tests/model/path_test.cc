#include "model/path.h"

#include <map>

#include <gtest/gtest.h>

#include "model/topology_gen.h"

namespace kiriwake::model {
namespace {

Topology Seed() {
  auto t = LoadTopology(std::string(KW_SOURCE_DIR) + "/examples/seed-incident/topology.yaml");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

std::map<std::string, float> Ids(const Topology& t, const Path& p) {
  std::map<std::string, float> out;
  for (const PathEntry& e : p.entries) out[t.component(e.component).id] = e.weight;
  return out;
}

// FindFolded sets paths sink by sink, so out of index order; each keeps exactly its entries.
TEST(PathSet, PathsSetInAnyOrderKeepTheirOwnEntries) {
  PathSet set(3);
  EXPECT_EQ(set.size(), 3u);
  for (size_t i = 0; i < set.size(); ++i) EXPECT_TRUE(set[i].empty());
  auto two = set.Set(2, 2);
  two[0] = {7, 0.5f};
  two[1] = {9, 1.0f};
  auto zero = set.Set(0, 1);
  zero[0] = {3, 0.25f};
  set.Add(std::vector<PathEntry>{{1, 1.0f}, {4, 0.125f}, {5, 1.0f}});
  ASSERT_EQ(set.size(), 4u);
  EXPECT_EQ(set.entries(), 6u);
  ASSERT_EQ(set[0].size(), 1u);
  EXPECT_EQ(set[0][0].component, 3u);
  EXPECT_FLOAT_EQ(set[0][0].weight, 0.25f);
  EXPECT_TRUE(set[1].empty());
  ASSERT_EQ(set[2].size(), 2u);
  EXPECT_EQ(set[2][0].component, 7u);
  EXPECT_EQ(set[2][1].component, 9u);
  ASSERT_EQ(set[3].size(), 3u);
  EXPECT_EQ(set[3][1].component, 4u);
  EXPECT_FLOAT_EQ(set[3][1].weight, 0.125f);
}

TEST(PathSeedLab, HostToHostCrossesBothSidesAndTheSwitch) {
  Topology t = Seed();
  PathFinder f(t);
  auto p = f.Find(*t.FindEndpoint("esxi1"), *t.FindEndpoint("esxi2"), *t.FindNetwork("service"));
  ASSERT_TRUE(p.ok());
  std::map<std::string, float> want = {
      {"esxi1", 1}, {"esxi1/x520", 1}, {"esxi1/driver:ixgbe", 1}, {"esxi1:vmnic2", 1},
      {"dac-esxi1-allied", 1}, {"allied:1", 1}, {"allied", 1}, {"allied:2", 1},
      {"dac-esxi2-allied", 1}, {"esxi2:vmnic2", 1}, {"esxi2/driver:ixgbe", 1},
      {"esxi2/x520", 1}, {"esxi2", 1}};
  EXPECT_EQ(Ids(t, *p), want);
  EXPECT_TRUE(p->Certain());
}

TEST(PathSeedLab, VmPathAddsVmsAndVswitches) {
  Topology t = Seed();
  PathFinder f(t);
  auto p = f.Find(*t.FindEndpoint("ceph2"), *t.FindEndpoint("ceph4"), *t.FindNetwork("storage"));
  ASSERT_TRUE(p.ok());
  auto ids = Ids(t, *p);
  EXPECT_TRUE(ids.count("ceph2") && ids.count("ceph4") && ids.count("esxi3/vswitch") &&
              ids.count("esxi2/vswitch") && ids.count("mikrotik") && ids.count("esxi2:vmnic3"));
  EXPECT_FALSE(ids.count("allied"));
}

TEST(PathSeedLab, TwoVmsOnOneHostCrossOnlyVmsVswitchAndHost) {
  Topology t = Seed();
  PathFinder f(t);
  auto p = f.Find(*t.FindEndpoint("ceph1"), *t.FindEndpoint("ceph3"), *t.FindNetwork("service"));
  ASSERT_TRUE(p.ok());
  std::map<std::string, float> want = {
      {"ceph1", 1}, {"ceph3", 1}, {"esxi1/vswitch", 1}, {"esxi1", 1}};
  EXPECT_EQ(Ids(t, *p), want);
}

TEST(PathSeedLab, SameEndpointIsAUsageError) {
  Topology t = Seed();
  PathFinder f(t);
  auto e = *t.FindEndpoint("esxi1");
  EXPECT_EQ(f.Find(e, e, 0).status().code(), StatusCode::kUsage);
}

// Two leaves, two spines (ECMP), and a host with a two-port team.
constexpr const char* kLeafSpine = R"(hosts:
  - {name: a, addresses: {n: 10.0.0.1}, nics: [{name: nic, driver: d, ports: [p0, p1]}]}
  - {name: b, addresses: {n: 10.0.0.2}, nics: [{name: nic, driver: d, ports: [p0]}]}
  - {name: c, addresses: {n: 10.0.0.3}, nics: [{name: nic, driver: d, ports: [p0]}]}
switches:
  - {name: leaf1, ports: 8}
  - {name: leaf2, ports: 8}
  - {name: spine1, ports: 8}
  - {name: spine2, ports: 8}
cables:
  - {name: a0, a: a:p0, b: leaf1:1}
  - {name: a1, a: a:p1, b: leaf1:2}
  - {name: b0, a: b:p0, b: leaf2:1}
  - {name: c0, a: c:p0, b: leaf1:3}
  - {name: l1s1, a: leaf1:7, b: spine1:1}
  - {name: l1s2, a: leaf1:8, b: spine2:1}
  - {name: l2s1, a: leaf2:7, b: spine1:2}
  - {name: l2s2, a: leaf2:8, b: spine2:2}
networks:
  - {name: n, uplinks: {a: [p0, p1], b: p0, c: p0}}
)";

TEST(PathEcmp, EqualCostSpinesShareTheFlowHalfAndHalf) {
  auto t = ParseTopology(kLeafSpine, "ls.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  PathFinder f(*t);
  auto p = f.Find(*t->FindEndpoint("c"), *t->FindEndpoint("b"), 0);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto ids = Ids(*t, *p);
  EXPECT_FLOAT_EQ(ids["leaf1"], 1);
  EXPECT_FLOAT_EQ(ids["leaf2"], 1);
  EXPECT_FLOAT_EQ(ids["spine1"], 0.5);
  EXPECT_FLOAT_EQ(ids["spine2"], 0.5);
  EXPECT_FLOAT_EQ(ids["l1s1"], 0.5);
  EXPECT_FLOAT_EQ(ids["leaf2:8"], 0.5);
  EXPECT_FLOAT_EQ(ids["c0"], 1);
  EXPECT_FALSE(p->Certain());
}

// A fat-tree's edge switches in one pod have the same neighbours, so the search from all but the
// first is copied from the first's with the two swapped (PathFinder::Twin). Every flow toward
// such a twin must still spread as the fabric says: 1/2 per aggregation switch, 1/4 per core.
TEST(PathEcmp, TwinEdgeSwitchesSpreadFlowsLikeAnyOther) {
  auto t = Topology::Build(FatTree(4));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  PathFinder f(*t);
  int checked = 0;
  for (size_t a = 0; a < t->hosts().size(); ++a) {
    for (size_t b = 0; b < t->hosts().size(); ++b) {
      const std::string& na = t->hosts()[a].name;  // h<pod>-<edge>-<host>
      const std::string& nb = t->hosts()[b].name;
      if (na.substr(0, 5) == nb.substr(0, 5)) continue;  // same edge switch: no segment
      bool same_pod = na.substr(0, 3) == nb.substr(0, 3);
      auto p = f.Find(*t->FindEndpoint(na), *t->FindEndpoint(nb), 0);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      int edges = 0, aggs = 0, cores = 0;
      for (const auto& [id, w] : Ids(*t, *p)) {
        if (id.rfind("edge", 0) == 0 && id.find(':') == std::string::npos) {
          ++edges;
          EXPECT_FLOAT_EQ(w, 1) << na << " -> " << nb << ": " << id;
        } else if (id.rfind("agg", 0) == 0 && id.find(':') == std::string::npos) {
          ++aggs;
          EXPECT_FLOAT_EQ(w, 0.5) << na << " -> " << nb << ": " << id;
        } else if (id.rfind("core", 0) == 0 && id.find(':') == std::string::npos) {
          ++cores;
          EXPECT_FLOAT_EQ(w, 0.25) << na << " -> " << nb << ": " << id;
        }
      }
      EXPECT_EQ(edges, 2) << na << " -> " << nb;
      EXPECT_EQ(aggs, same_pod ? 2 : 4) << na << " -> " << nb;
      EXPECT_EQ(cores, same_pod ? 0 : 4) << na << " -> " << nb;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 16 * 14);
}

TEST(PathTeaming, TeamMembersShareTheFlowButTheCardIsCertain) {
  auto t = ParseTopology(kLeafSpine, "ls.yaml");
  ASSERT_TRUE(t.ok());
  PathFinder f(*t);
  auto p = f.Find(*t->FindEndpoint("a"), *t->FindEndpoint("c"), 0);
  ASSERT_TRUE(p.ok());
  auto ids = Ids(*t, *p);
  EXPECT_FLOAT_EQ(ids["a:p0"], 0.5);
  EXPECT_FLOAT_EQ(ids["a1"], 0.5);
  EXPECT_FLOAT_EQ(ids["a/nic"], 1);
  EXPECT_FLOAT_EQ(ids["leaf1"], 1);
  EXPECT_FALSE(ids.count("spine1")) << "same leaf: no spine";
}

TEST(PathRoute, ConcreteRouteTakesOneSpine) {
  auto t = ParseTopology(kLeafSpine, "ls.yaml");
  ASSERT_TRUE(t.ok());
  PathFinder f(*t);
  int spine1 = 0;
  for (uint64_t h = 0; h < 200; ++h) {
    auto r = f.Route(*t->FindEndpoint("c"), *t->FindEndpoint("b"), 0, h);
    ASSERT_TRUE(r.ok());
    bool s1 = false, s2 = false;
    for (ComponentId c : *r) {
      s1 |= t->component(c).id == "spine1";
      s2 |= t->component(c).id == "spine2";
    }
    EXPECT_NE(s1, s2);
    spine1 += s1;
  }
  EXPECT_GT(spine1, 60);
  EXPECT_LT(spine1, 140);
}

TEST(PathErrors, DisconnectedSwitchesHaveNoPath) {
  auto t = ParseTopology(R"(hosts:
  - {name: a, addresses: {n: 10.0.0.1}, nics: [{name: nic, ports: [p0]}]}
  - {name: b, addresses: {n: 10.0.0.2}, nics: [{name: nic, ports: [p0]}]}
switches: [{name: s1, ports: 2}, {name: s2, ports: 2}]
cables:
  - {name: ca, a: a:p0, b: s1:1}
  - {name: cb, a: b:p0, b: s2:1}
networks: [{name: n, uplinks: {a: p0, b: p0}}]
)", "x.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  PathFinder f(*t);
  auto p = f.Find(*t->FindEndpoint("a"), *t->FindEndpoint("b"), 0);
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kiriwake::model
