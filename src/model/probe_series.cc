#include "model/probe_series.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/rtt_histogram.h"

namespace kiriwake::model {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kHealthy:
      return "healthy";
    case Verdict::kDegraded:
      return "degraded";
    case Verdict::kBroken:
      return "broken";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::vector<uint64_t> ProbeSeries::LostIds() const {
  std::vector<uint64_t> ids;
  for (const LossBurst& b : bursts) {
    for (uint64_t k = 0; k < b.length; ++k) ids.push_back(b.first + k);
  }
  return ids;
}

using rtt_histogram::BucketValue;
using rtt_histogram::FastBucket;

void ProbeSeriesBuilder::AddSample(uint64_t id, double rtt_ms) {
  samples_.emplace_back(id, rtt_ms);
  if (samples_.size() > kExactRttSamples) {
    histogram_.assign(rtt_histogram::kBuckets, 0);
    for (const auto& s : samples_) ++histogram_[FastBucket(s.second)];
    top_floor_ = -std::numeric_limits<double>::infinity();
    for (const auto& s : samples_) {
      if (s.second > top_floor_) AddTop(s.first, s.second);
    }
    samples_.clear();
    samples_.shrink_to_fit();
    pending_.assign(kHistogramBatch, 0.0);
    pending_n_ = 0;
    pending_cap_ = pending_.size();
  }
}

void ProbeSeriesBuilder::CountPending() {
  rtt_histogram::CountInto(pending_.data(), pending_n_, histogram_.data());
  pending_n_ = 0;
}

void ProbeSeriesBuilder::AddTop(uint64_t id, double rtt_ms) {
  auto cmp = [](const Outlier& a, const Outlier& b) { return a.rtt_ms > b.rtt_ms; };
  if (top_.size() < kMaxOutliers) {
    top_.push_back({id, rtt_ms});
    std::push_heap(top_.begin(), top_.end(), cmp);
  } else {
    std::pop_heap(top_.begin(), top_.end(), cmp);
    top_.back() = {id, rtt_ms};
    std::push_heap(top_.begin(), top_.end(), cmp);
  }
  if (top_.size() == kMaxOutliers) top_floor_ = top_.front().rtt_ms;
}

void ProbeSeriesBuilder::Lost(uint64_t id) {
  ++transmitted_;
  if (!bursts_.empty()) {
    LossBurst& last = bursts_.back();
    if (id == last.first + last.length) {
      ++last.length;
      return;
    }
    if (id < last.first + last.length) bursts_sorted_ = false;
  }
  bursts_.push_back({id, 1});
}

void ProbeSeriesBuilder::LostRun(uint64_t first, uint64_t count) {
  if (count == 0) return;
  Lost(first);
  transmitted_ += count - 1;
  bursts_.back().length += count - 1;
}

void ProbeSeriesBuilder::Errored(uint64_t id) {
  ++errored_;
  Lost(id);  // an ICMP error is not a reply: the probe did not reach its target
}

void ProbeSeriesBuilder::Late(uint64_t id, double /*rtt_ms*/) {
  ++late_;
  Lost(id);
}

void ProbeSeriesBuilder::Duplicate(uint64_t id, double /*rtt_ms*/) { duplicates_.push_back(id); }

ProbeSeries ProbeSeriesBuilder::Finish() const {
  ProbeSeries s;
  s.transmitted = transmitted_;
  s.received = received_;
  s.errored = errored_;
  s.late = late_;
  s.duplicates = duplicates_;
  s.bursts = bursts_;
  if (!bursts_sorted_) {
    // Out-of-order losses: rebuild the runs from sorted, unique ids.
    std::vector<uint64_t> ids;
    for (const LossBurst& b : bursts_) {
      for (uint64_t k = 0; k < b.length; ++k) ids.push_back(b.first + k);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    s.bursts.clear();
    for (uint64_t id : ids) {
      if (!s.bursts.empty() && s.bursts.back().first + s.bursts.back().length == id) {
        ++s.bursts.back().length;
      } else {
        s.bursts.push_back({id, 1});
      }
    }
  }
  for (const LossBurst& b : s.bursts) s.lost_count += b.length;
  s.lost_count += lost_without_id_;
  s.transmitted = std::max(s.transmitted, s.received + s.lost_count);

  if (rtt_count_ > 0) {
    // The RTTs still pending join a copy: Finish() leaves the builder as it was.
    std::vector<uint64_t> histogram = histogram_;
    RttSummary r;
    r.min_ms = min_ms_;
    r.max_ms = max_ms_;
    double n = static_cast<double>(rtt_count_);
    r.mean_ms = sum_ms_ / n;
    r.mdev_ms = std::sqrt(std::max(0.0, sum_sq_ms_ / n - r.mean_ms * r.mean_ms));
    // Nearest-rank percentile: the smallest value with at least p of the samples at or below it.
    auto rank = [&](double p) { return static_cast<size_t>(std::max(1.0, std::ceil(p * n))) - 1; };
    if (histogram.empty()) {
      std::vector<double> v;
      v.reserve(samples_.size());
      for (const auto& smp : samples_) v.push_back(smp.second);
      std::sort(v.begin(), v.end());
      r.median_ms = v[rank(0.5)];
      r.p95_ms = v[rank(0.95)];
      r.p99_ms = v[rank(0.99)];
    } else {
      r.exact = false;
      rtt_histogram::CountInto(pending_.data(), pending_n_, histogram.data());
      auto at = [&](size_t want) {
        uint64_t seen = 0;
        for (size_t b = 0; b < histogram.size(); ++b) {
          seen += histogram[b];
          if (seen > want) return std::clamp(BucketValue(b), min_ms_, max_ms_);
        }
        return max_ms_;
      };
      r.median_ms = at(rank(0.5));
      r.p95_ms = at(rank(0.95));
      r.p99_ms = at(rank(0.99));
    }
    double threshold = std::max(r.median_ms * thresholds_.outlier_factor,
                                r.median_ms + thresholds_.outlier_min_excess_ms);
    if (histogram.empty()) {
      for (const auto& smp : samples_) {
        if (smp.second > threshold) {
          s.outliers.push_back({smp.first, smp.second});
        }
      }
      s.outlier_count = s.outliers.size();
      if (s.outliers.size() > kMaxOutliers) {
        std::nth_element(s.outliers.begin(), s.outliers.begin() + kMaxOutliers, s.outliers.end(),
                         [](const Outlier& a, const Outlier& b) { return a.rtt_ms > b.rtt_ms; });
        s.outliers.resize(kMaxOutliers);
      }
    } else {
      for (size_t b = FastBucket(threshold) + 1; b < histogram.size(); ++b) {
        s.outlier_count += histogram[b];
      }
      for (const Outlier& o : top_) {
        if (o.rtt_ms > threshold) s.outliers.push_back(o);
      }
      s.outlier_count = std::max<uint64_t>(s.outlier_count, s.outliers.size());
    }
    std::sort(s.outliers.begin(), s.outliers.end(),
              [](const Outlier& a, const Outlier& b) { return a.id < b.id; });
    s.rtt = r;
  }

  // Verdict: see VerdictThresholds for the reasons behind each number.
  if (s.transmitted == 0) {
    s.verdict = Verdict::kUnknown;
  } else if (s.received == 0 || s.loss_ratio() >= thresholds_.broken_loss_ratio) {
    s.verdict = Verdict::kBroken;
  } else if (s.loss_ratio() > thresholds_.degraded_loss_ratio ||
             (s.received > 0 &&
              static_cast<double>(s.outlier_count) / static_cast<double>(s.received) >=
                  thresholds_.degraded_outlier_ratio)) {
    s.verdict = Verdict::kDegraded;
  } else {
    s.verdict = Verdict::kHealthy;
  }
  return s;
}

}  // namespace kiriwake::model
