// The scale test's load generator: simulated agents serve the agent's own exposition, and the
// counters' increase over one period is the simulator's observation.
#include "agent/simulated_agents.h"

#include <cstdint>
#include <map>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "infer/simulate.h"
#include "model/topology_gen.h"

namespace kiriwake::agent {
namespace {

// counter name{...peer="P"...} value -> map peer -> value
std::map<std::string, uint64_t> Counter(const std::string& text, const std::string& name) {
  std::map<std::string, uint64_t> out;
  std::regex re(name + R"re(\{src="[^"]*",peer="([^"]*)",network="[^"]*",proto="udp"\} (\d+))re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out[(*it)[1]] = std::stoull((*it)[2]);
  }
  return out;
}

class SimulatedAgentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = model::Topology::Build(model::FatTree(4));
    ASSERT_TRUE(t.ok());
    topo_ = std::make_unique<model::Topology>(std::move(*t));
    infer::SimOptions o;
    o.peers_per_endpoint = 5;
    o.faults = 1;
    o.min_loss_ratio = o.max_loss_ratio = 0.3;
    o.probes_per_pair = 300;
    o.include_vms = false;
    auto s = infer::Simulate(*topo_, o);
    ASSERT_TRUE(s.ok());
    obs_ = s->observations;
  }
  std::unique_ptr<model::Topology> topo_;
  std::vector<model::Observation> obs_;
};

TEST_F(SimulatedAgentsTest, EverySourceIsAnAgentWithItsPeers) {
  SimulatedAgents agents(*topo_, obs_, 60);
  EXPECT_EQ(agents.names().size(), 16u);  // fat-tree k=4: 16 hosts, each probing
  EXPECT_EQ(agents.paths(), obs_.size());
  std::string text;
  ASSERT_TRUE(agents.Render(agents.names()[0], 60, &text));
  EXPECT_EQ(Counter(text, "kiriwake_probe_sent_total").size(), 5u);
  EXPECT_NE(text.find("# TYPE kiriwake_probe_rtt_seconds histogram"), std::string::npos);
  EXPECT_FALSE(agents.Render("no-such-agent", 60, &text));
}

TEST_F(SimulatedAgentsTest, IncreaseOverOnePeriodIsTheObservation) {
  SimulatedAgents agents(*topo_, obs_, 60);
  uint64_t lossy = 0;
  for (const model::Observation& o : obs_) {
    const std::string& src = topo_->EndpointName(o.src);
    const std::string& dst = topo_->EndpointName(o.dst);
    std::string a, b;
    ASSERT_TRUE(agents.Render(src, 120, &a));
    ASSERT_TRUE(agents.Render(src, 180, &b));
    uint64_t sent =
        Counter(b, "kiriwake_probe_sent_total")[dst] - Counter(a, "kiriwake_probe_sent_total")[dst];
    uint64_t lost =
        Counter(b, "kiriwake_probe_lost_total")[dst] - Counter(a, "kiriwake_probe_lost_total")[dst];
    EXPECT_EQ(sent, o.sent) << src << " -> " << dst;
    EXPECT_EQ(lost, o.lost) << src << " -> " << dst;
    lossy += o.lost > 0;
  }
  EXPECT_GT(lossy, 0u);  // the injected 30% fault shows
}

TEST_F(SimulatedAgentsTest, CountersNeverDecreaseAndLostNeverExceedsSent) {
  SimulatedAgents agents(*topo_, obs_, 7);
  std::map<std::string, uint64_t> prev_sent, prev_lost;
  for (double t = 0; t < 30; t += 0.37) {
    std::string text;
    ASSERT_TRUE(agents.Render(agents.names()[3], t, &text));
    auto sent = Counter(text, "kiriwake_probe_sent_total");
    auto lost = Counter(text, "kiriwake_probe_lost_total");
    auto answered = Counter(text, "kiriwake_probe_answered_total");
    for (const auto& [peer, n] : sent) {
      EXPECT_GE(n, prev_sent[peer]);
      EXPECT_GE(lost[peer], prev_lost[peer]);
      EXPECT_LE(lost[peer], n);
      EXPECT_EQ(answered[peer] + lost[peer], n);
    }
    prev_sent = sent;
    prev_lost = lost;
  }
}

}  // namespace
}  // namespace kiriwake::agent
