// fping (reference §5; src/fping.c print_per_system_stats(), the per-probe printf in
// wait_for_reply() and the timeout path added in 5.0). fping interleaves targets, so every line
// names its host: "HOST : [N], 64 bytes, 0.412 ms (0.412 avg, 0% loss)", "HOST : [N], timed out
// (NaN avg, 100% loss)", "HOST : xmt/rcv/%loss = 73/69/5%, min/avg/max = ...", "HOST : 0.41 -
// 2.84" (-C), "HOST : duplicate for [N], ...", "HOST is alive (0.04 ms)", "HOST is unreachable".
#include <cmath>

#include <fmt/format.h>

#include "ingest/ping_log_internal.h"
#include "util/text.h"

namespace kiriwake::ingest::ping_internal {
namespace {

using text::Consume;

bool HasSpace(std::string_view s) { return s.find(' ') != std::string_view::npos; }

// A new run for a host whose previous run already ended (concatenated fping outputs).
SessionBuilder& ProbeSession(PingParser& p, std::string_view host) {
  SessionBuilder& s = p.FpingSession(host);
  if (!s.has_totals()) return s;
  p.CloseFping(host);
  return p.FpingSession(host);
}

// "[3], 64 bytes, 4.32 ms (85.1 avg, 25% loss)" / "[2], timed out (125 avg, 33% loss)"
bool ProbeLine(PingParser& p, std::string_view host, std::string_view s, bool duplicate) {
  auto idx = ConsumeDigits(&s);
  if (!idx || !Consume(&s, "]")) return false;
  SessionBuilder& sess = duplicate ? p.FpingSession(host) : ProbeSession(p, host);
  if (!Consume(&s, ", ")) {
    sess.Warn(p.line_no(), fmt::format("expected \", \" after [{}]", *idx));
    return true;
  }
  if (s.starts_with("timed out")) {
    sess.Timeout(*idx, p.line_no());
    return true;
  }
  size_t comma = s.find(" bytes, ");
  if (comma == std::string_view::npos) {
    sess.Warn(p.line_no(), fmt::format("expected \"N bytes, X ms\" or \"timed out\", saw \"{}\"",
                                       EscapeForMessage(s)));
    return true;
  }
  std::string_view t = s.substr(comma + 8);
  auto ms = text::ConsumeDecimal(&t);
  if (!ms || !t.starts_with(" ms")) {
    // "64 bytes" says a reply came; only its time is unreadable.
    sess.Warn(p.line_no(),
              fmt::format("expected an RTT in ms, saw \"{}\"; counted as answered without an RTT",
                          EscapeForMessage(t)));
    sess.Reply(*idx, SessionBuilder::kNoRtt, duplicate, p.line_no());
    return true;
  }
  sess.Reply(*idx, *ms, duplicate, p.line_no());
  return true;
}

// "xmt/rcv/%loss = 73/69/5%, outage(ms) = 4000, min/avg/max = 0.412/17.3/248"
bool SummaryLine(PingParser& p, std::string_view host, std::string_view s, bool interim) {
  if (!Consume(&s, "xmt/rcv/%loss = ") && !Consume(&s, "xmt/rcv/%return = ")) return false;
  // fping -Q prints interval statistics after "[hh:mm:ss]"; only the final line is the run's.
  if (interim) {
    p.fping_interim = true;
    return true;
  }
  SessionBuilder& sess = p.FpingSession(host);
  auto tx = ConsumeDigits(&s);
  auto rx = tx && Consume(&s, "/") ? ConsumeDigits(&s) : std::nullopt;
  if (!tx || !rx) {
    sess.Warn(p.line_no(), "expected xmt/rcv numbers");
    return true;
  }
  PingToolTotals t;
  t.loc = p.Here();
  t.transmitted = *tx;
  t.received = *rx;
  if (Consume(&s, "/")) {
    if (auto pct = ConsumeDigits(&s)) t.loss_percent = static_cast<double>(*pct);
  }
  size_t mm = s.find("min/avg/max = ");
  if (mm != std::string_view::npos) {
    std::string_view v = s.substr(mm + 14);
    auto a = text::ConsumeDecimal(&v);
    auto b = a && Consume(&v, "/") ? text::ConsumeDecimal(&v) : std::nullopt;
    auto c = b && Consume(&v, "/") ? text::ConsumeDecimal(&v) : std::nullopt;
    if (c) {
      t.rtt_min_ms = a;
      t.rtt_avg_ms = b;
      t.rtt_max_ms = c;
    }
  }
  sess.SetTotals(std::move(t));
  return true;
}

// -C: "HOST : 2.84 248 - 4.32": one token per probe, "-" for no reply.
bool CountSummaryLine(PingParser& p, std::string_view host, std::string_view s) {
  std::vector<std::string_view> tokens = text::SplitWords(s);
  if (tokens.empty()) return false;
  for (std::string_view tok : tokens) {
    if (tok != "-" && !text::ParseDouble(tok)) return false;
  }
  SessionBuilder& sess = p.FpingSession(host);
  bool feed = !sess.has_probe_lines();  // -C with -q: this line is the only per-probe data
  uint64_t received = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] == "-") {
      if (feed) sess.Timeout(i, p.line_no());
      continue;
    }
    double ms = *text::ParseDouble(tokens[i]);
    if (!std::isfinite(ms) || ms < 0) {
      // from_chars reads "nan", "inf" and "-5", none of which fping prints for a reply or a
      // loss ("-"): the probe is counted as sent, neither answered nor lost, and stays out of
      // the RTT figures.
      sess.Warn(p.line_no(),
                fmt::format("probe {}: \"{}\" is not an RTT (expected a non-negative number of "
                            "ms, or \"-\" for no reply); counted as sent, neither answered nor "
                            "lost",
                            i, EscapeForMessage(tokens[i])));
      if (feed) sess.Unknown(i, p.line_no());
      continue;
    }
    ++received;
    if (feed) sess.Reply(i, ms, false, p.line_no());
  }
  if (!sess.has_totals()) {
    PingToolTotals t;
    t.loc = p.Here();
    t.transmitted = tokens.size();
    t.received = received;
    sess.SetTotals(std::move(t));
  }
  return true;
}

}  // namespace

