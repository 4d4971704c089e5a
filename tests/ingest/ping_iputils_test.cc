// iputils ping: replies, gaps, tail losses, errors, DUP, -D/-O, -q, IPv6, wrap, rounding bug.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ping_test_util.h"

namespace kiriwake::ingest {
namespace {

using ::testing::ElementsAre;

// iputils reply lines from 10.0.0.2 for each of `seqs`, or for icmp_seq `from`..`to`.
std::string Replies(std::initializer_list<int> seqs) {
  std::string text;
  for (int seq : seqs) {
    text += "64 bytes from 10.0.0.2: icmp_seq=" + std::to_string(seq) + " ttl=64 time=0.100 ms\n";
  }
  return text;
}
std::string Replies(int from, int to) {
  std::string text;
  for (int seq = from; seq <= to; ++seq) text += Replies({seq});
  return text;
}

TEST(PingLogIputils, SeedSessionLostIdsAndTailLoss) {
  auto r = LineReader::Open(std::string(KW_SOURCE_DIR) + "/examples/seed-incident/ping-ceph4.txt");
  ASSERT_TRUE(r.ok());
  auto log = ParsePingLog(**r);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->sessions.size(), 1u);
  const PingSession& s = log->sessions[0];
  EXPECT_EQ(s.format, PingFormat::kIputils);
  EXPECT_EQ(s.target_address, "192.168.100.114");
  EXPECT_EQ(s.series.transmitted, 73u);
  EXPECT_EQ(s.series.received, 69u);
  EXPECT_EQ(s.series.lost_count, 4u);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(5, 6, 41, 73));
  ASSERT_TRUE(s.tail_first_id.has_value());
  EXPECT_EQ(*s.tail_first_id, 73u);
  EXPECT_EQ(s.series.verdict, model::Verdict::kDegraded);
  ASSERT_TRUE(s.series.rtt.has_value());
  EXPECT_DOUBLE_EQ(s.series.rtt->max_ms, 248.0);
  // 248 ms on a LAN whose median is ~4 ms is an outlier (seq 1).
  ASSERT_FALSE(s.series.outliers.empty());
  EXPECT_EQ(s.series.outliers[0].id, 1u);
}

TEST(PingLogIputils, OldIntegerAndNewPercentGLossFormatsAreRead) {
  // s20180629: "5% packet loss" (integer); 20221126: "13.3333% packet loss" (%g).
  auto old_log =
      LineReader::Open(std::string(KW_SOURCE_DIR) + "/examples/seed-incident/ping-ceph4.txt");
  ASSERT_TRUE(old_log.ok());
  auto a = ParsePingLog(**old_log);
  auto b = ParseData("iputils_20221126_D_O_real.txt");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->sessions.at(0).totals && a->sessions[0].totals->loss_percent);
  ASSERT_TRUE(b->sessions.at(0).totals && b->sessions[0].totals->loss_percent);
  EXPECT_DOUBLE_EQ(*a->sessions[0].totals->loss_percent, 5.0);
  EXPECT_DOUBLE_EQ(*b->sessions[0].totals->loss_percent, 13.3333);
  EXPECT_EQ(b->sessions[0].totals->transmitted, 30u);
}

TEST(PingLogIputils, TailLossIsCountedFromTotals) {
  auto log = ParseData("iputils_hostname_D_O.txt");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.series.transmitted, 8u);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(3, 6, 8));
  EXPECT_EQ(s.tail_first_id, 8u);
  EXPECT_EQ(s.last_id, 8u);
}

TEST(PingLogIputils, HostnameFormGivesNameAndAddress) {
  auto log = ParseData("iputils_hostname_D_O.txt");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.target_name, "node-b.example.internal");
  EXPECT_EQ(s.target_address, "192.168.100.114");
  // The -D timestamps are stripped, and "no answer yet" lines are understood, not skipped.
  EXPECT_EQ(log->skipped_lines, 0u);
  EXPECT_EQ(s.series.errored, 1u);  // "From 10.0.0.1 icmp_seq=6 Time to live exceeded"
}

TEST(PingLogIputils, IcmpErrorIsLostAndDupIsDuplicate) {
  auto log = ParseData("iputils_errors_dup.txt");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.series.received, 3u);
  EXPECT_EQ(s.series.errored, 1u);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(3, 4));
  EXPECT_THAT(s.series.duplicates, ElementsAre(5));
  EXPECT_TRUE(s.warnings.empty()) << s.warnings[0].ToString();  // totals reconcile
}

