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

// mtr.json with one field of its only hub replaced.
std::string MtrJsonWith(const std::string& field, const std::string& value) {
  std::string doc = std::string("{\n \"report\": {\n  \"hubs\": [\n   {\n    \"count\": 1,\n") +
                    "    \"host\": \"10.77.1.2\",\n";
  const std::pair<std::string, std::string> fields[] = {
      {"Loss%", "10.0"}, {"Snt", "10"}, {"Avg", "0.08"}, {"Best", "0.078"}, {"Wrst", "0.089"}};
  for (const auto& [k, v] : fields) {
    doc += "    \"" + k + "\": " + (k == field ? value : v) + ",\n";
  }
  doc += "    \"StDev\": 0.003\n   }\n  ]\n }\n}\n";
  return doc;
}

bool AnyWarning(const PingSession& s, int64_t line, const std::string& part) {
  return HasWarning(s, line, part);
}

TEST(PingLogMtr, OutOfRangeLossIsWarnedAndNotUsed) {
  for (const char* bad : {"-50", "150", "\"nan\"", "\"NaN\""}) {
    SCOPED_TRACE(bad);
    auto log = ParseText(MtrJsonWith("Loss%", bad), "mtr.json");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_EQ(log->sessions.size(), 1u);
    const PingSession& s = log->sessions[0];
    EXPECT_TRUE(AnyWarning(s, 1, "\"Loss%\" is"));
    EXPECT_TRUE(AnyWarning(s, 1, "received count unknown"));
    // Neither a healthy 10/10 nor 100% loss nor a garbage count: no judgement.
    EXPECT_EQ(s.series.received, 0u);
    EXPECT_EQ(s.series.lost_count, 0u);
    EXPECT_NE(s.series.verdict, model::Verdict::kHealthy);
    EXPECT_NE(s.series.verdict, model::Verdict::kBroken);
  }
}

TEST(PingLogMtr, NonIntegerOrNanSentIsWarnedAndNotUsed) {
  for (const char* bad : {"10.7", "\"NaN\"", "-3", "1e30"}) {
    SCOPED_TRACE(bad);
    auto log = ParseText(MtrJsonWith("Snt", bad), "mtr.json");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_EQ(log->sessions.size(), 1u);
    const PingSession& s = log->sessions[0];
    EXPECT_TRUE(AnyWarning(s, 1, "\"Snt\" is"));
    EXPECT_EQ(s.series.transmitted, 0u);
    EXPECT_FALSE(s.totals.has_value());
    for (const Diagnostic& d : s.warnings) {
      EXPECT_EQ(d.message.find("no probes and no statistics"), std::string::npos) << d.ToString();
    }
  }
}

TEST(PingLogMtr, ReceivedAboveSentIsWarnedAndLossUsedInstead) {
  std::string doc = MtrJsonWith("Snt", "10");
  doc.insert(doc.find("\"Avg\""), "\"Rcv\": 12, ");
  auto log = ParseText(doc, "mtr.json");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(AnyWarning(s, 1, "more than \"Snt\""));
  EXPECT_EQ(s.series.transmitted, 10u);
  EXPECT_EQ(s.series.received, 9u);  // from Loss% 10.0
}

TEST(PingLogMtr, ReportRowWithImpossibleLossIsWarned) {
  auto log = ParseText(
      "Start: 2024-03-15T10:22:01+0100\n"
      "HOST: node-a.example.internal     Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
      "  1.|-- 192.168.100.1            150.0%    10    0.4   0.4   0.3   0.5   0.1\n");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(AnyWarning(s, 3, "not a percentage within 0..100"));
  EXPECT_EQ(s.series.lost_count, 0u);
  EXPECT_EQ(s.series.received, 0u);
}

TEST(PingLogMtr, TruncatedJsonSaysItNeverEndsInsteadOfBlankLines) {
  auto log = ParseText("{\n \"report\": {\n  \"mtr\": {\n   \"src\": \"vm\",\n\n\n", "cut.json");
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(
      log.status().message(),
      ::testing::HasSubstr("cut.json:1: mtr --json document starting at line 1 never ends"));
  EXPECT_THAT(log.status().message(), ::testing::Not(::testing::HasSubstr("blank lines")));
}

TEST(PingLogMtr, JsonThatIsNotMtrSaysSoWithItsLine) {
  auto log = ParseText("\n{\n  \"status\": \"HEALTH_WARN\",\n  \"checks\": {}\n}\n", "h.json");
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(),
              ::testing::HasSubstr("h.json:2: JSON document is not mtr --json output"));
}

}  // namespace
}  // namespace kiriwake::ingest
