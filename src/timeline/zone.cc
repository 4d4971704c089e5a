#include "timeline/zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "util/text.h"

namespace kiriwake::timeline {

int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t CivilToEpochSeconds(const Civil& c) {
  return DaysFromCivil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
}

Civil EpochSecondsToCivil(int64_t s) {
  int64_t z = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  int64_t secs = s - z * 86400;
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  Civil c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(yoe + era * 400 + (c.month <= 2));
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs / 60 % 60);
  c.second = static_cast<int>(secs % 60);
  return c;
}

bool CivilValid(const Civil& c) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (c.year < 1900 || c.year > 9999 || c.month < 1 || c.month > 12 || c.day < 1) return false;
  if (c.day > kDays[c.month - 1]) return false;
  if (c.month == 2 && c.day == 29) {
    bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
    if (!leap) return false;
  }
  // 60: a leap second as syslog may print it.
  return c.hour >= 0 && c.hour < 24 && c.minute >= 0 && c.minute < 60 && c.second >= 0 &&
         c.second <= 60 && c.micros >= 0 && c.micros < 1000000;
}

bool ParseFixedOffset(std::string_view s, int32_t* offset_s) {
  if (s == "Z" || s == "UTC" || s == "GMT" || s == "UTC0") {
    *offset_s = 0;
    return true;
  }
  if (!text::Consume(&s, "UTC")) text::Consume(&s, "GMT");
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  std::string digits;
  for (char c : s) {
    if (text::IsDigit(c)) digits += c;
    else if (c != ':') return false;
  }
  int h = 0, m = 0;
  if (digits.size() == 1 || digits.size() == 2) {
    h = std::atoi(digits.c_str());
  } else if (digits.size() == 4) {
    h = (digits[0] - '0') * 10 + (digits[1] - '0');
    m = (digits[2] - '0') * 10 + (digits[3] - '0');
  } else {
    return false;
  }
  if (h > 14 || m > 59) return false;
  *offset_s = sign * (h * 3600 + m * 60);
  return true;
}

Zone Zone::Fixed(int32_t offset_s, std::string name) {
  Zone z;
  z.name_ = std::move(name);
  z.initial_offset_ = offset_s;
  return z;
}

