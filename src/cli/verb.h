// cli/verb.h: how a subcommand plugs into the CLI. Each cli/<verb>_cmd.cc defines
// `void Add<Verb>Command(CLI::App& app, std::vector<Verb>* verbs)`: it adds the subcommand, its
// flags and help text, bound into a plain args struct, and a run function that validates the args,
// calls the library and renders. RunCli() runs the one that was parsed and turns its ExitStatus
// into the process status.
#ifndef KIRIWAKE_CLI_VERB_H_
#define KIRIWAKE_CLI_VERB_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "util/exit_status.h"
#include "util/status.h"

namespace kiriwake::cli {

struct Verb {
  CLI::App* app = nullptr;
  std::function<ExitStatus()> run;
};

// Adds one verb (or a family: probe and responder) to the app; see cli/commands.h.
using AddCommandFn = void (*)(CLI::App& app, std::vector<Verb>* verbs);

// The whole of main(): parses argv into one of the verbs `commands` add, runs it and returns the
// process status (CLI11's usage errors are 2, like every error). An exception that escapes a
// verb is a bug: it is reported as "internal error" with status 2, never as a crash.
int RunCli(int argc, char** argv, const char* name, const char* description,
           std::span<const AddCommandFn> commands);

// --color WHEN: "always", "never", or "auto" (stdout is a terminal, TERM is not dumb and NO_COLOR
// is unset, as ripgrep does).
bool ColorWanted(const std::string& when);

// Prints "kiriwake: MESSAGE" to stderr.
void PrintError(const Status& status);
void PrintError(std::string_view message);
// Prints "kiriwake: warning: MESSAGE" to stderr.
void PrintWarning(std::string_view message);

}  // namespace kiriwake::cli

#endif  // KIRIWAKE_CLI_VERB_H_
