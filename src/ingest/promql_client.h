// ingest/promql_client.h: reads evidence from a Prometheus-compatible query engine (Prometheus,
// VictoriaMetrics, Thanos, Mimir) through its HTTP API (/api/v1/query, /api/v1/query_range).
// Handles bearer-token and basic auth, TLS (with a CA file or, when asked, no verification),
// timeouts, API errors and partial results (warnings are passed on, never dropped).
// A client is cheap to copy; each call opens its own connection, so calls may run in parallel.
#ifndef KIRIWAKE_INGEST_PROMQL_CLIENT_H_
#define KIRIWAKE_INGEST_PROMQL_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kiriwake::ingest {

struct PromQLOptions {
  std::string url;  // http(s)://host:port[/prefix]
  std::string bearer_token;
  std::string basic_user;
  std::string basic_password;
  std::string ca_file;                // PEM bundle to verify the server with
  bool insecure_skip_verify = false;  // only when the user says so
  std::chrono::milliseconds timeout{10000};
};

struct PromSample {
  std::map<std::string, std::string> labels;
  double value = 0;
  double time_s = 0;  // Unix seconds of the sample
};

struct PromSeries {
  std::map<std::string, std::string> labels;
  std::vector<std::pair<double, double>> points;  // (Unix seconds, value)
};

struct PromVector {
  std::vector<PromSample> samples;
  std::vector<std::string> warnings;  // the server's own warnings (partial data, ...)
};

struct PromStrings {
  std::vector<std::string> values;
  std::vector<std::string> warnings;
};

struct PromMatrix {
  std::vector<PromSeries> series;
  std::vector<std::string> warnings;
};

class PromQLClient {
 public:
  // Usage error for a URL that is not http(s)://host[:port][/prefix].
  static Result<PromQLClient> Create(PromQLOptions options);

  // Instant query at `time_s` (now when unset). Unavailable when the server cannot be reached or
  // times out; Malformed when the answer is not the API's JSON; the API's own errors (bad_data,
  // timeout, execution) come back with its errorType and message.
  Result<PromVector> Instant(std::string_view query, std::optional<double> time_s = {}) const;
  Result<PromMatrix> Range(std::string_view query, double start_s, double end_s,
                           double step_s) const;
  // The values a label takes on series matching any of `match` (/api/v1/label/NAME/values):
  // answered from the index, without reading samples.
  Result<PromStrings> LabelValues(std::string_view label,
                                  const std::vector<std::string>& match) const;

  const PromQLOptions& options() const { return options_; }

 private:
  explicit PromQLClient(PromQLOptions o) : options_(std::move(o)) {}
  Result<std::string> Get(const std::string& path_and_query) const;

  PromQLOptions options_;
  std::string scheme_host_port_;
  std::string path_prefix_;
};

// Parses an API answer body (exposed for tests and fuzzing). `what` names the query in errors.
Result<PromVector> ParsePromVector(std::string_view body, std::string_view what);
// ParsePromVector's two readers (tests and fuzz/promql_fuzz.cc check that they agree). The
// streamed one reads a successful vector answer without building a document, and declines
// (nullopt) anything else; the document reader reads everything and names every error.
std::optional<PromVector> ParsePromVectorStreamed(std::string_view body);
Result<PromVector> ParsePromVectorDocument(std::string_view body, std::string_view what);
Result<PromMatrix> ParsePromMatrix(std::string_view body, std::string_view what);
Result<PromStrings> ParsePromStrings(std::string_view body, std::string_view what);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_PROMQL_CLIENT_H_
