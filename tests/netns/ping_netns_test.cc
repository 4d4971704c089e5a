// Runs the REAL iputils ping and fping between two network namespaces (kwp<pid>a 10.77.1.1 ->
// kwp<pid>b 10.77.1.2, a veth pair) while nftables in b drops ~10% of echo replies at random, saves
// their output, parses it with kiriwake and checks the reconstruction against the truth the run
// itself establishes: ping -O's "no answer yet" lines, fping's "timed out" lines and "-" marks,
// and each tool's totals. Needs root, ip and nft; skipped with a message otherwise. Bounded
// (200 probes, 10 ms apart, each command under `timeout`); namespaces are removed even when a
// test fails (fixture TearDown) and leftovers with our prefix are removed first.
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "ingest/line_reader.h"
#include "ingest/ping_log.h"

namespace kiriwake {
namespace {

// ctest runs every test as its own process, in parallel: the namespaces carry the test's pid, so
// two tests never share (or delete) each other's.
const std::string kNsA = "kwp" + std::to_string(::getpid()) + "a";
const std::string kNsB = "kwp" + std::to_string(::getpid()) + "b";
constexpr int kProbes = 200;

int Sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

void RemoveOurNamespaces() {
  // Ours, and those a crashed run of this suite left behind (kwp<pid>[ab] whose pid is gone);
  // a live test's namespaces are not ours to delete.
  Sh("for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -xE 'kwp[0-9]+[ab]'); do "
     "p=${n#kwp}; p=${p%?}; "
     "if [ \"$p\" = " +
     std::to_string(::getpid()) +
     " ] || ! kill -0 \"$p\" 2>/dev/null; then "
     "ip netns del \"$n\" 2>/dev/null; fi; done");
}

class PingNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, nftables)";
    if (Sh("command -v ip >/dev/null && command -v nft >/dev/null") != 0) {
      GTEST_SKIP() << "needs ip (iproute2) and nft (nftables)";
    }
    if (Sh("command -v ping >/dev/null && command -v fping >/dev/null && command -v timeout "
           ">/dev/null") != 0) {
      GTEST_SKIP() << "needs ping (iputils-ping), fping and timeout";
    }
    RemoveOurNamespaces();
    created_ = true;
    std::string a = kNsA, b = kNsB;
    int rc = Sh("ip netns add " + a + " && ip netns add " + b + " && ip link add kwpva netns " + a +
                " type veth peer name kwpvb netns " + b + " && ip -n " + a +
                " addr add 10.77.1.1/24 dev kwpva" + " && ip -n " + b +
                " addr add 10.77.1.2/24 dev kwpvb" + " && ip -n " + a +
                " link set kwpva up && ip -n " + b + " link set kwpvb up" + " && ip -n " + a +
                " link set lo up && ip -n " + b + " link set lo up");
    // Root and the tools are here (checked above), so a failure to build the pair is a failure,
    // not a reason to skip.
    ASSERT_EQ(rc, 0) << "cannot create network namespaces " << a << "/" << b;
    // ~10% of echo replies leaving kwpb are dropped at random (no tc netem in this kernel).
    rc = Sh("ip netns exec " + b +
            " nft -f - <<'EOF'\n"
            "table inet kwp {\n"
            "  chain out { type filter hook output priority 0; "
            "icmp type echo-reply numgen random mod 100 < 10 drop; }\n"
            "}\nEOF");
    ASSERT_EQ(rc, 0) << "nft rule for random drop failed";
    dir_ = "/tmp/kwp_netns_" + std::to_string(::getpid());
    ASSERT_EQ(Sh("mkdir -p " + dir_), 0);
  }
  void TearDown() override {
    if (created_) RemoveOurNamespaces();
    // The tools' output is kept for a failed test (the messages name the file), removed otherwise.
    if (!dir_.empty() && !HasFailure()) Sh("rm -rf " + dir_);
  }

  // Runs `cmd` in kwpa with stdout+stderr saved to dir_/name; returns the path.
  std::string RunInA(const std::string& cmd, const std::string& name) {
    std::string path = dir_ + "/" + name;
    Sh("ip netns exec " + kNsA + " timeout 60 " + cmd + " >" + path + " 2>&1");
    return path;
  }

  static ingest::PingLog Parse(const std::string& path) {
    auto r = ingest::LineReader::Open(path);
    EXPECT_TRUE(r.ok());
    auto log = ingest::ParsePingLog(**r);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : ingest::PingLog{};
  }

  static std::set<uint64_t> Lost(const ingest::PingSession& s) {
    auto v = s.series.LostIds();
    return {v.begin(), v.end()};
  }

  bool created_ = false;
  std::string dir_;
};

