// model/probe_series.h: the outcome of every probe sent to one target, from whatever produced it
// (saved ping/fping/Windows output in ingest/, live probes in probe/), summarised the same way:
// the exact lost ids, loss bursts, RTT percentiles, outliers and a verdict.
//
// ProbeSeriesBuilder is fed one event per probe and keeps memory bounded by the number of loss
// bursts, not the number of probes: lost ids are stored as runs; RTTs are kept exactly up to
// kExactRttSamples and then folded into a log histogram (1% relative error) for percentiles;
// outliers are the kMaxOutliers largest RTTs above the threshold. Not thread-safe.
#ifndef KIRIWAKE_MODEL_PROBE_SERIES_H_
#define KIRIWAKE_MODEL_PROBE_SERIES_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace kiriwake::model {

// A run of consecutive lost probe ids: first, first+1, ..., first+length-1.
struct LossBurst {
  uint64_t first = 0;
  uint64_t length = 0;
  friend bool operator==(const LossBurst&, const LossBurst&) = default;
};

struct RttSummary {
  double min_ms = 0, median_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
  double mean_ms = 0;
  double mdev_ms = 0;  // population standard deviation, as iputils' mdev
  bool exact = true;   // false when percentiles come from the histogram (very long series)
};

struct Outlier {
  uint64_t id = 0;
  double rtt_ms = 0;
  friend bool operator==(const Outlier&, const Outlier&) = default;
};

// Persisted in --json as lowercase strings: DO NOT rename.
enum class Verdict { kHealthy, kDegraded, kBroken, kUnknown };
const char* VerdictName(Verdict v);

// Thresholds for the verdict and for outliers; see ProbeSeriesBuilder::Finish().
struct VerdictThresholds {
  // At or above this loss the target is broken: half the probes gone is an outage, not jitter.
  double broken_loss_ratio = 0.5;
  // Any loss at all is degraded: a LAN loses nothing; 1 in 10,000 is already a bad cable.
  double degraded_loss_ratio = 0.0;
  // An RTT is an outlier when it is above outlier_factor × median AND at least
  // outlier_min_excess_ms above it: 248 ms on a LAN whose median is 5 ms is one stall, while
  // 0.9 ms against a 0.3 ms median is normal scheduling noise.
  double outlier_factor = 3.0;
  double outlier_min_excess_ms = 1.0;
  // Degraded when at least this share of replies are outliers (1 in 100: a flapping path).
  double degraded_outlier_ratio = 0.01;
};

struct ProbeSeries {
  uint64_t transmitted = 0;
  uint64_t received = 0;             // answered probes (not duplicates, not ICMP errors)
  uint64_t errored = 0;              // probes answered by an ICMP error instead of a reply
  uint64_t late = 0;                 // lost by its deadline, a reply came afterwards
  std::vector<uint64_t> duplicates;  // ids that got more than one reply (each extra reply once)
  std::vector<LossBurst> bursts;     // every lost id, as runs, in increasing id order
  uint64_t lost_count = 0;           // sum of burst lengths, plus losses known only from totals
  std::optional<RttSummary> rtt;     // none when nothing was answered
  std::vector<Outlier> outliers;     // by id
  uint64_t outlier_count = 0;        // may exceed outliers.size() on very long series
  Verdict verdict = Verdict::kUnknown;

  double loss_ratio() const {
    return transmitted == 0 ? 0.0
                            : static_cast<double>(lost_count) / static_cast<double>(transmitted);
  }
  // Expands the bursts into ids (can be large: use bursts when you can).
  std::vector<uint64_t> LostIds() const;
};

class ProbeSeriesBuilder {
 public:
  static constexpr size_t kExactRttSamples = 1 << 20;
  static constexpr size_t kMaxOutliers = 1000;

  explicit ProbeSeriesBuilder(VerdictThresholds t = {}) : thresholds_(t) {}

