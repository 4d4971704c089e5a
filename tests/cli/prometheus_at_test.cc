// `--at TIME` on the Prometheus verbs: every query is evaluated at that instant (Unix seconds or
// RFC 3339 with Z or an offset), and a bad time is a usage error naming the flag.
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "cli_runner.h"

namespace kiriwake {
namespace {

// A loopback stand-in for Prometheus that records the time= of every query and answers with an
// empty loss matrix (label values: none).
class TimeRecorder {
 public:
  TimeRecorder() {
    server_.Get("/api/v1/query", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      times_.insert(req.has_param("time") ? req.get_param_value("time") : "none");
      res.set_content(R"({"status":"success","data":{"resultType":"vector","result":[]}})",
                      "application/json");
    });
    server_.Get(R"(/api/v1/label/.*/values)", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"success","data":[]})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TimeRecorder() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::set<std::string> times() {
    std::lock_guard<std::mutex> lock(mu_);
    return times_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::set<std::string> times_;
};

std::string Topology() {
  return std::string(KW_SOURCE_DIR) + "/examples/seed-incident/topology.yaml";
}

TEST(PrometheusAt, Rfc3339WithOffsetIsEveryQuerysEvaluationTime) {
  TimeRecorder prom;
  auto r =
      RunKiriwake(fmt::format("localize --topology {} --prometheus http://127.0.0.1:{} "
                              "--at 2026-11-27T09:12:30.5+09:00",
                              Topology(), prom.port()));
  EXPECT_EQ(r.status, 2) << r.err;  // an empty matrix: nothing to reason over
  EXPECT_NE(r.err.find("no observations"), std::string::npos) << r.err;
  // 00:12:30.5 UTC on 2026-11-27.
  EXPECT_EQ(prom.times(), (std::set<std::string>{"1795738350.500"}));
}

TEST(PrometheusAt, UnixSecondsAreTakenAsGiven) {
  TimeRecorder prom;
  RunKiriwake(fmt::format("localize --topology {} --prometheus http://127.0.0.1:{} --at 1764200000",
                          Topology(), prom.port()));
  EXPECT_EQ(prom.times(), (std::set<std::string>{"1764200000.000"}));
}

TEST(PrometheusAt, WithoutAtTheServersOwnTimeIsAskedOnceAndUsedForAll) {
  TimeRecorder prom;
  RunKiriwake(fmt::format("localize --topology {} --prometheus http://127.0.0.1:{}", Topology(),
                          prom.port()));
  // vector(time()) is asked without a time; it answers nothing here, so reading stops there.
  EXPECT_EQ(prom.times(), (std::set<std::string>{"none"}));
}

TEST(PrometheusAt, BadTimeIsAUsageErrorNamingTheFlag) {
  for (const char* bad :
       {"yesterday", "2026-11-27 00:00:00", "2026-13-01T00:00:00Z", "2026-11-27T00:00:00"}) {
    auto r =
        RunKiriwake(fmt::format("localize --topology {} --prometheus http://127.0.0.1:1 "
                                "--at '{}'",
                                Topology(), bad));
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.err.find("--at: expected Unix seconds or RFC 3339"), std::string::npos)
        << bad << ": " << r.err;
  }
}

}  // namespace
}  // namespace kiriwake
