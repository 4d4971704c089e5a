#include "model/topology.h"

#include <gtest/gtest.h>

namespace kiriwake::model {
namespace {

// The issue's example, verbatim (plus the two hosts its network names).
constexpr const char* kIssueExample = R"(hosts:                      # physical machines (hypervisors or bare metal)
  - name: esxi2
    addresses: {service: 192.168.100.102, storage: 192.168.110.102, mgmt: 192.168.1.102}
    nics:                   # a card; its ports share the card and the driver
      - {name: x520, driver: ixgbe, ports: [vmnic2, vmnic3]}
      - {name: onboard, driver: igb, ports: [vmnic0, vmnic1]}
switches:
  - {name: allied, ports: 28}
cables:                     # a: and b: are host:port or switch:port; switch-to-switch cables too
  - {name: dac-esxi2-allied, a: esxi2:vmnic2, b: allied:2, medium: dac}
networks:                   # an L2 segment / VLAN and the host port(s) that carry it
  - {name: service, uplinks: {esxi2: vmnic2}}
  - {name: storage, uplinks: {esxi2: vmnic2}}
  - {name: mgmt, uplinks: {esxi2: vmnic2}}
vms:
  - {name: ceph4, on: esxi2, addresses: {service: 192.168.100.114, storage: 192.168.110.114}}
)";

TEST(TopologyYaml, IssueExampleLoadsWithComponentIds) {
  auto t = ParseTopology(kIssueExample, "t.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  for (const char* id : {"esxi2", "ceph4", "esxi2/vswitch", "esxi2/x520", "esxi2/driver:ixgbe",
                         "esxi2:vmnic2", "allied:2", "allied", "dac-esxi2-allied",
                         "esxi2/onboard", "esxi2/driver:igb", "esxi2:vmnic0"}) {
    EXPECT_TRUE(t->FindComponent(id)) << id;
  }
  EXPECT_EQ(t->component(*t->FindComponent("dac-esxi2-allied")).medium, "dac");
  EXPECT_EQ(t->component(*t->FindComponent("allied:2")).kind, ComponentKind::kSwitchPort);
  auto a = t->FindAddress("192.168.100.114");
  ASSERT_TRUE(a);
  EXPECT_EQ(t->EndpointName(a->first), "ceph4");
  EXPECT_EQ(t->networks()[a->second].name, "service");
  auto h = t->FindAddress("192.168.1.102");
  ASSERT_TRUE(h);
  EXPECT_EQ(t->EndpointName(h->first), "esxi2");
  EXPECT_EQ(t->networks()[h->second].name, "mgmt");
}

TEST(TopologyYaml, SeedIncidentExampleLoads) {
  auto t = LoadTopology(std::string(KW_SOURCE_DIR) + "/examples/seed-incident/topology.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->hosts().size(), 3u);
  EXPECT_EQ(t->switches().size(), 3u);
  EXPECT_EQ(t->vms().size(), 4u);
  EXPECT_EQ(t->vms()[3].osds, std::vector<int>{3});
  EXPECT_EQ(t->hosts()[t->vms()[3].host].name, "esxi2");
}

Status Load(const std::string& yaml) { return ParseTopology(yaml, "t.yaml").status(); }

constexpr const char* kBase = R"(hosts:
  - name: h1
    addresses: {net: 10.0.0.1}
    nics:
      - {name: nic, driver: d, ports: [p0, p1]}
switches:
  - {name: sw, ports: 4}
cables:
  - {name: c1, a: h1:p0, b: sw:1}
networks:
  - {name: net, uplinks: {h1: p0}}
)";

TEST(TopologyYamlErrors, UnknownHostPortInCableNamesLineAndColumn) {
  std::string y = kBase;
  y.replace(y.find("a: h1:p0"), 8, "a: h1:p9");
  Status s = Load(y);
  EXPECT_EQ(s.code(), StatusCode::kMalformed);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 9, 19})) << s.ToString();
  EXPECT_NE(s.message().find("no port \"p9\""), std::string::npos) << s.message();
}

TEST(TopologyYamlErrors, SwitchPortOutOfRangeIsAnError) {
  std::string y = kBase;
  y.replace(y.find("b: sw:1"), 7, "b: sw:9");
  Status s = Load(y);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 9, 29})) << s.ToString();
  EXPECT_NE(s.message().find("ports 1..4"), std::string::npos);
}

