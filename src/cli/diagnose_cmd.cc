// `kiriwake diagnose`: from whatever the user has to the culprit, in one command.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/prometheus_flags.h"
#include "cli/verb.h"
#include "diagnose/diagnose.h"
#include "report/diagnose_report.h"
#include "util/text.h"

namespace kiriwake::cli {
namespace {

struct DiagnoseArgs {
  std::vector<std::string> inputs;
  std::string topology;
  std::string src;
  bool json = false;
  std::string html;
  std::string color = "auto";
  PrometheusArgs prometheus;
  std::string agents;
  int64_t last_seconds = 0;
  std::vector<std::string> tz;
};

constexpr const char* kDiagnoseHelp =
    "One command from whatever you have to the culprit. Give files and directories: kiriwake "
    "recognises a topology (YAML), observations (JSON Lines or ping-log --json), saved "
    "ping/fping/mtr/Windows output and Ceph logs and JSON (health detail, dump_osd_network, osd "
    "dump/tree/metadata); runs each analysis, places addresses and OSDs on the topology, "
    "localizes, and prints what was seen, which component is at fault, how sure, what was ruled "
    "out and the next test. Ping files count as measurements when their folder is named after "
    "the sending host or VM, or with --src.\n\n"
    "Exit status: 0 nothing wrong found; 1 a problem found (loss, slow heartbeats, a culprit); "
    "2 an error (usage, or an input that could not be read or recognised — the others are still "
    "analysed).";

ExitStatus Run(const DiagnoseArgs& args) {
  if (args.json && args.color == "always") {
    PrintError("diagnose: --json output is never coloured; drop --color=always");
    return ExitStatus::kError;
  }
  diagnose::DiagnoseOptions o;
  o.inputs = args.inputs;
  o.topology_path = args.topology;
  o.src = args.src;
  for (std::string_view a : text::Split(args.agents, ',')) {
    if (!text::Trim(a).empty()) o.agents.emplace_back(text::Trim(a));
  }
  if (args.last_seconds < 0) {
    PrintError("--last: expected a number of seconds");
    return ExitStatus::kError;
  }
  o.last_seconds = args.last_seconds;
  for (const std::string& t : args.tz) {
    size_t eq = t.find('=');
    if (eq != std::string::npos) {
      o.tz_per_file.emplace_back(t.substr(0, eq), t.substr(eq + 1));
    } else if (o.tz) {
      PrintError("--tz ZONE given twice; use --tz FILE=ZONE for per-file zones");
      return ExitStatus::kError;
    } else {
      o.tz = t;
    }
  }
  if (!args.prometheus.url.empty()) {
    auto src = PrometheusSourceFrom(args.prometheus);
    if (!src.ok()) {
      PrintError(src.status());
      return ExitStatus::kError;
    }
    o.prometheus = std::move(src->client);
    o.prometheus_matrix = std::move(src->matrix);
  }
  auto r = diagnose::Diagnose(o);
  if (!r.ok()) {
    PrintError(r.status());
    return ExitStatus::kError;
  }
  for (const auto& in : r->inputs) {
    if (!in.status.ok()) PrintError(in.status);
    for (const auto& w : in.warnings) PrintWarning(w.ToString());
  }
  for (const auto& w : r->warnings) PrintWarning(w.ToString());
  if (args.json) {
    std::fputs(report::DiagnoseJson(*r).c_str(), stdout);
  } else {
    report::TextOptions t;
    t.color = ColorWanted(args.color);
    std::fputs(report::DiagnoseText(*r, t).c_str(), stdout);
  }
  if (!args.html.empty()) {
    std::FILE* f = std::fopen(args.html.c_str(), "wb");
    std::string page = report::DiagnoseHtml(*r);
    if (f == nullptr || std::fwrite(page.data(), 1, page.size(), f) != page.size() ||
        std::fclose(f) != 0) {
      PrintError(fmt::format("{}: cannot write the HTML report", args.html));
      return ExitStatus::kError;
    }
  }
  ExitStatus status = r->problem_found() ? ExitStatus::kProblemFound : ExitStatus::kOk;
  if (r->any_input_failed()) status = ExitStatus::kError;
  return status;
}

}  // namespace

void AddDiagnoseCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<DiagnoseArgs>();
  CLI::App* sub = app.add_subcommand("diagnose", "From logs, pings and a topology to the culprit");
  sub->description(kDiagnoseHelp);
  sub->add_option("inputs", args->inputs, "Files and directories to read");
  sub->add_option("--topology", args->topology, "Topology file (else one found among the inputs)");
  sub->add_option("--src", args->src, "The host or VM that ran the saved pings");
  sub->add_flag("--json", args->json, "One JSON document (docs/json.md, \"diagnose\")");
  sub->add_option("--agents", args->agents,
                  "Live agents to pull observations from: HOST[:PORT],... (port 9623)");
  sub->add_option("--last", args->last_seconds,
                  "Only agent history from the last N seconds (databases and live agents)");
  sub->add_option("--tz", args->tz,
                  "Zone of logs without one: ZONE, or FILE=ZONE for one file; repeatable")
      ->allow_extra_args(false);
  AddPrometheusFlags(sub, &args->prometheus);
  sub->add_option("--html", args->html, "Also write a self-contained HTML report to FILE");
  sub->add_option("--color", args->color, "Colour the text output: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  verbs->push_back({sub, [args] { return Run(*args); }});
}

}  // namespace kiriwake::cli
