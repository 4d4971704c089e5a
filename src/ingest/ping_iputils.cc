// Lines of the ping family that prints "N bytes from ADDR: icmp_seq=K ...": iputils (Linux),
// BusyBox (seq=), macOS/FreeBSD/inetutils (icmp_seq from 0, "Request timeout", "round-trip").
// Format strings: ../shared/reference/ping-formats.md §1-3 (iputils gather_statistics(),
// finish(), status(); BusyBox unpack_tail(); Apple/FreeBSD pr_pack(), finish()).
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "ingest/ping_log_internal.h"
#include "util/text.h"

namespace kiriwake::ingest::ping_internal {
namespace {

using text::Consume;
using text::IsDigit;

constexpr double kPow10Inv[] = {1, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9};

// Parses "12.3" at the start of *s by hand (the hot path: one per reply line).
// Returns false when there is no number. *frac_digits gets the number of decimals.
bool ConsumeRtt(std::string_view* s, uint64_t* int_part, uint64_t* frac, int* frac_digits) {
  auto ip = ConsumeDigits(s);
  if (!ip) return false;
  *int_part = *ip;
  *frac = 0;
  *frac_digits = 0;
  if (!s->empty() && s->front() == '.') {
    s->remove_prefix(1);
    while (!s->empty() && IsDigit(s->front()) && *frac_digits < 9) {
      *frac = *frac * 10 + static_cast<uint64_t>(s->front() - '0');
      ++*frac_digits;
      s->remove_prefix(1);
    }
    while (!s->empty() && IsDigit(s->front())) s->remove_prefix(1);
  }
  return true;
}

// iputils <= s20180629 lost the carry when rounding (reference §1.4): 12 960 µs printed as
// "12.10" and 9 995 µs as "9.100". No fixed version prints a two-digit fraction above 10 ms or a
// three-digit one between 1 and 10 ms (except -3, see rtt_precision3), so the form is the proof.
inline double IputilsRtt(SessionBuilder& s, uint64_t ip, uint64_t frac, int fd) {
  double v = static_cast<double>(ip) + static_cast<double>(frac) * kPow10Inv[fd];
  if (s.format() != PingFormat::kIputils) return v;
  if (ip >= 1 && fd == 3 && frac != 100) s.rtt_precision3 = true;
  if (s.rtt_precision3) return v;
  if ((ip >= 10 && ip < 100 && fd == 2 && frac == 10) ||
      (ip >= 1 && ip < 10 && fd == 3 && frac == 100)) {
    ++s.info().rounding_bug_corrections;
    return static_cast<double>(ip) + 1.0;
  }
  return v;
}

bool IsIputilsFamily(const SessionBuilder* s) {
  return s && (s->format() == PingFormat::kIputils || s->format() == PingFormat::kBsd ||
               s->format() == PingFormat::kBusybox);
}

// "host (ip)" or "ip" -> name, address.
void SplitHost(std::string_view host, std::string* name, std::string* address) {
  size_t open = host.find(" (");
  if (open != std::string_view::npos && host.ends_with(")")) {
    *name = std::string(host.substr(0, open));
    *address = std::string(host.substr(open + 2, host.size() - open - 3));
  } else {
    *name = std::string(host);
    *address = LooksLikeAddress(host) ? std::string(host) : std::string();
  }
}

SessionBuilder& SessionFor(PingParser& p, PingFormat format) {
  SessionBuilder* s = p.current();
  if (IsIputilsFamily(s) && !s->has_totals()) return *s;
  // A reply with no header before it (a log cut at its start, or a second run whose header was
  // lost): a session starting here, whose first id is the first one seen.
  SessionBuilder& n = p.StartSession(format, "", "", format == PingFormat::kIputils ? 1 : 0, true,
                                     /*headerless=*/true);
  n.Warn(p.line_no(), "no PING header before this line: the session starts here");
  return n;
}

// icmp_seq went back at `raw` (SessionBuilder::IsNewRun): the probes from here on belong to
// another run of ping. A new session of the same tool and target; it starts at the tool's first
// id when `raw` is near it (a restart: the probes before `raw` in it were lost, as ping's own
// statistics count them), else at `raw` itself (runs joined; nothing known before it).
SessionBuilder& StartNewRun(PingParser& p, const SessionBuilder& old, uint64_t raw) {
  PingFormat format = old.format();
  uint64_t old_raw = old.last_raw();
  std::string name = old.info().target_name;
  std::string address = old.info().target_address;
  uint64_t tool_first = format == PingFormat::kIputils ? 1 : 0;
  bool restart = raw >= tool_first && raw < kReorderWindow;
  SessionBuilder& n = p.StartSession(format, std::move(name), std::move(address),
                                     restart ? tool_first : raw, true, /*headerless=*/!restart);
  n.Warn(p.line_no(),
         fmt::format("icmp_seq went back from {} to {}: a new run of ping (restarted, or outputs "
                     "joined without their PING header); read as a new session, not as losses",
                     old_raw, raw));
  return n;
}

// The session probe `raw` belongs to: `s`, or a new run when icmp_seq went back at it. ICMP
// errors and timeouts ask as replies do, so a restart whose first probes fail starts there.
SessionBuilder& RunOf(PingParser& p, SessionBuilder& s, uint64_t raw) {
  return s.IsNewRun(raw) ? StartNewRun(p, s, raw) : s;
}

// "64 bytes from 192.168.100.114: icmp_seq=1 ttl=64 time=0.412 ms (DUP!)"; `s` is after
// "bytes from ".
bool ParseReply(PingParser& p, std::string_view line, std::string_view s) {
  // Hot path (one call per reply of a multi-GB log): the common "ADDR: icmp_seq=" with a numeric
  // IPv4 address, found with one memchr; names and IPv6 take the general search below.
  size_t seq = std::string_view::npos;
  size_t key_len = 4;
  bool common = false;  // "ADDR: icmp_seq=": ParseReplyRun can take the next ones
  if (const void* c = std::memchr(s.data(), ':', s.size())) {
    size_t k = static_cast<size_t>(static_cast<const char*>(c) - s.data());
    if (s.substr(k + 1, 10) == " icmp_seq=") {
      seq = k + 7;
      common = true;
    }
  }
  if (seq == std::string_view::npos) seq = s.find("seq=");
  if (seq == std::string_view::npos) {
    seq = s.find("icmp_req=");  // iputils s20100418/s20101006
    key_len = 9;
    if (seq == std::string_view::npos) {
      // macOS/inetutils ICMP error without a seq ("92 bytes from X: Destination Host
      // Unreachable"); the probe also gets "Request timeout" later, which counts it.
      if (IsIputilsFamily(p.current())) {
        p.current()->Warn(p.line_no(), fmt::format("ICMP error without a sequence number: {}",
                                                   EscapeForMessage(s)));
        return true;
      }
      return false;
    }
  }
  bool busybox = seq == 0 || s[seq - 1] == ' ';
  std::string_view rest = s.substr(seq + key_len);
  auto raw = ConsumeDigits(&rest);
  SessionBuilder* sp = &SessionFor(p, busybox ? PingFormat::kBusybox : PingFormat::kIputils);
  if (busybox && sp->format() == PingFormat::kBsd) sp->set_format(PingFormat::kBusybox);
  if (!raw || *raw > 0xFFFF) {
    sp->Warn(p.line_no(),
             fmt::format("expected a sequence number 0-65535 after \"seq=\", saw \"{}\"",
                         EscapeForMessage(s.substr(seq))));
    return true;
  }
  // IsNewRun first: it is all most replies need (the DUP search would scan every line).
  if (sp->IsNewRun(*raw) && rest.find("(DUP!)") == std::string_view::npos) {
    sp = &StartNewRun(p, *sp, *raw);
  }
  SessionBuilder& sess = *sp;
  if (sess.info().target_address.empty()) {
    // Host part ends at ": " (or ", " for BSD ping6) before the key.
    std::string_view host = s.substr(0, seq);
    if (host.ends_with("icmp_")) host.remove_suffix(5);
    while (!host.empty() && (host.back() == ' ' || host.back() == ':' || host.back() == ',')) {
      host.remove_suffix(1);
    }
    std::string name, address;
    SplitHost(host, &name, &address);
    sess.info().target_address = address;
    if (sess.info().target_name.empty()) sess.info().target_name = name;
  }
  // " ttl=64 time=0.412 ms": skip the ttl without searching when it is where iputils puts it.
  size_t t = std::string_view::npos;
  if (rest.starts_with(" ttl=")) {
    std::string_view q = rest.substr(5);
    if (ConsumeDigits(&q) && q.starts_with(" time=")) t = rest.size() - q.size() + 1;
  }
  if (t == std::string_view::npos) t = rest.find("time=");
  // A reply line proves the probe was answered even when its time is missing or unreadable: it
  // is then received without an RTT rather than lost, or answered in 0 ms.
  double rtt_ms = SessionBuilder::kNoRtt;
  if (t != std::string_view::npos) {
    rest.remove_prefix(t + 5);
    std::string_view time = rest;
    uint64_t ip, frac;
    int fd;
    // Every ping of this family prints " ms" right after the number; anything else there
    // ("1e400 ms", "12abc") means the number was not what it seems.
    if (ConsumeRtt(&rest, &ip, &frac, &fd) && rest.starts_with(" ms")) {
      rtt_ms = IputilsRtt(sess, ip, frac, fd);
    } else {
      sess.Warn(p.line_no(),
                fmt::format("expected a number followed by \" ms\" after \"time=\", saw \"{}\"; "
                            "counted as answered without an RTT",
                            EscapeForMessage(time)));
    }
  } else if (rest.find("(truncated)") != std::string_view::npos) {
    sess.Warn(p.line_no(), "truncated reply has no time; counted as answered without an RTT");
  } else {
    sess.Warn(p.line_no(),
              fmt::format("reply has no \"time=\"; counted as answered without an RTT: \"{}\"",
                          EscapeForMessage(line)));
  }
  // Nothing after " ms" (the usual case) means no "(DUP!)" to look for.
  bool dup = rest.size() > 3 && rest.find("(DUP!)") != std::string_view::npos;
  sess.Reply(*raw, rtt_ms, dup, p.line_no());
  // An ordinary reply of the common shape: the next ones can take ParseReplyRun.
  // Not with a NUL in it (a damaged host name): the run's bytes are then known NUL-free.
  std::string_view prefix = line.substr(0, static_cast<size_t>(s.data() - line.data()) + seq + 4);
  if (common && !sess.info().target_address.empty() && &sess == p.current() &&
      prefix.find('\0') == std::string_view::npos) {
    p.reply_prefix.assign(prefix);
  }
  return true;
}

}  // namespace

namespace {
// The bytes of a -D stamp between its brackets.
constexpr auto kStampChar = [] {
  std::array<bool, 256> t{};
  for (char d = '0'; d <= '9'; ++d) t[static_cast<unsigned char>(d)] = true;
  t['.'] = true;
  return t;
}();

// Bit 7 of each byte of `w` (8 bytes of text in memory order on a little-endian CPU) set where the
// byte is not in [0-9.]: a -D stamp's 17 characters take 3 of these instead of 17 table lookups
// and branches (the stamp loop was a tenth of the run). Each byte is tested in its low 7 bits
// with additions that cannot carry into the next byte; bytes >= 0x80 are marked outright.
inline uint64_t NonStampBytes(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHigh = 0x80 * kOnes;
  uint64_t x = w & ~kHigh;
  uint64_t above_9 = x + 0x46 * kOnes;        // bit 7 set iff x >= 0x3A
  uint64_t below_0 = ~(x + 0x50 * kOnes);     // bit 7 set iff x < 0x30
  uint64_t y = x ^ (0x2E * kOnes);            // 0 where x == '.'
  uint64_t not_dot = (y + 0x7F * kOnes) | y;  // bit 7 set iff y != 0
  return (w | ((above_9 | below_0) & not_dot)) & kHigh;
}

// The end of the [0-9.]* run at `q`, looked at no further than `lim`: `lim` when the run
// reaches it. Reads 8 bytes at a time while `end` leaves room, then byte by byte.
inline const char* SkipStampChars(const char* q, const char* lim, const char* end) {
  if constexpr (std::endian::native == std::endian::little) {
    while (q < lim && end - q >= 8) {
      uint64_t w;
      std::memcpy(&w, q, 8);
      if (uint64_t bad = NonStampBytes(w)) {
        return std::min(lim, q + std::countr_zero(bad) / 8);
      }
      q += 8;
    }
    if (q >= lim) return lim;
  }
  while (q < lim && kStampChar[static_cast<unsigned char>(*q)]) ++q;
  return q;
}

// memcmp(c, prefix) == 0 for the ~40-byte prefix of every reply, inline 8 bytes at a time (a
// libc call per line was 6% of the run).
inline bool SamePrefix(const char* c, const std::string& prefix) {
  const char* p = prefix.data();
  size_t n = prefix.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t a, b;
    std::memcpy(&a, c + i, 8);
    std::memcpy(&b, p + i, 8);
    if (a != b) return false;
  }
  for (; i < n; ++i) {
    if (c[i] != p[i]) return false;
  }
  return true;
}

// One ordinary reply as ScanReply read it: what SessionBuilder::Reply needs.
struct ScannedReply {
  uint32_t raw;   // icmp_seq as printed
  uint32_t ip;    // RTT integer part
  uint32_t frac;  // RTT decimals, `fd` of them
  uint32_t fd;
};

// Reads one ordinary reply line at `c` ("[stamp] " optional, `prefix`, "N ttl=T time=R ms\n").
// Returns the start of the next line, or null when the line has any other shape. Each step
// accepts a subset of what Dispatch + ParseReply accept and yields the same values; anything
// else (a DUP, a warning to give, a long number, CRLF) is left to them.
// Bytes ScanReply may look at past a line's start beyond the prefix: 41 for a -D stamp, 42 for the
// rest (5+1 digits and " ttl=", 3+1 and " time=", 9+1, '.', 9+1 and " ms\n"), rounded up.
constexpr size_t kReplySlack = 96;

// kRoom: the caller checked that end - c >= prefix.size() + kReplySlack, so no step needs to
// check for the end of the buffer (a dozen compares per line less).
template <bool kRoom>
inline const char* ScanReply(const char* c, const char* end, const std::string& prefix,
                             ScannedReply* out) {
  // Past the end: never true with room (the compiler drops the test).
  auto short_of = [&](const char* at, ptrdiff_t n) { return !kRoom && end - at < n; };
  if (!short_of(c, 1) && *c == '[') {  // -D "[1700000001.000000] ", as Dispatch strips it
    const char* lim = c + (kRoom ? 40 : std::min<ptrdiff_t>(end - c, 40));
    const char* q = SkipStampChars(c + 1, lim, end);
    if (q == lim || q == c + 1 || short_of(q, 2) || q[0] != ']' || q[1] != ' ') return nullptr;
    c = q + 2;
  }
  if (short_of(c, static_cast<ptrdiff_t>(prefix.size()) + 1) || !SamePrefix(c, prefix)) {
    return nullptr;
  }
  c += prefix.size();
  const char* d = c;
  uint32_t raw = 0;
  while (!short_of(c, 1) && c - d < 6 && IsDigit(*c)) {
    raw = raw * 10 + static_cast<uint32_t>(*c++ - '0');
  }
  if (c == d || c - d > 5 || raw > 0xFFFF || short_of(c, 5) || std::memcmp(c, " ttl=", 5) != 0) {
    return nullptr;
  }
  c += 5;
  d = c;
  while (!short_of(c, 1) && c - d < 4 && IsDigit(*c)) ++c;
  if (c == d || c - d > 3 || short_of(c, 6) || std::memcmp(c, " time=", 6) != 0) return nullptr;
  c += 6;
  d = c;
  uint32_t ip = 0;
  while (!short_of(c, 1) && c - d < 10 && IsDigit(*c)) {
    ip = ip * 10 + static_cast<uint32_t>(*c++ - '0');
  }
  if (c == d || c - d > 9) return nullptr;
  uint32_t frac = 0;
  uint32_t fd = 0;
  if (!short_of(c, 1) && *c == '.') {
    ++c;
    while (!short_of(c, 1) && fd < 9 && IsDigit(*c)) {
      frac = frac * 10 + static_cast<uint32_t>(*c++ - '0');
      ++fd;
    }
    if (!short_of(c, 1) && IsDigit(*c)) return nullptr;
  }
  if (short_of(c, 4) || std::memcmp(c, " ms\n", 4) != 0) return nullptr;
  *out = {raw, ip, frac, fd};
  return c + 4;
}

// Scans and applies the replies from c on; returns where the run stopped.
const char* ApplyRun(SessionBuilder& sess, const char* c, const char* end,
                     const std::string& prefix, int64_t first_line, int64_t* lines) {
  ScannedReply r;
  const size_t room = prefix.size() + kReplySlack;
  for (;;) {
    const char* next = static_cast<size_t>(end - c) >= room ? ScanReply<true>(c, end, prefix, &r)
                                                            : ScanReply<false>(c, end, prefix, &r);
    if (next == nullptr) break;
    if (sess.IsNewRun(r.raw)) break;  // ParseReply starts the new run
    sess.ReplyNext(r.raw, IputilsRtt(sess, r.ip, r.frac, static_cast<int>(r.fd)),
                   first_line + *lines);
    ++*lines;
    c = next;
  }
  return c;
}

}  // namespace

