#include "lab/lab.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "util/subprocess.h"
#include "util/text.h"

namespace kiriwake::lab {

namespace {

using model::ComponentId;
using model::kNoComponent;
using model::Topology;
using model::TopologySpec;

constexpr const char* kNftTable = "kiriwake_lab";

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

// Linux interface names: 1..15 bytes, no '/', ':' or spaces.
bool ValidIfName(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

std::optional<int> LastOctet(std::string_view ipv4) {
  auto parts = text::Split(ipv4, '.');
  if (parts.size() != 4) return std::nullopt;
  for (auto p : parts) {
    auto v = text::ParseUint(p);
    if (!v || *v > 255) return std::nullopt;
  }
  auto v = text::ParseUint(parts[3]);
  return static_cast<int>(*v);
}

// Rewrites every address of `spec` into 10.77.<first_octet + network index>.0/24.
Status Remap(TopologySpec* spec, const LabOptions& o, std::map<std::string, std::string>* map) {
  std::map<std::string, int> net_index;
  for (const auto& n : spec->networks) net_index.emplace(n.name, static_cast<int>(net_index.size()));
  auto index_of = [&](const std::string& net) {
    auto it = net_index.find(net);
    if (it != net_index.end()) return it->second;
    int i = static_cast<int>(net_index.size());
    net_index.emplace(net, i);
    return i;
  };
  std::map<int, std::set<int>> used;
  std::vector<model::AddressSpec*> all;
  for (auto& h : spec->hosts) {
    for (auto& a : h.addresses) all.push_back(&a);
  }
  for (auto& v : spec->vms) {
    for (auto& a : v.addresses) all.push_back(&a);
  }
  // First keep every last octet that is free, then give the rest the next free one.
  std::vector<model::AddressSpec*> later;
  for (auto* a : all) {
    int n = index_of(a->network);
    if (o.first_octet + n > 255) {
      return Status::Usage(fmt::format("too many networks for 10.77.{}.0/24 and up", o.first_octet));
    }
    auto last = LastOctet(a->address);
    if (last && *last >= 1 && *last <= 254 && used[n].insert(*last).second) {
      std::string lab = fmt::format("10.77.{}.{}", o.first_octet + n, *last);
      (*map)[a->address] = lab;
      a->address = lab;
    } else {
      later.push_back(a);
    }
  }
  for (auto* a : later) {
    int n = index_of(a->network);
    int octet = 1;
    while (octet <= 254 && used[n].count(octet)) ++octet;
    if (octet > 254) {
      return Status::Usage(fmt::format("network {} has more than 254 addresses", a->network));
    }
    used[n].insert(octet);
    std::string lab = fmt::format("10.77.{}.{}", o.first_octet + n, octet);
    (*map)[a->address] = lab;
    a->address = lab;
  }
  return Status::Ok();
}

std::string PortNumber(std::string_view component_id) {
  size_t colon = component_id.rfind(':');
  return std::string(text::Clipped(component_id, colon + 1));
}


}  // namespace

Result<LabPlan> PlanLab(const TopologySpec& spec_in, const LabOptions& o) {
  if (!ValidName(o.prefix) || o.prefix.size() > 16) {
    return Status::Usage(fmt::format("--prefix: expected 1-16 letters, digits, '-', '_' or '.', "
                                     "saw \"{}\"",
                                     EscapeForMessage(o.prefix)));
  }
  LabPlan plan;
  plan.prefix = o.prefix;
  TopologySpec spec = spec_in;
  if (o.remap) KW_RETURN_IF_ERROR(Remap(&spec, o, &plan.address_map));
  plan.lab_spec = spec;
  KW_ASSIGN_OR_RETURN(Topology topo, Topology::Build(std::move(spec)));

  auto ns_of = [&](const std::string& name) { return o.prefix + "-" + name; };
  auto& cmds = plan.ip_commands;
  auto add_ns = [&](const std::string& name) -> Status {
    if (!ValidName(name)) {
      return Status::Usage(fmt::format("\"{}\" cannot name a network namespace (letters, digits, "
                                       "'-', '_', '.')",
                                       EscapeForMessage(name)));
    }
    plan.namespaces.push_back(ns_of(name));
    cmds.push_back({"netns", "add", ns_of(name)});
    cmds.push_back({"-n", ns_of(name), "link", "set", "lo", "up"});
    return Status::Ok();
  };
  for (const auto& h : topo.hosts()) {
    KW_RETURN_IF_ERROR(add_ns(h.name));
    plan.endpoint_ns[h.name] = ns_of(h.name);
  }
  for (const auto& v : topo.vms()) {
    KW_RETURN_IF_ERROR(add_ns(v.name));
    plan.endpoint_ns[v.name] = ns_of(v.name);
  }
  // Switch graphs with cycles (ECMP fabrics) would loop frames forever between plain bridges:
  // turn on STP there, with the shortest forward delay the kernel allows (2 s).
  size_t switch_links = 0;
  for (const auto& s : topo.switches()) switch_links += s.links.size();
  bool cyclic = switch_links / 2 >= topo.switches().size() && !topo.switches().empty();
  for (const auto& s : topo.switches()) {
    KW_RETURN_IF_ERROR(add_ns(s.name));
    std::vector<std::string> br = {"-n", ns_of(s.name), "link", "add", "br0", "type", "bridge"};
    if (cyclic) br.insert(br.end(), {"stp_state", "1", "forward_delay", "200"});
    cmds.push_back(br);
    cmds.push_back({"-n", ns_of(s.name), "link", "set", "br0", "up"});
  }

  auto add_device = [&](ComponentId c, const Device& d) {
    if (c == kNoComponent) return;
    const model::Component& comp = topo.component(c);
    plan.component_devices[comp.id].push_back(d);
    if (comp.kind == model::ComponentKind::kSwitch || comp.kind == model::ComponentKind::kVswitch) {
      plan.transit_components.insert(comp.id);
    }
  };
  auto host_dev = [&](int32_t h, int32_t p) {
    const std::string& n = topo.hosts()[h].ports[p].name;
    return ValidIfName(n) ? n : fmt::format("hp{}", p);
  };
  auto veth = [&](const std::string& ns_a, const std::string& a, const std::string& ns_b,
                  const std::string& b) {
    cmds.push_back({"link", "add", a, "netns", ns_a, "type", "veth", "peer", "name", b, "netns", ns_b});
    cmds.push_back({"-n", ns_a, "link", "set", a, "up"});
    cmds.push_back({"-n", ns_b, "link", "set", b, "up"});
  };

  // Cables: host-switch, host-host, switch-switch.
  std::set<ComponentId> cabled;
  for (int32_t h = 0; h < static_cast<int32_t>(topo.hosts().size()); ++h) {
    const auto& host = topo.hosts()[h];
    for (int32_t p = 0; p < static_cast<int32_t>(host.ports.size()); ++p) {
      const auto& hp = host.ports[p];
      if (hp.cable == kNoComponent || cabled.count(hp.cable)) continue;
      std::string hns = ns_of(host.name), hdev = host_dev(h, p);
      if (hp.peer_switch >= 0) {
        const auto& sw = topo.switches()[hp.peer_switch];
        std::string sns = ns_of(sw.name);
        std::string sdev = "p" + PortNumber(topo.component(hp.peer_port).id);
        veth(hns, hdev, sns, sdev);
        cmds.push_back({"-n", sns, "link", "set", sdev, "master", "br0"});
        Device host_side{hns, hdev, sns, sdev}, switch_side{sns, sdev, hns, hdev};
        for (ComponentId c : {hp.port, hp.card, hp.driver, host.component}) add_device(c, host_side);
        for (ComponentId c : {hp.peer_port, sw.component}) add_device(c, switch_side);
        add_device(hp.cable, host_side);
        add_device(hp.cable, switch_side);
        cabled.insert(hp.cable);
        continue;
      }
      // Host-to-host cable: find the other end.
      for (int32_t h2 = 0; h2 < static_cast<int32_t>(topo.hosts().size()); ++h2) {
        for (int32_t p2 = 0; p2 < static_cast<int32_t>(topo.hosts()[h2].ports.size()); ++p2) {
          const auto& o2 = topo.hosts()[h2].ports[p2];
          if (o2.cable != hp.cable || (h2 == h && p2 == p)) continue;
          std::string ons = ns_of(topo.hosts()[h2].name), odev = host_dev(h2, p2);
          veth(hns, hdev, ons, odev);
          Device a{hns, hdev, ons, odev}, b{ons, odev, hns, hdev};
          for (ComponentId c : {hp.port, hp.card, hp.driver, host.component, hp.cable}) add_device(c, a);
          for (ComponentId c : {o2.port, o2.card, o2.driver, topo.hosts()[h2].component, o2.cable}) {
            add_device(c, b);
          }
          cabled.insert(hp.cable);
        }
      }
    }
  }
  for (const auto& sw : topo.switches()) {
    for (const auto& l : sw.links) {
      if (cabled.count(l.cable)) continue;
      cabled.insert(l.cable);
      const auto& other = topo.switches()[l.to];
      std::string ans = ns_of(sw.name), bns = ns_of(other.name);
      std::string adev = "p" + PortNumber(topo.component(l.local_port).id);
      std::string bdev = "p" + PortNumber(topo.component(l.remote_port).id);
      veth(ans, adev, bns, bdev);
      cmds.push_back({"-n", ans, "link", "set", adev, "master", "br0"});
      cmds.push_back({"-n", bns, "link", "set", bdev, "master", "br0"});
      Device a{ans, adev, bns, bdev}, b{bns, bdev, ans, adev};
      for (ComponentId c : {l.local_port, sw.component, l.cable}) add_device(c, a);
      for (ComponentId c : {l.remote_port, other.component, l.cable}) add_device(c, b);
    }
  }

  // Inside each host: one bridge (its vswitch) per uplink port in use. A team uses its first
  // port in the lab (a Linux bond would hide which member a flow took).
  std::map<std::pair<int32_t, int32_t>, std::string> bridge_of;  // (host, port) -> bridge
  auto uplink_bridge = [&](int32_t h, int32_t net) -> Result<std::string> {
    const auto* ups = topo.Uplinks(h, net);
    if (ups == nullptr || ups->empty()) {
      return Status::Usage(fmt::format("host {} has no uplink on network {}", topo.hosts()[h].name,
                                       topo.networks()[net].name));
    }
    int32_t p = ups->front();
    auto key = std::make_pair(h, p);
    auto it = bridge_of.find(key);
    if (it != bridge_of.end()) return it->second;
    std::string dev = host_dev(h, p);
    std::string br = ValidIfName("vs-" + dev) ? "vs-" + dev : fmt::format("vs{}", p);
    std::string hns = ns_of(topo.hosts()[h].name);
    cmds.push_back({"-n", hns, "link", "add", br, "type", "bridge"});
    cmds.push_back({"-n", hns, "link", "set", dev, "master", br});
    cmds.push_back({"-n", hns, "link", "set", br, "up"});
    const auto& hp = topo.hosts()[h].ports[p];
    std::string peer_ns = hp.peer_switch >= 0 ? ns_of(topo.switches()[hp.peer_switch].name) : "";
    std::string peer_dev =
        hp.peer_switch >= 0 ? "p" + PortNumber(topo.component(hp.peer_port).id) : "";
    add_device(topo.hosts()[h].vswitch, Device{hns, dev, peer_ns, peer_dev});
    bridge_of[key] = br;
    return br;
  };
  for (int32_t h = 0; h < static_cast<int32_t>(topo.hosts().size()); ++h) {
    for (const auto& [net_name, addr] : topo.hosts()[h].addresses) {
      auto net = topo.FindNetwork(net_name);
      if (!net) continue;
      KW_ASSIGN_OR_RETURN(std::string br, uplink_bridge(h, *net));
      cmds.push_back({"-n", ns_of(topo.hosts()[h].name), "addr", "add", addr + "/24", "dev", br});
    }
  }
  for (int32_t v = 0; v < static_cast<int32_t>(topo.vms().size()); ++v) {
    const auto& vm = topo.vms()[v];
    const auto& host = topo.hosts()[vm.host];
    int k = 0;
    for (const auto& [net_name, addr] : vm.addresses) {
      auto net = topo.FindNetwork(net_name);
      if (!net) continue;
      KW_ASSIGN_OR_RETURN(std::string br, uplink_bridge(vm.host, *net));
      std::string vns = ns_of(vm.name), hns = ns_of(host.name);
      std::string vdev = fmt::format("eth{}", k), hdev = fmt::format("v{}e{}", v, k);
      veth(vns, vdev, hns, hdev);
      cmds.push_back({"-n", hns, "link", "set", hdev, "master", br});
      cmds.push_back({"-n", vns, "addr", "add", addr + "/24", "dev", vdev});
      add_device(vm.component, Device{vns, vdev, hns, hdev});
      add_device(host.vswitch, Device{hns, hdev, vns, vdev});
      ++k;
    }
  }
  return plan;
}

Result<std::map<std::string, std::string>> FaultScripts(const LabPlan& plan,
                                                        const std::string& component,
                                                        double loss_ratio, FaultDirection dir) {
  auto it = plan.component_devices.find(component);
  if (it == plan.component_devices.end()) {
    std::string some;
    int n = 0;
    for (const auto& [id, devs] : plan.component_devices) {
      if (n++ < 6) some += (some.empty() ? "" : ", ") + id;
    }
    return Status::NotFound(fmt::format(
        "no component \"{}\" with devices in lab {} (known, e.g.: {})",
        EscapeForMessage(component), plan.prefix, some));
  }
  if (!(loss_ratio > 0 && loss_ratio <= 1)) {
    return Status::Usage(fmt::format("--loss: expected a ratio in (0, 1] or a percentage, saw {}",
                                     loss_ratio));
  }
  // Ingress on a device drops what enters the component through it ("in"); ingress on the
  // veth peer drops what leaves through it ("out").
  std::set<std::pair<std::string, std::string>> hooks;
  bool transit = plan.transit_components.count(component) > 0;
  for (const Device& d : it->second) {
    if (dir != FaultDirection::kOut) hooks.insert({d.ns, d.dev});
    bool out = dir == FaultDirection::kOut || (dir == FaultDirection::kBoth && !transit);
    if (out && !d.peer_ns.empty()) hooks.insert({d.peer_ns, d.peer_dev});
  }
  int threshold = static_cast<int>(loss_ratio * 10000 + 0.5);
  std::string tag;
  for (char c : component) tag += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  std::map<std::string, std::string> scripts;
  for (const auto& [ns, dev] : hooks) {
    std::string chain = fmt::format("f_{}_{}", tag, dev);
    for (char& c : chain) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
    }
    std::string& s = scripts[ns];
    if (s.empty()) s = fmt::format("add table netdev {}\n", kNftTable);
    s += fmt::format(
        "add chain netdev {0} {1} {{ type filter hook ingress device \"{2}\" priority 0; }}\n"
        "flush chain netdev {0} {1}\n"
        "add rule netdev {0} {1} numgen random mod 10000 < {3} counter drop\n",
        kNftTable, chain, dev, threshold);
  }
  return scripts;
}

std::string StatePath(const std::string& prefix) {
  return fmt::format("/run/kiriwake/lab-{}.json", prefix);
}

Status SaveState(const LabPlan& plan) {
  nlohmann::json j;
  j["prefix"] = plan.prefix;
  j["namespaces"] = plan.namespaces;
  j["endpoint_ns"] = plan.endpoint_ns;
  j["address_map"] = plan.address_map;
  j["transit_components"] = plan.transit_components;
  j["lab_topology_yaml"] = model::TopologySpecToYaml(plan.lab_spec);
  for (const auto& [id, devs] : plan.component_devices) {
    for (const Device& d : devs) {
      j["component_devices"][id].push_back({d.ns, d.dev, d.peer_ns, d.peer_dev});
    }
  }
  std::error_code ec;
  std::filesystem::create_directories("/run/kiriwake", ec);
  if (ec) return Status::IOError(fmt::format("/run/kiriwake: {}", ec.message()));
  std::string path = StatePath(plan.prefix);
  std::ofstream out(path + ".tmp");
  out << j.dump(2);
  out.close();
  if (!out) return Status::IOError(fmt::format("{}: cannot write", path));
  std::filesystem::rename(path + ".tmp", path, ec);
  if (ec) return Status::IOError(fmt::format("{}: {}", path, ec.message()));
  return Status::Ok();
}

Result<LabPlan> LoadState(const std::string& prefix) {
  std::string path = StatePath(prefix);
  std::ifstream in(path);
  if (!in) {
    return Status::NotFound(fmt::format("{}: no lab \"{}\" is up (run `kiriwake lab up`)", path,
                                        prefix));
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  LabPlan plan;
  try {
    if (j.is_discarded()) throw std::runtime_error("not JSON");
    plan.prefix = j.at("prefix").get<std::string>();
    plan.namespaces = j.at("namespaces").get<std::vector<std::string>>();
    plan.endpoint_ns = j.at("endpoint_ns").get<std::map<std::string, std::string>>();
    plan.address_map = j.at("address_map").get<std::map<std::string, std::string>>();
    plan.transit_components = j.value("transit_components", std::set<std::string>{});
    if (j.contains("component_devices")) {
      for (const auto& [id, devs] : j["component_devices"].items()) {
        for (const auto& d : devs) {
          plan.component_devices[id].push_back(
              {d.at(0).get<std::string>(), d.at(1).get<std::string>(),
               d.at(2).get<std::string>(), d.at(3).get<std::string>()});
        }
      }
    }
    auto spec = model::ParseTopologySpec(j.at("lab_topology_yaml").get<std::string>(), path);
    if (!spec.ok()) return spec.status();
    plan.lab_spec = std::move(*spec);
  } catch (const std::exception& e) {
    return Status::At(StatusCode::kMalformed, SourceLoc{path, 0, 0},
                      fmt::format("lab state is damaged ({}); run `kiriwake lab down --prefix {}`",
                                  e.what(), prefix));
  }
  return plan;
}

namespace {
Result<std::vector<std::string>> ListNamespaces(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists("/run/netns", ec)) return out;
  for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec)) {
    std::string n = e.path().filename().string();
    if (n.starts_with(prefix + "-")) out.push_back(n);
  }
  if (ec) return Status::IOError(fmt::format("/run/netns: {}", ec.message()));
  return out;
}
}  // namespace

