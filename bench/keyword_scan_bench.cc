// Keyword scan of timeline messages (timeline/line_format.h's KeywordRuleIndex): the vector scan
// against the scalar one on the same messages, lines of the generated benchmark logs' shapes.
//   build/release/keyword_scan_bench [FILE...]   (default: messages built in)
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <vector>

#include "timeline/line_format.h"

namespace {

std::vector<std::string>& Messages() {
  static std::vector<std::string> m;
  return m;
}

void Load(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::string line;
    while (std::getline(in, line) && Messages().size() < 200000) {
      // The message part, roughly: what follows the timestamp and host.
      Messages().push_back(line.size() > 24 ? line.substr(24) : line);
    }
  }
  if (!Messages().empty()) return;
  const char* shapes[] = {
      "node000 kernel: [1.988769] libceph: osd1 192.168.100.111:6802 socket closed (con state OPEN)",
      "cpu1:2097153)NetPort: 1936: disabled port 0x1 vmnic1 status check ok",
      "mon.a (mon.0) 1 : cluster [WRN] Health check update: 1 slow ops, oldest one blocked for 1 sec",
      "[1001] LOG:  duration: 1.001 ms  statement: SELECT * FROM statuses WHERE id = 1",
      "node004 systemd[1]: Started Session 1 of user admin (unit session-1.scope).",
      "64 bytes from 192.168.100.115: icmp_seq=1 ttl=64 time=0.4 ms"};
  for (int i = 0; i < 10000; ++i) Messages().push_back(shapes[i % 6] + std::to_string(i));
}

void BM_KeywordScan(benchmark::State& state, int (*scan)(std::string_view)) {
  int64_t bytes = 0;
  for (auto _ : state) {
    for (const auto& m : Messages()) {
      benchmark::DoNotOptimize(scan(m));
      bytes += static_cast<int64_t>(m.size());
    }
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK_CAPTURE(BM_KeywordScan, Vector, kiriwake::timeline::KeywordRuleIndex);
BENCHMARK_CAPTURE(BM_KeywordScan, Scalar, kiriwake::timeline::KeywordRuleIndexScalar);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  Load(argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
