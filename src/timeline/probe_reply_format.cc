// Per-line events from ping -D and fping -D: one reply or one lost probe per line. The full
// ping parser (sessions, statistics) is ingest/ping_*; this is only what the timeline needs.
//   iputils: "[1584237572.123456] 64 bytes from 192.168.100.114: icmp_seq=1 ttl=64 time=248 ms"
//            "[1584237577.123456] no answer yet for icmp_seq=5"          (with -O)
//   fping:   "[1584237572.12345] ceph4 : [0], 84 bytes, 0.530 ms (0.530 avg, 0% loss)"
//            "[1584237577.12345] ceph4 : [5], timed out (0.530 avg, 16% loss)"
// Linux ping without -O prints nothing for a lost probe (the seed incident's trap): a jump in
// icmp_seq becomes one probe_lost event per missing sequence, its time interpolated (uncertain).
#include <fmt/format.h>

#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {
// Each run of ping gives at most this many synthetic events per gap: a gap is bounded by the
// wrap of icmp_seq (65536), but one line must not make a million events.
constexpr int64_t kMaxGapEvents = 1000;

// A step back by at most this many is a late reply (reordered, or answered after later ones),
// which leaves the run where it was; further back, ping was restarted or outputs were joined
// without their PING header, and a new run begins there.
constexpr int64_t kMaxLateBy = 64;

bool IsSeq16(int64_t s) { return s >= 0 && s <= 0xFFFF; }

// How far icmp_seq `s` is from `last`: > 0 ahead (1: the next probe), 0 the same, < 0 back. ping
// prints icmp_seq as the 16-bit field it is (iputils: 65535 is followed by 0), so the step is
// taken modulo 65536, the nearer way round, when both fit in 16 bits.
int64_t SeqStep(int64_t last, int64_t s) {
  if (!IsSeq16(last) || !IsSeq16(s)) return s - last;
  int64_t ahead = (s - last) & 0xFFFF;
  return ahead < 0x8000 ? ahead : ahead - 0x10000;
}

// An event the ping output implies but has no line of its own for (a silent loss, a restart).
Event PingNote(TimePoint t, const std::string& host, std::string_view target, Severity severity,
               const char* tag, std::string message) {
  Event e;
  e.time = t;
  e.host = host;
  e.source = SourceKind::kPing;
  e.layer = Layer::kNetwork;
  e.severity = severity;
  e.tag = tag;
  e.message = std::move(message);
  if (!target.empty()) e.subjects.emplace_back(target);
  return e;
}

// One probe_lost event per icmp_seq between ctx.ping_last_seq and the one `missing + 1` ahead
// into ctx.extra, at times stepped from the last reply's time towards `t`.
void AddGapEvents(LineContext& ctx, int64_t missing, TimePoint t, const std::string& host,
                  std::string_view target, const char* note) {
  auto step = (t - ctx.ping_last_time) / (missing + 1);
  for (int64_t i = 1; i <= missing && i <= kMaxGapEvents; ++i) {
    int64_t seq = ctx.ping_last_seq + i;
    if (IsSeq16(ctx.ping_last_seq)) seq &= 0xFFFF;  // 65535 -> 0
    Event lost =
        PingNote(ctx.ping_last_time + step * i, host, target, Severity::kWarning, "probe_lost",
                 fmt::format("no reply for icmp_seq={} (gap in icmp_seq)", seq));
    lost.time_uncertain = true;
    lost.time_note = note;
    ctx.extra.push_back(std::move(lost));
  }
}

// A ping -D line with "icmp_seq=N" but no usable "[seconds.micros]" before it (missing, cut, out of
// range, negative, an exponent): the probe it answers is accounted for all the same, or the
// next reply would count it as a silent loss that never happened. The line itself cannot be put
// on the clock, so it is malformed (a warning with file:line; the caller keeps it as a raw event
// at the previous line's time).
LineMatch TimelessPingLine(std::string_view line, LineContext& ctx, std::string* why) {
  // Only in a ping -D output (a timed reply was read): plain ping output has no time on any
  // line, and is said once as lines not in the format.
  if (ctx.ping_last_time == TimePoint{}) return LineMatch::kNo;
  size_t seq_at = line.find("icmp_seq=");
  if (seq_at == std::string_view::npos) return LineMatch::kNo;
  std::string_view sv = line.substr(seq_at + 9);
  auto seq = text::ConsumeUint(&sv);
  if (!seq || *seq > 0xffffffffULL) return LineMatch::kNo;
  auto s = static_cast<int64_t>(*seq);
  bool reply = line.find(" bytes from ") != std::string_view::npos;
  int64_t step = ctx.ping_last_seq >= 0 ? SeqStep(ctx.ping_last_seq, s) : 1;
  if (reply && ctx.ping_last_seq >= 0 && step > 1) {
    // Probes missing before this reply are still lost; with no time of this reply to
    // interpolate towards, they are placed at the last reply's time.
    AddGapEvents(ctx, step - 1, ctx.ping_last_time, ctx.file_host, ctx.ping_target,
                 "no line for this probe, and the reply after the gap has no usable time: time "
                 "of the previous reply");
  }
  // ping_last_time stays the last known time.
  if (step > 0 || step < -kMaxLateBy) ctx.ping_last_seq = s;
  *why =
      "a \"[seconds.micros]\" time (ping -D) before the reply (its probe is counted, not "
      "timed)";
  return LineMatch::kMalformed;
}
}  // namespace

