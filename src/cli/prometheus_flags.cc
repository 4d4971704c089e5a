#include "cli/prometheus_flags.h"

#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "timeline/instant.h"
#include "util/text.h"

namespace kiriwake::cli {

void AddPrometheusFlags(CLI::App* app, PrometheusArgs* a) {
  app->add_option("--prometheus", a->url,
                  "Read the agents' loss counters from this Prometheus-compatible API "
                  "(http(s)://host:port[/prefix])");
  app->add_option("--window", a->window, "PromQL range of the counters' increase, e.g. 5m, 1h")
      ->capture_default_str();
  app->add_option("--bearer-token-file", a->bearer_token_file,
                  "File holding a bearer token for the query API");
  app->add_option("--basic-auth-file", a->basic_auth_file,
                  "File holding user:password for the query API");
  app->add_option("--ca-file", a->ca_file,
                  "PEM CA bundle to verify the query API's TLS certificate");
  app->add_flag("--insecure-skip-verify", a->insecure, "Do not verify the query API's certificate");
  app->add_option("--prometheus-timeout", a->timeout_s, "Seconds to wait for each query")
      ->capture_default_str();
  app->add_option("--at", a->at,
                  "Read the counters as they were at this time (Unix seconds or RFC 3339, e.g. "
                  "2026-11-27T03:12:00Z) instead of now: the window ending then");
}

namespace {
Result<std::string> ReadSecret(const std::string& path, const char* flag) {
  std::ifstream in(path);
  if (!in) return Status::Usage(fmt::format("{}: cannot read {}", flag, path));
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(text::Trim(ss.str()));
}
}  // namespace

namespace {

Result<ingest::PromQLOptions> PrometheusOptions(const PrometheusArgs& a) {
  ingest::PromQLOptions o;
  o.url = a.url;
  if (!a.bearer_token_file.empty()) {
    KW_ASSIGN_OR_RETURN(o.bearer_token, ReadSecret(a.bearer_token_file, "--bearer-token-file"));
  }
  if (!a.basic_auth_file.empty()) {
    KW_ASSIGN_OR_RETURN(std::string up, ReadSecret(a.basic_auth_file, "--basic-auth-file"));
    size_t colon = up.find(':');
    if (colon == std::string::npos) {
      return Status::Usage("--basic-auth-file: expected one line user:password");
    }
    o.basic_user = up.substr(0, colon);
    o.basic_password = up.substr(colon + 1);
  }
  o.ca_file = a.ca_file;
  o.insecure_skip_verify = a.insecure;
  if (!(a.timeout_s > 0 && a.timeout_s < 3600)) {
    return Status::Usage("--prometheus-timeout: expected seconds between 0 and 3600");
  }
  o.timeout = std::chrono::milliseconds(static_cast<int64_t>(a.timeout_s * 1000));
  return o;
}

Result<ingest::LossMatrixOptions> LossMatrixOptionsFrom(const PrometheusArgs& a) {
  // A PromQL duration: digits followed by a unit, possibly several (1h30m).
  bool ok = !a.window.empty();
  for (size_t i = 0; ok && i < a.window.size();) {
    size_t d = i;
    while (d < a.window.size() && text::IsDigit(a.window[d])) ++d;
    size_t u = d;
    while (u < a.window.size() &&
           std::string_view("smhdwy").find(a.window[u]) != std::string_view::npos)
      ++u;
    if (d == i || u == d) ok = false;
    i = u;
  }
  if (!ok) {
    return Status::Usage(
        fmt::format("--window: expected a PromQL duration like 5m or 1h, saw \"{}\"",
                    EscapeForMessage(a.window)));
  }
  ingest::LossMatrixOptions o;
  o.window = a.window;
  if (!a.at.empty()) {
    auto ns = timeline::ParseInstantNs(a.at);
    if (ns) o.time_s = static_cast<double>(*ns) / 1e9;
    if (!ns) {
      return Status::Usage(fmt::format(
          "--at: expected Unix seconds or RFC 3339 like 2026-11-27T03:12:00Z, saw \"{}\"",
          EscapeForMessage(a.at)));
    }
  }
  return o;
}

}  // namespace

Result<PrometheusSource> PrometheusSourceFrom(const PrometheusArgs& args) {
  PrometheusSource out;
  KW_ASSIGN_OR_RETURN(out.client, PrometheusOptions(args));
  KW_ASSIGN_OR_RETURN(out.matrix, LossMatrixOptionsFrom(args));
  return out;
}

}  // namespace kiriwake::cli
