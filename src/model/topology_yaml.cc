// The YAML adapter for model/topology.h: the only file that touches yaml-cpp. Every yaml-cpp
// exception is caught here and becomes a Status at the node's position (yaml-cpp's Mark is
// 0-based; we add 1).
#include <cctype>
#include <initializer_list>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "ingest/line_reader.h"
#include "model/topology.h"
#include "util/text.h"

namespace kiriwake::model {
namespace {

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  SourceLoc Loc(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return SourceLoc{source_, 0, 0};
    return SourceLoc{source_, m.line + 1, m.column + 1};
  }
  Status Bad(const YAML::Node& n, std::string_view expected) const {
    std::string seen;
    if (n.IsScalar()) {
      seen = n.Scalar();
    } else if (n.IsSequence()) {
      seen = "a list";
    } else if (n.IsMap()) {
      seen = "a mapping";
    } else {
      seen = "nothing";
    }
    return Status::Malformed(Loc(n), expected, seen);
  }
  Status Keys(const YAML::Node& map, std::string_view what,
              std::initializer_list<std::string_view> allowed) const {
    std::vector<std::pair<std::string, YAML::Mark>> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) return Bad(it->first, "a key");
      const std::string& k = it->first.Scalar();
      // yaml-cpp keeps both and `map[k]` reads the first: the second would be dropped unseen.
      KW_RETURN_IF_ERROR(Once(seen, it->first, what));
      bool ok = false;
      for (auto a : allowed) ok = ok || a == k;
      if (!ok) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Status::At(StatusCode::kMalformed, Loc(it->first),
                          fmt::format("unknown key \"{}\" in {}; expected one of: {}",
                                      EscapeForMessage(k), what, list));
      }
    }
    return Status::Ok();
  }
  Result<std::string> Str(const YAML::Node& map, const char* key, bool required,
                          const YAML::Node& parent_for_loc) const {
    YAML::Node n = map[key];
    if (!n) {
      if (required) {
        return Status::At(StatusCode::kMalformed, Loc(parent_for_loc),
                          fmt::format("missing `{}:`", key));
      }
      return std::string();
    }
    if (!n.IsScalar()) return Bad(n, fmt::format("a string for `{}`", key));
    return n.Scalar();
  }
  // A key met for the second time in one mapping is an error naming both places.
  Status Once(std::vector<std::pair<std::string, YAML::Mark>>& seen, const YAML::Node& key,
              std::string_view what) const {
    for (const auto& [k, mark] : seen) {
      if (k == key.Scalar()) {
        return Status::At(StatusCode::kMalformed, Loc(key),
                          fmt::format("key \"{}\" given twice in {} (first at line {}, column {})",
                                      EscapeForMessage(k), what, mark.line + 1, mark.column + 1));
      }
    }
    seen.emplace_back(key.Scalar(), key.Mark());
    return Status::Ok();
  }
  Result<std::vector<AddressSpec>> Addresses(const YAML::Node& n) const {
    std::vector<AddressSpec> out;
    if (!n) return out;
    if (!n.IsMap()) return Bad(n, "`addresses: {NETWORK: ADDRESS, ...}`");
    std::vector<std::pair<std::string, YAML::Mark>> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) return Bad(it->first, "a network name");
      KW_RETURN_IF_ERROR(Once(seen, it->first, "`addresses:`"));
      if (!it->second.IsScalar()) return Bad(it->second, "an address");
      out.push_back({it->first.Scalar(), it->second.Scalar(), Loc(it->second)});
    }
    return out;
  }
  Result<std::optional<double>> Number(const YAML::Node& map, const char* key, double lo,
                                       double hi) const {
    YAML::Node n = map[key];
    if (!n) return std::optional<double>();
    auto v = n.IsScalar() ? text::ParseDouble(n.Scalar()) : std::nullopt;
    if (!v || !(*v >= lo && *v <= hi)) {
      return Bad(n, fmt::format("a number in [{}, {}] for `{}`", lo, hi, key));
    }
    return std::optional<double>(*v);
  }
  Result<PortRefSpec> PortRef(const YAML::Node& map, const char* key,
                              const YAML::Node& parent) const {
    YAML::Node n = map[key];
    if (!n) {
      return Status::At(StatusCode::kMalformed, Loc(parent),
                        fmt::format("cable needs `{}: NODE:PORT`", key));
    }
    if (!n.IsScalar()) return Bad(n, "NODE:PORT");
    const std::string& s = n.Scalar();
    size_t colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) {
      return Bad(n, "NODE:PORT (like esxi2:vmnic2 or allied:2)");
    }
    return PortRefSpec{s.substr(0, colon), s.substr(colon + 1), Loc(n)};
  }

  Result<TopologySpec> Read(const YAML::Node& root) const {
    TopologySpec spec;
    spec.source_name = source_;
    if (!root || root.IsNull()) {
      return Status::At(StatusCode::kMalformed, SourceLoc{source_, 1, 1},
                        "empty topology: expected `hosts:`, `switches:`, `cables:`, `networks:`");
    }
    if (!root.IsMap()) return Bad(root, "a mapping with hosts:, switches:, cables:, networks:");
    KW_RETURN_IF_ERROR(
        Keys(root, "the topology", {"hosts", "switches", "cables", "networks", "vms"}));
    auto list = [&](const char* key) -> Result<YAML::Node> {
      YAML::Node n = root[key];
      if (!n || n.IsNull()) return YAML::Node(YAML::NodeType::Sequence);
      if (!n.IsSequence()) return Bad(n, fmt::format("a list under `{}:`", key));
      return n;
    };
    KW_ASSIGN_OR_RETURN(YAML::Node hosts, list("hosts"));
    for (const YAML::Node& h : hosts) {
      if (!h.IsMap()) return Bad(h, "a host mapping {name:, addresses:, nics:}");
      KW_RETURN_IF_ERROR(Keys(h, "a host", {"name", "addresses", "nics", "port_speed_gbps"}));
      HostSpec hs;
      hs.loc = Loc(h);
      KW_ASSIGN_OR_RETURN(hs.name, Str(h, "name", true, h));
      KW_ASSIGN_OR_RETURN(hs.addresses, Addresses(h["addresses"]));
      KW_ASSIGN_OR_RETURN(hs.port_speed_gbps, Number(h, "port_speed_gbps", 0, 1e6));
      YAML::Node nics = h["nics"];
      if (nics && !nics.IsNull()) {
        if (!nics.IsSequence()) return Bad(nics, "a list of NICs under `nics:`");
        for (const YAML::Node& nic : nics) {
          if (!nic.IsMap()) return Bad(nic, "a NIC {name:, driver:, ports: [...]}");
          KW_RETURN_IF_ERROR(Keys(nic, "a NIC", {"name", "driver", "ports", "speed_gbps"}));
          NicSpec ns;
          ns.loc = Loc(nic);
          KW_ASSIGN_OR_RETURN(ns.name, Str(nic, "name", true, nic));
          KW_ASSIGN_OR_RETURN(ns.driver, Str(nic, "driver", false, nic));
          KW_ASSIGN_OR_RETURN(auto speed, Number(nic, "speed_gbps", 0, 1e6));
          (void)speed;
          YAML::Node ports = nic["ports"];
          if (!ports || !ports.IsSequence()) {
            return ports ? Bad(ports, "a list of port names")
                         : Status::At(StatusCode::kMalformed, Loc(nic), "NIC needs `ports: [...]`");
          }
          for (const YAML::Node& p : ports) {
            if (!p.IsScalar()) return Bad(p, "a port name");
            ns.ports.push_back(p.Scalar());
            ns.port_locs.push_back(Loc(p));
          }
          hs.nics.push_back(std::move(ns));
        }
      }
      spec.hosts.push_back(std::move(hs));
    }
    KW_ASSIGN_OR_RETURN(YAML::Node switches, list("switches"));
    for (const YAML::Node& s : switches) {
      if (!s.IsMap()) return Bad(s, "a switch {name:, ports: N}");
      KW_RETURN_IF_ERROR(Keys(s, "a switch", {"name", "ports", "speed_gbps"}));
      SwitchSpec ss;
      ss.loc = Loc(s);
      KW_ASSIGN_OR_RETURN(ss.name, Str(s, "name", true, s));
      YAML::Node p = s["ports"];
      auto n = p && p.IsScalar() ? text::ParseUint(p.Scalar()) : std::nullopt;
      if (!n || *n == 0 || *n > 100000) {
        return p ? Bad(p, "a port count (1..100000)")
                 : Status::At(StatusCode::kMalformed, ss.loc, "switch needs `ports: N`");
      }
      ss.ports = static_cast<int>(*n);
      spec.switches.push_back(std::move(ss));
    }
    KW_ASSIGN_OR_RETURN(YAML::Node cables, list("cables"));
    for (const YAML::Node& c : cables) {
      if (!c.IsMap()) return Bad(c, "a cable {name:, a:, b:, medium:}");
      KW_RETURN_IF_ERROR(Keys(c, "a cable", {"name", "a", "b", "medium", "prior"}));
      CableSpec cs;
      cs.loc = Loc(c);
      KW_ASSIGN_OR_RETURN(cs.name, Str(c, "name", true, c));
      KW_ASSIGN_OR_RETURN(cs.a, PortRef(c, "a", c));
      KW_ASSIGN_OR_RETURN(cs.b, PortRef(c, "b", c));
      KW_ASSIGN_OR_RETURN(cs.medium, Str(c, "medium", false, c));
      KW_ASSIGN_OR_RETURN(cs.prior, Number(c, "prior", 1e-9, 0.5));
      spec.cables.push_back(std::move(cs));
    }
    KW_ASSIGN_OR_RETURN(YAML::Node networks, list("networks"));
    for (const YAML::Node& n : networks) {
      if (!n.IsMap()) return Bad(n, "a network {name:, uplinks: {HOST: PORT}}");
      KW_RETURN_IF_ERROR(Keys(n, "a network", {"name", "uplinks", "vlan"}));
      NetworkSpec ns;
      ns.loc = Loc(n);
      KW_ASSIGN_OR_RETURN(ns.name, Str(n, "name", true, n));
      YAML::Node up = n["uplinks"];
      if (up && !up.IsNull()) {
        if (!up.IsMap()) return Bad(up, "`uplinks: {HOST: PORT or [PORTS], ...}`");
        for (auto it = up.begin(); it != up.end(); ++it) {
          if (!it->first.IsScalar()) return Bad(it->first, "a host name");
          UplinkSpec us;
          us.host = it->first.Scalar();
          // A named copy: it->second lives in the iterator's temporary proxy (yaml-cpp), and a
          // range-for over it would outlive it (found by fuzz/topology_fuzz).
          const YAML::Node value = it->second;
          us.loc = Loc(value);
          if (value.IsScalar()) {
            us.ports.push_back(value.Scalar());
          } else if (value.IsSequence()) {
            for (const YAML::Node& p : value) {
              if (!p.IsScalar()) return Bad(p, "a port name");
              us.ports.push_back(p.Scalar());
            }
          } else {
            return Bad(value, "a port name or a list of them");
          }
          ns.uplinks.push_back(std::move(us));
        }
      }
      spec.networks.push_back(std::move(ns));
    }
    KW_ASSIGN_OR_RETURN(YAML::Node vms, list("vms"));
    for (const YAML::Node& v : vms) {
      if (!v.IsMap()) return Bad(v, "a VM {name:, on:, addresses:}");
      KW_RETURN_IF_ERROR(Keys(v, "a VM", {"name", "on", "addresses", "osds"}));
      VmSpec vs;
      vs.loc = Loc(v);
      KW_ASSIGN_OR_RETURN(vs.name, Str(v, "name", true, v));
      KW_ASSIGN_OR_RETURN(vs.on, Str(v, "on", true, v));
      vs.on_loc = Loc(v["on"]);
      KW_ASSIGN_OR_RETURN(vs.addresses, Addresses(v["addresses"]));
      YAML::Node osds = v["osds"];
      if (osds) {
        if (!osds.IsSequence()) return Bad(osds, "a list of OSD ids");
        for (const YAML::Node& o : osds) {
          auto id = o.IsScalar() ? text::ParseUint(o.Scalar()) : std::nullopt;
          if (!id || *id > 1000000) return Bad(o, "an OSD id");
          vs.osds.push_back(static_cast<int>(*id));
        }
      }
      spec.vms.push_back(std::move(vs));
    }
    return spec;
  }

 private:
  std::string source_;
};

}  // namespace

