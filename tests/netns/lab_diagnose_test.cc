// The whole incident replayed with real packets (issue 7): `kiriwake lab up` builds the seed's
// home lab as namespaces, an agent runs in every host and VM namespace probing every peer on every
// network, a fault is injected with nftables, and `kiriwake diagnose` reads the agents' history
// databases and must name the component: the esxi2-allied DAC cable (with only its two ports
// beside it), then the allied switch, then the esxi2 X520 card (both its ports), then two cables
// at once. Bounded: each scenario probes for a few seconds; everything is torn down on failure.
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include "../promql/child_process.h"
#include "util/subprocess.h"

namespace kiriwake {
namespace {

namespace fs = std::filesystem;
// One lab per test process ("kwe<pid>"): two runs at once (a developer's and a helper's, as
// happened) would otherwise tear down each other's namespaces mid-scenario.
const std::string kPrefix = fmt::format("kwe{}", ::getpid());
const char* kEndpoints[] = {"esxi1", "esxi2", "esxi3", "ceph1", "ceph2", "ceph3", "ceph4"};

std::string Kw(const std::vector<std::string>& args, int* code = nullptr) {
  std::vector<std::string> argv = {KIRIWAKE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessResult r;
  Status s = RunSubprocess(argv, "", &r);
  if (code) *code = s.ok() ? r.exit_code : -1;
  return r.out + r.err;
}

class LabDiagnose : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    SubprocessResult r;
    if (!RunSubprocess({"sh", "-c", "command -v nft"}, "", &r).ok() || r.exit_code != 0) {
      GTEST_SKIP() << "needs nftables (nft)";
    }
    RemoveLabsOfDeadRuns();
    dir_ = fs::path(::testing::TempDir()) / fmt::format("kw-labdiag-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "logs");
    int code = -1;
    std::string out = Kw({"lab", "up", std::string(KW_SOURCE_DIR) + "/examples/seed-incident/topology.yaml",
                          "--prefix", kPrefix, "--write-topology", (dir_ / "lab.yaml").string()},
                         &code);
    ASSERT_EQ(code, 0) << out;
    for (const char* e : kEndpoints) {
      agents_.push_back(std::make_unique<kiriwake::testing::ChildProcess>(
          std::vector<std::string>{"ip", "netns", "exec", fmt::format("{}-{}", kPrefix, e),
                                   KIRIWAKE_BIN, "agent", "--topology", (dir_ / "lab.yaml").string(),
                                   "--self", e, "--db", (dir_ / fmt::format("{}.db", e)).string(),
                                   "--interval-ms", "20", "--aggregate-seconds", "1"},
          (dir_ / "logs" / fmt::format("{}.log", e)).string()));
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
    for (auto& a : agents_) ASSERT_TRUE(a->running()) << "an agent died at start";
  }
  // A run killed before its TearDown leaves its lab up; its process is gone, so take it down.
  static void RemoveLabsOfDeadRuns() {
    std::error_code ec;
    for (const auto& f : fs::directory_iterator("/run/kiriwake", ec)) {
      std::string name = f.path().filename().string();  // lab-kwe<pid>.json
      if (name.rfind("lab-kwe", 0) != 0 || f.path().extension() != ".json") continue;
      std::string prefix = f.path().stem().string().substr(4);
      std::string digits = prefix.substr(3);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
      pid_t pid = static_cast<pid_t>(std::stol(digits));
      if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
        Kw({"lab", "down", "--prefix", prefix});
      }
    }
  }
  void TearDown() override {
    agents_.clear();  // SIGTERM, then SIGKILL
    if (::geteuid() == 0) Kw({"lab", "down", "--prefix", kPrefix});
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Injects the faults, lets the agents probe, and returns diagnose's JSON verdict.
  nlohmann::json Diagnose(const std::vector<std::string>& components) {
    Kw({"lab", "clear", "--prefix", kPrefix});
    for (const auto& c : components) {
      int code = -1;
      std::string out = Kw({"lab", "fault", c, "--loss", "10%", "--prefix", kPrefix}, &code);
      EXPECT_EQ(code, 0) << out;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the first window straddles the change
    std::this_thread::sleep_for(std::chrono::seconds(kProbeSeconds));
    std::vector<std::string> args = {"diagnose", "--json", "--topology",
                                     (dir_ / "lab.yaml").string(), "--last",
                                     std::to_string(kProbeSeconds - 1)};
    for (const char* e : kEndpoints) args.push_back((dir_ / fmt::format("{}.db", e)).string());
    int code = -1;
    std::vector<std::string> argv = {KIRIWAKE_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessResult r;
    EXPECT_TRUE(RunSubprocess(argv, "", &r).ok());
    code = r.exit_code;
    EXPECT_EQ(code, 1) << r.err;
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << r.out.substr(0, 400) << r.err;
    return doc;
  }

  static std::vector<std::set<std::string>> Groups(const nlohmann::json& doc) {
    std::vector<std::set<std::string>> out;
    if (!doc.contains("localize") || doc["localize"].is_null()) return out;
    for (const auto& s : doc["localize"]["suspects"]) {
      if (s["probability"].get<double>() < 0.5) continue;
      std::set<std::string> g;
      for (const auto& c : s["components"]) g.insert(c.get<std::string>());
      out.push_back(g);
    }
    return out;
  }

  static constexpr int kProbeSeconds = 8;
  fs::path dir_;
  std::vector<std::unique_ptr<kiriwake::testing::ChildProcess>> agents_;
};

TEST_F(LabDiagnose, EveryFaultIsNamedFromTheAgentsHistory) {
  {
    SCOPED_TRACE("cable dac-esxi2-allied");
    auto doc = Diagnose({"dac-esxi2-allied"});
    EXPECT_EQ(doc["verdict"]["culprit"], "dac-esxi2-allied") << doc["verdict"].dump();
    auto g = Groups(doc);
    ASSERT_EQ(g.size(), 1u);
    EXPECT_EQ(g[0], (std::set<std::string>{"dac-esxi2-allied", "esxi2:vmnic2", "allied:2"}));
  }
  {
    SCOPED_TRACE("switch allied");
    auto doc = Diagnose({"allied"});
    auto g = Groups(doc);
    ASSERT_FALSE(g.empty()) << doc["verdict"].dump();
    EXPECT_TRUE(g[0].count("allied")) << doc["localize"]["suspects"].dump();
    EXPECT_EQ(g.size(), 1u) << doc["localize"]["suspects"].dump();
  }
  {
    SCOPED_TRACE("card esxi2/x520");
    auto doc = Diagnose({"esxi2/x520"});
    auto g = Groups(doc);
    // A card losing 10% on both its ports, or its two cables losing ~10% each: only how alike
    // the two measured rates are tells these apart, a statistical call that names the two
    // cables when the rates differ by more than ~2.3 sigma by chance (about 1 run in 20, see
    // docs/performance.md). That one misreading, and no other, gets a second, independent
    // measurement, which must name the card.
    const std::set<std::string> kCardsCables = {"dac-esxi2-allied", "dac-esxi2-mikrotik"};
    auto is_cables_instead = [&](const std::vector<std::set<std::string>>& groups) {
      std::set<std::string> cables;
      for (const auto& grp : groups) {
        for (const auto& c : kCardsCables) {
          if (grp.count(c)) cables.insert(c);
        }
      }
      return groups.size() == 2 && cables == kCardsCables;
    };
    if (is_cables_instead(g)) {
      std::cerr << "card read as its two cables (a ~5% statistical call); measuring again\n";
      doc = Diagnose({"esxi2/x520"});
      g = Groups(doc);
    }
    ASSERT_FALSE(g.empty()) << doc["verdict"].dump();
    EXPECT_TRUE(g[0].count("esxi2/x520")) << doc["localize"]["suspects"].dump();
    EXPECT_EQ(g.size(), 1u) << doc["localize"]["suspects"].dump();
  }
  {
    SCOPED_TRACE("two cables");
    auto doc = Diagnose({"dac-esxi2-allied", "dac-esxi3-mikrotik"});
    auto g = Groups(doc);
    ASSERT_EQ(g.size(), 2u) << doc["localize"]["suspects"].dump();
    std::set<std::string> named;
    for (const auto& s : g) named.insert(s.begin(), s.end());
    EXPECT_TRUE(named.count("dac-esxi2-allied"));
    EXPECT_TRUE(named.count("dac-esxi3-mikrotik"));
  }
}

}  // namespace
}  // namespace kiriwake
