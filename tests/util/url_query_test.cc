#include "util/url_query.h"

#include <gtest/gtest.h>

namespace kiriwake {
namespace {

TEST(UrlQuery, DecodesPercentEscapesAndPlus) {
  auto q = ParseUrlQuery("since=2026-11-26T20%3A31%3A58Z&note=a+b%2Bc&flag", "t");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->params.size(), 3u);
  EXPECT_EQ(q->Get("since"), "2026-11-26T20:31:58Z");
  EXPECT_EQ(q->Get("note"), "a b+c");
  EXPECT_EQ(q->Get("flag"), "");
  EXPECT_EQ(q->Get("absent"), std::nullopt);
}

TEST(UrlQuery, FirstValueWinsAndEmptyFieldsCarryNothing) {
  auto q = ParseUrlQuery("&a=1&&a=2&", "t");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->params.size(), 2u);
  EXPECT_EQ(q->Get("a"), "1");
  EXPECT_EQ(q->params[1].second, "2");
  EXPECT_TRUE(ParseUrlQuery("", "t")->params.empty());
}

TEST(UrlQuery, BadEscapeNamesItsColumn) {
  auto q = ParseUrlQuery("a=1&since=20%G1", "/api/v1/observations?a=1&since=20%G1");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(q.status().loc().column, 13);  // the '%'
  EXPECT_NE(q.status().ToString().find("two hex digits"), std::string::npos)
      << q.status().ToString();
  // Counted within the whole target when the query's place in it is given.
  q = ParseUrlQuery("a=1&since=20%G1", "/api/v1/observations?a=1&since=20%G1", 21);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().loc().column, 34);
  EXPECT_FALSE(ParseUrlQuery("a=%4", "t").ok());  // cut short
  EXPECT_FALSE(ParseUrlQuery("%=1", "t").ok());   // in a name too
}

TEST(UrlQuery, PathIsPercentDecodedAndPlusStaysPlus) {
  auto p = DecodeUrlPath("/api/v1/obs%65rvations/a+b%2Fc", "t");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, "/api/v1/observations/a+b/c");
  p = DecodeUrlPath("/x%zz", "/x%zz?a=1");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().loc().column, 3);
}

TEST(UrlQuery, UrlEncodeEscapesPromQL) {
  EXPECT_EQ(UrlEncode("sum by (a) (x{y=\"z\"}[5m])"),
            "sum%20by%20%28a%29%20%28x%7By%3D%22z%22%7D%5B5m%5D%29");
}

TEST(UrlQuery, WhatUrlEncodeWritesParsesBack) {
  std::string value = "2026-11-26T20:31:58+09:00 & 100% {x=\"y\"}";
  auto q = ParseUrlQuery("since=" + UrlEncode(value), "test");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->Get("since"), value);
}

}  // namespace
}  // namespace kiriwake
