// ingest/ping_log_internal.h: the machinery shared by ping_log.cc and the per-tool line parsers
// (ping_iputils.cc, ping_windows.cc, ping_fping.cc, ping_mtr.cc). Not part of the public API.
//
// SessionBuilder turns per-line events (a reply for raw id N, an ICMP error, an explicit
// timeout) into ProbeSeriesBuilder calls in increasing id order, through a ring of
// kReorderWindow slots: a reply may arrive late or out of order and still be placed, and a probe
// that never got a line is lost once it leaves the window or the session ends. Memory is the
// ring, whatever the length of the session. PingParser owns the open sessions and dispatches
// each line to the tool parsers. Not thread-safe.
#ifndef KIRIWAKE_INGEST_PING_LOG_INTERNAL_H_
#define KIRIWAKE_INGEST_PING_LOG_INTERNAL_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/line_reader.h"
#include "ingest/ping_log.h"
#include "model/probe_series.h"

namespace kiriwake::ingest::ping_internal {

// No real run sends 10^12 probes (31 000 years at 1 per second); larger ids and totals are damage,
// and keeping ids below this keeps every id + window sum far from overflow.
inline constexpr uint64_t kMaxProbeId = 1'000'000'000'000;

class SessionBuilder {
 public:
  // `first_id`: the id of the first probe the tool sends (1 for iputils, 0 for BSD, BusyBox and
  // fping, 1 for Windows positions). `seq16`: the tool prints ids modulo 65536 (ICMP sequence
  // numbers), so they are unwrapped.
  SessionBuilder(PingFormat format, SourceLoc source, uint64_t first_id, bool seq16,
                 const PingLogOptions& options);

  PingSession& info() { return info_; }
  const PingSession& info() const { return info_; }
  PingFormat format() const { return info_.format; }
  void set_format(PingFormat f) { info_.format = f; }

  // The RTT of a reply whose line shows it was answered but whose time is missing or unreadable
  // (a cut line, "time=1e400"): the probe counts as received and stays out of the RTT figures,
  // where a made-up 0 ms would drag the minimum and the mean down.
  static constexpr double kNoRtt = std::numeric_limits<double>::quiet_NaN();

  // Events, by the id as printed. `line` is the input line (for diagnostics).
  void Reply(uint64_t raw_id, double rtt_ms, bool marked_duplicate, int64_t line);
  // Reply(raw_id, rtt_ms, false, line) inline for the bulk of a long log: a reply newer than
  // every id placed so far, by less than the window (the next probe, or the next after a few
  // losses). Such an id unwraps to hi_ + its distance and its slot is free; anything else takes
  // Reply().
  void ReplyNext(uint64_t raw_id, double rtt_ms, int64_t line) {
    uint64_t ahead = (raw_id - hi_) & 0xFFFF;
    if (!seq16_ || !placed_ || raw_id > 0xFFFF || ahead >= kReorderWindow ||
        hi_ + ahead > kMaxProbeId) [[unlikely]] {
      Reply(raw_id, rtt_ms, false, line);
      return;
    }
    uint64_t id = hi_ + ahead;
    while (id >= base_ + kReorderWindow) {
      if (base_ < hi_) {
        FlushOne();
      } else {
        LostRunTo(id);
      }
    }
    hi_ = id + 1;
    size_t k = id % kReorderWindow;
    (*slots_)[k] = Slot::kAnswered;
    (*rtts_)[k] = rtt_ms;
  }
  // True when a reply (not marked "(DUP!)") for `raw_id` goes back in a way no late reply does:
  // below the first id (e.g. 3 -> 65533 before any wrap), older than the window, or onto a probe
  // already answered (these tools mark real duplicates). Then the tool was restarted or runs were
  // joined without their PING header: the parser begins a new session at it instead of reading
  // the jump as tens of thousands of losses. Forward steps, across the 65535 -> 0 wrap too, are
  // never a new run.
  bool IsNewRun(uint64_t raw_id) const {
    if (((raw_id - (hi_ - 1)) & 0xFFFF) < 0x8000) [[likely]] {
      return false;  // forward (or the same id): the usual
    }
    return IsNewRunSlow(raw_id);
  }
  // The last id placed, as the tool printed it (for messages).
  uint64_t last_raw() const { return seq16_ ? (hi_ - 1) & 0xFFFF : hi_ - 1; }
  void Error(uint64_t raw_id, int64_t line);
  void Timeout(uint64_t raw_id, int64_t line);
  // A probe the tool accounted for with a value that is neither a reply nor a loss (fping -C
  // printing "nan"): counted as sent only, so it inflates neither the replies nor the losses.
  void Unknown(uint64_t raw_id, int64_t line);
  // Windows: the next probe by position.
  uint64_t NextPosition() { return ++position_; }

