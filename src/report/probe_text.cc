#include "report/probe_text.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "util/terminal_safe.h"

namespace kiriwake::report {

std::string FormatMs(double ms) {
  if (ms < 1) return fmt::format("{:.3f}", ms);
  if (ms < 10) return fmt::format("{:.2f}", ms);
  if (ms < 100) return fmt::format("{:.1f}", ms);
  return fmt::format("{:.0f}", ms);
}

namespace {
std::string Range(uint64_t a, uint64_t b) {
  return a == b ? fmt::format("{}", a) : fmt::format("{}-{}", a, b);
}
std::string Plural(uint64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}
}  // namespace

std::string LossStrip(const model::ProbeSeries& s, size_t max_segments) {
  std::vector<std::string> seg;
  uint64_t next = 1;
  uint64_t last = s.transmitted;
  size_t shown_bursts = 0;
  for (const model::LossBurst& b : s.bursts) {
    if (seg.size() >= max_segments) break;
    if (b.first > next) seg.push_back(Range(next, b.first - 1) + " ok");
    uint64_t end = b.first + b.length - 1;
    seg.push_back(Range(b.first, end) + " LOST" + (end == last ? " (tail)" : ""));
    next = end + 1;
    ++shown_bursts;
  }
  std::string out = "seq ";
  if (shown_bursts < s.bursts.size()) {
    for (size_t i = 0; i < seg.size(); ++i) out += (i ? " · " : "") + seg[i];
    return out + fmt::format(" · … {} more", Plural(s.bursts.size() - shown_bursts, "burst", "bursts"));
  }
  if (next <= last) seg.push_back(Range(next, last) + " ok");
  if (seg.empty()) return "seq none sent";
  for (size_t i = 0; i < seg.size(); ++i) out += (i ? " · " : "") + seg[i];
  return out;
}

std::string TargetLabel(const probe::TargetSummary& t) {
  std::string label = t.name == t.address ? t.address : fmt::format("{} ({})", t.name, t.address);
  if (!t.network.empty()) label += " on " + t.network;
  // Names come from the command line or a topology file: escaped (util/terminal_safe.h).
  return text::TerminalSafe(label);
}

std::string RenderProbeSummary(const probe::TargetSummary& t, size_t label_width) {
  const model::ProbeSeries& s = t.series;
  std::string out = fmt::format(
      "{:<{}}  {}  {} of {} lost ({:.2f}%), {}, {}\n", TargetLabel(t), label_width,
      model::VerdictName(s.verdict), s.lost_count, s.transmitted, s.loss_ratio() * 100,
      Plural(s.bursts.size(), "burst", "bursts"), Plural(s.outlier_count, "outlier", "outliers"));
  out += "  " + LossStrip(s) + "\n";
  if (s.rtt) {
    const model::RttSummary& r = *s.rtt;
    out += fmt::format("  rtt ms  min {}  median {}  p95 {}  p99 {}  max {}  mdev {}\n",
                       FormatMs(r.min_ms), FormatMs(r.median_ms), FormatMs(r.p95_ms),
                       FormatMs(r.p99_ms), FormatMs(r.max_ms), FormatMs(r.mdev_ms));
  } else {
    out += "  rtt ms  no replies\n";
  }
  std::vector<std::string> extra;
  if (t.lost_forward && t.lost_reverse && (*t.lost_forward + *t.lost_reverse) > 0) {
    extra.push_back(fmt::format("{} lost on the way there, {} on the way back",
                                *t.lost_forward, *t.lost_reverse));
  }
  if (s.errored) extra.push_back(fmt::format("{} errored", s.errored));
  if (s.late) extra.push_back(fmt::format("{} late", s.late));
  if (!s.duplicates.empty()) extra.push_back(Plural(s.duplicates.size(), "duplicate", "duplicates"));
  if (t.reordered) extra.push_back(fmt::format("{} reordered", t.reordered));
  if (!extra.empty()) {
    out += "  also    ";
    for (size_t i = 0; i < extra.size(); ++i) out += (i ? ", " : "") + extra[i];
    out += "\n";
  }
  return out;
}

std::string RenderProbeSummaries(const std::vector<probe::TargetSummary>& targets) {
  size_t width = 0;
  for (const auto& t : targets) width = std::max(width, TargetLabel(t).size());
  std::string out;
  for (const auto& t : targets) out += RenderProbeSummary(t, width);
  return out;
}

std::string RenderProbeEventLine(const probe::TargetSummary& t, const probe::ProbeEvent& e,
                                 double timeout_ms, size_t label_width) {
  std::string label = fmt::format("{:<{}}", TargetLabel(t), label_width);
  switch (e.outcome) {
    case probe::ProbeOutcome::kLost:
      return fmt::format("{}  seq {} LOST (no reply within {} ms)\n", label, e.seq,
                         FormatMs(timeout_ms));
    case probe::ProbeOutcome::kLate:
      return fmt::format("{}  seq {} late reply after {} ms (stays lost)\n", label, e.seq,
                         FormatMs(e.rtt_ms));
    case probe::ProbeOutcome::kErrored:
      if (e.icmp_type != 0) {
        return fmt::format("{}  seq {} LOST: {} (ICMP type {} code {})\n", label, e.seq,
                           std::strerror(e.error_errno), e.icmp_type, e.icmp_code);
      }
      return fmt::format("{}  seq {} LOST: {}\n", label, e.seq, std::strerror(e.error_errno));
    case probe::ProbeOutcome::kDuplicate:
      return fmt::format("{}  seq {} duplicate reply after {} ms\n", label, e.seq,
                         FormatMs(e.rtt_ms));
    case probe::ProbeOutcome::kAnswered:
      return {};
  }
  return {};
}

}  // namespace kiriwake::report
