// kiriwake-agent: the agent verb alone, the binary `kiriwake agent` runs (main.cc execs it). It
// links neither cpp-httplib nor OpenSSL (agent/http_endpoint.h says why): `kiriwake-agent agent
// --config agent.yaml`, or without the verb, `kiriwake-agent --config agent.yaml`.
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/verb.h"

namespace {

constexpr const char* kDescription =
    "kiriwake-agent: the kiriwake probing agent (`kiriwake agent` runs this binary).\n\n"
    "Exit status: 0 stopped by a signal; 2 an error.";

constexpr kiriwake::cli::AddCommandFn kCommands[] = {kiriwake::cli::AddAgentCommand};

}  // namespace

int main(int argc, char** argv) {
  // `kiriwake-agent --config X` reads as `kiriwake-agent agent --config X`. With the verb it
  // was most likely exec'd by `kiriwake agent`, so help and errors say "kiriwake".
  std::vector<char*> args(argv, argv + argc);
  static char agent[] = "agent";
  std::string_view first = argc > 1 ? argv[1] : "";
  const char* name = "kiriwake";
  if (first != "agent" && first != "-V" && first != "--version") {
    args.insert(args.begin() + 1, agent);
    name = "kiriwake-agent";
  }
  return kiriwake::cli::RunCli(static_cast<int>(args.size()), args.data(), name, kDescription,
                               kCommands);
}
