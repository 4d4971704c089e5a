// Regression test over artifacts of a real Ceph 16.2.15 cluster whose osd.2 lost 40 % of its
// cluster-network packets (tests/data/ceph/real-lossy/SOURCES.md).
#include <string>

#include <gtest/gtest.h>

#include "infer/ceph_finding.h"
#include "ingest/ceph_input.h"
#include "ingest/line_reader.h"

namespace kiriwake::infer {
namespace {

std::string Real(const std::string& f) {
  return std::string(KW_TEST_DATA) + "/ceph/real-lossy/" + f;
}

CephFinding Analyse(std::initializer_list<const char*> files) {
  CephAccumulator acc;
  for (const char* f : files) {
    auto reader = ingest::LineReader::Open(Real(f));
    EXPECT_TRUE(reader.ok()) << f;
    if (!reader.ok()) continue;
    ingest::CephInputStats stats;
    EXPECT_TRUE(ingest::ReadCephInput(reader->get(), &acc, &stats).ok()) << f;
    EXPECT_EQ(stats.unknown_lines, 0) << f;
  }
  return acc.Finish();
}

TEST(CephRealLossy, AllArtifactsNameOsd2HostAndBackInterface) {
  CephFinding f = Analyse({"ceph.log", "ceph-mon.a.log", "ceph-osd.0.log", "ceph-osd.1.log",
                           "ceph-osd.2.log", "health-detail.json", "health-detail.txt",
                           "dump_osd_network-mgr.json", "dump_osd_network-osd0.json",
                           "dump_osd_network-osd1.json", "dump_osd_network-osd2.json",
                           "osd-dump.json", "osd-tree.json", "osd-metadata.json"});
  ASSERT_TRUE(f.problem);
  const CephEndpoint& top = f.ranking.front();
  EXPECT_EQ(top.osd, 2);
  EXPECT_EQ(top.host, "kwc-h2");
  EXPECT_EQ(top.iface, CephInterface::kBack);
  EXPECT_EQ(top.address, "10.77.17.13");
  EXPECT_EQ(top.address_network, "cluster");
  EXPECT_TRUE(top.in_every_slow_pair());
  EXPECT_EQ(top.slow_pairs_total, 8);
  EXPECT_EQ(top.failure_reports_with, top.failure_reports_total);
  EXPECT_EQ(top.no_reply_with, 4);
  EXPECT_GT(top.explained, f.ranking[1].explained);
}

TEST(CephRealLossy, HealthDetailAloneIsEnoughForOsdAndInterface) {
  CephFinding f = Analyse({"health-detail.txt"});
  EXPECT_EQ(f.ranking.front().osd, 2);
  EXPECT_EQ(f.ranking.front().iface, CephInterface::kBack);
  EXPECT_TRUE(f.ranking.front().host.empty());  // no map given
}

TEST(CephRealLossy, OsdLogsAloneBlameTheBackSide) {
  // heartbeat_check lines only: the silent interface decides.
  CephFinding f = Analyse({"ceph-osd.0.log", "ceph-osd.1.log", "ceph-osd.2.log"});
  ASSERT_FALSE(f.ranking.empty());
  EXPECT_EQ(f.ranking.front().osd, 2);
  EXPECT_EQ(f.ranking.front().iface, CephInterface::kBack);
  EXPECT_EQ(f.ranking.front().address, "10.77.16.13");  // front address: all these lines give
}

TEST(CephRealLossy, OsdDumpNetworkIsSlowOnlyTowardsOsd2) {
  CephFinding f = Analyse({"dump_osd_network-mgr.json", "osd-dump.json"});
  EXPECT_DOUBLE_EQ(f.slow_ping_threshold_ms, 1000);  // dumps taken with threshold 0
  for (const auto& p : f.pairs) {
    if (p.slow()) {
      EXPECT_TRUE(p.from_osd == 2 || p.to_osd == 2);
    }
  }
  auto obs = CephObservations(f);
  ASSERT_EQ(obs.size(), 12u);  // 3 OSDs x 2 peers x 2 interfaces
  for (const auto& o : obs) {
    EXPECT_FALSE(o.src.empty());
    EXPECT_FALSE(o.dst.empty());
    if (o.network == "cluster") {
      EXPECT_EQ(o.src.rfind("10.77.17.", 0), 0u);
    }
  }
}

}  // namespace
}  // namespace kiriwake::infer

namespace kiriwake::infer {
namespace {

const CephCheckSeen* FindCheck(const CephFinding& f, const std::string& code) {
  for (const auto& c : f.checks) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

const CephFailureStat* FindFailure(const CephFinding& f, int reporter, int target) {
  for (const auto& x : f.failures) {
    if (x.reporter_osd == reporter && x.target_osd == target) return &x;
  }
  return nullptr;
}

TEST(CephRealLossy, ClusterLogAndItsMonLogCopyCountOnce) {
  CephFinding both = Analyse({"ceph.log", "ceph-mon.a.log"});
  CephFinding cluster = Analyse({"ceph.log"});
  CephFinding mon = Analyse({"ceph-mon.a.log"});
  const auto* b = FindCheck(both, "OSD_SLOW_PING_TIME_BACK");
  const auto* c = FindCheck(cluster, "OSD_SLOW_PING_TIME_BACK");
  ASSERT_TRUE(b && c);
  EXPECT_EQ(b->raised, c->raised);
  EXPECT_EQ(b->updated, c->updated);
  EXPECT_EQ(b->raised, 1);  // ceph.log:44; its copy is ceph-mon.a.log:42
  EXPECT_EQ(b->updated, 2);
  // prepare_failure (mon dout) and "reported failed by" (cluster log, and its copy in the mon
  // log) are three records of the same reports.
  const auto* fb = FindFailure(both, 0, 2);
  const auto* fc = FindFailure(cluster, 0, 2);
  const auto* fm = FindFailure(mon, 0, 2);
  ASSERT_TRUE(fb && fc && fm);
  EXPECT_EQ(fb->reports, std::max(fc->reports, fm->reports));
  EXPECT_GT(fb->reports, 0);
}

}  // namespace
}  // namespace kiriwake::infer
