// Keyword rules that give a line its tag, layer and severity. Each rule cites where its words
// come from; first match wins, so specific rules come before general ones.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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
static_assert(kMinNeedle >= 4, "the scans read 4 bytes at every candidate position");

// The scalar scan from position `start`: carries the best rule so far and the rules still worth
// finding (those before it), as the vector scan hands its tail over.
const RuleIndex& Index() {
  static const RuleIndex k;
  return k;
}

// The exact check both scans end in, at m[i] whose first four bytes are v: the 4-byte hash
// test, then the rules among `candidates` that hash there, lowest index first (the first match
// here is the best here). A match narrows *best and *wanted to the rules that would beat it.
inline void MatchAt(const RuleIndex& index, std::string_view m, size_t i, uint32_t v,
                    uint64_t candidates, int* best, uint64_t* wanted) {
  uint32_t h = Hash4(v);
  if ((index.may_start[h >> 6] >> (h & 63) & 1) == 0) return;
  for (uint64_t c = candidates & index.rules_by_hash[h & 255] & *wanted; c != 0; c &= c - 1) {
    int r = __builtin_ctzll(c);
    if (index.head[r] == v && m.substr(i, kRules[r].needle.size()) == kRules[r].needle) {
      *best = r;
      *wanted = (uint64_t{1} << r) - 1;
      return;
    }
  }
}

int ScanScalar(std::string_view m, size_t start, int best, uint64_t wanted) {
  const RuleIndex& kIndex = Index();
  if (m.size() < 4) return best;
  const char* p = m.data();
  size_t end = m.size() - 3;  // last position with 4 bytes left
  for (size_t i = start; i < end && wanted != 0; ++i) {
    MatchAt(kIndex, m, i, Load4(p + i), ~uint64_t{0}, &best, &wanted);
  }
  return best;
}

constexpr uint64_t kAllRules = ~uint64_t{0} >> (64 - kRules.size());

#if defined(__x86_64__)
// A Teddy-style prefilter (as in Hyperscan and ripgrep): rules fall into 8 buckets, and for each
// of a needle's first four bytes two 16-entry tables, indexed by the byte's low and high nibble,
// say which buckets may hold it. PSHUFB looks up 16 positions at once, so the message is passed
// over 16 bytes at a time and only positions where all four bytes fit some bucket are checked
// exactly; the scalar scan did a hash and a table test at every byte.
struct Teddy {
  alignas(16) uint8_t lo[4][16] = {};
  alignas(16) uint8_t hi[4][16] = {};
  std::array<uint64_t, 256> rules_of{};  // bucket set -> the rules in those buckets
  Teddy() {
    // Needles sorted by their first bytes, cut into 8 runs: alike needles share a bucket, so a
    // bucket's nibble tables admit few byte combinations no needle has (2.6% of positions in
    // the benchmark's logs pass, against 6% with rules dealt round-robin).
    std::array<size_t, kRules.size()> order{};
    for (size_t r = 0; r < kRules.size(); ++r) order[r] = r;
    std::sort(order.begin(), order.end(), [](size_t a, size_t b) {
      return kRules[a].needle.substr(0, 2) < kRules[b].needle.substr(0, 2);
    });
    std::array<size_t, kRules.size()> bucket{};
    for (size_t k = 0; k < kRules.size(); ++k) bucket[order[k]] = k * 8 / kRules.size();
    std::array<uint64_t, 8> in_bucket{};
    for (size_t r = 0; r < kRules.size(); ++r) {
      size_t b = bucket[r];
      in_bucket[b] |= uint64_t{1} << r;
      for (size_t j = 0; j < 4; ++j) {
        auto c = static_cast<uint8_t>(kRules[r].needle[j]);
        lo[j][c & 15] |= static_cast<uint8_t>(1u << b);
        hi[j][c >> 4] |= static_cast<uint8_t>(1u << b);
      }
    }
    for (size_t set = 0; set < 256; ++set) {
      for (size_t b = 0; b < 8; ++b) {
        if (set >> b & 1) rules_of[set] |= in_bucket[b];
      }
    }
  }
};

// Per position of the 16 at `at`: the buckets whose needles' byte j may be that byte.
__attribute__((target("ssse3"))) inline __m128i Fits(const Teddy& t, const char* at, size_t j) {
  const __m128i nibble = _mm_set1_epi8(0x0f);
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  __m128i lo = _mm_load_si128(reinterpret_cast<const __m128i*>(t.lo[j]));
  __m128i hi = _mm_load_si128(reinterpret_cast<const __m128i*>(t.hi[j]));
  return _mm_and_si128(_mm_shuffle_epi8(lo, _mm_and_si128(v, nibble)),
                       _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), nibble)));
}

// Checks the 16 start positions at p + i (their four bytes must be inside m) and narrows
// *best / *wanted as the scalar scan does.
__attribute__((target("ssse3"))) inline void CheckBlock(const Teddy& t, const RuleIndex& index,
                                                        std::string_view m, size_t i, int* best,
                                                        uint64_t* wanted) {
  const char* p = m.data() + i;
  __m128i c = _mm_and_si128(_mm_and_si128(Fits(t, p, 0), Fits(t, p + 1, 1)),
                            _mm_and_si128(Fits(t, p + 2, 2), Fits(t, p + 3, 3)));
  auto hits =
      static_cast<uint32_t>(~_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_setzero_si128())) & 0xffff);
  if (hits == 0) return;
  alignas(16) uint8_t sets[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(sets), c);
  for (; hits != 0 && *wanted != 0; hits &= hits - 1) {
    auto k = static_cast<size_t>(__builtin_ctz(hits));
    // The nibble tables let through near misses; MatchAt's 4-byte hash test drops nearly all of
    // them before any rule is compared.
    MatchAt(index, m, i + k, Load4(p + k), t.rules_of[sets[k]], best, wanted);
  }
}

__attribute__((target("ssse3"))) int ScanSsse3(std::string_view m) {
  static const Teddy kT;
  const RuleIndex& index = Index();
  size_t n = m.size();
  int best = -1;
  uint64_t wanted = kAllRules;
  // Blocks of 16 start positions; each reads 19 bytes (four shifted loads). The last block is
  // placed to end at the message's end, overlapping the one before: checking a position twice
  // finds nothing new, and no position is left to a scalar tail.
  if (n < 19) return ScanScalar(m, 0, best, wanted);
  for (size_t i = 0; wanted != 0; i += 16) {
    if (i + 19 > n) i = n - 19;
    CheckBlock(kT, index, m, i, &best, &wanted);
    if (i == n - 19) break;
  }
  return best;
}

const bool kHaveSsse3 = [] {
  __builtin_cpu_init();  // this may run before the constructor that would have called it
  return __builtin_cpu_supports("ssse3") != 0;
}();
#endif


}  // namespace

int KeywordRuleIndexScalar(std::string_view message) {
  return ScanScalar(message, 0, -1, kAllRules);
}

int KeywordRuleIndex(std::string_view message) {
#if defined(__x86_64__)
  if (kHaveSsse3) return ScanSsse3(message);
#endif
  return KeywordRuleIndexScalar(message);
}

void Classify(Event* ev, bool subjects) {
  if (ev->tag.empty()) {
    int r = KeywordRuleIndex(ev->message);
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
