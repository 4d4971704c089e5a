#include "util/json_field.h"

#include <gtest/gtest.h>

namespace kiriwake {
namespace {

using nlohmann::json;

TEST(JsonField, StringIsTheFieldOnlyWhenItIsAString) {
  json o = json::parse(R"({"name": "osd.3", "id": 3, "up": null})");
  EXPECT_EQ(JsonString(o, "name"), "osd.3");
  EXPECT_EQ(JsonString(o, "id"), "");
  EXPECT_EQ(JsonString(o, "up"), "");
  EXPECT_EQ(JsonString(o, "missing"), "");
  EXPECT_EQ(JsonString(json::parse(R"(["name"])"), "name"), "");
  EXPECT_EQ(JsonString(json("name"), "name"), "");
}

TEST(JsonField, IntTakesNumbersAndDecimalStringsInRange) {
  json o = json::parse(
      R"({"osd": 3, "neg": -2, "str": "12", "big": 4294967296, "max": 2147483647,
          "over": 2147483648, "under": -2147483649, "frac": 1.5, "word": "three",
          "bigstr": "99999999999"})");
  EXPECT_EQ(JsonInt(o, "osd"), 3);
  EXPECT_EQ(JsonInt(o, "neg"), -2);
  EXPECT_EQ(JsonInt(o, "str"), 12);
  EXPECT_EQ(JsonInt(o, "max"), 2147483647);
  // Out of range is the fallback, never a wrapped value (4294967296 would wrap to 0).
  EXPECT_EQ(JsonInt(o, "big"), -1);
  EXPECT_EQ(JsonInt(o, "over"), -1);
  EXPECT_EQ(JsonInt(o, "under", 7), 7);
  EXPECT_EQ(JsonInt(o, "bigstr"), -1);
  EXPECT_EQ(JsonInt(o, "frac"), -1);
  EXPECT_EQ(JsonInt(o, "word"), -1);
  EXPECT_EQ(JsonInt(o, "missing", 0), 0);
  EXPECT_EQ(JsonInt(json::array(), "osd"), -1);
}

TEST(JsonField, NumberTakesAnyJsonNumberButNotAString) {
  json o = json::parse(R"({"1min": 0.412, "count": 4, "text": "0.4"})");
  EXPECT_DOUBLE_EQ(JsonNumber(o, "1min"), 0.412);
  EXPECT_DOUBLE_EQ(JsonNumber(o, "count"), 4.0);
  EXPECT_DOUBLE_EQ(JsonNumber(o, "text"), -1.0);
  EXPECT_DOUBLE_EQ(JsonNumber(o, "missing", 2.5), 2.5);
}

}  // namespace
}  // namespace kiriwake
