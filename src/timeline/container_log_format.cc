// `kubectl logs --timestamps` / CRI container logs: "2020-03-14T21:30:01.123456789Z message".
// The most general ISO-stamped shape, so it is tried after ESXi and journald short-iso.
#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

LineMatch ParseContainerLogLine(std::string_view line, LineContext& ctx, Event* ev,
                                std::string* why) {
  std::string_view v = line;
  Civil c;
  bool has_off = false;
  int32_t off = 0;
  if (!ConsumeIsoTimestamp(&v, &c, &has_off, &off, false) || !has_off) return LineMatch::kNo;
  if (!v.empty() && !text::Consume(&v, " ")) return LineMatch::kNo;
  if (!CivilValid(c)) {
    *why = "a valid date and time";
    return LineMatch::kMalformed;
  }
  // CRI log files add "stdout F " after the time.
  if (v.starts_with("stdout ") || v.starts_with("stderr ")) {
    std::string_view rest = v.substr(7);
    if (rest.starts_with("F ") || rest.starts_with("P ")) v = rest.substr(2);
  }
  ev->time = FromUtcCivil(c, off);
  ev->host = ctx.file_host;
  ev->source = SourceKind::kContainerLog;
  ev->layer = Layer::kApplication;
  ev->message = Utf8(v);
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
