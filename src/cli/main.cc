// kiriwake: the CLI. Thin glue: parse, run one verb, map its outcome to an exit status
// (cli/verb.h RunCli).
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/verb.h"
#include "util/batch_memory.h"

#ifndef KIRIWAKE_VERSION
#define KIRIWAKE_VERSION "0.0.0-dev"
#endif

namespace kiriwake::cli {

namespace {

constexpr const char* kDescription =
    "kiriwake (切り分け): find which cable, port, NIC, switch, driver or host is breaking a "
    "cluster.\n\n"
    "Exit status (like diff): 0 nothing wrong found; 1 a problem found (loss, degradation, a "
    "culprit named); 2 an error (usage, unreadable or unrecognised input, internal); 128+N when "
    "killed by signal N.";

// `kiriwake agent` runs as kiriwake-agent, built and installed beside this binary: the same
// agent without cpp-httplib and OpenSSL, which would cost the daemon 3.4 MB resident before main()
// (docs/design.md). Without it (this binary copied alone) the agent runs in this process.
void ExecAgentBinary(char** argv) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;
  std::string path(self, static_cast<size_t>(n));
  path = path.substr(0, path.rfind('/') + 1) + "kiriwake-agent";
  if (::access(path.c_str(), X_OK) != 0) return;
  ::execv(path.c_str(), argv);  // returns only on failure: run in-process then
}

constexpr AddCommandFn kCommands[] = {
    AddVersionCommand,
    AddLocalizeCommand,
    AddLabCommand,
    AddCephCommand,
    AddPingLogCommand,
    AddDiagnoseCommand,
    AddPrometheusTargetsCommand,
    AddSimCommand,
    AddSimExporterCommand,
    AddProbeCommand,
    AddAgentCommand,
    AddCollectCommand,
    AddTimelineCommand,
};

}  // namespace

void AddVersionCommand(CLI::App& app, std::vector<Verb>* verbs) {
  CLI::App* sub = app.add_subcommand("version", "Print the version and exit");
  verbs->push_back({sub, [] {
                      fmt::print("kiriwake {}\n", KIRIWAKE_VERSION);
                      return ExitStatus::kOk;
                    }});
}

}  // namespace kiriwake::cli

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "agent") {
    kiriwake::cli::ExecAgentBinary(argv);
  } else {
    kiriwake::KeepFreedMemory();  // every other verb is a batch run (util/batch_memory.h)
  }
  return kiriwake::cli::RunCli(argc, argv, "kiriwake", kiriwake::cli::kDescription,
                               kiriwake::cli::kCommands);
}
