// CLI tests for `kiriwake ceph`: exit status, stdout and stderr checked separately.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace kiriwake {
namespace {

std::string Example() { return std::string(KW_SOURCE_DIR) + "/examples/seed-incident/ceph.log"; }
std::string Data(const std::string& f) { return std::string(KW_TEST_DATA) + "/ceph/" + f; }

TEST(CephCmd, SeedIncidentNamesOsd3AndExitsOne) {
  CliRun r = RunKiriwake("ceph " + Example());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("suspect  osd.3 (192.168.100.114), back interface: in 11/11 slow pairs, "
                       "1/1 failure reports, 1/1 slow-op owners; no slow pair without it"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(CephCmd, JsonIsOneDocumentWithTheSuspect) {
  CliRun r = RunKiriwake("ceph --json " + Example());
  EXPECT_EQ(r.status, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], 1);
  EXPECT_EQ(j["verdict"], "problem");
  EXPECT_EQ(j["suspect"]["osd"], 3);
  EXPECT_EQ(j["suspect"]["address"], "192.168.100.114");
  EXPECT_EQ(j["suspect"]["interface"], "back");
  EXPECT_EQ(j["suspect"]["slow_pairs"]["with"], 11);
  EXPECT_TRUE(j["suspect"]["host"].is_null());
  EXPECT_EQ(j["inputs"][0]["kind"], "log");
}

TEST(CephCmd, HealthyInputExitsZero) {
  std::string path = "/tmp/kw_ceph_healthy_" + std::to_string(::getpid()) + ".txt";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("HEALTH_OK\n", f);
  std::fclose(f);
  CliRun r = RunKiriwake("ceph " + path);
  std::remove(path.c_str());
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("healthy"), std::string::npos);
}

TEST(CephCmd, StdinDashIsRead) {
  CliRun r = RunKiriwake("ceph -", Example());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("osd.3"), std::string::npos);
}

TEST(CephCmd, MissingFileIsAnErrorButOthersAreStillReported) {
  CliRun r = RunKiriwake("ceph /nonexistent/kw.log " + Example());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("kiriwake: /nonexistent/kw.log"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("suspect  osd.3"), std::string::npos);
}

TEST(CephCmd, UnknownLinesAreWarnedWithFileAndLine) {
  std::string path = "/tmp/kw_ceph_mixed_" + std::to_string(::getpid()) + ".log";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("2026-11-24T23:24:51.664804+0000 mon.a (mon.0) 152 : cluster [DBG] osd.2 reported "
             "failed by osd.1\nthis is not ceph\n", f);
  std::fclose(f);
  CliRun r = RunKiriwake("ceph " + path);
  std::remove(path.c_str());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("kiriwake: warning: " + path + ":2: not a Ceph log or health line"),
            std::string::npos)
      << r.err;
}

TEST(CephCmd, PlainOsdTreeIsUnrecognisedExitTwo) {
  CliRun r = RunKiriwake("ceph " + Data("osd-tree.txt"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("-f json"), std::string::npos);
}

TEST(CephCmd, ObservationsAreJsonLinesPerPair) {
  std::string path = "/tmp/kw_ceph_obs_" + std::to_string(::getpid()) + ".jsonl";
  CliRun r = RunKiriwake("ceph --observations " + path + " " + Data("health-detail-expB-down.json") +
                         " " + Data("osd-dump-expB-down.json"));
  EXPECT_EQ(r.status, 1);
  std::string text = SlurpFile(path);
  std::remove(path.c_str());
  int lines = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    auto j = nlohmann::json::parse(text.substr(start, nl - start));
    EXPECT_TRUE(j["network"] == "cluster" || j["network"] == "public");
    EXPECT_EQ(j["dst"], j["network"] == "cluster" ? "127.0.2.3" : "127.0.1.3");
    EXPECT_EQ(j["sent"], 1);
    EXPECT_EQ(j["lost"], 1);
    ++lines;
    start = nl + 1;
  }
  EXPECT_EQ(lines, 4);
}

TEST(CephCmd, GzipAndXzInputsAreDecompressed) {
  std::string base = "/tmp/kw_ceph_z_" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("gzip -c " + Example() + " >" + base + ".log.gz").c_str()), 0);
  ASSERT_EQ(std::system(("xz -c " + Data("real-lossy/health-detail.json") + " >" + base +
                         ".json.xz").c_str()),
            0);
  CliRun a = RunKiriwake("ceph " + base + ".log.gz");
  CliRun b = RunKiriwake("ceph --json " + base + ".json.xz");
  std::remove((base + ".log.gz").c_str());
  std::remove((base + ".json.xz").c_str());
  EXPECT_EQ(a.status, 1);
  EXPECT_NE(a.out.find("suspect  osd.3"), std::string::npos);
  EXPECT_EQ(b.status, 1);
  EXPECT_EQ(nlohmann::json::parse(b.out)["suspect"]["osd"], 2);
}

