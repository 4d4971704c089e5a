// Windows ping.exe: positions as ids, English and Japanese, CP932 and UTF-16 inputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ping_test_util.h"

namespace kiriwake::ingest {
namespace {

using ::testing::ElementsAre;

TEST(PingLogWindows, EnglishPositionsAreIdsAndUnreachableReplyIsLost) {
  auto log = ParseData("windows_en.txt");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->sessions.size(), 1u);
  const PingSession& s = log->sessions[0];
  EXPECT_EQ(s.format, PingFormat::kWindows);
  EXPECT_EQ(s.target_address, "192.168.100.114");
  EXPECT_EQ(s.series.transmitted, 5u);
  // Probe 2 timed out; probe 4 was "Destination host unreachable", which Windows counts as
  // received (Received = 4) and we count as lost, saying so.
  EXPECT_THAT(s.series.LostIds(), ElementsAre(2, 4));
  EXPECT_EQ(s.series.received, 3u);
  EXPECT_EQ(s.windows_error_replies, 1u);
  EXPECT_TRUE(HasWarning(s, 2, "Windows counts them as received"));
  // Totals (Received = 4) reconcile once the unreachable reply is taken into account.
  for (const Diagnostic& d : s.warnings) {
    EXPECT_EQ(d.message.find("statistics say"), std::string::npos) << d.ToString();
  }
}

TEST(PingLogWindows, SubMillisecondIsHalfAMillisecond) {
  auto log = ParseData("windows_en.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(log->sessions[0].series.rtt);
  EXPECT_DOUBLE_EQ(log->sessions[0].series.rtt->min_ms, 0.5);
  EXPECT_DOUBLE_EQ(log->sessions[0].series.rtt->max_ms, 248.0);
}

TEST(PingLogWindows, Cp932JapaneseIsParsed) {
  auto log = ParseData("windows_ja_cp932.txt");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->sessions.size(), 1u);
  const PingSession& s = log->sessions[0];
  EXPECT_EQ(s.target_address, "192.168.100.114");
  EXPECT_EQ(s.series.transmitted, 4u);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(2));
  EXPECT_EQ(log->skipped_lines, 0u);
  EXPECT_TRUE(s.warnings.empty());
}

TEST(PingLogWindows, Utf16BomIsTranscoded) {
  auto log = ParseData("windows_ja_utf16le_bom.txt");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.series.transmitted, 4u);
  EXPECT_EQ(s.series.received, 3u);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(2));
  EXPECT_EQ(log->skipped_lines, 0u);
}

TEST(PingLogWindows, JapaneseNameTargetAndUnreachable) {
  auto log = ParseText(
      "www.example.jp [142.250.196.100]に ping を送信しています 32 バイトのデータ:\n"
      "142.250.196.100 からの応答: バイト数 =32 時間 =9ms TTL=115\n"
      "192.168.3.1 からの応答: 宛先ホストに到達できません。\n"
      "要求がタイムアウトしました。\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.target_name, "www.example.jp");
  EXPECT_EQ(s.target_address, "142.250.196.100");
  EXPECT_THAT(s.series.LostIds(), ElementsAre(2, 3));
  EXPECT_EQ(s.windows_error_replies, 1u);
}

TEST(PingLogWindows, ControlBreakStatisticsDoNotEndTheRun) {
  auto log = ParseText(
      "Pinging 10.0.0.2 with 32 bytes of data:\n"
      "Reply from 10.0.0.2: bytes=32 time=1ms TTL=64\n"
      "\nPing statistics for 10.0.0.2:\n"
      "    Packets: Sent = 1, Received = 1, Lost = 0 (0% loss),\n"
      "Control-Break\n"
      "Request timed out.\n"
      "\nPing statistics for 10.0.0.2:\n"
      "    Packets: Sent = 2, Received = 1, Lost = 1 (50% loss),\n"
      "Control-C\n^C\n");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 1u);
  EXPECT_THAT(log->sessions[0].series.LostIds(), ElementsAre(2));
  EXPECT_EQ(log->skipped_lines, 0u);
}

TEST(PingLogWindows, UnreadableTimeIsAnsweredWithoutRttNotLost) {
  auto log = ParseText(
      "\nPinging 10.0.0.2 with 32 bytes of data:\n"
      "Reply from 10.0.0.2: bytes=32 time=2ms TTL=64\n"
      "Reply from 10.0.0.2: bytes=32 time=xms TTL=64\n"
      "\nPing statistics for 10.0.0.2:\n"
      "    Packets: Sent = 2, Received = 2, Lost = 0 (0% loss),\n");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.series.received, 2u);
  EXPECT_EQ(s.series.lost_count, 0u);
  ASSERT_TRUE(s.series.rtt);
  EXPECT_DOUBLE_EQ(s.series.rtt->min_ms, 2.0);
  EXPECT_TRUE(HasWarning(s, 4, "answered without an RTT"));
}

}  // namespace
}  // namespace kiriwake::ingest
