// A real Ceph 16.2 cluster in network namespaces with loss injected on one OSD's back interface
// (tests/netns/ceph_lossy_cluster.sh): `kiriwake ceph` must name that OSD, its host and "back".
// Needs root, nftables and Debian's ceph-mon/ceph-osd/ceph-mgr; skips otherwise. Takes 3 min on
// an idle 2-core machine, up to 9 min when the cores are shared.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../cli/cli_runner.h"

namespace kiriwake {
namespace {

TEST(CephLossyCluster, KiriwakeNamesTheOsdWithTheLossyBackInterface) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, nftables)";
  char tmpl[] = "/tmp/kwc-ceph-test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string out = tmpl;
  std::string script = std::string(KW_SOURCE_DIR) + "/tests/netns/ceph_lossy_cluster.sh";
  // 40 % on osd.1's back interface: the script's default victim is osd.2, so this also checks
  // that nothing in the analysis is tied to the highest id.
  std::string cmd = "timeout 800 " + script + " " + out + "/art 40 1 2>" + out + "/script.err";
  int raw = std::system(cmd.c_str());
  int rc = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128;
  if (rc == 77) {
    std::system(("rm -rf " + out).c_str());
    GTEST_SKIP() << "Ceph (ceph-mon, ceph-osd, ceph-mgr), nftables or unshare missing";
  }
  std::string err = SlurpFile(out + "/script.err");
  ASSERT_EQ(rc, 0) << "the cluster did not raise OSD_SLOW_PING_TIME_BACK:\n" << err;

  std::string a = out + "/art/";
  CliRun r = RunKiriwake("ceph --json --observations " + out + "/obs.jsonl " + a + "*.log " + a +
                         "*.json " + a + "health-detail.txt");
  EXPECT_EQ(r.status, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto& s = j["suspect"];
  ASSERT_TRUE(s.is_object()) << r.out;
  EXPECT_EQ(s["osd"], 1);
  EXPECT_EQ(s["host"], "kwc-h1");
  EXPECT_EQ(s["interface"], "back");
  EXPECT_EQ(s["address"], "10.77.17.12");
  EXPECT_TRUE(s["in_every_slow_pair"].get<bool>()) << r.out;
  std::string obs = SlurpFile(out + "/obs.jsonl");
  EXPECT_NE(obs.find("\"network\":\"cluster\""), std::string::npos);
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "artifacts kept in %s\n", out.c_str());
  } else {
    std::system(("rm -rf " + out).c_str());
  }
}

}  // namespace
}  // namespace kiriwake
