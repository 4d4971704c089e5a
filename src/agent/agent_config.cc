#include "agent/agent_config.h"

#include "model/topology.h"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace kiriwake::agent {

namespace {

constexpr uint16_t kDefaultProbePort = 8623;

SourceLoc Loc(std::string_view file, const YAML::Node& n) {
  YAML::Mark m = n.Mark();
  // yaml-cpp marks are 0-based; -1 when unknown.
  return SourceLoc{std::string(file), m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0};
}

Status Bad(std::string_view file, const YAML::Node& n, std::string msg) {
  return Status::At(StatusCode::kMalformed, Loc(file, n), std::move(msg));
}

Status CheckKeys(std::string_view file, const YAML::Node& map,
                 std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    bool ok = false;
    for (auto a : allowed) ok |= key == a;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Bad(file, kv.first, fmt::format("unknown key '{}' (expected one of: {})", key, list));
    }
  }
  return Status::Ok();
}

Result<std::string> Str(std::string_view file, const YAML::Node& n) {
  if (!n.IsScalar()) return Bad(file, n, "expected a string");
  return n.Scalar();
}

Result<double> Num(std::string_view file, const YAML::Node& n, double min, double max) {
  if (!n.IsScalar()) return Bad(file, n, "expected a number");
  double v = 0;
  if (!YAML::convert<double>::decode(n, v) || !(v >= min && v <= max)) {
    return Bad(file, n, fmt::format("expected a number in [{}, {}], saw \"{}\"", min, max,
                                    EscapeForMessage(n.Scalar())));
  }
  return v;
}