namespace {

int64_t ReadBe(std::string_view b, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[pos + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

Result<std::string> Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound(fmt::format("{}: cannot open time zone file", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

Result<Zone> ParseTzif(std::string_view b, std::string name) {
  auto bad = [&](std::string_view what) {
    return Status::Malformed(SourceLoc{name, 0, 0}, "a TZif time zone file", what);
  };
  constexpr size_t kHeader = 44;
  if (b.size() < kHeader || b.substr(0, 4) != "TZif") return bad(text::Clipped(b, 0, 16));
  auto counts = [&](size_t at, int64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = ReadBe(b, at + 20 + 4 * i, 4);
  };
  int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  for (int64_t v : c) if (v < 0 || v > 100000) return bad("counts out of range");
  int time_size = 4;
  size_t at = kHeader;
  size_t v1_len = c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
  if (b[4] >= '2') {
    // Skip the 32-bit block; the 64-bit one follows with its own header.
    at = kHeader + v1_len;
    if (b.size() < at + kHeader || b.substr(at, 4) != "TZif") return bad("no 64-bit block");
    counts(at, c);
    for (int64_t v : c) if (v < 0 || v > 100000) return bad("counts out of range");
    at += kHeader;
    time_size = 8;
  }
  size_t need = c[3] * time_size + c[3] + c[4] * 6;
  if (b.size() < at + need) return bad("truncated");
  if (c[4] == 0) return bad("no local time types");
  Zone z;
  z.name_ = std::move(name);
  std::vector<int32_t> type_offsets(c[4]);
  std::vector<bool> type_dst(c[4]);
  size_t types_at = at + c[3] * time_size + c[3];
  for (int64_t i = 0; i < c[4]; ++i) {
    type_offsets[i] = static_cast<int32_t>(ReadBe(b, types_at + i * 6, 4));
    type_dst[i] = b[types_at + i * 6 + 4] != 0;
  }
  // RFC 8536 3.2: before the first transition, type 0 applies.
  z.initial_offset_ = type_offsets[0];
  for (int64_t i = 0; i < c[3]; ++i) {
    int64_t t = ReadBe(b, at + i * time_size, time_size);
    unsigned idx = static_cast<unsigned char>(b[at + c[3] * time_size + i]);
    if (idx >= type_offsets.size()) return bad("transition type out of range");
    if (!z.transitions_.empty() && t <= z.transitions_.back()) continue;
    z.transitions_.push_back(t);
    z.offsets_after_.push_back(type_offsets[idx]);
  }
  // A zone whose transitions never change the offset (Etc/UTC, Asia/Tokyo since 1951 aside) is
  // still handled by the table; the POSIX footer for times after the last transition is not read:
  // beyond it the last offset holds, which is right for zones without DST today (documented).
  return z;
}

Result<Zone> Zone::Load(std::string_view name) {
  int32_t off = 0;
  if (ParseFixedOffset(name, &off)) return Fixed(off, std::string(name));
  std::string path;
  std::string shown(name);
  if (name == "local") {
    const char* tz = std::getenv("TZ");
    if (tz != nullptr && *tz != '\0') {
      std::string_view tzv(tz);
      if (tzv[0] == ':') tzv.remove_prefix(1);
      if (ParseFixedOffset(tzv, &off)) return Fixed(off, std::string(tzv));
      name = tzv;
      shown = std::string(tzv);
    } else {
      path = "/etc/localtime";
      shown = "local (/etc/localtime)";
    }
  }
  if (path.empty()) {
    if (name.empty() || name.find("..") != std::string_view::npos)
      return Status::Usage(fmt::format("unknown time zone \"{}\"", EscapeForMessage(name)));
    if (name[0] == '/') {
      path = std::string(name);
    } else {
      const char* dir = std::getenv("TZDIR");
      path = fmt::format("{}/{}", dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo", name);
    }
  }
  auto bytes = Slurp(path);
  if (!bytes.ok()) {
    return Status::Usage(fmt::format(
        "unknown time zone \"{}\" (no {}; give an IANA name like Asia/Tokyo or an offset like "
        "+09:00)", EscapeForMessage(name), path));
  }
  return ParseTzif(*bytes, shown);
}

int32_t Zone::OffsetAt(int64_t utc_s) const {
  if (transitions_.empty() || utc_s < transitions_.front()) return initial_offset_;
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_s);
  return offsets_after_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

int32_t Zone::OffsetSpan(int64_t utc_s, int64_t* from, int64_t* until) const {
  *from = std::numeric_limits<int64_t>::min();
  *until = std::numeric_limits<int64_t>::max();
  if (transitions_.empty()) return initial_offset_;
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_s);
  size_t i = static_cast<size_t>(it - transitions_.begin());
  if (i < transitions_.size()) *until = transitions_[i];
  if (i == 0) return initial_offset_;
  *from = transitions_[i - 1];
  return offsets_after_[i - 1];
}

int64_t LocalToUtcCache::Convert(const Zone& zone, int64_t local_s, bool* ambiguous) {
  if (&zone == zone_ && local_s >= from_ && local_s < until_) {
    if (ambiguous != nullptr) *ambiguous = false;
    return local_s - offset_;
  }
  int64_t utc = zone.LocalToUtc(local_s, ambiguous);
  // LocalToUtc looks up the offsets at local_s +- 1 day and at local_s minus each: when all of
  // those fall inside one offset span [from, until), the answer is local_s - offset with no
  // ambiguity. That holds for wall times at least a day plus the offset inside the span; a
  // margin of two days plus the offset keeps clear of it.
  int64_t from = 0, until = 0;
  int32_t off = zone.OffsetSpan(local_s, &from, &until);
  int64_t margin = 2 * 86400 + (off < 0 ? -int64_t{off} : int64_t{off});
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  zone_ = &zone;
  offset_ = off;
  from_ = from == kMin ? kMin : from + margin;
  until_ = until == kMax ? kMax : until - margin;
  return utc;
}

int64_t Zone::LocalToUtc(int64_t local_s, bool* ambiguous) const {
  if (ambiguous != nullptr) *ambiguous = false;
  if (transitions_.empty()) return local_s - initial_offset_;
  // Try the offsets in force a day either side; keep the candidates that map back to local_s.
  int32_t before = OffsetAt(local_s - 86400);
  int32_t after = OffsetAt(local_s + 86400);
  int64_t t1 = local_s - before;
  int64_t t2 = local_s - after;
  bool ok1 = OffsetAt(t1) == before;
  bool ok2 = OffsetAt(t2) == after;
  if (ok1 && ok2) {
    if (t1 != t2 && ambiguous != nullptr) *ambiguous = true;  // a fold: take the earlier
    return std::min(t1, t2);
  }
  if (ok1) return t1;
  if (ok2) return t2;
  if (ambiguous != nullptr) *ambiguous = true;  // a gap: the wall time never happened
  return t1;
}

}  // namespace kiriwake::timeline
