#include "infer/ceph_finding.h"

#include <string>

#include <gtest/gtest.h>

#include "ingest/ceph_input.h"
#include "ingest/line_reader.h"

namespace kiriwake::infer {
namespace {

using ingest::CephInterface;

void Feed(CephAccumulator* acc, const std::string& path) {
  auto reader = ingest::LineReader::Open(path);
  ASSERT_TRUE(reader.ok()) << path;
  ingest::CephInputStats stats;
  ASSERT_TRUE(ingest::ReadCephInput(reader->get(), acc, &stats).ok()) << path;
}

void FeedText(CephAccumulator* acc, const std::string& text, const std::string& name) {
  auto reader = ingest::LineReader::FromString(text, name);
  ingest::CephInputStats stats;
  ASSERT_TRUE(ingest::ReadCephInput(reader.get(), acc, &stats).ok());
}

std::string Example(const std::string& f) {
  return std::string(KW_SOURCE_DIR) + "/examples/seed-incident/" + f;
}
std::string Data(const std::string& f) { return std::string(KW_TEST_DATA) + "/ceph/" + f; }

TEST(CephFindingSeed, Osd3BackInterfaceExplainsEverySlowPair) {
  CephAccumulator acc;
  Feed(&acc, Example("ceph.log"));
  CephFinding f = acc.Finish();
  EXPECT_TRUE(f.problem);
  ASSERT_FALSE(f.ranking.empty());
  const CephEndpoint& top = f.ranking.front();
  EXPECT_EQ(top.osd, 3);
  EXPECT_EQ(top.iface, CephInterface::kBack);
  EXPECT_EQ(top.address, "192.168.100.114");
  EXPECT_EQ(top.address_network, "public");  // only the public address is in these lines
  EXPECT_EQ(top.slow_pairs_with, 11);
  EXPECT_EQ(top.slow_pairs_total, 11);
  EXPECT_TRUE(top.in_every_slow_pair());
  EXPECT_EQ(top.failure_reports_against, 1);
  EXPECT_EQ(top.slow_op_owners_with, 1);  // mon.eins's osd_failure op is against osd.3
  EXPECT_DOUBLE_EQ(top.max_ping_ms, 4082.940);
  EXPECT_EQ(f.SlowPairCount(CephInterface::kBack), 6);
  EXPECT_EQ(f.SlowPairCount(CephInterface::kFront), 5);
  EXPECT_FALSE(f.ranking[1].in_every_slow_pair());
  EXPECT_EQ(f.end_ms - f.start_ms, 56977);
}

TEST(CephFindingSeed, OsdTreeAddsTheHost) {
  CephAccumulator acc;
  Feed(&acc, Example("ceph.log"));
  Feed(&acc, Example("ceph-osd-tree.json"));
  CephFinding f = acc.Finish();
  EXPECT_EQ(f.ranking.front().host, "ceph4");
}

TEST(CephFindingSeed, ChecksInOrderOfFirstSeen) {
  CephAccumulator acc;
  Feed(&acc, Example("ceph.log"));
  CephFinding f = acc.Finish();
  ASSERT_EQ(f.checks.size(), 3u);
  EXPECT_EQ(f.checks[0].code, "OSD_SLOW_PING_TIME_BACK");
  EXPECT_EQ(f.checks[0].updated, 1);
  EXPECT_EQ(f.checks[0].snapshots, 1);
  EXPECT_DOUBLE_EQ(f.checks[0].max_ping_ms, 4082.940);
  EXPECT_EQ(f.checks[2].code, "SLOW_OPS");
  EXPECT_TRUE(f.checks[2].active);
}

TEST(CephFindingSamples, StoppedOsd2IsTheSuspect) {
  CephAccumulator acc;
  for (const char* f : {"ceph.log.excerpt", "ceph-mon.a.log.excerpt", "ceph-osd.0.log.excerpt",
                        "health-detail-expB-down.json", "osd-dump-expB-down.json",
                        "osd-metadata.json", "osd-tree-expB-down.json"}) {
    Feed(&acc, Data(f));
  }
  CephFinding f = acc.Finish();
  ASSERT_FALSE(f.ranking.empty());
  const CephEndpoint& top = f.ranking.front();
  EXPECT_EQ(top.osd, 2);
  EXPECT_EQ(top.host, "vm");  // metadata hostname wins over the CRUSH host
  EXPECT_EQ(top.failure_reports_against, 2);
  EXPECT_EQ(top.down_with, 1);
  // Both interfaces stalled together (SIGSTOP): back 28631.945 vs front 28630.370 ms.
  EXPECT_EQ(top.iface, CephInterface::kBack);
  EXPECT_EQ(top.address, "127.0.2.3");
  EXPECT_EQ(top.address_network, "cluster");
}

TEST(CephFindingHealthy, HealthOkIsNoProblem) {
  CephAccumulator acc;
  FeedText(&acc,
           "2026-11-24T23:20:32.111013+0000 mon.a (mon.0) 8 : cluster [INF] Cluster is now healthy\n"
           "2026-11-24T23:22:42.901083+0000 mgr.x (mgr.4100) 64 : cluster [DBG] pgmap v87: 17 pgs\n",
           "ok.log");
  CephFinding f = acc.Finish();
  EXPECT_FALSE(f.problem);
  EXPECT_TRUE(f.ranking.empty());
}

TEST(CephFindingChecks, UnknownCodeIsWarnedOnceWithItsLine) {
  CephAccumulator acc;
  FeedText(&acc,
           "2026-11-24T23:20:32.1+0000 mon.a (mon.0) 8 : cluster [WRN] Health check failed: x "
           "(KW_MADE_UP)\n"
           "2026-11-24T23:20:33.1+0000 mon.a (mon.0) 9 : cluster [WRN] Health check update: y "
           "(KW_MADE_UP)\n",
           "u.log");
  auto w = acc.TakeWarnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].loc.line, 1);
  CephFinding f = acc.Finish();
  EXPECT_FALSE(f.problem);  // not an analysed check
  ASSERT_EQ(f.checks.size(), 1u);
  EXPECT_FALSE(f.checks[0].recognised);
}

