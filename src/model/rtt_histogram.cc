#include "model/rtt_histogram.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace kiriwake::model::rtt_histogram {
namespace {

constexpr int kMantissaBits = 8;  // top mantissa bits looked up for the estimate

struct Tables {
  // edge[k]: the smallest double whose Bucket() is k or more (k >= 1; edge[0] unused), as its
  // bits: positive doubles order as their bits do, and an integer compare becomes a flag the
  // CPU adds in (a double compare became a branch that random RTTs mispredicted half the time).
  std::array<uint64_t, kBuckets> edge_bits;
  // log2(1 + i / 2^kMantissaBits), the estimate's table (off by < 0.006 = 0.4 bucket).
  std::array<double, (1 << kMantissaBits)> log2_mantissa;
  double log2_min;    // log2(kMinMs)
  double per_bucket;  // 1 / log2(kGrowth)
};

const Tables& GetTables() {
  static const Tables tables = [] {
    Tables t{};
    for (size_t i = 0; i < t.log2_mantissa.size(); ++i) {
      t.log2_mantissa[i] = std::log2(1.0 + static_cast<double>(i) / (1 << kMantissaBits));
    }
    t.log2_min = std::log2(kMinMs);
    t.per_bucket = 1.0 / std::log2(kGrowth);
    constexpr double kInf = std::numeric_limits<double>::infinity();
    for (size_t k = 1; k < kBuckets; ++k) {
      // The analytic edge is within a few ULPs of the real one: walk to it.
      double y = std::max(kMinMs, kMinMs * std::pow(kGrowth, static_cast<double>(k) - 1));
      for (int i = 0; i < 1000 && y > kMinMs && Bucket(y) >= k; ++i) y = std::nextafter(y, 0.0);
      for (int i = 0; i < 1000 && Bucket(y) < k; ++i) y = std::nextafter(y, kInf);
      std::memcpy(&t.edge_bits[k], &y, sizeof y);
    }
    return t;
  }();
  return tables;
}

}  // namespace

size_t Bucket(double rtt_ms) {
  if (!(rtt_ms > kMinMs)) return 0;
  double b = std::log(rtt_ms / kMinMs) / std::log(kGrowth);
  return std::min(kBuckets - 1, static_cast<size_t>(b) + 1);
}

namespace {
inline size_t BucketWith(const Tables& t, double rtt_ms) {
  if (!(rtt_ms > kMinMs)) return 0;
  if (!(rtt_ms < 1e15)) return Bucket(rtt_ms);  // past the last bucket, or infinite
  uint64_t bits;
  std::memcpy(&bits, &rtt_ms, sizeof bits);
  int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  double log2x =
      exponent + t.log2_mantissa[(bits >> (52 - kMantissaBits)) & ((1 << kMantissaBits) - 1)];
  double estimate = (log2x - t.log2_min) * t.per_bucket;
  // The table rounds the mantissa down, so the estimate is at most ~0.4 bucket low: one
  // branch-free step up settles it; rounding at an exact edge is caught by the check.
  // Both are positive and finite here, so comparing bits compares values.
  size_t k = estimate < 0 ? 1 : std::min(kBuckets - 2, static_cast<size_t>(estimate) + 1);
  k += static_cast<size_t>(bits >= t.edge_bits[k + 1]);
  if (bits < t.edge_bits[k] || (k + 1 < kBuckets && bits >= t.edge_bits[k + 1])) [[unlikely]] {
    while (k + 1 < kBuckets && bits >= t.edge_bits[k + 1]) ++k;
    while (k > 1 && bits < t.edge_bits[k]) --k;
  }
  return k;
}

}  // namespace

size_t FastBucket(double rtt_ms) { return BucketWith(GetTables(), rtt_ms); }

void CountInto(const double* rtts, size_t n, uint64_t* histogram) {
  const Tables& t = GetTables();
  for (size_t i = 0; i < n; ++i) ++histogram[BucketWith(t, rtts[i])];
}

double BucketValue(size_t b) {
  if (b == 0) return kMinMs;
  return kMinMs * std::pow(kGrowth, static_cast<double>(b) - 0.5);
}

}  // namespace kiriwake::model::rtt_histogram
