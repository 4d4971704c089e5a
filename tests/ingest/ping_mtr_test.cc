// mtr --report and --json: one summary-only session per hop.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ping_test_util.h"

namespace kiriwake::ingest {
namespace {

TEST(PingLogMtr, ReportRowIsOneSessionPerHop) {
  auto log = ParseData("mtr_report.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 1u);
  const PingSession& s = log->sessions[0];
  EXPECT_EQ(s.format, PingFormat::kMtr);
  EXPECT_EQ(s.hop, 1);
  EXPECT_EQ(s.target_address, "10.77.1.2");
  EXPECT_TRUE(s.summary_only);
  EXPECT_EQ(s.series.transmitted, 10u);
  EXPECT_EQ(s.series.lost_count, 1u);
  EXPECT_EQ(s.series.verdict, model::Verdict::kDegraded);
}

TEST(PingLogMtr, JsonHubsAreSessions) {
  auto log = ParseData("mtr.json");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->sessions.size(), 1u);
  const PingSession& s = log->sessions[0];
  EXPECT_EQ(s.series.transmitted, 10u);
  EXPECT_EQ(s.series.received, 9u);
  ASSERT_TRUE(s.totals && s.totals->rtt_avg_ms);
  EXPECT_DOUBLE_EQ(*s.totals->rtt_avg_ms, 0.08);
}

TEST(PingLogMtr, JsonHubThatIsNotAnObjectIsWarnedAboutNotDropped) {
  auto log = ParseText(R"({"report": {"mtr": {"dst": "10.77.1.2"}, "hubs": [
    "10.77.0.1",
    {"count": 2, "host": "10.77.1.2", "Loss%": 0.0, "Snt": 10, "Avg": 0.08}
  ]}})",
                       "mtr.json");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->sessions.size(), 1u);
  EXPECT_EQ(log->sessions[0].hop, 2);
  bool warned = false;
  for (const Diagnostic& d : log->warnings) {
    warned |= d.message.find("hub 1 is not an object") != std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST(PingLogMtr, OverflowedLossColumnAndUnknownHop) {
  auto log = ParseText(
      "Start: 2024-03-15T10:22:01+0100\n"
      "HOST: node-a.example.internal     Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
      "  1.|-- 192.168.100.1              0.0%    10    0.4   0.4   0.3   0.5   0.1\n"
      "  2.|-- ???                       100.0    10    0.0   0.0   0.0   0.0   0.0\n");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].series.verdict, model::Verdict::kHealthy);
  EXPECT_EQ(log->sessions[1].target_name, "???");
  EXPECT_EQ(log->sessions[1].series.lost_count, 10u);
  EXPECT_EQ(log->sessions[1].series.verdict, model::Verdict::kBroken);
}

TEST(PingLogMtr, IntermediateHopLossThatDoesNotPersistIsRateLimiting) {
  auto log = ParseText(
      "Start: 2024-03-15T10:22:01+0100\n"
      "HOST: node-a                       Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
      "  1.|-- 192.168.100.1              0.0%    10    0.4   0.4   0.3   0.5   0.1\n"
      "  2.|-- 10.0.0.1                  30.0%    10    1.0   1.1   0.9   1.5   0.2\n"
      "  3.|-- 192.168.100.114            0.0%    10    2.8   3.1   2.5   4.3   0.6\n");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 3u);
  const PingSession& hop2 = log->sessions[1];
  EXPECT_EQ(hop2.series.lost_count, 3u);
  EXPECT_EQ(hop2.series.verdict, model::Verdict::kHealthy);
  EXPECT_TRUE(HasWarning(hop2, 4, "rate-limits ICMP"));
}

TEST(PingLogMtr, LossThatPersistsToTheLastHopStays) {
  auto log = ParseText(
      "HOST: node-a                       Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
      "  1.|-- 10.0.0.1                  10.0%    10    1.0   1.1   0.9   1.5   0.2\n"
      "  2.|-- 192.168.100.114           10.0%    10    2.8   3.1   2.5   4.3   0.6\n");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].series.verdict, model::Verdict::kDegraded);
  EXPECT_EQ(log->sessions[1].series.verdict, model::Verdict::kDegraded);
}

}  // namespace
}  // namespace kiriwake::ingest
