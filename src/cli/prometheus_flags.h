// cli/prometheus_flags.h: the flags every verb that reads from Prometheus shares
// (--prometheus URL, --window, auth, TLS), and turning them into a PromQL client.
#ifndef KIRIWAKE_CLI_PROMETHEUS_FLAGS_H_
#define KIRIWAKE_CLI_PROMETHEUS_FLAGS_H_

#include <string>

#include <CLI/CLI.hpp>

#include "ingest/prometheus_loss.h"
#include "ingest/promql_client.h"
#include "util/result.h"

namespace kiriwake::cli {

struct PrometheusArgs {
  std::string url;
  std::string window = "5m";
  std::string bearer_token_file;
  std::string basic_auth_file;  // one line "user:password"
  std::string ca_file;
  bool insecure = false;
  double timeout_s = 30;
  std::string at;  // evaluation time: Unix seconds or RFC 3339; empty for now
};

void AddPrometheusFlags(CLI::App* app, PrometheusArgs* args);

// What the flags say: how to reach the query engine and which matrix to read.
struct PrometheusSource {
  ingest::PromQLOptions client;
  ingest::LossMatrixOptions matrix;
};
// Usage errors for unreadable secret files, a bad timeout, window or --at.
Result<PrometheusSource> PrometheusSourceFrom(const PrometheusArgs& args);

}  // namespace kiriwake::cli

#endif  // KIRIWAKE_CLI_PROMETHEUS_FLAGS_H_