TEST(CephCmd, CutAndGarbledLinesInARealLogAreWarnedAndSkipped) {
  // The real lossy-cluster ceph.log with a line cut in half and a binary-ish line inserted.
  std::string path = "/tmp/kw_ceph_cut_" + std::to_string(::getpid()) + ".log";
  std::string text = SlurpFile(Data("real-lossy/ceph.log"));
  size_t nl = text.find('\n', text.size() / 2);
  text.insert(nl + 1, "2026-11-26T20:43:00.000+0000 mon.a (mon.0) 9\n\x01\x02 zz\n");
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  CliRun r = RunKiriwake("ceph --json " + path);
  std::remove(path.c_str());
  EXPECT_EQ(r.status, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["suspect"]["osd"], 2);
  EXPECT_EQ(j["inputs"][0]["unknown_lines"], 2);
  EXPECT_NE(r.err.find("kiriwake: warning: " + path + ":"), std::string::npos);
}

TEST(CephCmd, DamagedLinesAreCountedInTheInputsList) {
  // A failure report whose OSD id overflows: warned, and counted where --json lists the input.
  std::string path = "/tmp/kw_ceph_damaged_" + std::to_string(::getpid()) + ".log";
  std::string text = SlurpFile(Example());
  text +=
      "2020-03-15T10:59:40.000000+0000 mon.eins (mon.0) 999 : cluster [DBG] osd.99999999999 "
      "reported failed by osd.2\n";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  CliRun r = RunKiriwake("ceph --json " + path);
  CliRun t = RunKiriwake("ceph " + path);
  std::remove(path.c_str());
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["inputs"][0]["malformed_lines"], 1) << r.err;
  EXPECT_NE(t.out.find(", 1 damaged (warned)"), std::string::npos) << t.out;
}

TEST(CephCmd, JsonThatDoesNotParseIsAnErrorNamingLineAndColumnListedAsJson) {
  std::string path = "/tmp/kw_ceph_badjson_" + std::to_string(::getpid()) + ".json";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{\n  \"checks\": {,\n}\n", f);
  std::fclose(f);
  CliRun r = RunKiriwake("ceph --json " + path);
  CliRun t = RunKiriwake("ceph " + path);
  std::remove(path.c_str());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(path + ":2:14: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid JSON"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["inputs"][0]["kind"], "json");
  EXPECT_EQ(j["inputs"][0]["error"], true);
  EXPECT_EQ(t.status, 2);
  EXPECT_NE(t.out.find(path + "  json (error)"), std::string::npos) << t.out;
}

TEST(CephCmd, NoFilesIsAUsageError) {
  CliRun r = RunKiriwake("ceph");
  EXPECT_EQ(r.status, 2);
}

TEST(CephCmd, HelpListsExitStatus) {
  CliRun r = RunKiriwake("ceph --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Exit status: 0 healthy"), std::string::npos);
}

TEST(CephCmd, TextWithABlankLineOrAnEmptyFileIsExitTwo) {
  std::string base = "/tmp/kwc_blank_" + std::to_string(::getpid());
  ASSERT_EQ(
      std::system(
          ("printf 'hello\\n\\nworld\\n' > " + base + ".txt && : > " + base + ".empty").c_str()),
      0);
  CliRun blank = RunKiriwake("ceph " + base + ".txt");
  CliRun empty = RunKiriwake("ceph " + base + ".empty");
  CliRun ping = RunKiriwake("ceph " + std::string(KW_TEST_DATA) + "/ping/busybox.txt");
  std::remove((base + ".txt").c_str());
  std::remove((base + ".empty").c_str());
  EXPECT_EQ(blank.status, 2) << blank.out << blank.err;
  EXPECT_EQ(empty.status, 2) << empty.out << empty.err;
  EXPECT_NE(empty.err.find(base + ".empty"), std::string::npos) << empty.err;
  EXPECT_NE(empty.err.find("empty input"), std::string::npos) << empty.err;
  EXPECT_EQ(ping.status, 2) << ping.out << ping.err;
}

TEST(CephCmd, TruncatedGzipLogKeepsTheEventsReadAndExitsTwo) {
  std::string base = "/tmp/kwc_cut_" + std::to_string(::getpid());
  std::string cmd = "for i in $(seq 1 300); do cat " + Example() + "; done | gzip -c > " + base +
                    ".gz && head -c $(( $(stat -c %s " + base + ".gz) / 2 )) " + base + ".gz > " +
                    base + ".cut.log.gz";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  CliRun r = RunKiriwake("ceph --json " + base + ".cut.log.gz");
  std::remove((base + ".gz").c_str());
  std::remove((base + ".cut.log.gz").c_str());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("gzip data ends before the end of its stream"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["suspect"]["osd"], 3) << r.out;
}

}  // namespace
}  // namespace kiriwake
