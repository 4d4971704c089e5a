// agent.yaml parsing (every error names file:line:col), `since` parsing, and /metrics rendering.
#include "agent/agent_config.h"

#include <gtest/gtest.h>

#include "agent/agent.h"
#include "agent/agent_metrics.h"

namespace kiriwake::agent {
namespace {

TEST(AgentConfig, ParsesPeersNetworksAndRetention) {
  auto c = ParseAgentConfig(R"(
name: esxi1
listen: 10.77.32.1:8623
http: 127.0.0.1:9623
db: /tmp/h.db
interval_ms: 500
retention: {raw_hours: 2, aggregate_days: 7}
networks:
  - {name: service, source: 10.77.32.1}
  - {name: storage, source: 10.77.33.1, device: eth2}
peers:
  - {name: esxi2, address: 10.77.32.2, network: service}
  - {name: esxi2, address: 10.77.33.2, network: storage}
  - {name: switch, address: 10.77.32.254, network: service, proto: icmp}
)", "agent.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "esxi1");
  EXPECT_EQ(c->interval_ms, 500);
  EXPECT_EQ(c->raw_retention_hours, 2);
  EXPECT_EQ(c->aggregate_retention_days, 7);
  ASSERT_EQ(c->networks.size(), 2u);
  EXPECT_EQ(c->networks[1].device, "eth2");
  ASSERT_EQ(c->peers.size(), 3u);
  EXPECT_EQ(c->peers[0].address.ToString(), "10.77.32.2:8623");
  EXPECT_EQ(c->peers[1].network, "storage");
  EXPECT_EQ(c->peers[2].proto, "icmp");
  EXPECT_EQ(c->peers[2].line, 14);
}

TEST(AgentConfig, UnknownKeyIsAnErrorAtItsLineAndColumn) {
  auto c = ParseAgentConfig("peers: []\ninterval: 5\n", "a.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(c.status().loc(), (SourceLoc{"a.yaml", 2, 1}));
  EXPECT_NE(c.status().message().find("unknown key 'interval'"), std::string::npos);
}

TEST(AgentConfig, BadAddressNamesItsLine) {
  auto c = ParseAgentConfig("peers:\n  - {name: x, address: 10.0.0.300}\n", "a.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().loc().line, 2);
  EXPECT_NE(c.status().message().find("10.0.0.300"), std::string::npos);
}

TEST(AgentConfig, PeerOnAnUndeclaredNetworkIsAnError) {
  auto c = ParseAgentConfig(
      "networks: [{name: a}]\npeers:\n  - {address: 10.0.0.1, network: b}\n", "a.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().loc().line, 3);
}

TEST(AgentConfig, DuplicatePeerIsAnError) {
  auto c = ParseAgentConfig("peers:\n  - {address: 10.0.0.1}\n  - {address: 10.0.0.1}\n", "a.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().loc().line, 3);
}

TEST(AgentConfig, YamlSyntaxErrorHasAPosition) {
  auto c = ParseAgentConfig("peers: [\n  {address: 10.0.0.1\n", "a.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kMalformed);
  EXPECT_GT(c.status().loc().line, 0);
}

TEST(AgentConfig, OutOfRangeIntervalIsRejected) {
  auto c = ParseAgentConfig("interval_ms: 1\npeers: []\n", "a.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().loc().line, 1);
}

TEST(AgentConfig, TopologyGivesEveryPeerOnEveryNetworkOfSelf) {
  auto c = AgentConfigFromTopology(std::string(KW_SOURCE_DIR) +
                                       "/examples/seed-incident/topology.yaml",
                                   "ceph4");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "ceph4");
  // ceph4 is on service and storage (no mgmt address): 3 hosts + 3 other VMs on each.
  ASSERT_EQ(c->networks.size(), 2u);
  EXPECT_EQ(c->networks[0].name, "service");
  EXPECT_EQ(c->peers.size(), 12u);
  int to_esxi2_storage = 0;
  for (const auto& p : c->peers) {
    EXPECT_NE(p.name, "ceph4");
    if (p.name == "esxi2" && p.network == "storage") ++to_esxi2_storage;
  }
  EXPECT_EQ(to_esxi2_storage, 1);
}

TEST(AgentConfig, TopologyWithUnknownSelfIsNotFound) {
  auto c = AgentConfigFromTopology(std::string(KW_SOURCE_DIR) +
                                       "/examples/seed-incident/topology.yaml",
                                   "nobody");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

TEST(AgentSince, AcceptsUnixSecondsAndRfc3339) {
  EXPECT_EQ(*ParseSince(""), 0);
  EXPECT_EQ(*ParseSince("1700000000"), 1'700'000'000'000'000'000);
  EXPECT_EQ(*ParseSince("2023-11-14T22:13:20Z"), 1'700'000'000'000'000'000);
  EXPECT_EQ(*ParseSince("2023-11-14T22:13:20.5Z"), 1'700'000'000'500'000'000);
  EXPECT_FALSE(ParseSince("yesterday").ok());
  EXPECT_FALSE(ParseSince("2023-13-14T22:13:20Z").ok());
  // Each of these used to answer 200 with the whole history: NaN passed the range test, and the
  // others overflowed int64 nanoseconds or were rolled forward by timegm.
  for (const char* bad : {"nan", "1e10", "2300-01-01T00:00:00Z", "2026-02-31T00:00:00Z"}) {
    auto s = ParseSince(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), StatusCode::kUsage) << bad;
    EXPECT_NE(s.status().ToString().find(bad), std::string::npos) << s.status().ToString();
  }
}

TEST(AgentMetrics, CountsOnlyConfiguredSeriesWithLabels) {
  AgentMetrics m("h1");
  m.SetPeers({{"h2", "service", "udp"}});
  probe::ProbeEvent answered;
  answered.outcome = probe::ProbeOutcome::kAnswered;
  answered.rtt_ms = 0.3;
  probe::ProbeEvent lost;
  lost.outcome = probe::ProbeOutcome::kLost;
  m.Record("h2", "service", "udp", answered);
  m.Record("h2", "service", "udp", lost);
  m.Record("h9", "service", "udp", lost);  // not configured: ignored
  std::string out = m.Render();
  EXPECT_NE(out.find("kiriwake_probe_sent_total{src=\"h1\",peer=\"h2\",network=\"service\","
                     "proto=\"udp\"} 2"), std::string::npos);
  EXPECT_NE(out.find("kiriwake_probe_lost_total{src=\"h1\",peer=\"h2\",network=\"service\","
                     "proto=\"udp\"} 1"), std::string::npos);
  EXPECT_NE(out.find("le=\"0.0005\"} 1"), std::string::npos);
  EXPECT_NE(out.find("le=\"0.00025\"} 0"), std::string::npos);
  EXPECT_EQ(out.find("h9"), std::string::npos);
}

}  // namespace
}  // namespace kiriwake::agent
