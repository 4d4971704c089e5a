#include "timeline/instant.h"

#include <gtest/gtest.h>

namespace kiriwake::timeline {
namespace {

TEST(Instant, UnixSecondsAndRfc3339InAnyZoneGiveTheSameNanoseconds) {
  EXPECT_EQ(ParseInstantNs("1700000000"), 1'700'000'000'000'000'000);
  EXPECT_EQ(ParseInstantNs("1700000000.25"), 1'700'000'000'250'000'000);
  EXPECT_EQ(ParseInstantNs("2023-11-14T22:13:20Z"), 1'700'000'000'000'000'000);
  EXPECT_EQ(ParseInstantNs("2023-11-14 22:13:20.5Z"), 1'700'000'000'500'000'000);
  EXPECT_EQ(ParseInstantNs("2023-11-15T07:13:20+09:00"), 1'700'000'000'000'000'000);
  EXPECT_EQ(ParseInstantNs("2023-11-14T17:13:20-0500"), 1'700'000'000'000'000'000);
  EXPECT_EQ(ParseInstantNs("0"), 0);
}

TEST(Instant, ImpossibleDatesAndTrailingTextAreRefused) {
  EXPECT_FALSE(ParseInstantNs("2026-02-31T00:00:00Z"));  // timegm would roll it to March 3
  EXPECT_FALSE(ParseInstantNs("2026-02-29T00:00:00Z"));  // not a leap year
  EXPECT_TRUE(ParseInstantNs("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseInstantNs("2023-13-14T22:13:20Z"));
  EXPECT_FALSE(ParseInstantNs("2023-11-14T24:00:00Z"));
  EXPECT_FALSE(ParseInstantNs("2023-11-14T22:13:20"));  // no zone: whose local time?
  EXPECT_FALSE(ParseInstantNs("2023-11-14T22:13:20Z junk"));
  EXPECT_FALSE(ParseInstantNs("yesterday"));
  EXPECT_FALSE(ParseInstantNs(""));
}

TEST(Instant, NanAndInstantsBeyondInt64NanosecondsAreRefusedNotWrapped) {
  EXPECT_FALSE(ParseInstantNs("nan"));
  EXPECT_FALSE(ParseInstantNs("-nan"));
  EXPECT_FALSE(ParseInstantNs("inf"));
  EXPECT_FALSE(ParseInstantNs("-1"));
  EXPECT_FALSE(ParseInstantNs("1969-12-31T23:59:59Z"));
  // The last representable second and the first one past it, both ways of writing them.
  EXPECT_EQ(ParseInstantNs("9223372035"), 9'223'372'035'000'000'000);
  EXPECT_FALSE(ParseInstantNs("9223372036"));
  EXPECT_FALSE(ParseInstantNs("9.3e9"));
  EXPECT_FALSE(ParseInstantNs("1."));
  EXPECT_FALSE(ParseInstantNs(".5"));
  EXPECT_FALSE(ParseInstantNs("1.2.3"));
  EXPECT_FALSE(ParseInstantNs("1e10"));
  EXPECT_TRUE(ParseInstantNs("2262-04-11T23:47:15.999999Z"));
  EXPECT_FALSE(ParseInstantNs("2262-04-11T23:47:17Z"));
  EXPECT_FALSE(ParseInstantNs("9999-12-31T23:59:59Z"));
}

}  // namespace
}  // namespace kiriwake::timeline