TEST(PingLogIputils, RealCaptureWithOptionDAndOMatchesNoAnswerLines) {
  auto log = ParseData("iputils_20221126_D_O_real.txt");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  // The capture's own "no answer yet for icmp_seq=" lines name 1, 19, 20 and 22.
  EXPECT_THAT(s.series.LostIds(), ElementsAre(1, 19, 20, 22));
  EXPECT_EQ(s.series.received, 26u);
  EXPECT_TRUE(s.warnings.empty());
}

TEST(PingLogIputils, Ipv6AndInterimSigquitLine) {
  auto log = ParseData("iputils_ipv6_sigquit.txt");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.target_address, "2001:db8::114");
  EXPECT_THAT(s.series.LostIds(), ElementsAre(2));
  EXPECT_EQ(s.series.received, 3u);
  EXPECT_EQ(log->skipped_lines, 0u);
}

TEST(PingLogIputils, QuietRunHasCountsButNoIds) {
  auto log = ParseData("iputils_quiet.txt");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(s.summary_only);
  EXPECT_EQ(s.series.transmitted, 300u);
  EXPECT_EQ(s.series.received, 285u);
  EXPECT_EQ(s.series.lost_count, 15u);
  EXPECT_TRUE(s.series.bursts.empty());
  EXPECT_FALSE(s.series.rtt.has_value());
  ASSERT_TRUE(s.totals && s.totals->rtt_max_ms);
  EXPECT_DOUBLE_EQ(*s.totals->rtt_max_ms, 248.692);
  EXPECT_EQ(s.series.verdict, model::Verdict::kDegraded);
}

TEST(PingLogIputils, ConcatenatedRunsAreSeparateSessionsAndCutRunIsFlagged) {
  auto log = ParseData("iputils_two_runs_cut.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].target_address, "192.168.100.112");
  EXPECT_EQ(log->sessions[0].series.lost_count, 0u);
  const PingSession& cut = log->sessions[1];
  EXPECT_EQ(cut.source.line, 9);
  EXPECT_THAT(cut.series.LostIds(), ElementsAre(3));
  EXPECT_TRUE(HasWarning(cut, 9, "no statistics"));
  bool cut_warned = false;
  for (const Diagnostic& d : log->warnings)
    cut_warned |= d.message.find("middle of a line") != std::string::npos;
  for (const Diagnostic& d : cut.warnings)
    cut_warned |= d.message.find("middle of a line") != std::string::npos;
  EXPECT_TRUE(cut_warned);
}

TEST(PingLogIputils, TotalsThatDisagreeAreWarnedWithTheirLine) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.1 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.1 ms\n"
      "\n--- 10.0.0.2 ping statistics ---\n"
      "5 packets transmitted, 4 received, 20% packet loss, time 4004ms\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(HasWarning(s, 6, "statistics say 4 received, the reply lines show 2"));
  EXPECT_THAT(s.series.LostIds(), ElementsAre(3, 4, 5));
}

TEST(PingLogIputils, MalformedLineInsideSessionIsWarnedAndSessionGoesOn) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.1 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=ab ttl=64 time=0.1 ms\n"
      "garbage in the middle\n"
      "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.1 ms\n"
      "\n--- 10.0.0.2 ping statistics ---\n"
      "3 packets transmitted, 3 received, 0% packet loss, time 2002ms\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(HasWarning(s, 3, "sequence number"));
  EXPECT_TRUE(HasWarning(s, 4, "skipped"));
  EXPECT_EQ(log->skipped_lines, 1u);
  EXPECT_EQ(s.series.transmitted, 3u);
}

TEST(PingLogIputils, SeqWrapIsUnwrapped) {
  // 70 000 probes: icmp_seq goes 1..65535, 0, 1, ...; probe 65540 (printed 4) is lost.
  std::string text = "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n";
  for (uint64_t id = 1; id <= 70000; ++id) {
    if (id == 65540 || id == 100) continue;
    text += "64 bytes from 10.0.0.2: icmp_seq=" + std::to_string(id % 65536) +
            " ttl=64 time=0.100 ms\n";
  }
  text +=
      "\n--- 10.0.0.2 ping statistics ---\n"
      "70000 packets transmitted, 69998 received, 0.00285714% packet loss, time 1ms\n";
  auto log = ParseText(std::move(text));
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(100, 65540));
  EXPECT_EQ(s.last_id, 70000u);
  EXPECT_TRUE(s.warnings.empty());
}

