// CLI tests for `kiriwake timeline`: exit status, stdout and stderr separately.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cli_runner.h"

namespace kiriwake {
namespace {

const std::string kSeed = std::string(KW_SOURCE_DIR) + "/examples/seed-incident/timeline";

TEST(TimelineCmd, StoryOnTheSeedNamesTheCauseAndExitsOne) {
  CliRun r = RunKiriwake("timeline --story " + kSeed);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("Root cause: network loss toward 192.168.100.114"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the esxi2 service path"), std::string::npos);
  EXPECT_NE(r.out.find("- dimm_failure on esxi2"), std::string::npos);
  EXPECT_NE(r.out.find("swap turned off on k8s1, k8s2, k8s3"), std::string::npos);
  EXPECT_NE(r.out.find("Time to detect: 9 h 23 min"), std::string::npos);
  EXPECT_NE(r.out.find("ceph2 is +94.9 s from ceph1 (SKEWED"), std::string::npos);
}

TEST(TimelineCmd, JsonIsOneDocumentWithEventsSourcesAndStory) {
  CliRun r = RunKiriwake("timeline --json --story " + kSeed);
  EXPECT_EQ(r.status, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], 1);
  EXPECT_TRUE(j["events"].is_array());
  EXPECT_EQ(j["sources"].size(), 15u);
  EXPECT_EQ(j["story"]["root_cause"]["target"], "192.168.100.114");
  EXPECT_EQ(j["story"]["root_cause"]["probes_lost"], 4);
  EXPECT_GT(j["events_total"].get<int>(), 200);
}

TEST(TimelineCmd, EventListIsTimeOrderedAcrossFiles) {
  CliRun r = RunKiriwake("timeline --json " + kSeed);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_GT(j["events"].size(), 200u);
  std::string prev;
  for (const auto& e : j["events"]) {
    std::string t = e["time"];
    // Same-width UTC stamps compare as text; uncertain raw lines keep their file's order.
    if (!e["time_uncertain"].get<bool>() && !prev.empty()) {
      EXPECT_LE(prev.substr(0, 19), t.substr(0, 19));
    }
    if (!e["time_uncertain"].get<bool>()) prev = t;
  }
}

TEST(TimelineCmd, HealthyLogsExitZero) {
  std::string path = "/tmp/kw_timeline_ok_" + std::to_string(::getpid()) + ".log";
  std::ofstream(path) << "Mar 15 01:00:00 h a: all fine\n";
  CliRun r = RunKiriwake("timeline --tz UTC " + path);
  EXPECT_EQ(r.status, 0) << r.err;
  // No other file has a date: the year comes from the file's mtime, and the output says so.
  EXPECT_NE(r.out.find("-03-15T01:00:00.000Z~"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the file's modification year"), std::string::npos) << r.out;
  std::remove(path.c_str());
}

TEST(TimelineCmd, PerFileZoneOverridesGlobal) {
  std::string path = "/tmp/kw_timeline_tz_" + std::to_string(::getpid()) + ".log";
  std::ofstream(path) << "2020-03-15 10:59:36.012123 mon.a (mon.0) 1 : cluster [INF] ok\n";
  CliRun r = RunKiriwake("timeline --tz UTC --tz " + path + "=Asia/Tokyo " + path + " " + path);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("2020-03-15T01:59:36.012123Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 event(s) from 2 file(s)"), std::string::npos) << r.out;
  std::remove(path.c_str());
}

TEST(TimelineCmd, MissingFileIsAnErrorButOthersAreStillShown) {
  CliRun r = RunKiriwake("timeline /nonexistent/kw.log " + kSeed + "/k8s1-syslog");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/nonexistent/kw.log"), std::string::npos);
  EXPECT_NE(r.out.find("libceph"), std::string::npos);
}

TEST(TimelineCmd, UnrecognisedFileIsAnErrorButItsLinesAreKept) {
  CliRun r = RunKiriwake("timeline " + std::string(KW_SOURCE_DIR) + "/README.md");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("README.md:1: not a log format"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("raw"), std::string::npos);
}

TEST(TimelineCmd, BadZoneAndBadTimeAreUsageErrors) {
  EXPECT_EQ(RunKiriwake("timeline --tz Nowhere/Zone " + kSeed).status, 2);
  CliRun r = RunKiriwake("timeline --since tomorrow " + kSeed);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("expected a time"), std::string::npos);
}

// A log line (and a file name) carrying terminal escapes: the output shows them as "\x1b", and
// no ESC byte reaches the terminal, on stdout or stderr.
TEST(TimelineCmd, EscapeSequencesInLogLinesNeverReachTheTerminal) {
  std::string path = "/tmp/kw_timeline_esc_" + std::to_string(::getpid()) + "\x1b[2J.log";
  std::ofstream(path) << "Mar 15 01:00:00 h\x1b[31m a: retitle \x1b]0;owned\x07 clear \x1b[2J\r"
                         "done \u009b2J\n";
  CliRun r = RunKiriwake("timeline --tz UTC '" + path + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("\u009b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("retitle \\x1b]0;owned\\x07 clear \\x1b[2J\\x0ddone \\xc2\\x9b2J  (/tmp/"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\\x1b[2J.log:1)\n"), std::string::npos) << r.out;
  std::remove(path.c_str());

  // Not a log format: the error quoting its first line goes to stderr, escaped too.
  path = "/tmp/kw_timeline_esc_" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << "\x1b]0;owned\x07\x1b[2J hello\n";
  r = RunKiriwake("timeline --tz UTC " + path);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kiriwake: "), std::string::npos) << r.err;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kiriwake
