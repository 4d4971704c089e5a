// The people's rendering of live probe results: fping-style numbers, the loss strip, the
// verdict line, and the observations JSON keys.
#include "report/probe_text.h"

#include <gtest/gtest.h>

#include "report/probe_json.h"

namespace kiriwake::report {
namespace {

probe::TargetSummary Summary(std::initializer_list<uint64_t> lost, uint64_t total) {
  model::ProbeSeriesBuilder b;
  for (uint64_t id = 1; id <= total; ++id) {
    bool is_lost = std::find(lost.begin(), lost.end(), id) != lost.end();
    if (is_lost) {
      b.Lost(id);
    } else {
      b.Answered(id, id == 42 ? 248 : 0.5);
    }
  }
  probe::TargetSummary t;
  t.name = "ceph4";
  t.address = "192.168.100.114";
  t.series = b.Finish();
  return t;
}

TEST(ProbeText, NumbersKeepThreeSignificantDigits) {
  EXPECT_EQ(FormatMs(0.4123), "0.412");
  EXPECT_EQ(FormatMs(1.234), "1.23");
  EXPECT_EQ(FormatMs(12.34), "12.3");
  EXPECT_EQ(FormatMs(248.4), "248");
}

TEST(ProbeText, StripNamesEveryLossAndTheTail) {
  auto t = Summary({5, 6, 41, 73}, 73);
  EXPECT_EQ(LossStrip(t.series),
            "seq 1-4 ok · 5-6 LOST · 7-40 ok · 41 LOST · 42-72 ok · 73 LOST (tail)");
}

TEST(ProbeText, VerdictLineCountsLossesBurstsAndOutliers) {
  auto t = Summary({5, 6, 41, 73}, 73);
  std::string out = RenderProbeSummaries({t});
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "ceph4 (192.168.100.114)  degraded  4 of 73 lost (5.48%), 3 bursts, 1 outlier");
  EXPECT_NE(out.find("  rtt ms  min 0.500  median 0.500"), std::string::npos);
}

TEST(ProbeText, LabelsArePaddedToTheLongestNeverTruncated) {
  auto a = Summary({}, 3);
  auto b = Summary({}, 3);
  b.name = "b";
  b.address = "b";
  std::string out = RenderProbeSummaries({a, b});
  EXPECT_NE(out.find("\nb                        healthy"), std::string::npos) << out;
}

TEST(ProbeJson, ObservationHasTheLocalizeKeysAndNullRttWithoutReplies) {
  auto t = Summary({1, 2}, 2);
  t.src = "esxi1";
  t.network = "service";
  t.proto = "udp";
  auto j = ObservationJson(t);
  EXPECT_EQ(j["src"], "esxi1");
  EXPECT_EQ(j["dst"], "ceph4");
  EXPECT_EQ(j["network"], "service");
  EXPECT_EQ(j["sent"], 2);
  EXPECT_EQ(j["lost"], 2);
  EXPECT_TRUE(j["rtt_ms"].is_null());
  EXPECT_TRUE(j["lost_forward"].is_null());
  EXPECT_EQ(Rfc3339Ms(1'700'000'000'123'000'000), "2023-11-14T22:13:20.123Z");
}

TEST(ProbeText, TargetNamesAreEscapedForTheTerminal) {
  auto t = Summary({2}, 3);
  t.name = "ceph\x1b]0;x\x07";
  t.network = "back\nend";
  EXPECT_EQ(TargetLabel(t), "ceph\\x1b]0;x\\x07 (192.168.100.114) on back\\x0aend");
  std::string out = RenderProbeSummaries({t});
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.rfind("ceph\\x1b]0;x\\x07 (192.168.100.114) on back\\x0aend  ", 0), 0u) << out;
}

}  // namespace
}  // namespace kiriwake::report
