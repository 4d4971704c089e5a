// `kiriwake lab up|fault|clear|down|status|exec`: a topology as real network namespaces.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/verb.h"
#include "ingest/line_reader.h"
#include "lab/lab.h"
#include "model/topology.h"
#include "util/text.h"

namespace kiriwake::cli {
namespace {

struct LabArgs {
  std::string topology;
  std::string prefix = "kw";
  bool no_remap = false;
  std::string write_topology;
  std::string component;
  std::string loss = "7%";
  std::string direction = "both";
  std::string node;
  std::vector<std::string> command;
};

constexpr const char* kLabHelp =
    "Build a topology file as real network namespaces on this machine (root only): each host, "
    "VM and switch a namespace, each cable a veth pair, each switch a Linux bridge, addresses "
    "remapped into 10.77.0.0/16. Inject loss on a cable, port, card, driver, switch or host with "
    "nftables, and run programs inside the lab.\n\n"
    "Exit status: 0 done; 2 an error (usage, not root, a command failed).";

bool RequireRoot() {
  if (::geteuid() == 0) return true;
  PrintError("lab needs root (it creates network namespaces and nftables rules); run it as root "
             "or with sudo");
  return false;
}

// Reads the topology spec from a file through LineReader (gz/xz/UTF-16 work as everywhere).
Result<model::TopologySpec> ReadSpec(const std::string& path) {
  KW_ASSIGN_OR_RETURN(auto reader, ingest::LineReader::Open(path));
  std::string text;
  std::string_view line;
  while (reader->Next(&line)) {
    text.append(line);
    text += '\n';
  }
  KW_RETURN_IF_ERROR(reader->status());
  return model::ParseTopologySpec(text, path);
}

std::optional<double> ParseLoss(std::string_view s) {
  if (s.ends_with('%')) {
    auto v = text::ParseDouble(s.substr(0, s.size() - 1));
    if (!v) return std::nullopt;
    return *v / 100.0;
  }
  return text::ParseDouble(s);
}

ExitStatus RunUp(const LabArgs& a) {
  auto spec = ReadSpec(a.topology);
  if (!spec.ok()) {
    PrintError(spec.status());
    return ExitStatus::kError;
  }
  lab::LabOptions o;
  o.prefix = a.prefix;
  o.remap = !a.no_remap;
  auto plan = lab::PlanLab(*spec, o);
  if (!plan.ok()) {
    PrintError(plan.status());
    return ExitStatus::kError;
  }
  if (!RequireRoot()) return ExitStatus::kError;
  if (Status s = lab::Up(*plan); !s.ok()) {
    PrintError(s);
    return ExitStatus::kError;
  }
  if (!a.write_topology.empty()) {
    std::ofstream out(a.write_topology);
    out << "# Lab copy of " << a.topology << " with addresses remapped by `kiriwake lab up`.\n"
        << model::TopologySpecToYaml(plan->lab_spec);
    if (!out) {
      PrintError(fmt::format("{}: cannot write", a.write_topology));
      return ExitStatus::kError;
    }
  }
  fmt::print("lab {} is up: {} namespaces\n", plan->prefix, plan->namespaces.size());
  for (const auto& [name, ns] : plan->endpoint_ns) fmt::print("  {:<12} netns {}\n", name, ns);
  for (const auto& [orig, lab] : plan->address_map) fmt::print("  {:<16} -> {}\n", orig, lab);
  return ExitStatus::kOk;
}

ExitStatus RunFault(const LabArgs& a) {
  if (!RequireRoot()) return ExitStatus::kError;
  auto loss = ParseLoss(a.loss);
  if (!loss) {
    PrintError(fmt::format("--loss: expected a percentage like 7% or a ratio like 0.07, saw \"{}\"",
                           EscapeForMessage(a.loss)));
    return ExitStatus::kError;
  }
  lab::FaultDirection dir = a.direction == "in"    ? lab::FaultDirection::kIn
                            : a.direction == "out" ? lab::FaultDirection::kOut
                                                   : lab::FaultDirection::kBoth;
  auto plan = lab::LoadState(a.prefix);
  if (!plan.ok()) {
    PrintError(plan.status());
    return ExitStatus::kError;
  }
  if (Status s = lab::ApplyFault(*plan, a.component, *loss, dir); !s.ok()) {
    PrintError(s);
    return ExitStatus::kError;
  }
  fmt::print("lab {}: {:.4g}% loss on {} ({})\n", a.prefix, *loss * 100, a.component, a.direction);
  return ExitStatus::kOk;
}

ExitStatus RunClear(const LabArgs& a) {
  if (!RequireRoot()) return ExitStatus::kError;
  auto plan = lab::LoadState(a.prefix);
  if (!plan.ok()) {
    PrintError(plan.status());
    return ExitStatus::kError;
  }
  if (Status s = lab::ClearFaults(*plan); !s.ok()) {
    PrintError(s);
    return ExitStatus::kError;
  }
  fmt::print("lab {}: faults cleared\n", a.prefix);
  return ExitStatus::kOk;
}

ExitStatus RunDown(const LabArgs& a) {
  if (!RequireRoot()) return ExitStatus::kError;
  if (Status s = lab::Down(a.prefix); !s.ok()) {
    PrintError(s);
    return ExitStatus::kError;
  }
  fmt::print("lab {} is down\n", a.prefix);
  return ExitStatus::kOk;
}

ExitStatus RunStatus(const LabArgs& a) {
  auto plan = lab::LoadState(a.prefix);
  if (!plan.ok()) {
    PrintError(plan.status());
    return ExitStatus::kError;
  }
  fmt::print("lab {}: {} namespaces, {} components with devices\n", plan->prefix,
             plan->namespaces.size(), plan->component_devices.size());
  for (const auto& [name, ns] : plan->endpoint_ns) fmt::print("  {:<12} netns {}\n", name, ns);
  if (!a.write_topology.empty()) {
    std::ofstream out(a.write_topology);
    out << model::TopologySpecToYaml(plan->lab_spec);
  }
  return ExitStatus::kOk;
}

ExitStatus RunExec(const LabArgs& a) {
  if (!RequireRoot()) return ExitStatus::kError;
  auto plan = lab::LoadState(a.prefix);
  if (!plan.ok()) {
    PrintError(plan.status());
    return ExitStatus::kError;
  }
  std::string ns = a.prefix + "-" + a.node;
  if (std::find(plan->namespaces.begin(), plan->namespaces.end(), ns) == plan->namespaces.end()) {
    PrintError(fmt::format("no node \"{}\" in lab {}", EscapeForMessage(a.node), a.prefix));
    return ExitStatus::kError;
  }
  if (a.command.empty()) {
    PrintError("lab exec: give the command after --");
    return ExitStatus::kError;
  }
  std::vector<std::string> argv = {"ip", "netns", "exec", ns};
  argv.insert(argv.end(), a.command.begin(), a.command.end());
  std::vector<char*> cargv;
  for (auto& s : argv) cargv.push_back(s.data());
  cargv.push_back(nullptr);
  std::fflush(stdout);
  ::execvp("ip", cargv.data());
  PrintError(fmt::format("cannot run ip: {}", std::strerror(errno)));
  return ExitStatus::kError;
}

}  // namespace

void AddLabCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<LabArgs>();
  CLI::App* lab = app.add_subcommand("lab", "Build a topology as network namespaces and inject faults");
  lab->description(kLabHelp);
  lab->require_subcommand(1, 1);
  auto prefix = [&](CLI::App* s) {
    s->add_option("--prefix", args->prefix, "Namespace prefix of the lab")->capture_default_str();
  };
  CLI::App* up = lab->add_subcommand("up", "Build the lab from TOPOLOGY.yaml");
  up->add_option("topology", args->topology, "Topology file (YAML)")->required();
  up->add_flag("--no-remap", args->no_remap,
               "Keep the topology's own addresses (default: remap into 10.77.0.0/16)");
  up->add_option("--write-topology", args->write_topology,
                 "Write the lab's topology (with lab addresses) to FILE");
  prefix(up);
  CLI::App* fault = lab->add_subcommand("fault", "Inject random loss on a component");
  fault->add_option("component", args->component,
                    "Component id: cable name, host:port, switch:port, host/card, "
                    "host/driver:NAME, switch, host, vm")
      ->required();
  fault->add_option("--loss", args->loss, "Loss as a percentage (7%) or a ratio (0.07)")
      ->capture_default_str();
  fault->add_option("--direction", args->direction, "both, in or out (relative to the component)")
      ->check(CLI::IsMember({"both", "in", "out"}))
      ->capture_default_str();
  prefix(fault);
  CLI::App* clear = lab->add_subcommand("clear", "Remove every injected fault");
  prefix(clear);
  CLI::App* down = lab->add_subcommand("down", "Remove the lab (also after a crash)");
  prefix(down);
  CLI::App* status = lab->add_subcommand("status", "Show the lab's namespaces");
  status->add_option("--write-topology", args->write_topology,
                     "Write the lab's topology (with lab addresses) to FILE");
  prefix(status);
  CLI::App* exec = lab->add_subcommand("exec", "Run a command inside a node: lab exec NODE -- CMD");
  exec->add_option("node", args->node, "Host, VM or switch name")->required();
  exec->add_option("command", args->command, "Command and arguments (after --)");
  prefix(exec);
  // The topology argument of fault/clear/down is accepted for symmetry with `up` and ignored:
  // they work from the state `up` saved.
  for (CLI::App* s : {fault, clear, down}) {
    s->allow_extras();
  }
  verbs->push_back({lab, [args, up, fault, clear, down, status, exec] {
                      if (up->parsed()) return RunUp(*args);
                      if (fault->parsed()) return RunFault(*args);
                      if (clear->parsed()) return RunClear(*args);
                      if (down->parsed()) return RunDown(*args);
                      if (status->parsed()) return RunStatus(*args);
                      if (exec->parsed()) return RunExec(*args);
                      return ExitStatus::kError;
                    }});
}

}  // namespace kiriwake::cli
