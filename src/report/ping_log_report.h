// report/ping_log_report.h: the result of `kiriwake ping-log` over several inputs, and its two
// renderers (text for people, JSON for machines), which read the same struct so they cannot
// disagree. RenderSeriesText() is the per-target block on its own, for other verbs that
// summarise a model::ProbeSeries (the live prober, the agent). Pure functions; no I/O.
#ifndef KIRIWAKE_REPORT_PING_LOG_REPORT_H_
#define KIRIWAKE_REPORT_PING_LOG_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ingest/ping_log.h"
#include "model/probe_series.h"
#include "util/status.h"

namespace kiriwake::report {

struct PingLogReport {
  std::vector<ingest::PingSession> sessions;  // every session of every input, in input order
  std::vector<Diagnostic> file_warnings;      // findings not tied to one session
  // Inputs that could not be read or recognised: (name, message). Still reported in --json.
  std::vector<std::pair<std::string, std::string>> errors;
};

struct TextOptions {
  bool color = false;  // ANSI colour; the word stays (LOST is never colour alone)
};

// What the per-target block shows about one series. Only `label` and `series` are required.
struct SeriesText {
  std::string label;  // "ceph4 (192.168.100.114)"
  const model::ProbeSeries* series = nullptr;
  std::string id_word = "seq";            // what an id is called: seq, probe, idx
  uint64_t first_id = 1;                  // ids first_id..last_id were sent
  std::optional<uint64_t> last_id;        // default: first_id + transmitted - 1
  std::optional<uint64_t> tail_first_id;  // losses from here on are only in the totals
  bool summary_only = false;              // counts but no per-probe ids
  // RTTs printed by the tool's own summary, used when series->rtt is absent (ping -q, mtr).
  std::optional<double> tool_rtt_min_ms, tool_rtt_avg_ms, tool_rtt_max_ms, tool_rtt_mdev_ms;
  std::string note;  // last line, e.g. "source ping.txt:1, iputils"
};

// The per-target block, fping/mtr style:
//   ceph4 (192.168.100.114)  degraded  4 of 73 lost (5.48%), 2 bursts, 1 outlier
//     seq 1-4 ok · 5-6 LOST · 7-72 ok · 73 LOST (tail)
//     rtt ms  min 2.85  median 3.41  p95 10.2  p99 248  max 248  mdev 28.9
// The label is padded to `label_width` (the longest label of the report; never truncated).
std::string RenderSeriesText(const SeriesText& s, size_t label_width, const TextOptions& options);

// An RTT with three significant digits, as fping's sprint_tm(): 0.412, 2.85, 12.3, 248.
std::string FormatRttMs(double ms);

// Every session's block, blank-line separated. Warnings and errors are the caller's (stderr).
std::string RenderPingLogText(const PingLogReport& report, const TextOptions& options);

// The --json document (docs/json.md, "ping-log"), dumped with invalid UTF-8 replaced.
std::string RenderPingLogJson(const PingLogReport& report);

}  // namespace kiriwake::report

#endif  // KIRIWAKE_REPORT_PING_LOG_REPORT_H_