TEST(PingLogIputils, ABackwardsJumpAcrossZeroIsANewRunNotTensOfThousandsOfLosses) {
  // A ping's output joined to one that had been running for over 65536 probes, without its
  // PING header: 5, 6, 7, then 65533, 65534, 65535, 0, 1.
  std::string text = "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n";
  text += Replies({1, 2, 3, 4, 5, 6, 7, 65533, 65534, 65535, 0, 1});
  auto log = ParseText(std::move(text), "joined.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  for (const PingSession& s : log->sessions) EXPECT_EQ(s.series.lost_count, 0u);
  EXPECT_EQ(log->sessions[0].series.received, 7u);
  EXPECT_EQ(log->sessions[1].series.received, 5u);
  EXPECT_EQ(log->sessions[1].target_address, "10.0.0.2");
  EXPECT_TRUE(HasWarning(log->sessions[1], 9, "went back from 7 to 65533"));
  EXPECT_EQ(log->sessions[1].source.file, "joined.txt");
}

TEST(PingLogIputils, ARestartIsANewRunWhoseLossesMatchItsStatistics) {
  // ping ran (1..500), was restarted without its header reaching the log (3, 4, 6), and the
  // second run's statistics close the file: 6 sent, 3 received, 1 2 5 lost.
  std::string text = "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n";
  text += Replies(1, 500);
  text += Replies({3, 4, 6});
  text +=
      "\n--- 10.0.0.2 ping statistics ---\n"
      "6 packets transmitted, 3 received, 50% packet loss, time 5006ms\n";
  auto log = ParseText(std::move(text), "restart.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  const PingSession& first = log->sessions[0];
  EXPECT_EQ(first.series.received, 500u);
  EXPECT_EQ(first.series.lost_count, 0u);
  EXPECT_TRUE(first.series.duplicates.empty());
  const PingSession& second = log->sessions[1];
  EXPECT_TRUE(HasWarning(second, 502, "went back from 500 to 3"));
  EXPECT_EQ(second.series.transmitted, 6u);
  EXPECT_EQ(second.series.received, 3u);
  EXPECT_THAT(second.series.LostIds(), ElementsAre(1, 2, 5));
  for (const Diagnostic& d : second.warnings) {
    EXPECT_EQ(d.message.find("statistics say"), std::string::npos) << d.message;
  }
}

TEST(PingLogIputils, ARestartWhoseFirstProbesMeetICMPErrorsStartsItsRunThere) {
  // ping ran (1..500) and was restarted without its header reaching the log; the new run's
  // first two probes got "Destination Host Unreachable", then replies. The errors belong to the
  // new run (lost there), not to probes 1 and 2 of the old one, which were answered.
  std::string text = "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n";
  text += Replies(1, 500);
  text +=
      "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n"
      "From 10.0.0.1 icmp_seq=2 Destination Host Unreachable\n";
  text += Replies({3, 4});
  auto log = ParseText(std::move(text), "restart-errors.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].series.received, 500u);
  EXPECT_EQ(log->sessions[0].series.lost_count, 0u);
  const PingSession& second = log->sessions[1];
  EXPECT_TRUE(HasWarning(second, 502, "went back from 500 to 1"));
  EXPECT_EQ(second.series.received, 2u);
  EXPECT_THAT(second.series.LostIds(), ElementsAre(1, 2));
}

TEST(PingLogIputils, ARestartWhoseFirstProbesTimeOutStartsItsRunThere) {
  // macOS ping: 0..299 answered, then a restart whose probe 0 timed out.
  std::string text = "PING 10.0.0.2 (10.0.0.2): 56 data bytes\n";
  text += Replies(0, 299);
  text += "Request timeout for icmp_seq 0\n";
  text += Replies({1});
  auto log = ParseText(std::move(text), "restart-timeout.txt");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].series.lost_count, 0u);
  EXPECT_TRUE(HasWarning(log->sessions[1], 302, "went back from 299 to 0"));
  EXPECT_THAT(log->sessions[1].series.LostIds(), ElementsAre(0));
  EXPECT_EQ(log->sessions[1].series.received, 1u);
}

TEST(PingLogIputils, RoundingBugOfS20180629IsCorrected) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=12.10 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=9.100 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=12.3 ms\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.rounding_bug_corrections, 2u);
  ASSERT_TRUE(s.series.rtt);
  EXPECT_DOUBLE_EQ(s.series.rtt->max_ms, 13.0);  // "12.10" means 13.0, not 12.1
  EXPECT_DOUBLE_EQ(s.series.rtt->min_ms, 10.0);  // "9.100" means 10.00
}

TEST(PingLogIputils, ThreeDecimalPrecisionIsNotMistakenForTheBug) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=2.845 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=9.100 ms\n");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->sessions.at(0).rounding_bug_corrections, 0u);
  EXPECT_DOUBLE_EQ(log->sessions.at(0).series.rtt->max_ms, 9.1);
}

