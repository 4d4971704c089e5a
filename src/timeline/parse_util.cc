#include <algorithm>
#include <cstring>

#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

std::string Utf8(std::string_view s) {
  // 8 bytes at a time: any byte with its top bit set sends the line to the full check.
  size_t i = 0;
  uint64_t acc = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    acc |= w;
  }
  for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
  if ((acc & 0x8080808080808080ULL) == 0) return std::string(s);
  if (text::IsValidUtf8(s)) return std::string(s);
  return text::ToValidUtf8(s);
}

TimePoint LineContext::FromLocal(const Civil& c, bool* ambiguous) const {
  int64_t local = CivilToEpochSeconds(c);
  int64_t utc = zone != nullptr ? zone->LocalToUtc(local, ambiguous) : local;
  return TimePoint(std::chrono::seconds(utc)) + std::chrono::microseconds(c.micros);
}

TimePoint FromUtcCivil(const Civil& c, int32_t offset_s) {
  return TimePoint(std::chrono::seconds(CivilToEpochSeconds(c) - offset_s)) +
         std::chrono::microseconds(c.micros);
}

namespace {
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!text::IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}
}  // namespace

bool ConsumeIsoTimestamp(std::string_view* s, Civil* c, bool* has_offset, int32_t* offset_s,
                         bool allow_space_sep) {
  std::string_view v = *s;
  if (!Digits(v, 0, 4, &c->year) || v.size() < 19 || v[4] != '-' ||
      !Digits(v, 5, 2, &c->month) || v[7] != '-' || !Digits(v, 8, 2, &c->day))
    return false;
  if (!(v[10] == 'T' || (allow_space_sep && v[10] == ' '))) return false;
  if (!Digits(v, 11, 2, &c->hour) || v[13] != ':' || !Digits(v, 14, 2, &c->minute) ||
      v[16] != ':' || !Digits(v, 17, 2, &c->second))
    return false;
  size_t i = 19;
  c->micros = 0;
  if (i < v.size() && (v[i] == '.' || v[i] == ',')) {
    ++i;
    int64_t scale = 100000;
    size_t start = i;
    while (i < v.size() && text::IsDigit(v[i])) {
      if (scale > 0) c->micros += (v[i] - '0') * scale;  // nanoseconds beyond micros are cut
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  *has_offset = false;
  *offset_s = 0;
  if (i < v.size() && v[i] == 'Z') {
    *has_offset = true;
    ++i;
  } else if (i < v.size() && (v[i] == '+' || v[i] == '-')) {
    int sign = v[i] == '-' ? -1 : 1;
    int h = 0, m = 0;
    if (Digits(v, i + 1, 2, &h)) {
      size_t j = i + 3;
      if (j < v.size() && v[j] == ':') ++j;
      if (Digits(v, j, 2, &m)) {
        j += 2;
      } else if (j != i + 3) {
        return false;
      }
      *has_offset = true;
      *offset_s = sign * (h * 3600 + m * 60);
      i = j;
    }
  }
  s->remove_prefix(i);
  return true;
}

bool ParseMonthAbbrev(std::string_view s, int* month) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (s == kMonths[i]) {
      *month = i + 1;
      return true;
    }
  }
  return false;
}

bool ConsumeEpochBracket(std::string_view* s, TimePoint* t) {
  std::string_view v = *s;
  if (!text::Consume(&v, "[")) return false;
  auto secs = text::ConsumeUint(&v);
  if (!secs || *secs > 100000000000ULL) return false;
  int64_t micros = 0;
  if (text::Consume(&v, ".")) {
    int64_t scale = 100000;
    size_t n = 0;
    while (!v.empty() && text::IsDigit(v[0])) {
      if (scale > 0) micros += (v[0] - '0') * scale;
      scale /= 10;
      v.remove_prefix(1);
      ++n;
    }
    if (n == 0) return false;
  }
  if (!text::Consume(&v, "]")) return false;
  text::Consume(&v, " ");
  *t = TimePoint(std::chrono::seconds(static_cast<int64_t>(*secs))) +
       std::chrono::microseconds(micros);
  *s = v;
  return true;
}

void ExtractSubjects(std::string_view t, std::vector<std::string>* out) {
  auto add = [&](std::string s) {
    if (std::find(out->begin(), out->end(), s) == out->end()) out->push_back(std::move(s));
  };
  for (size_t i = 0; i < t.size(); ++i) {
    char ch = t[i];
    if (text::IsDigit(ch) && (i == 0 || !(text::IsDigit(t[i - 1]) || t[i - 1] == '.'))) {
      // Dotted quad.
      size_t j = i;
      int parts = 0;
      bool ok = true;
      while (parts < 4) {
        size_t k = j;
        int v = 0;
        while (k < t.size() && text::IsDigit(t[k]) && k - j < 3) v = v * 10 + (t[k++] - '0');
        if (k == j || v > 255) { ok = false; break; }
        ++parts;
        j = k;
        if (parts < 4) {
          if (j < t.size() && t[j] == '.') ++j;
          else { ok = false; break; }
        }
      }
      if (ok && parts == 4 && (j >= t.size() || !text::IsDigit(t[j]))) {
        add(std::string(t.substr(i, j - i)));
        i = j;
        continue;
      }
      // Skip the rest of this number so "1.2.3.4.5" is not read from its middle.
      while (i + 1 < t.size() && (text::IsDigit(t[i + 1]) || t[i + 1] == '.')) ++i;
      continue;
    }
    if (ch == 'o' && t.substr(i, 3) == "osd" && (i == 0 || !std::isalnum(static_cast<unsigned char>(t[i - 1])))) {
      size_t j = i + 3;
      if (j < t.size() && t[j] == '.') ++j;
      size_t k = j;
      while (k < t.size() && text::IsDigit(t[k])) ++k;
      if (k > j && k - j < 7) {
        add("osd." + std::string(t.substr(j, k - j)));
        i = k - 1;
      }
      continue;
    }
    if (ch == 'v' && t.substr(i, 5) == "vmnic") {
      size_t k = i + 5;
      while (k < t.size() && text::IsDigit(t[k])) ++k;
      if (k > i + 5) {
        add(std::string(t.substr(i, k - i)));
        i = k - 1;
      }
    }
  }
}

}  // namespace kiriwake::timeline
