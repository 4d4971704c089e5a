// Kernel ring buffer as `dmesg -T` prints it: "[Sun Mar 15 10:59:32 2020] libceph: ...".
// (Plain `dmesg` has seconds since boot, which need the boot time: not a timeline source alone;
// such files are read as raw.) The kernel message itself is classified like any other line:
// libceph timeouts, hung tasks, MCEs, NIC links.
#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

LineMatch ParseDmesgLine(std::string_view line, LineContext& ctx, Event* ev, std::string* why) {
  if (line.size() < 27 || line[0] != '[' || line[4] != ' ') return LineMatch::kNo;
  size_t close = line.find("] ");
  if (close == std::string_view::npos || close > 30) return LineMatch::kNo;
  auto w = text::SplitWords(line.substr(1, close - 1));
  int month = 0;
  if (w.size() != 5 || !ParseMonthAbbrev(w[1], &month)) return LineMatch::kNo;
  Civil c;
  c.month = month;
  auto day = text::ParseUint(w[2]);
  auto year = text::ParseUint(w[4]);
  auto hms = text::Split(w[3], ':');
  if (!day || !year || hms.size() != 3) {
    *why = "\"[Www Mmm DD HH:MM:SS YYYY]\"";
    return LineMatch::kMalformed;
  }
  auto h = text::ParseUint(hms[0]), mi = text::ParseUint(hms[1]), s = text::ParseUint(hms[2]);
  if (!h || !mi || !s || *year > 9999) {
    *why = "\"[Www Mmm DD HH:MM:SS YYYY]\"";
    return LineMatch::kMalformed;
  }
  c.day = static_cast<int>(*day);
  c.year = static_cast<int>(*year);
  c.hour = static_cast<int>(*h);
  c.minute = static_cast<int>(*mi);
  c.second = static_cast<int>(*s);
  if (!CivilValid(c)) {
    *why = "a valid date and time";
    return LineMatch::kMalformed;
  }
  ev->time = ctx.FromLocal(c);
  ev->host = ctx.file_host;
  ev->source = SourceKind::kDmesg;
  ev->layer = Layer::kHypervisor;
  ev->message = Utf8(line.substr(close + 2));
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
