// The timeline's event lines: the exact columns (they are the contract scripts grep), and the
// buffered writer printing the same bytes as TimelineEventLine.
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

}  // namespace
}  // namespace kiriwake::report
