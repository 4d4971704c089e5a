#include "ingest/ceph_log.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ingest/ceph_input.h"
#include "ingest/line_reader.h"

namespace kiriwake::ingest {
namespace {

CephEvent ParseOne(std::string_view line, std::string file = "ceph.log",
                   CephLineClass want = CephLineClass::kEvent) {
  CephLineParser p(std::move(file));
  CephEvent e;
  EXPECT_EQ(p.Parse(line, 7, &e), want) << line;
  return e;
}

TEST(CephTime, NautilusStampIsUtcMilliseconds) {
  std::string_view s = "2020-03-15 10:59:32.510 7fc4";
  auto t = ConsumeCephTime(&s);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 1584269972510);
  EXPECT_EQ(s, " 7fc4");
}

TEST(CephTime, OctopusZoneIsApplied) {
  std::string_view a = "2023-03-15T10:59:32.510123+0900";
  std::string_view b = "2023-03-15T01:59:32.510Z";
  EXPECT_EQ(*ConsumeCephTime(&a), *ConsumeCephTime(&b));
  std::string_view bad = "2023-13-15T01:59:32";
  EXPECT_FALSE(ConsumeCephTime(&bad));
}

// The seed post's lines, one line each (examples/seed-incident/SOURCES.md).
TEST(CephLogNautilus, PrepareFailureKeepsBothLegacyAddresses) {
  CephEvent e = ParseOne(
      "2020-03-15 10:58:39.035 7fc4034f4700  1 mon.eins@0(leader).osd e1157 prepare_failure osd.3 "
      "192.168.100.114:6802/1928 from osd.1 192.168.100.112:6800/2325 is reporting failure:1");
  EXPECT_EQ(e.kind, CephEventKind::kFailureReport);
  EXPECT_EQ(e.osd, 3);
  EXPECT_EQ(e.reporter_osd, 1);
  EXPECT_EQ(e.addr, "192.168.100.114:6802/1928");
  EXPECT_EQ(e.reporter_addr, "192.168.100.112:6800/2325");
  EXPECT_EQ(e.daemon, "mon.eins");
  EXPECT_EQ(e.loc.line, 7);
}

TEST(CephLogNautilus, MonSlowOpNamesTheFailedOsd) {
  CephEvent e = ParseOne(
      "2020-03-15 10:59:31.012 7fc405cf9700 -1 mon.eins@0(leader) e1 get_health_metrics reporting "
      "1 slow ops, oldest is osd_failure(failed timeout osd.3 192.168.100.114:6802/1928 for 23sec "
      "e1157 v1157)");
  EXPECT_EQ(e.kind, CephEventKind::kSlowOps);
  EXPECT_EQ(e.count, 1);
  EXPECT_EQ(e.osd, 3);
  EXPECT_EQ(e.addr, "192.168.100.114:6802/1928");
  ASSERT_EQ(e.daemons.size(), 1u);
  EXPECT_EQ(e.daemons[0], "mon.eins");
}

TEST(CephLogNautilus, LongHeartbeatSummaryGivesInterfaceAndLongest) {
  CephEvent e = ParseOne(
      "2020-03-15 10:59:32.510 7fc405cf9700  0 log_channel(cluster) log [WRN] : Health check "
      "update: Long heartbeat ping times on back interface seen, longest is 4082.940 msec "
      "(OSD_SLOW_PING_TIME_BACK)");
  EXPECT_EQ(e.kind, CephEventKind::kCheckUpdated);
  EXPECT_EQ(e.check, "OSD_SLOW_PING_TIME_BACK");
  EXPECT_EQ(e.iface, CephInterface::kBack);
  EXPECT_DOUBLE_EQ(e.ping_ms, 4082.940);
  EXPECT_EQ(e.severity, "WRN");
}

TEST(CephLogNautilus, SlowOpsSummaryOwnerIsTheMon) {
  CephEvent e = ParseOne(
      "2020-03-15 10:59:36.012 7fc405cf9700  0 log_channel(cluster) log [WRN] : Health check "
      "update: 1 slow ops, oldest one blocked for 51 sec, mon.eins has slow ops (SLOW_OPS)");
  EXPECT_EQ(e.check, "SLOW_OPS");
  EXPECT_DOUBLE_EQ(e.blocked_sec, 51);
  ASSERT_EQ(e.daemons.size(), 1u);
  EXPECT_EQ(e.daemons[0], "mon.eins");
}

TEST(CephLogNautilus, OldSlowPingDetailLine) {
  CephEvent e = ParseOne(
      "2020-03-15 10:59:32.511 7fc405cf9700  0 log_channel(cluster) log [WRN] :     Slow "
      "heartbeat ping on front interface from osd.3 (down) to osd.1 2210.986 msec possibly "
      "improving");
  EXPECT_EQ(e.kind, CephEventKind::kSlowPing);
  EXPECT_EQ(e.iface, CephInterface::kFront);
  EXPECT_EQ(e.reporter_osd, 3);
  EXPECT_EQ(e.osd, 1);
  EXPECT_DOUBLE_EQ(e.ping_ms, 2210.986);
}

TEST(CephLogOctopus, ClusterLogFailedGivesHostAndReporters) {
  CephEvent e = ParseOne(
      "2026-11-24T23:27:26.455784+0000 mon.a (mon.0) 190 : cluster [INF] osd.2 failed "
      "(root=default,datacenter=dc1,rack=rack2,host=nodeC) (2 reporters from different host "
      "after 26.083096 >= grace 20.000000)");
  EXPECT_EQ(e.kind, CephEventKind::kOsdDown);
  EXPECT_EQ(e.osd, 2);
  EXPECT_EQ(e.host, "nodeC");
  EXPECT_EQ(e.count, 2);
  EXPECT_EQ(e.daemon, "mon.a");
  EXPECT_EQ(e.severity, "INF");
}

TEST(CephLogOctopus, HealthDetailDumpPairWithDownMarker) {
  CephEvent e = ParseOne(
      "2026-11-24T23:28:30.000374+0000 mon.a (mon.0) 273 : cluster [WRN]     Slow OSD heartbeats "
      "on back from osd.1 [dc1,rack1] to osd.2 [dc1,rack2] (down) 28631.945 msec");
  EXPECT_EQ(e.kind, CephEventKind::kSlowPing);
  EXPECT_EQ(e.reporter_osd, 1);
  EXPECT_EQ(e.osd, 2);
  EXPECT_TRUE(e.down);
  EXPECT_EQ(e.iface, CephInterface::kBack);
}

TEST(CephLogOctopus, HeartbeatCheckOlderSideIsTheStuckInterface) {
  CephEvent e = ParseOne(
      "2026-11-24T23:25:20.386+0000 7f16ceffd6c0 -1 osd.0 27 heartbeat_check: no reply from "
      "10.77.16.13:6802 osd.2 since back 2026-11-24T23:24:20.494997+0000 front "
      "2026-11-24T23:24:24.494730+0000 (oldest deadline 2026-11-24T23:24:48.594936+0000)");
  EXPECT_EQ(e.kind, CephEventKind::kHeartbeatNoReply);
  EXPECT_EQ(e.daemon, "osd.0");
  EXPECT_EQ(e.osd, 2);
  EXPECT_EQ(e.addr, "10.77.16.13:6802");
  EXPECT_EQ(e.iface, CephInterface::kBack);
}

TEST(CephLogOctopus, HeartbeatCheckBothSidesTogetherIsNoInterface) {
  // Real 16.2.15 line (osd.2 SIGSTOPped): 0.3 ms apart, so neither side is singled out.
  CephEvent e = ParseOne(
      "2026-11-24T23:25:20.386+0000 7f16ceffd6c0 -1 osd.0 27 heartbeat_check: no reply from "
      "127.0.1.3:6802 osd.2 since back 2026-11-24T23:24:24.494997+0000 front "
      "2026-11-24T23:24:24.494730+0000 (oldest deadline 2026-11-24T23:24:48.594936+0000)");
  EXPECT_EQ(e.iface, CephInterface::kUnknown);
}

TEST(CephLogOctopus, WronglyMarkedDownTakesOsdFromFileName) {
  CephEvent e = ParseOne(
      "2026-11-24T23:27:56.170+0000 7f08d2ffd6c0  0 log_channel(cluster) log [DBG] : map e34 "
      "wrongly marked me down at e33",
      "/var/log/ceph/ceph-osd.2.log");
  EXPECT_EQ(e.kind, CephEventKind::kWronglyMarkedDown);
  EXPECT_EQ(e.osd, 2);
}

TEST(CephLogOctopus, BootCarriesTheAddrvec) {
  CephEvent e = ParseOne(
      "2026-11-24T23:20:37.928672+0000 mon.a (mon.0) 50 : cluster [INF] osd.0 "
      "[v2:127.0.1.1:6800/12858,v1:127.0.1.1:6801/12858] boot");
  EXPECT_EQ(e.kind, CephEventKind::kBoot);
  EXPECT_EQ(e.addr, "[v2:127.0.1.1:6800/12858,v1:127.0.1.1:6801/12858]");
}

TEST(CephLogOctopus, AggregatedSlowRequestsBelongToTheLoggingOsd) {
  CephEvent e = ParseOne(
      "2026-11-24T23:24:31.305114+0000 osd.0 (osd.0) 3 : cluster [WRN] 1 slow requests (by type "
      "[ 'waiting for sub ops' : 1 ] most affected pool [ 'rbd' : 1 ])");
  EXPECT_EQ(e.kind, CephEventKind::kSlowOps);
  ASSERT_EQ(e.daemons.size(), 1u);
  EXPECT_EQ(e.daemons[0], "osd.0");
}

TEST(CephLogContainer, DebugAndChannelPrefixesAreAccepted) {
  CephEvent a = ParseOne(
      "debug 2023-03-15T01:59:32.510+0000 7fc405cf9700 -1 mon.eins@0(leader) e1 "
      "get_health_metrics reporting 1 slow ops, oldest is osd_failure(failed timeout osd.3 "
      "[v2:192.168.100.114:6802/1928,v1:192.168.100.114:6803/1928] for 23sec e1157 v1157)");
  EXPECT_EQ(a.osd, 3);
  CephEvent b = ParseOne(
      "cluster 2023-07-18T19:58:12.609555+0000 mon.a (mon.0) 51250 : cluster [WRN] Health check "
      "failed: 1 osds down (OSD_DOWN)");
  EXPECT_EQ(b.kind, CephEventKind::kCheckRaised);
  EXPECT_EQ(b.count, 1);
}

TEST(CephLogContainer, JournaldPrefixIsDropped) {
  CephEvent e = ParseOne(
      "Jul  5 16:00:40 node1 conmon[15913]: debug 2021-07-05T16:00:40.123+0000 7f87 -1 osd.4 "
      "812 heartbeat_check: no reply from [fd00::12]:6802 osd.7 since back "
      "2021-07-05T16:00:20.1+0000 front 2021-07-05T16:00:26.1+0000 (oldest deadline "
      "2021-07-05T16:00:40.1+0000)");
  EXPECT_EQ(e.kind, CephEventKind::kHeartbeatNoReply);
  EXPECT_EQ(e.daemon, "osd.4");
  EXPECT_EQ(e.addr, "[fd00::12]:6802");
  EXPECT_EQ(e.iface, CephInterface::kBack);
}

TEST(CephLogLuminous, ClusterLogWithRankAndAddress) {
  CephEvent e = ParseOne(
      "2017-07-25 10:08:58.265945 mon.a mon.0 172.21.9.34:6789/0 91 : cluster [WRN] Health "
      "check failed: 1 osds down (OSD_DOWN)");
  EXPECT_EQ(e.kind, CephEventKind::kCheckRaised);
  EXPECT_EQ(e.check, "OSD_DOWN");
  EXPECT_EQ(e.daemon, "mon.a");
  EXPECT_EQ(e.count, 1);
}

TEST(CephLogWatch, CephDashWLine) {
  CephEvent e = ParseOne(
      "2021-10-28 08:11:13.360315 mon.ops3ceph01 [WRN] Health check update: Long heartbeat ping "
      "times on back interface seen, longest is 55148.923 msec (OSD_SLOW_PING_TIME_BACK)");
  EXPECT_EQ(e.kind, CephEventKind::kCheckUpdated);
  EXPECT_DOUBLE_EQ(e.ping_ms, 55148.923);
}

TEST(CephLogLines, UnknownAndOtherAreTold) {
  ParseOne("hello world", "x", CephLineClass::kUnknown);
  ParseOne("", "x", CephLineClass::kBlank);
  ParseOne("   ", "x", CephLineClass::kBlank);
  ParseOne("2026-11-24T23:22:42.901083+0000 mgr.x (mgr.4100) 64 : cluster [DBG] pgmap v87: 17 pgs",
           "x", CephLineClass::kOther);
  // A cut line: the prefix is there, the message is not. A failure report cut short is a damaged
  // failure report (warned and counted), as a cut slow-heartbeat detail is, not an unrelated line.
  ParseOne(
      "2020-03-15 10:58:39.035 7fc4034f4700  1 mon.eins@0(leader).osd e1157 prepare_failure "
      "osd.3 192.168.100.114:68",
      "x", CephLineClass::kMalformed);
}

class Collect : public CephSink {
 public:
  void OnEvent(const CephEvent& e) override { events.push_back(e); }
  void OnOsdInfo(const CephOsdInfo& i) override { osds.push_back(i); }
  void OnWarning(const Diagnostic& d) override { warnings.push_back(d); }
  std::vector<CephEvent> events;
  std::vector<CephOsdInfo> osds;
  std::vector<Diagnostic> warnings;
};

TEST(CephInput, UnknownLinesAreCountedAndTheFirstFiveWarnedWithFileLine) {
  // A cluster log (no multi-line entries, unlike daemon logs): bare lines are unknown.
  std::string text =
      "2020-03-15 10:59:36.013456 mon.eins (mon.0) 40214 : cluster [WRN] Health check "
      "update: 1 slow ops, oldest one blocked for 51 sec, mon.eins has slow ops (SLOW_OPS)\n";
  for (int i = 0; i < 7; ++i) text += "garbage " + std::to_string(i) + "\n";
  auto reader = LineReader::FromString(text, "mixed.log");
  Collect sink;
  CephInputStats stats;
  ASSERT_TRUE(ReadCephInput(reader.get(), &sink, &stats).ok());
  EXPECT_EQ(stats.kind, CephInputKind::kLog);
  EXPECT_EQ(stats.events, 1);
  EXPECT_EQ(stats.unknown_lines, 7);
  ASSERT_EQ(sink.warnings.size(), 6u);  // five lines + one summary
  EXPECT_EQ(sink.warnings[0].loc.file, "mixed.log");
  EXPECT_EQ(sink.warnings[0].loc.line, 2);
  EXPECT_EQ(sink.warnings[4].loc.line, 6);
  EXPECT_EQ(sink.warnings[5].loc.line, 0);
}

TEST(CephInput, BareLinesAfterALogLineAreContinuations) {
  auto reader = LineReader::FromString(
      "2026-11-26T20:37:15.834+0000 7f0c 0 mon.a@-1(probing) e0 my rank is now 0\n"
      "epoch 0\n}\n", "ceph-mon.a.log");
  Collect sink;
  CephInputStats stats;
  ASSERT_TRUE(ReadCephInput(reader.get(), &sink, &stats).ok());
  EXPECT_EQ(stats.continuation_lines, 2);
  EXPECT_EQ(stats.unknown_lines, 0);
  EXPECT_TRUE(sink.warnings.empty());
}

TEST(CephInput, NothingCephIsUnrecognized) {
  auto reader = LineReader::FromString("just\nsome text\n", "notes.txt");
  Collect sink;
  CephInputStats stats;
  Status st = ReadCephInput(reader.get(), &sink, &stats);
  EXPECT_EQ(st.code(), StatusCode::kUnrecognized);
  EXPECT_EQ(stats.unknown_lines, 2);
}

TEST(CephInput, BrokenJsonNamesLineAndColumn) {
  auto reader = LineReader::FromString("{\n  \"checks\": {,\n}\n", "h.json");
  Collect sink;
  CephInputStats stats;
  Status st = ReadCephInput(reader.get(), &sink, &stats);
  EXPECT_EQ(st.code(), StatusCode::kMalformed);
  EXPECT_EQ(st.loc().file, "h.json");
  EXPECT_EQ(st.loc().line, 2);
  EXPECT_EQ(st.loc().column, 14);
}

TEST(CephInput, OtherJsonIsUnrecognized) {
  auto reader = LineReader::FromString("{\"foo\": 1}\n", "x.json");
  Collect sink;
  CephInputStats stats;
  EXPECT_EQ(ReadCephInput(reader.get(), &sink, &stats).code(), StatusCode::kUnrecognized);
}

TEST(CephInput, HealthDetailTextWithBracketIsNotJson) {
  auto reader = LineReader::FromString(
      "[WRN] OSD_SLOW_PING_TIME_BACK: Slow OSD heartbeats on back (longest 8352.886ms)\n"
      "    Slow OSD heartbeats on back from osd.0 [dc1,rack1] to osd.2 [dc1,rack2] 8352.886 msec\n",
      "h.txt");
  Collect sink;
  CephInputStats stats;
  ASSERT_TRUE(ReadCephInput(reader.get(), &sink, &stats).ok());
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_TRUE(sink.events[0].snapshot);
  EXPECT_EQ(sink.events[1].kind, CephEventKind::kSlowPing);
}

TEST(CephInput, CephLogLastJsonGivesTheSameEvents) {
  // Shape of `ceph log last 2 cluster -f json` (LogEntry::dump), 16.2.15.
  auto reader = LineReader::FromString(
      R"j([{"name":"mon.a","rank":"mon.0","addrs":{"addrvec":[]},)j"
      R"j("stamp":"2026-11-24T23:27:26.455784+0000","seq":190,"channel":"cluster",)j"
      R"j("priority":"[INF]","message":"osd.2 failed (root=default,host=nodeC) (2 reporters )j"
      R"j(from different host after 26.083096 >= grace 20.000000)"},)j"
      R"j({"name":"mgr.x","rank":"mgr.4100","stamp":"2026-11-24T23:22:42.901083+0000",)j"
      R"j("seq":64,"channel":"cluster","priority":"[DBG]","message":"pgmap v87: 17 pgs"}])j",
      "last.json");
  Collect sink;
  CephInputStats stats;
  ASSERT_TRUE(ReadCephInput(reader.get(), &sink, &stats).ok());
  EXPECT_EQ(stats.kind, CephInputKind::kLogJson);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].kind, CephEventKind::kOsdDown);
  EXPECT_EQ(sink.events[0].host, "nodeC");
  EXPECT_EQ(sink.events[0].daemon, "mon.a");
  EXPECT_EQ(sink.events[0].severity, "INF");
  EXPECT_NE(sink.events[0].time_ms, kNoTime);
}