TEST_F(PingNetns, IputilsPingWithOAndDMatchesNoAnswerLinesAndTotals) {
  std::string path = RunInA(
      "ping -O -D -n -c " + std::to_string(kProbes) + " -i 0.01 -W 1 10.77.1.2", "ping_O_D.txt");
  // The truth, from the run's own text: replied seqs, "no answer yet" seqs, the totals.
  std::ifstream in(path);
  std::string line;
  std::set<uint64_t> replied, no_answer;
  uint64_t tx = 0, rx = 0;
  std::regex reply(R"(^\[\d+\.\d+\] 64 bytes from 10\.77\.1\.2: icmp_seq=(\d+) )");
  std::regex none(R"(^\[\d+\.\d+\] no answer yet for icmp_seq=(\d+)$)");
  std::regex totals(R"(^(\d+) packets transmitted, (\d+) received)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, reply)) replied.insert(std::stoull(m[1]));
    if (std::regex_search(line, m, none)) no_answer.insert(std::stoull(m[1]));
    if (std::regex_search(line, m, totals)) {
      tx = std::stoull(m[1]);
      rx = std::stoull(m[2]);
    }
  }
  ASSERT_EQ(tx, static_cast<uint64_t>(kProbes)) << "ping did not finish; output in " << path;
  ASSERT_LT(rx, tx) << "no loss in 200 probes at 10% drop: is the nft rule active?";

  ingest::PingLog log = Parse(path);
  ASSERT_EQ(log.sessions.size(), 1u);
  const ingest::PingSession& s = log.sessions[0];
  EXPECT_EQ(s.series.transmitted, tx);
  EXPECT_EQ(s.series.received, rx);
  EXPECT_EQ(s.series.lost_count, tx - rx);
  std::set<uint64_t> lost = Lost(s);
  // Every probe ping itself called unanswered, and never answered later, is lost.
  for (uint64_t id : no_answer) {
    if (!replied.count(id)) {
      EXPECT_TRUE(lost.count(id)) << "icmp_seq " << id;
    }
  }
  // Every lost id had no reply line; together they are exactly 1..tx.
  for (uint64_t id : lost) EXPECT_FALSE(replied.count(id)) << "icmp_seq " << id;
  EXPECT_EQ(lost.size() + replied.size(), tx);
  // -O never announces the last probe: if it was lost, only the totals say so (tail).
  if (!replied.count(tx)) {
    ASSERT_TRUE(s.tail_first_id.has_value());
    EXPECT_TRUE(lost.count(tx));
  }
  EXPECT_TRUE(s.warnings.empty()) << s.warnings[0].ToString();
  EXPECT_EQ(log.skipped_lines, 0u);
}

TEST_F(PingNetns, FpingCountModeMatchesTimedOutLinesAndSummary) {
  std::string path =
      RunInA("fping -c " + std::to_string(kProbes) + " -p 10 -D 10.77.1.2", "fping_c_D.txt");
  std::ifstream in(path);
  std::string line;
  std::set<uint64_t> timed_out;
  uint64_t xmt = 0, rcv = 0;
  std::regex to(R"(10\.77\.1\.2 : \[(\d+)\], timed out)");
  std::regex sum(R"(xmt/rcv/%loss = (\d+)/(\d+)/)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, to)) timed_out.insert(std::stoull(m[1]));
    if (std::regex_search(line, m, sum)) {
      xmt = std::stoull(m[1]);
      rcv = std::stoull(m[2]);
    }
  }
  ASSERT_EQ(xmt, static_cast<uint64_t>(kProbes)) << "fping did not finish; output in " << path;
  ASSERT_FALSE(timed_out.empty());
  ingest::PingLog log = Parse(path);
  ASSERT_EQ(log.sessions.size(), 1u);
  const ingest::PingSession& s = log.sessions[0];
  EXPECT_EQ(Lost(s), timed_out);
  EXPECT_EQ(s.series.transmitted, xmt);
  EXPECT_EQ(s.series.received, rcv);
  EXPECT_TRUE(s.warnings.empty()) << s.warnings[0].ToString();
}

TEST_F(PingNetns, FpingCountSummaryDashesAreTheLostIds) {
  std::string path =
      RunInA("fping -C " + std::to_string(kProbes) + " -q -p 10 10.77.1.2", "fping_C_q.txt");
  std::ifstream in(path);
  std::string line, summary;
  while (std::getline(in, line)) {
    if (line.rfind("10.77.1.2 : ", 0) == 0) summary = line.substr(12);
  }
  std::set<uint64_t> dashes;
  uint64_t i = 0;
  for (size_t p = 0; p < summary.size();) {
    size_t e = summary.find(' ', p);
    if (e == std::string::npos) e = summary.size();
    if (e > p) {
      if (summary.substr(p, e - p) == "-") dashes.insert(i);
      ++i;
    }
    p = e + 1;
  }
  ASSERT_EQ(i, static_cast<uint64_t>(kProbes)) << "output in " << path;
  ingest::PingLog log = Parse(path);
  ASSERT_EQ(log.sessions.size(), 1u);
  EXPECT_EQ(Lost(log.sessions[0]), dashes);
  EXPECT_EQ(log.sessions[0].series.transmitted, static_cast<uint64_t>(kProbes));
}

}  // namespace
}  // namespace kiriwake
