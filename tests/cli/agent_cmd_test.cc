// `kiriwake agent` as a daemon on loopback: it runs as kiriwake-agent without OpenSSL, privileges
// dropped with --user, SIGHUP reloads the peer list (seen in /metrics), SIGTERM stops with 0.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../free_port.h"
#include "cli_runner.h"

namespace kiriwake {
namespace {

// The agent's probe and HTTP ports, free when the test starts (cli_runner.h: FreePort).
struct Ports {
  int probe = 0, http = 0;
};

std::string Metrics(const Ports& ports) {
  httplib::Client c("127.0.0.1", ports.http);
  auto r = c.Get("/metrics");
  return r ? r->body : "";
}

// Polls `ready` every 50 ms for at most `limit`: a started agent under a sanitizer on a loaded
// machine (headless Chromium in the next test slot) has taken over 800 ms to drop privileges.
template <typename Ready>
bool WaitUntil(Ready ready, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

void WriteConfig(const std::string& path, const std::string& dir, const Ports& ports,
                 bool two_peers) {
  std::ofstream f(path);
  f << "name: t\nlisten: 127.0.0.1:" << ports.probe << "\nhttp: 127.0.0.1:" << ports.http
    << "\ndb: " << dir << "/h.db\ninterval_ms: 50\ntimeout_ms: 200\npeers:\n"
    << "  - {name: one, address: \"127.0.0.1:" << ports.probe << "\"}\n";
  if (two_peers) f << "  - {name: two, address: \"127.0.0.2:" << ports.probe << "\"}\n";
}

TEST(AgentDaemon, DropsPrivilegesReloadsOnSighupAndStopsCleanly) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to test --user";
  std::string dir = "/tmp/kwa_agent_cli_" + std::to_string(getpid());
  std::system(("rm -rf " + dir + " && mkdir -p " + dir + " && chmod 777 " + dir).c_str());
  std::string cfg = dir + "/a.yaml";
  Ports ports{testing::FreePort(), testing::FreePort()};
  for (int i = 0; i < 10 && ports.http == ports.probe; ++i) ports.http = testing::FreePort();
  ASSERT_TRUE(ports.probe != 0 && ports.http != 0 && ports.probe != ports.http);
  WriteConfig(cfg, dir, ports, false);
  std::string bin = KIRIWAKE_BIN;
  pid_t pid = fork();
  if (pid == 0) {
    freopen((dir + "/log").c_str(), "w", stderr);
    execl(bin.c_str(), bin.c_str(), "agent", "--config", cfg.c_str(), "--user", "nobody", nullptr);
    _exit(127);
  }
  // Serving /metrics as nobody (65534): its signal handlers were installed before either.
  std::string status;
  bool up = WaitUntil([&] {
    status = SlurpFile("/proc/" + std::to_string(pid) + "/status");
    return status.find("Uid:\t65534") != std::string::npos &&
           Metrics(ports).find("peer=\"one\"") != std::string::npos;
  });
  size_t uid = status.find("Uid:");
  ASSERT_NE(uid, std::string::npos);
  EXPECT_EQ(status.substr(uid, 8), "Uid:\t655") << status.substr(uid, 30);  // nobody = 65534
  if (!up) {  // not up: stop it rather than leave a daemon behind
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    FAIL() << "the agent did not serve /metrics as nobody within 20 s: " << SlurpFile(dir + "/log");
  }
  // `kiriwake agent` became kiriwake-agent (same pid), which maps neither OpenSSL nor cpp-httplib:
  // their start-up alone would be 3.4 MB of the agent's 12 MB.
  char exe[4096] = {};
  ASSERT_GT(readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), exe, sizeof exe - 1), 0);
  EXPECT_EQ(std::string(exe), std::string(KIRIWAKE_AGENT_BIN));
  std::string maps = SlurpFile("/proc/" + std::to_string(pid) + "/maps");
  EXPECT_NE(maps.find("libsqlite3"), std::string::npos) << maps;  // the check can see libraries
  EXPECT_EQ(maps.find("libcrypto"), std::string::npos) << maps;
  EXPECT_EQ(maps.find("libssl"), std::string::npos) << maps;
  EXPECT_EQ(maps.find("libcpp-httplib"), std::string::npos) << maps;
  std::string m = Metrics(ports);
  EXPECT_NE(m.find("peer=\"one\""), std::string::npos) << m;
  EXPECT_EQ(m.find("peer=\"two\""), std::string::npos);
  WriteConfig(cfg, dir, ports, true);
  kill(pid, SIGHUP);
  WaitUntil([&] { return Metrics(ports).find("peer=\"two\"") != std::string::npos; });
  m = Metrics(ports);
  EXPECT_NE(m.find("kiriwake_agent_peers{src=\"t\"} 2"), std::string::npos) << m;
  EXPECT_NE(m.find("peer=\"two\""), std::string::npos);
  kill(pid, SIGTERM);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
  std::string log = SlurpFile(dir + "/log");
  EXPECT_NE(log.find("level=info msg=\"reloaded\" peers=2"), std::string::npos) << log;
  EXPECT_NE(log.find("msg=\"agent stopped\" commit=\"ok\""), std::string::npos) << log;
  if (!HasFailure()) std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace kiriwake