struct SampleKind {
  const char* file;
  CephInputKind kind;
  int64_t events;
};

TEST(CephInput, RealSamplesAreDetected) {
  const SampleKind cases[] = {
      {"ceph.log.excerpt", CephInputKind::kLog, 150},
      {"ceph-mon.a.log.excerpt", CephInputKind::kLog, 78},
      {"health-detail-expB-down.txt", CephInputKind::kHealthText, 13},
      {"health-detail-expB-down.json", CephInputKind::kHealthJson, 13},
      {"dump_osd_network-mgr-expA.json", CephInputKind::kOsdNetwork, 4},
      {"osd-dump-expB-down.json", CephInputKind::kOsdDump, 0},
      {"osd-tree-expB-down.json", CephInputKind::kOsdTree, 0},
      {"osd-metadata.json", CephInputKind::kOsdMetadata, 0},
  };
  for (const auto& c : cases) {
    auto reader = LineReader::Open(std::string(KW_TEST_DATA) + "/ceph/" + c.file);
    ASSERT_TRUE(reader.ok()) << c.file;
    Collect sink;
    CephInputStats stats;
    ASSERT_TRUE(ReadCephInput(reader->get(), &sink, &stats).ok()) << c.file;
    EXPECT_EQ(stats.kind, c.kind) << c.file;
    EXPECT_EQ(stats.events, c.events) << c.file;
    EXPECT_EQ(stats.unknown_lines, 0) << c.file;
  }
}

