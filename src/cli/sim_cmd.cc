// `kiriwake sim`: generate a topology, inject faults, simulate probing; write the three files
// `localize` and the benchmark read.
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/verb.h"
#include "infer/simulate.h"
#include "model/topology_gen.h"
#include "util/text.h"

namespace kiriwake::cli {
namespace {

struct SimArgs {
  std::string shape = "seed";
  int faults = 1;
  std::string kinds = "cable";
  std::string loss = "0.02-0.10";
  uint64_t probes = 200;
  int64_t pairs = 0;
  int peers = 0;
  double background = 0.0002;
  uint64_t seed = 1;
  bool no_vms = false;
  std::string out;
};

constexpr const char* kSimHelp =
    "Generate a topology (seed, homelab:N, leafspine:L,S,H, fattree:K), inject faults with "
    "loss rates in a range, and simulate probing: a full mesh of endpoint pairs, or --pairs N "
    "random flows or --peers P random peers per endpoint (Pingmesh-like), each hashed onto one "
    "route (teaming, ECMP) with binomial "
    "losses. Writes DIR/topology.yaml, DIR/observations.jsonl and DIR/truth.json.\n\n"
    "Exit status: 0 written; 2 an error.";

Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status::FromErrno(path, errno);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  f.close();
  if (!f) return Status::FromErrno(path, errno);
  return Status::Ok();
}

ExitStatus RunSim(const SimArgs& a) {
  infer::SimOptions o;
  o.faults = a.faults;
  o.probes_per_pair = a.probes;
  o.sampled_pairs = a.pairs;
  o.peers_per_endpoint = a.peers;
  o.background_loss_ratio = a.background;
  o.seed = a.seed;
  o.include_vms = !a.no_vms;
  auto kinds = infer::ParseKinds(a.kinds);
  if (!kinds.ok()) {
    PrintError(kinds.status());
    return ExitStatus::kError;
  }
  o.kinds = *kinds;
  size_t dash = a.loss.find('-');
  auto lo = text::ParseDouble(text::Clipped(a.loss, 0, dash));
  auto hi = dash == std::string::npos ? lo : text::ParseDouble(text::Clipped(a.loss, dash + 1));
  if (!lo || !hi || !(*lo > 0 && *lo <= *hi && *hi <= 1) || a.faults < 0 || a.probes == 0 ||
      !(a.background >= 0 && a.background < 0.5) || a.peers < 0 || a.pairs < 0) {
    PrintError(
        "--loss expects MIN-MAX ratios like 0.02-0.10; --faults >= 0; --probes > 0; "
        "--pairs >= 0; --peers >= 0");
    return ExitStatus::kError;
  }
  o.min_loss_ratio = *lo;
  o.max_loss_ratio = *hi;
  auto spec = model::GenerateTopology(a.shape);
  if (!spec.ok()) {
    PrintError(spec.status());
    return ExitStatus::kError;
  }
  std::string yaml = model::TopologySpecToYaml(*spec);
  auto topo = model::Topology::Build(std::move(*spec));
  if (!topo.ok()) {
    PrintError(topo.status());
    return ExitStatus::kError;
  }
  auto sc = infer::Simulate(*topo, o);
  if (!sc.ok()) {
    PrintError(sc.status());
    return ExitStatus::kError;
  }
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec) {
    PrintError(fmt::format("{}: {}", a.out, ec.message()));
    return ExitStatus::kError;
  }
  std::string obs;
  for (const model::Observation& ob : sc->observations) {
    nlohmann::json j = {{"src", topo->EndpointName(ob.src)},
                        {"dst", topo->EndpointName(ob.dst)},
                        {"network", topo->networks()[ob.network].name},
                        {"sent", ob.sent},
                        {"lost", ob.lost}};
    obs += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  nlohmann::json truth;
  truth["shape"] = a.shape;
  truth["seed"] = a.seed;
  truth["faults"] = nlohmann::json::array();
  for (const infer::InjectedFault& f : sc->truth) {
    truth["faults"].push_back(
        {{"component", topo->component(f.component).id},
         {"kind", model::ComponentKindName(topo->component(f.component).kind)},
         {"loss_ratio", f.loss_ratio}});
  }
  for (auto [name, content] : {std::pair<const char*, const std::string*>{"topology.yaml", &yaml},
                               {"observations.jsonl", &obs}}) {
    Status s = WriteFile(a.out + "/" + name, *content);
    if (!s.ok()) {
      PrintError(s);
      return ExitStatus::kError;
    }
  }
  Status s = WriteFile(a.out + "/truth.json",
                       truth.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!s.ok()) {
    PrintError(s);
    return ExitStatus::kError;
  }
  fmt::print("{}: {} hosts, {} switches, {} components; {} observations; {} fault{} injected\n",
             a.shape, topo->hosts().size(), topo->switches().size(), topo->components().size(),
             sc->observations.size(), sc->truth.size(), sc->truth.size() == 1 ? "" : "s");
  for (const infer::InjectedFault& f : sc->truth) {
    fmt::print("  {} loses {:.2f}%\n", topo->component(f.component).id, f.loss_ratio * 100);
  }
  fmt::print("wrote {0}/topology.yaml, {0}/observations.jsonl, {0}/truth.json\n", a.out);
  return ExitStatus::kOk;
}

}  // namespace

void AddSimCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto a = std::make_shared<SimArgs>();
  CLI::App* sub = app.add_subcommand("sim", kSimHelp);
  sub->add_option("--shape", a->shape,
                  "seed, homelab:N, leafspine:L,S,H or fattree:K (default seed)");
  sub->add_option("--faults", a->faults, "Number of faults to inject (default 1)");
  sub->add_option("--kinds", a->kinds,
                  "Kinds a fault may hit: cable,host_port,switch_port,card,driver,switch,host,"
                  "vm,vswitch (default cable)");
  sub->add_option("--loss", a->loss, "Fault loss ratio range MIN-MAX (default 0.02-0.10)");
  sub->add_option("--probes", a->probes, "Probes per pair (default 200)");
  sub->add_option("--pairs", a->pairs,
                  "Random flows to probe, Pingmesh-like (default 0 = full mesh)");
  sub->add_option("--peers", a->peers,
                  "Every endpoint probes this many random peers on each network (default 0 = "
                  "full mesh)")
      ->excludes(sub->get_option("--pairs"));
  sub->add_option("--background-loss", a->background, "Loss on every path (default 0.0002)");
  sub->add_option("--seed", a->seed, "Random seed (default 1)");
  sub->add_flag("--no-vms", a->no_vms, "Probe hosts only, not VMs");
  sub->add_option("--out", a->out, "Directory to write into")->required();
  verbs->push_back({sub, [a] { return RunSim(*a); }});
}

}  // namespace kiriwake::cli
