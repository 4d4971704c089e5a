#include "timeline/merge.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/prefetch.h"
#include "util/text.h"

namespace kiriwake::timeline {

Merger::Merger(std::vector<std::unique_ptr<FileSource>> sources, MergeOptions opt)
    : sources_(std::move(sources)), opt_(opt) {
  heap_.reserve(sources_.size());
  for (uint32_t i = 0; i < sources_.size(); ++i) {
    Head h;
    if (!Refill(i, &h)) continue;
    heap_.push_back(h);
    std::push_heap(heap_.begin(), heap_.end(),
                   [](const Head& a, const Head& b) { return Before(b, a); });
  }
}

bool Merger::Refill(uint32_t i, Head* h) {
  while (const Event* e = sources_[i]->Next()) {
    if (opt_.since && e->time < *opt_.since) continue;
    if (opt_.until && e->time > *opt_.until) continue;
    const FileSource& s = *sources_[i];
    *h = Head{e->time, e->seq, e->file_index, i, e, s.next_storage(), s.next_storage_bytes()};
    return true;
  }
  return false;
}

void Merger::SiftDown() {
  size_t n = heap_.size();
  size_t i = 0;
  Head moving = heap_[0];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && Before(heap_[c + 1], heap_[c])) ++c;
    if (!Before(heap_[c], moving)) break;
    heap_[i] = heap_[c];
    i = c;
  }
  heap_[i] = moving;
}

const Event* Merger::Next() {
  if (taken_ != kNone) {
    // The head returned last came from heap_[0]'s source: replace it by that source's next
    // event (one sift instead of a pop and a push), or drop it when the source is done.
    if (!Refill(taken_, &heap_[0])) {
      heap_[0] = heap_.back();
      heap_.pop_back();
    }
    if (!heap_.empty()) SiftDown();
    taken_ = kNone;
  }
  if (heap_.empty()) return nullptr;
  taken_ = heap_[0].source;
  // The next call reads this source's following event (it refills the head taken now): start
  // bringing it in while the caller prints this one. Fetched any earlier, with many files, it
  // would have left the cache again before it is read.
  sources_[taken_]->PrefetchState();
  if (heap_[0].next != nullptr) PrefetchLines(heap_[0].next, heap_[0].next_bytes);
  return heap_[0].ev;
}

bool Merger::Next(Event* ev) {
  const Event* e = Next();
  if (e == nullptr) return false;
  *ev = *e;
  return true;
}

Result<TimePoint> ParseTimeArg(std::string_view s, const Zone& zone) {
  std::string_view v = text::Trim(s);
  if (text::Consume(&v, "@")) {
    auto secs = text::ParseUint(v);
    if (!secs) return Status::Usage(fmt::format("expected @EPOCH_SECONDS, saw \"{}\"", EscapeForMessage(s)));
    return TimePoint(std::chrono::seconds(static_cast<int64_t>(*secs)));
  }
  std::string padded(v);
  if (padded.size() == 10) padded += "T00:00:00";
  else if (padded.size() == 16) padded += ":00";
  std::string_view p = padded;
  Civil c;
  bool has_off = false;
  int32_t off = 0;
  if (!ConsumeIsoTimestamp(&p, &c, &has_off, &off, true) || !p.empty() || !CivilValid(c)) {
    return Status::Usage(fmt::format(
        "expected a time like 2020-03-15T10:59:32+09:00, 2020-03-15 10:59 or @EPOCH, saw \"{}\"",
        EscapeForMessage(s)));
  }
  if (has_off) return FromUtcCivil(c, off);
  int64_t utc = zone.LocalToUtc(CivilToEpochSeconds(c));
  return TimePoint(std::chrono::seconds(utc)) + std::chrono::microseconds(c.micros);
}

}  // namespace kiriwake::timeline