TEST(CephInput, BlankLinesDoNotMakeTextCeph) {
  auto reader = LineReader::FromString("hello\n\nworld\n", "b.txt");
  Collect sink;
  CephInputStats stats;
  Status st = ReadCephInput(reader.get(), &sink, &stats);
  EXPECT_EQ(st.code(), StatusCode::kUnrecognized);
  EXPECT_EQ(stats.other_lines, 0);
  EXPECT_EQ(stats.unknown_lines, 2);
}

TEST(CephInput, EmptyInputIsAnErrorNamingTheFile) {
  for (const char* text : {"", "\n  \n"}) {
    auto reader = LineReader::FromString(text, "empty.log");
    Collect sink;
    CephInputStats stats;
    Status st = ReadCephInput(reader.get(), &sink, &stats);
    EXPECT_EQ(st.code(), StatusCode::kUnrecognized);
    EXPECT_EQ(st.loc().file, "empty.log");
    EXPECT_EQ(stats.kind, CephInputKind::kEmpty);
  }
}

// Health detail whose second slow-ping line (line 3) is `second`.
std::string SlowPingDetail(const std::string& second) {
  return "[WRN] OSD_SLOW_PING_TIME_BACK: Slow OSD heartbeats on back (longest 0.441ms)\n"
         "    Slow OSD heartbeats on back from osd.0 [] to osd.2 [] 0.441 msec\n"
         "    " +
         second +
         "\n"
         "    mon.a has auth_allow_insecure_global_id_reclaim set to true\n";
}

