#include "diagnose/diagnose.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace kiriwake::diagnose {
namespace {

namespace fs = std::filesystem;

const std::string kSeed = std::string(KW_SOURCE_DIR) + "/examples/seed-incident";

std::vector<std::string> GroupIds(const DiagnoseResult& r) {
  std::vector<std::string> ids;
  for (auto c : r.localization->suspects.front().components) {
    ids.push_back(r.topology->component(c).id);
  }
  return ids;
}

TEST(Diagnose, SeedIncidentEndsInTheDacCableWithOnlyItsPorts) {
  DiagnoseOptions o;
  o.inputs = {kSeed};
  auto r = Diagnose(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->topology.has_value());
  ASSERT_TRUE(r->localization.has_value());
  ASSERT_TRUE(r->localization->culprit_named());
  auto ids = GroupIds(*r);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), "dac-esxi2-allied");
  std::sort(ids.begin() + 1, ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"dac-esxi2-allied", "allied:2", "esxi2:vmnic2"}));
  EXPECT_EQ(r->localization->suspects.size(), 1u) << "nothing else may be blamed";
  EXPECT_TRUE(r->problem_found());
  EXPECT_FALSE(r->any_input_failed());
  // The post's ping has no known sender: shown, not used; ceph1's named pings are measurements.
  // Ceph corroborates, measurements decide.
  ASSERT_EQ(r->pings.size(), 3u);
  for (const auto& p : r->pings) {
    bool named = p.file.find("/ceph1-ping-") != std::string::npos;
    EXPECT_EQ(p.used, named) << p.file << ": " << p.not_used_why;
    if (named) {
      EXPECT_EQ(p.src, "ceph1");
    }
  }
  ASSERT_TRUE(r->ceph.has_value());
  EXPECT_TRUE(r->ceph_as_corroboration());
  // Every log on one clock, told as one chain: the cable is the root cause, the DIMM coincident.
  ASSERT_TRUE(r->story.has_value());
  ASSERT_TRUE(r->story->root_cause.has_value());
  EXPECT_EQ(r->story->root_cause->target, "dac-esxi2-allied");
  EXPECT_EQ(r->story->root_cause->host, "esxi2");
  bool dimm = false;
  for (const auto& c : r->story->coincident) dimm = dimm || c.tag == "dimm_failure";
  EXPECT_TRUE(dimm) << "the DIMM on esxi2 must be named coincident";
  for (const auto& in : r->inputs) {
    EXPECT_NE(in.kind, InputKind::kUnrecognised) << in.path;
  }
}

class DiagnoseDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / fmt::format("kw-diag-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "esxi1");
    fs::copy_file(kSeed + "/topology.yaml", dir_ / "topology.yaml");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel) << text;
  }
  fs::path dir_;
};

constexpr const char* kLossyPing =
    "PING 192.168.100.102 (192.168.100.102) 56(84) bytes of data.\n"
    "64 bytes from 192.168.100.102: icmp_seq=1 ttl=64 time=0.412 ms\n"
    "64 bytes from 192.168.100.102: icmp_seq=3 ttl=64 time=0.398 ms\n"
    "64 bytes from 192.168.100.102: icmp_seq=4 ttl=64 time=0.405 ms\n"
    "\n--- 192.168.100.102 ping statistics ---\n"
    "4 packets transmitted, 3 received, 25% packet loss, time 3004ms\n"
    "rtt min/avg/max/mdev = 0.398/0.405/0.412/0.005 ms\n";

TEST_F(DiagnoseDir, PingInAFolderNamedAfterItsSenderBecomesAPathObservation) {
  Write("esxi1/ping-esxi2.txt", kLossyPing);
  DiagnoseOptions o;
  o.inputs = {dir_.string()};
  auto r = Diagnose(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->pings.size(), 1u);
  EXPECT_TRUE(r->pings[0].used) << r->pings[0].not_used_why;
  EXPECT_EQ(r->pings[0].src, "esxi1");
  ASSERT_EQ(r->observations.size(), 1u);
  EXPECT_EQ(r->observations[0].sent, 4u);
  EXPECT_EQ(r->observations[0].lost, 1u);
  EXPECT_EQ(r->topology->networks()[r->observations[0].network].name, "service");
  ASSERT_TRUE(r->localization.has_value());
  EXPECT_EQ(r->localization->paths, 1);  // 1 of 4 is not yet significant against background loss
}

