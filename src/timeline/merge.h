// timeline/merge.h: streaming k-way merge of FileSources into one time-ordered event stream.
// Memory is one head event per source plus each source's reorder window: flat in file size, linear
// in the number of files. --since/--until filter on the UTC time. Not thread-safe.
#ifndef KIRIWAKE_TIMELINE_MERGE_H_
#define KIRIWAKE_TIMELINE_MERGE_H_

#include <memory>
#include <optional>
#include <vector>

#include "timeline/event.h"
#include "timeline/file_source.h"

namespace kiriwake::timeline {

struct MergeOptions {
  std::optional<TimePoint> since;  // keep events at or after
  std::optional<TimePoint> until;  // keep events at or before
};

class Merger {
 public:
  Merger(std::vector<std::unique_ptr<FileSource>> sources, MergeOptions opt);
  // Next event over all sources, smallest (time, input, line) first; false when all are done.
  bool Next(Event* ev);
  const std::vector<std::unique_ptr<FileSource>>& sources() const { return sources_; }

 private:
  void Refill(size_t i);
  std::vector<std::unique_ptr<FileSource>> sources_;
  MergeOptions opt_;
  std::vector<Event> heads_;
  std::vector<size_t> heap_;  // indices into heads_, a min-heap by EventBefore
};

// "2020-03-15T10:59:32Z", "2020-03-15T10:59:32+09:00", "2020-03-15 10:59" (read in `zone`),
// or epoch seconds "@1584237572". Usage error otherwise.
Result<TimePoint> ParseTimeArg(std::string_view s, const Zone& zone);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_MERGE_H_
