#include "probe/probe_summary.h"

namespace kiriwake::probe {

SummaryCollector::SummaryCollector(const std::vector<ProbeTarget>& targets, std::string proto,
                                   std::string src, int64_t start_realtime_ns)
    : src_(std::move(src)),
      proto_(std::move(proto)),
      builders_(targets.size()),
      reordered_(targets.size()),
      start_realtime_ns_(start_realtime_ns) {
  base_.reserve(targets.size());
  for (const ProbeTarget& t : targets) {
    base_.push_back({t.name, t.address.AddressString(), t.network, std::nullopt, std::nullopt});
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
  std::vector<TargetSummary> out(base_.size());
  for (size_t i = 0; i < out.size(); ++i) {
    TargetSummary& t = out[i];
    t.src = src_;
    t.name = base_[i].name;
    t.address = base_[i].address;
    t.network = base_[i].network;
    t.proto = proto_;
    t.lost_forward = base_[i].lost_forward;
    t.lost_reverse = base_[i].lost_reverse;
    t.series = builders_[i].Finish();
    t.reordered = reordered_[i];
    t.start_realtime_ns = start_realtime_ns_;
    t.end_realtime_ns = end_realtime_ns;
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
