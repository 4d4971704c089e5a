// cli/verb.cc: what every verb's front end shares: messages, colour, and the main() of both
// binaries (kiriwake, and kiriwake-agent with the agent verb alone).
#include "cli/verb.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include <fmt/format.h>
#include <unistd.h>

#include "util/terminal_safe.h"

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

// Messages quote input (a bad line, a host name, an HTTP body): escaped like text output
// (util/terminal_safe.h), so one stays one line and never reaches the terminal as a control.
void PrintError(const Status& status) { PrintError(status.ToString()); }
void PrintError(std::string_view message) {
  fmt::print(stderr, "kiriwake: {}\n", text::TerminalSafe(message));
}
void PrintWarning(std::string_view message) {
  fmt::print(stderr, "kiriwake: warning: {}\n", text::TerminalSafe(message));
}

namespace {

int RunParsed(int argc, char** argv, const char* name, const char* description,
              std::span<const AddCommandFn> commands) {
  // Writes to a closed pipe fail with EPIPE instead of killing us; we stop quietly (ripgrep).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{description, name};
  app.set_version_flag("-V,--version", std::string("kiriwake ") + KIRIWAKE_VERSION);
  app.require_subcommand(1, 1);
  app.fallthrough(false);
  std::vector<Verb> verbs;
  for (AddCommandFn add : commands) add(app, &verbs);

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

int RunCli(int argc, char** argv, const char* name, const char* description,
           std::span<const AddCommandFn> commands) {
  try {
    return RunParsed(argc, argv, name, description, commands);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kiriwake: internal error: %s\n", text::TerminalSafe(e.what()).c_str());
    return static_cast<int>(ExitStatus::kError);
  }
}

}  // namespace kiriwake::cli
