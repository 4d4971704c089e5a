// HPE iLO Integrated Management Log as exported in "Key: Value" records, one record per block:
//   Severity: Critical
//   Class: Main Memory
//   Initial Update: 03/15/2020 00:48
//   Last Update: 03/15/2020 00:48
//   Count: 1
//   Description: Uncorrectable Memory Error detected ... (Processor 1, DIMM 4). ...
// The record becomes one event when its Description line is read, at its Initial Update time (when
// it first happened), in the file's zone: iLO keeps local time unless set to UTC.
#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {
bool ParseImlTime(std::string_view s, Civil* c) {
  // "03/15/2020 00:48" or "03/15/2020 00:48:10"
  auto parts = text::SplitWords(s);
  if (parts.size() != 2) return false;
  auto d = text::Split(parts[0], '/');
  auto t = text::Split(parts[1], ':');
  if (d.size() != 3 || t.size() < 2 || t.size() > 3) return false;
  auto mo = text::ParseUint(d[0]), dd = text::ParseUint(d[1]), yy = text::ParseUint(d[2]);
  auto h = text::ParseUint(t[0]), mi = text::ParseUint(t[1]);
  auto se = t.size() == 3 ? text::ParseUint(t[2]) : std::optional<uint64_t>(0);
  if (!mo || !dd || !yy || !h || !mi || !se || *yy > 9999 || *mo > 12 || *dd > 31 || *h > 23 ||
      *mi > 59 || *se > 60)
    return false;
  c->month = static_cast<int>(*mo);
  c->day = static_cast<int>(*dd);
  c->year = static_cast<int>(*yy);
  c->hour = static_cast<int>(*h);
  c->minute = static_cast<int>(*mi);
  c->second = static_cast<int>(*se);
  return CivilValid(*c);
}
}  // namespace

LineMatch ParseIloImlLine(std::string_view line, LineContext& ctx, Event* ev, std::string* why) {
  size_t colon = line.find(": ");
  if (colon == std::string_view::npos) return LineMatch::kNo;
  std::string_view key = text::Trim(line.substr(0, colon));
  std::string_view value = text::Trim(line.substr(colon + 2));
  static constexpr std::string_view kKeys[] = {"Severity", "Class", "Initial Update",
                                               "Last Update", "Count", "Description", "ID"};
  bool known = false;
  for (auto k : kKeys) known = known || key == k;
  if (!known) return LineMatch::kNo;
  if (key == "Severity") ctx.block.clear();
  ctx.block[std::string(key)] = std::string(value);
  if (key != "Description") return LineMatch::kConsumed;  // part of a record: consumed, no event yet

  std::string when = ctx.block.count("Initial Update") ? ctx.block["Initial Update"]
                                                       : ctx.block["Last Update"];
  Civil c;
  if (!ParseImlTime(when, &c)) {
    *why = "\"Initial Update: MM/DD/YYYY HH:MM\" before the Description";
    ctx.block.clear();
    return LineMatch::kMalformed;
  }
  ev->time = ctx.FromLocal(c);
  ev->host = ctx.file_host;
  ev->source = SourceKind::kIloIml;
  ev->layer = Layer::kHardware;
  std::string_view sev = ctx.block["Severity"];
  ev->severity = sev == "Critical" ? Severity::kCritical
               : sev == "Caution"  ? Severity::kWarning
               : sev == "Repaired" ? Severity::kNotice
                                   : Severity::kInfo;
  std::string cls = ctx.block["Class"];
  ev->message = Utf8((cls.empty() ? "" : cls + ": ") + std::string(value));
  if (auto it = ctx.block.find("Count"); it != ctx.block.end() && it->second != "1")
    ev->message += " (count " + it->second + ", last " + ctx.block["Last Update"] + ")";
  ctx.block.clear();
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
