// report/timeline_render.h: the timeline's two renderers, from the same structs (timeline/event.h,
// timeline/story.h) so text and JSON cannot disagree. Text: one aligned line per event, and the
// story as a post-mortem. JSON: one document, written as the events stream by
// (TimelineJsonWriter frames the document; every value in it is built and dumped by nlohmann-json,
// so memory stays flat however many events pass). Times are UTC; a display zone adds local time.
// Renderers only format: every decision was made in timeline/. Not thread-safe.
#ifndef KIRIWAKE_REPORT_TIMELINE_RENDER_H_
#define KIRIWAKE_REPORT_TIMELINE_RENDER_H_

#include <cstdio>
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
