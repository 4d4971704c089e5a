// `kiriwake ping-log`: saved ping/fping/mtr/Windows output -> every lost probe, burst and outlier.
// Glue only: flags -> options, ingest::ParsePingLog per input, one renderer, one exit status.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/verb.h"
#include "ingest/line_reader.h"
#include "ingest/ping_log.h"
#include "report/ping_log_report.h"

namespace kiriwake::cli {
namespace {

constexpr const char* kHelp =
    "Read saved output of ping (iputils, BusyBox, macOS/FreeBSD), Windows ping (English or\n"
    "Japanese; UTF-8, CP932 or UTF-16), fping or mtr and show, per target, every lost probe,\n"
    "every loss burst and every latency outlier, with a verdict (healthy, degraded, broken).\n"
    "Files may be .gz or .xz; \"-\" or no FILE reads standard input.\n\n"
    "Exit status: 0 every target healthy; 1 loss or degradation found; 2 usage error or an\n"
    "input that cannot be read or is not ping output (the other inputs are still reported).";

struct PingLogArgs {
  bool json = false;
  std::string color = "auto";
  std::vector<std::string> files;
};

ExitStatus Run(const PingLogArgs& args) {
  if (args.json && args.color == "always") {
    PrintError("ping-log: --json output is never coloured; drop --color=always");
    return ExitStatus::kError;
  }
  std::vector<std::string> files = args.files;
  if (files.empty()) files.push_back("-");
  report::PingLogReport rep;
  ExitStatus status = ExitStatus::kOk;
  for (const std::string& file : files) {
    auto reader = ingest::LineReader::Open(file);
    if (!reader.ok()) {
      PrintError(reader.status());
      rep.errors.emplace_back(file, reader.status().ToString());
      status = ExitStatus::kError;
      continue;
    }
    auto log = ingest::ParsePingLog(**reader);
    if (!log.ok()) {
      PrintError(log.status());
      rep.errors.emplace_back(file, log.status().ToString());
      status = ExitStatus::kError;
      continue;
    }
    for (const Diagnostic& d : log->warnings) PrintWarning(d.ToString());
    for (ingest::PingSession& s : log->sessions) {
      for (const Diagnostic& d : s.warnings) PrintWarning(d.ToString());
      if (s.series.verdict == model::Verdict::kDegraded ||
          s.series.verdict == model::Verdict::kBroken) {
        status = Worst(status, ExitStatus::kProblemFound);
      }
      rep.sessions.push_back(std::move(s));
    }
    for (Diagnostic& d : log->warnings) rep.file_warnings.push_back(std::move(d));
    if (!log->read_error.ok()) {
      // What was read is reported above; the input is still damaged.
      PrintError(log->read_error);
      rep.errors.emplace_back(file, log->read_error.ToString());
      status = ExitStatus::kError;
    }
  }
  if (args.json) {
    std::fputs(report::RenderPingLogJson(rep).c_str(), stdout);
  } else {
    report::TextOptions o;
    o.color = ColorWanted(args.color);
    std::fputs(report::RenderPingLogText(rep, o).c_str(), stdout);
  }
  return status;
}

}  // namespace

void AddPingLogCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<PingLogArgs>();
  CLI::App* sub =
      app.add_subcommand("ping-log", "Show every lost probe in saved ping/fping/mtr output");
  sub->footer(kHelp);
  sub->add_flag("--json", args->json, "Write one JSON document (docs/json.md) instead of text");
  sub->add_option("--color", args->color,
                  "Colour the text output: auto (a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_option("FILE", args->files, "Saved output to read; - is standard input");
  verbs->push_back({sub, [args] { return Run(*args); }});
}

}  // namespace kiriwake::cli
