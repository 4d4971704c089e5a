#include "model/topology_gen.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/text.h"

namespace kiriwake::model {
namespace {

AddressSpec Addr(std::string net, std::string a) { return {std::move(net), std::move(a), {}}; }

CableSpec Cable(std::string name, std::string an, std::string ap, std::string bn,
                std::string bp, std::string medium) {
  CableSpec c;
  c.name = std::move(name);
  c.a = {std::move(an), std::move(ap), {}};
  c.b = {std::move(bn), std::move(bp), {}};
  c.medium = std::move(medium);
  return c;
}

TopologySpec Lab(int n, const std::vector<std::string>& names, const std::string& svc,
                 const std::string& sto, const std::string& gbe, bool seed_vms) {
  TopologySpec s;
  s.source_name = seed_vms ? "seed" : fmt::format("homelab:{}", n);
  NetworkSpec service{"service", {}, {}}, storage{"storage", {}, {}}, mgmt{"mgmt", {}, {}};
  for (int i = 0; i < n; ++i) {
    const std::string& h = names[i];
    HostSpec hs;
    hs.name = h;
    int last = 101 + i;
    hs.addresses = {Addr("service", fmt::format("192.168.100.{}", last)),
                    Addr("storage", fmt::format("192.168.110.{}", last)),
                    Addr("mgmt", fmt::format("192.168.1.{}", last))};
    hs.nics.push_back({"x520", "ixgbe", {"vmnic2", "vmnic3"}, {}, {}});
    hs.nics.push_back({"onboard", "igb", {"vmnic0", "vmnic1"}, {}, {}});
    s.hosts.push_back(std::move(hs));
    service.uplinks.push_back({h, {"vmnic2"}, {}});
    storage.uplinks.push_back({h, {"vmnic3"}, {}});
    mgmt.uplinks.push_back({h, {"vmnic0"}, {}});
  }
  int ports = std::max(9, n + 1);
  s.switches = {{svc, std::max(28, ports), {}}, {sto, ports, {}}, {gbe, std::max(24, ports), {}}};
  for (int i = 0; i < n; ++i) {
    s.cables.push_back(Cable(fmt::format("dac-{}-{}", names[i], svc), names[i], "vmnic2", svc,
                             std::to_string(i + 1), "dac"));
  }
  for (int i = 0; i < n; ++i) {
    s.cables.push_back(Cable(fmt::format("dac-{}-{}", names[i], sto), names[i], "vmnic3", sto,
                             std::to_string(i + 1), "dac"));
  }
  for (int i = 0; i < n; ++i) {
    s.cables.push_back(Cable(fmt::format("utp-{}-{}", names[i], gbe), names[i], "vmnic0", gbe,
                             std::to_string(i + 1), "copper"));
  }
  s.networks = {service, storage, mgmt};
  if (seed_vms) {
    const char* on[] = {"esxi1", "esxi3", "esxi1", "esxi2"};
    for (int v = 0; v < 4; ++v) {
      VmSpec vm;
      vm.name = fmt::format("ceph{}", v + 1);
      vm.on = on[v];
      vm.addresses = {Addr("service", fmt::format("192.168.100.{}", 111 + v)),
                      Addr("storage", fmt::format("192.168.110.{}", 111 + v))};
      vm.osds = {v};
      s.vms.push_back(std::move(vm));
    }
  } else {
    for (int i = 0; i < n; ++i) {
      VmSpec vm;
      vm.name = fmt::format("vm{}", i + 1);
      vm.on = names[i];
      vm.addresses = {Addr("service", fmt::format("192.168.100.{}", 150 + i)),
                      Addr("storage", fmt::format("192.168.110.{}", 150 + i))};
      s.vms.push_back(std::move(vm));
    }
  }
  return s;
}

}  // namespace

TopologySpec SeedHomeLab() {
  return Lab(3, {"esxi1", "esxi2", "esxi3"}, "allied", "mikrotik", "gbe", true);
}

TopologySpec HomeLab(int hosts) {
  hosts = std::clamp(hosts, 2, 100);
  std::vector<std::string> names;
  for (int i = 0; i < hosts; ++i) names.push_back(fmt::format("esxi{}", i + 1));
  return Lab(hosts, names, "svc", "sto", "gbe", false);
}

TopologySpec LeafSpine(int leaves, int spines, int hosts_per_leaf) {
  TopologySpec s;
  s.source_name = fmt::format("leafspine:{},{},{}", leaves, spines, hosts_per_leaf);
  NetworkSpec net{"fabric", {}, {}};
  for (int sp = 0; sp < spines; ++sp) s.switches.push_back({fmt::format("spine{}", sp + 1), leaves, {}});
  for (int l = 0; l < leaves; ++l) {
    std::string leaf = fmt::format("leaf{}", l + 1);
    s.switches.push_back({leaf, hosts_per_leaf + spines, {}});
    for (int h = 0; h < hosts_per_leaf; ++h) {
      HostSpec hs;
      hs.name = fmt::format("h{}-{}", l + 1, h + 1);
      hs.addresses = {Addr("fabric", fmt::format("10.{}.{}.{}", l / 250, l % 250, h + 2))};
      hs.nics.push_back({"nic", "mlx5", {"eth0"}, {}, {}});
      net.uplinks.push_back({hs.name, {"eth0"}, {}});
      s.cables.push_back(Cable(hs.name + "-" + leaf, hs.name, "eth0", leaf,
                               std::to_string(h + 1), "dac"));
      s.hosts.push_back(std::move(hs));
    }
    for (int sp = 0; sp < spines; ++sp) {
      s.cables.push_back(Cable(fmt::format("{}-spine{}", leaf, sp + 1), leaf,
                               std::to_string(hosts_per_leaf + sp + 1),
                               fmt::format("spine{}", sp + 1), std::to_string(l + 1), "fiber"));
    }
  }
  s.networks = {std::move(net)};
  return s;
}

TopologySpec FatTree(int k) {
  k = std::max(4, k - (k % 2));
  int half = k / 2;
  TopologySpec s;
  s.source_name = fmt::format("fattree:{}", k);
  s.hosts.reserve(static_cast<size_t>(k) * half * half);
  s.cables.reserve(static_cast<size_t>(3) * k * half * half);
  NetworkSpec net{"fabric", {}, {}};
  net.uplinks.reserve(s.hosts.capacity());
  for (int c = 0; c < half * half; ++c) s.switches.push_back({fmt::format("core{}", c), k, {}});
  for (int p = 0; p < k; ++p) {
    for (int e = 0; e < half; ++e) s.switches.push_back({fmt::format("edge{}-{}", p, e), k, {}});
    for (int a = 0; a < half; ++a) s.switches.push_back({fmt::format("agg{}-{}", p, a), k, {}});
  }
  for (int p = 0; p < k; ++p) {
    for (int e = 0; e < half; ++e) {
      std::string edge = fmt::format("edge{}-{}", p, e);
      for (int h = 0; h < half; ++h) {
        HostSpec hs;
        hs.name = fmt::format("h{}-{}-{}", p, e, h);
        hs.addresses = {Addr("fabric", fmt::format("10.{}.{}.{}", p, e, h + 2))};
        hs.nics.push_back({"nic", "mlx5", {"eth0"}, {}, {}});
        net.uplinks.push_back({hs.name, {"eth0"}, {}});
        s.cables.push_back(
            Cable(hs.name + "-up", hs.name, "eth0", edge, std::to_string(h + 1), "dac"));
        s.hosts.push_back(std::move(hs));
      }
      // Edge port half+a+1 goes to aggregation switch a, whose port e+1 faces this edge.
      for (int a = 0; a < half; ++a) {
        s.cables.push_back(Cable(fmt::format("e{}-{}-a{}", p, e, a), edge,
                                 std::to_string(half + a + 1), fmt::format("agg{}-{}", p, a),
                                 std::to_string(e + 1), "fiber"));
      }
    }
    // Aggregation switch a, port half+j+1, goes to core a*half+j, whose port p+1 faces pod p.
    for (int a = 0; a < half; ++a) {
      for (int j = 0; j < half; ++j) {
        s.cables.push_back(Cable(fmt::format("a{}-{}-c{}", p, a, a * half + j),
                                 fmt::format("agg{}-{}", p, a), std::to_string(half + j + 1),
                                 fmt::format("core{}", a * half + j), std::to_string(p + 1),
                                 "fiber"));
      }
    }
  }
  s.networks = {std::move(net)};
  return s;
}

Result<TopologySpec> GenerateTopology(std::string_view shape) {
  if (shape == "seed") return SeedHomeLab();
  auto nums = [](std::string_view rest) {
    std::vector<int> out;
    for (auto part : text::Split(rest, ',')) {
      auto v = text::ParseUint(part);
      if (!v || *v > 100000) return std::vector<int>{};
      out.push_back(static_cast<int>(*v));
    }
    return out;
  };
  std::string_view rest = shape;
  if (text::Consume(&rest, "homelab:")) {
    auto v = nums(rest);
    if (v.size() == 1 && v[0] >= 2 && v[0] <= 100) return HomeLab(v[0]);
  } else if (text::Consume(&rest, "leafspine:")) {
    auto v = nums(rest);
    if (v.size() == 3 && v[0] >= 1 && v[1] >= 1 && v[2] >= 1 && v[0] <= 2000 && v[1] <= 256 &&
        v[2] <= 256) {
      return LeafSpine(v[0], v[1], v[2]);
    }
  } else if (text::Consume(&rest, "fattree:")) {
    auto v = nums(rest);
    if (v.size() == 1 && v[0] >= 4 && v[0] <= 64 && v[0] % 2 == 0) return FatTree(v[0]);
  }
  return Status::Usage(fmt::format("unknown topology shape \"{}\": expected seed, homelab:N "
                                   "(2..100), leafspine:LEAVES,SPINES,HOSTS or fattree:K (even, "
                                   "4..64)", EscapeForMessage(shape)));
}

}  // namespace kiriwake::model
