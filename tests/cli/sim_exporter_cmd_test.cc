// `kiriwake sim` with --peers and `kiriwake sim-exporter` on loopback: the scale test's load
// generator serves one agent per source, writes file_sd targets, stops on SIGTERM with status 0,
// and a missing directory is an error that names the file.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../free_port.h"
#include "cli_runner.h"

namespace kiriwake {
namespace {

TEST(SimExporterCmd, ServesEverySimulatedAgentAndWritesTargets) {
  std::string dir = "/tmp/kw_simexp_" + std::to_string(getpid());
  auto sim = RunKiriwake("sim --shape fattree:4 --peers 3 --no-vms --out " + dir);
  ASSERT_EQ(sim.status, 0) << sim.err;
  EXPECT_NE(sim.out.find("48 observations"), std::string::npos) << sim.out;  // 16 hosts x 3

  std::string bin = KIRIWAKE_BIN;
  const int port = testing::FreePort();
  ASSERT_NE(port, 0);
  std::string listen = "127.0.0.1:" + std::to_string(port);
  std::string targets = dir + "/targets.json";
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    execl(bin.c_str(), bin.c_str(), "sim-exporter", dir.c_str(), "--listen", listen.c_str(),
          "--file-sd", targets.c_str(), "--period", "10", nullptr);
    _exit(127);
  }
  httplib::Client c("127.0.0.1", port);
  for (int i = 0; i < 50; ++i) {  // bounded: at most ~5 s for the server to come up
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (c.Get("/healthz")) break;
  }
  auto r = c.Get("/agents/h0-0-0/metrics");
  ASSERT_TRUE(r) << "sim-exporter did not answer";
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("kiriwake_probe_sent_total{src=\"h0-0-0\",peer="), std::string::npos);
  EXPECT_NE(r->body.find("kiriwake_agent_peers{src=\"h0-0-0\"} 3"), std::string::npos) << r->body;
  auto missing = c.Get("/agents/nobody/metrics");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto doc = nlohmann::json::parse(SlurpFile(targets), nullptr, false);
  ASSERT_TRUE(doc.is_array());
  EXPECT_EQ(doc.size(), 16u);
  EXPECT_EQ(doc[0]["targets"][0], listen);
  EXPECT_EQ(doc[0]["labels"]["__metrics_path__"],
            "/agents/" + doc[0]["labels"]["instance"].get<std::string>() + "/metrics");

  kill(pid, SIGTERM);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  std::system(("rm -rf " + dir).c_str());
}

TEST(SimExporterCmd, MissingDirectoryIsAnErrorNamingTheFile) {
  auto r = RunKiriwake("sim-exporter /nonexistent/kw-sim");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/nonexistent/kw-sim/topology.yaml"), std::string::npos) << r.err;
}

TEST(SimCmd, PeersAndPairsTogetherAreAUsageError) {
  auto r = RunKiriwake("sim --peers 3 --pairs 10 --out /tmp/unused");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
}

TEST(SimCmd, NegativePairsIsAnErrorNotAFullMesh) {
  // --pairs -1 used to fall through to "0 = full mesh" and run one.
  auto r = RunKiriwake("sim --pairs -1 --out /tmp/kw-sim-unused-negative");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--pairs >= 0"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kiriwake