TEST_F(DiagnoseDir, SrcFlagNamesTheSenderOfLoosePingFiles) {
  Write("ping.txt", kLossyPing);
  DiagnoseOptions o;
  o.inputs = {dir_.string()};
  o.src = "esxi3";
  auto r = Diagnose(o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pings.size(), 1u);
  EXPECT_TRUE(r->pings[0].used);
  EXPECT_EQ(r->pings[0].src, "esxi3");
}

TEST_F(DiagnoseDir, UnrecognisedInputIsReportedAndTheRestStillAnalysed) {
  Write("esxi1/ping-esxi2.txt", kLossyPing);
  Write("notes.log", "this is not anything kiriwake reads\nat all\n");
  DiagnoseOptions o;
  o.inputs = {dir_.string()};
  auto r = Diagnose(o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->any_input_failed());
  bool found = false;
  for (const auto& in : r->inputs) {
    if (in.path.ends_with("notes.log")) {
      found = true;
      EXPECT_EQ(in.kind, InputKind::kUnrecognised);
      EXPECT_EQ(in.status.code(), StatusCode::kUnrecognized);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(r->observations.size(), 1u);
}

TEST_F(DiagnoseDir, AnUnrecognisedInputStaysOutOfTheStory) {
  // Its second line reads like a symptom, but the file is not a log kiriwake knows: its lines
  // have no time, and merged they became the "first symptom" at 1970.
  fs::copy_file(kSeed + "/observations.jsonl", dir_ / "observations.jsonl");
  Write("notes.txt",
        "my notes\n"
        "k8s1: kernel: libceph: osd3 192.168.100.114:6802 socket closed (con state OPEN)\n");
  DiagnoseOptions o;
  o.inputs = {dir_.string()};
  auto r = Diagnose(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  bool listed = false;
  for (const auto& in : r->inputs) {
    if (in.path.ends_with("notes.txt")) {
      listed = true;
      EXPECT_EQ(in.kind, InputKind::kUnrecognised);
    }
  }
  EXPECT_TRUE(listed);
  for (const auto& e : r->events) EXPECT_EQ(e.loc.file.find("notes.txt"), std::string::npos);
  if (r->story && r->story->first_symptom) {
    EXPECT_EQ(r->story->first_symptom->loc.file.find("notes.txt"), std::string::npos)
        << r->story->first_symptom->text;
    EXPECT_GT(r->story->first_symptom->time, timeline::TimePoint{});
  }
  EXPECT_EQ(r->timeline_events, 0u);
}

TEST_F(DiagnoseDir, ALogsOwnWarningsAreReportedToo) {
  // A syslog cut mid-line: only the timeline reads it, so only its warning says so.
  Write("k8s1-syslog",
        "Mar 15 10:58:39 k8s1 kernel: libceph: osd3 192.168.100.114:6802 socket closed (con state "
        "OPEN)\n"
        "Mar 15 10:58:40 k8s1 kernel: libceph: osd3 192.168.100.114:6802 soc");
  DiagnoseOptions o;
  o.inputs = {dir_.string()};
  o.tz = "Asia/Tokyo";
  auto r = Diagnose(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  bool warned = false;
  for (const Diagnostic& w : r->warnings) {
    warned |= w.loc.file.ends_with("k8s1-syslog") && w.loc.line == 2;
  }
  EXPECT_TRUE(warned) << "the cut last line is warned about with its file and line";
}

TEST(Diagnose, WithoutATopologyCephStillNamesTheOsd) {
  DiagnoseOptions o;
  o.inputs = {kSeed + "/ceph.log"};
  auto r = Diagnose(o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->topology.has_value());
  EXPECT_FALSE(r->localization.has_value());
  ASSERT_TRUE(r->ceph.has_value());
  ASSERT_FALSE(r->ceph->ranking.empty());
  EXPECT_EQ(r->ceph->ranking.front().osd, 3);
  EXPECT_TRUE(r->problem_found());
}

TEST(Diagnose, BadTopologyFlagIsAnError) {
  DiagnoseOptions o;
  o.inputs = {kSeed + "/ceph.log"};
  o.topology_path = "/nonexistent/topology.yaml";
  auto r = Diagnose(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kiriwake::diagnose
