#include "ingest/promql_client.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kiriwake::ingest {
namespace {

TEST(PromQLParse, VectorWithLabelsAndSpecialValues) {
  auto v = ParsePromVector(R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"src":"esxi1","peer":"esxi2"},"value":[1710494521.5,"4"]},
      {"metric":{},"value":[1710494521.5,"NaN"]}]},"warnings":["partial"]})",
                           "q");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->samples.size(), 2u);
  EXPECT_EQ(v->samples[0].labels.at("peer"), "esxi2");
  EXPECT_DOUBLE_EQ(v->samples[0].value, 4);
  EXPECT_DOUBLE_EQ(v->samples[0].time_s, 1710494521.5);
  EXPECT_TRUE(std::isnan(v->samples[1].value));
  EXPECT_EQ(v->warnings, (std::vector<std::string>{"partial"}));
}

TEST(PromQLParse, ApiErrorKeepsTypeAndMessage) {
  auto v = ParsePromVector(
      R"({"status":"error","errorType":"bad_data","error":"parse error at char 3"})", "q");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUsage);
  EXPECT_NE(v.status().message().find("bad_data"), std::string::npos);
  EXPECT_NE(v.status().message().find("parse error at char 3"), std::string::npos);
}

TEST(PromQLParse, TimeoutIsUnavailable) {
  auto v =
      ParsePromVector(R"({"status":"error","errorType":"timeout","error":"query timed out"})", "q");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnavailable);
}

TEST(PromQLParse, NotJsonIsMalformedWithByteOffset) {
  auto v = ParsePromVector("<html>502 Bad Gateway</html>", "q");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kMalformed);
  EXPECT_NE(v.status().message().find("byte"), std::string::npos);
}

// fuzz/promql_fuzz.cc found this: a number too large for a double threw out_of_range.
TEST(PromQLParse, HugeNumberIsMalformedNotACrash) {
  auto v = ParsePromVector("6e666667666666666", "q");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kMalformed);
}

TEST(PromQLParse, WrongResultTypeIsMalformed) {
  auto v =
      ParsePromVector(R"({"status":"success","data":{"resultType":"matrix","result":[]}})", "q");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kMalformed);
}

// fuzz/promql_fuzz.cc found these: json::value() threw type_error for a key of another type.
TEST(PromQLParse, FieldsOfTheWrongTypeAreMalformedNotACrash) {
  auto v = ParsePromVector(R"({"status":"success","data":{"resultType":[{"metric":{}}]}})", "q");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kMalformed);
  auto e = ParsePromVector(R"({"status":"error","errorType":7,"error":["x"]})", "q");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("query failed (error): no message"), std::string::npos)
      << e.status().ToString();
}

// ParsePromVector streams the common answer and leaves anything unusual to the document reader;
// both must read every answer alike.
void ExpectSameAsDocument(const std::string& body, bool streamed) {
  SCOPED_TRACE(body);
  EXPECT_EQ(ParsePromVectorStreamed(body).has_value(), streamed);
  auto fast = ParsePromVector(body, "q");
  auto doc = ParsePromVectorDocument(body, "q");
  ASSERT_EQ(fast.ok(), doc.ok());
  if (!fast.ok()) {
    EXPECT_EQ(fast.status().ToString(), doc.status().ToString());
    return;
  }
  ASSERT_EQ(fast->samples.size(), doc->samples.size());
  for (size_t i = 0; i < fast->samples.size(); ++i) {
    EXPECT_EQ(fast->samples[i].labels, doc->samples[i].labels);
    EXPECT_EQ(fast->samples[i].time_s, doc->samples[i].time_s);
    double a = fast->samples[i].value, b = doc->samples[i].value;
    EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << a << " vs " << b;
  }
  EXPECT_EQ(fast->warnings, doc->warnings);
}

TEST(PromQLParse, StreamedVectorReadsLikeTheDocument) {
  const std::vector<std::string> bodies = {
      // As Prometheus writes it, and with every key order and extra fields it may add.
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"src":"a","peer":"b","network":"n"},"value":[1795740691,"300"]},{"metric":{"src":"c"},"value":[1795740691.25,"301.06873847384446"]}]}})",
      R"({"data":{"result":[{"value":[17,"-Inf"],"metric":{"x":"\u00e9\"\\\\"}}],"resultType":"vector"},"warnings":["w1","w2"],"status":"success"})",
      R"({"status":"success","infos":["i"],"data":{"resultType":"vector","stats":{"a":[1,{"b":null}]},"result":[{"metric":{},"value":[1,"+Inf"],"histogram":[1,{"count":"2"}]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[18446744073709551615,"NaN"]},{"metric":{"a":"2"},"value":[-3,"1e-300"]}]}})",
  };
  // Left to the document reader: errors, and shapes it reads its own way.
  const std::vector<std::string> declined = {
      R"({"status":"error","errorType":"timeout","error":"query timed out"})",
      R"({"status":"success","status":"success","data":{"resultType":"vector","result":[]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1","a":"2"},"value":[1,"1"]}]}})",
      R"({"status":"success","warnings":["w",7,null],"data":{"resultType":"vector","result":[]}})",
      R"({"status":"success","warnings":"not a list","data":{"resultType":"vector","result":[]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1",2]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","1"]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"one"]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[7]}})",
      R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
      R"({"status":"success","data":{"resultType":"vector"}})",
      R"({"status":"success","data":{"resultType":"vector","result":[]}} trailing)",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e999,"1"]}]}})",
      R"([{"status":"success"}])",
      "",
  };
  for (const std::string& body : bodies) ExpectSameAsDocument(body, true);
  for (const std::string& body : declined) ExpectSameAsDocument(body, false);
}

TEST(PromQLParse, MatrixPoints) {
  auto m = ParsePromMatrix(R"({"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{"a":"b"},"values":[[1,"1"],[2,"3.5"]]}]}})",
                           "q");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->series.size(), 1u);
  EXPECT_EQ(m->series[0].points.size(), 2u);
  EXPECT_DOUBLE_EQ(m->series[0].points[1].second, 3.5);
}

TEST(PromQLParse, LabelValuesAreStrings) {
  auto r = ParsePromStrings(R"({"status":"success","data":["service","storage"],
                                "warnings":["partial"]})",
                            "q");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->values, (std::vector<std::string>{"service", "storage"}));
  EXPECT_EQ(r->warnings, (std::vector<std::string>{"partial"}));
}

TEST(PromQLParse, LabelValuesThatAreNotStringsAreMalformed) {
  auto r = ParsePromStrings(R"({"status":"success","data":["a", 3]})", "labels of network");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kMalformed);
  EXPECT_NE(r.status().ToString().find("labels of network"), std::string::npos);
  EXPECT_NE(r.status().ToString().find("data[1]: expected a string"), std::string::npos);
  EXPECT_FALSE(ParsePromStrings(R"({"status":"success","data":{}})", "q").ok());
}

TEST(PromQLClient, RejectsUrlsWithoutScheme) {
  PromQLOptions o;
  o.url = "127.0.0.1:9090";
  auto c = PromQLClient::Create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUsage);
}

TEST(PromQLClient, ServerDownIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  PromQLOptions o;
  o.url = "http://127.0.0.1:1";
  o.timeout = std::chrono::seconds(2);
  auto c = PromQLClient::Create(o);
  ASSERT_TRUE(c.ok());
  auto v = c->Instant("up");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kiriwake::ingest
