// util/url_query.h: the query part of a request target ("since=2026-11-26T20%3A31%3A58Z&x=1"),
// split into decoded name/value pairs. Percent escapes and '+' (a space, as HTML forms and most
// HTTP clients send it) are decoded; a '%' not followed by two hex digits is an error naming its
// column rather than a silently mangled value.
#ifndef KIRIWAKE_UTIL_URL_QUERY_H_
#define KIRIWAKE_UTIL_URL_QUERY_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace kiriwake {

struct UrlQuery {
  // In order of appearance; a name may repeat. "a" (no '=') is {"a", ""}.
  std::vector<std::pair<std::string, std::string>> params;

  // The first value given for `name`, if any.
  std::optional<std::string> Get(std::string_view name) const;
};

// Percent-encodes a name or value for a query (or a path segment): every byte but RFC 3986's
// unreserved characters (letters, digits, "-._~") becomes %XX, so ParseUrlQuery gives it back.
std::string UrlEncode(std::string_view s);

// `query` is what follows the '?' (without it). `source` names the input in errors (for a request:
// the target, e.g. "/api/v1/observations?since=..."); an error's column counts from 1 within
// `source`, whose first `columns_before` bytes come before `query` (for a target: up to the '?').
Result<UrlQuery> ParseUrlQuery(std::string_view query, std::string_view source,
                               size_t columns_before = 0);

// A request target's path ("/api/v1/observations", or "/a%20b"), percent-decoded; '+' stays '+'
// (it means a space only in a query). Errors as for ParseUrlQuery.
Result<std::string> DecodeUrlPath(std::string_view path, std::string_view source,
                                  size_t columns_before = 0);

}  // namespace kiriwake

#endif  // KIRIWAKE_UTIL_URL_QUERY_H_
