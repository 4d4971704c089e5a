#include "model/rtt_histogram.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace kiriwake::model::rtt_histogram {
namespace {

constexpr int kMantissaBits = 8;  // top mantissa bits of a cell (cell_bucket)

struct Tables {
  // edge[k]: the smallest double whose Bucket() is k or more (k >= 1; edge[0] unused), as its
  // bits: positive doubles order as their bits do, and an integer compare becomes a flag the
  // CPU adds in (a double compare became a branch that random RTTs mispredicted half the time).
  std::array<uint64_t, kBuckets> edge_bits;
  // The bucket of the least double of each cell of doubles sharing their sign, exponent and top
  // kMantissaBits mantissa bits, for cells from kMinMs's to 1e15's. A cell is < 0.4% wide and
  // a bucket 1%, so a value's bucket is its cell's or the next: one load instead of an estimate
  // from log2 of the mantissa (-0.01 s per GB of ping log).
  uint64_t first_cell;
  std::vector<uint16_t> cell_bucket;
};

inline uint64_t BitsOf(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}
constexpr int kCellShift = 52 - kMantissaBits;

const Tables& GetTables() {
  static const Tables tables = [] {
    Tables t{};
    constexpr double kInf = std::numeric_limits<double>::infinity();
    for (size_t k = 1; k < kBuckets; ++k) {
      // The analytic edge is within a few ULPs of the real one: walk to it.
      double y = std::max(kMinMs, kMinMs * std::pow(kGrowth, static_cast<double>(k) - 1));
      for (int i = 0; i < 1000 && y > kMinMs && Bucket(y) >= k; ++i) y = std::nextafter(y, 0.0);
      for (int i = 0; i < 1000 && Bucket(y) < k; ++i) y = std::nextafter(y, kInf);
      std::memcpy(&t.edge_bits[k], &y, sizeof y);
    }
    t.first_cell = BitsOf(kMinMs) >> kCellShift;
    uint64_t last_cell = BitsOf(1e15) >> kCellShift;
    for (uint64_t c = t.first_cell; c <= last_cell; ++c) {
      double least;
      uint64_t bits = c << kCellShift;
      std::memcpy(&least, &bits, sizeof least);
      t.cell_bucket.push_back(
          static_cast<uint16_t>(std::clamp<size_t>(Bucket(least), 1, kBuckets - 2)));
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
  uint64_t bits = BitsOf(rtt_ms);
  // The cell's bucket, or one more when an edge falls inside the cell (both are positive and
  // finite here, so comparing bits compares values); an edge Bucket()'s rounding moved is
  // caught by the check.
  size_t k = t.cell_bucket[(bits >> kCellShift) - t.first_cell];
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