Result<TopologySpec> ParseTopologySpec(std::string_view yaml, std::string_view source_name) {
  Reader reader{std::string(source_name)};
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    return reader.Read(root);
  } catch (const YAML::Exception& e) {
    SourceLoc loc{std::string(source_name), 0, 0};
    if (!e.mark.is_null()) {
      loc.line = e.mark.line + 1;
      loc.column = e.mark.column + 1;
    }
    return Status::At(StatusCode::kMalformed, loc, fmt::format("YAML: {}", e.msg));
  } catch (const std::exception& e) {
    return Status::At(StatusCode::kMalformed, SourceLoc{std::string(source_name), 0, 0},
                      fmt::format("YAML: {}", e.what()));
  }
}

Result<Topology> ParseTopology(std::string_view yaml, std::string_view source_name) {
  KW_ASSIGN_OR_RETURN(TopologySpec spec, ParseTopologySpec(yaml, source_name));
  return Topology::Build(std::move(spec));
}

Result<Topology> LoadTopology(const std::string& path) {
  KW_ASSIGN_OR_RETURN(std::string text, ingest::ReadTextFile(path, "a topology YAML file"));
  return ParseTopology(text, path);
}

namespace {

std::string Q(std::string_view s) {
  // Quote when YAML could misread the scalar (colons, leading specials, empty).
  bool plain = !s.empty();
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
          c == '/')) {
      plain = false;
    }
  }
  if (plain) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string TopologySpecToYaml(const TopologySpec& spec) {
  std::string out;
  out += "hosts:\n";
  for (const HostSpec& h : spec.hosts) {
    out += fmt::format("  - name: {}\n", Q(h.name));
    if (!h.addresses.empty()) {
      out += "    addresses: {";
      for (size_t i = 0; i < h.addresses.size(); ++i) {
        out += fmt::format("{}{}: {}", i ? ", " : "", Q(h.addresses[i].network),
                           Q(h.addresses[i].address));
      }
      out += "}\n";
    }
    out += "    nics:\n";
    for (const NicSpec& n : h.nics) {
      out += fmt::format("      - {{name: {}, driver: {}, ports: [", Q(n.name), Q(n.driver));
      for (size_t i = 0; i < n.ports.size(); ++i) out += (i ? ", " : "") + Q(n.ports[i]);
      out += "]}\n";
    }
  }
  out += "switches:\n";
  for (const SwitchSpec& s : spec.switches) {
    out += fmt::format("  - {{name: {}, ports: {}}}\n", Q(s.name), s.ports);
  }
  out += "cables:\n";
  for (const CableSpec& c : spec.cables) {
    out += fmt::format("  - {{name: {}, a: {}, b: {}", Q(c.name), Q(c.a.node + ":" + c.a.port),
                       Q(c.b.node + ":" + c.b.port));
    if (!c.medium.empty()) out += fmt::format(", medium: {}", Q(c.medium));
    if (c.prior) out += fmt::format(", prior: {}", *c.prior);
    out += "}\n";
  }
  out += "networks:\n";
  for (const NetworkSpec& n : spec.networks) {
    out += fmt::format("  - name: {}\n    uplinks:\n", Q(n.name));
    for (const UplinkSpec& u : n.uplinks) {
      if (u.ports.size() == 1) {
        out += fmt::format("      {}: {}\n", Q(u.host), Q(u.ports[0]));
      } else {
        out += fmt::format("      {}: [", Q(u.host));
        for (size_t i = 0; i < u.ports.size(); ++i) out += (i ? ", " : "") + Q(u.ports[i]);
        out += "]\n";
      }
    }
  }
  if (!spec.vms.empty()) {
    out += "vms:\n";
    for (const VmSpec& v : spec.vms) {
      out += fmt::format("  - {{name: {}, on: {}", Q(v.name), Q(v.on));
      if (!v.addresses.empty()) {
        out += ", addresses: {";
        for (size_t i = 0; i < v.addresses.size(); ++i) {
          out += fmt::format("{}{}: {}", i ? ", " : "", Q(v.addresses[i].network),
                             Q(v.addresses[i].address));
        }
        out += "}";
      }
      if (!v.osds.empty()) {
        out += ", osds: [";
        for (size_t i = 0; i < v.osds.size(); ++i) {
          out += fmt::format("{}{}", i ? ", " : "", v.osds[i]);
        }
        out += "]";
      }
      out += "}\n";
    }
  }
  return out;
}

}  // namespace kiriwake::model
