// Inputs that are not ping output, or are damaged: clear errors, no crash, bounded memory.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "ping_test_util.h"
#include "report/ping_log_report.h"

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

// Hands out one line per Read(): after the first 64 KiB (read whole to sniff the encoding) the
// reader never holds a line beyond the one it returned, so ParseReplyRun never runs and every
// line takes Dispatch. The reference for the fast path.
class OneLinePerRead final : public ByteSource {
 public:
  explicit OneLinePerRead(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t end = bytes_.find('\n', pos_);
    size_t k = std::min(n, (end == std::string::npos ? bytes_.size() : end + 1) - pos_);
    std::memcpy(buf, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

std::string RenderForComparison(const Result<PingLog>& log) {
  if (!log.ok()) return log.status().ToString();
  report::PingLogReport r;
  r.sessions = log->sessions;
  r.file_warnings = log->warnings;
  return report::RenderPingLogJson(r) + " lines=" + std::to_string(log->lines) +
         " skipped=" + std::to_string(log->skipped_lines);
}

// The fast path for runs of ordinary replies must give exactly what line-by-line dispatch gives,
// on every shape around it: -D stamps, DUPs, CRLF, trailing blanks, bells, the rounding bug,
// long numbers, ICMP errors, other targets, wrapped and out-of-range sequence numbers, sessions
// with and without statistics, a cut last line.
TEST(PingLogRobustness, FastPathGivesExactlyWhatDispatchGives) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](std::initializer_list<const char*> xs) {
      return std::string(xs.begin()[rng() % xs.size()]);
    };
    std::string text;
    for (int s = 0; s < 3; ++s) {
      std::string host = pick({"10.77.0.2", "h2 (10.77.0.3)", "fe80::1%eth0", "10.77.0.4"});
      text += "PING " + host + " (" + host + ") 56(84) bytes of data.\n";
      uint64_t seq = pick({"1", "65000"}) == "1" ? 1 : 65000;
      // Seeds 9-12: long clean runs (MBs), across window edges.
      bool clean = seed > 8;
      for (int i = 0; i < (clean ? 40000 : 2500); ++i) {
        bool rare = rng() % 15000 == 0;
        uint32_t x = clean && !rare ? 100 + rng() % 900 : rng() % 1000;
        bool plain = clean && !rare;
        if (x < 30) seq += rng() % 30;
        if (x >= 30 && x < 35)
          text += "From 10.77.0.1 icmp_seq=" + std::to_string(seq % 65536) +
                  " Destination Host Unreachable\n";
        if (x >= 35 && x < 38)
          text += "no answer yet for icmp_seq=" + std::to_string(seq % 65536) + "\n";
        if (x >= 38 && x < 40) text += "garbage\n";
        if (x >= 40 && x < 42 && seq > 5) seq -= rng() % 5;
        std::string line;
        if (rng() % 10 < 7)
          line += "[" + std::to_string(1700000000 + seq) + "." +
                  std::to_string(100000 + rng() % 900000) + "] ";
        std::string target = x >= 42 && x < 44 ? "10.77.0.9" : host;
        uint64_t shown = rng() % 100 == 0 ? seq : seq % 65536;
        line += "64 bytes from " + target + ": icmp_seq=" + std::to_string(shown) +
                " ttl=" + (plain ? "64" : pick({"64", "64", "64", "1234", "x"})) + " time=" +
                (plain ? pick({"0.412", "12.10", "9.100", "248", "3.85"})
                       : pick({"0.412", "12.10", "9.100", "248", "0.1111111111111", "1234567890.5",
                               "3.85"})) +
                (plain ? " ms"
                       : pick({" ms", " ms", " ms", " ms", " ms (DUP!)", " ms\r", " ms ", "ms",
                               " ms\a"}));
        text += line + "\n";
        ++seq;
      }
      if (rng() % 5 != 0) {
        text += "--- " + host + " ping statistics ---\n" + std::to_string(seq) +
                " packets transmitted, " + std::to_string(seq - 40) +
                " received, 1% packet loss, time 1000ms\n";
      }
    }
    if (seed % 2 == 0) text += "64 bytes from 10.77.0.2: icmp_seq=1 ttl=64 ti";  // cut mid-line
    ASSERT_GT(text.size(), 200000u);
    // From a file: read through mapped windows as the CLI reads, runs crossing their edges.
    std::string path = (std::filesystem::temp_directory_path() /
                        ("kw_fastpath." + std::to_string(::getpid()) + ".txt"))
                           .string();
    std::ofstream(path, std::ios::binary) << text;
    auto opened = LineReader::Open(path);
    std::filesystem::remove(path);  // the open descriptor keeps the bytes readable
    ASSERT_TRUE(opened.ok());
    auto& fast = *opened;
    auto slow = LineReader::FromSource(std::make_unique<OneLinePerRead>(text), path);
    std::string a = RenderForComparison(ParsePingLog(*fast));
    std::string b = RenderForComparison(ParsePingLog(*slow));
    // Not EXPECT_EQ on the documents: gtest's diff of two MB-long strings takes minutes.
    auto diff = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
    size_t at = static_cast<size_t>(diff.first - a.begin());
    EXPECT_TRUE(a == b) << "seed " << seed << ": first difference at byte " << at
                        << ":\n fast: " << a.substr(at > 80 ? at - 80 : 0, 200)
                        << "\n slow: " << b.substr(at > 80 ? at - 80 : 0, 200);
  }
}

}  // namespace
}  // namespace kiriwake::ingest
