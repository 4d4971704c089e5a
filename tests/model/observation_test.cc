#include "model/observation.h"

#include <gtest/gtest.h>

namespace kiriwake::model {
namespace {

Topology Seed() {
  auto t = LoadTopology(std::string(KW_SOURCE_DIR) + "/examples/seed-incident/topology.yaml");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

TEST(ObservationJsonl, NamesWithNetworkAndAddressesImplyingIt) {
  Topology t = Seed();
  auto r = ParseObservations(
      "{\"src\": \"esxi1\", \"dst\": \"esxi2\", \"network\": \"service\", \"sent\": 73, \"lost\": 4}\n"
      "\n# a comment\n"
      "{\"src\": \"192.168.110.112\", \"dst\": \"192.168.110.114\", \"sent\": 10, \"received\": 9, "
      "\"rtt_ms\": 0.4, \"start\": \"2019-01-05T10:00:00Z\"}\n",
      "o.jsonl", t, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->observations.size(), 2u);
  const Observation& a = r->observations[0];
  EXPECT_EQ(t.EndpointName(a.src), "esxi1");
  EXPECT_EQ(t.networks()[a.network].name, "service");
  EXPECT_EQ(a.sent, 73u);
  EXPECT_EQ(a.lost, 4u);
  EXPECT_EQ(a.loc, (SourceLoc{"o.jsonl", 1, 1}));
  const Observation& b = r->observations[1];
  EXPECT_EQ(t.EndpointName(b.src), "ceph2");
  EXPECT_EQ(t.EndpointName(b.dst), "ceph4");
  EXPECT_EQ(t.networks()[b.network].name, "storage");
  EXPECT_EQ(b.lost, 1u);
  EXPECT_EQ(b.loc.line, 4);
  EXPECT_DOUBLE_EQ(*b.rtt_ms, 0.4);
  EXPECT_EQ(b.start, "2019-01-05T10:00:00Z");
}

struct BadCase {
  const char* line;
  StatusCode code;
  const char* says;
};

class ObservationErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ObservationErrors, AreReportedWithTheLineNumber) {
  Topology t = Seed();
  std::string text = std::string("{\"src\": \"esxi1\", \"dst\": \"esxi3\", \"network\": \"mgmt\", "
                                 "\"sent\": 5, \"lost\": 0}\n") + GetParam().line + "\n";
  auto r = ParseObservations(text, "o.jsonl", t, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), GetParam().code) << r.status().ToString();
  EXPECT_EQ(r.status().loc().file, "o.jsonl");
  EXPECT_EQ(r.status().loc().line, 2);
  EXPECT_NE(r.status().message().find(GetParam().says), std::string::npos)
      << r.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Observation, ObservationErrors,
    ::testing::Values(
        BadCase{R"({"src": "esxi9", "dst": "esxi2", "network": "mgmt", "sent": 5, "lost": 0})",
                StatusCode::kNotFound, "unknown host, VM or address \"esxi9\""},
        BadCase{R"({"src": "esxi1", "dst": "10.9.9.9", "sent": 5, "lost": 0})",
                StatusCode::kNotFound, "\"10.9.9.9\""},
        BadCase{R"({"src": "esxi1", "dst": "esxi2", "network": "mgmt", "sent": 5, "lost": 6})",
                StatusCode::kMalformed, "lost 6 is more than sent 5"},
        BadCase{R"({"src": "esxi1", "dst": "esxi2", "network": "mgmt", "sent": -5, "lost": 0})",
                StatusCode::kMalformed, "\"sent\" is negative"},
        BadCase{R"({"src": "esxi1", "dst": "esxi2", "network": "mgmt", "sent": 5, "lost": 1.5})",
                StatusCode::kMalformed, "whole number"},
        BadCase{R"({"src": "esxi1", "dst": "esxi2", "network": "wan", "sent": 5, "lost": 0})",
                StatusCode::kNotFound, "unknown network"},
        BadCase{R"({"src": "ceph1", "dst": "ceph4", "network": "mgmt", "sent": 5, "lost": 0})",
                StatusCode::kNotFound, "no path carries"},
        BadCase{
            R"({"src": "192.168.1.101", "dst": "esxi2", "network": "service", "sent": 5, "lost": 0})",
            StatusCode::kMalformed, "is on network mgmt, not service"},
        BadCase{R"({"src": "esxi1", "dst": "esxi2", "sent": 5, "lost": 0})", StatusCode::kMalformed,
                "missing \"network\""},
        BadCase{R"({"src": "esxi1", "dst": "esxi2", "network": "mgmt", "sent": 5)",
                StatusCode::kMalformed, "expected a JSON object"},
        BadCase{
            R"({"src": "esxi1", "dst": "esxi2", "network": "mgmt", "sent": 5, "lost": 3, "lost": 0})",
            StatusCode::kMalformed, "key \"lost\" given twice"},
        // 2^64 - 1 was read as unsigned, then reported as "negative (-1)".
        BadCase{
            R"({"src": "esxi1", "dst": "esxi2", "network": "mgmt", "sent": 18446744073709551615, "lost": 0})",
            StatusCode::kMalformed, "whole number up to 10^15"},
        BadCase{
            R"({"src": "esxi1", "dst": "esxi2", "network": "mgmt", "sent": 1000000000000001, "lost": 0})",
            StatusCode::kMalformed, "whole number up to 10^15"}));

TEST(ObservationJsonl, NullNetworkIsLeftOutAsProbeJsonWritesIt) {
  // `probe --json` without --network writes "network": null; docs/json.md says so.
  Topology t = Seed();
  auto r = ParseObservations(
      "{\"src\": \"esxi1\", \"dst\": \"192.168.110.114\", \"network\": null, \"sent\": 9, "
      "\"lost\": 1}\n",
      "o.jsonl", t, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->observations.size(), 1u);
  EXPECT_EQ(t.networks()[r->observations[0].network].name, "storage");
}

TEST(ObservationLenient, SkipsBadLinesWithACountAndAWarningEach) {
  Topology t = Seed();
  ObservationOptions o;
  o.lenient = true;
  auto r = ParseObservations(
      "{\"src\": \"esxi1\", \"dst\": \"esxi2\", \"network\": \"mgmt\", \"sent\": 5, \"lost\": 9}\n"
      "{\"src\": \"esxi1\", \"dst\": \"esxi2\", \"network\": \"mgmt\", \"sent\": 5, \"lost\": 1}\n"
      "not json\n",
      "o.jsonl", t, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->observations.size(), 1u);
  EXPECT_EQ(r->skipped_lines, 2);
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_EQ(r->warnings[0].loc.line, 1);
  EXPECT_EQ(r->warnings[1].loc.line, 3);
}

TEST(ObservationPingLog, DocumentNeedsSrcAndResolvesTargetsByAddress) {
  Topology t = Seed();
  const char* doc = R"({
  "sessions": [
    {"target": {"name": "ceph4", "address": "192.168.100.114"}, "transmitted": 73,
     "lost_count": 4},
    {"target": {"name": "esxi3", "address": null}, "transmitted": 10, "lost_count": 0}
  ]
})";
  auto none = ParseObservations(doc, "p.json", t, {});
  EXPECT_EQ(none.status().code(), StatusCode::kUsage);
  ObservationOptions o;
  o.src = "esxi1";
  auto r = ParseObservations(doc, "p.json", t, o);
  ASSERT_FALSE(r.ok()) << "esxi1 -> esxi3 by name alone shares 3 networks";
  o.src = "192.168.100.101";
  r = ParseObservations(doc, "p.json", t, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->observations.size(), 2u);
  EXPECT_EQ(t.EndpointName(r->observations[0].dst), "ceph4");
  EXPECT_EQ(r->observations[0].lost, 4u);
  EXPECT_EQ(t.networks()[r->observations[1].network].name, "service");
}

}  // namespace
}  // namespace kiriwake::model
