// PostgreSQL server log with the default log_line_prefix '%m [%p] ':
//   "2020-03-15 06:30:12.345 JST [123] LOG:  database system is ready to accept connections"
// The zone is the server's abbreviation (log_timezone); the common ones are known, others fall
// back to the file's zone and say so.
#include <array>

#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {
struct Abbrev {
  std::string_view name;
  int32_t offset_s;
};
constexpr std::array kAbbrevs = {
    Abbrev{"UTC", 0},          Abbrev{"GMT", 0},          Abbrev{"JST", 9 * 3600},
    Abbrev{"KST", 9 * 3600},   Abbrev{"CST", -6 * 3600},  Abbrev{"CDT", -5 * 3600},
    Abbrev{"EST", -5 * 3600},  Abbrev{"EDT", -4 * 3600},  Abbrev{"PST", -8 * 3600},
    Abbrev{"PDT", -7 * 3600},  Abbrev{"MST", -7 * 3600},  Abbrev{"MDT", -6 * 3600},
    Abbrev{"CET", 3600},       Abbrev{"CEST", 7200},      Abbrev{"BST", 3600},
    Abbrev{"IST", 19800},      Abbrev{"AEST", 36000},     Abbrev{"AEDT", 39600},
};
}  // namespace

LineMatch ParsePostgresLine(std::string_view line, LineContext& ctx, Event* ev,
                            std::string* why) {
  std::string_view v = line;
  Civil c;
  bool has_off = false;
  int32_t off = 0;
  if (!ConsumeIsoTimestamp(&v, &c, &has_off, &off, true) || line[10] != ' ') return LineMatch::kNo;
  if (!text::Consume(&v, " ")) return LineMatch::kNo;
  size_t sp = v.find(' ');
  if (sp == std::string_view::npos || sp > 6) return LineMatch::kNo;
  std::string_view abbrev = v.substr(0, sp);
  v.remove_prefix(sp + 1);
  if (!v.starts_with("[")) return LineMatch::kNo;
  size_t close = v.find("] ");
  if (close == std::string_view::npos) return LineMatch::kNo;
  std::string_view rest = v.substr(close + 2);
  size_t colon = rest.find(":  ");
  if (colon == std::string_view::npos || colon > 10) return LineMatch::kNo;
  std::string_view level = rest.substr(0, colon);
  if (!CivilValid(c)) {
    *why = "a valid date and time";
    return LineMatch::kMalformed;
  }
  bool known = false;
  for (const auto& a : kAbbrevs) {
    if (a.name == abbrev) {
      ev->time = FromUtcCivil(c, a.offset_s);
      known = true;
    }
  }
  if (!known) {
    ev->time = ctx.FromLocal(c);
    ev->time_uncertain = true;
    ev->time_note = "zone abbreviation " + std::string(abbrev) + " unknown; read in the file's zone";
  }
  ev->host = ctx.file_host;
  ev->source = SourceKind::kPostgres;
  ev->layer = Layer::kApplication;
  ev->severity = level == "WARNING"                      ? Severity::kWarning
               : level == "ERROR"                        ? Severity::kError
               : level == "FATAL" || level == "PANIC"    ? Severity::kCritical
               : level.starts_with("DEBUG")              ? Severity::kDebug
                                                         : Severity::kInfo;
  AssignUtf8(&ev->message, level, ": ", rest.substr(colon + 3));
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