  // No header gave the first id (a log cut at its start): the first id seen becomes the first.
  void set_headerless() { headerless_ = true; }
  // iputils >= 20240905 -3 prints every RTT with three decimals; then "9.100" is not the
  // s20180629 rounding bug. Set when a >= 1 ms RTT with three decimals other than ".100" is seen.
  bool rtt_precision3 = false;

  // The tool's totals were there but unusable, and that was warned about: Finish() does not add
  // that there were none.
  bool totals_unknown = false;

  void SetTotals(PingToolTotals totals) { info_.totals = std::move(totals); }
  bool has_totals() const { return info_.totals.has_value(); }
  bool has_probe_lines() const { return placed_; }

  void Warn(int64_t line, std::string message);
  // Flushes the window, adds tail losses, reconciles with the totals and computes the verdict.
  PingSession Finish();

 private:
  enum class Slot : uint8_t { kNone, kAnswered, kLost, kErrored, kUnknown };
  uint64_t Unwrap(uint64_t raw);
  bool IsNewRunSlow(uint64_t raw_id) const;
  // False when the id is older than the window (already final).
  bool Reach(uint64_t id);
  // Hands the probe base_ to builder_ and frees its slot.
  void FlushOne() {
    size_t k = base_ % kReorderWindow;
    Slot slot = (*slots_)[k];
    if (slot == Slot::kAnswered) [[likely]] {
      double rtt = (*rtts_)[k];
      if (!std::isnan(rtt)) [[likely]] {
        builder_.Answered(base_, rtt);
      } else {
        builder_.AnsweredWithoutDetail(1);  // kNoRtt
      }
    } else if (slot == Slot::kErrored) {
      builder_.Errored(base_);
    } else if (slot == Slot::kUnknown) {
      builder_.SentWithoutDetail(1);
    } else {  // kNone (no line for this probe: it was lost) or kLost
      builder_.Lost(base_);
    }
    (*slots_)[k] = Slot::kNone;
    ++base_;
  }
  // Nothing placed from base_ on: the ids up to the window ending at `id` are lost, as one run.
  void LostRunTo(uint64_t id);

  PingSession info_;
  PingLogOptions options_;
  model::ProbeSeriesBuilder builder_;
  bool seq16_;
  bool placed_ = false;
  bool headerless_ = false;
  uint64_t base_;  // lowest id not yet handed to builder_
  uint64_t hi_;    // one past the highest id placed
  uint64_t position_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t errored_ = 0;
  size_t warnings_dropped_ = 0;
  std::unique_ptr<std::array<Slot, kReorderWindow>> slots_;
  std::unique_ptr<std::array<double, kReorderWindow>> rtts_;
};

class PingParser {
 public:
  PingParser(LineReader& reader, const PingLogOptions& options);
  Result<PingLog> Run();

  // --- used by the tool parsers ---
  int64_t line_no() const { return line_no_; }
  const std::string& file() const { return reader_.name(); }
  SourceLoc Here() const { return SourceLoc{reader_.name(), line_no_, 0}; }
  const PingLogOptions& options() const { return options_; }