TEST(CephInput, DamagedSlowHeartbeatDetailIsWarnedWithItsLine) {
  const char* bad[] = {
      "Slow OSD heartbeats on back from osd.1 [] to osd.2 [] nan msec",
      "Slow OSD heartbeats on back from osd.1 [] to osd.2 [] 1e400 msec",
      "Slow OSD heartbeats on back from osd.1 [] to osd.2 [] -5 msec",
      "Slow OSD heartbeats on back from osd.1 [] to osd.2 [] 0.4 mse",
      "Slow OSD heartbeats on back from osd.99999999999 [] to osd.2 [] 0.4 msec",
      "Slow OSD heartbeats on back from osd.1 [] to osd.-1 [] 0.4 msec",
  };
  for (const char* line : bad) {
    SCOPED_TRACE(line);
    auto reader = LineReader::FromString(SlowPingDetail(line), "h.txt");
    Collect sink;
    CephInputStats stats;
    ASSERT_TRUE(ReadCephInput(reader.get(), &sink, &stats).ok());
    EXPECT_EQ(stats.events, 2);  // the check header and the good pair
    EXPECT_EQ(stats.malformed_lines, 1);
    ASSERT_EQ(sink.warnings.size(), 1u);
    EXPECT_EQ(sink.warnings[0].loc.file, "h.txt");
    EXPECT_EQ(sink.warnings[0].loc.line, 3);
    EXPECT_NE(sink.warnings[0].message.find("slow-heartbeat detail"), std::string::npos)
        << sink.warnings[0].message;
  }
}

