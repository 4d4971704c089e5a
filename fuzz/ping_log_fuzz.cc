// libFuzzer target for ingest::ParsePingLog (through LineReader, so encodings and compression
// sniffing are fuzzed too). Seeds: fuzz/corpus/ping_log/seed_<input>_{valid,edge,malform}.
// Checks invariants beyond "no crash": the series adds up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ingest/line_reader.h"
#include "ingest/ping_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = kiriwake::ingest::LineReader::FromString(
      std::string(reinterpret_cast<const char*>(data), size), "fuzz.txt");
  auto log = kiriwake::ingest::ParsePingLog(*reader);
  if (!log.ok()) return 0;
  for (const kiriwake::ingest::PingSession& s : log->sessions) {
    const auto& ps = s.series;
    uint64_t in_bursts = 0;
    for (const auto& b : ps.bursts) in_bursts += b.length;
    // Every lost id is in a burst; the rest of lost_count is losses known only from totals.
    if (in_bursts > ps.lost_count) std::abort();
    if (ps.transmitted < ps.received) std::abort();
    if (ps.loss_ratio() < 0 || ps.loss_ratio() > 1.0 + 1e-9) std::abort();
  }
  return 0;
}
