// End to end with real query engines: a fake fleet of agents exports kiriwake's counters over
// HTTP on loopback, a real Prometheus (and a real VictoriaMetrics) scrapes it every second, and
// kiriwake reads the loss matrix back through the PromQL API. Prometheus also evaluates
// deploy/prometheus/kiriwake-rules.yml, and the pair-loss alert must fire through its API.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "../free_port.h"
#include "child_process.h"
#include "ingest/prometheus_loss.h"
#include "ingest/promql_client.h"

namespace kiriwake::ingest {
namespace {

namespace fs = std::filesystem;
using std::chrono::steady_clock;

bool HaveBinary(const char* name) {
  return std::system(fmt::format("command -v {} >/dev/null 2>&1", name).c_str()) == 0;
}

// Three agents on one network; everything toward esxi2 loses 6% (its cable is bad).
class FakeFleet {
 public:
  FakeFleet() : start_(steady_clock::now()) {
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(Exposition(), "text/plain; version=0.0.4");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeFleet() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

  std::string Exposition() {
    double secs = std::chrono::duration<double>(steady_clock::now() - start_).count();
    uint64_t sent = static_cast<uint64_t>(secs * 20);  // 20 probes/s per pair
    std::string out =
        "# HELP kiriwake_probe_sent_total Probes sent.\n# TYPE kiriwake_probe_sent_total counter\n";
    std::string lost =
        "# HELP kiriwake_probe_lost_total Probes lost.\n# TYPE kiriwake_probe_lost_total counter\n";
    const char* hosts[] = {"esxi1", "esxi2", "esxi3"};
    for (const char* src : hosts) {
      for (const char* peer : hosts) {
        if (std::string(src) == peer) continue;
        bool bad = std::string(src) == "esxi2" || std::string(peer) == "esxi2";
        uint64_t l = bad ? sent * 6 / 100 : 0;
        std::string labels =
            fmt::format("src=\"{}\",peer=\"{}\",network=\"service\",proto=\"udp\"", src, peer);
        out += fmt::format("kiriwake_probe_sent_total{{{}}} {}\n", labels, sent);
        lost += fmt::format("kiriwake_probe_lost_total{{{}}} {}\n", labels, l);
      }
    }
    // A series without labels whose lost probes no pair can be charged with: must be reported,
    // not used. (kiriwake asks only for lost counts that grew, so it grows.)
    lost += fmt::format("kiriwake_probe_lost_total {}\n", sent / 10);
    return out + lost;
  }

 private:
  steady_clock::time_point start_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class PromE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / fmt::format("kw-prom-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes a scrape config (1 s) for the fleet, with the rules when `rules` is set.
  std::string WriteConfig(int fleet_port, bool rules) {
    // VictoriaMetrics' strict parser refuses evaluation_interval: only Prometheus gets it.
    std::string cfg = "global:\n  scrape_interval: 1s\n";
    if (rules) {
      cfg += "  evaluation_interval: 1s\n";
      // The shipped rules wait 2 minutes before firing; the test copy fires at once.
      std::ifstream in(std::string(KW_SOURCE_DIR) + "/deploy/prometheus/kiriwake-rules.yml");
      std::stringstream ss;
      ss << in.rdbuf();
      std::string r = std::regex_replace(ss.str(), std::regex("for: 2m"), "for: 0s");
      std::ofstream(dir_ / "rules.yml") << r;
      cfg += "rule_files:\n  - " + (dir_ / "rules.yml").string() + "\n";
    }
    cfg += fmt::format(
        "scrape_configs:\n  - job_name: kiriwake\n    static_configs:\n      - targets: "
        "['127.0.0.1:{}']\n",
        fleet_port);
    std::string path = (dir_ / "prometheus.yml").string();
    std::ofstream(path) << cfg;
    return path;
  }

  static bool WaitHttp200(const std::string& host_port, const std::string& path, int seconds) {
    auto deadline = steady_clock::now() + std::chrono::seconds(seconds);
    while (steady_clock::now() < deadline) {
      httplib::Client c("http://" + host_port);
      c.set_connection_timeout(1, 0);
      auto r = c.Get(path.c_str());
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  // Polls the loss matrix until every pair has data, for at most `seconds`.
  static Result<LossMatrix> WaitForMatrix(const PromQLClient& c, int seconds) {
    LossMatrixOptions opt;
    opt.window = "20s";
    auto deadline = steady_clock::now() + std::chrono::seconds(seconds);
    Result<LossMatrix> m = Status::Unavailable("no answer yet");
    while (steady_clock::now() < deadline) {
      m = ReadLossMatrix(c, opt);
      if (m.ok() && m->pairs.size() == 6) {
        bool all = true;
        // Enough probes in the window that the counters' integer steps do not skew the ratio.
        for (const auto& p : m->pairs) all = all && p.sent >= 300;
        if (all) return m;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return m;
  }

  static void ExpectEsxi2Lossy(const LossMatrix& m) {
    ASSERT_EQ(m.pairs.size(), 6u);
    for (const PairLoss& p : m.pairs) {
      double ratio = p.lost / p.sent;
      bool bad = p.src == "esxi2" || p.peer == "esxi2";
      SCOPED_TRACE(fmt::format("{}->{} sent {} lost {}", p.src, p.peer, p.sent, p.lost));
      EXPECT_EQ(p.network, "service");
      if (bad) {
        EXPECT_NEAR(ratio, 0.06, 0.02);
      } else {
        EXPECT_EQ(p.lost, 0);
      }
    }
  }

  fs::path dir_;
};

TEST_F(PromE2E, PrometheusScrapesAgentsAndKiriwakeReadsTheLossMatrixAndTheAlertFires) {
  if (!HaveBinary("prometheus")) GTEST_SKIP() << "prometheus not installed (scripts/setup)";
  FakeFleet fleet;
  int port = kiriwake::testing::FreePort();
  std::string hp = fmt::format("127.0.0.1:{}", port);
  kiriwake::testing::ChildProcess prom(
      {"prometheus", "--config.file=" + WriteConfig(fleet.port(), true),
       "--storage.tsdb.path=" + (dir_ / "data").string(), "--web.listen-address=" + hp},
      (dir_ / "prometheus.log").string());
  ASSERT_TRUE(WaitHttp200(hp, "/-/ready", 60)) << "prometheus did not become ready";

  PromQLOptions o;
  o.url = "http://" + hp;
  auto client = PromQLClient::Create(o);
  ASSERT_TRUE(client.ok());
  auto m = WaitForMatrix(*client, 60);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectEsxi2Lossy(*m);
  EXPECT_FALSE(m->recorded) << "no rule records a 20s window";
  bool warned = false;
  for (const auto& w : m->warnings) warned = warned || w.find("lack a src") != std::string::npos;
  EXPECT_TRUE(warned) << "the unlabelled series must be reported";

  // With the shipped recording rules, a 5m window is read from the recorded per-pair counts
  // (evaluated every second here), and they say the same as the raw counters.
  {
    LossMatrixOptions opt;
    opt.window = "5m";
    Result<LossMatrix> rec = Status::Unavailable("no answer yet");
    auto deadline = steady_clock::now() + std::chrono::seconds(30);
    while (steady_clock::now() < deadline) {
      rec = ReadLossMatrix(*client, opt);
      if (rec.ok() && rec->recorded && rec->pairs.size() == 6) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    EXPECT_TRUE(rec->recorded);
    ExpectEsxi2Lossy(*rec);
    opt.use_recorded = false;
    auto raw = ReadLossMatrix(*client, opt);
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    EXPECT_FALSE(raw->recorded);
    ExpectEsxi2Lossy(*raw);
  }

  // Every query of the Grafana dashboard runs on this Prometheus, and the heatmap has the lossy
  // pairs in it.
  {
    std::ifstream in(std::string(KW_SOURCE_DIR) + "/deploy/grafana/kiriwake-dashboard.json");
    auto dash = nlohmann::json::parse(in);
    for (const auto& p : dash["panels"]) {
      for (const auto& t : p["targets"]) {
        std::string expr = t["expr"].get<std::string>();
        expr = std::regex_replace(expr, std::regex(R"(\$network)"), "service");
        expr = std::regex_replace(expr, std::regex(R"(\$__rate_interval)"), "20s");
        auto v = client->Instant(expr);
        EXPECT_TRUE(v.ok()) << p["title"] << ": " << v.status().ToString();
        if (p["id"] == 1 && v.ok()) {
          // Recording rules need a couple of evaluations; the lossy pairs are 4 of 6.
          EXPECT_GE(v->samples.size(), 4u) << "heatmap query returned too few pairs";
        }
      }
    }
  }

  // kiriwake diagnose reads the same counters through the PromQL API and names esxi2's link.
  {
    std::string cmd = fmt::format(
        "{} diagnose --prometheus http://{} --window 20s --topology {}/examples/seed-incident/"
        "topology.yaml > {}/diag.out 2> {}/diag.err",
        KIRIWAKE_BIN, hp, KW_SOURCE_DIR, dir_.string(), dir_.string());
    int raw = std::system(cmd.c_str());
    std::ifstream out(dir_ / "diag.out");
    std::stringstream ss;
    ss << out.rdbuf();
    EXPECT_EQ(WEXITSTATUS(raw), 1) << ss.str();
    EXPECT_NE(ss.str().find("Culprit: dac-esxi2-allied"), std::string::npos) << ss.str();
    // localize reads the same matrix and names the same link.
    std::string lcmd = fmt::format(
        "{} localize --json --prometheus http://{} --window 20s --topology {}/examples/"
        "seed-incident/topology.yaml > {}/loc.out 2> {}/loc.err",
        KIRIWAKE_BIN, hp, KW_SOURCE_DIR, dir_.string(), dir_.string());
    raw = std::system(lcmd.c_str());
    std::ifstream lout(dir_ / "loc.out");
    std::stringstream ls;
    ls << lout.rdbuf();
    EXPECT_EQ(WEXITSTATUS(raw), 1) << ls.str();
    auto doc = nlohmann::json::parse(ls.str(), nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << ls.str();
    ASSERT_FALSE(doc["suspects"].empty());
    EXPECT_EQ(doc["suspects"][0]["components"][0], "dac-esxi2-allied");
  }

  // The alert, as Prometheus itself reports it.
  auto deadline = steady_clock::now() + std::chrono::seconds(60);
  std::set<std::string> firing_peers;
  while (steady_clock::now() < deadline && firing_peers.count("esxi2") == 0) {
    httplib::Client c("http://" + hp);
    auto r = c.Get("/api/v1/alerts");
    if (r && r->status == 200) {
      auto doc = nlohmann::json::parse(r->body, nullptr, false);
      for (const auto& a : doc["data"]["alerts"]) {
        if (a["labels"]["alertname"] == "KiriwakeHostAllPathsLossy" && a["state"] == "firing") {
          firing_peers.insert(a["labels"]["peer"].get<std::string>());
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_EQ(firing_peers, (std::set<std::string>{"esxi2"}));
}

TEST_F(PromE2E, VictoriaMetricsServesTheSameMatrix) {
  if (!HaveBinary("victoria-metrics")) GTEST_SKIP() << "victoria-metrics not installed";
  FakeFleet fleet;
  int port = kiriwake::testing::FreePort();
  std::string hp = fmt::format("127.0.0.1:{}", port);
  kiriwake::testing::ChildProcess vm(
      {"victoria-metrics", "-promscrape.config=" + WriteConfig(fleet.port(), false),
       "-storageDataPath=" + (dir_ / "vm").string(), "-httpListenAddr=" + hp,
       "-search.latencyOffset=0s", "-retentionPeriod=1d"},
      (dir_ / "vm.log").string());
  ASSERT_TRUE(WaitHttp200(hp, "/health", 60)) << "victoria-metrics did not start";
  PromQLOptions o;
  o.url = "http://" + hp;
  auto client = PromQLClient::Create(o);
  ASSERT_TRUE(client.ok());
  auto m = WaitForMatrix(*client, 60);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectEsxi2Lossy(*m);
  // A window the shipped rules record (5m) on an engine that runs no rules: the recorded series
  // are absent from the answer, so the raw counters are read instead.
  LossMatrixOptions opt;
  opt.window = "5m";
  auto raw = ReadLossMatrix(*client, opt);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_FALSE(raw->recorded);
  ExpectEsxi2Lossy(*raw);
}

TEST_F(PromE2E, BearerTokenIsSentAndRefusalIsReported) {
  // A loopback server that wants a token, standing in for an authenticating proxy.
  httplib::Server s;
  s.Get("/api/v1/query", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer s3cret") {
      res.status = 401;
      return;
    }
    res.set_content(R"({"status":"success","data":{"resultType":"vector","result":[]}})",
                    "application/json");
  });
  int port = s.bind_to_any_port("127.0.0.1");
  std::thread t([&] { s.listen_after_bind(); });
  PromQLOptions o;
  o.url = fmt::format("http://127.0.0.1:{}", port);
  auto anon = PromQLClient::Create(o);
  auto r1 = anon->Instant("up");
  o.bearer_token = "s3cret";
  auto authed = PromQLClient::Create(o);
  auto r2 = authed->Instant("up");
  s.stop();
  t.join();
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.status().message().find("authentication"), std::string::npos);
  EXPECT_TRUE(r2.ok()) << r2.status().ToString();
}

}  // namespace
}  // namespace kiriwake::ingest