  // The session ping-style lines attach to (iputils, BSD, BusyBox, Windows); may be null.
  SessionBuilder* current() { return current_.get(); }
  // Closes the current session and opens a new one starting at this line.
  SessionBuilder& StartSession(PingFormat format, std::string name, std::string address,
                               uint64_t first_id, bool seq16, bool headerless = false);
  void CloseCurrent();
  // fping interleaves targets: one open session per host name.
  SessionBuilder& FpingSession(std::string_view host);
  void CloseFping(std::string_view host);
  bool has_fping() const { return !fping_.empty(); }
  // Adds a finished session (mtr hops).
  void AddSession(PingSession s) { done_.push_back(std::move(s)); }
  // A warning inside the current session, or a file-level one when there is none.
  void Warn(std::string message);
  void FileWarn(std::string message);
  // A file-level warning about an earlier line (where an mtr --json document started).
  void FileWarnAt(int64_t line, std::string message);

  // State for formats spanning lines.
  bool fping_interim = false;  // after fping -Q's "[hh:mm:ss]" line
  bool mtr_report = false;     // between mtr's "HOST:" header and the end of its rows
  std::vector<std::string> mtr_columns;
  std::vector<PingSession> mtr_hops;  // hops of the mtr report being read (see FinishMtrHops)
  std::string mtr_json;               // mtr --json document being collected
  int mtr_json_depth = 0;
  int64_t mtr_json_line = 0;
  bool in_mtr_json = false;
  // The bytes every ordinary reply of the current session starts with, up to and including
  // "icmp_seq=" (after any -D stamp), learnt from the last reply parsed the general way; empty
  // when unknown. Lets ParseReplyRun take the bulk of a long log without per-line dispatch.
  std::string reply_prefix;

 private:
  void Dispatch(std::string_view line);
  void FinishFping();

  LineReader& reader_;
  PingLogOptions options_;
  int64_t line_no_ = 0;
  std::unique_ptr<SessionBuilder> current_;
  std::vector<std::pair<std::string, std::unique_ptr<SessionBuilder>>> fping_;
  std::vector<PingSession> done_;
  PingLog log_;
  size_t file_warnings_dropped_ = 0;
  std::string first_unrecognized_;
  int64_t first_unrecognized_line_ = 0;
  bool recognized_any_ = false;
};

// Tool parsers: each returns true when it understood the line (or knows it as harmless noise).
bool ParseIputilsFamilyLine(PingParser& p, std::string_view line);
// The fast path: parses the consecutive ordinary replies at the start of `buf` (whole
// '\n'-terminated lines, the first numbered `first_line`) exactly as Dispatch would, and stops
// at the first line of any other shape. Returns the bytes consumed; *lines gets their count.
size_t ParseReplyRun(PingParser& p, std::string_view buf, int64_t first_line, int64_t* lines);
bool ParseWindowsLine(PingParser& p, std::string_view line);
bool ParseFpingLine(PingParser& p, std::string_view line);
bool ParseMtrLine(PingParser& p, std::string_view line);
// Called at the end of input while an mtr --json document is still open.
void FinishMtrJson(PingParser& p);
// Ends one mtr report: judges intermediate-hop loss against the later hops, then adds the hops.
void FinishMtrHops(PingParser& p);

// --- small scanners shared by the tool parsers ---
// Reads decimal digits (no sign) at the start of *s; nullopt if none or more than 19 (which
// could overflow). No division per digit: this runs several times per line of a multi-GB log.
inline std::optional<uint64_t> ConsumeDigits(std::string_view* s) {
  const char* p = s->data();
  size_t n = s->size();
  size_t i = 0;
  uint64_t v = 0;
  while (i < n && static_cast<unsigned char>(p[i] - '0') < 10) {
    v = v * 10 + static_cast<uint64_t>(p[i] - '0');
    ++i;
  }
  if (i == 0 || i > 19) return std::nullopt;
  s->remove_prefix(i);
  return v;
}
bool LooksLikeAddress(std::string_view s);

}  // namespace kiriwake::ingest::ping_internal

#endif  // KIRIWAKE_INGEST_PING_LOG_INTERNAL_H_
