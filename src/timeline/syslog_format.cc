// RFC 3164 ("BSD") and RFC 5424 syslog lines as rsyslog/syslog-ng write them to files.
#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {

// "prog[pid]: msg" or "prog: msg" -> prog, msg. Kernel lines lose their "[ 12.345678] " stamp.
void SplitProgram(std::string_view rest, Event* ev) {
  size_t colon = rest.find(": ");
  std::string_view prog;
  std::string_view msg = rest;
  if (colon != std::string_view::npos && colon < 64 && rest.substr(0, colon).find(' ') == std::string_view::npos) {
    prog = rest.substr(0, colon);
    msg = rest.substr(colon + 2);
  }
  size_t br = prog.find('[');
  std::string_view name = prog.substr(0, br);
  if (name == "kernel") {
    ev->layer = Layer::kHypervisor;  // the host's OS kernel; Classify refines by keyword
    if (msg.starts_with("[")) {
      size_t close = msg.find("] ");
      if (close != std::string_view::npos && close < 20) msg = msg.substr(close + 2);
    }
  }
  if (name.empty()) {
    AssignUtf8(&ev->message, msg);
  } else {
    AssignUtf8(&ev->message, name, ": ", msg);
  }
}

Severity FromSyslogSeverity(int sev) {
  if (sev <= 2) return Severity::kCritical;
  if (sev == 3) return Severity::kError;
  if (sev == 4) return Severity::kWarning;
  if (sev == 5) return Severity::kNotice;
  if (sev == 6) return Severity::kInfo;
  return Severity::kDebug;
}

}  // namespace

LineMatch ParseSyslogLine(std::string_view line, LineContext& ctx, Event* ev, std::string* why) {
  // "Mar 15 10:59:32 host prog[pid]: msg"; the day is space-padded ("Mar  5").
  if (line.size() < 16 || line[3] != ' ') return LineMatch::kNo;
  int month = 0;
  if (!ParseMonthAbbrev(line.substr(0, 3), &month)) return LineMatch::kNo;
  std::string_view v = line.substr(4);
  if (v.starts_with(" ")) v.remove_prefix(1);
  auto day = text::ConsumeUint(&v);
  if (!day || !text::Consume(&v, " ")) return LineMatch::kNo;
  Civil c;
  c.month = month;
  c.day = static_cast<int>(*day);
  auto h = text::ConsumeUint(&v);
  if (!h || !text::Consume(&v, ":")) return LineMatch::kNo;
  auto mi = text::ConsumeUint(&v);
  if (!mi || !text::Consume(&v, ":")) return LineMatch::kNo;
  auto se = text::ConsumeUint(&v);
  if (!se || !text::Consume(&v, " ")) return LineMatch::kNo;
  c.hour = static_cast<int>(*h);
  c.minute = static_cast<int>(*mi);
  c.second = static_cast<int>(*se);
  // No year in RFC 3164: the file's assumed year, stepped at a December -> January rollover.
  if (ctx.last_month == 12 && month == 1) ++ctx.year_bump;
  c.year = (ctx.assumed_year > 0 ? ctx.assumed_year : 1970) + ctx.year_bump;
  if (!CivilValid(c)) {
    *why = "a valid date and time (\"Mar 15 10:59:32\")";
    return LineMatch::kMalformed;
  }
  ctx.last_month = month;
  ctx.used_assumed_year = true;
  size_t sp = v.find(' ');
  if (sp == std::string_view::npos || sp == 0) {
    *why = "\"HOST PROGRAM: MESSAGE\" after the time";
    return LineMatch::kMalformed;
  }
  bool ambiguous = false;
  ev->time = ctx.FromLocal(c, &ambiguous);
  ev->time_uncertain = true;
  ev->time_note = ambiguous ? "year inferred; wall time in a DST change" : "year inferred";
  ev->host.assign(v.substr(0, sp));
  ev->source = SourceKind::kSyslog;
  SplitProgram(v.substr(sp + 1), ev);
  return LineMatch::kYes;
}

LineMatch ParseSyslog5424Line(std::string_view line, LineContext& ctx, Event* ev,
                              std::string* why) {
  // "<34>1 2020-03-15T10:59:32.003+09:00 host app 123 ID47 - msg" (RFC 5424 section 6).
  std::string_view v = line;
  int pri = -1;
  if (text::Consume(&v, "<")) {
    auto p = text::ConsumeUint(&v);
    if (!p || *p > 191 || !text::Consume(&v, ">")) return LineMatch::kNo;
    pri = static_cast<int>(*p);
  }
  if (!text::Consume(&v, "1 ")) return LineMatch::kNo;
  Civil c;
  bool has_off = false;
  int32_t off = 0;
  if (!ConsumeIsoTimestamp(&v, &c, &has_off, &off, false)) {
    if (pri < 0) return LineMatch::kNo;
    *why = "an RFC 3339 timestamp after \"<PRI>1 \"";
    return LineMatch::kMalformed;
  }
  if (!CivilValid(c)) {
    *why = "a valid date and time";
    return LineMatch::kMalformed;
  }
  auto words = text::Split(text::Clipped(v, 1), ' ');
  if (!text::Consume(&v, " ") || words.size() < 4) {
    *why = "HOST APP PROCID MSGID after the timestamp";
    return LineMatch::kMalformed;
  }
  ev->time = has_off ? FromUtcCivil(c, off) : ctx.FromLocal(c);
  ev->host = words[0] == "-" ? ctx.file_host : std::string(words[0]);
  ev->source = SourceKind::kSyslog5424;
  if (pri >= 0) ev->severity = FromSyslogSeverity(pri & 7);
  // Skip HOST APP PROCID MSGID and the structured data ("-" or "[...]").
  std::string_view rest = v;
  for (int i = 0; i < 4; ++i) {
    size_t sp = rest.find(' ');
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  if (rest.starts_with("- ")) {
    rest.remove_prefix(2);
  } else if (rest == "-") {
    rest = {};
  } else if (rest.starts_with("[")) {
    size_t end = rest.find("] ");
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
  }
  std::string_view app = words[1];
  if (app == "-") {
    AssignUtf8(&ev->message, rest);
  } else {
    AssignUtf8(&ev->message, app, ": ", rest);
  }
  if (app == "kernel") ev->layer = Layer::kHypervisor;
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
