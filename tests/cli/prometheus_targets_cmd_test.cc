#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace kiriwake {
namespace {

const std::string kTopo = std::string(KW_SOURCE_DIR) + "/examples/seed-incident/topology.yaml";

TEST(PrometheusTargetsCmd, OneTargetPerAgentOnTheChosenNetwork) {
  auto r = RunKiriwake("prometheus-targets --topology " + kTopo + " --network service --port 9700");
  ASSERT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 7u);  // 3 hosts + 4 VMs, all on the service network
  bool found = false;
  for (const auto& t : doc) {
    if (t["labels"]["kiriwake_agent"] == "ceph4") {
      found = true;
      EXPECT_EQ(t["targets"][0], "192.168.100.114:9700");
      EXPECT_EQ(t["labels"]["kiriwake_host"], "esxi2");
    }
  }
  EXPECT_TRUE(found);
}

TEST(PrometheusTargetsCmd, EndpointsWithoutAnAddressThereAreNamedOnStderr) {
  auto r = RunKiriwake("prometheus-targets --topology " + kTopo + " --network mgmt");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 3u);
  EXPECT_NE(r.err.find("4 hosts/VMs have no address on mgmt"), std::string::npos);
}

TEST(PrometheusTargetsCmd, UnknownNetworkIsAnError) {
  auto r = RunKiriwake("prometheus-targets --topology " + kTopo + " --network nope");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no network \"nope\""), std::string::npos);
}

}  // namespace
}  // namespace kiriwake
