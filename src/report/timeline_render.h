// report/timeline_render.h: the timeline's two renderers, from the same structs (timeline/event.h,
// timeline/story.h) so text and JSON cannot disagree. Text: one aligned line per event, and the
// story as a post-mortem. JSON: one document, written as the events stream by
// (TimelineJsonWriter frames the document; every value in it is built and dumped by nlohmann-json,
// so memory stays flat however many events pass). Times are UTC; a display zone adds local time.
// Renderers only format: every decision was made in timeline/. Not thread-safe.
#ifndef KIRIWAKE_REPORT_TIMELINE_RENDER_H_
#define KIRIWAKE_REPORT_TIMELINE_RENDER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "timeline/event.h"
#include "timeline/file_source.h"
#include "timeline/story.h"
#include "timeline/zone.h"

namespace kiriwake::report {

// "2020-03-14T16:35:02.000Z [01:35:02 +09:00]  ceph1  storage  warning  ceph_slow_ping  msg  (file:line)".
// A '~' after the time marks an uncertain time.
std::string TimelineEventLine(const timeline::Event& ev, const timeline::Zone* display);
// Event lines (TimelineEventLine) formatted into one reusable buffer and written to `out` in
// large blocks: the per-event cost of `kiriwake timeline` over gigabytes of logs. Not thread-safe.
class TimelineTextWriter {
 public:
  TimelineTextWriter(std::FILE* out, const timeline::Zone* display);
  ~TimelineTextWriter();  // flushes
  TimelineTextWriter(const TimelineTextWriter&) = delete;
  TimelineTextWriter& operator=(const TimelineTextWriter&) = delete;
  // Adds the event's line; false once `out` has refused bytes (a closed pipe).
  bool Add(const timeline::Event& ev);
  // Writes out what is buffered: call before writing anything else to `out`.
  bool Flush();

 private:
  std::FILE* out_;
  const timeline::Zone* display_;
  bool show_local_;
  bool failed_ = false;
  // Lines are written by pointer into buf_ (no per-append capacity checks) and flushed once
  // about 1 MiB is buffered.
  size_t cap_ = 0, len_ = 0;
  std::unique_ptr<char[]> buf_;
  timeline::UtcFormatter utc_;
  // The display zone's offset and the UTC span it holds for ([from, until), empty at first).
  int64_t offset_from_ = 0, offset_until_ = 0;
  int32_t offset_ = 0;
};

std::string TimelineStoryText(const timeline::Story& story, const timeline::Zone* display);
// One "file: kind, host ...; zone ..." line per source.
std::string TimelineSourcesText(const std::vector<std::string>& assumptions);

nlohmann::json TimelineEventJson(const timeline::Event& ev);
nlohmann::json TimelineStoryJson(const timeline::Story& story);

// Writes {"schema":1,"events":[...],"sources":[...],"warnings":[...],"story":...} to `out`.
class TimelineJsonWriter {
 public:
  explicit TimelineJsonWriter(std::FILE* out) : out_(out) {}
  void Begin();
  void Add(const timeline::Event& ev);
  // `sources`: one object per input (TimelineSourceJson); `story` may be null.
  void End(const nlohmann::json& sources, const nlohmann::json& warnings,
           const nlohmann::json& skew, const nlohmann::json& story, uint64_t events_total);

 private:
  std::FILE* out_;
  bool first_ = true;
};

nlohmann::json TimelineSourceJson(const timeline::FileSource& src);
nlohmann::json TimelineSkewJson(const std::vector<timeline::SkewEstimate>& skew);
std::string Dump(const nlohmann::json& j, int indent);

}  // namespace kiriwake::report

#endif  // KIRIWAKE_REPORT_TIMELINE_RENDER_H_