TEST(CephInput, FailureReportWithImpossibleOsdIdIsWarned) {
  auto reader = LineReader::FromString(
      "2026-11-26T21:00:00.000+0000 mon.a (mon.0) 41 : cluster [DBG] osd.99999999999 reported "
      "failed by osd.2\n"
      "2026-11-26T21:00:00.000+0000 mon.a (mon.0) 42 : cluster [DBG] osd.1 reported failed by "
      "osd.x\n"
      "2026-11-26T21:00:01.000+0000 mon.a (mon.0) 43 : cluster [DBG] osd.1 reported failed by "
      "osd.2\n"
      "2026-11-26T21:00:02.000+0000 mon.a (mon.0) 44 : cluster [INF] pgmap v12: 33 pgs\n",
      "ceph.log");
  Collect sink;
  CephInputStats stats;
  ASSERT_TRUE(ReadCephInput(reader.get(), &sink, &stats).ok());
  EXPECT_EQ(stats.events, 1);
  EXPECT_EQ(stats.malformed_lines, 2);
  EXPECT_EQ(stats.other_lines, 1);  // the pgmap line: unrelated, not warned
  ASSERT_EQ(sink.warnings.size(), 2u);
  EXPECT_EQ(sink.warnings[0].loc.line, 1);
  EXPECT_NE(sink.warnings[0].message.find("\"osd.99999999999\" is not a valid OSD id"),
            std::string::npos)
      << sink.warnings[0].message;
  EXPECT_EQ(sink.warnings[1].loc.line, 2);
}

