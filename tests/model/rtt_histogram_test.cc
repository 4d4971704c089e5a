#include "model/rtt_histogram.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace kiriwake::model::rtt_histogram {
namespace {

// FastBucket must agree with the definition everywhere, above all on each bucket's edge, where
// an estimate would be off by one.
TEST(RttHistogram, FastBucketIsBucketOnEveryEdge) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (size_t k = 1; k < kBuckets; ++k) {
    double analytic = kMinMs * std::pow(kGrowth, static_cast<double>(k) - 1);
    double x = analytic;
    for (int i = 0; i < 4; ++i) x = std::nextafter(x, 0.0);
    for (int i = 0; i < 9; ++i, x = std::nextafter(x, kInf)) {
      ASSERT_EQ(FastBucket(x), Bucket(x)) << "x=" << x << " near the edge of bucket " << k;
    }
  }
}

TEST(RttHistogram, FastBucketIsBucketForRandomAndSpecialValues) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> exponent(-8, 20);
  for (int i = 0; i < 200000; ++i) {
    double x = std::pow(10.0, exponent(rng));
    ASSERT_EQ(FastBucket(x), Bucket(x)) << "x=" << x;
  }
  for (double x :
       {0.0, -1.0, kMinMs, 0.412, 3.85, 248.0, 1e15, 1e300, std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_EQ(FastBucket(x), Bucket(x)) << "x=" << x;
  }
  EXPECT_EQ(Bucket(0.0005), 0u);
  EXPECT_EQ(Bucket(1e300), kBuckets - 1);
}

// FastBucket looks a bucket up by the top 8 mantissa bits and the exponent: both ends of every
// such cell of doubles from kMinMs to 1e15.
TEST(RttHistogram, FastBucketIsBucketAtEveryCellEnd) {
  auto bits_of = [](double d) {
    uint64_t b;
    std::memcpy(&b, &d, sizeof b);
    return b;
  };
  for (uint64_t c = bits_of(kMinMs) >> 44; c <= (bits_of(1e15) >> 44) + 1; ++c) {
    for (uint64_t bits : {c << 44, (c << 44) + 1, (c << 44) - 1, (c << 44) + (uint64_t{1} << 43)}) {
      double x;
      std::memcpy(&x, &bits, sizeof x);
      ASSERT_EQ(FastBucket(x), Bucket(x)) << "x=" << x;
    }
  }
}

TEST(RttHistogram, BucketValueLiesInsideItsBucket) {
  for (size_t b = 1; b + 1 < kBuckets; b += 7) EXPECT_EQ(Bucket(BucketValue(b)), b);
  EXPECT_EQ(BucketValue(0), kMinMs);
}

}  // namespace
}  // namespace kiriwake::model::rtt_histogram
