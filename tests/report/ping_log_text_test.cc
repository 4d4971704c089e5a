// The per-target text block other verbs reuse (report::RenderSeriesText) and fping-style RTTs.
#include <string>

#include <gtest/gtest.h>

#include "model/probe_series.h"
#include "report/ping_log_report.h"

namespace kiriwake::report {
namespace {

TEST(PingLogText, RttKeepsThreeSignificantDigitsLikeFping) {
  EXPECT_EQ(FormatRttMs(0.4123), "0.412");
  EXPECT_EQ(FormatRttMs(2.845), "2.85");  // %.2f rounds half to even on the binary value
  EXPECT_EQ(FormatRttMs(12.34), "12.3");
  EXPECT_EQ(FormatRttMs(248.692), "249");
}

TEST(PingLogText, SeriesBlockHasVerdictStripAndNumbers) {
  model::ProbeSeriesBuilder b;
  for (uint64_t id = 1; id <= 10; ++id) {
    if (id == 3 || id == 4 || id == 10) {
      b.Lost(id);
    } else {
      b.Answered(id, id == 7 ? 248.0 : 0.5);
    }
  }
  model::ProbeSeries s = b.Finish();
  SeriesText t;
  t.label = "ceph4";
  t.series = &s;
  t.first_id = 1;
  t.tail_first_id = 10;
  std::string out = RenderSeriesText(t, 8, TextOptions{});
  EXPECT_EQ(out,
            "ceph4     degraded  3 of 10 lost (30%), 2 bursts, 1 outlier\n"
            "  seq 1-2 ok · 3-4 LOST · 5-9 ok · 10 LOST (tail)\n"
            "  rtt ms  min 0.500  median 0.500  p95 248  p99 248  max 248  mdev 86.6\n"
            "  outliers seq 7 (248 ms)\n");
}

TEST(PingLogText, ProbesNeitherAnsweredNorLostAreCountedNotHiddenInOk) {
  // fping -C "nan": the probe was sent, but its outcome is unreadable.
  model::ProbeSeriesBuilder b;
  b.Answered(0, 0.05);
  b.SentWithoutDetail(3);
  b.Answered(4, 0.06);
  model::ProbeSeries s = b.Finish();
  SeriesText t;
  t.label = "10.77.1.2";
  t.series = &s;
  t.first_id = 0;
  t.id_word = "idx";
  std::string out = RenderSeriesText(t, 9, TextOptions{});
  EXPECT_NE(out.find("0 of 5 lost (0%), 3 neither answered nor lost (unreadable)\n"),
            std::string::npos)
      << out;
}

TEST(PingLogText, ColourDecoratesButNeverReplacesLost) {
  model::ProbeSeriesBuilder b;
  b.Answered(1, 1.0);
  b.Lost(2);
  model::ProbeSeries s = b.Finish();
  SeriesText t;
  t.label = "x";
  t.series = &s;
  std::string out = RenderSeriesText(t, 1, TextOptions{.color = true});
  EXPECT_NE(out.find("\033[1;31mLOST\033[0m"), std::string::npos);
}

TEST(PingLogText, HostAndFileNamesFromTheInputAreEscaped) {
  // "PING evil\x1b]0;owned\x07 (10.0.0.1)": the target as the log printed it, ESC and all.
  model::ProbeSeriesBuilder b;
  b.Answered(1, 0.5);
  b.Lost(2);
  PingLogReport rep;
  ingest::PingSession s;
  s.source = SourceLoc{"ping\x1b[2J.txt", 1, 0};
  s.target_name = "evil\x1b]0;owned\x07\u009b";
  s.target_address = "10.0.0.1";
  s.series = b.Finish();
  s.first_id = 1;
  s.last_id = 2;
  rep.sessions.push_back(std::move(s));
  std::string out = RenderPingLogText(rep, TextOptions{});
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
  EXPECT_EQ(out.find("\u009b"), std::string::npos) << out;
  EXPECT_EQ(out.rfind("evil\\x1b]0;owned\\x07\\xc2\\x9b (10.0.0.1)  ", 0), 0u) << out;
  EXPECT_NE(out.find("  source ping\\x1b[2J.txt:1, iputils\n"), std::string::npos) << out;
  // Colour is ours: its escapes stay.
  EXPECT_NE(RenderPingLogText(rep, TextOptions{.color = true}).find("\033[0m"), std::string::npos);
}

TEST(PingLogText, Utf8TargetIsKept) {
  model::ProbeSeriesBuilder b;
  b.Answered(1, 0.5);
  PingLogReport rep;
  ingest::PingSession s;
  s.target_name = "サーバー\t1";
  s.series = b.Finish();
  s.last_id = 1;
  rep.sessions.push_back(std::move(s));
  std::string out = RenderPingLogText(rep, TextOptions{});
  EXPECT_EQ(out.rfind("サーバー\t1 ", 0), 0u) << out;
  EXPECT_EQ(out.find("\\x"), std::string::npos) << out;
}

}  // namespace
}  // namespace kiriwake::report
