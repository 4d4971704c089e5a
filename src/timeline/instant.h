// timeline/instant.h: an instant as a user writes one in a flag or a query string (`--at`,
// `?since=`): Unix seconds or an RFC 3339 timestamp. One parser, so every place that takes a
// time takes the same forms and refuses the same nonsense.
#ifndef KIRIWAKE_TIMELINE_INSTANT_H_
#define KIRIWAKE_TIMELINE_INSTANT_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace kiriwake::timeline {

// "1700000000" or "1700000000.25" (Unix seconds, plain digits: no sign, no exponent), or
// "2023-11-14T22:13:20[.fff](Z|+09:00|+0900)" (a space may stand for the T), whole: nothing may
// follow. Returns Unix nanoseconds; nullopt when malformed, NaN, an impossible date (February 31)
// or without a zone, and outside 1970-01-01 .. 2262-04-11, where nanoseconds since the epoch no
// longer fit an int64.
std::optional<int64_t> ParseInstantNs(std::string_view s);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_INSTANT_H_
