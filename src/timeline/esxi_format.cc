// ESXi host logs, all stamped in UTC with a 'Z' (ESXi 6.x):
//   vmkernel.log  "2020-03-15T01:02:03.456Z cpu1:2097152)vmnic2: ... Link down"
//   vobd.log      "2020-03-15T01:02:03.456Z: [netCorrelator] 1234us: [vob.net.vmnic.linkstate.down] ..."
//   hostd.log / fdm.log  "2020-03-15T01:02:03.456Z info hostd[2099876] [Originator@6876 sub=...] ..."
// An upgrade shows as a change of the "VMware ESXi X.Y.Z build-N" banner between boots.
#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

LineMatch ParseEsxiLine(std::string_view line, LineContext& ctx, Event* ev, std::string* why) {
  std::string_view v = line;
  Civil c;
  bool has_off = false;
  int32_t off = 0;
  if (!ConsumeIsoTimestamp(&v, &c, &has_off, &off, false) || !has_off) return LineMatch::kNo;
  std::string_view msg;
  Severity sev = Severity::kInfo;
  if (v.starts_with(" cpu")) {
    size_t paren = v.find(')');
    if (paren == std::string_view::npos || paren > 24) return LineMatch::kNo;
    msg = v.substr(paren + 1);
    if (msg.starts_with("WARNING:")) sev = Severity::kWarning;
    if (msg.starts_with("ALERT:")) sev = Severity::kError;
  } else if (v.starts_with(": [")) {
    msg = v.substr(2);
  } else if (v.starts_with(" ")) {
    std::string_view w[2];
    if (FirstWords(v.substr(0, std::min<size_t>(v.size(), 48)), w, 2) < 2) return LineMatch::kNo;
    static constexpr std::string_view kLevels[] = {"verbose", "info", "warning", "error", "panic"};
    bool level = false;
    for (auto l : kLevels) level = level || w[0] == l;
    std::string_view prog = w[1].substr(0, w[1].find('['));
    if (!level || !(prog == "hostd" || prog == "fdm" || prog == "vpxa")) return LineMatch::kNo;
    if (w[0] == "warning") sev = Severity::kWarning;
    if (w[0] == "error") sev = Severity::kError;
    if (w[0] == "panic") sev = Severity::kCritical;
    msg = v.substr(1);
    // fdm is the vSphere HA agent: its errors are HA agent errors.
    if (prog == "fdm" && sev >= Severity::kError) ev->tag = "ha_agent_error";
  } else {
    return LineMatch::kNo;
  }
  if (!CivilValid(c)) {
    *why = "a valid date and time";
    return LineMatch::kMalformed;
  }
  ev->time = FromUtcCivil(c, off);
  ev->host = ctx.file_host;
  ev->source = SourceKind::kEsxi;
  ev->layer = Layer::kHypervisor;
  ev->severity = sev;
  AssignUtf8(&ev->message, msg);
  if (ev->tag == "ha_agent_error") ev->layer = Layer::kHypervisor;
  size_t banner = msg.find("VMware ESXi ");
  if (banner != std::string_view::npos) {
    std::string version(text::Trim(msg.substr(banner + 12)));
    if (!ctx.esxi_version.empty() && version != ctx.esxi_version) {
      ev->tag = "esxi_upgrade";
      ev->operator_action = true;
      ev->severity = Severity::kNotice;
      ev->message += " (was " + ctx.esxi_version + ")";
    }
    ctx.esxi_version = version;
  }
  return LineMatch::kYes;
}

}  // namespace kiriwake::timeline
