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
  // edge[k]: the smallest double whose Bucket() is k or more (k >= 1; edge[0] unused).
  std::array<double, kBuckets> edge;
  // log2(1 + i / 2^kMantissaBits), the estimate's table (off by < 0.006 = 0.4 bucket).
  std::array<double, (1 << kMantissaBits)> log2_mantissa;
};

const Tables& GetTables() {
  static const Tables tables = [] {
    Tables t{};
    for (size_t i = 0; i < t.log2_mantissa.size(); ++i) {
      t.log2_mantissa[i] = std::log2(1.0 + static_cast<double>(i) / (1 << kMantissaBits));
    }
    constexpr double kInf = std::numeric_limits<double>::infinity();
    for (size_t k = 1; k < kBuckets; ++k) {
      // The analytic edge is within a few ULPs of the real one: walk to it.
      double y = std::max(kMinMs, kMinMs * std::pow(kGrowth, static_cast<double>(k) - 1));
      for (int i = 0; i < 1000 && y > kMinMs && Bucket(y) >= k; ++i) y = std::nextafter(y, 0.0);
      for (int i = 0; i < 1000 && Bucket(y) < k; ++i) y = std::nextafter(y, kInf);
      t.edge[k] = y;
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

size_t FastBucket(double rtt_ms) {
  if (!(rtt_ms > kMinMs)) return 0;
  if (!(rtt_ms < 1e15)) return Bucket(rtt_ms);  // past the last bucket, or infinite
  const Tables& t = GetTables();
  uint64_t bits;
  std::memcpy(&bits, &rtt_ms, sizeof bits);
  int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  double log2x =
      exponent + t.log2_mantissa[(bits >> (52 - kMantissaBits)) & ((1 << kMantissaBits) - 1)];
  static const double kLog2Min = std::log2(kMinMs);
  static const double kPerBucket = 1.0 / std::log2(kGrowth);
  double estimate = (log2x - kLog2Min) * kPerBucket;
  size_t k = estimate < 0 ? 1 : std::min(kBuckets - 1, static_cast<size_t>(estimate) + 1);
  // Settle on the bucket whose edges hold the value (Bucket() is monotonic).
  while (k + 1 < kBuckets && rtt_ms >= t.edge[k + 1]) ++k;
  while (k > 1 && rtt_ms < t.edge[k]) --k;
  return k;
}

double BucketValue(size_t b) {
  if (b == 0) return kMinMs;
  return kMinMs * std::pow(kGrowth, static_cast<double>(b) - 0.5);
}

}  // namespace kiriwake::model::rtt_histogram
