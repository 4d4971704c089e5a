#include "probe/probe_summary.h"

namespace kiriwake::probe {

SummaryCollector::SummaryCollector(const std::vector<ProbeTarget>& targets, std::string proto,
                                   std::string src, int64_t start_realtime_ns)
    : builders_(targets.size()), reordered_(targets.size()), start_realtime_ns_(start_realtime_ns) {
  for (const ProbeTarget& t : targets) {
    TargetSummary s;
    s.src = src;
    s.name = t.name;
    s.address = t.address.AddressString();
    s.network = t.network;
    s.proto = proto;
    base_.push_back(std::move(s));
  }
}

void SummaryCollector::Add(const ProbeEvent& e) {
  if (e.target >= builders_.size()) return;
  model::ProbeSeriesBuilder& b = builders_[e.target];
  switch (e.outcome) {
    case ProbeOutcome::kAnswered:
      b.Answered(e.seq, e.rtt_ms);
      if (e.reordered) ++reordered_[e.target];
      break;
    case ProbeOutcome::kLost: b.Lost(e.seq); break;
    case ProbeOutcome::kErrored: b.Errored(e.seq); break;
    case ProbeOutcome::kLate: b.LateAfterLost(e.seq); break;
    case ProbeOutcome::kDuplicate: b.Duplicate(e.seq, e.rtt_ms); break;
  }
}

void SummaryCollector::SetDirections(size_t target, const TargetCounters& c) {
  if (target >= base_.size() || c.last_reply_seq == 0) return;
  base_[target].lost_forward = c.ForwardLost();
  base_[target].lost_reverse = c.ReverseLost();
}

std::vector<TargetSummary> SummaryCollector::Finish(int64_t end_realtime_ns) const {
  std::vector<TargetSummary> out = base_;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].series = builders_[i].Finish();
    out[i].reordered = reordered_[i];
    out[i].start_realtime_ns = start_realtime_ns_;
    out[i].end_realtime_ns = end_realtime_ns;
  }
  return out;
}

void SummaryCollector::Reset(int64_t start_realtime_ns) {
  for (auto& b : builders_) b = model::ProbeSeriesBuilder();
  for (auto& r : reordered_) r = 0;
  for (auto& s : base_) {
    s.lost_forward.reset();
    s.lost_reverse.reset();
  }
  start_realtime_ns_ = start_realtime_ns;
}

}  // namespace kiriwake::probe