Result<AgentConfig> Parse(const YAML::Node& root, std::string_view file) {
  AgentConfig c;
  if (root.IsNull()) return Bad(file, root, "the file is empty; expected a mapping with peers");
  if (!root.IsMap()) return Bad(file, root, "expected a mapping at the top level");
  KW_RETURN_IF_ERROR(CheckKeys(file, root,
                               {"name", "listen", "http", "db", "key_file", "interval_ms",
                                "timeout_ms", "aggregate_seconds", "retention", "max_rate_pps",
                                "networks", "peers"}));
  if (root["name"]) { KW_ASSIGN_OR_RETURN(c.name, Str(file, root["name"])); }
  if (root["listen"]) { KW_ASSIGN_OR_RETURN(c.listen, Str(file, root["listen"])); }
  if (root["http"]) { KW_ASSIGN_OR_RETURN(c.http, Str(file, root["http"])); }
  if (root["db"]) { KW_ASSIGN_OR_RETURN(c.db, Str(file, root["db"])); }
  if (root["key_file"]) { KW_ASSIGN_OR_RETURN(c.key_file, Str(file, root["key_file"])); }
  // 10 ms is the fastest an agent may probe one peer (100/s): faster is a load test, not a mesh.
  if (root["interval_ms"]) { KW_ASSIGN_OR_RETURN(c.interval_ms, Num(file, root["interval_ms"], 10, 3'600'000)); }
  if (root["timeout_ms"]) { KW_ASSIGN_OR_RETURN(c.timeout_ms, Num(file, root["timeout_ms"], 1, 60'000)); }
  if (root["aggregate_seconds"]) {
    KW_ASSIGN_OR_RETURN(c.aggregate_seconds, Num(file, root["aggregate_seconds"], 1, 86'400));
  }
  if (root["max_rate_pps"]) { KW_ASSIGN_OR_RETURN(c.max_rate_pps, Num(file, root["max_rate_pps"], 1, 1e7)); }
  if (const YAML::Node r = root["retention"]) {
    if (!r.IsMap()) return Bad(file, r, "expected a mapping with raw_hours and aggregate_days");
    KW_RETURN_IF_ERROR(CheckKeys(file, r, {"raw_hours", "aggregate_days"}));
    if (r["raw_hours"]) { KW_ASSIGN_OR_RETURN(c.raw_retention_hours, Num(file, r["raw_hours"], 0.01, 24 * 366)); }
    if (r["aggregate_days"]) {
      KW_ASSIGN_OR_RETURN(c.aggregate_retention_days, Num(file, r["aggregate_days"], 0.01, 3660));
    }
  }
  std::set<std::string> network_names;
  if (const YAML::Node ns = root["networks"]) {
    if (!ns.IsSequence()) return Bad(file, ns, "expected a list of networks");
    for (const YAML::Node& n : ns) {
      if (!n.IsMap()) return Bad(file, n, "expected a mapping with name, source, device");
      KW_RETURN_IF_ERROR(CheckKeys(file, n, {"name", "source", "device"}));
      AgentNetwork net;
      if (!n["name"]) return Bad(file, n, "a network needs a name");
      KW_ASSIGN_OR_RETURN(net.name, Str(file, n["name"]));
      if (n["source"]) {
        KW_ASSIGN_OR_RETURN(std::string s, Str(file, n["source"]));
        auto ep = probe::ParseEndpoint(s, 0);
        if (!ep.ok()) return Bad(file, n["source"], ep.status().message());
        net.source = *ep;
      }
      if (n["device"]) { KW_ASSIGN_OR_RETURN(net.device, Str(file, n["device"])); }
      if (!network_names.insert(net.name).second) {
        return Bad(file, n["name"], fmt::format("network '{}' is declared twice", net.name));
      }
      c.networks.push_back(std::move(net));
    }
  }
  if (c.timeout_ms > 60'000) return Bad(file, root, "timeout_ms too large");
  const YAML::Node ps = root["peers"];
  if (!ps) return Bad(file, root, "expected a 'peers' list");
  if (!ps.IsSequence()) return Bad(file, ps, "expected a list of peers");
  std::set<std::string> seen;
  for (const YAML::Node& p : ps) {
    if (!p.IsMap()) return Bad(file, p, "expected a mapping with name, address, network");
    KW_RETURN_IF_ERROR(CheckKeys(file, p, {"name", "address", "network", "proto", "port"}));
    AgentPeer peer;
    peer.line = static_cast<int>(Loc(file, p).line);
    if (!p["address"]) return Bad(file, p, "a peer needs an address");
    if (p["proto"]) {
      KW_ASSIGN_OR_RETURN(peer.proto, Str(file, p["proto"]));
      if (peer.proto != "udp" && peer.proto != "icmp" && peer.proto != "tcp") {
        return Bad(file, p["proto"], fmt::format("expected udp, icmp or tcp, saw \"{}\"",
                                                 EscapeForMessage(peer.proto)));
      }
    }
    double port = peer.proto == "udp" ? kDefaultProbePort : 0;
    if (p["port"]) { KW_ASSIGN_OR_RETURN(port, Num(file, p["port"], 1, 65535)); }
    if (peer.proto == "tcp" && port == 0) return Bad(file, p, "a tcp peer needs a port");
    KW_ASSIGN_OR_RETURN(std::string addr, Str(file, p["address"]));
    auto ep = probe::ParseEndpoint(addr, static_cast<uint16_t>(port));
    if (!ep.ok()) return Bad(file, p["address"], ep.status().message());
    peer.address = *ep;
    if (p["name"]) {
      KW_ASSIGN_OR_RETURN(peer.name, Str(file, p["name"]));
    } else {
      peer.name = addr;
    }
    if (p["network"]) {
      KW_ASSIGN_OR_RETURN(peer.network, Str(file, p["network"]));
      if (!c.networks.empty() && !network_names.count(peer.network)) {
        return Bad(file, p["network"],
                   fmt::format("network '{}' is not in the networks list", peer.network));
      }
    }
    std::string key = peer.name + "\n" + peer.network + "\n" + peer.proto;
    if (!seen.insert(key).second) {
      return Bad(file, p, fmt::format("peer '{}' on network '{}' ({}) is listed twice", peer.name,
                                      peer.network, peer.proto));
    }
    c.peers.push_back(std::move(peer));
  }
  return c;
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(std::string_view yaml, std::string_view file) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    return Parse(root, file);
  } catch (const YAML::Exception& e) {
    SourceLoc loc{std::string(file), e.mark.line >= 0 ? e.mark.line + 1 : 0,
                  e.mark.column >= 0 ? e.mark.column + 1 : 0};
    return Status::At(StatusCode::kMalformed, loc, e.msg);
  } catch (const std::exception& e) {
    return Status::At(StatusCode::kMalformed, SourceLoc{std::string(file)}, e.what());
  }
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::FromErrno("cannot read " + path, errno);
  std::stringstream ss;
  ss << f.rdbuf();
  return ParseAgentConfig(ss.str(), path);
}

Result<AgentConfig> AgentConfigFromTopology(const std::string& topology_path,
                                            const std::string& self) {
  KW_ASSIGN_OR_RETURN(model::Topology topo, model::LoadTopology(topology_path));
  auto me = topo.FindEndpoint(self);
  if (!me) {
    return Status::NotFound(fmt::format("{}: --self {}: no host or VM of that name",
                                        topology_path, self));
  }
  AgentConfig c;
  c.name = self;
  // Every endpoint on every network this one has an address on, probed from that address, so
  // each network (front and back, service and storage) is measured on its own.
  for (int32_t n = 0; n < static_cast<int32_t>(topo.networks().size()); ++n) {
    std::string_view mine = topo.EndpointAddress(*me, n);
    if (mine.empty()) continue;
    AgentNetwork net;
    net.name = topo.networks()[n].name;
    KW_ASSIGN_OR_RETURN(net.source, probe::ParseEndpoint(mine, 0));
    c.networks.push_back(net);
    auto add = [&](model::Endpoint e) -> Status {
      if (e == *me) return Status::Ok();
      std::string_view addr = topo.EndpointAddress(e, n);
      if (addr.empty()) return Status::Ok();
      AgentPeer p;
      p.name = topo.EndpointName(e);
      KW_ASSIGN_OR_RETURN(p.address, probe::ParseEndpoint(addr, 8623));
      p.network = net.name;
      c.peers.push_back(std::move(p));
      return Status::Ok();
    };
    for (int32_t h = 0; h < static_cast<int32_t>(topo.hosts().size()); ++h) {
      KW_RETURN_IF_ERROR(add(model::Endpoint{model::Endpoint::Kind::kHost, h}));
    }
    for (int32_t v = 0; v < static_cast<int32_t>(topo.vms().size()); ++v) {
      KW_RETURN_IF_ERROR(add(model::Endpoint{model::Endpoint::Kind::kVm, v}));
    }
  }
  if (c.peers.empty()) {
    return Status::Usage(fmt::format("{}: {} shares no network with any other host or VM",
                                     topology_path, self));
  }
  return c;
}

}  // namespace kiriwake::agent
