// kiriwake: the CLI. Thin glue: parse, run one verb, map its outcome to an exit status.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <exception>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/verb.h"

#ifndef KIRIWAKE_VERSION
#define KIRIWAKE_VERSION "0.0.0-dev"
#endif

namespace kiriwake::cli {

bool ColorWanted(const std::string& when) {
  if (when == "always") return true;
  if (when == "never") return false;
  // auto: a terminal that can show it, and no NO_COLOR (https://no-color.org).
  const char* term = std::getenv("TERM");
  if (std::getenv("NO_COLOR") != nullptr) return false;
  if (term == nullptr || std::string(term) == "dumb") return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

void PrintError(const Status& status) { PrintError(status.ToString()); }
void PrintError(std::string_view message) { fmt::print(stderr, "kiriwake: {}\n", message); }
void PrintWarning(std::string_view message) {
  fmt::print(stderr, "kiriwake: warning: {}\n", message);
}

namespace {

constexpr const char* kDescription =
    "kiriwake (切り分け): find which cable, port, NIC, switch, driver or host is breaking a "
    "cluster.\n\n"
    "Exit status (like diff): 0 nothing wrong found; 1 a problem found (loss, degradation, a "
    "culprit named); 2 an error (usage, unreadable or unrecognised input, internal); 128+N when "
    "killed by signal N.";

int Main(int argc, char** argv) {
  // Writes to a closed pipe fail with EPIPE instead of killing us; we stop quietly (ripgrep).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{kDescription, "kiriwake"};
  app.set_version_flag("-V,--version", std::string("kiriwake ") + KIRIWAKE_VERSION);
  app.require_subcommand(1, 1);
  app.fallthrough(false);
  std::vector<Verb> verbs;
  AddVersionCommand(app, &verbs);
  AddLocalizeCommand(app, &verbs);
  AddLabCommand(app, &verbs);
  AddCephCommand(app, &verbs);
  AddPingLogCommand(app, &verbs);
  AddDiagnoseCommand(app, &verbs);
  AddPrometheusTargetsCommand(app, &verbs);
  AddSimCommand(app, &verbs);
  AddSimExporterCommand(app, &verbs);
  AddProbeCommand(app, &verbs);
  AddAgentCommand(app, &verbs);
  AddTimelineCommand(app, &verbs);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11's own codes start at 100; --help and --version are successes, the rest usage errors.
    return rc == 0 ? 0 : static_cast<int>(ExitStatus::kError);
  }
  ExitStatus status = ExitStatus::kError;
  for (const Verb& v : verbs) {
    if (v.app->parsed()) status = v.run();
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    if (errno == EPIPE) return static_cast<int>(status);  // reader went away: quiet
    PrintError(fmt::format("cannot write to standard output: {}", std::strerror(errno)));
    return static_cast<int>(ExitStatus::kError);
  }
  return static_cast<int>(status);
}

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
  try {
    return kiriwake::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kiriwake: internal error: %s\n", e.what());
    return 2;
  }
}