TEST(PingLogIputils, LateReplyWithinWindowIsPlaced) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.1 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.1 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=1500 ms\n"
      "\n--- 10.0.0.2 ping statistics ---\n"
      "3 packets transmitted, 3 received, 0% packet loss, time 2002ms\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.series.lost_count, 0u);
  EXPECT_EQ(s.series.received, 3u);
  EXPECT_TRUE(s.warnings.empty());
}

TEST(PingLogIputils, HeaderlessLogStartsAtFirstSeenId) {
  auto log = ParseText(
      "64 bytes from 10.0.0.2: icmp_seq=500 ttl=64 time=0.1 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=502 ttl=64 time=0.1 ms\n");
  ASSERT_TRUE(log.ok());
  const PingSession& s = log->sessions.at(0);
  EXPECT_EQ(s.first_id, 500u);
  EXPECT_THAT(s.series.LostIds(), ElementsAre(501));
  EXPECT_TRUE(HasWarning(s, 1, "no PING header"));
}

TEST(PingLogIputils, TimeNotFollowedByMsIsWarnedAndNotAnRtt) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1e400 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=2.85 ms\n"
      "\n--- 10.0.0.2 ping statistics ---\n"
      "2 packets transmitted, 2 received, 0% packet loss, time 1001ms\n");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(HasWarning(s, 2, "expected a number followed by \" ms\""));
  EXPECT_TRUE(HasWarning(s, 2, "1e400"));
  EXPECT_EQ(s.series.received, 2u);
  EXPECT_EQ(s.series.lost_count, 0u);
  ASSERT_TRUE(s.series.rtt);
  EXPECT_DOUBLE_EQ(s.series.rtt->min_ms, 2.85);  // not 1.00
  EXPECT_DOUBLE_EQ(s.series.rtt->max_ms, 2.85);
}

TEST(PingLogIputils, ReplyWithoutTimeIsAnsweredButNotAZeroRtt) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=4.00 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=6.00 ms\n"
      "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 ti\n"
      "\n--- 10.0.0.2 ping statistics ---\n"
      "3 packets transmitted, 3 received, 0% packet loss, time 2002ms\n");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  const PingSession& s = log->sessions.at(0);
  EXPECT_TRUE(HasWarning(s, 4, "no \"time=\""));
  EXPECT_EQ(s.series.transmitted, 3u);
  EXPECT_EQ(s.series.received, 3u);
  EXPECT_EQ(s.series.lost_count, 0u);
  ASSERT_TRUE(s.series.rtt);
  EXPECT_DOUBLE_EQ(s.series.rtt->min_ms, 4.0);
  EXPECT_DOUBLE_EQ(s.series.rtt->mean_ms, 5.0);
  // The totals (3 received) agree with the lines.
  for (const Diagnostic& d : s.warnings) {
    EXPECT_EQ(d.message.find("statistics say"), std::string::npos) << d.ToString();
  }
}

TEST(PingLogIputils, BusyboxAndBsdReplyWithoutTimeAreAnsweredWithoutRtt) {
  auto log = ParseText(
      "PING 10.0.0.2 (10.0.0.2): 56 data bytes\n"
      "64 bytes from 10.0.0.2: seq=0 ttl=64 time=3.000 ms\n"
      "64 bytes from 10.0.0.2: seq=1 ttl=64\n"
      "\n--- 10.0.0.2 ping statistics ---\n"
      "2 packets transmitted, 2 packets received, 0% packet loss\n"
      "PING 10.0.0.3 (10.0.0.3): 56 data bytes\n"
      "64 bytes from 10.0.0.3: icmp_seq=0 ttl=64 time=7.000 ms\n"
      "64 bytes from 10.0.0.3: icmp_seq=1 ttl=64 time=x ms\n"
      "\n--- 10.0.0.3 ping statistics ---\n"
      "2 packets transmitted, 2 packets received, 0.0% packet loss\n");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->sessions.size(), 2u);
  EXPECT_EQ(log->sessions[0].format, PingFormat::kBusybox);
  EXPECT_EQ(log->sessions[1].format, PingFormat::kBsd);
  for (const PingSession& s : log->sessions) {
    EXPECT_EQ(s.series.received, 2u);
    EXPECT_EQ(s.series.lost_count, 0u);
    ASSERT_TRUE(s.series.rtt);
    EXPECT_GE(s.series.rtt->min_ms, 3.0);
  }
  EXPECT_TRUE(HasWarning(log->sessions[0], 3, "without an RTT"));
  EXPECT_TRUE(HasWarning(log->sessions[1], 9, "without an RTT"));
}

}  // namespace
}  // namespace kiriwake::ingest
