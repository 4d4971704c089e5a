// Inputs that are not ping output, or are damaged: clear errors, no crash, bounded memory.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ping_test_util.h"

namespace kiriwake::ingest {
namespace {

TEST(PingLogRobustness, ProseIsNotRecognisedAndTheErrorQuotesIt) {
  auto log = ParseData("not_ping.txt");
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kUnrecognized);
  EXPECT_THAT(log.status().message(), ::testing::HasSubstr("not recognised as ping output"));
  EXPECT_THAT(log.status().message(), ::testing::HasSubstr("Hello, this is a README."));
}

TEST(PingLogRobustness, EmptyInputIsNotRecognised) {
  auto log = ParseText("", "empty.txt");
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kUnrecognized);
  EXPECT_THAT(log.status().message(), ::testing::HasSubstr("empty"));
}

TEST(PingLogRobustness, BinaryGarbageIsNotRecognised) {
  std::string junk;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245 + 12345;
    junk.push_back(static_cast<char>(x >> 24));
  }
  auto log = ParseText(junk, "junk.bin");
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kUnrecognized);
}

TEST(PingLogRobustness, HugeSequenceJumpDoesNotLoopPerId) {
  // fping ids are not 16-bit: a damaged line with a huge index must cost O(1), not O(id).
  auto log = ParseText(
      "h : [0], 64 bytes, 0.1 ms (0.1 avg, 0% loss)\n"
      "h : [999999999999], 64 bytes, 0.1 ms (0.1 avg, 0% loss)\n");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->sessions.at(0).series.bursts.size(), 1u);
}

TEST(PingLogRobustness, TotalsBeyondAnyRealRunAreIgnored) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.1 ms\n"
      "99999999999999 packets transmitted, 1 received, 99% packet loss, time 1ms\n");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->sessions.at(0).series.transmitted, 1u);
  EXPECT_TRUE(HasWarning(log->sessions.at(0), 3, "not a real run"));
}

TEST(PingLogRobustness, AbsurdTotalsDoNotLoop) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.1 ms\n"
      "18446744073709551615 packets transmitted, 1 received, 99% packet loss, time 1ms\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(s.series.bursts.empty());
  EXPECT_EQ(s.series.transmitted, 1u);
  EXPECT_TRUE(HasWarning(s, 3, ""));  // 20 digits: not a count, warned with its line
}

// Found by fuzz/ping_log_fuzz: an fping index of 2^64-1 made the window loop forever.
TEST(PingLogRobustness, OutOfRangeIndexIsWarnedNotLooped) {
  auto log = ParseText(
      "h : [0], 64 bytes, 0.1 ms (0.1 avg, 0% loss)\n"
      "h : [18446744073709551615], timed out\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.series.transmitted, 1u);
  EXPECT_TRUE(HasWarning(s, 2, ""));
}

TEST(PingLogRobustness, LinesOutsideSessionsAreWarnedAndCounted) {
  auto log = ParseText(
      "$ ping -c 1 10.0.0.2\n"
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.1 ms\n"
      "\n--- 10.0.0.2 ping statistics ---\n"
      "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->skipped_lines, 1u);
  ASSERT_FALSE(log->warnings.empty());
  EXPECT_EQ(log->warnings[0].loc.line, 1);
}

TEST(PingLogRobustness, WarningsPerSessionAreBounded) {
  std::string text = "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n";
  for (int i = 0; i < 10000; ++i) text += "junk line\n";
  auto log = ParseText(std::move(text));
  ASSERT_TRUE(log.ok());
  EXPECT_LE(log->sessions.at(0).warnings.size(), PingLogOptions{}.max_warnings + 2);
  EXPECT_EQ(log->skipped_lines, 10000u);
}

}  // namespace
}  // namespace kiriwake::ingest
