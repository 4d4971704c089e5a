// cli/commands.h: every verb's registration function, one line each (see cli/verb.h).
#ifndef KIRIWAKE_CLI_COMMANDS_H_
#define KIRIWAKE_CLI_COMMANDS_H_

#include <vector>

#include <CLI/CLI.hpp>

#include "cli/verb.h"

namespace kiriwake::cli {

void AddVersionCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddLocalizeCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddLabCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddCephCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddPingLogCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddDiagnoseCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddPrometheusTargetsCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddSimCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddSimExporterCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddProbeCommand(CLI::App& app, std::vector<Verb>* verbs);  // probe, responder
void AddAgentCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddCollectCommand(CLI::App& app, std::vector<Verb>* verbs);
void AddTimelineCommand(CLI::App& app, std::vector<Verb>* verbs);

}  // namespace kiriwake::cli

#endif  // KIRIWAKE_CLI_COMMANDS_H_
