// `kiriwake ping-log` as a user runs it: exit status, stdout and stderr checked separately.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "cli_runner.h"

namespace kiriwake {
namespace {

using ::testing::HasSubstr;

std::string Data(const std::string& name) { return std::string(KW_TEST_DATA) + "/ping/" + name; }
std::string Seed() { return std::string(KW_SOURCE_DIR) + "/examples/seed-incident/ping-ceph4.txt"; }

TEST(PingLogCmd, LossyRunExitsOneWithStripOnStdout) {
  auto r = RunKiriwake("ping-log --color never " + Seed());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("192.168.100.114  degraded  4 of 73 lost (5.48%), 3 bursts"));
  EXPECT_THAT(r.out,
              HasSubstr("seq 1-4 ok · 5-6 LOST · 7-40 ok · 41 LOST · 42-72 ok · 73 LOST (tail)"));
  EXPECT_THAT(r.out, HasSubstr("max 248"));
  EXPECT_EQ(r.out.find("\033["), std::string::npos);  // never colour when not asked / not a tty
  // The rounding-bug note is a diagnostic: stderr, with file:line.
  EXPECT_THAT(r.err, HasSubstr("kiriwake: warning: "));
  EXPECT_THAT(r.err, HasSubstr("ping-ceph4.txt:1: 1 RTT(s)"));
  EXPECT_EQ(r.out.find("warning"), std::string::npos);
}

TEST(PingLogCmd, HealthyRunExitsZero) {
  auto r = RunKiriwake("ping-log " + Data("fping_D_two_targets.txt"));
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("10.77.1.2  healthy"));
  EXPECT_EQ(r.err, "");
}

TEST(PingLogCmd, NotRecognisedIsExitTwoWithFileAndWhatWasSeen) {
  auto r = RunKiriwake("ping-log " + Data("not_ping.txt"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(
      r.err,
      HasSubstr("kiriwake: " + Data("not_ping.txt") +
                ": not recognised as ping output (saw line 1: \"Hello, this is a README.\""));
}

TEST(PingLogCmd, ErrorWinsButOtherFilesAreStillReported) {
  auto r = RunKiriwake("ping-log " + Data("not_ping.txt") + " " + Seed() + " /nonexistent/x.txt");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.out, HasSubstr("192.168.100.114  degraded"));
  EXPECT_THAT(r.err, HasSubstr("not recognised as ping output"));
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/x.txt"));
}

TEST(PingLogCmd, StdinIsReadWithDash) {
  auto r = RunKiriwake("ping-log -", Data("fping_c.txt"));
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("idx 0 ok · 1 LOST · 2-18 ok · 19 LOST"));
}

TEST(PingLogCmd, JsonFollowsTheContract) {
  auto r = RunKiriwake("ping-log --json " + Seed() + " " + Data("not_ping.txt"));
  EXPECT_EQ(r.status, 2);
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["schema"], 1);
  ASSERT_EQ(doc["sessions"].size(), 1u);
  const auto& s = doc["sessions"][0];
  EXPECT_EQ(s["format"], "iputils");
  EXPECT_EQ(s["source"], Seed() + ":1");
  EXPECT_EQ(s["target"]["address"], "192.168.100.114");
  EXPECT_EQ(s["transmitted"], 73);
  EXPECT_EQ(s["received"], 69);
  EXPECT_EQ(s["lost"], nlohmann::json({5, 6, 41, 73}));
  EXPECT_EQ(s["lost_count"], 4);
  EXPECT_TRUE(s["duplicates"].is_array());
  EXPECT_NEAR(s["loss_ratio"].get<double>(), 4.0 / 73.0, 1e-12);
  EXPECT_EQ(s["bursts"][0]["first"], 5);
  EXPECT_EQ(s["bursts"][0]["length"], 2);
  EXPECT_EQ(s["bursts"][2]["tail"], true);
  for (const char* k : {"min", "median", "p95", "p99", "max", "mdev"}) {
    EXPECT_TRUE(s["rtt_ms"][k].is_number()) << k;
  }
  EXPECT_EQ(s["outliers"][0]["id"], 1);
  EXPECT_EQ(s["verdict"], "degraded");
  EXPECT_TRUE(s["warnings"].is_array());
  ASSERT_EQ(doc["errors"].size(), 1u);
  EXPECT_THAT(doc["errors"][0]["message"].get<std::string>(), HasSubstr("not recognised"));
}

TEST(PingLogCmd, CompressedInputIsRead) {
  std::string gz = "/tmp/kwp_cli_" + std::to_string(::getpid()) + ".txt.gz";
  ASSERT_EQ(std::system(("gzip -c " + Seed() + " > " + gz).c_str()), 0);
  auto r = RunKiriwake("ping-log " + gz);
  std::remove(gz.c_str());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("4 of 73 lost"));
}

TEST(PingLogCmd, JsonWithColorAlwaysIsAUsageError) {
  auto r = RunKiriwake("ping-log --json --color always " + Seed());
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("--json"));
}

