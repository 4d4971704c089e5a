// diagnose/topology_component_map.h: the timeline's ComponentMap (what a log line names -> the
// topology's components) answered from the topology model: an address names its endpoint, the
// host it runs on and its network ("vm:ceph4", "host:esxi2", "net:service"); "osd.N" names the VM
// or host serving that OSD; a host or VM name names itself and its host. Immutable once built;
// borrows the topology, which must outlive it.
#ifndef KIRIWAKE_DIAGNOSE_TOPOLOGY_COMPONENT_MAP_H_
#define KIRIWAKE_DIAGNOSE_TOPOLOGY_COMPONENT_MAP_H_

#include <string>
#include <string_view>
#include <vector>

#include "model/topology.h"
#include "timeline/component_map.h"

namespace kiriwake::diagnose {

class TopologyComponentMap final : public timeline::ComponentMap {
 public:
  explicit TopologyComponentMap(const model::Topology& topology) : t_(topology) {}
  std::vector<std::string> Resolve(std::string_view key) const override;

 private:
  std::vector<std::string> ForEndpoint(model::Endpoint e) const;
  const model::Topology& t_;
};

// The log keys (addresses, host and VM names) that stand for a component: for anything on a
// host (port, card, driver, its cable, the host, its vswitch), the host and its VMs and their
// addresses on the networks that component carries.
std::vector<std::string> ComponentKeys(const model::Topology& t, model::ComponentId c);

}  // namespace kiriwake::diagnose

#endif  // KIRIWAKE_DIAGNOSE_TOPOLOGY_COMPONENT_MAP_H_
