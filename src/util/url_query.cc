#include "util/url_query.h"

#include <cctype>

namespace kiriwake {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one name, value or path that starts `offset` bytes into `source`. '+' is a space in a
// query (`plus_is_space`), itself in a path.
Result<std::string> Decode(std::string_view s, size_t offset, std::string_view source,
                           bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else {
      int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        SourceLoc loc{std::string(source), 1, static_cast<int64_t>(offset + i + 1)};
        return Status::Malformed(loc, "a percent escape like %3A (two hex digits after '%')",
                                 s.substr(i, 3));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::optional<std::string> UrlQuery::Get(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return std::nullopt;
}

Result<std::string> DecodeUrlPath(std::string_view path, std::string_view source,
                                  size_t columns_before) {
  return Decode(path, columns_before, source, /*plus_is_space=*/false);
}

Result<UrlQuery> ParseUrlQuery(std::string_view query, std::string_view source,
                               size_t columns_before) {
  UrlQuery q;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view field = query.substr(start, end - start);
    if (!field.empty()) {  // "a=1&&b=2" and a trailing '&' carry nothing
      size_t eq = field.find('=');
      std::string_view name = field.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : field.substr(eq + 1);
      KW_ASSIGN_OR_RETURN(std::string n, Decode(name, columns_before + start, source, true));
      KW_ASSIGN_OR_RETURN(std::string v,
                          Decode(value, columns_before + start + name.size() + 1, source, true));
      q.params.emplace_back(std::move(n), std::move(v));
    }
    start = end + 1;
  }
  return q;
}

}  // namespace kiriwake