Status Up(const LabPlan& plan) {
  KW_ASSIGN_OR_RETURN(auto existing, ListNamespaces(plan.prefix));
  if (!existing.empty()) {
    return Status::Usage(fmt::format("lab \"{}\" is already up ({} namespaces, e.g. {}); run "
                                     "`kiriwake lab down --prefix {}` first",
                                     plan.prefix, existing.size(), existing.front(), plan.prefix));
  }
  for (const auto& c : plan.ip_commands) {
    std::vector<std::string> argv = {"ip"};
    argv.insert(argv.end(), c.begin(), c.end());
    Status s = RunChecked(argv);
    if (!s.ok()) {
      Down(plan.prefix).IgnoreError();  // leave nothing half-built behind
      return s;
    }
  }
  return SaveState(plan);
}

Status ApplyFault(const LabPlan& plan, const std::string& component, double loss_ratio,
                  FaultDirection dir) {
  KW_ASSIGN_OR_RETURN(auto scripts, FaultScripts(plan, component, loss_ratio, dir));
  for (const auto& [ns, script] : scripts) {
    KW_RETURN_IF_ERROR(RunChecked({"ip", "netns", "exec", ns, "nft", "-f", "-"}, script));
  }
  return Status::Ok();
}

Status ClearFaults(const LabPlan& plan) {
  std::string script = fmt::format("add table netdev {0}\ndelete table netdev {0}\n", kNftTable);
  for (const auto& ns : plan.namespaces) {
    KW_RETURN_IF_ERROR(RunChecked({"ip", "netns", "exec", ns, "nft", "-f", "-"}, script));
  }
  return Status::Ok();
}

Status Down(const std::string& prefix) {
  KW_ASSIGN_OR_RETURN(auto names, ListNamespaces(prefix));
  Status first;
  for (const auto& ns : names) {
    // Processes left in the namespace (agents) would keep its devices alive: end them first.
    RunChecked({"sh", "-c", "ip netns pids \"$0\" | xargs -r kill -9", ns}).IgnoreError();
    Status s = RunChecked({"ip", "netns", "del", ns});
    if (!s.ok() && first.ok()) first = s;
  }
  std::error_code ec;
  std::filesystem::remove(StatePath(prefix), ec);
  return first;
}

}  // namespace kiriwake::lab
