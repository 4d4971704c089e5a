// Text bound for a terminal: controls become "\xNN", everything printable is kept.
#include "util/terminal_safe.h"

#include <string>

#include <gtest/gtest.h>

namespace kiriwake::text {
namespace {

TEST(TerminalSafe, EscapeSequencesBecomeVisible) {
  EXPECT_EQ(TerminalSafe("a\x1b]0;evil\x07z"), "a\\x1b]0;evil\\x07z");
  EXPECT_EQ(TerminalSafe("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(TerminalSafe("del\x7f"), "del\\x7f");
  EXPECT_EQ(TerminalSafe(std::string("nul\0x", 5)), "nul\\x00x");
}

TEST(TerminalSafe, NewlineAndCarriageReturnStayOnOneLine) {
  EXPECT_EQ(TerminalSafe("one\ntwo\rthree"), "one\\x0atwo\\x0dthree");
}

TEST(TerminalSafe, TabPlainAsciiAndUtf8AreKept) {
  EXPECT_EQ(TerminalSafe("a\tb"), "a\tb");
  EXPECT_EQ(TerminalSafe("リンクダウン: ポート 3"), "リンクダウン: ポート 3");
  EXPECT_EQ(TerminalSafe("é ü ß € 😀 \u00a0"), "é ü ß € 😀 \u00a0");
  EXPECT_FALSE(NeedsTerminalEscape("plain ascii, tab\tand 日本語"));
  EXPECT_EQ(TerminalSafe(""), "");
}

TEST(TerminalSafe, C1ControlsAreEscapedBothBytes) {
  EXPECT_EQ(TerminalSafe("x\u009b2Jy"), "x\\xc2\\x9b2Jy");  // CSI
  EXPECT_EQ(TerminalSafe("\u0085\u009d"), "\\xc2\\x85\\xc2\\x9d");
  EXPECT_EQ(TerminalSafe("\u00a0"), "\u00a0");  // first code point after C1: kept
}

TEST(TerminalSafe, BidiControlsAndLineSeparatorsAreEscaped) {
  // RIGHT-TO-LEFT OVERRIDE would show "esxi2 cable" reversed, or hide the text after it.
  EXPECT_EQ(TerminalSafe("host\u202ecod.exe"), "host\\xe2\\x80\\xaecod.exe");
  EXPECT_EQ(TerminalSafe("\u2066a\u2069"), "\\xe2\\x81\\xa6a\\xe2\\x81\\xa9");
  EXPECT_EQ(TerminalSafe("one\u2028two\u2029"), "one\\xe2\\x80\\xa8two\\xe2\\x80\\xa9");
  EXPECT_TRUE(NeedsTerminalEscape("\u202a"));
  // Their neighbours are ordinary punctuation: kept.
  EXPECT_EQ(TerminalSafe("\u2027\u202f\u2065\u206a \u2014"), "\u2027\u202f\u2065\u206a \u2014");
  EXPECT_FALSE(NeedsTerminalEscape("\u2014 \u2026"));
}

TEST(TerminalSafe, InvalidUtf8BytesAreEscapedOneByOne) {
  EXPECT_EQ(TerminalSafe("a\x9b"
                         "b"),
            "a\\x9bb");                                        // raw 8-bit CSI
  EXPECT_EQ(TerminalSafe("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(TerminalSafe("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(TerminalSafe("\xe3\x83"), "\\xe3\\x83");           // truncated
  EXPECT_EQ(TerminalSafe("\xff"), "\\xff");
}

TEST(TerminalSafe, IdempotentAndNeedsEscapeAgrees) {
  const std::string cases[] = {"plain",    "\x1b[31mred", "a\nb",    "\u009b",
                               "\xff\xfe", "日本\x1b",    "a\u202eb"};
  for (const std::string& c : cases) {
    std::string once = TerminalSafe(c);
    EXPECT_EQ(TerminalSafe(once), once);
    EXPECT_FALSE(NeedsTerminalEscape(once));
    EXPECT_EQ(NeedsTerminalEscape(c), once != c) << c;
  }
}

TEST(TerminalSafe, EveryPositionOfTheVectorScanIsChecked) {
  // A control at each offset of strings long enough for the 16-byte loop and its tail.
  for (size_t len : {1, 15, 16, 17, 31, 32, 33, 100}) {
    for (size_t at = 0; at < len; ++at) {
      std::string s(len, 'x');
      s[at] = '\x1b';
      EXPECT_EQ(PlainAsciiPrefix(s), at);
      std::string want = std::string(at, 'x') + "\\x1b" + std::string(len - at - 1, 'x');
      EXPECT_EQ(TerminalSafe(s), want);
    }
    EXPECT_EQ(PlainAsciiPrefix(std::string(len, 'x')), len);
    EXPECT_EQ(PlainAsciiPrefix(std::string(len, '\t')), len);
  }
}

TEST(TerminalSafe, AppendKeepsWhatWasThere) {
  std::string out = "host ";
  AppendTerminalSafe(&out,
                     "a\x1b"
                     "b");
  AppendTerminalSafe(&out, " ok");
  EXPECT_EQ(out, "host a\\x1bb ok");
}

}  // namespace
}  // namespace kiriwake::text
