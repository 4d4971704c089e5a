// fping: interleaved targets, timed out lines, -C summaries, -D, -e, ICMP errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ping_test_util.h"

namespace kiriwake::ingest {
namespace {

using ::testing::ElementsAre;

TEST(PingLogFping, TimedOutLinesAreTheLostIds) {
  auto log = ParseData("fping_c.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 1u);
  const PingSession& s = log->sessions[0];
  EXPECT_EQ(s.format, PingFormat::kFping);
  EXPECT_EQ(s.first_id, 0u);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(1, 19));
  EXPECT_EQ(s.series.transmitted, 20u);
  EXPECT_EQ(s.series.received, 18u);
  EXPECT_TRUE(s.warnings.empty());
}

TEST(PingLogFping, CountSummaryWithQuietGivesPerProbeIds) {
  auto log = ParseData("fping_C_q.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].target_address, "10.77.1.2");
  EXPECT_THAT(log->sessions[0].series.LostIds(), ElementsAre(4, 10));
  EXPECT_EQ(log->sessions[0].series.transmitted, 12u);
  EXPECT_EQ(log->sessions[1].target_address, "10.77.1.1");
  EXPECT_EQ(log->sessions[1].series.lost_count, 0u);
}

TEST(PingLogFping, InterleavedTargetsWithTimestampsAreSeparateSessions) {
  auto log = ParseData("fping_D_two_targets.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].target_name, "10.77.1.2");
  EXPECT_EQ(log->sessions[1].target_name, "10.77.1.1");
  for (const PingSession& s : log->sessions) {
    EXPECT_EQ(s.series.transmitted, 8u);
    EXPECT_EQ(s.series.received, 8u);
    EXPECT_TRUE(s.warnings.empty());
  }
  EXPECT_EQ(log->skipped_lines, 0u);
}

TEST(PingLogFping, AliveLinesAreOneProbeEach) {
  auto log = ParseData("fping_e.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].series.received, 1u);
  EXPECT_EQ(log->sessions[0].series.verdict, model::Verdict::kHealthy);
}

TEST(PingLogFping, UnreachableTargetIsBrokenAndIcmpErrorIsKept) {
  auto log = ParseData("fping_l_icmp_error.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  const PingSession& dead = log->sessions[0];
  EXPECT_EQ(dead.target_name, "10.77.1.9");
  EXPECT_THAT(dead.series.LostIds(), ElementsAre(0, 1));
  EXPECT_EQ(dead.series.verdict, model::Verdict::kBroken);
  EXPECT_TRUE(HasWarning(dead, 2, "ICMP Host Unreachable"));
  // -l stopped without a summary: warned, not guessed.
  EXPECT_TRUE(HasWarning(dead, 1, "no statistics"));
}

TEST(PingLogFping, ConcatenatedRunsOfOneHostAreSeparate) {
  auto log = ParseText(
      "h1 : [0], 64 bytes, 0.1 ms (0.1 avg, 0% loss)\n"
      "h1 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.1/0.1/0.1\n"
      "h1 : [0], timed out (NaN avg, 100% loss)\n"
      "h1 : xmt/rcv/%loss = 1/0/100%\n");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].series.verdict, model::Verdict::kHealthy);
  EXPECT_EQ(log->sessions[1].series.verdict, model::Verdict::kBroken);
}

TEST(PingLogFping, QuietCountModeIsTotalsOnly) {
  auto log =
      ParseText("192.168.100.114 : xmt/rcv/%loss = 73/69/5%, min/avg/max = 0.412/17.3/248\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(s.summary_only);
  EXPECT_EQ(s.series.transmitted, 73u);
  EXPECT_EQ(s.series.lost_count, 4u);
  EXPECT_TRUE(s.series.LostIds().empty());
  ASSERT_TRUE(s.totals && s.totals->rtt_max_ms);
  EXPECT_DOUBLE_EQ(*s.totals->rtt_max_ms, 248.0);
}

TEST(PingLogFping, CountSummaryNanInfAndNegativeAreWarnedAndNotRtts) {
  auto log = ParseText("10.77.1.2 : 0.05 nan -5 inf 0.06\n", "f.txt");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->sessions.size(), 1u);
  const PingSession& s = log->sessions[0];
  EXPECT_EQ(s.series.transmitted, 5u);
  // Neither answered nor lost: only the two real RTTs are replies.
  EXPECT_EQ(s.series.received, 2u);
  EXPECT_EQ(s.series.lost_count, 0u);
  ASSERT_TRUE(s.series.rtt);
  EXPECT_DOUBLE_EQ(s.series.rtt->min_ms, 0.05);
  EXPECT_DOUBLE_EQ(s.series.rtt->max_ms, 0.06);
  EXPECT_TRUE(HasWarning(s, 1, "\"nan\" is not an RTT"));
  EXPECT_TRUE(HasWarning(s, 1, "\"-5\" is not an RTT"));
  EXPECT_TRUE(HasWarning(s, 1, "\"inf\" is not an RTT"));
  EXPECT_EQ(s.warnings.at(0).loc.file, "f.txt");
}

TEST(PingLogFping, ProbeLineWithUnreadableRttIsAnsweredWithoutRtt) {
  auto log = ParseText(
      "10.77.1.2 : [0], 64 bytes, 0.41 ms (0.41 avg, 0% loss)\n"
      "10.77.1.2 : [1], 64 bytes, x ms (0.41 avg, 0% loss)\n"
      "10.77.1.2 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 0.41/0.41/0.41\n");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.series.received, 2u);
  EXPECT_EQ(s.series.lost_count, 0u);
  ASSERT_TRUE(s.series.rtt);
  EXPECT_DOUBLE_EQ(s.series.rtt->min_ms, 0.41);
  EXPECT_TRUE(HasWarning(s, 2, "answered without an RTT"));
}

}  // namespace
}  // namespace kiriwake::ingest
