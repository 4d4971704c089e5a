// `kiriwake probe`, `responder`, `agent`, `collect` as a user runs them: exit status, stdout and
// stderr checked separately. Loopback only (127.0.0.x).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../free_port.h"
#include "cli_runner.h"

namespace kiriwake {
namespace {

// Starts `kiriwake responder` on `host` and a free port (set in *port), and waits until it has
// bound it. Its pid, or -1 (nothing left running) when it did not bind within 20 s.
pid_t StartResponder(const std::string& host, std::string* port) {
  *port = std::to_string(testing::FreePort());
  if (*port == "0") return -1;
  std::string bin = KIRIWAKE_BIN;
  std::string listen = host + ":" + *port;
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stderr);
    execl(bin.c_str(), bin.c_str(), "responder", "--listen", listen.c_str(), nullptr);
    _exit(127);
  }
  if (!testing::WaitUntilUdpBound(std::stoi(*port))) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return -1;
  }
  return pid;
}

TEST(ProbeCmd, HelpListsTheExitTable) {
  auto r = RunKiriwake("probe --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Exit status: 0 every target healthy"), std::string::npos);
  EXPECT_NE(r.out.find("--observations"), std::string::npos);
}

TEST(ProbeCmd, MissingTargetIsAUsageError) {
  auto r = RunKiriwake("probe");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err, "");
}

TEST(ProbeCmd, IntervalFasterThanThePerTargetCapIsAUsageError) {
  auto r = RunKiriwake("probe -i 0.1 127.0.0.1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("per-target cap"), std::string::npos);
}

TEST(ProbeCmd, TcpWithoutAPortIsAUsageError) {
  auto r = RunKiriwake("probe --proto tcp 127.0.0.1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--port"), std::string::npos);
}

TEST(ProbeCmd, UnresolvableTargetIsAnErrorButOthersAreStillProbed) {
  auto r = RunKiriwake("probe -c 2 -i 10 -t 50 --proto udp -p 1 no-such-host.invalid 127.0.0.1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no-such-host.invalid"), std::string::npos);
  // 127.0.0.1 port 1: nothing listens, so each probe is refused and reported.
  EXPECT_NE(r.out.find("127.0.0.1  seq 1 LOST: Connection refused"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("127.0.0.1  broken  2 of 2 lost (100.00%)"), std::string::npos) << r.out;
}

TEST(ProbeCmd, AgainstALocalResponderEveryProbeIsAnsweredAndStatusIsZero) {
  std::string port;
  pid_t pid = StartResponder("127.0.0.1", &port);
  ASSERT_GT(pid, 0) << "the responder did not bind a free port within 20 s";
  std::string obs = "/tmp/kwa_cli_obs_" + std::to_string(getpid()) + ".jsonl";
  auto r = RunKiriwake("probe -c 5 -i 10 -t 200 -p " + port + " --src me --observations " + obs +
                       " 127.0.0.1");
  kill(pid, SIGTERM);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("127.0.0.1  healthy  0 of 5 lost (0.00%), 0 bursts, 0 outliers\n"
                       "  seq 1-5 ok\n  rtt ms  min "),
            std::string::npos)
      << r.out;
  std::string line = SlurpFile(obs);
  EXPECT_NE(line.find("\"src\":\"me\""), std::string::npos);
  EXPECT_NE(line.find("\"sent\":5"), std::string::npos);
  std::remove(obs.c_str());
}

TEST(ResponderCmd, BadListenAddressIsAnError) {
  auto r = RunKiriwake("responder --listen 300.1.1.1:5");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("300.1.1.1"), std::string::npos);
}

TEST(AgentCmd, ConfigErrorNamesFileLineAndColumn) {
  std::string cfg = "/tmp/kwa_cli_agent_" + std::to_string(getpid()) + ".yaml";
  std::ofstream(cfg) << "peers:\n  - {address: 10.77.32.2, colour: red}\n";
  auto r = RunKiriwake("agent --config " + cfg);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(cfg + ":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown key 'colour'"), std::string::npos);
  std::remove(cfg.c_str());
}

TEST(AgentCmd, TopologyWithoutSelfIsAUsageError) {
  auto r = RunKiriwake("agent --topology t.yaml");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--self"), std::string::npos);
}

