// Keyword rules that give a line its tag, layer and severity. Each rule cites where its words
// come from; first match wins, so specific rules come before general ones.
#include <array>
#include <cstdint>
#include <vector>

#include "timeline/line_format.h"

namespace kiriwake::timeline {

namespace {

struct Rule {
  std::string_view needle;
  std::string_view tag;
  Layer layer;
  Severity severity;
  bool action = false;
};

constexpr std::array kRules = {
    // HPE iLO IML / ROM: "Uncorrectable Memory Error ... The memory module has been mapped out";
    // ipmitool sel: "Memory #0x.. | Uncorrectable ECC".
    Rule{"Uncorrectable Memory Error", "dimm_failure", Layer::kHardware, Severity::kCritical},
    Rule{"Uncorrectable ECC", "dimm_failure", Layer::kHardware, Severity::kCritical},
    Rule{"Uncorrectable memory", "dimm_failure", Layer::kHardware, Severity::kCritical},
    Rule{"has been mapped out", "dimm_failure", Layer::kHardware, Severity::kCritical},
    Rule{"Correctable ECC", "memory_error", Layer::kHardware, Severity::kWarning},
    Rule{"Correctable Memory Error", "memory_error", Layer::kHardware, Severity::kWarning},
    // ESXi vmkernel "MCA: ..." / "Machine Check Exception"; Linux "mce: [Hardware Error]".
    Rule{"Machine Check", "mce", Layer::kHardware, Severity::kError},
    Rule{"MCE:", "mce", Layer::kHardware, Severity::kError},
    Rule{"[Hardware Error]", "mce", Layer::kHardware, Severity::kError},
    Rule{"MCA:", "mce", Layer::kHardware, Severity::kError},
    // ESXi purple screen: vmkernel "@BlueScreen: ...", "PSOD"; Linux "Kernel panic".
    Rule{"@BlueScreen", "panic", Layer::kHypervisor, Severity::kCritical},
    Rule{"PSOD", "panic", Layer::kHypervisor, Severity::kCritical},
    Rule{"Kernel panic", "panic", Layer::kHypervisor, Severity::kCritical},
    Rule{"ASR Detected", "reset", Layer::kHardware, Severity::kError},
    Rule{"System reset", "reset", Layer::kHardware, Severity::kError},
    // ESXi 6.x vmkernel at the end of boot; ipmitool "System Boot Initiated"; Linux dmesg.
    Rule{"Boot Successful", "boot", Layer::kHypervisor, Severity::kNotice},
    Rule{"System Boot Initiated", "boot", Layer::kHardware, Severity::kNotice},
    Rule{"Linux version", "boot", Layer::kHypervisor, Severity::kNotice},
    // esxupdate / esxcli software profile update.
    Rule{"esxupdate", "esxi_upgrade", Layer::kHypervisor, Severity::kNotice, true},
    Rule{"profile update", "esxi_upgrade", Layer::kHypervisor, Severity::kNotice, true},
    // vSphere HA agent (fdm) trouble as hostd/vobd/fdm report it.
    Rule{"vSphere HA agent for this host has an error", "ha_agent_error", Layer::kHypervisor, Severity::kError},
    Rule{"vob.fdm", "ha_agent_error", Layer::kHypervisor, Severity::kError},
    // hostd: a port group moved to another vSwitch (the seed's move to the 1GbE uplinks).
    Rule{"UpdatePortGroup", "net_path_change", Layer::kNetwork, Severity::kNotice, true},
    // NIC link: vmkernel "vmnic2: ... Link down", vobd "vob.net.vmnic.linkstate.down",
    // Linux "ixgbe ... NIC Link is Down".
    Rule{"linkstate.down", "nic_link_down", Layer::kNetwork, Severity::kWarning},
    Rule{"Link down", "nic_link_down", Layer::kNetwork, Severity::kWarning},
    Rule{"Link is Down", "nic_link_down", Layer::kNetwork, Severity::kWarning},
    Rule{"linkstate.up", "nic_link_up", Layer::kNetwork, Severity::kInfo},
    Rule{"Link up", "nic_link_up", Layer::kNetwork, Severity::kInfo},
    Rule{"Link is Up", "nic_link_up", Layer::kNetwork, Severity::kInfo},
    // Ceph health checks (Nautilus names) and mon/osd messages.
    Rule{"OSD_SLOW_PING_TIME", "ceph_slow_ping", Layer::kStorage, Severity::kWarning},
    Rule{"SLOW_OPS", "ceph_slow_ops", Layer::kStorage, Severity::kWarning},
    Rule{"slow ops", "ceph_slow_ops", Layer::kStorage, Severity::kWarning},
    Rule{"slow requests", "ceph_slow_ops", Layer::kStorage, Severity::kWarning},
    Rule{"prepare_failure", "ceph_failure_report", Layer::kStorage, Severity::kWarning},
    Rule{"heartbeat_check: no reply", "ceph_heartbeat_miss", Layer::kStorage, Severity::kWarning},
    Rule{"OSD_DOWN", "ceph_osd_down", Layer::kStorage, Severity::kError},
    Rule{"marked down", "ceph_osd_down", Layer::kStorage, Severity::kError},
    Rule{"HEALTH_OK", "ceph_healthy", Layer::kStorage, Severity::kInfo},
    Rule{"Cluster is now healthy", "ceph_healthy", Layer::kStorage, Severity::kInfo},
    // Linux kernel client: "libceph: osd3 192.168.100.114:6802 socket closed (con state OPEN)",
    // "libceph: mon0 192.168.100.111:6789 session lost, hunting for new mon".
    Rule{"socket closed", "libceph_timeout", Layer::kStorage, Severity::kWarning},
    Rule{"session lost", "libceph_timeout", Layer::kStorage, Severity::kWarning},
    Rule{"socket error", "libceph_timeout", Layer::kStorage, Severity::kWarning},
    // Linux hung-task detector: "INFO: task chown:1234 blocked for more than 120 seconds."
    Rule{"blocked for more than", "hung_task", Layer::kApplication, Severity::kError},
    // Operator changes: "sudo: ... COMMAND=/sbin/swapoff -a", systemd "Deactivated swap".
    Rule{"swapoff", "swap_off", Layer::kApplication, Severity::kNotice, true},
    Rule{"Deactivated swap", "swap_off", Layer::kApplication, Severity::kNotice, true},
    // PostgreSQL server log.
    Rule{"ready to accept connections", "db_ready", Layer::kApplication, Severity::kInfo},
    Rule{"starting PostgreSQL", "db_start", Layer::kApplication, Severity::kInfo},
    Rule{"chown", "chown", Layer::kApplication, Severity::kInfo},
};

}  // namespace

namespace {

// Every rule's needle is looked up in one pass over the message: a table keyed by the needle's
// first two bytes says which rules could start at a position (the first-match-wins order is kept
// by taking the lowest rule index found). 50 separate find() calls per line dominated the profile.
struct RuleIndex {
  std::vector<uint8_t> may_start = std::vector<uint8_t>(65536, 0);
  std::vector<std::vector<uint16_t>> by_prefix = std::vector<std::vector<uint16_t>>(65536);
  RuleIndex() {
    for (size_t i = 0; i < kRules.size(); ++i) {
      auto n = kRules[i].needle;
      unsigned key = (static_cast<unsigned char>(n[0]) << 8) | static_cast<unsigned char>(n[1]);
      may_start[key] = 1;
      by_prefix[key].push_back(static_cast<uint16_t>(i));
    }
  }
};

int FirstRule(std::string_view m) {
  static const RuleIndex kIndex;
  int best = -1;
  if (m.size() < 2) return best;
  for (size_t i = 0; i + 1 < m.size(); ++i) {
    unsigned key = (static_cast<unsigned char>(m[i]) << 8) | static_cast<unsigned char>(m[i + 1]);
    if (!kIndex.may_start[key]) continue;
    for (uint16_t r : kIndex.by_prefix[key]) {
      if (best >= 0 && r >= best) continue;
      if (m.substr(i, kRules[r].needle.size()) == kRules[r].needle) best = r;
    }
  }
  return best;
}

}  // namespace

void Classify(Event* ev) {
  if (ev->tag.empty()) {
    int r = FirstRule(ev->message);
    if (r >= 0) {
      const Rule& rule = kRules[r];
      ev->tag = rule.tag;
      ev->layer = rule.layer;
      if (rule.severity > ev->severity) ev->severity = rule.severity;
      ev->operator_action = ev->operator_action || rule.action;
    }
  }
  ExtractSubjects(ev->message, &ev->subjects);
}

std::string_view LayerName(Layer l) {
  switch (l) {
    case Layer::kHardware: return "hardware";
    case Layer::kHypervisor: return "hypervisor";
    case Layer::kNetwork: return "network";
    case Layer::kStorage: return "storage";
    case Layer::kOrchestration: return "orchestration";
    case Layer::kApplication: return "application";
  }
  return "application";
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kDebug: return "debug";
    case Severity::kInfo: return "info";
    case Severity::kNotice: return "notice";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

std::optional<Severity> ParseSeverityName(std::string_view s) {
  for (Severity v : {Severity::kDebug, Severity::kInfo, Severity::kNotice, Severity::kWarning,
                     Severity::kError, Severity::kCritical}) {
    if (SeverityName(v) == s) return v;
  }
  return std::nullopt;
}

std::string_view SourceKindName(SourceKind k) {
  switch (k) {
    case SourceKind::kSyslog: return "syslog";
    case SourceKind::kSyslog5424: return "syslog-rfc5424";
    case SourceKind::kJournalJson: return "journald-json";
    case SourceKind::kJournalShortIso: return "journald-short-iso";
    case SourceKind::kDmesg: return "dmesg";
    case SourceKind::kEsxi: return "esxi";
    case SourceKind::kIpmiSel: return "ipmi-sel";
    case SourceKind::kIloIml: return "ilo-iml";
    case SourceKind::kKubeEvents: return "kubectl-events";
    case SourceKind::kContainerLog: return "container-log";
    case SourceKind::kPostgres: return "postgresql";
    case SourceKind::kPing: return "ping";
    case SourceKind::kFping: return "fping";
    case SourceKind::kCeph: return "ceph";
    case SourceKind::kRaw: return "raw";
  }
  return "raw";
}

std::string FormatAtOffset(TimePoint t, int32_t offset_s) {
  int64_t us = t.time_since_epoch().count();
  int64_t s = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  int64_t frac = us - s * 1000000;
  Civil c = EpochSecondsToCivil(s + offset_s);
  char buf[64];
  int sign = offset_s < 0 ? -1 : 1;
  int32_t a = offset_s * sign;
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d %c%02d:%02d", c.year, c.month,
                c.day, c.hour, c.minute, c.second, static_cast<int>(frac / 1000),
                sign < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  return buf;
}

std::string FormatUtc(TimePoint t) {
  // Hand-formatted: this runs once per event printed, and snprintf dominated the profile.
  int64_t us = t.time_since_epoch().count();
  int64_t sec = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  int64_t frac = us - sec * 1000000;
  Civil c = EpochSecondsToCivil(sec);
  bool ms = frac % 1000 == 0;
  char buf[32];
  auto put = [&](int pos, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buf[pos + i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  if (c.year < 0 || c.year > 9999) c.year = 0;
  put(0, c.year, 4);
  buf[4] = '-';
  put(5, c.month, 2);
  buf[7] = '-';
  put(8, c.day, 2);
  buf[10] = 'T';
  put(11, c.hour, 2);
  buf[13] = ':';
  put(14, c.minute, 2);
  buf[16] = ':';
  put(17, c.second, 2);
  buf[19] = '.';
  int n = ms ? 3 : 6;
  put(20, ms ? frac / 1000 : frac, n);
  buf[20 + n] = 'Z';
  return std::string(buf, 21 + n);
}

}  // namespace kiriwake::timeline
