// model/topology.h: the physical and virtual layout of a cluster — hosts with NIC cards and
// ports, switches, the cables between them, L2 networks and the host ports that carry them, and
// VMs — as one graph of named components (host `esxi2`, VM `ceph4`, `esxi2/vswitch`, card
// `esxi2/x520`, driver `esxi2/driver:ixgbe`, port `esxi2:vmnic2` or `allied:2`, switch `allied`,
// cable by its name). Every component has a dense index (ComponentId) used by paths and inference.
//
// Built once from a TopologySpec (by the YAML adapter, topology_yaml.cc, or by the simulator's
// generators) and immutable afterwards: safe to share between threads for reading. The Topology
// owns all its strings. Validation errors carry the spec element's SourceLoc (file:line:col).
#ifndef KIRIWAKE_MODEL_TOPOLOGY_H_
#define KIRIWAKE_MODEL_TOPOLOGY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/result.h"
#include "util/status.h"

namespace kiriwake::model {

using ComponentId = uint32_t;
inline constexpr ComponentId kNoComponent = UINT32_MAX;

// Persisted in --json output as lowercase strings (ComponentKindName): DO NOT rename.
enum class ComponentKind : uint8_t {
  kHost,
  kVm,
  kVswitch,
  kCard,
  kDriver,
  kHostPort,
  kSwitchPort,
  kSwitch,
  kCable,
};
inline constexpr int kComponentKindCount = 9;
std::string_view ComponentKindName(ComponentKind kind);  // "host", "vm", "vswitch", ...

struct Component {
  std::string id;
  ComponentKind kind = ComponentKind::kHost;
  std::string medium;                  // cables only: "dac", "fiber", "copper", ... may be empty
  std::optional<double> prior;         // per-component prior override (`prior:` in the YAML)
};

// ---- The spec: what a topology file says, with where it says it. ----

struct AddressSpec {
  std::string network;
  std::string address;
  SourceLoc loc;
};
struct NicSpec {
  std::string name;
  std::string driver;
  std::vector<std::string> ports;
  std::vector<SourceLoc> port_locs;  // parallel to ports (may be empty in generated specs)
  SourceLoc loc;
};
struct HostSpec {
  std::string name;
  std::vector<AddressSpec> addresses;
  std::vector<NicSpec> nics;
  std::optional<double> port_speed_gbps;  // extension, informative only
  SourceLoc loc;
};
struct SwitchSpec {
  std::string name;
  int ports = 0;  // ports are numbered 1..ports
  SourceLoc loc;
};
struct PortRefSpec {
  std::string node;  // host or switch name
  std::string port;  // NIC port name or switch port number
  SourceLoc loc;
};
struct CableSpec {
  std::string name;
  PortRefSpec a, b;
  std::string medium;
  std::optional<double> prior;
  SourceLoc loc;
};
struct UplinkSpec {
  std::string host;
  std::vector<std::string> ports;  // more than one: a team/LAG, the flow takes one of them
  SourceLoc loc;
};
struct NetworkSpec {
  std::string name;
  std::vector<UplinkSpec> uplinks;
  SourceLoc loc;
};
struct VmSpec {
  std::string name;
  std::string on;
  std::vector<AddressSpec> addresses;
  std::vector<int> osds;  // extension: Ceph OSD ids served by this VM
  SourceLoc loc;
  SourceLoc on_loc;
};
struct TopologySpec {
  std::string source_name;
  std::vector<HostSpec> hosts;
  std::vector<SwitchSpec> switches;
  std::vector<CableSpec> cables;
  std::vector<NetworkSpec> networks;
  std::vector<VmSpec> vms;
};

// ---- The built topology. ----

struct HostPort {
  std::string name;
  ComponentId port = kNoComponent;
  ComponentId card = kNoComponent;
  ComponentId driver = kNoComponent;
  ComponentId cable = kNoComponent;        // kNoComponent when nothing is plugged in
  int32_t peer_switch = -1;                // index into switches()
  ComponentId peer_port = kNoComponent;    // the switch port at the other end of the cable
};
struct Host {
  std::string name;
  ComponentId component = kNoComponent;
  ComponentId vswitch = kNoComponent;
  std::vector<HostPort> ports;
  std::vector<std::pair<std::string, std::string>> addresses;  // (network, address)
};
struct SwitchLink {
  int32_t to = -1;  // neighbour switch index
  ComponentId cable = kNoComponent;
  ComponentId local_port = kNoComponent;
  ComponentId remote_port = kNoComponent;
};
struct Switch {
  std::string name;
  ComponentId component = kNoComponent;
  int ports = 0;
  std::vector<SwitchLink> links;  // switch-to-switch cables
};
struct Vm {
  std::string name;
  ComponentId component = kNoComponent;
  int32_t host = -1;
  std::vector<std::pair<std::string, std::string>> addresses;
  std::vector<int> osds;
};
struct Network {
  std::string name;
  // For each host index with an uplink on this network: indices into Host::ports (a team if >1).
  std::vector<std::pair<int32_t, std::vector<int32_t>>> uplinks;
};

// Something that can send and receive probes: a host or a VM.
struct Endpoint {
  enum class Kind : uint8_t { kHost, kVm } kind = Kind::kHost;
  int32_t index = -1;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// The canonical text of an IPv4 or IPv6 address (as inet_ntop writes it), or nullopt when
// `text` is not one.
std::optional<std::string> CanonicalIp(std::string_view text);

class Topology {
 public:
  // Validates `spec` and builds the component graph. Errors name the spec element's location:
  // unknown port, cable to nowhere, a port on two cables, an address on two endpoints, a network
  // with no uplink for a host that has an address on it, duplicate names.
  static Result<Topology> Build(TopologySpec spec);

