#include <algorithm>
#include <cctype>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {
// 8 bytes at a time: any byte with its top bit set sends the text to the full check.
bool IsAscii(std::string_view s) {
  size_t i = 0;
  uint64_t acc = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    acc |= w;
  }
  for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

bool IsUtf8(std::string_view s) { return IsAscii(s) || text::IsValidUtf8(s); }
}  // namespace

std::string Utf8(std::string_view s) {
  if (IsUtf8(s)) return std::string(s);
  return text::ToValidUtf8(s);
}

void AssignUtf8(std::string* out, std::string_view s) {
  if (IsUtf8(s)) {
    out->assign(s);
  } else {
    *out = text::ToValidUtf8(s);
  }
}

void AssignUtf8(std::string* out, std::string_view a, std::string_view sep, std::string_view b) {
  // Valid UTF-8 is closed under concatenation: valid parts need no check of the whole.
  if (IsUtf8(a) && IsUtf8(sep) && IsUtf8(b)) {
    out->assign(a);
    out->append(sep);
    out->append(b);
    return;
  }
  std::string joined;
  joined.reserve(a.size() + sep.size() + b.size());
  joined.append(a).append(sep).append(b);
  AssignUtf8(out, joined);
}

size_t FirstWords(std::string_view s, std::string_view* out, size_t max) {
  size_t n = 0;
  size_t i = 0;
  while (i < s.size() && n < max) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out[n++] = s.substr(i, j - i);
    i = j;
  }
  return n;
}

TimePoint LineContext::FromLocal(const Civil& c, bool* ambiguous) {
  int64_t local = CivilToEpochSeconds(c);
  int64_t utc = zone != nullptr ? local_to_utc.Convert(*zone, local, ambiguous) : local;
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

namespace {
// Whether ExtractSubjects may act at position i: the first digit of a number whose first part
// (1-3 digits) ends in '.', as a dotted quad's does; "osd"; or "vm". Every other position it
// passes over without effect: a number that cannot be a dotted quad is skipped whole, and the
// digits and dots it skips start nothing.
[[maybe_unused]] bool MaySubjectStart(std::string_view t, size_t i) {
  auto at = [&](size_t k) { return k < t.size() ? t[k] : ' '; };
  char c = t[i];
  if (text::IsDigit(c)) {
    if (i > 0 && (text::IsDigit(t[i - 1]) || t[i - 1] == '.')) return false;
    for (size_t k = i + 1; k <= i + 3; ++k) {
      if (at(k) == '.') return true;
      if (!text::IsDigit(at(k))) return false;
    }
    return false;
  }
  if (c == 'o') return at(i + 1) == 's' && at(i + 2) == 'd';
  if (c == 'v') return at(i + 1) == 'm';
  return false;
}

#if defined(__SSE2__)
// MaySubjectStart for the 16 positions at p as a bit mask; reads p[-1] .. p[18].
[[gnu::always_inline]] inline unsigned SubjectStarts16(const char* p) {
  const __m128i zero = _mm_set1_epi8('0');
  const __m128i nine = _mm_set1_epi8(9);
  auto digit = [&](__m128i x) {
    __m128i v = _mm_sub_epi8(x, zero);  // a digit when v <= 9 unsigned
    return _mm_cmpeq_epi8(_mm_min_epu8(v, nine), v);
  };
  auto eq = [](__m128i x, char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  auto at = [&](int k) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k)); };
  __m128i prev = at(-1), x0 = at(0), x1 = at(1), x2 = at(2), x3 = at(3);
  __m128i d1 = digit(x1), d2 = digit(x2);
  // "D.", "DD." or "DDD." at a number's start.
  __m128i part = _mm_or_si128(
      eq(x1, '.'), _mm_and_si128(d1, _mm_or_si128(eq(x2, '.'), _mm_and_si128(d2, eq(x3, '.')))));
  __m128i number =
      _mm_andnot_si128(_mm_or_si128(digit(prev), eq(prev, '.')), _mm_and_si128(digit(x0), part));
  __m128i osd = _mm_and_si128(eq(x0, 'o'), _mm_and_si128(eq(x1, 's'), eq(x2, 'd')));
  __m128i vm = _mm_and_si128(eq(x0, 'v'), eq(x1, 'm'));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(number, _mm_or_si128(osd, vm))));
}
#endif

// First position >= i where MaySubjectStart holds, or t.size(). Lines hold few subjects among
// many letters, so the test runs on 16 positions at a time where SSE2 is available.
size_t NextSubjectStart(std::string_view t, size_t i) {
  size_t n = t.size();
#if defined(__SSE2__)
  if (i == 0 && n > 0) {  // position 0 has no byte before it to load
    if (MaySubjectStart(t, 0)) return 0;
    i = 1;
  }
  // In place while 16 positions and the bytes around them are inside t...
  for (; i + 19 <= n; i += 16) {
    unsigned mask = SubjectStarts16(t.data() + i);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
  // ...and the tail (under 19 bytes) from a copy padded with spaces, which start nothing.
  while (i < n) {
    char buf[1 + 19 + 16];
    std::memset(buf, ' ', sizeof buf);
    buf[0] = t[i - 1];
    size_t take = n - i;
    std::memcpy(buf + 1, t.data() + i, take);
    unsigned mask = SubjectStarts16(buf + 1) & (take >= 16 ? 0xffffu : (1u << take) - 1);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
    i += 16;
  }
  return n;
#else
  for (; i < n; ++i) {
    if (MaySubjectStart(t, i)) return i;
  }
  return n;
#endif
}

void AddSubject(std::vector<std::string>* out, std::string_view s) {
  if (std::find(out->begin(), out->end(), s) == out->end()) out->emplace_back(s);
}
}  // namespace

void ExtractSubjects(std::string_view t, std::vector<std::string>* out) {
  // Only positions NextSubjectStart finds can start a subject; the rest are skipped unread.
  for (size_t i = NextSubjectStart(t, 0); i < t.size(); i = NextSubjectStart(t, i + 1)) {
    char ch = t[i];
    if (text::IsDigit(ch)) {
      // Dotted quad (NextSubjectStart only stops at the first digit of a number that may be one).
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
        AddSubject(out, t.substr(i, j - i));
        i = j;  // the byte after the address is not looked at (as before)
        continue;
      }
      // Skip the rest of this number so "1.2.3.4.5" is not read from its middle.
      while (i + 1 < t.size() && (text::IsDigit(t[i + 1]) || t[i + 1] == '.')) ++i;
      continue;
    }
    if (ch == 'o') {
      if (t.substr(i, 3) != "osd" || (i > 0 && std::isalnum(static_cast<unsigned char>(t[i - 1]))))
        continue;
      size_t j = i + 3;
      if (j < t.size() && t[j] == '.') ++j;
      size_t k = j;
      while (k < t.size() && text::IsDigit(t[k])) ++k;
      if (k > j && k - j < 7) {
        char id[12] = "osd.";
        std::memcpy(id + 4, t.data() + j, k - j);
        AddSubject(out, std::string_view(id, 4 + (k - j)));
        i = k - 1;
      }
      continue;
    }
    // ch == 'v'
    if (t.substr(i, 5) == "vmnic") {
      size_t k = i + 5;
      while (k < t.size() && text::IsDigit(t[k])) ++k;
      if (k > i + 5) {
        AddSubject(out, t.substr(i, k - i));
        i = k - 1;
      }
    }
  }
}

}  // namespace kiriwake::timeline