bool ParseFpingLine(PingParser& p, std::string_view line) {
  bool interim = p.fping_interim;
  p.fping_interim = false;
  size_t sep = line.find(" : ");
  if (sep != std::string_view::npos) {
    std::string_view host = text::TrimRight(line.substr(0, sep));
    if (host.empty() || HasSpace(host)) return false;
    std::string_view rest = line.substr(sep + 3);
    if (Consume(&rest, "[")) return ProbeLine(p, host, rest, false);
    if (Consume(&rest, "duplicate for [")) return ProbeLine(p, host, rest, true);
    if (rest.starts_with("xmt/rcv/")) return SummaryLine(p, host, rest, interim);
    return CountSummaryLine(p, host, rest);
  }
  // -Q: "[12:00:05]" precedes interval statistics.
  if (line.size() == 10 && line.front() == '[' && line.back() == ']' && line[3] == ':' &&
      line[6] == ':') {
    p.fping_interim = true;
    return true;
  }
  // Default/-e mode: one line per target, no probe ids.
  if (size_t k = line.find(" is alive");
      k != std::string_view::npos && !HasSpace(line.substr(0, k))) {
    std::string_view host = line.substr(0, k);
    std::string_view rest = line.substr(k + 9);
    PingToolTotals t;
    t.loc = p.Here();
    t.transmitted = 1;
    t.received = 1;
    if (Consume(&rest, " (")) {
      if (auto ms = text::ConsumeDecimal(&rest)) t.rtt_min_ms = t.rtt_avg_ms = t.rtt_max_ms = ms;
    }
    p.CloseFping(host);
    p.FpingSession(host).SetTotals(std::move(t));
    p.CloseFping(host);
    return true;
  }
  if (line.ends_with(" is unreachable") && !HasSpace(line.substr(0, line.size() - 15))) {
    std::string_view host = line.substr(0, line.size() - 15);
    PingToolTotals t;
    t.loc = p.Here();
    t.transmitted = 1;
    p.CloseFping(host);
    p.FpingSession(host).SetTotals(std::move(t));
    p.CloseFping(host);
    return true;
  }
  if (!p.has_fping()) return false;
  // "ICMP Host Unreachable from 10.0.0.1 for ICMP Echo sent to 10.0.0.9" (stderr): the probe
  // also times out, which is what counts it; keep the cause as a warning on that host.
  if (line.starts_with("ICMP ")) {
    size_t to = line.find(" for ICMP Echo sent to ");
    if (to != std::string_view::npos) {
      std::string_view host = line.substr(to + 23);
      p.FpingSession(host).Warn(p.line_no(),
                                fmt::format("{}", EscapeForMessage(line.substr(0, to))));
      return true;
    }
  }
  // -s statistics ("       1 targets", "   0.412 ms (min round trip time)") and fping's own errors.
  if (line.front() == ' ' || line.starts_with("fping: ")) return true;
  return false;
}

}  // namespace kiriwake::ingest::ping_internal
