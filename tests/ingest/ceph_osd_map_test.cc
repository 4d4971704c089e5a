#include "ingest/ceph_osd_map.h"

#include <map>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ingest/ceph_health.h"
#include "ingest/ceph_osd_network.h"
#include "util/text.h"

namespace kiriwake::ingest {
namespace {

nlohmann::json Load(const std::string& name) {
  std::FILE* f = std::fopen((std::string(KW_TEST_DATA) + "/ceph/" + name).c_str(), "rb");
  EXPECT_NE(f, nullptr) << name;
  std::string s;
  char buf[4096];
  size_t n;
  while (f && (n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  if (f) std::fclose(f);
  return nlohmann::json::parse(s);
}

class Collect : public CephSink {
 public:
  void OnEvent(const CephEvent& e) override { events.push_back(e); }
  void OnOsdInfo(const CephOsdInfo& i) override { osds[i.id].push_back(i); }
  void OnWarning(const Diagnostic& d) override { warnings.push_back(d); }
  std::vector<CephEvent> events;
  std::map<int, std::vector<CephOsdInfo>> osds;
  std::vector<Diagnostic> warnings;
};

TEST(CephAddr, LegacyTypedAndIpv6Forms) {
  auto a = ParseCephAddr("192.168.100.114:6802/1928");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type, "");
  EXPECT_EQ(a->ip, "192.168.100.114");
  EXPECT_EQ(a->port, 6802);
  EXPECT_EQ(a->nonce, 1928);
  auto b = ParseCephAddr("v2:[fd00::1]:6800/1234");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type, "v2");
  EXPECT_EQ(b->ip, "fd00::1");
  auto c = ParseCephAddr("127.0.1.3:6802");  // heartbeat_check sockaddr: no nonce
  ASSERT_TRUE(c);
  EXPECT_EQ(c->nonce, -1);
  EXPECT_FALSE(ParseCephAddr("osd.3"));
  EXPECT_FALSE(ParseCephAddr("1.2.3.4:99999/1"));
  EXPECT_FALSE(ParseCephAddr("[fd00::1"));
}

TEST(CephAddr, AddrvecListsBothMessengers) {
  auto v = ParseCephAddrVec("[v2:10.77.16.13:6800/9,v1:10.77.16.13:6801/9]");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].type, "v1");
  EXPECT_EQ(v[1].port, 6801);
  EXPECT_EQ(CephAddrIp("[v2:[2001:db8::7]:6800/1,v1:[2001:db8::7]:6801/1]"), "2001:db8::7");
  EXPECT_EQ(CephAddrIp("[2001:db8::7]:6800/1"), "2001:db8::7");  // one bare IPv6, not a vector
  EXPECT_EQ(CephAddrIp("-"), "");
}

TEST(CephOsdDump, RealDumpGivesPublicAndClusterIps) {
  auto j = Load("osd-dump-expB-down.json");
  EXPECT_EQ(DetectCephJson(j), CephJsonKind::kOsdDump);
  Collect sink;
  ASSERT_TRUE(ReadCephOsdDump(j, "d.json", &sink).ok());
  ASSERT_EQ(sink.osds.size(), 3u);
  const CephOsdInfo& o2 = sink.osds[2].front();
  EXPECT_EQ(o2.public_ip, "127.0.1.3");
  EXPECT_EQ(o2.cluster_ip, "127.0.2.3");
  EXPECT_EQ(o2.up, 0);
  EXPECT_EQ(sink.osds[0].front().up, 1);
}

TEST(CephOsdDump, PreNautilusLegacyStringsOnly) {
  auto j = nlohmann::json::parse(
      R"({"epoch":5,"osds":[{"osd":3,"up":1,"public_addr":"192.168.100.114:6802/1928",)"
      R"("cluster_addr":"10.0.0.114:6802/1928"}]})");
  Collect sink;
  ASSERT_TRUE(ReadCephOsdDump(j, "d.json", &sink).ok());
  EXPECT_EQ(sink.osds[3].front().public_ip, "192.168.100.114");
  EXPECT_EQ(sink.osds[3].front().cluster_ip, "10.0.0.114");
}