// A mon's prepare_failure line (16.2.15, ceph-mon.a.log) and an OSD's heartbeat_check line
// (ceph-osd.0.log) whose OSD id is `target` (and reporter/peer as given).
std::string PrepareFailure(const std::string& target, const std::string& reporter) {
  return "2026-11-24T23:24:51.662+0000 7fa40a7fc6c0  1 mon.a@0(leader).osd e27 prepare_failure " +
         target + " [v2:127.0.1.3:6800/12972,v1:127.0.1.3:6801/12972] from " + reporter +
         " is reporting failure:1";
}
std::string HeartbeatCheck(const std::string& peer) {
  return "2026-11-24T23:24:49.458+0000 7f16ceffd6c0 -1 osd.0 27 heartbeat_check: no reply from "
         "127.0.1.3:6802 " +
         peer +
         " since back 2026-11-24T23:24:24.494997+0000 front 2026-11-24T23:24:24.494730+0000 "
         "(oldest deadline 2026-11-24T23:24:48.594936+0000)";
}

TEST(CephLogLines, FailureReportAndHeartbeatWithBadOsdIdAreMalformedNotOther) {
  const std::string bad_ids[] = {"osd.abc", "osd.-1", "osd.99999999999999999999", "osd.2x", "osd."};
  for (const std::string& id : bad_ids) {
    SCOPED_TRACE(id);
    for (const std::string& line :
         {PrepareFailure(id, "osd.1"), PrepareFailure("osd.2", id), HeartbeatCheck(id)}) {
      CephLineParser p("ceph-x.log");
      CephEvent e;
      EXPECT_EQ(p.Parse(line, 3, &e), CephLineClass::kMalformed) << line;
      EXPECT_NE(p.malformed().find("not osd.<id> with a non-negative integer id"),
                std::string::npos)
          << p.malformed();
      EXPECT_NE(p.malformed().find("saw \"" + id + "\""), std::string::npos) << p.malformed();
    }
  }
  // The id left out altogether.
  for (const std::string& line :
       {std::string("2026-11-24T23:24:51.662+0000 7fa40a7fc6c0  1 mon.a@0(leader).osd e27 "
                    "prepare_failure [v2:127.0.1.3:6800/12972] from osd.1 is reporting failure:1"),
        std::string("2026-11-24T23:24:49.458+0000 7f16ceffd6c0 -1 osd.0 27 heartbeat_check: no "
                    "reply from 127.0.1.3:6802 since back 2026-11-24T23:24:24.494997+0000"),
        std::string("2026-11-24T23:24:51.662+0000 7fa40a7fc6c0  1 mon.a@0(leader).osd e27 "
                    "prepare_failure osd.2 [v2:127.0.1.3:6800/12972] from osd.1 is reporting")}) {
    CephLineParser p("ceph-x.log");
    CephEvent e;
    EXPECT_EQ(p.Parse(line, 3, &e), CephLineClass::kMalformed) << line;
    EXPECT_FALSE(p.malformed().empty());
  }
  // The good forms still parse, Jewel's address-less heartbeat_check too.
  EXPECT_EQ(ParseOne(PrepareFailure("osd.2", "osd.1")).kind, CephEventKind::kFailureReport);
  EXPECT_EQ(ParseOne(HeartbeatCheck("osd.2")).osd, 2);
  CephEvent jewel = ParseOne(
      "2016-03-15 10:58:38.901 7f1e2c8a1700 -1 osd.1 1157 heartbeat_check: no reply from osd.21 "
      "since 2016-03-15 10:58:15.882731 (cutoff 2016-03-15 10:58:18.882731)");
  EXPECT_EQ(jewel.kind, CephEventKind::kHeartbeatNoReply);
  EXPECT_EQ(jewel.osd, 21);
  EXPECT_EQ(jewel.addr, "");
}

