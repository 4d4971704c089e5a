#include "model/probe_series.h"

#include <gtest/gtest.h>

namespace kiriwake::model {
namespace {

// The seed's visible excerpt: seq 1-4 answered (248 ms first), 5-6 lost, 7-9 answered.
ProbeSeries SeedExcerpt() {
  ProbeSeriesBuilder b;
  const double rtts[] = {248, 4.31, 6.33, 2.84};
  for (int i = 0; i < 4; ++i) b.Answered(i + 1, rtts[i]);
  b.Lost(5);
  b.Lost(6);
  b.Answered(7, 5.20);
  b.Answered(8, 5.23);
  b.Answered(9, 11.2);
  return b.Finish();
}

TEST(ProbeSeries, LossesBecomeBurstsAndIds) {
  ProbeSeries s = SeedExcerpt();
  EXPECT_EQ(s.transmitted, 9u);
  EXPECT_EQ(s.received, 7u);
  EXPECT_EQ(s.lost_count, 2u);
  ASSERT_EQ(s.bursts.size(), 1u);
  EXPECT_EQ(s.bursts[0], (LossBurst{5, 2}));
  EXPECT_EQ(s.LostIds(), (std::vector<uint64_t>{5, 6}));
  EXPECT_EQ(s.verdict, Verdict::kDegraded);
}

TEST(ProbeSeries, PercentilesAreNearestRank) {
  ProbeSeries s = SeedExcerpt();
  ASSERT_TRUE(s.rtt.has_value());
  EXPECT_DOUBLE_EQ(s.rtt->min_ms, 2.84);
  EXPECT_DOUBLE_EQ(s.rtt->median_ms, 5.23);  // sorted: 2.84 4.31 5.20 5.23 6.33 11.2 248
  EXPECT_DOUBLE_EQ(s.rtt->max_ms, 248);
  EXPECT_DOUBLE_EQ(s.rtt->p99_ms, 248);
  EXPECT_TRUE(s.rtt->exact);
}

TEST(ProbeSeries, OutlierIsTheStallNotTheJitter) {
  ProbeSeries s = SeedExcerpt();
  ASSERT_EQ(s.outliers.size(), 1u);
  EXPECT_EQ(s.outliers[0], (Outlier{1, 248}));  // 11.2 ms is jitter: under 3 x 5.23
}

TEST(ProbeSeries, OutOfOrderLossesAreMerged) {
  ProbeSeriesBuilder b;
  b.Lost(7);
  b.Lost(3);
  b.Lost(4);
  b.Lost(8);
  b.Answered(1, 1.0);
  ProbeSeries s = b.Finish();
  EXPECT_EQ(s.bursts, (std::vector<LossBurst>{{3, 2}, {7, 2}}));
}

TEST(ProbeSeries, NothingAnsweredIsBroken) {
  ProbeSeriesBuilder b;
  b.Lost(1);
  b.Errored(2);
  ProbeSeries s = b.Finish();
  EXPECT_EQ(s.verdict, Verdict::kBroken);
  EXPECT_EQ(s.errored, 1u);
  EXPECT_FALSE(s.rtt.has_value());
}

TEST(ProbeSeries, CleanSeriesIsHealthy) {
  ProbeSeriesBuilder b;
  for (int i = 1; i <= 100; ++i) b.Answered(i, 0.4 + 0.001 * i);
  EXPECT_EQ(b.Finish().verdict, Verdict::kHealthy);
}

TEST(ProbeSeries, TotalsOnlyLossCountsWithoutIds) {
  ProbeSeriesBuilder b;
  b.SentWithoutDetail(73);
  b.LostWithoutId(4);
  ProbeSeries s = b.Finish();
  EXPECT_EQ(s.transmitted, 73u);
  EXPECT_EQ(s.lost_count, 4u);
  EXPECT_TRUE(s.bursts.empty());
}

TEST(ProbeSeries, LongSeriesFallsBackToHistogramWithinOnePercent) {
  ProbeSeriesBuilder b;
  const uint64_t n = ProbeSeriesBuilder::kExactRttSamples + 1000;
  for (uint64_t i = 0; i < n; ++i) b.Answered(i, 1.0 + static_cast<double>(i % 1000) / 100.0);
  ProbeSeries s = b.Finish();
  ASSERT_TRUE(s.rtt.has_value());
  EXPECT_FALSE(s.rtt->exact);
  EXPECT_NEAR(s.rtt->median_ms, 6.0, 6.0 * 0.011);
  EXPECT_DOUBLE_EQ(s.rtt->max_ms, 10.99);
}

// The largest RTTs are tracked only once the histogram takes over; the switch replays the exact
// samples, so spikes from before it are still named, as are those after it.
TEST(ProbeSeries, LongSeriesNamesOutliersFromBeforeAndAfterTheHistogramTakesOver) {
  ProbeSeriesBuilder b;
  const uint64_t n = ProbeSeriesBuilder::kExactRttSamples + 1000;
  for (uint64_t i = 0; i < n; ++i) {
    double rtt = 1.0;
    if (i == 5 || i == 1000) rtt = 500;  // exact samples at the time
    if (i == n - 10) rtt = 400;          // after the switch
    b.Answered(i, rtt);
  }
  ProbeSeries s = b.Finish();
  ASSERT_TRUE(s.rtt.has_value());
  EXPECT_FALSE(s.rtt->exact);
  EXPECT_EQ(s.outliers, (std::vector<Outlier>{{5, 500}, {1000, 500}, {n - 10, 400}}));
  EXPECT_EQ(s.outlier_count, 3u);
}

}  // namespace
}  // namespace kiriwake::model