TEST(CephOsdTree, HostBucketsOwnTheirOsds) {
  auto j = Load("osd-tree-expB-down.json");
  EXPECT_EQ(DetectCephJson(j), CephJsonKind::kOsdTree);
  Collect sink;
  ASSERT_TRUE(ReadCephOsdTree(j, "t.json", &sink).ok());
  EXPECT_EQ(sink.osds[2].front().crush_host, "nodeC");
  EXPECT_EQ(sink.osds[0].front().crush_host, "nodeA");
}

TEST(CephOsdMetadata, HostnameAndAddrStrings) {
  auto j = Load("osd-metadata.json");
  EXPECT_EQ(DetectCephJson(j), CephJsonKind::kOsdMetadata);
  Collect sink;
  ASSERT_TRUE(ReadCephOsdMetadata(j, "m.json", &sink).ok());
  EXPECT_EQ(sink.osds[1].front().hostname, "vm");
  EXPECT_EQ(sink.osds[1].front().cluster_ip, "127.0.2.2");
  EXPECT_EQ(sink.osds[1].front().public_ip, "127.0.1.2");
}

TEST(CephOsdMaps, WrongTypesAreSkippedNotThrown) {
  auto j = nlohmann::json::parse(R"({"epoch":1,"osds":[{"osd":"x"},7,{"osd":1,"public_addr":5}]})");
  Collect sink;
  ASSERT_TRUE(ReadCephOsdDump(j, "d.json", &sink).ok());
  EXPECT_EQ(sink.osds.size(), 1u);
  EXPECT_EQ(sink.warnings.size(), 2u);
}

TEST(CephOsdTree, OddChildrenAndIdlessOsdsAreWarnedAboutNotDropped) {
  // A host lists a bucket (negative: not an OSD, not warned), a name and an id too large for an
  // int; an osd node has no id. Only osd.1 is read.
  auto j = nlohmann::json::parse(
      R"({"nodes":[{"id":-2,"name":"nodeA","type":"host","children":[1,-3,"osd.2",4294967296]},)"
      R"({"id":1,"name":"osd.1","type":"osd","status":"up"},)"
      R"({"name":"osd.9","type":"osd","status":"down"}]})");
  Collect sink;
  ASSERT_TRUE(ReadCephOsdTree(j, "t.json", &sink).ok());
  ASSERT_EQ(sink.osds.size(), 1u);
  EXPECT_EQ(sink.osds[1].front().crush_host, "nodeA");
  ASSERT_EQ(sink.warnings.size(), 3u);
  EXPECT_NE(sink.warnings[0].message.find("\"osd.2\""), std::string::npos);
  EXPECT_NE(sink.warnings[1].message.find("4294967296"), std::string::npos);
  EXPECT_NE(sink.warnings[2].message.find("osd.9"), std::string::npos);
}

TEST(CephHealthJson, RealSlowOpsCheckNamesBothDaemons) {
  auto j = Load("health-detail-expA-stopped2.json");
  EXPECT_EQ(DetectCephJson(j), CephJsonKind::kHealth);
  Collect sink;
  ASSERT_TRUE(ReadCephHealthJson(j, "h.json", &sink).ok());
  ASSERT_EQ(sink.events.size(), 2u);
  const CephEvent& slow = sink.events[1];
  EXPECT_EQ(slow.check, "SLOW_OPS");
  EXPECT_EQ(slow.count, 4);
  ASSERT_EQ(slow.daemons.size(), 2u);
  EXPECT_EQ(slow.daemons[0], "osd.0");
  EXPECT_EQ(slow.daemons[1], "mon.a");
  EXPECT_EQ(slow.severity, "HEALTH_WARN");
}

TEST(CephHealthJson, RealDownDetailGivesPairsAndHosts) {
  auto j = Load("health-detail-expB-down.json");
  Collect sink;
  ASSERT_TRUE(ReadCephHealthJson(j, "h.json", &sink).ok());
  int pairs = 0, down = 0, hosts = 0;
  for (const auto& e : sink.events) {
    pairs += e.kind == CephEventKind::kSlowPing;
    if (e.kind == CephEventKind::kOsdDown) {
      ++down;
      EXPECT_EQ(e.host, "nodeC");
    }
    hosts += e.kind == CephEventKind::kHostDown;
  }
  EXPECT_EQ(pairs, 4);
  EXPECT_EQ(down, 1);
  EXPECT_EQ(hosts, 1);
}

