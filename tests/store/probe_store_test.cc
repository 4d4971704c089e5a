// SQLite history: committed probes survive a reopen, uncommitted ones do not; aggregates round
// trip; pruning keeps the windows asked for.
#include "store/probe_store.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

namespace kiriwake::store {
namespace {

std::string TempDb(const char* name) {
  std::string p = "/tmp/kwa_store_" + std::to_string(getpid()) + "_" + name + ".db";
  std::remove(p.c_str());
  std::remove((p + "-wal").c_str());
  std::remove((p + "-shm").c_str());
  return p;
}

ProbeRecord Rec(int64_t t, uint64_t seq, uint8_t outcome) {
  ProbeRecord r;
  r.sent_realtime_ns = t;
  r.peer = "b";
  r.network = "service";
  r.proto = "udp";
  r.seq = seq;
  r.outcome = outcome;
  if (outcome == 0) r.rtt_ms = 0.25;
  return r;
}

TEST(ProbeStore, CommittedProbesSurviveAReopenAndPendingOnesDoNot) {
  std::string path = TempDb("commit");
  {
    auto db = ProbeStore::Open(path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    (*db)->Add(Rec(100, 1, 0));
    (*db)->Add(Rec(200, 2, 1));
    ASSERT_TRUE((*db)->Commit().ok());
    (*db)->Add(Rec(300, 3, 0));  // never committed
  }
  auto db = ProbeStore::Open(path);
  ASSERT_TRUE(db.ok());
  auto rows = (*db)->ProbesSince(0);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].seq, 2u);
  EXPECT_EQ((*rows)[1].outcome, 1);
  EXPECT_FALSE((*rows)[1].rtt_ms.has_value());
  EXPECT_DOUBLE_EQ(*(*rows)[0].rtt_ms, 0.25);
}

TEST(ProbeStore, AggregatesRoundTripAndPruneKeepsRecentOnes) {
  std::string path = TempDb("agg");
  auto db = ProbeStore::Open(path);
  ASSERT_TRUE(db.ok());
  probe::TargetSummary t;
  t.name = "b";
  t.address = "10.77.32.2";
  t.network = "service";
  t.proto = "udp";
  model::ProbeSeriesBuilder b;
  b.Answered(1, 0.5);
  b.Lost(2);
  t.series = b.Finish();
  t.lost_forward = 1;
  t.start_realtime_ns = 1000;
  t.end_realtime_ns = 2000;
  (*db)->AddAggregate(t);
  t.start_realtime_ns = 2000;
  t.end_realtime_ns = 3000;
  (*db)->AddAggregate(t);
  ASSERT_TRUE((*db)->Commit().ok());
  auto rows = (*db)->AggregatesSince(1500, "a");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].src, "a");
  EXPECT_EQ((*rows)[0].series.transmitted, 2u);
  EXPECT_EQ((*rows)[0].series.lost_count, 1u);
  EXPECT_EQ((*rows)[0].lost_forward, 1u);
  EXPECT_FALSE((*rows)[0].lost_reverse.has_value());
  ASSERT_TRUE((*rows)[0].series.rtt.has_value());
  EXPECT_DOUBLE_EQ((*rows)[0].series.rtt->median_ms, 0.5);
  EXPECT_EQ((*rows)[0].series.verdict, model::Verdict::kBroken);
  ASSERT_TRUE((*db)->Prune(0, 2500).ok());
  EXPECT_EQ((*db)->AggregatesSince(0, "a")->size(), 1u);
}

TEST(ProbeStore, UnwritableDirectoryIsAnIOError) {
  auto db = ProbeStore::Open("/nonexistent-dir/h.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace kiriwake::store