  const std::string& source_name() const { return source_name_; }
  const std::vector<Component>& components() const { return components_; }
  const Component& component(ComponentId id) const { return components_[id]; }
  std::optional<ComponentId> FindComponent(std::string_view id) const;

  const std::vector<Host>& hosts() const { return hosts_; }
  const std::vector<Switch>& switches() const { return switches_; }
  const std::vector<Vm>& vms() const { return vms_; }
  const std::vector<Network>& networks() const { return networks_; }

  std::optional<int32_t> FindNetwork(std::string_view name) const;
  // A host or VM by name.
  std::optional<Endpoint> FindEndpoint(std::string_view name) const;
  // The endpoint owning `address` and the network the address is on. Any spelling of the same
  // IP finds it: 2001:db8::1 and 2001:0db8:0::1 are one address.
  std::optional<std::pair<Endpoint, int32_t>> FindAddress(std::string_view address) const;

  const std::string& EndpointName(Endpoint e) const;
  int32_t EndpointHost(Endpoint e) const;  // the host index an endpoint runs on
  // The address of `e` on network `net`, or empty.
  std::string_view EndpointAddress(Endpoint e, int32_t net) const;
  // The uplink ports (indices into the host's ports) of host `h` on network `net`; empty if none.
  const std::vector<int32_t>* Uplinks(int32_t host, int32_t net) const;
  // Which switch-port components are in use by cables (for "move to a free port" advice).
  bool SwitchPortInUse(int32_t sw, int port_number) const;

  // Internal use by Build.
  Topology() = default;

 private:
  ComponentId AddComponent(std::string id, ComponentKind kind);

  std::string source_name_;
  std::vector<Component> components_;
  std::unordered_map<std::string, ComponentId> component_index_;
  std::vector<Host> hosts_;
  std::vector<Switch> switches_;
  std::vector<Vm> vms_;
  std::vector<Network> networks_;
  std::unordered_map<std::string, int32_t> network_index_;
  std::unordered_map<std::string, Endpoint> endpoint_index_;
  std::unordered_map<std::string, std::pair<Endpoint, int32_t>> address_index_;
  // uplink_index_[net][host] -> position in networks_[net].uplinks, -1 if none.
  std::vector<std::vector<int32_t>> uplink_index_;
};

// Reads a topology YAML file (through ingest::LineReader, so gz/xz/UTF-16 work) and builds it.
Result<Topology> LoadTopology(const std::string& path);
// Parses YAML text; `source_name` is used in error locations.
Result<Topology> ParseTopology(std::string_view yaml, std::string_view source_name);
// Just the spec (no validation beyond shape): for tools that edit or generate topologies.
Result<TopologySpec> ParseTopologySpec(std::string_view yaml, std::string_view source_name);
// Writes a spec back as YAML (used by `kiriwake sim`); the output loads with ParseTopology.
std::string TopologySpecToYaml(const TopologySpec& spec);

}  // namespace kiriwake::model

#endif  // KIRIWAKE_MODEL_TOPOLOGY_H_
