// timeline/merge.h: streaming k-way merge of FileSources into one time-ordered event stream.
// Memory is one head event per source plus each source's reorder window: flat in file size, linear
// in the number of files. --since/--until filter on the UTC time. Not thread-safe.
#ifndef KIRIWAKE_TIMELINE_MERGE_H_
#define KIRIWAKE_TIMELINE_MERGE_H_

#include <cstdint>
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
  // Next event over all sources, smallest (time, input, line) first; nullptr when all are done.
  // The event is read in place from its source and stays valid until the next call.
  const Event* Next();
  // The same, copied into *ev; false when all are done.
  bool Next(Event* ev);
  const std::vector<std::unique_ptr<FileSource>>& sources() const { return sources_; }

 private:
  // One source's head event with its sort key copied out, so sifting compares small, adjacent
  // keys instead of chasing pointers into each source's pool.
  struct Head {
    TimePoint time;
    uint64_t seq;
    uint32_t file_index;
    uint32_t source;  // last tie-break: sources given the same file_index still order stably
    const Event* ev;
    const void* next;  // where the source keeps its following event (FileSource::next_storage)
    uint32_t next_bytes;
  };
  static bool Before(const Head& a, const Head& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.file_index != b.file_index) return a.file_index < b.file_index;
    if (a.seq != b.seq) return a.seq < b.seq;
    return a.source < b.source;
  }
  bool Refill(uint32_t i, Head* h);  // source i's next event within --since/--until
  void SiftDown();                   // restores the heap after heap_[0] was replaced
  std::vector<std::unique_ptr<FileSource>> sources_;
  MergeOptions opt_;
  std::vector<Head> heap_;  // a binary min-heap by Before
  // The source whose head the last Next() returned: read again only on the following call, as
  // reading it reuses that event's storage.
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t taken_ = kNone;
};

// "2020-03-15T10:59:32Z", "2020-03-15T10:59:32+09:00", "2020-03-15 10:59" (read in `zone`),
// or epoch seconds "@1584237572". Usage error otherwise.
Result<TimePoint> ParseTimeArg(std::string_view s, const Zone& zone);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_MERGE_H_
