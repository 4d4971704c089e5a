#include <functional>
#include <queue>
#include <random>

#include <fmt/format.h>
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

TEST(Merge, ReorderWindowMatchesAHeapOverTheSameLines) {
  // Lines mostly in order with random local disorder and some far-off stragglers: the source
  // keeps in-order keys in a queue and only the rest in a heap; its output must be exactly what
  // one heap of (time, line) over a window of W lines gives. Every seventh line is too long for
  // a window cell and is kept as a whole Event instead: both kinds must keep their own time.
  std::mt19937 rng(7);
  for (size_t window : {size_t{1}, size_t{3}, size_t{16}, size_t{256}}) {
    std::string text;
    std::vector<int> secs;
    std::vector<std::string> messages;
    int base = 3600;
    for (int i = 0; i < 400; ++i) {
      base += static_cast<int>(rng() % 3);
      int s = base;
      if (rng() % 4 == 0) s -= static_cast<int>(rng() % 20);     // a little late
      if (rng() % 50 == 0) s += static_cast<int>(rng() % 2000);  // far ahead
      if (rng() % 50 == 0) s = static_cast<int>(rng() % 3600);   // far behind
      secs.push_back(s);
      messages.push_back("a: " + std::to_string(i) + (i % 7 == 0 ? " " + std::string(300, 'x') : ""));
      text += fmt::format("Mar 15 {:02}:{:02}:{:02} h {}\n", s / 3600, s / 60 % 60, s % 60,
                          messages.back());
    }
    // Reference: hold up to `window` + 1 lines, emit the smallest (time, line) each time.
    using Item = std::pair<int, int>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> held;
    std::vector<std::string> want;
    auto emit = [&] {
      int s = held.top().first;
      want.push_back(fmt::format("2020-03-15T{:02}:{:02}:{:02}.000Z {}", s / 3600, s / 60 % 60,
                                 s % 60, messages[static_cast<size_t>(held.top().second)]));
      held.pop();
    };
    for (int i = 0; i < static_cast<int>(secs.size()); ++i) {
      held.push({secs[i], i});
      if (held.size() > window) emit();
    }
    while (!held.empty()) emit();
    auto s = SourceOf(text, "s", nullptr, 2020, "h", window);
    std::vector<std::string> got;
    for (const auto& e : Drain(*s)) got.push_back(Utc(e) + " " + e.message);
    EXPECT_EQ(got, want) << "window " << window;
  }
}

TEST(Merge, PointerAndCopyingNextAgree) {
  auto make = [] {
    std::vector<std::unique_ptr<FileSource>> srcs;
    srcs.push_back(SourceOf("Mar 15 01:00:00 h a: 1\nMar 15 01:00:02 h a: 3\n", "x", nullptr));
    srcs.push_back(SourceOf("Mar 15 01:00:01 h b: 2\nMar 15 01:00:02 h b: 4\n", "y", nullptr));
    return srcs;
  };
  Merger a(make(), {});
  Merger b(make(), {});
  std::vector<std::string> by_pointer, by_copy;
  while (const Event* e = a.Next()) by_pointer.push_back(e->message);
  Event e;
  while (b.Next(&e)) by_copy.push_back(e.message);
  // Equal times and equal file_index (both 0 here): the earlier source goes first.
  EXPECT_EQ(by_pointer, (std::vector<std::string>{"a: 1", "b: 2", "a: 3", "b: 4"}));
  EXPECT_EQ(by_copy, by_pointer);
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