TEST(CephInput, FailureReportAndHeartbeatWithBadOsdIdAreCountedAndWarnedWithFileLine) {
  auto reader = LineReader::FromString(PrepareFailure("osd.abc", "osd.1") + "\n" +
                                           PrepareFailure("osd.2", "osd.1") + "\n" +
                                           HeartbeatCheck("osd.-1") + "\n",
                                       "ceph-mon.a.log");
  Collect sink;
  CephInputStats stats;
  ASSERT_TRUE(ReadCephInput(reader.get(), &sink, &stats).ok());
  EXPECT_EQ(stats.events, 1);
  EXPECT_EQ(stats.malformed_lines, 2);
  EXPECT_EQ(stats.other_lines, 0);
  ASSERT_EQ(sink.warnings.size(), 2u);
  EXPECT_EQ(sink.warnings[0].loc.file, "ceph-mon.a.log");
  EXPECT_EQ(sink.warnings[0].loc.line, 1);
  EXPECT_NE(sink.warnings[0].message.find("prepare_failure"), std::string::npos)
      << sink.warnings[0].message;
  EXPECT_EQ(sink.warnings[1].loc.line, 3);
  EXPECT_NE(sink.warnings[1].message.find("heartbeat_check"), std::string::npos)
      << sink.warnings[1].message;
}