TEST(TopologyYamlErrors, CableToNowhereNamesTheMissingNode) {
  std::string y = kBase;
  y.replace(y.find("b: sw:1"), 7, "b: xx:1");
  Status s = Load(y);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 9, 29})) << s.ToString();
  EXPECT_NE(s.message().find("goes to nowhere"), std::string::npos);
}

TEST(TopologyYamlErrors, AddressOnTwoEndpointsPointsAtTheSecond) {
  std::string y = std::string(kBase) + "vms:\n  - {name: vm1, on: h1, addresses: {net: 10.0.0.1}}\n";
  Status s = Load(y);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 13, 42})) << s.ToString();
  EXPECT_NE(s.message().find("two endpoints"), std::string::npos);
  EXPECT_NE(s.message().find("t.yaml:3:"), std::string::npos) << "names the first place";
}

TEST(TopologyYamlErrors, AddressOnNetworkWithoutUplinkForItsHost) {
  std::string y = kBase;
  y.replace(y.find("{h1: p0}"), 8, "{}");
  Status s = Load(y);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 3, 22})) << s.ToString();
  EXPECT_NE(s.message().find("no uplink for host h1"), std::string::npos);
}

TEST(TopologyYamlErrors, DuplicateNamesAreRejected) {
  std::string y = kBase;
  y.replace(y.find("{name: sw, ports: 4}"), 20, "{name: h1, ports: 4}");
  Status s = Load(y);
  EXPECT_EQ(s.loc().line, 7);
  EXPECT_NE(s.message().find("duplicate name \"h1\""), std::string::npos);
}

TEST(TopologyYamlErrors, PortOnTwoCables) {
  std::string y = std::string(kBase);
  y.replace(y.find("networks:"), 9, "  - {name: c2, a: h1:p1, b: sw:1}\nnetworks:");
  Status s = Load(y);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 10, 29})) << s.ToString();
  EXPECT_NE(s.message().find("already in use"), std::string::npos);
}

TEST(TopologyYamlErrors, UplinkToUnknownPort) {
  std::string y = kBase;
  y.replace(y.find("{h1: p0}"), 8, "{h1: [p0, p7]}");
  Status s = Load(y);
  EXPECT_EQ(s.loc().line, 11);
  EXPECT_NE(s.message().find("no port \"p7\""), std::string::npos);
}

TEST(TopologyYamlErrors, UnknownKeyIsNamed) {
  std::string y = kBase;
  y.replace(y.find("{name: sw, ports: 4}"), 20, "{name: sw, prots: 4}");
  Status s = Load(y);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 7, 16})) << s.ToString();
}

TEST(TopologyYamlErrors, BrokenYamlHasAPosition) {
  Status s = Load("hosts:\n  - {name: h1\n");
  EXPECT_EQ(s.code(), StatusCode::kMalformed);
  EXPECT_GT(s.loc().line, 0) << s.ToString();
}

TEST(TopologyYamlErrors, AKeyGivenTwiceIsAnErrorNotASilentlyDroppedValue) {
  // yaml-cpp keeps both entries and reads the first: the second hosts list, or the second name,
  // vanished without a word.
  std::string y = kBase;
  y.replace(y.find("{name: sw, ports: 4}"), 20, "{name: sw, ports: 4, name: sx}");
  Status s = Load(y);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 7, 26})) << s.ToString();
  EXPECT_NE(s.message().find("\"name\" given twice"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("line 7, column 6"), std::string::npos) << s.message();
  Status top = Load(std::string(kBase) + "hosts: []\n");
  EXPECT_EQ(top.loc().line, 12) << top.ToString();
  Status addr = Load(R"(hosts:
  - name: h1
    addresses: {net: 10.0.0.1, net: 10.0.0.2}
)");
  EXPECT_EQ(addr.loc(), (SourceLoc{"t.yaml", 3, 32})) << addr.ToString();
}

TEST(TopologyYamlErrors, NicNamesThatWouldBeAnotherComponentsIdAreRejected) {
  for (const char* name : {"vswitch", "driver:d", "a/b"}) {
    std::string y = kBase;
    y.replace(y.find("{name: nic,"), 11, std::string("{name: \"") + name + "\",");
    Status s = Load(y);
    EXPECT_EQ(s.code(), StatusCode::kMalformed) << name;
    EXPECT_EQ(s.loc().line, 5) << s.ToString();
    EXPECT_NE(s.message().find("NIC name"), std::string::npos) << s.message();
  }
}

