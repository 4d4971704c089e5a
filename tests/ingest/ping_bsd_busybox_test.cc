// BusyBox (seq= from 0) and macOS/FreeBSD (icmp_seq from 0, Request timeout, round-trip).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ping_test_util.h"

namespace kiriwake::ingest {
namespace {

using ::testing::ElementsAre;

TEST(PingLogBusybox, SeqFromZeroAndTailLossFromTotals) {
  auto log = ParseData("busybox.txt");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.format, PingFormat::kBusybox);
  EXPECT_EQ(s.first_id, 0u);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(2, 4));
  EXPECT_EQ(s.tail_first_id, 4u);
  EXPECT_THAT(s.series.duplicates, ElementsAre(3));
  EXPECT_TRUE(s.warnings.empty()) << s.warnings[0].ToString();
  ASSERT_TRUE(s.totals && s.totals->rtt_max_ms);
  EXPECT_DOUBLE_EQ(*s.totals->rtt_max_ms, 248.0);
}

TEST(PingLogBsd, RequestTimeoutIsLostAndRoundTripLineIsRead) {
  auto log = ParseData("bsd_macos.txt");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.format, PingFormat::kBsd);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(2));
  EXPECT_EQ(s.series.transmitted, 4u);
  EXPECT_EQ(s.series.received, 3u);
  EXPECT_FALSE(s.tail_first_id.has_value());
  ASSERT_TRUE(s.totals && s.totals->rtt_mdev_ms);
  EXPECT_DOUBLE_EQ(*s.totals->rtt_mdev_ms, 106.845);
  EXPECT_EQ(log->skipped_lines, 0u);
}

}  // namespace
}  // namespace kiriwake::ingest
