#include "util/terminal_safe.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/text.h"

namespace kiriwake::text {
namespace {

bool IsPlain(unsigned char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

// A valid sequence of `len` bytes at s[0] that is escaped all the same: a C1 control
// U+0080-U+009F (0xc2 0x80-0x9f), a line or paragraph separator U+2028-U+2029, or a bidi
// embedding, override or isolate U+202A-U+202E, U+2066-U+2069 (0xe2 0x80 0xa8-0xae, 0xe2 0x81
// 0xa6-0xa9): those reorder what follows on the line ("Trojan Source", CVE-2021-42574), so a
// host name could make a verdict read as another.
bool IsEscapedSequence(std::string_view s, size_t len) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  if (len == 2) return b(0) == 0xc2 && b(1) < 0xa0;
  if (len != 3 || b(0) != 0xe2) return false;
  return (b(1) == 0x80 && b(2) >= 0xa8 && b(2) <= 0xae) ||
         (b(1) == 0x81 && b(2) >= 0xa6 && b(2) <= 0xa9);
}

char* Hex(char* p, unsigned char c) {
  static constexpr char kDigits[] = "0123456789abcdef";
  p[0] = '\\';
  p[1] = 'x';
  p[2] = kDigits[c >> 4];
  p[3] = kDigits[c & 0xf];
  return p + 4;
}

}  // namespace

size_t PlainAsciiPrefix(std::string_view s) {
  const char* d = s.data();
  size_t n = s.size(), i = 0;
#if defined(__SSE2__)
  // Signed compare: bytes >= 0x80 are negative, so "< 0x20" takes C0 and every non-ASCII byte.
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f), tab = _mm_set1_epi8('\t');
  auto unsafe = [&](size_t at) {  // a bit per byte of d[at, at + 16) that ends the prefix
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + at));
    __m128i low = _mm_andnot_si128(_mm_cmpeq_epi8(v, tab), _mm_cmplt_epi8(v, space));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(v, del))));
  };
  for (; i + 16 <= n; i += 16) {
    if (unsigned mask = unsafe(i)) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
  if (i < n && n >= 16) {
    // The last 16 bytes, overlapping what was checked (clean, so it sets no bit): no byte loop.
    unsigned mask = unsafe(n - 16);
    return mask != 0 ? n - 16 + static_cast<size_t>(__builtin_ctz(mask)) : n;
  }
#endif
  for (; i < n; ++i) {
    if (!IsPlain(static_cast<unsigned char>(d[i]))) return i;
  }
  return n;
}

bool NeedsTerminalEscape(std::string_view s) {
  for (;;) {
    s.remove_prefix(PlainAsciiPrefix(s));
    if (s.empty()) return false;
    if (static_cast<unsigned char>(s[0]) < 0x80) return true;  // C0 or DEL
    size_t len = Utf8SeqLen(s, 0);
    if (len == 0 || IsEscapedSequence(s, len)) return true;
    s.remove_prefix(len);
  }
}

char* WriteTerminalSafe(char* p, std::string_view s) {
  for (;;) {
    size_t plain = PlainAsciiPrefix(s);
    std::memcpy(p, s.data(), plain);
    p += plain;
    s.remove_prefix(plain);
    if (s.empty()) return p;
    auto c = static_cast<unsigned char>(s[0]);
    size_t len = c < 0x80 ? 0 : Utf8SeqLen(s, 0);
    if (len == 0) {  // C0, DEL or a byte of invalid UTF-8
      p = Hex(p, c);
      s.remove_prefix(1);
    } else if (IsEscapedSequence(s, len)) {
      for (size_t k = 0; k < len; ++k) p = Hex(p, static_cast<unsigned char>(s[k]));
      s.remove_prefix(len);
    } else {
      std::memcpy(p, s.data(), len);
      p += len;
      s.remove_prefix(len);
    }
  }
}

void AppendTerminalSafe(std::string* out, std::string_view s) {
  if (!NeedsTerminalEscape(s)) {
    out->append(s);
    return;
  }
  size_t old = out->size();
  out->resize(old + kTerminalSafeMaxExpansion * s.size());
  char* end = WriteTerminalSafe(out->data() + old, s);
  out->resize(static_cast<size_t>(end - out->data()));
}

std::string TerminalSafe(std::string_view s) {
  std::string out;
  AppendTerminalSafe(&out, s);
  return out;
}

}  // namespace kiriwake::text
