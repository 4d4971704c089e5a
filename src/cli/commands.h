// cli/commands.h: every verb's registration function, one line each (see cli/verb.h).
#ifndef KIRIWAKE_CLI_COMMANDS_H_
#define KIRIWAKE_CLI_COMMANDS_H_

#include <vector>

#include <CLI/CLI.hpp>

#include "cli/verb.h"

namespace kiriwake::cli {

void AddVersionCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddTimelineCommand(CLI::App& app, std::vector<Verb>* verbs);

}  // namespace kiriwake::cli

#endif  // KIRIWAKE_CLI_COMMANDS_H_
