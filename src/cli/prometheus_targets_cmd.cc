// `kiriwake prometheus-targets`: the agents of a topology as Prometheus file_sd targets.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/verb.h"
#include "model/topology.h"

namespace kiriwake::cli {
namespace {

struct TargetsArgs {
  std::string topology;
  std::string network;
  int port = 9623;
  std::string out;
};

constexpr const char* kTargetsHelp =
    "Write the agents of a topology as Prometheus file_sd targets (JSON), one per host and VM, "
    "at its address on --network (default: the first network it has an address on) and the "
    "agents' HTTP port. Point a file_sd_configs entry at the file "
    "(deploy/prometheus/prometheus.yml) and start each agent with `http: ADDRESS:PORT` so "
    "Prometheus can reach it.\n\nExit status: 0 written; 2 an error.";

ExitStatus Run(const TargetsArgs& a) {
  auto topo = model::LoadTopology(a.topology);
  if (!topo.ok()) {
    PrintError(topo.status());
    return ExitStatus::kError;
  }
  std::optional<int32_t> net;
  if (!a.network.empty()) {
    net = topo->FindNetwork(a.network);
    if (!net) {
      PrintError(fmt::format("--network: no network \"{}\" in {}", a.network, a.topology));
      return ExitStatus::kError;
    }
  }
  if (a.port <= 0 || a.port > 65535) {
    PrintError("--port: expected 1-65535");
    return ExitStatus::kError;
  }
  nlohmann::json doc = nlohmann::json::array();
  int skipped = 0;
  auto add = [&](model::Endpoint e, const std::string& host, const char* kind) {
    std::string addr;
    if (net) {
      addr = std::string(topo->EndpointAddress(e, *net));
    } else {
      for (int32_t n = 0; n < static_cast<int32_t>(topo->networks().size()) && addr.empty(); ++n) {
        addr = std::string(topo->EndpointAddress(e, n));
      }
    }
    if (addr.empty()) {
      ++skipped;
      return;
    }
    std::string target = addr.find(':') != std::string::npos
                             ? fmt::format("[{}]:{}", addr, a.port)
                             : fmt::format("{}:{}", addr, a.port);
    doc.push_back({{"targets", {target}},
                   {"labels", {{"kiriwake_agent", topo->EndpointName(e)},
                               {"kiriwake_host", host},
                               {"kiriwake_kind", kind}}}});
  };
  for (int32_t h = 0; h < static_cast<int32_t>(topo->hosts().size()); ++h) {
    add(model::Endpoint{model::Endpoint::Kind::kHost, h}, topo->hosts()[h].name, "host");
  }
  for (int32_t v = 0; v < static_cast<int32_t>(topo->vms().size()); ++v) {
    add(model::Endpoint{model::Endpoint::Kind::kVm, v},
        topo->hosts()[topo->vms()[v].host].name, "vm");
  }
  if (skipped > 0) {
    PrintWarning(fmt::format("{} hosts/VMs have no address{}; not listed", skipped,
                             a.network.empty() ? "" : " on " + a.network));
  }
  std::string text = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (a.out.empty() || a.out == "-") {
    std::fputs(text.c_str(), stdout);
  } else {
    std::ofstream f(a.out + ".tmp");
    f << text;
    f.close();
    if (!f || std::rename((a.out + ".tmp").c_str(), a.out.c_str()) != 0) {
      PrintError(fmt::format("{}: cannot write", a.out));
      return ExitStatus::kError;
    }
  }
  return ExitStatus::kOk;
}

}  // namespace

void AddPrometheusTargetsCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<TargetsArgs>();
  CLI::App* sub = app.add_subcommand("prometheus-targets",
                                     "Write a topology's agents as Prometheus file_sd targets");
  sub->description(kTargetsHelp);
  sub->add_option("--topology", args->topology, "Topology file (YAML)")->required();
  sub->add_option("--network", args->network, "Scrape each agent on its address on this network");
  sub->add_option("--port", args->port, "The agents' HTTP port")->capture_default_str();
  sub->add_option("--out", args->out,
                  "Write here (atomically, so Prometheus never reads half a file); default stdout");
  verbs->push_back({sub, [args] { return Run(*args); }});
}

}  // namespace kiriwake::cli
