#include "model/topology.h"

#include <algorithm>
#include <unordered_set>

#include <arpa/inet.h>
#include <fmt/format.h>

#include "util/terminal_safe.h"
#include "util/text.h"

namespace kiriwake::model {

std::string_view ComponentKindName(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kHost: return "host";
    case ComponentKind::kVm: return "vm";
    case ComponentKind::kVswitch: return "vswitch";
    case ComponentKind::kCard: return "card";
    case ComponentKind::kDriver: return "driver";
    case ComponentKind::kHostPort: return "host_port";
    case ComponentKind::kSwitchPort: return "switch_port";
    case ComponentKind::kSwitch: return "switch";
    case ComponentKind::kCable: return "cable";
  }
  return "unknown";
}

ComponentId Topology::AddComponent(std::string id, ComponentKind kind) {
  ComponentId idx = static_cast<ComponentId>(components_.size());
  component_index_.emplace(id, idx);
  components_.push_back(Component{std::move(id), kind, {}, std::nullopt});
  return idx;
}

std::optional<ComponentId> Topology::FindComponent(std::string_view id) const {
  auto it = component_index_.find(std::string(id));
  if (it == component_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<int32_t> Topology::FindNetwork(std::string_view name) const {
  auto it = network_index_.find(std::string(name));
  if (it == network_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<Endpoint> Topology::FindEndpoint(std::string_view name) const {
  auto it = endpoint_index_.find(std::string(name));
  if (it == endpoint_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> CanonicalIp(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  unsigned char bytes[sizeof(in6_addr)];
  char out[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, s.c_str(), bytes) == 1 &&
        inet_ntop(family, bytes, out, sizeof out) != nullptr) {
      return std::string(out);
    }
  }
  return std::nullopt;
}

std::optional<std::pair<Endpoint, int32_t>> Topology::FindAddress(std::string_view address) const {
  auto canonical = CanonicalIp(address);
  if (!canonical) return std::nullopt;
  auto it = address_index_.find(*canonical);
  if (it == address_index_.end()) return std::nullopt;
  return it->second;
}

const std::string& Topology::EndpointName(Endpoint e) const {
  return e.kind == Endpoint::Kind::kHost ? hosts_[e.index].name : vms_[e.index].name;
}

int32_t Topology::EndpointHost(Endpoint e) const {
  return e.kind == Endpoint::Kind::kHost ? e.index : vms_[e.index].host;
}

std::string_view Topology::EndpointAddress(Endpoint e, int32_t net) const {
  const auto& addrs =
      e.kind == Endpoint::Kind::kHost ? hosts_[e.index].addresses : vms_[e.index].addresses;
  for (const auto& [n, a] : addrs) {
    if (n == networks_[net].name) return a;
  }
  return {};
}

const std::vector<int32_t>* Topology::Uplinks(int32_t host, int32_t net) const {
  if (net < 0 || static_cast<size_t>(net) >= uplink_index_.size()) return nullptr;
  int32_t pos = uplink_index_[net][host];
  if (pos < 0) return nullptr;
  return &networks_[net].uplinks[pos].second;
}

bool Topology::SwitchPortInUse(int32_t sw, int port_number) const {
  return component_index_.count(fmt::format("{}:{}", switches_[sw].name, port_number)) > 0;
}

namespace {

Status Err(const SourceLoc& loc, std::string msg) {
  return Status::At(StatusCode::kMalformed, loc, std::move(msg));
}

}  // namespace

Result<Topology> Topology::Build(TopologySpec spec) {
  Topology t;
  t.source_name_ = spec.source_name;
  size_t estimate = spec.hosts.size() * 6 + spec.switches.size() + spec.cables.size() * 3 +
                    spec.vms.size();
  t.components_.reserve(estimate);
  t.component_index_.reserve(estimate);

  // Names reach JSON, HTML and Prometheus labels, which all need UTF-8, and the terminal, where
  // a control character would be escaped on output: such a name would read differently in each.
  auto utf8 = [](const std::string& name, const SourceLoc& loc, std::string_view what) {
    if (!text::IsValidUtf8(name)) {
      return Err(loc,
                 fmt::format("{} name \"{}\" is not valid UTF-8", what, EscapeForMessage(name)));
    }
    if (text::NeedsTerminalEscape(name)) {
      return Err(
          loc, fmt::format("{} name \"{}\" contains a control character (or a bidi override)", what,
                           EscapeForMessage(name)));
    }
    return Status::Ok();
  };
  // Names share one namespace: an id in the output must mean one thing.
  std::unordered_map<std::string, SourceLoc> names;
  auto claim = [&](const std::string& name, const SourceLoc& loc,
                   std::string_view what) -> Status {
    if (name.empty()) return Err(loc, fmt::format("{} without a name", what));
    KW_RETURN_IF_ERROR(utf8(name, loc, what));
    if (name.find(':') != std::string::npos || name.find('/') != std::string::npos) {
      return Err(loc, fmt::format("{} name \"{}\" must not contain ':' or '/' (they separate "
                                  "component ids)", what, EscapeForMessage(name)));
    }
    auto [it, fresh] = names.emplace(name, loc);
    if (!fresh) {
      return Err(loc, fmt::format("duplicate name \"{}\" ({} already defined at {})",
                                  EscapeForMessage(name), what, it->second.ToString()));
    }
    return Status::Ok();
  };

  // Hosts, cards, drivers, ports.
  std::unordered_map<std::string, int32_t> host_index;
  host_index.reserve(spec.hosts.size());
  for (const HostSpec& hs : spec.hosts) {
    KW_RETURN_IF_ERROR(claim(hs.name, hs.loc, "host"));
    Host h;
    h.name = hs.name;
    h.component = t.AddComponent(hs.name, ComponentKind::kHost);
    std::unordered_set<std::string> port_names;
    for (const NicSpec& nic : hs.nics) {
      if (nic.name.empty()) return Err(nic.loc, "NIC without a name");
      KW_RETURN_IF_ERROR(utf8(nic.name, nic.loc, "NIC"));
      KW_RETURN_IF_ERROR(utf8(nic.driver, nic.loc, "driver"));
      // A card's id is HOST/NAME beside HOST/vswitch and HOST/driver:NAME: a NIC called
      // "vswitch" or "driver:x" would be another component's id.
      if (nic.name.find_first_of(":/") != std::string::npos || nic.name == "vswitch") {
        return Err(nic.loc, fmt::format("NIC name \"{}\" must not contain ':' or '/' nor be "
                                        "\"vswitch\" (they make other components' ids)",
                                        EscapeForMessage(nic.name)));
      }
      if (nic.driver.find_first_of(":/") != std::string::npos) {
        return Err(nic.loc, fmt::format("driver name \"{}\" must not contain ':' or '/'",
                                        EscapeForMessage(nic.driver)));
      }
      std::string card_id = fmt::format("{}/{}", hs.name, nic.name);
      if (t.component_index_.count(card_id)) {
        return Err(nic.loc, fmt::format("duplicate NIC \"{}\" on host {}", nic.name, hs.name));
      }
      ComponentId card = t.AddComponent(card_id, ComponentKind::kCard);
      ComponentId driver = kNoComponent;
      if (!nic.driver.empty()) {
        std::string driver_id = fmt::format("{}/driver:{}", hs.name, nic.driver);
        auto found = t.FindComponent(driver_id);
        driver = found ? *found : t.AddComponent(driver_id, ComponentKind::kDriver);
      }
      for (size_t i = 0; i < nic.ports.size(); ++i) {
        const std::string& pn = nic.ports[i];
        const SourceLoc& ploc = i < nic.port_locs.size() ? nic.port_locs[i] : nic.loc;
        if (pn.empty()) return Err(ploc, "empty port name");
        KW_RETURN_IF_ERROR(utf8(pn, ploc, "port"));
        if (!port_names.insert(pn).second) {
          return Err(ploc, fmt::format("duplicate port \"{}\" on host {}", pn, hs.name));
        }
        HostPort p;
        p.name = pn;
        p.port = t.AddComponent(fmt::format("{}:{}", hs.name, pn), ComponentKind::kHostPort);
        p.card = card;
        p.driver = driver;
        h.ports.push_back(std::move(p));
      }
    }
    host_index.emplace(hs.name, static_cast<int32_t>(t.hosts_.size()));
    t.hosts_.push_back(std::move(h));
  }

  std::unordered_map<std::string, int32_t> switch_index;
  for (const SwitchSpec& ss : spec.switches) {
    KW_RETURN_IF_ERROR(claim(ss.name, ss.loc, "switch"));
    if (ss.ports <= 0) return Err(ss.loc, fmt::format("switch {} needs ports: N > 0", ss.name));
    Switch s;
    s.name = ss.name;
    s.ports = ss.ports;
    s.component = t.AddComponent(ss.name, ComponentKind::kSwitch);
    switch_index.emplace(ss.name, static_cast<int32_t>(t.switches_.size()));
    t.switches_.push_back(std::move(s));
  }

  // VMs: need hosts first (vswitch components are created for hosts that carry VMs).
  std::unordered_map<std::string, int32_t> vm_index;
  for (const VmSpec& vs : spec.vms) {
    KW_RETURN_IF_ERROR(claim(vs.name, vs.loc, "VM"));
    auto hit = host_index.find(vs.on);
    if (hit == host_index.end()) {
      return Err(vs.on.empty() ? vs.loc : vs.on_loc,
                 vs.on.empty() ? fmt::format("VM {} needs `on: HOST`", vs.name)
                               : fmt::format("VM {} is on unknown host \"{}\"", vs.name,
                                             EscapeForMessage(vs.on)));
    }
    Host& h = t.hosts_[hit->second];
    if (h.vswitch == kNoComponent) {
      h.vswitch = t.AddComponent(h.name + "/vswitch", ComponentKind::kVswitch);
    }
    Vm v;
    v.name = vs.name;
    v.host = hit->second;
    v.osds = vs.osds;
    v.component = t.AddComponent(vs.name, ComponentKind::kVm);
    vm_index.emplace(vs.name, static_cast<int32_t>(t.vms_.size()));
    t.vms_.push_back(std::move(v));
  }

  // Cables.
  auto find_host_port = [&](int32_t h, std::string_view port) -> int32_t {
    const auto& ports = t.hosts_[h].ports;
    for (size_t i = 0; i < ports.size(); ++i) {
      if (ports[i].name == port) return static_cast<int32_t>(i);
    }
    return -1;
  };
  struct End {
    bool is_switch = false;
    int32_t node = -1;
    int32_t host_port = -1;  // hosts
    ComponentId port = kNoComponent;
  };
  for (const CableSpec& cs : spec.cables) {
    KW_RETURN_IF_ERROR(claim(cs.name, cs.loc, "cable"));
    ComponentId cable = t.AddComponent(cs.name, ComponentKind::kCable);
    t.components_[cable].medium = cs.medium;
    t.components_[cable].prior = cs.prior;
    auto resolve = [&](const PortRefSpec& r) -> Result<End> {
      const SourceLoc& loc = r.loc.file.empty() ? cs.loc : r.loc;
      if (r.node.empty() || r.port.empty()) {
        return Err(loc, fmt::format("cable {}: expected NODE:PORT, saw \"{}:{}\"", cs.name,
                                    EscapeForMessage(r.node), EscapeForMessage(r.port)));
      }
      End e;
      if (auto h = host_index.find(r.node); h != host_index.end()) {
        e.node = h->second;
        e.host_port = find_host_port(e.node, r.port);
        if (e.host_port < 0) {
          return Err(loc, fmt::format("cable {}: host {} has no port \"{}\"", cs.name, r.node,
                                      EscapeForMessage(r.port)));
        }
        HostPort& hp = t.hosts_[e.node].ports[e.host_port];
        if (hp.cable != kNoComponent) {
          return Err(loc, fmt::format("cable {}: port {}:{} already has cable {}", cs.name,
                                      r.node, r.port, t.components_[hp.cable].id));
        }
        e.port = hp.port;
        return e;
      }
      if (auto s = switch_index.find(r.node); s != switch_index.end()) {
        e.is_switch = true;
        e.node = s->second;
        auto n = text::ParseUint(r.port);
        if (!n || *n < 1 || *n > static_cast<uint64_t>(t.switches_[e.node].ports)) {
          return Err(loc, fmt::format("cable {}: switch {} has ports 1..{}, not \"{}\"", cs.name,
                                      r.node, t.switches_[e.node].ports,
                                      EscapeForMessage(r.port)));
        }
        std::string pid = fmt::format("{}:{}", r.node, *n);
        if (auto used = t.FindComponent(pid)) {
          return Err(loc, fmt::format("cable {}: port {} is already in use", cs.name, pid));
        }
        e.port = t.AddComponent(pid, ComponentKind::kSwitchPort);
        return e;
      }
      return Err(loc, fmt::format("cable {} goes to nowhere: no host or switch named \"{}\"",
                                  cs.name, EscapeForMessage(r.node)));
    };
    KW_ASSIGN_OR_RETURN(End a, resolve(cs.a));
    // A second reference to the same port must be caught before b claims it.
    KW_ASSIGN_OR_RETURN(End b, resolve(cs.b));
    if (!a.is_switch && !b.is_switch) {
      return Err(cs.loc, fmt::format("cable {} joins two hosts; one end must be a switch port "
                                     "(direct host-to-host links are not modelled yet)", cs.name));
    }
    if (a.is_switch && b.is_switch) {
      if (a.node == b.node) {
        return Err(cs.loc, fmt::format("cable {} loops back into switch {}", cs.name,
                                       t.switches_[a.node].name));
      }
      t.switches_[a.node].links.push_back({b.node, cable, a.port, b.port});
      t.switches_[b.node].links.push_back({a.node, cable, b.port, a.port});
    } else {
      const End& h = a.is_switch ? b : a;
      const End& s = a.is_switch ? a : b;
      HostPort& hp = t.hosts_[h.node].ports[h.host_port];
      hp.cable = cable;
      hp.peer_switch = s.node;
      hp.peer_port = s.port;
    }
  }

  // Networks and uplinks.
  std::unordered_set<std::string> network_names;
  for (const NetworkSpec& ns : spec.networks) {
    if (ns.name.empty()) return Err(ns.loc, "network without a name");
    KW_RETURN_IF_ERROR(utf8(ns.name, ns.loc, "network"));
    if (!network_names.insert(ns.name).second) {
      return Err(ns.loc, fmt::format("duplicate network \"{}\"", EscapeForMessage(ns.name)));
    }
    int32_t net = static_cast<int32_t>(t.networks_.size());
    Network n;
    n.name = ns.name;
    std::vector<int32_t> index(t.hosts_.size(), -1);
    for (const UplinkSpec& us : ns.uplinks) {
      auto hit = host_index.find(us.host);
      if (hit == host_index.end()) {
        return Err(us.loc, fmt::format("network {}: uplink for unknown host \"{}\"", ns.name,
                                       EscapeForMessage(us.host)));
      }
      if (index[hit->second] >= 0) {
        return Err(us.loc, fmt::format("network {}: two uplink entries for host {}", ns.name,
                                       us.host));
      }
      if (us.ports.empty()) {
        return Err(us.loc, fmt::format("network {}: host {} has an empty uplink list", ns.name,
                                       us.host));
      }
      std::vector<int32_t> ports;
      for (const std::string& p : us.ports) {
        int32_t pi = find_host_port(hit->second, p);
        if (pi < 0) {
          return Err(us.loc, fmt::format("network {}: host {} has no port \"{}\"", ns.name,
                                         us.host, EscapeForMessage(p)));
        }
        if (t.hosts_[hit->second].ports[pi].cable == kNoComponent) {
          return Err(us.loc, fmt::format("network {}: uplink {}:{} has no cable to a switch",
                                         ns.name, us.host, p));
        }
        if (std::find(ports.begin(), ports.end(), pi) != ports.end()) {
          // A repeat would weigh that port twice among the team's equally likely choices.
          return Err(us.loc, fmt::format("network {}: port {} is listed twice in host {}'s uplinks",
                                         ns.name, p, us.host));
        }
        ports.push_back(pi);
      }
      index[hit->second] = static_cast<int32_t>(n.uplinks.size());
      n.uplinks.emplace_back(hit->second, std::move(ports));
    }
    t.network_index_.emplace(ns.name, net);
    t.networks_.push_back(std::move(n));
    t.uplink_index_.push_back(std::move(index));
  }

  // Addresses: each on one endpoint, each on a known network the host has an uplink for.
  std::unordered_map<std::string, SourceLoc> address_locs;
  auto add_addresses = [&](const std::vector<AddressSpec>& addrs, Endpoint e, int32_t host,
                           std::vector<std::pair<std::string, std::string>>* out) -> Status {
    for (const AddressSpec& as : addrs) {
      auto net = t.FindNetwork(as.network);
      if (!net) {
        return Err(as.loc, fmt::format("address {} is on unknown network \"{}\"",
                                       EscapeForMessage(as.address),
                                       EscapeForMessage(as.network)));
      }
      if (as.address.empty()) return Err(as.loc, "empty address");
      auto canonical = CanonicalIp(as.address);
      if (!canonical) {
        return Err(as.loc, fmt::format("expected an IPv4 or IPv6 address on network {}, saw \"{}\"",
                                       as.network, EscapeForMessage(as.address)));
      }
      auto [it, fresh] = address_locs.emplace(*canonical, as.loc);
      if (!fresh) {
        auto prev = t.address_index_.find(*canonical);
        const Endpoint& was = prev->second.first;
        if (was.kind == e.kind && was.index == e.index) {
          return Err(as.loc, fmt::format("address {} is given twice for {}: on network {} (at {}) "
                                         "and on network {}",
                                         as.address, t.EndpointName(e),
                                         t.networks_[prev->second.second].name,
                                         it->second.ToString(), as.network));
        }
        return Err(as.loc,
                   fmt::format("address {} is on two endpoints: {} (at {}) and {}", as.address,
                               t.EndpointName(was), it->second.ToString(), t.EndpointName(e)));
      }
      if (t.uplink_index_[*net][host] < 0) {
        return Err(as.loc, fmt::format("{} has an address on network {}, but network {} has no "
                                       "uplink for host {}", t.EndpointName(e), as.network,
                                       as.network, t.hosts_[host].name));
      }
      t.address_index_.emplace(*canonical, std::make_pair(e, *net));
      out->emplace_back(as.network, *canonical);
    }
    return Status::Ok();
  };
  for (size_t i = 0; i < spec.hosts.size(); ++i) {
    Endpoint e{Endpoint::Kind::kHost, static_cast<int32_t>(i)};
    t.endpoint_index_.emplace(t.hosts_[i].name, e);
    KW_RETURN_IF_ERROR(add_addresses(spec.hosts[i].addresses, e, static_cast<int32_t>(i),
                                     &t.hosts_[i].addresses));
  }
  for (size_t i = 0; i < spec.vms.size(); ++i) {
    Endpoint e{Endpoint::Kind::kVm, static_cast<int32_t>(i)};
    t.endpoint_index_.emplace(t.vms_[i].name, e);
    KW_RETURN_IF_ERROR(
        add_addresses(spec.vms[i].addresses, e, t.vms_[i].host, &t.vms_[i].addresses));
  }
  return t;
}

}  // namespace kiriwake::model
