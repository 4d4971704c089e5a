// journalctl -o json (one JSON object per line) and -o short-iso / short-iso-precise.
#include <nlohmann/json.hpp>

#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

LineMatch ParseJournalJsonLine(std::string_view line, LineContext& ctx, Event* ev,
                               std::string* why) {
  std::string_view t = text::TrimLeft(line);
  if (!t.starts_with("{\"")) return LineMatch::kNo;
  // journald's export puts __CURSOR/__REALTIME_TIMESTAMP first; any object with the latter counts.
  if (t.find("\"__REALTIME_TIMESTAMP\"") == std::string_view::npos) return LineMatch::kNo;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(t);
  } catch (const nlohmann::json::exception& e) {
    *why = "a JSON object (" + std::string(e.what()) + ")";
    return LineMatch::kMalformed;
  }
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    return it->get<std::string>();
  };
  auto us = text::ParseUint(str("__REALTIME_TIMESTAMP"));
  if (!us) {
    *why = "__REALTIME_TIMESTAMP as a string of microseconds";
    return LineMatch::kMalformed;
  }
  ev->time = TimePoint(std::chrono::microseconds(static_cast<int64_t>(*us)));
  ev->host = str("_HOSTNAME");
  if (ev->host.empty()) ev->host = ctx.file_host;
  ev->source = SourceKind::kJournalJson;
  // MESSAGE may be an array of bytes when not UTF-8 (systemd.journal-fields(7)).
  std::string msg;
  auto m = j.find("MESSAGE");
  if (m != j.end() && m->is_string()) {
    msg = m->get<std::string>();
  } else if (m != j.end() && m->is_array()) {
    for (const auto& b : *m) {
      if (b.is_number_unsigned()) msg += static_cast<char>(b.get<unsigned>() & 0xff);
    }
  }
  std::string ident = str("SYSLOG_IDENTIFIER");
  if (str("_TRANSPORT") == "kernel") {
    ident = "kernel";
    ev->layer = Layer::kHypervisor;
  }
  ev->message = Utf8(ident.empty() ? msg : ident + ": " + msg);
  auto pri = text::ParseUint(str("PRIORITY"));
  if (pri) {
    int p = static_cast<int>(*pri);
    ev->severity = p <= 2 ? Severity::kCritical : p == 3 ? Severity::kError
                 : p == 4 ? Severity::kWarning : p == 5 ? Severity::kNotice
                 : p == 6 ? Severity::kInfo : Severity::kDebug;
  }
  return LineMatch::kYes;
}

LineMatch ParseJournalShortIsoLine(std::string_view line, LineContext& ctx, Event* ev,
                                   std::string* why) {
  // "2020-03-15T10:59:32+0900 host prog[pid]: msg" (journalctl -o short-iso; also rsyslog's
  // RSYSLOG_FileFormat "2020-03-15T10:59:32.123456+09:00 host prog: msg").
  std::string_view v = line;
  Civil c;
  bool has_off = false;
  int32_t off = 0;
  if (!ConsumeIsoTimestamp(&v, &c, &has_off, &off, false)) return LineMatch::kNo;
  if (!has_off || !text::Consume(&v, " ")) return LineMatch::kNo;
  size_t sp = v.find(' ');
  if (sp == std::string_view::npos) return LineMatch::kNo;
  std::string_view rest = v.substr(sp + 1);
  size_t colon = rest.find(": ");
  if (colon == std::string_view::npos || rest.substr(0, colon).find(' ') != std::string_view::npos)
    return LineMatch::kNo;
  if (!CivilValid(c)) {
    *why = "a valid date and time";
    return LineMatch::kMalformed;
  }
  ev->time = FromUtcCivil(c, off);
  ev->host.assign(v.substr(0, sp));
  ev->source = SourceKind::kJournalShortIso;
  std::string_view prog = rest.substr(0, colon);
  std::string_view name = prog.substr(0, prog.find('['));
  std::string_view msg = rest.substr(colon + 2);
  if (name == "kernel") {
    ev->layer = Layer::kHypervisor;
    if (msg.starts_with("[")) {
      size_t close = msg.find("] ");
      if (close != std::string_view::npos && close < 20) msg = msg.substr(close + 2);
    }
  }
  (void)ctx;
  AssignUtf8(&ev->message, name, ": ", msg);
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
