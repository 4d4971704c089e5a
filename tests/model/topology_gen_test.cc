#include "model/topology_gen.h"

#include <gtest/gtest.h>

#include "model/path.h"

namespace kiriwake::model {
namespace {

TEST(TopologyGenFatTree, KEightHasTheTextbookCounts) {
  auto t = Topology::Build(FatTree(8));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->hosts().size(), 128u);     // k^3/4
  EXPECT_EQ(t->switches().size(), 80u);   // 5k^2/4
  size_t cables = 0;
  for (const Component& c : t->components()) cables += c.kind == ComponentKind::kCable;
  EXPECT_EQ(cables, 384u);                // 3k^3/4
}

TEST(TopologyGenFatTree, InterPodPathSpreadsOverAllCores) {
  auto t = Topology::Build(FatTree(4));
  ASSERT_TRUE(t.ok());
  PathFinder f(*t);
  auto p = f.Find(*t->FindEndpoint("h0-0-0"), *t->FindEndpoint("h3-1-1"), 0);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  int cores = 0;
  for (const PathEntry& e : p->entries) {
    if (t->component(e.component).id.rfind("core", 0) == 0 &&
        t->component(e.component).kind == ComponentKind::kSwitch) {
      ++cores;
      EXPECT_FLOAT_EQ(e.weight, 0.25f);
    }
  }
  EXPECT_EQ(cores, 4);
}

TEST(TopologyGen, SeedLabMatchesTheExampleFile) {
  auto gen = Topology::Build(SeedHomeLab());
  auto file = LoadTopology(std::string(KW_SOURCE_DIR) + "/examples/seed-incident/topology.yaml");
  ASSERT_TRUE(gen.ok() && file.ok());
  ASSERT_EQ(gen->components().size(), file->components().size());
  for (const Component& c : file->components()) EXPECT_TRUE(gen->FindComponent(c.id)) << c.id;
}

TEST(TopologyGen, ShapesParseAndBadOnesAreUsageErrors) {
  EXPECT_TRUE(GenerateTopology("homelab:5").ok());
  EXPECT_TRUE(GenerateTopology("leafspine:4,2,3").ok());
  EXPECT_EQ(GenerateTopology("fattree:5").status().code(), StatusCode::kUsage);
  EXPECT_EQ(GenerateTopology("mesh").status().code(), StatusCode::kUsage);
}

TEST(TopologyGen, GeneratedYamlLoadsBack) {
  auto spec = LeafSpine(3, 2, 2);
  auto again = ParseTopology(TopologySpecToYaml(spec), "ls.yaml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->hosts().size(), 6u);
}

}  // namespace
}  // namespace kiriwake::model
