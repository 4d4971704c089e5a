// The story on the seed incident (examples/seed-incident/timeline) and with a pluggable verdict.
#include <gtest/gtest.h>

#include <algorithm>

#include "timeline/inputs.h"
#include "timeline/merge.h"
#include "timeline/story.h"

namespace kiriwake::timeline {
namespace {

struct Seed {
  std::unique_ptr<Inputs> in;
  StoryBuilder builder;
  uint64_t events = 0;
};

std::unique_ptr<Seed> LoadSeed() {
  auto seed = std::make_unique<Seed>();
  InputRequest req;
  req.paths = {std::string(KW_SOURCE_DIR) + "/examples/seed-incident/timeline"};
  auto in = OpenInputs(req);
  if (!in.ok()) return nullptr;
  seed->in = std::move(*in);
  Merger m(std::move(seed->in->sources), {});
  Event e;
  while (m.Next(&e)) {
    seed->builder.Add(e);
    ++seed->events;
  }
  return seed;
}

TEST(StorySeed, NamesTheLossTowardCeph4OnEsxi2AsRootCause) {
  auto seed = LoadSeed();
  ASSERT_TRUE(seed);
  EXPECT_TRUE(seed->in->errors.empty());
  Story s = seed->builder.Build(StoryInput{std::nullopt, seed->in->hints_map.get()});
  ASSERT_TRUE(s.root_cause);
  EXPECT_EQ(s.root_cause->target, "192.168.100.114");
  EXPECT_EQ(s.root_cause->host, "esxi2");
  EXPECT_EQ(s.root_cause->probes_lost, 4u);
  EXPECT_EQ(s.root_cause->probes_answered, 69u);
  EXPECT_EQ(s.root_cause->failure_reports, 1u);
  EXPECT_NE(s.root_cause->summary.find("the esxi2 service path"), std::string::npos);
}

TEST(StorySeed, DimmUpgradeAndPanicAreCoincidentNotCause) {
  auto seed = LoadSeed();
  ASSERT_TRUE(seed);
  Story s = seed->builder.Build(StoryInput{std::nullopt, seed->in->hints_map.get()});
  std::vector<std::string> tags;
  for (const auto& c : s.coincident) tags.push_back(c.tag);
  EXPECT_NE(std::find(tags.begin(), tags.end(), "dimm_failure"), tags.end());
  EXPECT_NE(std::find(tags.begin(), tags.end(), "esxi_upgrade"), tags.end());
  for (const auto& c : s.coincident) {
    EXPECT_EQ(c.event.host, "esxi2");
    EXPECT_FALSE(c.would_link.empty());
  }
  // The DIMM's own chain: fault -> panic -> reboot on esxi2.
  ASSERT_EQ(s.side_chains.size(), 1u);
  EXPECT_EQ(s.side_chains[0].host, "esxi2");
  EXPECT_NE(s.side_chains[0].steps.front().text.find("Uncorrectable Memory Error"), std::string::npos);
  EXPECT_EQ(s.side_chains[0].steps.back().text, "Boot Successful");
}

TEST(StorySeed, EffectsChainAcrossLayersInTimeOrder) {
  auto seed = LoadSeed();
  ASSERT_TRUE(seed);
  Story s = seed->builder.Build(StoryInput{std::nullopt, seed->in->hints_map.get()});
  ASSERT_GE(s.effects.size(), 5u);
  for (size_t i = 1; i < s.effects.size(); ++i) EXPECT_LE(s.effects[i - 1].first, s.effects[i].first);
  std::vector<std::string> stages;
  for (const auto& e : s.effects) stages.push_back(e.stage);
  for (const char* want : {"Ceph heartbeats slow or missed", "Ceph slow ops",
                           "kernel Ceph clients lose OSD/mon sessions", "tasks hung waiting on I/O",
                           "application start delayed"}) {
    EXPECT_NE(std::find(stages.begin(), stages.end(), want), stages.end()) << want;
  }
  ASSERT_TRUE(s.first_symptom);
  EXPECT_EQ(FormatUtc(s.first_symptom->time).substr(0, 19), "2020-03-14T16:35:02");
  ASSERT_TRUE(s.time_to_detect);
  EXPECT_EQ(s.time_to_detect->count() / 60, 9 * 60 + 23);
  ASSERT_TRUE(s.resolved);
  EXPECT_EQ(s.resolved->text, "Cluster is now healthy");
}

TEST(StorySeed, SwapOffIsRuledOutAndTheVswitchMoveRecovers) {
  auto seed = LoadSeed();
  ASSERT_TRUE(seed);
  Story s = seed->builder.Build(StoryInput{std::nullopt, seed->in->hints_map.get()});
  ASSERT_EQ(s.tried.size(), 2u);
  EXPECT_EQ(s.tried[0].what, "swap turned off");
  EXPECT_EQ(s.tried[0].hosts, (std::vector<std::string>{"k8s1", "k8s2", "k8s3"}));
  EXPECT_TRUE(s.tried[0].ruled_out);
  EXPECT_FALSE(s.tried[1].ruled_out);
  EXPECT_NE(s.tried[1].outcome.find("recovery"), std::string::npos);
}

TEST(StorySeed, SkewedOsdClockIsReported) {
  auto seed = LoadSeed();
  ASSERT_TRUE(seed);
  Story s = seed->builder.Build(StoryInput{std::nullopt, seed->in->hints_map.get()});
  ASSERT_EQ(s.skew.size(), 1u);
  EXPECT_EQ(s.skew[0].host, "ceph2");
  EXPECT_TRUE(s.skew[0].skewed);
  EXPECT_NEAR(s.skew[0].offset_s, 94.9, 0.2);
}

TEST(StoryVerdict, ALocalizationVerdictReplacesTheLossHeuristic) {
  auto seed = LoadSeed();
  ASSERT_TRUE(seed);
  LocalizationVerdict v;
  v.component = "cable:esxi2-allied";
  v.probability = 0.93;
  v.keys = {"192.168.100.114"};
  Story s = seed->builder.Build(StoryInput{v, seed->in->hints_map.get()});
  ASSERT_TRUE(s.root_cause);
  EXPECT_EQ(s.root_cause->target, "cable:esxi2-allied");
  ASSERT_TRUE(s.root_cause->probability);
  EXPECT_DOUBLE_EQ(*s.root_cause->probability, 0.93);
  EXPECT_EQ(s.root_cause->host, "esxi2");  // from the key's topology mapping
  EXPECT_FALSE(s.root_cause->evidence.empty());
  EXPECT_FALSE(s.coincident.empty());
}

TEST(StoryEmpty, NoLossNoRootCause) {
  StoryBuilder b;
  Event e;
  e.tag = "boot";
  e.host = "h";
  b.Add(e);
  Story s = b.Build({});
  EXPECT_FALSE(s.root_cause);
  EXPECT_TRUE(s.effects.empty());
  EXPECT_EQ(s.episodes.size(), 1u);
}

}  // namespace
}  // namespace kiriwake::timeline
