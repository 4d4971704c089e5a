#include "ingest/ceph_log.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "ingest/ceph_osd_map.h"
#include "util/text.h"

namespace kiriwake::ingest {

std::string_view CephInterfaceName(CephInterface i) {
  switch (i) {
    case CephInterface::kFront:
      return "front";
    case CephInterface::kBack:
      return "back";
    case CephInterface::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view CephEventKindName(CephEventKind k) {
  switch (k) {
    case CephEventKind::kCheckRaised:
      return "check_raised";
    case CephEventKind::kCheckUpdated:
      return "check_updated";
    case CephEventKind::kCheckCleared:
      return "check_cleared";
    case CephEventKind::kHealthy:
      return "healthy";
    case CephEventKind::kSlowPing:
      return "slow_ping";
    case CephEventKind::kPingSample:
      return "ping_sample";
    case CephEventKind::kOsdDown:
      return "osd_down";
    case CephEventKind::kHostDown:
      return "host_down";
    case CephEventKind::kMonDown:
      return "mon_down";
    case CephEventKind::kFailureReport:
      return "failure_report";
    case CephEventKind::kFailureCanceled:
      return "failure_canceled";
    case CephEventKind::kWronglyMarkedDown:
      return "wrongly_marked_down";
    case CephEventKind::kBoot:
      return "boot";
    case CephEventKind::kHeartbeatNoReply:
      return "heartbeat_no_reply";
    case CephEventKind::kSlowOps:
      return "slow_ops";
  }
  return "unknown";
}

namespace {

using text::Consume;
using text::IsDigit;

bool Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

int Num(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string_view Word(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && s[n] != ' ') ++n;
  return s.substr(0, n);
}

// "osd.12" at the start of *s -> 12, advancing. -1 (and untouched) if not there.
int ConsumeOsd(std::string_view* s) {
  std::string_view t = *s;
  if (!Consume(&t, "osd.")) return -1;
  auto id = text::ConsumeUint(&t);
  if (!id || *id > 1000000) return -1;
  *s = t;
  return static_cast<int>(*id);
}

bool IsCheckCode(std::string_view s) {
  if (s.size() < 2 || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_')) return false;
  }
  return true;
}

// "host=ceph4" inside a location "root=default,host=ceph4".
std::string HostFromLocation(std::string_view loc) {
  for (std::string_view kv : text::Split(loc, ',')) {
    if (Consume(&kv, "host=")) return std::string(kv);
  }
  return {};
}

// Fills daemons/count/blocked from a SLOW_OPS summary:
// "4 slow ops, oldest one blocked for 77 sec, daemons [osd.0,mon.a] have slow ops."
// "1 slow ops, oldest one blocked for 51 sec, mon.eins has slow ops"
// (src/mgr/DaemonHealthMetricCollector.cc, SlowOps::_summarize).
bool ParseSlowOpsSummary(std::string_view s, CephEvent* e) {
  auto n = text::ConsumeUint(&s);
  if (!n || !Consume(&s, " slow ops, oldest one blocked for ")) return false;
  auto sec = text::ConsumeDecimal(&s);
  if (!sec || !Consume(&s, " sec, ")) return false;
  e->count = static_cast<int64_t>(*n);
  e->blocked_sec = *sec;
  if (Consume(&s, "daemons [")) {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    for (std::string_view d : text::Split(s.substr(0, close), ',')) {
      if (!d.empty()) e->daemons.emplace_back(d);
    }
  } else {
    std::string_view d = Word(s);
    if (d.empty()) return false;
    e->daemons.emplace_back(d);
  }
  return true;
}

// Slow ping detail lines (src/mon/PGMap.cc, "SLOW_PING_TIME"):
//  Octopus+: "Slow OSD heartbeats on back from osd.1 [dc1,rack1] (down) to osd.2 [] 28631.945 msec"
//  <= Nautilus: "Slow heartbeat ping on back interface from osd.1 (down) to osd.3 4082.940 msec"
// Once the "Slow OSD heartbeats on " prefix matched, a failure is a damaged detail line, not
// another message: *malformed says which part was not valid.
bool ParseSlowPingDetail(std::string_view s, CephEvent* e, std::string* malformed) {
  bool old_form;
  if (Consume(&s, "Slow OSD heartbeats on ")) {
    old_form = false;
  } else if (Consume(&s, "Slow heartbeat ping on ")) {
    old_form = true;
  } else {
    return false;
  }
  auto bad = [&](std::string_view what) {
    if (malformed != nullptr) {
      *malformed = fmt::format("a slow-heartbeat detail (\"Slow {} on ...\"), but {}",
                               old_form ? "heartbeat ping" : "OSD heartbeats", what);
    }
    return false;
  };
  if (Consume(&s, "back")) {
    e->iface = CephInterface::kBack;
  } else if (Consume(&s, "front")) {
    e->iface = CephInterface::kFront;
  } else {
    return bad("the interface is not \"back\" or \"front\"");
  }
  if (old_form && !Consume(&s, " interface")) return bad("\" interface\" is missing");
  if (!Consume(&s, " from ")) return bad("\" from \" is missing");
  auto skip_parentage_and_down = [&](bool* down) {
    if (!old_form) {
      if (!Consume(&s, " [")) return false;
      size_t close = s.find(']');
      if (close == std::string_view::npos) return false;
      s.remove_prefix(close + 1);
    }
    if (Consume(&s, " (down)")) *down = true;
    return true;
  };
  bool from_down = false;
  e->reporter_osd = ConsumeOsd(&s);
  if (e->reporter_osd < 0) {
    return bad(fmt::format("\"{}\" is not a valid OSD id (osd.0 .. osd.1000000)",
                           EscapeForMessage(Word(s))));
  }
  if (!skip_parentage_and_down(&from_down)) return bad("the reporter's \"[location]\" is missing");
  if (!Consume(&s, " to ")) return bad("\" to \" is missing");
  e->osd = ConsumeOsd(&s);
  if (e->osd < 0) {
    return bad(fmt::format("\"{}\" is not a valid OSD id (osd.0 .. osd.1000000)",
                           EscapeForMessage(Word(s))));
  }
  if (!skip_parentage_and_down(&e->down)) return bad("the target's \"[location]\" is missing");
  if (!Consume(&s, " ")) return bad("no ping time follows the target");
  std::string_view time = s;
  auto ms = text::ConsumeDecimal(&s);
  if (!ms || !std::isfinite(*ms) || !Consume(&s, " msec")) {
    return bad(fmt::format("\"{}\" is not a ping time (a non-negative number, then \" msec\")",
                           EscapeForMessage(time)));
  }
  e->ping_ms = *ms;
  e->kind = CephEventKind::kSlowPing;
  e->check =
      e->iface == CephInterface::kBack ? "OSD_SLOW_PING_TIME_BACK" : "OSD_SLOW_PING_TIME_FRONT";
  return true;
}

// "<summary> (<CODE>)" -> summary, code.
bool SplitSummaryCode(std::string_view s, std::string_view* summary, std::string_view* code) {
  if (s.empty() || s.back() != ')') return false;
  size_t open = s.rfind(" (");
  if (open == std::string_view::npos) return false;
  std::string_view c = s.substr(open + 2, s.size() - open - 3);
  if (!IsCheckCode(c)) return false;
  *summary = s.substr(0, open);
  *code = c;
  return true;
}

void FillFromSummary(std::string_view code, std::string_view summary, CephEvent* e) {
  e->check = std::string(code);
  e->text = std::string(summary);
  if (code == "SLOW_OPS") ParseSlowOpsSummary(summary, e);
  if (code == "OSD_SLOW_PING_TIME_BACK" || code == "OSD_SLOW_PING_TIME_FRONT") {
    e->iface = code.ends_with("BACK") ? CephInterface::kBack : CephInterface::kFront;
    // "Slow OSD heartbeats on back (longest 4082.940ms)" or
    // "Long heartbeat ping times on back interface seen, longest is 4082.940 msec"
    size_t p = summary.find("longest ");
    if (p != std::string_view::npos) {
      std::string_view v = summary.substr(p + 8);
      Consume(&v, "is ");
      if (auto ms = text::ConsumeDecimal(&v)) e->ping_ms = *ms;
    }
  }
  if (code == "OSD_DOWN" || code == "MON_DOWN" || code.ends_with("_DOWN")) {
    std::string_view v = summary;
    if (auto n = text::ConsumeUint(&v)) e->count = static_cast<int64_t>(*n);
  }
}

// The target of a mon op description "osd_failure(failed timeout osd.3 ADDR for 23sec e1157 v1157)"
// (MOSDFailure::print).
bool ParseOsdFailureOp(std::string_view s, CephEvent* e) {
  if (!Consume(&s, "osd_failure(")) return false;
  if (!Consume(&s, "failed ")) return false;  // "recovered" ops are not failures
  Consume(&s, "immediate ");
  Consume(&s, "timeout ");
  e->osd = ConsumeOsd(&s);
  if (e->osd < 0 || !Consume(&s, " ")) return false;
  e->addr = std::string(Word(s));
  return true;
}

// What a line that starts as one of the messages below expected where an OSD id was not one:
// `word` is what stood there ("osd.abc", "osd.-1", an overflowing number, or another word).
std::string BadOsdId(std::string_view message, std::string_view role, std::string_view word) {
  return fmt::format(
      "{}, but {} is not osd.<id> with a non-negative integer id (osd.0 .. osd.1000000): saw "
      "\"{}\"",
      message, role, EscapeForMessage(word));
}

// prepare_failure osd.3 192.168.100.114:6802/1928 from osd.1 192.168.100.112:6800/2325 is
//   reporting failure:1            (<= Mimic: both entity_inst_t)
// prepare_failure osd.2 [v2:...,v1:...] from osd.1 is reporting failure:1   (Pacific)
// The mon writes nothing else after "prepare_failure " (OSDMonitor.cc), so once that matched, a
// line that does not parse is a damaged failure report: *malformed says which part.
bool ClassifyMonFailure(std::string_view s, CephEvent* e, std::string* malformed) {
  if (!Consume(&s, "prepare_failure ")) return false;
  constexpr std::string_view kWhat =
      "a failure report (\"prepare_failure osd.N ADDR from osd.M is reporting failure:0|1\")";
  auto bad = [&](std::string what) {
    if (malformed != nullptr) *malformed = std::move(what);
    return false;
  };
  std::string_view target = Word(s);
  e->osd = ConsumeOsd(&s);
  if (e->osd < 0 || !(s.empty() || s[0] == ' ')) return bad(BadOsdId(kWhat, "the target", target));
  if (!Consume(&s, " ")) return bad(fmt::format("{}, but the line ends after the target", kWhat));
  e->addr = std::string(Word(s));
  s.remove_prefix(e->addr.size());
  if (!Consume(&s, " from ")) return bad(fmt::format("{}, but \" from \" is missing", kWhat));
  std::string_view reporter = s;
  e->reporter_osd = ConsumeOsd(&s);
  if (e->reporter_osd < 0 || !(s.empty() || s[0] == ' ')) {
    return bad(BadOsdId(kWhat, "the reporter", Word(reporter)));
  }
  if (Consume(&s, " ") && !s.starts_with("is reporting")) {
    e->reporter_addr = std::string(Word(s));
    s.remove_prefix(e->reporter_addr.size());
    Consume(&s, " ");
  }
  if (!Consume(&s, "is reporting failure:") || !(s.starts_with("0") || s.starts_with("1"))) {
    return bad(fmt::format("{}, but \"is reporting failure:0\" or \":1\" is missing", kWhat));
  }
  e->kind = s.starts_with("0") ? CephEventKind::kFailureCanceled : CephEventKind::kFailureReport;
  return true;
}

// Messages that begin with "osd.N " in the cluster log (src/mon/OSDMonitor.cc, OSD.cc).
bool ClassifyOsdSubject(std::string_view s, CephEvent* e, std::string* malformed) {
  auto bad_id = [&](std::string_view shape, std::string_view id) {
    if (malformed != nullptr) {
      *malformed = fmt::format(
          "a failure report (\"osd.N {}osd.M\"), but \"{}\" is not a valid "
          "OSD id (osd.0 .. osd.1000000)",
          shape, EscapeForMessage(id));
    }
    return false;
  };
  constexpr std::string_view kShapes[] = {"reported failed by ", "reported immediately failed by ",
                                          "failure report canceled by "};
  std::string_view id = Word(s);
  std::string_view rest = s.substr(id.size());
  int osd = ConsumeOsd(&s);
  if (osd < 0 || !(s.empty() || s[0] == ' ')) {
    // "osd.99999999999 reported failed by osd.2": the shape is a failure report, only the id is
    // not one; say so rather than drop the report as an unrelated line.
    if (Consume(&rest, " ")) {
      for (std::string_view shape : kShapes) {
        if (rest.starts_with(shape)) return bad_id(shape, id);
      }
    }
    return false;
  }
  if (!Consume(&s, " ")) return false;
  e->osd = osd;
  for (std::string_view shape : kShapes) {
    if (!Consume(&s, shape)) continue;
    std::string_view reporter = Word(s);
    e->reporter_osd = ConsumeOsd(&s);
    e->kind = shape == kShapes[2] ? CephEventKind::kFailureCanceled : CephEventKind::kFailureReport;
    if (e->reporter_osd < 0 || !(s.empty() || s[0] == ' ')) return bad_id(shape, reporter);
    return true;
  }
  // "osd.2 failed (root=default,...,host=nodeC) (2 reporters from different host after
  //  26.083096 >= grace 20.000000)" / "(connection refused reported by osd.1)"
  if (Consume(&s, "failed (")) {
    size_t close = s.find(')');
    if (close == std::string_view::npos) return false;
    e->host = HostFromLocation(s.substr(0, close));
    s.remove_prefix(close + 1);
    e->kind = CephEventKind::kOsdDown;
    if (Consume(&s, " (")) {
      if (auto n = text::ConsumeUint(&s)) e->count = static_cast<int64_t>(*n);
      size_t by = s.find("reported by ");
      if (by != std::string_view::npos) {
        std::string_view r = s.substr(by + 12);
        e->reporter_osd = ConsumeOsd(&r);
      }
    }
    return true;
  }
  // "osd.2 (root=default,datacenter=dc1,rack=rack2,host=nodeC) is down" (OSD_DOWN detail)
  if (Consume(&s, "(")) {
    size_t close = s.find(')');
    if (close == std::string_view::npos) return false;
    std::string_view loc = s.substr(0, close);
    s.remove_prefix(close + 1);
    if (s == " is down") {
      e->host = HostFromLocation(loc);
      e->kind = CephEventKind::kOsdDown;
      e->check = "OSD_DOWN";
      return true;
    }
    return false;
  }
  if (s.starts_with("marked down") || s.starts_with("marked itself down")) {
    e->kind = CephEventKind::kOsdDown;
    return true;
  }
  // "osd.0 [v2:127.0.1.1:6800/12858,v1:127.0.1.1:6801/12858] boot"
  if (s.ends_with(" boot")) {
    e->addr = std::string(s.substr(0, s.size() - 5));
    e->kind = CephEventKind::kBoot;
    return !ParseCephAddrVec(e->addr).empty();
  }
  return false;
}

}  // namespace

std::optional<int64_t> ConsumeCephTime(std::string_view* s) {
  // Consecutive lines share their date: remember the last one's day number (a third of the
  // parse time on a 2 GiB log went to re-validating and converting the same date).
  thread_local char last_date[10] = {};
  thread_local int64_t last_days = 0;
  std::string_view t = *s;
  // YYYY-MM-DD[ T]HH:MM:SS
  if (!Digits(t, 0, 4) || t.size() < 19 || t[4] != '-' || !Digits(t, 5, 2) || t[7] != '-' ||
      !Digits(t, 8, 2) || (t[10] != ' ' && t[10] != 'T') || !Digits(t, 11, 2) || t[13] != ':' ||
      !Digits(t, 14, 2) || t[16] != ':' || !Digits(t, 17, 2)) {
    return std::nullopt;
  }
  int h = Num(t, 11, 2), mi = Num(t, 14, 2), sec = Num(t, 17, 2);
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t days;
  if (std::memcmp(t.data(), last_date, 10) == 0) {
    days = last_days;
  } else {
    int y = Num(t, 0, 4), mo = Num(t, 5, 2), d = Num(t, 8, 2);
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
    days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    std::memcpy(last_date, t.data(), 10);
    last_days = days;
  }
  t.remove_prefix(19);
  int64_t ms = 0;
  if (!t.empty() && t[0] == '.') {
    size_t n = 1;
    int64_t frac = 0, scale = 1;
    while (n < t.size() && IsDigit(t[n])) {
      if (n <= 3) {
        frac = frac * 10 + (t[n] - '0');
        scale *= 10;
      }
      ++n;
    }
    if (n == 1) return std::nullopt;
    ms = frac * 1000 / scale;
    t.remove_prefix(n);
  }
  int64_t zone_min = 0;
  if (!t.empty() && (t[0] == '+' || t[0] == '-') && Digits(t, 1, 4)) {
    zone_min = Num(t, 1, 2) * 60 + Num(t, 3, 2);
    if (t[0] == '-') zone_min = -zone_min;
    t.remove_prefix(5);
  } else if (!t.empty() && t[0] == 'Z') {
    t.remove_prefix(1);
  }
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - zone_min * 60;
  *s = t;
  return secs * 1000 + ms;
}

int CephOsdId(std::string_view name) {
  int id = ConsumeOsd(&name);
  return name.empty() ? id : -1;
}

bool ClassifyCephMessage(std::string_view msg, CephEvent* e, std::string* malformed) {
  std::string_view s = text::TrimRight(msg);
  bool indented = s.starts_with("    ");
  s = text::TrimLeft(s);
  if (s.empty()) return false;
  std::string_view summary, code;
  // Health check transitions (src/mon/Monitor.cc, log_health).
  if (Consume(&s, "Health check failed: ")) {
    if (!SplitSummaryCode(s, &summary, &code)) return false;
    e->kind = CephEventKind::kCheckRaised;
    FillFromSummary(code, summary, e);
    return true;
  }
  if (Consume(&s, "Health check update: ")) {
    if (!SplitSummaryCode(s, &summary, &code)) return false;
    e->kind = CephEventKind::kCheckUpdated;
    FillFromSummary(code, summary, e);
    return true;
  }
  if (Consume(&s, "Health check cleared: ")) {
    std::string_view c = Word(s);
    if (!IsCheckCode(c)) return false;
    e->kind = CephEventKind::kCheckCleared;
    e->check = std::string(c);
    s.remove_prefix(c.size());
    if (Consume(&s, " (was: ") && s.ends_with(")"))
      e->text = std::string(s.substr(0, s.size() - 1));
    return true;
  }
  if (s == "Cluster is now healthy" || s == "overall HEALTH_OK" || s == "HEALTH_OK") {
    e->kind = CephEventKind::kHealthy;
    e->text = std::string(s);
    return true;
  }
  // Octopus+ health detail header: "[WRN] OSD_DOWN: 1 osds down" (HealthMonitor.cc).
  if (!indented && (s.starts_with("[WRN] ") || s.starts_with("[ERR] "))) {
    std::string_view sev = s.substr(1, 3);
    s.remove_prefix(6);
    size_t colon = s.find(": ");
    if (colon == std::string_view::npos || !IsCheckCode(s.substr(0, colon))) return false;
    e->kind = CephEventKind::kCheckRaised;
    e->snapshot = true;
    e->severity = sev == "ERR" ? "HEALTH_ERR" : "HEALTH_WARN";
    FillFromSummary(s.substr(0, colon), s.substr(colon + 2), e);
    return true;
  }
  // Nautilus health detail header "OSD_DOWN 1 osds down" (health_check.h dump_detail), as
  // listed by `ceph health detail` and by the periodic "Health detail:" dump in the cluster log.
  if (!indented) {
    std::string_view c = Word(s);
    if (c.size() < s.size() && IsCheckCode(c) && c.find('_') != std::string_view::npos) {
      e->kind = CephEventKind::kCheckRaised;
      e->snapshot = true;
      FillFromSummary(c, s.substr(c.size() + 1), e);
      return true;
    }
  }
  if (ParseSlowPingDetail(s, e, malformed)) {
    e->text = std::string(s);
    return true;
  }
  if (malformed != nullptr && !malformed->empty()) return false;
  if (s.starts_with("prepare_failure ")) return ClassifyMonFailure(s, e, malformed);
  if (s.starts_with("osd.")) {
    e->text = std::string(s);
    return ClassifyOsdSubject(s, e, malformed);
  }
  // "host nodeC (root=default,datacenter=dc1,rack=rack2) (1 osds) is down" (OSDMap::check_health)
  if (indented && Consume(&s, "host ") && s.ends_with(" is down")) {
    e->kind = CephEventKind::kHostDown;
    e->host = std::string(Word(s));
    e->check = "OSD_HOST_DOWN";
    return true;
  }
  // "mon.b (rank 1) addr [v2:...,v1:...] is down (out of quorum)" (HealthMonitor.cc)
  if (indented && s.starts_with("mon.") && s.ends_with(" is down (out of quorum)")) {
    e->kind = CephEventKind::kMonDown;
    e->daemon = std::string(Word(s));
    size_t a = s.find(") addr ");
    if (a != std::string_view::npos) e->addr = std::string(Word(s.substr(a + 7)));
    e->check = "MON_DOWN";
    return true;
  }
  // OSD.cc heartbeat_check (derr):
  // "heartbeat_check: no reply from 127.0.1.3:6802 osd.2 since back T front T (oldest deadline T)"
  // "heartbeat_check: no reply from ADDR osd.2 ever on either front or back, first ping sent T ..."
  // Jewel: "heartbeat_check: no reply from osd.21 since T (cutoff T)" (no address).
  if (Consume(&s, "heartbeat_check: no reply from ")) {
    constexpr std::string_view kWhat =
        "an OSD heartbeat miss (\"heartbeat_check: no reply from ADDR osd.N ...\")";
    auto bad = [&](std::string what) {
      if (malformed != nullptr) *malformed = std::move(what);
      return false;
    };
    if (!s.starts_with("osd.")) {
      e->addr = std::string(Word(s));
      s.remove_prefix(e->addr.size());
      if (!Consume(&s, " ")) {
        return bad(fmt::format("{}, but no osd.<id> follows the address", kWhat));
      }
    }
    std::string_view peer = Word(s);
    e->osd = ConsumeOsd(&s);
    if (e->osd < 0 || !(s.empty() || s[0] == ' ')) {
      return bad(BadOsdId(kWhat, "the peer", peer));
    }
    e->kind = CephEventKind::kHeartbeatNoReply;
    if (Consume(&s, " since back ")) {
      // The older "since" is the interface that stopped answering.
      auto back = ConsumeCephTime(&s);
      if (back && Consume(&s, " front ")) {
        auto front = ConsumeCephTime(&s);
        // Both sides stall together when the whole OSD stops (SIGSTOP: 0.3 ms apart in the
        // 16.2.15 samples); one interface losing packets leaves its side at least one missed
        // heartbeat (osd_heartbeat_interval, 1-6 s) behind. Half a second separates the two.
        constexpr int64_t kOneSideMs = 500;
        if (front) {
          if (*back + kOneSideMs <= *front) e->iface = CephInterface::kBack;
          if (*front + kOneSideMs <= *back) e->iface = CephInterface::kFront;
        }
      }
    }
    return true;
  }
  // Monitor::get_health_metrics / OSD::get_health_metrics (derr):
  // "get_health_metrics reporting 1 slow ops, oldest is osd_failure(failed timeout osd.3 ...)"
  if (Consume(&s, "get_health_metrics reporting ")) {
    auto n = text::ConsumeUint(&s);
    if (!n) return false;
    e->kind = CephEventKind::kSlowOps;
    e->count = static_cast<int64_t>(*n);
    size_t p = s.find("oldest is ");
    if (p != std::string_view::npos) {
      std::string_view op = s.substr(p + 10);
      e->text = std::string(op);
      CephEvent tmp;
      if (ParseOsdFailureOp(op, &tmp)) {
        e->osd = tmp.osd;
        e->addr = tmp.addr;
      }
    }
    return true;
  }
  // OSD slow requests to the cluster log: per op, or aggregated (16.2.x+,
  // osd_aggregated_slow_ops_logging): "3 slow requests (by type [ 'waiting for sub ops' : 3 ] ...)"
  if (s.starts_with("slow request ")) {
    e->kind = CephEventKind::kSlowOps;
    e->count = 1;
    e->text = std::string(s);
    return true;
  }
  {
    std::string_view t = s;
    auto n = text::ConsumeUint(&t);
    if (n && Consume(&t, " slow requests (by type ")) {
      e->kind = CephEventKind::kSlowOps;
      e->count = static_cast<int64_t>(*n);
      e->text = std::string(s);
      return true;
    }
  }
  // OSD.cc after seeing itself down: clog [WRN] and [DBG].
  if (Consume(&s, "Monitor daemon marked ")) {
    e->osd = ConsumeOsd(&s);
    e->kind = CephEventKind::kWronglyMarkedDown;
    return e->osd >= 0 && s.starts_with(" down, but it is still running");
  }
  if (s.starts_with("map e") && s.find(" wrongly marked me down") != std::string_view::npos) {
    e->kind = CephEventKind::kWronglyMarkedDown;  // the OSD is the daemon that logged it
    return true;
  }
  return false;
}

CephLineParser::CephLineParser(std::string file) : file_(std::move(file)) {
  // /var/log/ceph/ceph-osd.3.log, ceph-mon.eins.log(.1.gz) -> osd.3, mon.eins
  std::string_view base = file_;
  size_t slash = base.rfind('/');
  if (slash != std::string_view::npos) base.remove_prefix(slash + 1);
  size_t dash = base.find('-');
  if (dash != std::string_view::npos) {
    std::string_view rest = base.substr(dash + 1);
    for (std::string_view type : {"osd.", "mon.", "mgr.", "mds."}) {
      if (rest.starts_with(type)) {
        size_t end = rest.find(".log");
        if (end != std::string_view::npos && end > type.size()) {
          file_daemon_ = std::string(rest.substr(0, end));
        }
      }
    }
  }
}

namespace {

bool IsHexWord(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w) {
    if (!(IsDigit(c) || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsPrio(std::string_view w) {
  if (w.empty()) return false;
  size_t i = w[0] == '-' ? 1 : 0;
  if (i == w.size()) return false;
  for (; i < w.size(); ++i) {
    if (!IsDigit(w[i])) return false;
  }
  return true;
}

// "mon.eins@0(leader).osd" -> "mon.eins"; "osd.0" -> "osd.0"; else "".
std::string_view DaemonOfDoutPrefix(std::string_view w) {
  if (!(w.starts_with("mon.") || w.starts_with("osd.") || w.starts_with("mgr.") ||
        w.starts_with("mds."))) {
    return {};
  }
  size_t at = w.find('@');
  return at == std::string_view::npos ? w : w.substr(0, at);
}

}  // namespace

CephLineClass CephLineParser::Parse(std::string_view line, int64_t line_number, CephEvent* e) {
  *e = CephEvent();
  malformed_.clear();
  // Views into `line` (or file_daemon_); copied into *e only when the line is an event, so the
  // common case (a line we do not use) allocates nothing.
  std::string_view daemon_v, severity_v;
  CephSource source = CephSource::kOther;
  std::string_view s = line;
  while (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  // Not kOther: a blank line is no evidence that the input is Ceph's.
  if (text::Trim(s).empty()) return CephLineClass::kBlank;

  std::string_view msg;
  bool prefixed = false;
  {
    std::string_view t = s;
    // journald/syslog: "Jul  5 16:00:40 host conmon[15913]: debug 2021-07-05T..." — drop the
    // syslog part (a month name, then "name[pid]: " within the first 100 bytes).
    if (t.size() > 16 && t[0] >= 'A' && t[0] <= 'Z' && t[3] == ' ') {
      size_t p = text::Clipped(t, 0, 100).find("]: ");
      if (p != std::string_view::npos) t.remove_prefix(p + 3);
    }
    // Containers: "debug " before daemon lines, "cluster "/"audit " before cluster-log lines.
    if (!Consume(&t, "debug ") && !Consume(&t, "cluster ")) (void)Consume(&t, "audit ");
    auto time = ConsumeCephTime(&t);
    if (time && Consume(&t, " ")) {
      prefixed = true;
      e->time_ms = *time;
      while (t.starts_with(" ")) t.remove_prefix(1);
      std::string_view w1 = Word(t);
      std::string_view after1 = text::TrimLeft(t.substr(w1.size()));
      std::string_view w2 = Word(after1);
      if (IsHexWord(w1) && IsPrio(w2)) {
        // Daemon log: thread id, priority, then a clog copy or a dout prefix.
        seen_prefixed_ = true;
        std::string_view body = text::TrimLeft(after1.substr(w2.size()));
        daemon_v = file_daemon_;
        source = CephSource::kDaemonDout;
        if (Consume(&body, "log_channel(")) {
          source = CephSource::kDaemonClog;
          size_t p = body.find(" : ");
          if (p == std::string_view::npos) return CephLineClass::kOther;
          std::string_view head = body.substr(0, p);
          size_t lb = head.find('[');
          if (lb != std::string_view::npos) severity_v = text::Clipped(head, lb + 1, 3);
          msg = body.substr(p + 3);
        } else {
          std::string_view dp = Word(body);
          std::string_view daemon = DaemonOfDoutPrefix(dp);
          if (!daemon.empty()) daemon_v = daemon;
          // Skip the dout prefix: "mon.a@0(leader).osd e27 " / "osd.0 27 " / "mon.a@0(leader) e1 ".
          std::string_view rest = text::TrimLeft(body.substr(dp.size()));
          std::string_view epoch = Word(rest);
          if (!daemon.empty() && !epoch.empty() &&
              (IsDigit(epoch[0]) || (epoch[0] == 'e' && epoch.size() > 1 && IsDigit(epoch[1])))) {
            rest = text::TrimLeft(rest.substr(epoch.size()));
          }
          msg = daemon.empty() ? body : rest;
        }
      } else if (!w1.empty()) {
        // Cluster log "NAME (RANK) SEQ : CHAN [PRI] msg", pre-Nautilus "NAME RANK ADDR SEQ : ...",
        // or `ceph -w` "NAME [PRI] msg".
        daemon_v = w1;
        source = CephSource::kClusterLog;
        size_t p = after1.find(" : ");
        if (p != std::string_view::npos) {
          std::string_view rest = after1.substr(p + 3);
          std::string_view chan = Word(rest);
          rest = text::TrimLeft(rest.substr(chan.size()));
          if (rest.size() >= 5 && rest[0] == '[' && rest[4] == ']') {
            severity_v = rest.substr(1, 3);
            msg = text::Clipped(rest, 6);
          } else {
            msg = rest;
          }
        } else if (after1.size() >= 5 && after1[0] == '[' && after1[4] == ']') {
          severity_v = after1.substr(1, 3);
          msg = text::Clipped(after1, 6);
        } else {
          return CephLineClass::kUnknown;
        }
      } else {
        return CephLineClass::kUnknown;
      }
    }
  }
  if (!prefixed) {
    // `ceph health detail` text (no timestamps).
    std::string_view t = s;
    if (t.starts_with("HEALTH_")) {
      if (t == "HEALTH_OK") {
        e->loc = {file_, line_number, 0};
        e->kind = CephEventKind::kHealthy;
        e->text = "HEALTH_OK";
        return CephLineClass::kEvent;
      }
      return CephLineClass::kOther;
    }
    if (t.starts_with("    ") || t.starts_with("[WRN] ") || t.starts_with("[ERR] ") ||
        t.starts_with("(MUTED")) {
      msg = t;
    } else {
      // Nautilus "OSD_DOWN 1 osds down" check header.
      std::string_view code = Word(t);
      if (!(IsCheckCode(code) && code.find('_') != std::string_view::npos)) {
        return seen_prefixed_ ? CephLineClass::kContinuation : CephLineClass::kUnknown;
      }
      msg = t;
    }
  }
  // "Health detail: HEALTH_WARN ..." (the periodic dump's first entry) is a summary of what
  // follows.
  if (ClassifyCephMessage(msg, e, &malformed_)) {
    e->loc = {file_, line_number, 0};
    e->source = source;
    if (e->daemon.empty()) e->daemon = std::string(daemon_v);  // kMonDown names its subject
    if (e->severity.empty()) e->severity = std::string(severity_v);
    if (e->kind == CephEventKind::kWronglyMarkedDown && e->osd < 0) e->osd = CephOsdId(e->daemon);
    if (e->kind == CephEventKind::kSlowOps && e->daemons.empty() && !e->daemon.empty()) {
      e->daemons.push_back(e->daemon);
    }
    return CephLineClass::kEvent;
  }
  return malformed_.empty() ? CephLineClass::kOther : CephLineClass::kMalformed;
}

}  // namespace kiriwake::ingest
