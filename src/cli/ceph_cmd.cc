// cli/ceph_cmd.cc: `kiriwake ceph` — read what Ceph saw and name the OSD, host, address and
// interface behind it. Glue only: read each input through ingest::ReadCephInput into one
// infer::CephAccumulator, then render with report/ceph_*.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "infer/ceph_finding.h"
#include "ingest/ceph_input.h"
#include "ingest/line_reader.h"
#include "report/ceph_report.h"

namespace kiriwake::cli {

namespace {

constexpr const char* kCephHelp =
    "Read Ceph's own artifacts and name the OSD, its host, its address and the interface\n"
    "(front = public network, back = cluster network) that the evidence has in common.\n"
    "\n"
    "Inputs are found by their content, in any mix and number (\"-\" is stdin; .gz/.xz are\n"
    "decompressed): the cluster log (ceph.log) and mon/mgr/osd daemon logs (Nautilus and\n"
    "Octopus+ timestamps) or `ceph log last -f json`, `ceph health detail` text or `-f json`,\n"
    "`ceph daemon osd.N|mgr.X dump_osd_network`, and `ceph osd dump|tree|metadata -f json` (to\n"
    "map OSDs to hosts and addresses). All inputs of one run are one incident.\n"
    "\n"
    "Exit status: 0 healthy (nothing wrong found); 1 a problem found (slow heartbeats, failure\n"
    "reports, slow ops, down OSDs); 2 an error (usage, unreadable or unrecognised input).";

struct CephArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string observations;
  double slow_ping_ms = 1000;
};

ExitStatus RunCeph(const CephArgs& args) {
  if (args.slow_ping_ms <= 0) {
    PrintError("--slow-ping-ms must be > 0");
    return ExitStatus::kError;
  }
  infer::CephAnalysisOptions options;
  options.slow_ping_threshold_ms = args.slow_ping_ms;
  infer::CephAccumulator acc(options);
  std::vector<report::CephInputSummary> inputs;
  ExitStatus status = ExitStatus::kOk;
  for (const std::string& file : args.files) {
    report::CephInputSummary summary;
    summary.file = file;
    auto reader = ingest::LineReader::Open(file);
    if (!reader.ok()) {
      PrintError(reader.status());
      summary.failed = true;
      inputs.push_back(summary);
      status = ExitStatus::kError;
      continue;
    }
    Status st = ingest::ReadCephInput(reader->get(), &acc, &summary.stats);
    for (const Diagnostic& d : acc.TakeWarnings()) PrintWarning(d.ToString());
    if (!st.ok()) {
      PrintError(st);
      summary.failed = true;
      status = ExitStatus::kError;
    }
    inputs.push_back(summary);
  }
  infer::CephFinding finding = acc.Finish();
  for (const Diagnostic& d : acc.TakeWarnings()) PrintWarning(d.ToString());

  if (!args.observations.empty()) {
    std::string lines = report::RenderCephObservations(finding);
    std::FILE* out = std::fopen(args.observations.c_str(), "w");
    if (out == nullptr ||
        std::fwrite(lines.data(), 1, lines.size(), out) != lines.size() ||
        std::fclose(out) != 0) {
      PrintError(fmt::format("cannot write {}", args.observations));
      status = ExitStatus::kError;
    }
  }
  std::string text = args.json ? report::RenderCephJson(finding, inputs)
                               : report::RenderCephText(finding, inputs);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return Worst(status, finding.problem ? ExitStatus::kProblemFound : ExitStatus::kOk);
}

}  // namespace

void AddCephCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<CephArgs>();
  CLI::App* sub = app.add_subcommand("ceph", "Name the OSD, host, address and interface behind "
                                             "Ceph's slow heartbeats, failure reports and slow ops");
  sub->footer(kCephHelp);
  sub->add_option("files", args->files,
                  "Ceph logs, health detail (text/JSON), dump_osd_network, osd dump/tree/metadata "
                  "JSON; - for stdin")
      ->required();
  sub->add_flag("--json", args->json, "Write one JSON document (docs/json.md, ## ceph)");
  sub->add_option("--observations", args->observations,
                  "Also write the heartbeat pairs as observation JSON Lines for `localize` to this "
                  "file (front -> public network, back -> cluster network)");
  sub->add_option("--slow-ping-ms", args->slow_ping_ms,
                  "A dump_osd_network entry is slow at or above this many ms when its dump says "
                  "\"threshold\": 0 (default 1000, Ceph's own default)");
  verbs->push_back({sub, [args] { return RunCeph(*args); }});
}

}  // namespace kiriwake::cli