TEST(CephFindingPing, ZeroThresholdDumpUsesTheOtherDumpsThreshold) {
  CephAccumulator acc;
  FeedText(&acc,
           R"({"threshold":0,"entries":[
  {"from osd":0,"to osd":1,"interface":"back","average":{"1min":0.4,"5min":0.4,"15min":0.4}},
  {"from osd":0,"to osd":2,"interface":"back","average":{"1min":80,"5min":20,"15min":7}}]})",
           "n0.json");
  FeedText(&acc, R"({"threshold":50,"entries":[
  {"from osd":1,"to osd":2,"interface":"front","average":{"1min":60,"5min":9,"15min":3}}]})",
           "n1.json");
  CephFinding f = acc.Finish();
  EXPECT_DOUBLE_EQ(f.slow_ping_threshold_ms, 50);
  ASSERT_EQ(f.pairs.size(), 3u);  // slow first, longest first
  EXPECT_TRUE(f.pairs[0].slow());
  EXPECT_EQ(f.pairs[0].from_osd, 0);
  EXPECT_EQ(f.pairs[0].to_osd, 2);
  EXPECT_TRUE(f.pairs[1].slow());
  EXPECT_FALSE(f.pairs[2].slow());
  EXPECT_EQ(f.pairs[2].to_osd, 1);
}

TEST(CephFindingPing, HeartbeatNoReplyVotesDecideWithoutPairs) {
  CephAccumulator acc;
  std::string line =
      "2026-11-24T23:25:20.386+0000 7f16ceffd6c0 -1 osd.0 27 heartbeat_check: no reply from "
      "10.77.16.13:6802 osd.2 since back 2026-11-24T23:24:20.494997+0000 front "
      "2026-11-24T23:24:24.494730+0000 (oldest deadline 2026-11-24T23:24:48.594936+0000)\n";
  FeedText(&acc, line + line, "ceph-osd.0.log");
  CephFinding f = acc.Finish();
  ASSERT_EQ(f.no_replies.size(), 1u);
  EXPECT_EQ(f.no_replies[0].lines, 2);
  EXPECT_EQ(f.no_replies[0].reporter_osd, 0);
  ASSERT_EQ(f.ranking.size(), 2u);
  EXPECT_EQ(f.ranking[0].iface, CephInterface::kBack);
}

TEST(CephObservationsFromPairs, BackPairsGoToTheClusterNetwork) {
  CephAccumulator acc;
  Feed(&acc, Data("health-detail-expB-down.json"));
  Feed(&acc, Data("osd-dump-expB-down.json"));
  auto obs = CephObservations(acc.Finish());
  ASSERT_EQ(obs.size(), 4u);
  int back = 0;
  for (const auto& o : obs) {
    if (o.iface == CephInterface::kBack) {
      ++back;
      EXPECT_EQ(o.network, "cluster");
      EXPECT_EQ(o.dst, "127.0.2.3");
    } else {
      EXPECT_EQ(o.network, "public");
      EXPECT_EQ(o.dst, "127.0.1.3");
    }
    EXPECT_EQ(o.sent, 1);
    EXPECT_EQ(o.lost, 1);
  }
  EXPECT_EQ(back, 2);
}

}  // namespace
}  // namespace kiriwake::infer
