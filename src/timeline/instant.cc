#include "timeline/instant.h"

#include "timeline/line_format.h"
#include "timeline/zone.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {
// The last whole second whose nanoseconds, plus any fraction, still fit an int64
// (INT64_MAX ns is 2262-04-11T23:47:16.854775807Z).
constexpr int64_t kLastSecond = 9'223'372'035;
}  // namespace

std::optional<int64_t> ParseInstantNs(std::string_view s) {
  // Unix seconds, read as digits rather than through a double so that a fraction comes out exact
  // (1700000000.25 would be ...249999872 ns in binary floating point).
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  bool digits = !whole.empty() && (dot == std::string_view::npos || !frac.empty());
  for (char ch : s) digits = digits && (text::IsDigit(ch) || ch == '.');
  if (digits && frac.find('.') == std::string_view::npos) {
    auto seconds = text::ParseUint(whole);
    if (!seconds || *seconds > static_cast<uint64_t>(kLastSecond)) return std::nullopt;
    int64_t ns = 0, scale = 100'000'000;
    for (char ch : frac) {
      ns += (ch - '0') * scale;  // digits beyond nanoseconds are cut
      scale /= 10;
    }
    return static_cast<int64_t>(*seconds) * 1'000'000'000 + ns;
  }
  std::string_view rest = s;
  Civil c;
  bool has_offset = false;
  int32_t offset_s = 0;
  if (!ConsumeIsoTimestamp(&rest, &c, &has_offset, &offset_s, /*allow_space_sep=*/true) ||
      !rest.empty() || !has_offset || !CivilValid(c)) {
    return std::nullopt;
  }
  int64_t seconds = CivilToEpochSeconds(c) - offset_s;
  if (seconds < 0 || seconds > kLastSecond) return std::nullopt;
  return seconds * 1'000'000'000 + c.micros * 1'000;
}

}  // namespace kiriwake::timeline
