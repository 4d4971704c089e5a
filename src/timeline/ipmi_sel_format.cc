// `ipmitool sel elist`: "   1 | 03/15/2020 | 00:48:10 | Memory #0x01 | Uncorrectable ECC | Asserted".
// The BMC clock has no zone: read in the file's zone (--tz). "Pre-Init" entries were logged before
// the BMC knew the time: kept with the previous entry's time, marked uncertain.
#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

LineMatch ParseIpmiSelLine(std::string_view line, LineContext& ctx, Event* ev, std::string* why) {
  auto f = text::Split(line, '|');
  if (f.size() < 5) return LineMatch::kNo;
  for (auto& x : f) x = text::Trim(x);
  if (!text::ParseUint(f[0]) && !(f[0].size() <= 8 && !f[0].empty() &&
                                   f[0].find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos))
    return LineMatch::kNo;
  std::string rest;
  for (size_t i = 3; i < f.size(); ++i) {
    if (!rest.empty()) rest += " | ";
    rest += f[i];
  }
  ev->host = ctx.file_host;
  ev->source = SourceKind::kIpmiSel;
  ev->layer = Layer::kHardware;
  ev->message = Utf8(rest);
  if (f[1] == "Pre-Init") {
    ev->time_uncertain = true;
    ev->time_note = "Pre-Init: logged before the BMC clock was set";
    ev->time = ctx.ping_last_time;  // previous entry's time (kept in the shared slot)
    return LineMatch::kYes;
  }
  auto d = text::Split(f[1], '/');
  auto t = text::Split(f[2], ':');
  if (d.size() != 3 || t.size() != 3) {
    *why = "\"MM/DD/YYYY | HH:MM:SS\" in the 2nd and 3rd fields";
    return LineMatch::kMalformed;
  }
  Civil c;
  auto mo = text::ParseUint(d[0]), dd = text::ParseUint(d[1]), yy = text::ParseUint(d[2]);
  auto h = text::ParseUint(t[0]), mi = text::ParseUint(t[1]), s = text::ParseUint(t[2]);
  if (!mo || !dd || !yy || !h || !mi || !s || *yy > 9999 || *mo > 12 || *dd > 31 || *h > 23 ||
      *mi > 59 || *s > 60) {
    *why = "\"MM/DD/YYYY | HH:MM:SS\" in the 2nd and 3rd fields";
    return LineMatch::kMalformed;
  }
  c.month = static_cast<int>(*mo);
  c.day = static_cast<int>(*dd);
  c.year = static_cast<int>(*yy);
  c.hour = static_cast<int>(*h);
  c.minute = static_cast<int>(*mi);
  c.second = static_cast<int>(*s);
  if (!CivilValid(c)) {
    *why = "a valid date";
    return LineMatch::kMalformed;
  }
  ev->time = ctx.FromLocal(c);
  ctx.ping_last_time = ev->time;
  if (f.size() >= 6 && f[5] == "Deasserted") ev->severity = Severity::kInfo;
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