TEST(TopologyYamlErrors, APortListedTwiceInATeamIsAnError) {
  std::string y = kBase;
  y.replace(y.find("networks:"), 9, "  - {name: c2, a: h1:p1, b: sw:2}\nnetworks:");
  y.replace(y.find("{h1: p0}"), 8, "{h1: [p0, p0, p1]}");
  Status s = Load(y);
  EXPECT_EQ(s.loc().line, 12) << s.ToString();
  EXPECT_NE(s.message().find("port p0 is listed twice"), std::string::npos) << s.message();
}

TEST(TopologyYamlErrors, AddressesMustBeIpsAndAnySpellingOfOneIpIsOneAddress) {
  std::string y = kBase;
  y.replace(y.find("10.0.0.1"), 8, "not-an-ip");
  Status s = Load(y);
  EXPECT_EQ(s.loc(), (SourceLoc{"t.yaml", 3, 22})) << s.ToString();
  EXPECT_NE(s.message().find("expected an IPv4 or IPv6 address"), std::string::npos);

  std::string v6 = kBase;
  v6.replace(v6.find("10.0.0.1"), 8, "\"2001:0db8:0:0::2\"");
  auto t = ParseTopology(v6, "t.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->FindAddress("2001:db8::2"));
  EXPECT_TRUE(t->FindAddress("2001:DB8:0000::2"));
  EXPECT_FALSE(t->FindAddress("2001:db8::3"));
  Status twice = Load(v6 + "vms:\n  - {name: vm1, on: h1, addresses: {net: \"2001:db8::2\"}}\n");
  EXPECT_NE(twice.message().find("two endpoints"), std::string::npos) << twice.ToString();
}

TEST(TopologyYamlErrors, NamesThatAreNotUtf8AreRejectedWhereTheyAreWritten) {
  // They reach JSON, HTML and Prometheus labels; prometheus-targets stopped on "internal error".
  for (const char* from :
       {"name: h1\n", "name: nic,", "ports: [p0,", "{name: sw,", "{name: net,"}) {
    std::string y = kBase;
    std::string f = from;
    std::string to = f;
    to.insert(f.find(": ") + 3, "\xff");
    y.replace(y.find(f), f.size(), to);
    Status s = Load(y);
    EXPECT_EQ(s.code(), StatusCode::kMalformed) << from;
    EXPECT_NE(s.message().find("not valid UTF-8"), std::string::npos) << s.ToString();
    EXPECT_GT(s.loc().line, 0) << s.ToString();
  }
}

TEST(TopologyYamlErrors, NamesWithControlCharactersAreRejectedWhereTheyAreWritten) {
  // An ESC in a host name would drive the terminal of whoever reads the verdict.
  for (const char* bad : {"\\e[2J", "\\r", "\\u0085", "\\u202e"}) {
    std::string y = kBase;
    std::string f = "name: h1\n";
    y.replace(y.find(f), f.size(), std::string("name: \"h1") + bad + "\"\n");
    Status s = Load(y);
    EXPECT_EQ(s.code(), StatusCode::kMalformed) << bad;
    EXPECT_NE(s.message().find("control character"), std::string::npos) << s.ToString();
    EXPECT_GT(s.loc().line, 0) << s.ToString();
  }
}

TEST(TopologyYaml, SpecRoundTripsThroughYaml) {
  auto spec = ParseTopologySpec(kIssueExample, "t.yaml");
  ASSERT_TRUE(spec.ok());
  auto again = ParseTopology(TopologySpecToYaml(*spec), "again.yaml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->components().size(), ParseTopology(kIssueExample, "t")->components().size());
}

}  // namespace
}  // namespace kiriwake::model

namespace kiriwake::model {
namespace {

// Regression: fuzz/topology_fuzz found a stack-use-after-scope when a team uplink list was
// iterated through yaml-cpp's temporary iterator proxy (ASan build).
TEST(TopologyYamlRegression, TeamUplinkListIsReadSafely) {
  auto t = ParseTopology(R"(hosts:
  - {name: h, addresses: {n: 10.0.0.1}, nics: [{name: c, driver: d, ports: [p0, p1]}]}
switches: [{name: s, ports: 4}]
cables:
  - {name: c0, a: h:p0, b: s:1}
  - {name: c1, a: h:p1, b: s:2}
networks: [{name: n, uplinks: {h: [p0, p1]}}]
)", "team.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_NE(t->Uplinks(0, 0), nullptr);
  EXPECT_EQ(t->Uplinks(0, 0)->size(), 2u);
}

}  // namespace
}  // namespace kiriwake::model
