#include "timeline/zone.h"

#include <limits>

#include <gtest/gtest.h>

namespace kiriwake::timeline {
namespace {

int64_t Local(int y, int mo, int d, int h, int mi) {
  Civil c;
  c.year = y; c.month = mo; c.day = d; c.hour = h; c.minute = mi;
  return CivilToEpochSeconds(c);
}

TEST(Zone, TokyoIsNineHoursAheadOfUtc) {
  auto z = Zone::Load("Asia/Tokyo");
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  // 2020-03-15 10:58:39 JST is 01:58:39 UTC.
  EXPECT_EQ(z->LocalToUtc(Local(2020, 3, 15, 10, 58) + 39), Local(2020, 3, 15, 1, 58) + 39);
  EXPECT_EQ(z->OffsetAt(Local(2020, 3, 15, 0, 0)), 9 * 3600);
}

TEST(Zone, NewYorkFollowsDaylightSavingAndFlagsTheFold) {
  auto z = Zone::Load("America/New_York");
  ASSERT_TRUE(z.ok());
  bool ambiguous = true;
  // Winter: UTC-5; summer: UTC-4.
  EXPECT_EQ(z->LocalToUtc(Local(2020, 1, 10, 12, 0), &ambiguous), Local(2020, 1, 10, 17, 0));
  EXPECT_FALSE(ambiguous);
  EXPECT_EQ(z->LocalToUtc(Local(2020, 7, 10, 12, 0), &ambiguous), Local(2020, 7, 10, 16, 0));
  // 2020-11-01 01:30 happened twice; the earlier (EDT, 05:30 UTC) is taken.
  EXPECT_EQ(z->LocalToUtc(Local(2020, 11, 1, 1, 30), &ambiguous), Local(2020, 11, 1, 5, 30));
  EXPECT_TRUE(ambiguous);
  // 2020-03-08 02:30 never happened.
  z->LocalToUtc(Local(2020, 3, 8, 2, 30), &ambiguous);
  EXPECT_TRUE(ambiguous);
}

TEST(Zone, LocalToUtcCacheAgreesWithLocalToUtcAcrossTransitions) {
  // A stream of wall times through two DST changes, the way one file's lines arrive: every
  // answer, and every ambiguity flag, must be the uncached one.
  const Zone ny = *Zone::Load("America/New_York");
  LocalToUtcCache cache;
  for (int64_t t = Local(2020, 3, 1, 0, 0); t < Local(2020, 11, 10, 0, 0); t += 599) {
    bool a1 = false, a2 = false;
    ASSERT_EQ(cache.Convert(ny, t, &a1), ny.LocalToUtc(t, &a2)) << t;
    ASSERT_EQ(a1, a2) << t;
  }
  // Jumping back and forth, and switching zones, still agrees.
  const Zone tokyo = *Zone::Load("Asia/Tokyo");
  for (int64_t t : {Local(2020, 3, 8, 2, 30), Local(2020, 7, 1, 12, 0), Local(2020, 11, 1, 1, 30),
                    Local(1900, 1, 1, 0, 0)}) {
    for (const Zone* z : {&ny, &tokyo}) {
      bool a1 = false, a2 = false;
      EXPECT_EQ(cache.Convert(*z, t, &a1), z->LocalToUtc(t, &a2)) << t;
      EXPECT_EQ(a1, a2) << t;
    }
  }
}

TEST(Zone, OffsetSpanBoundsTheOffset) {
  const Zone ny = *Zone::Load("America/New_York");
  int64_t from = 0, until = 0;
  int64_t t = Local(2020, 7, 1, 0, 0);
  int32_t off = ny.OffsetSpan(t, &from, &until);
  EXPECT_EQ(off, -4 * 3600);
  EXPECT_LE(from, t);
  EXPECT_GT(until, t);
  EXPECT_EQ(ny.OffsetAt(from), off);
  EXPECT_EQ(ny.OffsetAt(until - 1), off);
  EXPECT_NE(ny.OffsetAt(until), off);
  EXPECT_NE(ny.OffsetAt(from - 1), off);
  const Zone utc = Zone::Fixed(0, "UTC");
  EXPECT_EQ(utc.OffsetSpan(t, &from, &until), 0);
  EXPECT_EQ(from, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(until, std::numeric_limits<int64_t>::max());
}

TEST(Zone, FixedOffsetsInEveryCommonSpelling) {
  for (const char* s : {"+09:00", "+0900", "+9", "UTC+9", "GMT+09"}) {
    auto z = Zone::Load(s);
    ASSERT_TRUE(z.ok()) << s;
    EXPECT_EQ(z->OffsetAt(0), 9 * 3600) << s;
  }
  auto w = Zone::Load("-05:30");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->OffsetAt(0), -(5 * 3600 + 1800));
}

TEST(Zone, UnknownNameIsAUsageError) {
  auto z = Zone::Load("Mars/Olympus_Mons");
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.status().code(), StatusCode::kUsage);
  EXPECT_FALSE(Zone::Load("../etc/passwd").ok());
}

TEST(Zone, TzifGarbageIsMalformedNotACrash) {
  EXPECT_EQ(ParseTzif("TZif2", "x").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseTzif(std::string(60, 'A'), "x").status().code(), StatusCode::kMalformed);
}

TEST(CivilTime, RoundTripsAndRejectsImpossibleDates) {
  Civil c = EpochSecondsToCivil(1584237519);  // 2020-03-15T01:58:39Z
  EXPECT_EQ(c.year, 2020);
  EXPECT_EQ(c.month, 3);
  EXPECT_EQ(c.day, 15);
  EXPECT_EQ(c.hour, 1);
  EXPECT_EQ(c.minute, 58);
  EXPECT_EQ(c.second, 39);
  Civil bad = c;
  bad.month = 2;
  bad.day = 30;
  EXPECT_FALSE(CivilValid(bad));
  bad.day = 29;  // 2020 is a leap year
  EXPECT_TRUE(CivilValid(bad));
}

}  // namespace
}  // namespace kiriwake::timeline
