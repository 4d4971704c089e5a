// Keyword rules that give a line its tag, layer and severity. Each rule cites where its words
// come from; first match wins, so specific rules come before general ones.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

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

// Every rule's needle is looked up in one pass over the message. Each needle's first four bytes
// (every needle has at least four) hash to one bit of an 8 KiB table that stays in L1; a position
// whose four bytes hit no bit cannot start a needle, which is almost every position, at a load,
// a multiply and a bit test each. On a hit the rules are checked in order, so first-match-wins
// holds by taking the lowest rule index found. (50 find() calls per line, then a 2-byte table
// with per-candidate memcmp, each dominated the profile in turn.)
uint32_t Load4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

uint32_t Hash4(uint32_t v) { return (v * 0x9E3779B1u) >> 16; }

struct RuleIndex {
  std::array<uint64_t, 1024> may_start{};  // 65536 bits, by Hash4 of a needle's first 4 bytes
  // For a hit, the rules whose needle hashes to the same low 8 bits: usually one.
  std::array<uint64_t, 256> rules_by_hash{};
  std::array<uint32_t, kRules.size()> head{};  // each needle's first 4 bytes
  RuleIndex() {
    for (size_t i = 0; i < kRules.size(); ++i) {
      head[i] = Load4(kRules[i].needle.data());
      uint32_t h = Hash4(head[i]);
      may_start[h >> 6] |= uint64_t{1} << (h & 63);
      rules_by_hash[h & 255] |= uint64_t{1} << i;
    }
  }
};
static_assert(kRules.size() >= 1 && kRules.size() <= 64, "a rule set is one 64-bit mask");

constexpr size_t kMinNeedle = [] {
  size_t n = SIZE_MAX;
  for (const auto& r : kRules) n = std::min(n, r.needle.size());
  return n;
}();
static_assert(kMinNeedle >= 4, "FirstRule reads 4 bytes at every candidate position");

int FirstRule(std::string_view m) {
  static const RuleIndex kIndex;
  int best = -1;
  if (m.size() < 4) return best;
  // Rules still worth finding: those before the best found so far.
  uint64_t wanted = ~uint64_t{0} >> (64 - kRules.size());
  const char* p = m.data();
  size_t end = m.size() - 3;  // last position with 4 bytes left
  for (size_t i = 0; i < end && wanted != 0; ++i) {
    uint32_t v = Load4(p + i);
    uint32_t h = Hash4(v);
    if ((kIndex.may_start[h >> 6] >> (h & 63) & 1) == 0) continue;
    for (uint64_t c = kIndex.rules_by_hash[h & 255] & wanted; c != 0; c &= c - 1) {
      int r = __builtin_ctzll(c);  // lowest index first: the first match here is the best here
      if (kIndex.head[r] == v && m.substr(i, kRules[r].needle.size()) == kRules[r].needle) {
        best = r;
        wanted = (uint64_t{1} << r) - 1;
        break;
      }
    }
  }
  return best;
}

}  // namespace

void Classify(Event* ev, bool subjects) {
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
  if (subjects) ExtractSubjects(ev->message, &ev->subjects);
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

namespace {
// "00".."99": two digits per lookup.
constexpr std::array<char, 200> kDigitPairs = [] {
  std::array<char, 200> a{};
  for (int i = 0; i < 100; ++i) {
    a[2 * i] = static_cast<char>('0' + i / 10);
    a[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return a;
}();

char* Put2(char* p, int64_t v) {
  std::memcpy(p, &kDigitPairs[static_cast<size_t>(v) * 2], 2);
  return p + 2;
}
}  // namespace

char* UtcFormatter::Write(char* p, TimePoint t) {
  int64_t us = t.time_since_epoch().count();
  int64_t sec = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  int64_t frac = us - sec * 1000000;
  int64_t day = sec >= 0 ? sec / 86400 : (sec - 86399) / 86400;
  if (day != day_) {
    Civil c = EpochSecondsToCivil(day * 86400);
    if (c.year < 0 || c.year > 9999) c.year = 0;
    char* d = date_;
    d = Put2(d, c.year / 100);
    d = Put2(d, c.year % 100);
    *d++ = '-';
    d = Put2(d, c.month);
    *d++ = '-';
    d = Put2(d, c.day);
    *d = 'T';
    day_ = day;
  }
  std::memcpy(p, date_, sizeof date_);
  p += sizeof date_;
  int64_t s = sec - day * 86400;
  p = Put2(p, s / 3600);
  *p++ = ':';
  p = Put2(p, s / 60 % 60);
  *p++ = ':';
  p = Put2(p, s % 60);
  *p++ = '.';
  if (frac % 1000 == 0) {  // whole milliseconds: three digits
    int64_t ms = frac / 1000;
    *p++ = static_cast<char>('0' + ms / 100);
    p = Put2(p, ms % 100);
  } else {
    p = Put2(p, frac / 10000);
    p = Put2(p, frac / 100 % 100);
    p = Put2(p, frac % 100);
  }
  *p++ = 'Z';
  return p;
}

std::string FormatUtc(TimePoint t) {
  char buf[UtcFormatter::kMaxBytes];
  UtcFormatter f;
  return std::string(buf, f.Write(buf, t));
}

}  // namespace kiriwake::timeline
