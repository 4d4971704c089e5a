// timeline/zone.h: civil (wall-clock) time and time zones, to put local-time logs on UTC.
// g++ 12's libstdc++ has no std::chrono::tzdb, and TZ+tzset+mktime would change process-global
// state under other threads, so Zone reads the system's TZif files (/usr/share/zoneinfo, RFC 8536)
// itself. A Zone is immutable after Load: safe to share between threads.
#ifndef KIRIWAKE_TIMELINE_ZONE_H_
#define KIRIWAKE_TIMELINE_ZONE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kiriwake::timeline {

struct Civil {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int year, int month, int day);
// Seconds since the epoch of `c` read as UTC (micros ignored).
int64_t CivilToEpochSeconds(const Civil& c);
Civil EpochSecondsToCivil(int64_t s);
bool CivilValid(const Civil& c);  // month 1-12, day within the month, hour < 24, ...

class Zone {
 public:
  // "UTC", "Z", a fixed offset ("+09:00", "+0900", "UTC+9", "-05"), an IANA name ("Asia/Tokyo",
  // read from $TZDIR or /usr/share/zoneinfo), or "local" (the machine's: $TZ, else /etc/localtime).
  static Result<Zone> Load(std::string_view name);
  static Zone Fixed(int32_t offset_s, std::string name);

  const std::string& name() const { return name_; }
  // UTC offset in seconds in force at `utc_s`.
  int32_t OffsetAt(int64_t utc_s) const;
  // The UTC instant of a wall-clock reading `local_s` (CivilToEpochSeconds of the local time).
  // In a DST fold the earlier instant is taken and *ambiguous set; in a gap, *ambiguous is set too.
  int64_t LocalToUtc(int64_t local_s, bool* ambiguous = nullptr) const;
  // OffsetAt(utc_s), and the span [*from, *until) of UTC seconds over which that offset holds
  // (INT64_MIN / INT64_MAX when unbounded), so a stream of nearby times can skip the search.
  int32_t OffsetSpan(int64_t utc_s, int64_t* from, int64_t* until) const;
  // True when the zone never changes offset (then OffsetAt(0) is the offset).
  bool fixed() const { return transitions_.empty(); }

 private:
  std::string name_;
  std::vector<int64_t> transitions_;   // UTC seconds, ascending
  std::vector<int32_t> offsets_after_; // offset in force from transitions_[i]
  int32_t initial_offset_ = 0;         // before the first transition (or always, when fixed)
  friend Result<Zone> ParseTzif(std::string_view bytes, std::string name);
};

// Zone::LocalToUtc for one stream of nearby wall times (one file's lines). It remembers the span
// of wall times around the last conversion that lie far enough from every transition that the
// answer is simply "minus the offset, unambiguous", so most lines skip LocalToUtc's four binary
// searches. Results are identical to LocalToUtc. Not thread-safe; one per file.
class LocalToUtcCache {
 public:
  int64_t Convert(const Zone& zone, int64_t local_s, bool* ambiguous = nullptr);

 private:
  const Zone* zone_ = nullptr;
  int64_t from_ = 0, until_ = 0;  // wall seconds [from_, until_): empty until the first miss
  int32_t offset_ = 0;
};

// Parses TZif bytes (versions 1-3; the 64-bit block when present). Exposed for tests and fuzzing.
Result<Zone> ParseTzif(std::string_view bytes, std::string name);

// Parses a fixed offset "+09:00", "+0900", "+9", "-05", "UTC+9", "GMT-3", "Z"; false if not one.
bool ParseFixedOffset(std::string_view s, int32_t* offset_s);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_ZONE_H_
