#include "util/status.h"

#include <gtest/gtest.h>

#include "util/result.h"
#include "util/text.h"

namespace kiriwake {
namespace {

TEST(Status, MalformedCarriesLocationExpectedAndSeen) {
  Status s = Status::Malformed(SourceLoc{"ping-7.txt", 12, 5}, "'icmp_seq=N'", "icmp_seq=ab");
  EXPECT_EQ(s.code(), StatusCode::kMalformed);
  EXPECT_EQ(s.loc(), (SourceLoc{"ping-7.txt", 12, 5}));
  EXPECT_EQ(s.ToString(), "ping-7.txt:12:5: expected 'icmp_seq=N', saw \"icmp_seq=ab\"");
}

TEST(Status, FromErrnoMapsEnoentToNotFound) {
  EXPECT_EQ(Status::FromErrno("x", ENOENT).code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::FromErrno("x", EACCES).code(), StatusCode::kIOError);
}

TEST(Status, EscapeCutsAndEscapesControlBytes) {
  EXPECT_EQ(EscapeForMessage("a\x01\"b"), "a\\x01\\\"b");
  EXPECT_EQ(EscapeForMessage(std::string(100, 'x'), 10), std::string(10, 'x') + "...");
  EXPECT_EQ(EscapeForMessage("要求"), "要求");
  EXPECT_EQ(EscapeForMessage("\xff"), "\\xff");
  // C1 controls are valid UTF-8, but a terminal reads U+009B as CSI.
  EXPECT_EQ(EscapeForMessage("a\u009b2Jb"), "a\\xc2\\x9b2Jb");
  EXPECT_EQ(EscapeForMessage("\u00a0"), "\u00a0");
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::Usage("odd");
  return x / 2;
}
Result<int> Quarter(int x) {
  KW_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Result, PropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_EQ(Quarter(6).status().message(), "odd");
}

TEST(Text, ParsesWholeNumbersOnly) {
  EXPECT_EQ(text::ParseUint("73"), 73u);
  EXPECT_FALSE(text::ParseUint("7x").has_value());
  EXPECT_FALSE(text::ParseUint("").has_value());
  EXPECT_FALSE(text::ParseUint("-1").has_value());
  EXPECT_EQ(text::ParseInt("-4"), -4);
  EXPECT_DOUBLE_EQ(*text::ParseDouble("4.33333"), 4.33333);
}

TEST(Text, ConsumeDecimalStopsAtTheUnit) {
  std::string_view s = "12.3 ms";
  EXPECT_DOUBLE_EQ(*text::ConsumeDecimal(&s), 12.3);
  EXPECT_EQ(s, " ms");
  std::string_view t = "248ms";
  EXPECT_DOUBLE_EQ(*text::ConsumeDecimal(&t), 248);
  EXPECT_EQ(t, "ms");
  std::string_view u = "ms";
  EXPECT_FALSE(text::ConsumeDecimal(&u).has_value());
}

TEST(Text, Utf8ValidationRejectsOverlongsAndRepairs) {
  EXPECT_TRUE(text::IsValidUtf8("要求がタイムアウトしました。"));
  EXPECT_FALSE(text::IsValidUtf8("\xC0\xAF"));
  EXPECT_FALSE(text::IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_EQ(text::ToValidUtf8("a\xffz"), "a\xEF\xBF\xBDz");
}

TEST(Text, SplitHostPortDefaultsAndRejectsBadPorts) {
  auto a = text::SplitHostPort("10.77.1.2", 9623);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->host, "10.77.1.2");
  EXPECT_EQ(a->port, 9623);
  auto b = text::SplitHostPort("agent1:9700", 9623);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->host, "agent1");
  EXPECT_EQ(b->port, 9700);
  EXPECT_FALSE(text::SplitHostPort("agent1:0", 9623).has_value());
  EXPECT_FALSE(text::SplitHostPort("agent1:x", 9623).has_value());
  EXPECT_EQ(text::SplitHostPort("[::1]:80", 1)->host, "[::1]:80");  // brackets: left whole
}

}  // namespace
}  // namespace kiriwake
