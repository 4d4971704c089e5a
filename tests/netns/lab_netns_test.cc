// `kiriwake lab` on real namespaces: the seed's home lab comes up with working paths, a fault on
// the esxi2-allied cable makes exactly the service paths through esxi2 lossy, clear removes it,
// and down leaves nothing behind. Uses the real ping binary.
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace {

// ctest runs each test as its own process, in parallel: each test owns a prefix so two labs never
// share namespace names or a state file.
std::string PrefixOf() {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  return name.rfind("UpTwice", 0) == 0 ? "kwlu" : "kwlt";
}

std::string Sh(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  int st = ::pclose(f);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  return out;
}

std::string Kw(const std::string& args, int* status = nullptr) {
  return Sh(fmt::format("{} {} 2>&1", KIRIWAKE_BIN, args), status);
}

// Loss percentage of 200 pings at 2 ms spacing from node `from` to `addr`.
double LossPercent(const std::string& from, const std::string& addr) {
  std::string out = Sh(fmt::format("ip netns exec {}-{} ping -n -c 200 -i 0.002 -W 1 -q {} 2>&1",
                                   PrefixOf(), from, addr));
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(R"(([0-9.]+)% packet loss)"))) return -1;
  return std::stod(m[1]);
}

class LabNetns : public ::testing::Test {
 protected:
  const std::string kPrefix = PrefixOf();
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    if (Sh("command -v nft").empty()) GTEST_SKIP() << "needs nftables (nft)";
    Kw(fmt::format("lab down --prefix {}", kPrefix));  // leftovers of a crashed run
  }
  void TearDown() override {
    if (::geteuid() == 0) Kw(fmt::format("lab down --prefix {}", kPrefix));
  }
};

TEST_F(LabNetns, CableFaultIsLossOnExactlyThePathsThroughIt) {
  int st = -1;
  std::string out = Kw(fmt::format("lab up {}/examples/seed-incident/topology.yaml --prefix {}",
                                   KW_SOURCE_DIR, kPrefix),
                       &st);
  ASSERT_EQ(st, 0) << out;
  // Clean lab: every path works.
  EXPECT_EQ(LossPercent("esxi1", "10.77.100.102"), 0);
  EXPECT_EQ(LossPercent("ceph1", "10.77.100.114"), 0);

  out = Kw(fmt::format("lab fault dac-esxi2-allied --loss 25% --prefix {}", kPrefix), &st);
  ASSERT_EQ(st, 0) << out;
  // Round trip crosses the cable twice: expect about 1 - 0.75^2 = 44%.
  double through = LossPercent("esxi1", "10.77.100.102");
  EXPECT_GT(through, 20);
  EXPECT_LT(through, 70);
  EXPECT_GT(LossPercent("ceph1", "10.77.100.114"), 20);  // ceph4 runs on esxi2
  EXPECT_EQ(LossPercent("esxi1", "10.77.100.103"), 0);   // service, not through esxi2
  EXPECT_EQ(LossPercent("esxi1", "10.77.101.102"), 0);   // esxi2 on the storage switch
  EXPECT_EQ(LossPercent("esxi1", "10.77.102.102"), 0);   // esxi2 on the 1GbE switch

  out = Kw(fmt::format("lab clear --prefix {}", kPrefix), &st);
  ASSERT_EQ(st, 0) << out;
  EXPECT_EQ(LossPercent("esxi1", "10.77.100.102"), 0);

  out = Kw(fmt::format("lab down --prefix {}", kPrefix), &st);
  ASSERT_EQ(st, 0) << out;
  EXPECT_EQ(Sh(fmt::format("ip netns list | grep -c '^{}-'", kPrefix)), "0\n");
}

TEST_F(LabNetns, UpTwiceIsRefusedWithAClearMessage) {
  int st = -1;
  std::string topo = fmt::format("{}/examples/seed-incident/topology.yaml", KW_SOURCE_DIR);
  Kw(fmt::format("lab up {} --prefix {}", topo, kPrefix), &st);
  ASSERT_EQ(st, 0);
  std::string out = Kw(fmt::format("lab up {} --prefix {}", topo, kPrefix), &st);
  EXPECT_EQ(st, 2);
  EXPECT_NE(out.find("already up"), std::string::npos) << out;
}

}  // namespace
