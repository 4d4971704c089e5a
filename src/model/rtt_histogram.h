// model/rtt_histogram.h: the log-bucketed RTT histogram a ProbeSeriesBuilder switches to once it
// has kept kExactRttSamples exact RTTs (model/probe_series.h). Buckets are 1% wide from 1 µs up
// (~2,800 of them reach 10^6 s), so a percentile read from it is within 0.5% of the exact one.
// Pure functions; the tables behind FastBucket are built once per process, thread-safely.
#ifndef KIRIWAKE_MODEL_RTT_HISTOGRAM_H_
#define KIRIWAKE_MODEL_RTT_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>

namespace kiriwake::model::rtt_histogram {

inline constexpr double kMinMs = 0.001;
inline constexpr double kGrowth = 1.01;
inline constexpr size_t kBuckets = 2800;

// The definition: 0 for rtt <= kMinMs (and NaN), else floor(log(rtt / kMinMs) / log(kGrowth)) + 1,
// at most kBuckets - 1.
size_t Bucket(double rtt_ms);

// Bucket() without a log() per call (a multi-GB log feeds millions of RTTs): an estimate from the
// exponent and top mantissa bits, settled against each bucket's exact lower edge, found once
// from Bucket() itself. Returns exactly what Bucket() returns, for every double.
size_t FastBucket(double rtt_ms);

// ++histogram[FastBucket(rtt)] for each of n RTTs (histogram holds kBuckets counts). In a batch
// the CPU works on many RTTs at once instead of waiting on each one's chain of dependent steps.
void CountInto(const double* rtts, size_t n, uint64_t* histogram);

// A representative value of bucket b: the geometric middle of its range (kMinMs for bucket 0).
double BucketValue(size_t b);

}  // namespace kiriwake::model::rtt_histogram

#endif  // KIRIWAKE_MODEL_RTT_HISTOGRAM_H_