TEST(CephInput, CephLogLastJsonEntryWithBadOsdIdIsCountedAndWarnedWithLineAndColumn) {
  auto reader = LineReader::FromString(
      "[\n"
      R"j(  {"name":"mon.a","stamp":"2026-11-24T23:24:51.663+0000","priority":"[DBG]",)j"
      R"j("message":"osd.2 reported failed by osd.1"},)j"
      "\n"
      R"j(  {"name":"mon.a","stamp":"2026-11-24T23:24:52.663+0000","priority":"[DBG]",)j"
      R"j("message":"osd.2 reported failed by osd.-1"})j"
      "\n]\n",
      "last.json");
  Collect sink;
  CephInputStats stats;
  ASSERT_TRUE(ReadCephInput(reader.get(), &sink, &stats).ok());
  EXPECT_EQ(stats.kind, CephInputKind::kLogJson);
  EXPECT_EQ(stats.events, 1);
  EXPECT_EQ(stats.malformed_lines, 1);
  ASSERT_EQ(sink.warnings.size(), 1u);
  EXPECT_EQ(sink.warnings[0].loc.file, "last.json");
  EXPECT_EQ(sink.warnings[0].loc.line, 3);
  EXPECT_EQ(sink.warnings[0].loc.column, 3);
  EXPECT_NE(sink.warnings[0].message.find("log entry 2"), std::string::npos)
      << sink.warnings[0].message;
}

TEST(CephInput, JsonThatDoesNotParseIsListedAsJsonNotEmpty) {
  for (const char* text : {"{\n  \"checks\": {,\n}\n", "[{\"stamp\": \n", "{\"foo\": 1}\n"}) {
    SCOPED_TRACE(text);
    auto reader = LineReader::FromString(text, "h.json");
    Collect sink;
    CephInputStats stats;
    Status st = ReadCephInput(reader.get(), &sink, &stats);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.loc().file, "h.json");
    EXPECT_GT(st.loc().line, 0);
    EXPECT_EQ(stats.kind, CephInputKind::kJson);
    EXPECT_EQ(CephInputKindName(stats.kind), "json");
  }
}

TEST(CephInput, JsonNumberOverflowNamesLineAndColumn) {
  auto reader = LineReader::FromString("{\n  \"osd\": 0,\n  \"1min\": 1e400\n}\n", "n.json");
  Collect sink;
  CephInputStats stats;
  Status st = ReadCephInput(reader.get(), &sink, &stats);
  EXPECT_EQ(st.code(), StatusCode::kMalformed);
  EXPECT_EQ(st.loc().file, "n.json");
  EXPECT_EQ(st.loc().line, 3);
  EXPECT_GT(st.loc().column, 0);
  EXPECT_NE(st.message().find("number overflow"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace kiriwake::ingest