TEST(PingLogCmd, BadColorValueIsAUsageError) {
  auto r = RunKiriwake("ping-log --color sometimes " + Seed());
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
}

TEST(PingLogCmd, ColorAlwaysColoursButKeepsTheWord) {
  auto r = RunKiriwake("ping-log --color always " + Seed());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("\033[1;31mLOST\033[0m"));
}

TEST(PingLogCmd, ReadmeUsageMatchesHelp) {
  auto r = RunKiriwake("ping-log --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  std::string readme = SlurpFile(std::string(KW_SOURCE_DIR) + "/README.md");
  size_t sec = readme.find("### kiriwake ping-log");
  ASSERT_NE(sec, std::string::npos);
  size_t open = readme.find("```text\n", sec);
  ASSERT_NE(open, std::string::npos);
  open += 8;
  size_t close = readme.find("```", open);
  ASSERT_NE(close, std::string::npos);
  EXPECT_EQ(readme.substr(open, close - open), r.out);
}

// A 3000-probe iputils log, gzipped and cut in half: what decodes is reported, and exit 2.
TEST(PingLogCmd, TruncatedGzipReportsWhatWasDecodedAndTheError) {
  std::string base = "/tmp/kwp_cut_" + std::to_string(::getpid());
  {
    std::ofstream f(base + ".txt");
    f << "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n";
    for (int i = 1; i <= 3000; ++i) {
      f << "64 bytes from 10.0.0.2: icmp_seq=" << i << " ttl=64 time=0." << (i % 7 + 1)
        << "23 ms\n";
    }
    f << "\n--- 10.0.0.2 ping statistics ---\n"
         "3000 packets transmitted, 3000 received, 0% packet loss, time 2999000ms\n";
  }
  std::string cmd = "gzip -c " + base + ".txt > " + base + ".gz && head -c $(( $(stat -c %s " +
                    base + ".gz) / 2 )) " + base + ".gz > " + base + ".cut.txt.gz";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto r = RunKiriwake("ping-log --json " + base + ".cut.txt.gz");
  std::remove((base + ".txt").c_str());
  std::remove((base + ".gz").c_str());
  std::remove((base + ".cut.txt.gz").c_str());
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("gzip data ends before the end of its stream"));
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["sessions"].size(), 1u) << r.out;
  EXPECT_GT(doc["sessions"][0]["received"].get<int>(), 500) << r.out;
  ASSERT_EQ(doc["errors"].size(), 1u);
}

TEST(PingLogCmd, CutMtrJsonSaysWhyInsteadOfBlankLines) {
  std::string cut = "/tmp/kwp_cutjson_" + std::to_string(::getpid()) + ".json";
  ASSERT_EQ(std::system(("head -c 300 " + Data("mtr.json") + " > " + cut).c_str()), 0);
  auto r = RunKiriwake("ping-log " + cut);
  std::remove(cut.c_str());
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr(":1: mtr --json document starting at line 1 never ends"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("blank lines")));
}

TEST(PingLogCmd, CephJsonIsNotMtrWithItsLine) {
  auto r =
      RunKiriwake("ping-log " + std::string(KW_TEST_DATA) + "/ceph/real-lossy/health-detail.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("health-detail.json:2: JSON document is not mtr --json output"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("blank lines")));
}

TEST(PingLogCmd, FpingNanRttIsWarnedNotCountedAsReceived) {
  std::string f = "/tmp/kwp_fnan_" + std::to_string(::getpid()) + ".txt";
  {
    std::ofstream o(f);
    o << "10.77.1.2 : 0.05 nan -5 inf 0.06\n";
  }
  auto r = RunKiriwake("ping-log --json " + f);
  std::remove(f.c_str());
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["sessions"][0]["received"], 2) << r.out;
  EXPECT_EQ(doc["sessions"][0]["rtt_ms"]["min"], 0.05) << r.out;
  EXPECT_THAT(r.err, HasSubstr(f + ":1: probe 1: \"nan\" is not an RTT"));
}

TEST(PingLogCmd, EscapeSequencesInTheLogNeverReachTheTerminal) {
  std::string path = "/tmp/kw_ping_esc_" + std::to_string(::getpid()) + ".txt";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "PING evil\x1b]0;owned\x07 (10.0.0.1) 56(84) bytes of data.\n"
        "64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.512 ms\n"
        "64 bytes from 10.0.0.1: icmp_seq=3 ttl=64 time=0.498 ms\n"
        "\n"
        "--- evil\x1b]0;owned\x07 ping statistics ---\n"
        "3 packets transmitted, 2 received, 33.3333% packet loss, time 2003ms\n"
        "rtt min/avg/max/mdev = 0.498/0.505/0.512/0.007 ms\n",
        f);
    std::fclose(f);
  }
  auto r = RunKiriwake("ping-log --color never " + path);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_THAT(r.out, HasSubstr("evil\\x1b]0;owned\\x07 (10.0.0.1)  "));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kiriwake
