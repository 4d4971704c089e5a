// Ceph logs, line -> event only (the full parser is ingest/ceph_*):
//   daemon log (Nautilus, local time without zone):
//     "2020-03-15 10:59:32.510 7fc405cf9700  0 log_channel(cluster) log [WRN] : Health check ..."
//   cluster log (ceph.log):
//     "2020-03-15 10:59:32.510123 mon.eins (mon.0) 123 : cluster [WRN] Health check update: ..."
//   Octopus and later write "2020-03-15T10:59:32.510+0900" with an offset; both are read.
// Severity from "[WRN]"/"[ERR]"/... or the daemon's log level (-1 is an error); the health check
// name in the last parentheses ("(OSD_SLOW_PING_TIME_BACK)") becomes subject "check:NAME".
#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

LineMatch ParseCephLine(std::string_view line, LineContext& ctx, Event* ev, std::string* why) {
  std::string_view v = line;
  Civil c;
  bool has_off = false;
  int32_t off = 0;
  if (!ConsumeIsoTimestamp(&v, &c, &has_off, &off, true) || !text::Consume(&v, " "))
    return LineMatch::kNo;
  std::string_view msg;
  Severity sev = Severity::kInfo;
  std::string daemon;
  std::string_view w[4];
  size_t nw = FirstWords(v.substr(0, std::min<size_t>(v.size(), 64)), w, 4);
  if (nw >= 2 && w[0].size() >= 8 &&
      w[0].find_first_not_of("0123456789abcdef") == std::string_view::npos) {
    // Daemon log: THREAD LEVEL message
    auto level = text::ParseInt(w[1]);
    if (!level) return LineMatch::kNo;
    // w[1] points into v: its end is where the message starts.
    size_t at = static_cast<size_t>(w[1].data() - v.data()) + w[1].size();
    msg = text::TrimLeft(text::Clipped(v, at));
    sev = *level < 0 ? Severity::kError : *level == 0 ? Severity::kInfo : Severity::kDebug;
    size_t mon = msg.find("mon.");
    if (mon != std::string_view::npos && mon < 4) {
      std::string_view d = msg.substr(mon);
      daemon = std::string(d.substr(0, d.find_first_of("@ :")));
    }
  } else if (nw >= 4 &&
             (w[0].starts_with("mon.") || w[0].starts_with("osd.") || w[0].starts_with("mgr.")) &&
             w[1].starts_with("(")) {
    size_t cl = v.find(" : ");
    if (cl == std::string_view::npos) return LineMatch::kNo;
    msg = v.substr(cl + 3);
    daemon = std::string(w[0]);
    if (msg.starts_with("cluster ")) msg.remove_prefix(8);
  } else {
    return LineMatch::kNo;
  }
  if (!CivilValid(c)) {
    *why = "a valid date and time";
    return LineMatch::kMalformed;
  }
  size_t br = msg.find('[');
  if (br != std::string_view::npos && br < 32 && msg.size() > br + 4 && msg[br + 4] == ']') {
    std::string_view s = msg.substr(br + 1, 3);
    if (s == "WRN") sev = Severity::kWarning;
    else if (s == "ERR") sev = Severity::kError;
    else if (s == "INF") sev = Severity::kInfo;
    else if (s == "DBG") sev = Severity::kDebug;
    else if (s == "SEC") sev = Severity::kNotice;
    msg = text::TrimLeft(msg.substr(br + 5));
    text::Consume(&msg, ": ");
  }
  ev->time = has_off ? FromUtcCivil(c, off) : ctx.FromLocal(c);
  ev->host = ctx.file_host.empty() ? daemon : ctx.file_host;
  ev->source = SourceKind::kCeph;
  ev->layer = Layer::kStorage;
  ev->severity = sev;
  AssignUtf8(&ev->message, msg);
  if (msg.find("Health check cleared") != std::string_view::npos) {
    ev->tag = "ceph_check_cleared";
    ev->severity = Severity::kInfo;
  }
  if (msg.ends_with(")")) {
    size_t open = msg.rfind('(');
    std::string_view name = msg.substr(open + 1, msg.size() - open - 2);
    if (open != std::string_view::npos && !name.empty() &&
        name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == std::string_view::npos)
      ev->subjects.emplace_back("check:").append(name);
  }
  if (!daemon.empty()) ev->subjects.push_back(daemon);
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
