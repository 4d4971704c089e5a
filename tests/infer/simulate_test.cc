#include "infer/simulate.h"

#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "model/topology_gen.h"

namespace kiriwake::infer {
namespace {

TEST(Simulate, SameSeedSameScenario) {
  auto t = model::Topology::Build(model::HomeLab(4));
  ASSERT_TRUE(t.ok());
  SimOptions o;
  o.faults = 2;
  o.seed = 9;
  auto a = Simulate(*t, o), b = Simulate(*t, o);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->observations.size(), b->observations.size());
  // Full mesh: 4 hosts + 4 VMs on service and storage (8*7 each), 4 hosts on mgmt (4*3).
  EXPECT_EQ(a->observations.size(), 56u + 56u + 12u);
  for (size_t i = 0; i < a->observations.size(); ++i) {
    EXPECT_EQ(a->observations[i].lost, b->observations[i].lost);
  }
  EXPECT_EQ(a->truth[0].component, b->truth[0].component);
}

TEST(Simulate, FixedFaultIsFoundByLocalize) {
  auto t = model::Topology::Build(model::HomeLab(5));
  ASSERT_TRUE(t.ok());
  SimOptions o;
  o.fixed_faults = {{*t->FindComponent("dac-esxi3-sto"), 0.05}};
  auto s = Simulate(*t, o);
  ASSERT_TRUE(s.ok());
  int lossy = 0;
  for (const auto& ob : s->observations) lossy += ob.lost > 0;
  EXPECT_GT(lossy, 10);
  auto r = Localize(*t, s->observations, {});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->suspects.empty());
  EXPECT_EQ(t->component(r->suspects[0].components[0]).id, "dac-esxi3-sto");
  EXPECT_NEAR(r->suspects[0].loss_ratio_estimate, 0.05, 0.015);
}

TEST(Simulate, UnknownKindIsAUsageError) {
  EXPECT_EQ(ParseKinds("cable,toaster").status().code(), StatusCode::kUsage);
  auto k = ParseKinds("cable,host_port");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->size(), 2u);
}

}  // namespace
}  // namespace kiriwake::infer

namespace kiriwake::infer {
namespace {

TEST(Simulate, PeersPerEndpointGivesEachSourceThatManyDistinctPeers) {
  auto t = model::Topology::Build(model::FatTree(4));
  ASSERT_TRUE(t.ok());
  SimOptions o;
  o.peers_per_endpoint = 6;
  o.include_vms = false;
  auto s = Simulate(*t, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::map<std::string, std::set<std::string>> peers;
  for (const model::Observation& ob : s->observations) {
    EXPECT_FALSE(ob.src == ob.dst);
    EXPECT_TRUE(peers[t->EndpointName(ob.src)].insert(t->EndpointName(ob.dst)).second)
        << "repeated peer";
  }
  EXPECT_EQ(peers.size(), 16u);
  for (const auto& [src, set] : peers) EXPECT_EQ(set.size(), 6u) << src;
}

TEST(Simulate, MorePeersThanTheNetworkHasMeansEveryOtherEndpoint) {
  auto t = model::Topology::Build(model::FatTree(4));
  ASSERT_TRUE(t.ok());
  SimOptions o;
  o.peers_per_endpoint = 100;
  o.include_vms = false;
  auto s = Simulate(*t, o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->observations.size(), 16u * 15u);
}

}  // namespace
}  // namespace kiriwake::infer
