// Real packets: responders in three namespaces on one bridge, 10% loss each way on h2's veth
// (nftables inside h2). `kiriwake probe` from h1 must see loss to h2 only, split by direction,
// and not to h3; ICMP probes must agree.
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "netns_lab.h"

namespace kiriwake::netns {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

class ProbeNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = LabUnavailable();
    if (!why.empty()) GTEST_SKIP() << "netns test skipped: " << why;
  }
};

TEST_F(ProbeNetns, LossOnOneVethShowsOnlyOnPathsThroughIt) {
  Lab lab("kwa-p", "10.77.32");
  std::string h1 = lab.AddHost(1), h2 = lab.AddHost(2), h3 = lab.AddHost(3);
  ASSERT_TRUE(lab.ok()) << "could not build the namespaces";
  ASSERT_TRUE(lab.AddLoss(2, 10));
  std::string dir = "/tmp/kwa_probe_netns_" + std::to_string(getpid());
  Sh("mkdir -p " + dir);
  for (const auto& [ns, n] : {std::pair{h2, 2}, std::pair{h3, 3}}) {
    lab.Spawn(ns, {KIRIWAKE_BIN, "responder", "--listen", lab.Address(n) + ":8623"},
              dir + "/resp" + std::to_string(n) + ".log");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // 400 probes at 5 ms: 2 s; with 10% each way about 76 of 400 lost to h2 (1 - 0.9²).
  std::string obs = dir + "/obs.jsonl";
  std::string cmd = "ip netns exec " + h1 + " " + KIRIWAKE_BIN +
                    " probe -c 400 -i 5 -t 300 --src h1 --network lan --observations " + obs +
                    " 10.77.32.2 10.77.32.3 >" + dir + "/out.txt 2>" + dir + "/err.txt";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 1) << Slurp(dir + "/err.txt");  // loss found
  std::string out = Slurp(dir + "/out.txt");
  EXPECT_NE(out.find("10.77.32.2 on lan  seq"), std::string::npos) << out;  // live loss lines
  EXPECT_EQ(out.find("10.77.32.3 on lan  seq"), std::string::npos) << out;
  auto lines = JsonLines(Slurp(obs));
  ASSERT_EQ(lines.size(), 2u);
  const auto& to2 = lines[0];
  const auto& to3 = lines[1];
  EXPECT_EQ(to2["dst"], "10.77.32.2");
  EXPECT_EQ(to2["src"], "h1");
  EXPECT_EQ(to2["network"], "lan");
  EXPECT_EQ(to2["sent"], 400);
  uint64_t lost2 = to2["lost"];
  EXPECT_GE(lost2, 30u);   // expected ~76; 30..140 is beyond 5 sigma either side
  EXPECT_LE(lost2, 140u);
  // Both directions lose: the responder's count tells them apart.
  uint64_t fwd = to2["lost_forward"], rev = to2["lost_reverse"];
  EXPECT_GE(fwd, 10u);
  EXPECT_GE(rev, 10u);
  EXPECT_LE(fwd + rev, lost2);
  EXPECT_GE(fwd + rev + 10, lost2);  // only probes after the last reply are unattributed
  EXPECT_EQ(to3["lost"], 0);
  EXPECT_EQ(to3["sent"], 400);
  Sh("rm -rf " + dir);
}

TEST_F(ProbeNetns, IcmpProbesSeeTheSameLossWithoutAResponder) {
  Lab lab("kwa-i", "10.77.34");
  std::string h1 = lab.AddHost(1), h2 = lab.AddHost(2), h3 = lab.AddHost(3);
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.AddLoss(2, 10));
  std::string dir = "/tmp/kwa_icmp_netns_" + std::to_string(getpid());
  Sh("mkdir -p " + dir);
  std::string cmd = "ip netns exec " + h1 + " " + KIRIWAKE_BIN +
                    " probe --proto icmp -c 300 -i 5 -t 300 --json 10.77.34.2 10.77.34.3 >" +
                    dir + "/out.jsonl 2>" + dir + "/err.txt";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 1) << Slurp(dir + "/err.txt");
  uint64_t lost_events_2 = 0;
  nlohmann::json sum2, sum3;
  for (const auto& j : JsonLines(Slurp(dir + "/out.jsonl"))) {
    if (j["type"] == "lost" && j["dst"] == "10.77.34.2") ++lost_events_2;
    if (j["type"] == "lost") {
      EXPECT_NE(j["dst"], "10.77.34.3");
    }
    if (j["type"] == "summary" && j["dst"] == "10.77.34.2") sum2 = j;
    if (j["type"] == "summary" && j["dst"] == "10.77.34.3") sum3 = j;
  }
  ASSERT_FALSE(sum2.is_null());
  ASSERT_FALSE(sum3.is_null());
  // Every loss was printed as it happened: the summary's count equals the live lines.
  EXPECT_EQ(sum2["lost"], lost_events_2);
  EXPECT_GE(lost_events_2, 20u);
  EXPECT_EQ(sum3["lost"], 0);
  EXPECT_EQ(sum2["verdict"], "degraded");
  EXPECT_EQ(sum3["verdict"], "healthy");
  Sh("rm -rf " + dir);
}

}  // namespace
}  // namespace kiriwake::netns
