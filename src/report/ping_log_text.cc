// Text renderer for ping-log (style guide §5.8): per target a verdict line, a strip that shows
// where the losses are, then the numbers.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/ping_log_report.h"
#include "util/terminal_safe.h"

namespace kiriwake::report {
namespace {

constexpr const char* kRed = "\033[1;31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kReset = "\033[0m";
// A strip longer than this many LOST segments is cut; --json lists every burst.
constexpr size_t kMaxStripBursts = 10;
constexpr size_t kMaxOutliersShown = 5;

std::string Paint(const std::string& s, const char* color, const TextOptions& o) {
  return o.color ? fmt::format("{}{}{}", color, s, kReset) : s;
}

std::string Range(uint64_t a, uint64_t b) {
  return a == b ? fmt::format("{}", a) : fmt::format("{}-{}", a, b);
}

std::string Percent(double ratio) {
  double pct = ratio * 100.0;
  if (pct == 0) return "0%";
  return fmt::format("{:.3g}%", pct);
}

std::string Strip(const SeriesText& s, const TextOptions& o) {
  const model::ProbeSeries& ps = *s.series;
  if (ps.transmitted == 0) return "no probes";
  if (s.summary_only) {
    return fmt::format("totals only (no per-probe lines): {} lost, which ones is unknown",
                       ps.lost_count);
  }
  uint64_t last = s.last_id.value_or(s.first_id + ps.transmitted - 1);
  std::vector<std::string> parts;
  uint64_t next = s.first_id;
  size_t shown = 0;
  for (const model::LossBurst& b : ps.bursts) {
    if (shown == kMaxStripBursts) {
      size_t rest = ps.bursts.size() - shown;
      parts.push_back(
          fmt::format("… {} more LOST burst{} (see --json)", rest, rest == 1 ? "" : "s"));
      next = last + 1;
      break;
    }
    if (b.first > next) parts.push_back(fmt::format("{} ok", Range(next, b.first - 1)));
    uint64_t end = b.first + b.length - 1;
    std::string seg = fmt::format("{} {}", Range(b.first, end), Paint("LOST", kRed, o));
    if (s.tail_first_id && end >= *s.tail_first_id) seg += " (tail)";
    parts.push_back(std::move(seg));
    next = end + 1;
    ++shown;
  }
  if (next <= last) parts.push_back(fmt::format("{} ok", Range(next, last)));
  std::string out = s.id_word + " ";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += " · ";
    out += parts[i];
  }
  return out;
}

std::string RttLine(const SeriesText& s) {
  const model::ProbeSeries& ps = *s.series;
  if (ps.rtt) {
    const model::RttSummary& r = *ps.rtt;
    return fmt::format("rtt ms  min {}  median {}  p95 {}  p99 {}  max {}  mdev {}{}",
                       FormatRttMs(r.min_ms), FormatRttMs(r.median_ms), FormatRttMs(r.p95_ms),
                       FormatRttMs(r.p99_ms), FormatRttMs(r.max_ms), FormatRttMs(r.mdev_ms),
                       r.exact ? "" : "  (percentiles within 1%)");
  }
  if (s.tool_rtt_min_ms && s.tool_rtt_max_ms) {
    std::string out = fmt::format("rtt ms  min {}", FormatRttMs(*s.tool_rtt_min_ms));
    if (s.tool_rtt_avg_ms) out += fmt::format("  avg {}", FormatRttMs(*s.tool_rtt_avg_ms));
    out += fmt::format("  max {}", FormatRttMs(*s.tool_rtt_max_ms));
    if (s.tool_rtt_mdev_ms) out += fmt::format("  mdev {}", FormatRttMs(*s.tool_rtt_mdev_ms));
    return out + "  (from the tool's totals)";
  }
  return "rtt ms  none (nothing answered)";
}

}  // namespace

std::string FormatRttMs(double ms) {
  if (!std::isfinite(ms)) return "-";
  // fping's sprint_tm(): three significant digits.
  if (ms < 1.0) return fmt::format("{:.3f}", ms);
  if (ms < 10.0) return fmt::format("{:.2f}", ms);
  if (ms < 100.0) return fmt::format("{:.1f}", ms);
  return fmt::format("{:.0f}", ms);
}

std::string RenderSeriesText(const SeriesText& s, size_t label_width, const TextOptions& o) {
  const model::ProbeSeries& ps = *s.series;
  const char* color = kGreen;
  if (ps.verdict == model::Verdict::kDegraded) color = kYellow;
  if (ps.verdict == model::Verdict::kBroken) color = kRed;
  std::string verdict = fmt::format("{:<8}", model::VerdictName(ps.verdict));
  // The label and note name targets and files from the input: escaped (util/terminal_safe.h).
  std::string out = fmt::format("{:<{}}  {}  {} of {} lost ({})", text::TerminalSafe(s.label),
                                label_width, Paint(verdict, color, o), ps.lost_count,
                                ps.transmitted, Percent(ps.loss_ratio()));
  size_t nb = ps.bursts.size();
  if (nb) out += fmt::format(", {} burst{}", nb, nb == 1 ? "" : "s");
  if (ps.outlier_count) {
    out += fmt::format(", {} outlier{}", ps.outlier_count, ps.outlier_count == 1 ? "" : "s");
  }
  if (ps.errored) out += fmt::format(", {} ICMP error{}", ps.errored, ps.errored == 1 ? "" : "s");
  // Sent, but the line that should say how it ended was unreadable (warned about): the strip's
  // "ok" ranges include them, so the count is said here.
  uint64_t unreadable = s.summary_only ? 0 : ps.transmitted - ps.received - ps.lost_count;
  if (unreadable) {
    out += fmt::format(", {} neither answered nor lost (unreadable)", unreadable);
  }
  if (!ps.duplicates.empty()) {
    out +=
        fmt::format(", {} duplicate{}", ps.duplicates.size(), ps.duplicates.size() == 1 ? "" : "s");
  }
  out += "\n  " + Strip(s, o) + "\n  " + RttLine(s) + "\n";
  if (!ps.outliers.empty()) {
    out += "  outliers";
    for (size_t i = 0; i < ps.outliers.size() && i < kMaxOutliersShown; ++i) {
      out += fmt::format("{} {} {} ({} ms)", i ? "," : "", s.id_word, ps.outliers[i].id,
                         FormatRttMs(ps.outliers[i].rtt_ms));
    }
    if (ps.outliers.size() > kMaxOutliersShown) {
      out += fmt::format(", … {} more", ps.outlier_count - kMaxOutliersShown);
    }
    out += "\n";
  }
  if (!s.note.empty()) out += "  " + text::TerminalSafe(s.note) + "\n";
  return out;
}

namespace {

std::string Label(const ingest::PingSession& s) {
  std::string base;
  if (s.target_name.empty()) {
    base = s.target_address.empty() ? "(unknown target)" : s.target_address;
  } else if (s.target_address.empty() || s.target_address == s.target_name) {
    base = s.target_name;
  } else {
    base = fmt::format("{} ({})", s.target_name, s.target_address);
  }
  if (s.hop) base = fmt::format("hop {} {}", *s.hop, base);
  // Escaped before the column width is measured (RenderSeriesText escapes it again: a no-op).
  return text::TerminalSafe(base);
}

const char* IdWord(ingest::PingFormat f) {
  switch (f) {
    case ingest::PingFormat::kWindows:
      return "probe";
    case ingest::PingFormat::kFping:
      return "idx";
    case ingest::PingFormat::kMtr:
      return "probe";
    default:
      return "seq";
  }
}

}  // namespace

std::string RenderPingLogText(const PingLogReport& report, const TextOptions& options) {
  size_t width = 0;
  for (const ingest::PingSession& s : report.sessions) width = std::max(width, Label(s).size());
  std::string out;
  for (const ingest::PingSession& s : report.sessions) {
    SeriesText t;
    t.label = Label(s);
    t.series = &s.series;
    t.id_word = IdWord(s.format);
    t.first_id = s.first_id;
    t.last_id = s.last_id;
    t.tail_first_id = s.tail_first_id;
    t.summary_only = s.summary_only;
    if (s.totals) {
      t.tool_rtt_min_ms = s.totals->rtt_min_ms;
      t.tool_rtt_avg_ms = s.totals->rtt_avg_ms;
      t.tool_rtt_max_ms = s.totals->rtt_max_ms;
      t.tool_rtt_mdev_ms = s.totals->rtt_mdev_ms;
    }
    t.note = fmt::format("source {}, {}", s.source.ToString(), ingest::PingFormatName(s.format));
    if (!out.empty()) out += "\n";
    out += RenderSeriesText(t, width, options);
  }
  return out;
}

}  // namespace kiriwake::report