TEST(CollectCmd, UnreachableAgentIsAnError) {
  auto r = RunKiriwake("collect --agents 127.0.0.1:1 --timeout 1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace kiriwake

namespace kiriwake {
namespace {

// A responder bound to 0.0.0.0 must answer from the address the probe was sent to
// (IP_PKTINFO), or probes to its second address all look lost.
TEST(ResponderCmd, WildcardResponderAnswersFromTheProbedAddress) {
  std::string port;
  pid_t pid = StartResponder("0.0.0.0", &port);
  ASSERT_GT(pid, 0) << "the responder did not bind a free port within 20 s";
  auto r = RunKiriwake("probe -c 3 -i 10 -t 200 -p " + port + " 127.0.0.2 127.0.1.9");
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  // Every probe answered on both addresses. Not "healthy": on a loaded machine one RTT of three
  // can be an outlier (status 1, "degraded"), which is not what this test is about.
  EXPECT_NE(r.status, 2) << r.out << r.err;
  for (std::string target : {"127.0.0.2  ", "127.0.1.9  "}) {
    size_t at = r.out.find(target);
    ASSERT_NE(at, std::string::npos) << r.out;
    std::string line = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_NE(line.find("  0 of 3 lost"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace kiriwake

#include <netinet/in.h>
#include <sys/socket.h>

namespace kiriwake {
namespace {

TEST(ProbeCmdTcp, ListeningPortIsHealthyAndClosedPortIsRefused) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 64), 0);  // the kernel completes handshakes without accept()
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  auto ok = RunKiriwake("probe --proto tcp -p " + std::to_string(port) + " -c 3 -i 10 -t 500 127.0.0.1");
  close(fd);
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("127.0.0.1  healthy  0 of 3 lost"), std::string::npos) << ok.out;
  auto refused = RunKiriwake("probe --proto tcp -p " + std::to_string(port) + " -c 2 -i 10 -t 500 127.0.0.1");
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.out.find("seq 1 LOST: Connection refused"), std::string::npos) << refused.out;
}

TEST(ProbeCmd, InterruptPrintsTheSummaryAndExits128PlusSignal) {
  if (geteuid() != 0) GTEST_SKIP() << "ICMP probes need root here";
  std::string out = "/tmp/kwa_cli_int_" + std::to_string(getpid());
  // A background job of a non-interactive shell starts with SIGINT ignored, so a SIGINT sent
  // before kiriwake installs its handler is lost (seen under ASan on a loaded machine: the run
  // then went to completion and exited 0). Wait, at most 10 s, until /proc says SIGINT (bit 1 of
  // SigCgt's last hex digit) is caught, let a few probes go, then interrupt.
  std::string cmd = std::string("(") + KIRIWAKE_BIN +
                    " probe --proto icmp -c 1000 -i 10 127.0.0.1 >" + out +
                    " 2>/dev/null & p=$!; i=0; while [ $i -lt 200 ]; do "
                    "m=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/$p/status 2>/dev/null); "
                    "d=${m#${m%?}}; [ -n \"$d\" ] && [ $((0x$d & 2)) -ne 0 ] && break; "
                    "i=$((i+1)); sleep 0.05; done; sleep 0.3; kill -INT $p; wait $p)";
  int raw = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(raw), 130);
  std::string text = SlurpFile(out);
  // The summary is printed, and nothing was lost. Not the verdict: one loopback RTT spike under
  // a sanitizer on a loaded machine (4 ms, seen once in CI) makes it "degraded" by an outlier.
  EXPECT_NE(text.find("127.0.0.1  "), std::string::npos) << text;
  EXPECT_NE(text.find(" 0 of "), std::string::npos) << text;
  EXPECT_NE(text.find(" lost (0.00%)"), std::string::npos) << text;
  std::remove(out.c_str());
}

}  // namespace
}  // namespace kiriwake

namespace kiriwake {
namespace {

TEST(ProbeCmd, ClosedPipeEndsTheRunQuicklyAndQuietly) {
  auto start = std::chrono::steady_clock::now();
  std::string base = "/tmp/kwa_cli_pipe_" + std::to_string(getpid());
  int raw = std::system((std::string(KIRIWAKE_BIN) + " probe -c 2000 -i 5 -t 100 -p 1 127.0.0.1 2>" +
                         base + ".err | head -1 >" + base + ".out").c_str());
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(WEXITSTATUS(raw), 0);
  EXPECT_LT(s, 3.0);  // 2000 probes at 5 ms would take 10 s
  EXPECT_EQ(SlurpFile(base + ".err"), "");
  EXPECT_NE(SlurpFile(base + ".out").find("seq 1 LOST"), std::string::npos);
  std::remove((base + ".err").c_str());
  std::remove((base + ".out").c_str());
}

}  // namespace
}  // namespace kiriwake