TEST(CephHealthJson, NautilusShapeWithoutCountOrMuted) {
  auto j = nlohmann::json::parse(
      R"({"checks":{"OSD_SLOW_PING_TIME_BACK":{"severity":"HEALTH_WARN","summary":{"message":)"
      R"("Long heartbeat ping times on back interface seen, longest is 4082.940 msec"},"detail":[)"
      R"({"message":"Slow heartbeat ping on back interface from osd.1 to osd.3 4082.940 msec"}]}},)"
      R"("status":"HEALTH_WARN"})");
  Collect sink;
  ASSERT_TRUE(ReadCephHealthJson(j, "h.json", &sink).ok());
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_DOUBLE_EQ(sink.events[0].ping_ms, 4082.940);
  EXPECT_EQ(sink.events[1].osd, 3);
  EXPECT_EQ(sink.events[1].reporter_osd, 1);
}

TEST(CephHealthJson, DamagedDetailIsWarnedAtItsLineAndCountedNotDropped) {
  std::string text =
      "{\"checks\": {\"OSD_SLOW_PING_TIME_BACK\": {\"severity\": \"HEALTH_WARN\",\n"
      "  \"summary\": {\"message\": \"Long heartbeat ping times on back interface seen, longest "
      "is 4082.940 msec\"},\n"
      "  \"detail\": [{\"message\": \"Slow heartbeat ping on back interface from osd.1 to osd.3 "
      "4082.940 msec\"},\n"
      "    {\"message\": \"Slow heartbeat ping on back interface from osd.x to osd.3 12 "
      "msec\"}]},\n"
      "  \"NO_SUMMARY\": {\"severity\": \"HEALTH_WARN\"}},\n"
      " \"status\": \"HEALTH_WARN\"}\n";
  auto j = nlohmann::json::parse(text);
  Collect sink;
  int64_t malformed = 0;
  ASSERT_TRUE(ReadCephHealthJson(j, "h.json", &sink, text, &malformed).ok());
  EXPECT_EQ(malformed, 1);
  ASSERT_EQ(sink.events.size(), 2u);  // the check and its good detail
  ASSERT_EQ(sink.warnings.size(), 2u);
  // Keys come sorted: NO_SUMMARY first, found where it is written.
  EXPECT_EQ(sink.warnings[0].loc.ToString(), "h.json:5:3") << sink.warnings[0].message;
  EXPECT_NE(sink.warnings[0].message.find("no readable summary"), std::string::npos);
  EXPECT_EQ(sink.warnings[1].loc.ToString(), "h.json:4:17") << sink.warnings[1].message;
  EXPECT_NE(sink.warnings[1].message.find("osd.x"), std::string::npos) << sink.warnings[1].message;
}

TEST(CephOsdNetwork, MgrDumpUsesLargestAverage) {
  auto j = Load("dump_osd_network-mgr-expA.json");
  EXPECT_EQ(DetectCephJson(j), CephJsonKind::kOsdNetwork);
  Collect sink;
  ASSERT_TRUE(ReadCephOsdNetwork(j, "n.json", &sink).ok());
  ASSERT_EQ(sink.events.size(), 4u);
  const CephEvent& e = sink.events[0];
  EXPECT_EQ(e.kind, CephEventKind::kPingSample);
  EXPECT_EQ(e.reporter_osd, 0);
  EXPECT_EQ(e.osd, 2);
  EXPECT_EQ(e.iface, CephInterface::kBack);
  EXPECT_DOUBLE_EQ(e.ping_ms, 8352.886);
  EXPECT_DOUBLE_EQ(e.threshold_ms, 1000);
}

TEST(CephOsdNetwork, EntryWithoutInterfaceIsWarnedAndSkipped) {
  auto j = nlohmann::json::parse(
      R"({"threshold":0,"entries":[{"from osd":0,"to osd":1,"average":{"1min":1}},3]})");
  Collect sink;
  ASSERT_TRUE(ReadCephOsdNetwork(j, "n.json", &sink).ok());
  EXPECT_TRUE(sink.events.empty());
  EXPECT_EQ(sink.warnings.size(), 2u);
}

}  // namespace
}  // namespace kiriwake::ingest