LineMatch ParsePingLine(std::string_view line, LineContext& ctx, Event* ev, std::string* why) {
  if (line.starts_with("PING ")) {
    // "PING ceph4 (192.168.100.114) 56(84) bytes of data."
    auto w = text::SplitWords(line);
    if (w.size() >= 2) {
      ctx.ping_target = std::string(w[1]);
      if (w.size() >= 3 && w[2].starts_with("(") && w[2].ends_with(")"))
        ctx.ping_target = std::string(w[2].substr(1, w[2].size() - 2));
    }
    ctx.ping_last_seq = -1;
    return LineMatch::kConsumed;
  }
  if (ctx.ping_last_seq >= 0 &&
      (line.starts_with("--- ") || line.find(" packets transmitted, ") != std::string_view::npos ||
       line.starts_with("rtt min/avg/max") || line.starts_with("round-trip"))) {
    // The closing statistics have no timestamp: kept at the last reply's time.
    ev->time = ctx.ping_last_time;
    ev->time_uncertain = true;
    ev->time_note = "ping summary line: time of the last reply";
    ev->host = ctx.file_host;
    ev->source = SourceKind::kPing;
    ev->layer = Layer::kNetwork;
    ev->tag = "probe_summary";
    ev->message = Utf8(line);
    return LineMatch::kYes;
  }
  std::string_view v = line;
  TimePoint t;
  if (!ConsumeEpochBracket(&v, &t)) return TimelessPingLine(line, ctx, why);
  ev->time = t;
  ev->host = ctx.file_host;
  ev->source = SourceKind::kPing;
  ev->layer = Layer::kNetwork;
  AssignUtf8(&ev->message, v);
  size_t seq_at = v.find("icmp_seq=");
  if (seq_at == std::string_view::npos) {
    *why = "\"icmp_seq=N\" in a ping -D line";
    return LineMatch::kMalformed;
  }
  std::string_view sv = v.substr(seq_at + 9);
  auto seq = text::ConsumeUint(&sv);
  if (!seq) {
    *why = "\"icmp_seq=N\" in a ping -D line";
    return LineMatch::kMalformed;
  }
  std::string_view target = ctx.ping_target;  // not changed below
  if (v.find(" bytes from ") != std::string_view::npos) {
    std::string_view from = v.substr(v.find(" bytes from ") + 12);
    size_t colon = from.find(": ");
    if (colon != std::string_view::npos) {
      std::string_view who = from.substr(0, colon);
      size_t p = who.find('(');
      if (p != std::string_view::npos && who.ends_with(")")) who = who.substr(p + 1, who.size() - p - 2);
      target = who;
    }
    ev->tag = "probe_reply";
    ev->severity = Severity::kInfo;
  } else if (v.starts_with("no answer yet")) {
    ev->tag = "probe_lost";
    ev->severity = Severity::kWarning;
  } else {
    // "From 192.168.100.1 icmp_seq=5 Destination Host Unreachable"
    ev->tag = "probe_lost";
    ev->severity = Severity::kWarning;
  }
  if (!target.empty()) ev->subjects.emplace_back(target);
  if (*seq > 0xffffffffULL) {
    *why = "\"icmp_seq=N\" with N a 16-bit sequence number in a ping -D line";
    return LineMatch::kMalformed;
  }
  int64_t s = static_cast<int64_t>(*seq);
  int64_t step = ctx.ping_last_seq >= 0 ? SeqStep(ctx.ping_last_seq, s) : 1;
  if (ctx.ping_last_seq >= 0 && step > 1 && ev->tag == "probe_reply")
    AddGapEvents(ctx, step - 1, t, ev->host, target,
                 "no line for this probe: time interpolated between replies");
  // Ahead (across the 65535 -> 0 wrap too): the run moves on. A little back: a late reply, the
  // run stays. Far back: a new run (restart), taken up from here without inventing losses.
  if (step < -kMaxLateBy) {
    // Said on the timeline (as ping-log warns): a restart is itself a moment in the incident,
    // and without it the silence before it reads as nothing.
    ctx.extra.push_back(PingNote(
        t, ev->host, target, Severity::kInfo, "probe_restart",
        fmt::format("icmp_seq went back from {} to {}: a new run of ping (restarted, or outputs "
                    "joined without their PING header); the probes between are not counted as "
                    "lost",
                    ctx.ping_last_seq, s)));
  }
  if (step > 0 || step < -kMaxLateBy) {
    ctx.ping_last_seq = s;
    ctx.ping_last_time = t;
  } else if (ev->tag == "probe_reply") {
    ctx.ping_last_time = t;
  }
  return LineMatch::kYes;
}

LineMatch ParseFpingLine(std::string_view line, LineContext& ctx, Event* ev, std::string* why) {
  std::string_view v = line;
  TimePoint t;
  if (!ConsumeEpochBracket(&v, &t)) return LineMatch::kNo;
  size_t sep = v.find(" : [");
  if (sep == std::string_view::npos) return LineMatch::kNo;
  std::string_view target = v.substr(0, sep);
  std::string_view rest = v.substr(sep + 4);
  size_t close = rest.find("], ");
  if (close == std::string_view::npos || !text::ParseUint(rest.substr(0, close))) {
    *why = "\"TARGET : [N], ...\"";
    return LineMatch::kMalformed;
  }
  rest = rest.substr(close + 3);
  ev->time = t;
  ev->host = ctx.file_host;
  ev->source = SourceKind::kFping;
  ev->layer = Layer::kNetwork;
  AssignUtf8(&ev->message, v);
  ev->subjects.emplace_back(target);
  if (rest.starts_with("timed out")) {
    ev->tag = "probe_lost";
    ev->severity = Severity::kWarning;
  } else if (rest.find(" bytes, ") != std::string_view::npos) {
    ev->tag = "probe_reply";
  } else {
    *why = "\"N bytes, X ms\" or \"timed out\"";
    return LineMatch::kMalformed;
  }
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
