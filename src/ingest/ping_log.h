// ingest/ping_log.h: saved ping/fping/mtr/Windows output -> sessions with every lost probe
// explicit.
//
// ParsePingLog streams one input through a LineReader and detects the format line by line, so a
// file may hold several sessions (concatenated runs, several targets, fping's interleaved
// targets). Each session feeds one model::ProbeSeriesBuilder; memory is bounded by the number of
// sessions and loss bursts, never by the number of lines (a window of kReorderWindow probes is
// kept to place late replies). Lines are never stored.
//
// Probe ids are the ids the tool printed (iputils/BSD icmp_seq, BusyBox seq, fping's [N]),
// unwrapped past 65535 so they keep increasing; Windows prints none, so an id is the probe's
// 1-based position. Losses after the last printed line are known only from the tool's totals and
// are added as tail losses. The reconstruction is reconciled with the tool's totals; a
// disagreement (a cut or edited file) is a warning with file:line.
//
// A pure function of the bytes read: no globals, safe from any thread with its own reader.
// Results own their strings.
#ifndef KIRIWAKE_INGEST_PING_LOG_H_
#define KIRIWAKE_INGEST_PING_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/line_reader.h"
#include "model/probe_series.h"
#include "util/result.h"
#include "util/status.h"

namespace kiriwake::ingest {

// Persisted in --json as lowercase strings ("iputils", ...): DO NOT rename.
enum class PingFormat { kIputils, kBusybox, kBsd, kWindows, kFping, kMtr };
const char* PingFormatName(PingFormat f);

// What the tool itself said at the end of a run (or in an interim status), for reconciliation.
struct PingToolTotals {
  SourceLoc loc;  // the totals line
  uint64_t transmitted = 0;
  uint64_t received = 0;  // as the tool counts it (Windows counts unreachable replies)
  std::optional<uint64_t> duplicates;
  std::optional<uint64_t> errors;
  std::optional<double> loss_percent;  // as printed
  // RTT summary as printed; used when no per-probe RTTs exist (ping -q, mtr, fping -q).
  std::optional<double> rtt_min_ms, rtt_avg_ms, rtt_max_ms, rtt_mdev_ms;
};

struct PingSession {
  PingFormat format = PingFormat::kIputils;
  SourceLoc source;            // where the session starts (header, or its first line)
  std::string target_name;     // as typed / printed; may equal the address
  std::string target_address;  // numeric address when the tool printed one, else empty
  std::optional<int> hop;      // mtr: 1-based hop number; absent for end-to-end tools
  model::ProbeSeries series;
  // Ids of the run: first_id .. last_id (last_id < first_id when nothing was sent).
  uint64_t first_id = 1;
  uint64_t last_id = 0;
  // First id lost after the last printed line (known only from the totals); absent when none.
  std::optional<uint64_t> tail_first_id;
  // True when the input had no per-probe lines (ping -q, fping -q, mtr): no lost ids, only counts.
  bool summary_only = false;
  // Windows counts "Reply from X: Destination host unreachable." as received; we count those
  // probes as lost (errored). This is how many such replies there were.
  uint64_t windows_error_replies = 0;
  // iputils <= s20180629 printed 12.960 ms as "12.10"; this many RTTs were corrected (§1.4).
  uint64_t rounding_bug_corrections = 0;
  std::optional<PingToolTotals> totals;
  std::vector<Diagnostic> warnings;
};

struct PingLog {
  std::vector<PingSession> sessions;
  // Findings not tied to one session (lines outside any session, a file cut mid-line).
  std::vector<Diagnostic> warnings;
  uint64_t lines = 0;
  uint64_t skipped_lines = 0;  // lines that were neither understood nor known noise
  // Not OK when the input could not be read to its end (a cut .gz, an I/O error): the sessions
  // hold what was read before, and this says why the rest is missing. Callers report both.
  Status read_error;
};

struct PingLogOptions {
  model::VerdictThresholds thresholds;
  // At most this many warnings are kept per session and per file; the rest are counted in a last
  // summary warning, so a 2 GB file of garbage yields a bounded report.
  size_t max_warnings = 50;
};

// Replies this many probes behind the newest are still placed (late, reordered); older probes
// are final. 4096 covers a 68-minute stall at ping's default 1 s interval.
inline constexpr uint64_t kReorderWindow = 4096;

// Parses one input. Unrecognized when the input holds no ping output at all (the message names
// the file and quotes what was seen, or the warnings that explain why nothing was usable); the
// reader's error when reading fails before anything was recognised (after that, the result
// carries it as read_error). A malformed line inside a recognised session is a warning and the
// session goes on.
Result<PingLog> ParsePingLog(LineReader& reader, const PingLogOptions& options = {});

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_PING_LOG_H_
