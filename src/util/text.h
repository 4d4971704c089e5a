// util/text.h: small, non-throwing string helpers for parsers: clipped substrings (std's substr
// throws past the end), number parsing with std::from_chars (never std::stoi), trimming and
// splitting. Pure functions over views; results point into the input unless they return a string.
#ifndef KIRIWAKE_UTIL_TEXT_H_
#define KIRIWAKE_UTIL_TEXT_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiriwake::text {

// s.substr(pos, len) that clips instead of throwing when pos > size().
inline std::string_view Clipped(std::string_view s, size_t pos,
                                size_t len = std::string_view::npos) {
  if (pos > s.size()) return {};
  return s.substr(pos, len);
}

inline bool StartsWith(std::string_view s, std::string_view p) { return s.starts_with(p); }
inline bool EndsWith(std::string_view s, std::string_view p) { return s.ends_with(p); }

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  return s.substr(i);
}
inline std::string_view TrimRight(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsSpace(s[n - 1])) --n;
  return s.substr(0, n);
}
inline std::string_view Trim(std::string_view s) { return TrimRight(TrimLeft(s)); }

// Whole-string parses: the entire view must be the number (no sign for unsigned, no spaces).
std::optional<uint64_t> ParseUint(std::string_view s);
std::optional<int64_t> ParseInt(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

// Prefix parse: reads digits at the start of *s, advances *s past them. nullopt if none.
std::optional<uint64_t> ConsumeUint(std::string_view* s);
// Prefix parse of a decimal like "12.3", "0.412", "248" (no exponent, no sign); advances *s.
std::optional<double> ConsumeDecimal(std::string_view* s);

// If s starts with p, drops it and returns true.
inline bool Consume(std::string_view* s, std::string_view p) {
  if (!s->starts_with(p)) return false;
  s->remove_prefix(p.size());
  return true;
}

// Splits on `sep`, keeping empty fields.
std::vector<std::string_view> Split(std::string_view s, char sep);
// Splits on runs of spaces/tabs, dropping empty fields.
std::vector<std::string_view> SplitWords(std::string_view s);

// "HOST[:PORT]" (a bracketed IPv6 "[::1]:80" keeps its brackets out of the way): the host and
// the port, `default_port` when none is given. nullopt for a port that is not 1-65535.
struct HostPort {
  std::string host;
  int port = 0;
};
std::optional<HostPort> SplitHostPort(std::string_view s, int default_port);

// Length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 when it is not one: overlongs,
// surrogates, code points past U+10FFFF and truncated sequences are not.
size_t Utf8SeqLen(std::string_view s, size_t i);
// True when s is valid UTF-8 (rejects overlongs and surrogates).
bool IsValidUtf8(std::string_view s);
// Replaces invalid UTF-8 bytes with U+FFFD, so the text is safe for JSON and terminals.
std::string ToValidUtf8(std::string_view s);

}  // namespace kiriwake::text

#endif  // KIRIWAKE_UTIL_TEXT_H_
