#include "diagnose/topology_component_map.h"

#include <set>

#include "util/text.h"

namespace kiriwake::diagnose {

std::vector<std::string> TopologyComponentMap::ForEndpoint(model::Endpoint e) const {
  std::vector<std::string> ids;
  const std::string& host = t_.hosts()[t_.EndpointHost(e)].name;
  if (e.kind == model::Endpoint::Kind::kVm) ids.push_back("vm:" + t_.EndpointName(e));
  ids.push_back("host:" + host);
  return ids;
}

std::vector<std::string> TopologyComponentMap::Resolve(std::string_view key) const {
  if (auto a = t_.FindAddress(key)) {
    auto ids = ForEndpoint(a->first);
    ids.push_back("net:" + t_.networks()[a->second].name);
    return ids;
  }
  if (key.starts_with("osd.")) {
    auto n = text::ParseInt(key.substr(4));
    if (n) {
      for (int32_t v = 0; v < static_cast<int32_t>(t_.vms().size()); ++v) {
        for (int osd : t_.vms()[v].osds) {
          if (osd == *n) return ForEndpoint(model::Endpoint{model::Endpoint::Kind::kVm, v});
        }
      }
    }
    return {};
  }
  if (auto e = t_.FindEndpoint(key)) return ForEndpoint(*e);
  return {};
}

std::vector<std::string> ComponentKeys(const model::Topology& t, model::ComponentId c) {
  std::set<std::string> keys;
  for (int32_t h = 0; h < static_cast<int32_t>(t.hosts().size()); ++h) {
    const model::Host& host = t.hosts()[h];
    std::set<int32_t> ports;  // the host's ports the component is on
    for (int32_t p = 0; p < static_cast<int32_t>(host.ports.size()); ++p) {
      const auto& hp = host.ports[p];
      if (c == host.component || c == host.vswitch || c == hp.port || c == hp.card ||
          c == hp.driver || c == hp.cable || c == hp.peer_port) {
        ports.insert(p);
      }
    }
    if (ports.empty()) continue;
    keys.insert(host.name);
    for (int32_t n = 0; n < static_cast<int32_t>(t.networks().size()); ++n) {
      const auto* ups = t.Uplinks(h, n);
      bool carried = false;
      for (int32_t p : ups ? *ups : std::vector<int32_t>{}) carried = carried || ports.count(p);
      if (!carried) continue;
      model::Endpoint he{model::Endpoint::Kind::kHost, h};
      if (auto a = t.EndpointAddress(he, n); !a.empty()) keys.insert(std::string(a));
      for (int32_t v = 0; v < static_cast<int32_t>(t.vms().size()); ++v) {
        if (t.vms()[v].host != h) continue;
        model::Endpoint ve{model::Endpoint::Kind::kVm, v};
        keys.insert(t.vms()[v].name);
        if (auto a = t.EndpointAddress(ve, n); !a.empty()) keys.insert(std::string(a));
      }
    }
  }
  return {keys.begin(), keys.end()};
}

}  // namespace kiriwake::diagnose