size_t ParseReplyRun(PingParser& p, std::string_view buf, int64_t first_line, int64_t* lines) {
  *lines = 0;
  SessionBuilder* sess = p.current();
  const std::string& prefix = p.reply_prefix;
  if (prefix.empty() || p.in_mtr_json || !IsIputilsFamily(sess) || sess->has_totals() ||
      sess->info().target_address.empty()) {
    return 0;
  }
  // One thread: splitting the scan across two cores (a helper scanning ahead while this thread
  // applies) was measured slower here, 1.0 s against 0.8 s per GB wall and 1.15 s against 0.85 s
  // CPU on the 2-core VM: the applying thread catches up and sleeps, and page faults and TLB
  // shootdowns move between cores. See docs/performance.md.
  const char* c = ApplyRun(*sess, buf.data(), buf.data() + buf.size(), prefix, first_line, lines);
  return static_cast<size_t>(c - buf.data());
}

namespace {

// ", +2 duplicates" etc. Returns false on a part it does not know.
bool ParseTotalsPart(std::string_view part, PingToolTotals* t) {
  Consume(&part, "+");
  std::string_view q = part;
  if (auto n = ConsumeDigits(&q)) {
    if (q == " duplicates") {
      t->duplicates = *n;
      return true;
    }
    if (q == " errors") {
      t->errors = *n;
      return true;
    }
    if (q == " corrupted") return true;
    if (q == " packets out of wait time") return true;
  }
  q = part;
  if (auto pct = text::ConsumeDecimal(&q)) {
    if (q == "% packet loss") {
      t->loss_percent = *pct;
      return true;
    }
  }
  if (Consume(&part, "time ") && part.ends_with("ms")) return true;
  return part.starts_with("-- somebody's");  // BSD: more replies than probes
}

// "73 packets transmitted, 69 received, 5% packet loss, time 73010ms" (iputils);
// "4 packets transmitted, 3 packets received, 1 duplicates, 25% packet loss" (BusyBox, BSD).
bool ParseTotals(PingParser& p, uint64_t transmitted, std::string_view s) {
  PingToolTotals t;
  t.loc = p.Here();
  t.transmitted = transmitted;
  auto rx = ConsumeDigits(&s);
  if (!rx) return false;
  t.received = *rx;
  if (!Consume(&s, " received") && !Consume(&s, " packets received")) return false;
  bool ok = true;
  while (Consume(&s, ", ")) {
    size_t end = s.find(", ");
    if (!ParseTotalsPart(s.substr(0, end), &t)) ok = false;
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  SessionBuilder* cur = p.current();
  if (!IsIputilsFamily(cur) || cur->has_totals()) {
    cur = &p.StartSession(PingFormat::kIputils, "", "", 1, true, true);
    cur->Warn(p.line_no(), "statistics without a PING header or \"--- statistics ---\" line");
  }
  if (!ok || !s.empty()) {
    cur->Warn(p.line_no(), "statistics line has parts this parser does not know; they are ignored");
  }
  cur->SetTotals(std::move(t));
  return true;
}

// "rtt min/avg/max/mdev = 2.846/17.363/248.692/49.176 ms" or
// "round-trip min/avg/max[/stddev] = ..." (BusyBox, BSD).
bool ParseRttLine(PingParser& p, std::string_view s) {
  size_t eq = s.find(" = ");
  if (eq == std::string_view::npos) return false;
  std::string_view names = s.substr(0, eq);
  if (names.find("min/avg/max") == std::string_view::npos) return false;
  std::string_view v = s.substr(eq + 3);
  double vals[4] = {0, 0, 0, 0};
  int n = 0;
  while (n < 4) {
    auto d = text::ConsumeDecimal(&v);
    if (!d) break;
    vals[n++] = *d;
    if (!Consume(&v, "/")) break;
  }
  SessionBuilder* cur = p.current();
  if (!IsIputilsFamily(cur)) return n >= 3;  // known, but nothing to attach it to
  if (n < 3 || !cur->has_totals()) {
    cur->Warn(p.line_no(), n < 3 ? "expected min/avg/max numbers after \" = \""
                                 : "RTT summary without a packets line before it");
    return true;
  }
  PingToolTotals& t = *cur->info().totals;
  t.rtt_min_ms = vals[0];
  t.rtt_avg_ms = vals[1];
  t.rtt_max_ms = vals[2];
  if (n == 4) t.rtt_mdev_ms = vals[3];
  return true;
}

// "PING host (ip) 56(84) bytes of data." (iputils v4), "PING host(ip) 56 data bytes" (iputils
// v6 <= 20221126), "PING host (ip): 56 data bytes" (BSD, BusyBox), "PING6(56=40+8+8 bytes) a -->
// b".
bool ParseHeader(PingParser& p, std::string_view s) {
  if (Consume(&s, "PING6(")) {
    size_t arrow = s.find(" --> ");
    std::string dst(arrow == std::string_view::npos ? "" : s.substr(arrow + 5));
    p.StartSession(PingFormat::kBsd, dst, dst, 0, true);
    return true;
  }
  if (!Consume(&s, "PING ")) return false;
  size_t open = s.find('(');
  size_t close = s.find(')', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return false;
  std::string name(text::TrimRight(s.substr(0, open)));
  std::string address(s.substr(open + 1, close - open - 1));
  std::string_view rest = s.substr(close + 1);
  // iputils -I adds " from SRC DEV: " too, but keeps "bytes of data" (v4) or has no space
  // before "(" (v6 <= 20221126); BSD and BusyBox always write "host (ip)".
  bool bsd = rest.starts_with(":") ||
             (rest.starts_with(" from ") && rest.find("bytes of data") == std::string_view::npos &&
              open > 0 && s[open - 1] == ' ');
  if (!bsd && rest.find("bytes") == std::string_view::npos) return false;
  // iputils IPv6 may print "name (addr)" inside the parentheses; keep the address part.
  if (size_t sp = address.find(" ("); sp != std::string::npos) address = address.substr(sp + 2);
  if (bsd) {
    p.StartSession(PingFormat::kBsd, name, address, 0, true);
  } else {
    p.StartSession(PingFormat::kIputils, name, address, 1, true);
  }
  return true;
}

}  // namespace

bool ParseIputilsFamilyLine(PingParser& p, std::string_view line) {
  char c = line.front();
  if (IsDigit(c)) {
    std::string_view s = line;
    auto n = ConsumeDigits(&s);
    if (!n) return false;
    if (Consume(&s, " bytes from ")) return ParseReply(p, line, s);
    if (Consume(&s, " packets transmitted, ")) return ParseTotals(p, *n, s);
    // SIGQUIT status (iputils, "3/4 packets, 25% loss") or BSD SIGINFO ("3/4 packets received").
    if (Consume(&s, "/") && ConsumeDigits(&s) && s.starts_with(" packets")) {
      return IsIputilsFamily(p.current());
    }
    return false;
  }
  switch (c) {
    case 'P':
      return ParseHeader(p, line);
    case 'F': {
      // "From 10.0.0.1 icmp_seq=5 Destination Host Unreachable" (an ICMP error for probe 5);
      // "From 10.0.0.1: icmp_seq=5 Redirect Host(...)" (informational: the probe went on).
      std::string_view s = line;
      if (!Consume(&s, "From ")) return false;
      size_t k = s.find(" icmp_seq=");
      if (k == std::string_view::npos) return IsIputilsFamily(p.current());
      bool informational = k > 0 && s[k - 1] == ':';
      std::string_view q = s.substr(k + 10);
      auto raw = ConsumeDigits(&q);
      SessionBuilder& sess = SessionFor(p, PingFormat::kIputils);
      if (!raw || *raw > 0xFFFF) {
        sess.Warn(p.line_no(), "expected a sequence number 0-65535 after \"icmp_seq=\"");
        return true;
      }
      SessionBuilder& run = RunOf(p, sess, *raw);
      if (!informational) run.Error(*raw, p.line_no());
      return true;
    }
    case 'n':
      // "no answer yet for icmp_seq=N" (-O): printed before the next probe is sent. iputils has
      // no deadline, so a reply may still come: the gap decides, not this line.
      return line.starts_with("no answer yet for icmp_seq=") && IsIputilsFamily(p.current());
    case 'R': {
      // macOS "Request timeout for icmp_seq 2", FreeBSD IPv6 "Request timeout for icmp_seq=2".
      std::string_view s = line;
      if (!Consume(&s, "Request timeout for icmp_seq")) return false;
      Consume(&s, " ") || Consume(&s, "=");
      auto raw = ConsumeDigits(&s);
      SessionBuilder& sess = SessionFor(p, PingFormat::kBsd);
      if (!raw || *raw > 0xFFFF) {
        sess.Warn(p.line_no(), "expected a sequence number after \"Request timeout for icmp_seq\"");
        return true;
      }
      RunOf(p, sess, *raw).Timeout(*raw, p.line_no());
      return true;
    }
    case 'r':
      if (line.starts_with("rtt ") || line.starts_with("round-trip ")) {
        return ParseRttLine(p, line);
      }
      return false;
    case '-': {
      // "--- 192.168.100.114 ping statistics ---"
      if (!line.starts_with("--- ") || !line.ends_with(" statistics ---")) return false;
      SessionBuilder* cur = p.current();
      if (!IsIputilsFamily(cur) || cur->has_totals()) {
        std::string_view name = line.substr(4);
        name = name.substr(0, name.find(' '));
        p.StartSession(PingFormat::kIputils, std::string(name), "", 1, true, true)
            .Warn(p.line_no(), "statistics without a PING header");
      }
      return true;
    }
    case 'p':
      if (line.starts_with("pipe ")) return IsIputilsFamily(p.current());
      if (line.starts_with("ping: ") && IsIputilsFamily(p.current())) {
        // stderr of ping captured with 2>&1, e.g. "ping: sendmsg: Network is unreachable": the
        // probe was counted as sent and is lost.
        p.current()->Warn(p.line_no(), fmt::format("ping said: {}", EscapeForMessage(line)));
        return true;
      }
      return false;
    case 'V':
    case ' ':
      // macOS prints an IP header dump after an ICMP error ("Vr HL TOS  Len ...").
      return p.current() && p.current()->format() == PingFormat::kBsd &&
             (line.starts_with("Vr HL TOS") || c == ' ');
    default:
      return false;
  }
}

}  // namespace kiriwake::ingest::ping_internal
