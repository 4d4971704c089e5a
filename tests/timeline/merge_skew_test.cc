#include <gtest/gtest.h>

#include "test_util.h"
#include "timeline/merge.h"
#include "timeline/skew.h"

namespace kiriwake::timeline {
namespace {

const Zone& Tokyo() {
  static const Zone z = *Zone::Load("Asia/Tokyo");
  return z;
}

TEST(Merge, InterleavesFilesInTimeOrderAcrossZones) {
  std::vector<std::unique_ptr<FileSource>> srcs;
  // ESXi in UTC, Ceph in JST local time, syslog in UTC: one clock after normalisation.
  srcs.push_back(SourceOf("2020-03-14T16:15:49.001Z cpu5:1)ALERT: @BlueScreen: PANIC\n"
                          "2020-03-14T16:45:00.000Z cpu5:1)Boot Successful\n",
                          "esxi2-vmkernel.log", nullptr));
  srcs.push_back(SourceOf("2020-03-15 01:35:02.118 mon.eins (mon.0) 1 : cluster [WRN] Health check failed: x (OSD_SLOW_PING_TIME_BACK)\n"
                          "2020-03-15 01:38:44.000 mon.eins (mon.0) 2 : cluster [WRN] Health check failed: y (SLOW_OPS)\n",
                          "ceph.log", &Tokyo()));
  srcs.push_back(SourceOf("Mar 14 16:20:00 k8s1 a: z\n", "k8s1-syslog", nullptr));
  Merger m(std::move(srcs), {});
  std::vector<std::string> order;
  Event e;
  while (m.Next(&e)) order.push_back(FormatUtc(e.time) + " " + e.loc.file);
  EXPECT_EQ(order, (std::vector<std::string>{
                       "2020-03-14T16:15:49.001Z esxi2-vmkernel.log",
                       "2020-03-14T16:20:00.000Z k8s1-syslog",
                       "2020-03-14T16:35:02.118Z ceph.log",
                       "2020-03-14T16:38:44.000Z ceph.log",
                       "2020-03-14T16:45:00.000Z esxi2-vmkernel.log",
                   }));
}

TEST(Merge, SinceAndUntilAreInclusive) {
  std::vector<std::unique_ptr<FileSource>> srcs;
  srcs.push_back(SourceOf("Mar 15 01:00:00 h a: 1\nMar 15 02:00:00 h a: 2\nMar 15 03:00:00 h a: 3\n", "s", nullptr));
  auto utc = *Zone::Load("UTC");
  MergeOptions opt;
  opt.since = *ParseTimeArg("2020-03-15 02:00", utc);
  opt.until = *ParseTimeArg("2020-03-15T11:59:59+09:00", utc);
  Merger m(std::move(srcs), opt);
  std::vector<std::string> msgs;
  Event e;
  while (m.Next(&e)) msgs.push_back(e.message);
  EXPECT_EQ(msgs, (std::vector<std::string>{"a: 2"}));
  EXPECT_FALSE(ParseTimeArg("yesterday", utc).ok());
  EXPECT_EQ(FormatUtc(*ParseTimeArg("@1584237519", utc)), "2020-03-15T01:58:39.000Z");
}

TEST(Merge, DisorderBeyondTheWindowIsCountedNotLost) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "Mar 15 01:00:" + std::string(i < 10 ? "0" : "") + std::to_string(i) + " h a: x\n";
  text += "Mar 15 00:59:00 h a: late\n";
  auto s = SourceOf(text, "s", nullptr, 2020, "h", /*window=*/2);
  auto ev = Drain(*s);
  EXPECT_EQ(ev.size(), 11u);
  EXPECT_EQ(s->disorder_beyond_window(), 1u);
  bool warned = false;
  for (const auto& w : s->warnings()) warned = warned || w.message.find("out of order") != std::string::npos;
  EXPECT_TRUE(warned);
  // With a window as large as the file, it is sorted.
  auto t = SourceOf(text, "s", nullptr, 2020, "h", 64);
  auto ev2 = Drain(*t);
  EXPECT_EQ(ev2.front().message, "a: late");
  EXPECT_EQ(t->disorder_beyond_window(), 0u);
}

TEST(Skew, OsdHostAheadOfTheMonIsDetected) {
  auto mon = SourceOf("2020-03-15 10:58:39.035 7fc4034f4700  1 mon.eins@0(leader).osd e1157 prepare_failure osd.3 192.168.100.114:6802/1928 from osd.1 192.168.100.112:6800/2325 is reporting failure:1\n",
                      "ceph1-mon.log", &Tokyo(), 2020, "ceph1");
  auto osd = SourceOf("2020-03-15 11:00:13.902 7f3a2c8b1700 -1 osd.1 1157 heartbeat_check: no reply from 192.168.100.114:6806 osd.3 since back 2020-03-15 10:59:50.311\n",
                      "ceph2-osd.1.log", &Tokyo(), 2020, "ceph2");
  SkewEstimator k;
  for (auto* s : {mon.get(), osd.get()}) {
    for (const auto& e : Drain(*s)) k.Add(e);
  }
  auto est = k.Estimates();
  ASSERT_EQ(est.size(), 1u);
  EXPECT_EQ(est[0].host, "ceph2");
  EXPECT_EQ(est[0].reference_host, "ceph1");
  EXPECT_NEAR(est[0].offset_s, 94.867, 0.01);
  EXPECT_TRUE(est[0].skewed);
  EXPECT_EQ(est[0].cause_loc.line, 1);
  EXPECT_EQ(est[0].effect_loc.file, "ceph1-mon.log");
}

TEST(Skew, SyncedClocksAreNotFlagged) {
  auto mon = SourceOf("2020-03-15 10:58:39.035 7fc4034f4700  1 mon.a@0(leader).osd e1 prepare_failure osd.3 10.0.0.4:6802/1 from osd.1 10.0.0.2:6800/2 is reporting failure:1\n",
                      "m", &Tokyo(), 2020, "ceph1");
  auto osd = SourceOf("2020-03-15 10:58:38.990 7f3a2c8b1700 -1 osd.1 1 heartbeat_check: no reply from 10.0.0.4:6806 osd.3 since back x\n",
                      "o", &Tokyo(), 2020, "ceph2");
  SkewEstimator k;
  for (auto* s : {mon.get(), osd.get()}) {
    for (const auto& e : Drain(*s)) k.Add(e);
  }
  auto est = k.Estimates();
  ASSERT_EQ(est.size(), 1u);
  EXPECT_FALSE(est[0].skewed);
  EXPECT_LT(est[0].offset_s, 0);
}

}  // namespace
}  // namespace kiriwake::timeline
