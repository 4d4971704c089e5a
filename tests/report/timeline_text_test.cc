// The timeline's event lines: the exact columns (they are the contract scripts grep), and the
// buffered writer printing the same bytes as TimelineEventLine.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/timeline_render.h"

namespace kiriwake::report {
namespace {

using timeline::Event;
using timeline::TimePoint;

Event Sample() {
  Event e;
  e.time = TimePoint(std::chrono::microseconds(1584237519035000));  // 2020-03-15T01:58:39.035Z
  e.host = "ceph1";
  e.layer = timeline::Layer::kStorage;
  e.severity = timeline::Severity::kWarning;
  e.tag = "ceph_slow_ping";
  e.message = "Health check failed";
  e.loc = SourceLoc{"ceph.log", 12, 0};
  return e;
}

std::string ReadAll(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(TimelineText, EventLineColumns) {
  EXPECT_EQ(TimelineEventLine(Sample(), nullptr),
            "2020-03-15T01:58:39.035Z   ceph1      storage       warning  ceph_slow_ping       "
            "Health check failed  (ceph.log:12)\n");
  Event e = Sample();
  e.time += std::chrono::microseconds(1);  // not whole milliseconds: microseconds
  e.time_uncertain = true;
  e.host.clear();
  e.tag.clear();
  e.loc.column = 3;
  auto tokyo = timeline::Zone::Load("Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok());
  EXPECT_EQ(TimelineEventLine(e, &*tokyo),
            "2020-03-15T01:58:39.035001Z~ [10:58:39 +09:00]  -          storage       warning  -"
            "                    Health check failed  (ceph.log:12:3)\n");
  // Wider than its column: nothing is cut. Non-ASCII: padded by display width, as fmt does.
  e.host = "a-rather-long-hostname";
  e.tag = "タグ";
  EXPECT_NE(TimelineEventLine(e, nullptr).find("a-rather-long-hostname storage"),
            std::string::npos);
  EXPECT_NE(TimelineEventLine(e, nullptr).find("warning  タグ                 Health"),
            std::string::npos);
}

TEST(TimelineText, WriterPrintsWhatEventLinePrints) {
  // Many events over days, years and a DST change in the display zone, through the writer's
  // buffer and caches, against one TimelineEventLine each.
  auto ny = timeline::Zone::Load("America/New_York");
  ASSERT_TRUE(ny.ok());
  const timeline::Zone* zones[] = {nullptr, &*ny};
  for (const timeline::Zone* zone : zones) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    std::string want;
    {
      TimelineTextWriter w(f, zone);
      Event e = Sample();
      for (int i = 0; i < 20000; ++i) {
        e.time += std::chrono::seconds(i % 7 == 0 ? 40000 : 61) + std::chrono::microseconds(i % 3);
        if (i % 1000 == 0) e.time -= std::chrono::hours(24 * 400);  // back across years
        e.severity = static_cast<timeline::Severity>(i % 6);
        e.layer = static_cast<timeline::Layer>(i % 6);
        e.message = std::string(static_cast<size_t>(i % 50), 'm') + std::to_string(i);
        e.loc.line = i;
        ASSERT_TRUE(w.Add(e));
        want += TimelineEventLine(e, zone);
      }
      // A line longer than the writer's buffer.
      e.message = std::string(3 << 20, 'x');
      ASSERT_TRUE(w.Add(e));
      want += TimelineEventLine(e, zone);
      ASSERT_TRUE(w.Flush());
    }
    EXPECT_TRUE(ReadAll(f) == want);
    std::fclose(f);
  }
}

// No byte of the line may reach the terminal as a control: not ESC (0x1b), BEL, CR, a C1 CSI, a
// newline inside a field. TAB and valid UTF-8 are kept.
bool HasControlBytes(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) return true;
  }
  return false;
}

TEST(TimelineText, ControlBytesFromTheLogAreEscaped) {
  Event e = Sample();
  e.message = "title \x1b]0;evil\x07 clear \x1b[2J csi \u009b2J cr\rnl\nend";
  e.host = "h\x1bst";
  e.tag = "t\x7f";
  e.loc.file = "f\x1b.log";
  std::string line = TimelineEventLine(e, nullptr);
  EXPECT_EQ(line,
            "2020-03-15T01:58:39.035Z   h\\x1bst    storage       warning  t\\x7f                "
            "title \\x1b]0;evil\\x07 clear \\x1b[2J csi \\xc2\\x9b2J cr\\x0dnl\\x0aend  "
            "(f\\x1b.log:12)\n");
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);  // one event, one line
  EXPECT_FALSE(HasControlBytes(line));
}

TEST(TimelineText, TabAndUtf8AreKeptAsTheyAre) {
  Event e = Sample();
  e.message = "リンクダウン\tポート 3";
  e.host = "ホスト";
  EXPECT_EQ(TimelineEventLine(e, nullptr),
            "2020-03-15T01:58:39.035Z   ホスト     storage       warning  ceph_slow_ping       "
            "リンクダウン\tポート 3  (ceph.log:12)\n");
}

TEST(TimelineText, WriterEscapesLikeEventLine) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::string want;
  {
    TimelineTextWriter w(f, nullptr);
    Event e = Sample();
    for (int i = 0; i < 3000; ++i) {
      // Every byte escaped: the line is 4x its input, past the writer's usual estimate.
      e.message = std::string(static_cast<size_t>(i % 300), '\x1b');
      e.host = i % 2 ? "h\x9b" : "h";  // invalid UTF-8: raw 8-bit CSI
      ASSERT_TRUE(w.Add(e));
      want += TimelineEventLine(e, nullptr);
    }
    ASSERT_TRUE(w.Flush());
  }
  std::string got = ReadAll(f);
  std::fclose(f);
  EXPECT_TRUE(got == want);
  EXPECT_EQ(got.find('\x1b'), std::string::npos);
  EXPECT_EQ(got.find('\x9b'), std::string::npos);
}

TEST(TimelineText, StoryEscapesHostsTextsAndFiles) {
  timeline::Story s;
  timeline::StoryRef r;
  r.time = Sample().time;
  r.host = "h\x1b]0;x\x07";
  r.text = "link up\x1b[2J\nforged line";
  r.loc = SourceLoc{"a\x1b.log", 3, 0};
  s.resolved = r;
  s.first_symptom = r;
  std::string out = TimelineStoryText(s, nullptr);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_FALSE(HasControlBytes(out));
  EXPECT_NE(
      out.find("Resolved: 2020-03-15T01:58:39.035Z h\\x1b]0;x\\x07: link up\\x1b[2J\\x0aforged "
               "line  (a\\x1b.log:3)\n"),
      std::string::npos)
      << out;
  EXPECT_EQ(TimelineSourcesText({"x\x1b.log: syslog"}),
            "Sources and clocks:\n  x\\x1b.log: syslog\n");
}

}  // namespace
}  // namespace kiriwake::report
