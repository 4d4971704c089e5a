// `kiriwake localize`: which component explains the loss measured between endpoint pairs.
#include <cstdio>
#include <future>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/prometheus_flags.h"
#include "cli/verb.h"
#include "diagnose/prometheus_observations.h"
#include "infer/localize.h"
#include "model/observation.h"
#include "model/topology.h"
#include "report/localize_report.h"
#include "util/text.h"

namespace kiriwake::cli {
namespace {

struct LocalizeArgs {
  std::string topology;
  std::string observations;
  std::string src;
  bool json = false;
  bool lenient = false;
  double background_loss_ratio = 0.001;
  std::vector<std::string> priors;
  PrometheusArgs prometheus;
};

constexpr const char* kLocalizeHelp =
    "Find the cable, port, NIC, driver, switch, host or VM that explains the packet loss "
    "measured between pairs of hosts and VMs.\n\n"
    "Reads a topology (YAML: hosts, switches, cables, networks, vms) and observations (JSON "
    "Lines {\"src\", \"dst\", \"network\", \"sent\", \"lost\"}, or a `kiriwake ping-log --json` "
    "document with --src NAME). Prints the culprit, why, what was ruled out and what to test "
    "next; --json prints the same as one JSON document.\n\n"
    "Exit status: 0 all clean; 1 a culprit named or loss seen; 2 an error (usage, unreadable or "
    "bad input).";

ExitStatus RunLocalize(const LocalizeArgs& args) {
  infer::LocalizeOptions options;
  if (!(args.background_loss_ratio >= 0 && args.background_loss_ratio < 0.5)) {
    PrintError("--background-loss must be a ratio in [0, 0.5), like 0.001 for 0.1%");
    return ExitStatus::kError;
  }
  options.background_loss_ratio = args.background_loss_ratio;
  for (const std::string& p : args.priors) {
    size_t eq = p.find('=');
    auto value =
        eq == std::string::npos ? std::nullopt : text::ParseDouble(text::Clipped(p, eq + 1));
    if (!value || !(*value > 0 && *value < 0.5) ||
        !options.priors.Set(text::Clipped(p, 0, eq), *value)) {
      PrintError(
          fmt::format("--prior expects KIND=P with KIND one of dac, fiber, copper, cable, "
                      "host_port, switch_port, card, driver, vswitch, host, vm, switch and "
                      "0 < P < 0.5; saw \"{}\"",
                      EscapeForMessage(p)));
      return ExitStatus::kError;
    }
  }
  if (args.observations.empty() == args.prometheus.url.empty()) {
    PrintError("give either --observations FILE or --prometheus URL");
    return ExitStatus::kError;
  }
  // The loss matrix does not depend on the topology: read it from the query engine while the
  // topology loads (both take seconds at ten thousand agents).
  std::future<Result<ingest::LossMatrix>> matrix;
  if (!args.prometheus.url.empty()) {
    auto src = PrometheusSourceFrom(args.prometheus);
    if (!src.ok()) {
      PrintError(src.status());
      return ExitStatus::kError;
    }
    auto client = ingest::PromQLClient::Create(src->client);
    if (!client.ok()) {
      PrintError(client.status());
      return ExitStatus::kError;
    }
    matrix = std::async(std::launch::async, [c = std::move(*client), m = std::move(src->matrix)] {
      return ingest::ReadLossMatrix(c, m);
    });
  }
  auto topology = model::LoadTopology(args.topology);
  if (!topology.ok()) {
    PrintError(topology.status());
    return ExitStatus::kError;
  }
  model::ObservationOptions obs_options;
  obs_options.lenient = args.lenient;
  obs_options.src = args.src;
  if (!args.src.empty() && !topology->FindEndpoint(args.src) && !topology->FindAddress(args.src)) {
    PrintError(fmt::format("--src {}: no such host, VM or address in {}",
                           EscapeForMessage(args.src), args.topology));
    return ExitStatus::kError;
  }
  Result<model::ObservationSet> obs = Status::Internal("no source");
  std::string source = args.observations;
  if (matrix.valid()) {
    source = args.prometheus.url;
    auto m = matrix.get();
    if (m.ok()) {
      obs = diagnose::ObservationsFromMatrix(*topology, *m, source);
    } else {
      obs = m.status();
    }
  } else {
    obs = model::LoadObservations(args.observations, *topology, obs_options);
  }
  if (!obs.ok()) {
    PrintError(obs.status());
    return ExitStatus::kError;
  }
  for (const Diagnostic& d : obs->warnings) PrintWarning(d.ToString());
  if (obs->skipped_lines > 0) {
    PrintWarning(fmt::format("{}: skipped {} bad line{} (--lenient)", source, obs->skipped_lines,
                             obs->skipped_lines == 1 ? "" : "s"));
  }
  if (obs->observations.empty()) {
    PrintError(fmt::format("{}: no observations to reason over", source));
    return ExitStatus::kError;
  }
  auto result = infer::Localize(*topology, obs->observations, options);
  if (!result.ok()) {
    PrintError(result.status());
    return ExitStatus::kError;
  }
  report::LocalizeReport rep{*topology, obs->observations, *result};
  std::string text = args.json ? report::LocalizeJson(rep) : report::LocalizeText(rep);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return result->culprit_named() || result->lossy_paths > 0 ? ExitStatus::kProblemFound
                                                            : ExitStatus::kOk;
}

}  // namespace

void AddLocalizeCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<LocalizeArgs>();
  CLI::App* sub = app.add_subcommand("localize", kLocalizeHelp);
  sub->add_option("--topology", args->topology,
                  "Topology YAML (hosts, switches, cables, "
                  "networks, vms)")
      ->required();
  sub->add_option("--observations", args->observations,
                  "Observations: JSON Lines, or a ping-log --json document ('-' for stdin)");
  AddPrometheusFlags(sub, &args->prometheus);
  sub->add_option("--src", args->src,
                  "Sender of a ping-log --json document (host, VM or "
                  "address); default src for JSON Lines without one");
  sub->add_flag("--json", args->json, "Print one JSON document (docs/json.md) instead of text");
  sub->add_flag("--lenient", args->lenient,
                "Skip bad observation lines with a warning (counted) instead of failing");
  sub->add_option("--background-loss", args->background_loss_ratio,
                  "Loss ratio any path may show without blame (default 0.001 = 0.1%)");
  sub->add_option("--prior", args->priors,
                  "Override a prior, KIND=P (e.g. dac=0.05, driver=0.01); repeatable");
  verbs->push_back({sub, [args] { return RunLocalize(*args); }});
}

}  // namespace kiriwake::cli
