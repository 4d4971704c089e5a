#include "timeline/merge.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/text.h"

namespace kiriwake::timeline {

Merger::Merger(std::vector<std::unique_ptr<FileSource>> sources, MergeOptions opt)
    : sources_(std::move(sources)), opt_(opt), heads_(sources_.size()) {
  for (size_t i = 0; i < sources_.size(); ++i) Refill(i);
}

void Merger::Refill(size_t i) {
  auto later = [this](size_t a, size_t b) { return EventBefore(heads_[b], heads_[a]); };
  while (sources_[i]->Next(&heads_[i])) {
    if (opt_.since && heads_[i].time < *opt_.since) continue;
    if (opt_.until && heads_[i].time > *opt_.until) continue;
    heap_.push_back(i);
    std::push_heap(heap_.begin(), heap_.end(), later);
    return;
  }
}

bool Merger::Next(Event* ev) {
  if (heap_.empty()) return false;
  auto later = [this](size_t a, size_t b) { return EventBefore(heads_[b], heads_[a]); };
  std::pop_heap(heap_.begin(), heap_.end(), later);
  size_t i = heap_.back();
  heap_.pop_back();
  std::swap(*ev, heads_[i]);  // the caller's old event becomes reusable storage
  Refill(i);
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