  // One event per probe id (the first for that id). Ids may come in any order; losses are
  // cheapest in increasing order. Each counts the probe as transmitted.
  void Answered(uint64_t id, double rtt_ms) {
    ++transmitted_;
    ++received_;
    AddRtt(id, rtt_ms);
  }
  void Lost(uint64_t id);
  void Errored(uint64_t id);
  // A reply to a probe already counted as lost (after the tool's deadline): stays lost, marked
  // late.
  void Late(uint64_t id, double rtt_ms);
  // A late reply to a probe already fed to Lost() (live probers end a probe as lost at its
  // deadline, before any late reply can arrive): marks it late without counting it again.
  void LateAfterLost(uint64_t /*id*/) { ++late_; }
  // An extra reply to an id already answered; not a probe.
  void Duplicate(uint64_t id, double rtt_ms);
  // A probe whose reply is unknown (summary-only input, e.g. ping -q): counted as sent only.
  void SentWithoutDetail(uint64_t count) { transmitted_ += count; }
  // Losses known only from a tool's totals (tail of a run, -q): lost without ids.
  void LostWithoutId(uint64_t count) { lost_without_id_ += count; }
  // `count` consecutive lost probes first, first+1, ...: one call instead of `count` Lost() calls
  // (a gap of millions of ids in a damaged log must not cost millions of calls).
  void LostRun(uint64_t first, uint64_t count);
  // Probes answered whose ids and RTTs are unknown (summary-only input: ping -q, mtr --report):
  // counted as transmitted and received, without RTT samples.
  void AnsweredWithoutDetail(uint64_t count) {
    transmitted_ += count;
    received_ += count;
  }

  uint64_t transmitted() const { return transmitted_; }
  uint64_t received() const { return received_; }

  ProbeSeries Finish() const;

 private:
  // Inline: a multi-GB ping log calls it once per reply; the rare steps are out of line.
  void AddRtt(uint64_t id, double rtt_ms) {
    if (!std::isfinite(rtt_ms) || rtt_ms < 0) rtt_ms = 0;
    if (rtt_count_ == 0) {
      min_ms_ = max_ms_ = rtt_ms;
    } else {
      min_ms_ = std::min(min_ms_, rtt_ms);
      max_ms_ = std::max(max_ms_, rtt_ms);
    }
    ++rtt_count_;
    sum_ms_ += rtt_ms;
    sum_sq_ms_ += rtt_ms * rtt_ms;
    // Before AddSample: when it moves to the histogram it replays the exact samples, this one
    // included, into top_.
    if (rtt_ms > top_floor_) AddTop(id, rtt_ms);
    if (pending_n_ < pending_cap_) {  // past the exact samples: counted kHistogramBatch at once
      pending_[pending_n_++] = rtt_ms;
      if (pending_n_ == pending_cap_) CountPending();
    } else {
      AddSample(id, rtt_ms);
    }
  }
  void CountPending();
  void AddSample(uint64_t id, double rtt_ms);
  void AddTop(uint64_t id, double rtt_ms);

  VerdictThresholds thresholds_;
  uint64_t transmitted_ = 0, received_ = 0, errored_ = 0, late_ = 0, lost_without_id_ = 0;
  std::vector<LossBurst> bursts_;
  bool bursts_sorted_ = true;
  std::vector<uint64_t> duplicates_;
  // Exact RTT samples (id, rtt) until kExactRttSamples, then the histogram takes over.
  std::vector<std::pair<uint64_t, double>> samples_;
  std::vector<uint64_t> histogram_;
  // RTTs on their way into histogram_, counted kHistogramBatch at a time (rtt_histogram.h):
  // the first pending_n_ of pending_, which has kHistogramBatch slots once histogram_ is in use
  // and none before.
  static constexpr size_t kHistogramBatch = 1024;
  std::vector<double> pending_;
  size_t pending_n_ = 0;
  size_t pending_cap_ = 0;  // pending_.size(), kept apart to save AddRtt a load
  // Largest RTTs seen (a min-heap on rtt), to name outliers after the histogram takes over.
  // Kept only from then on (the exact samples name them until then, and an agent's builder per
  // peer then holds each RTT once, not twice); the switch replays the samples into it in order,
  // so it holds what it would have held all along.
  std::vector<Outlier> top_;
  // What an RTT must exceed to enter top_: +inf while the samples are exact (top_ unused), then
  // -inf until it holds kMaxOutliers, then its least.
  double top_floor_ = std::numeric_limits<double>::infinity();
  double sum_ms_ = 0, sum_sq_ms_ = 0, min_ms_ = 0, max_ms_ = 0;
  uint64_t rtt_count_ = 0;
};

}  // namespace kiriwake::model

#endif  // KIRIWAKE_MODEL_PROBE_SERIES_H_
