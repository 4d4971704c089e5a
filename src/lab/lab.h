// lab/lab.h: a topology file built as real network namespaces on this machine, so a user can
// rehearse an incident and every end-to-end test runs on real packets.
//
// Each host, VM and switch is a namespace (`<prefix>-<name>`); each cable is a veth pair whose
// ends are the ports it joins (the host's NIC port name, or `p<N>` on switch N's bridge `br0`);
// inside a host, each uplink port in use gets a bridge (the vswitch) carrying the host's own
// addresses and its VMs' veths for the networks on that port. Faults are nftables random drops
// on a netdev ingress hook (netem is not available), so a fault on a port, card, driver, switch
// or host is exactly the set of devices it owns. Addresses are remapped into 10.77.0.0/16 unless
// the user asks otherwise, so a lab never uses a real network's addresses.
//
// Planning is pure (LabPlan from a spec); applying runs `ip` and `nft` (root only). A state file
// records what was built so `fault`, `clear` and `down` work after a crash.
#ifndef KIRIWAKE_LAB_LAB_H_
#define KIRIWAKE_LAB_LAB_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/topology.h"
#include "util/result.h"
#include "util/status.h"

namespace kiriwake::lab {

struct LabOptions {
  std::string prefix = "kw";  // namespace names are <prefix>-<node>
  bool remap = true;          // rewrite addresses into 10.77.<first_octet + i>.0/24
  int first_octet = 100;      // third octet of the first network's /24
};

// One end of a veth pair (a port), with the device at the other end.
struct Device {
  std::string ns, dev;
  std::string peer_ns, peer_dev;
  friend bool operator==(const Device&, const Device&) = default;
};

struct LabPlan {
  std::string prefix;
  std::vector<std::string> namespaces;
  // Argument lists for `ip` (without the leading "ip"), in order.
  std::vector<std::vector<std::string>> ip_commands;
  // Every component id (model/topology.h naming) -> the devices it owns.
  std::map<std::string, std::vector<Device>> component_devices;
  // Components that traffic passes through (switches, vswitches): a fault in "both" directions
  // drops on the way in only, so that a packet crossing one is dropped once, not twice.
  std::set<std::string> transit_components;
  std::map<std::string, std::string> endpoint_ns;  // host or VM name -> namespace
  std::map<std::string, std::string> address_map;  // original address -> lab address
  model::TopologySpec lab_spec;                    // the topology with lab addresses
};

// Plans the lab for `spec` (validated by building it). Usage error when the topology cannot be
// built as namespaces (e.g. more networks than /24s left in 10.77.0.0/16).
Result<LabPlan> PlanLab(const model::TopologySpec& spec, const LabOptions& options);

enum class FaultDirection { kBoth, kIn, kOut };  // relative to the component's own devices

// The nftables scripts (namespace -> script) that add `loss_ratio` random drop on `component`.
Result<std::map<std::string, std::string>> FaultScripts(const LabPlan& plan,
                                                        const std::string& component,
                                                        double loss_ratio, FaultDirection dir);

// Saves / loads what `lab up` built (JSON), so later commands need only the prefix.
std::string StatePath(const std::string& prefix);
Status SaveState(const LabPlan& plan);
Result<LabPlan> LoadState(const std::string& prefix);

// Applying (root). Each returns the first failing command's stderr as the error.
Status Up(const LabPlan& plan);
Status ApplyFault(const LabPlan& plan, const std::string& component, double loss_ratio,
                  FaultDirection dir);
Status ClearFaults(const LabPlan& plan);
// Removes every namespace named <prefix>-* (whether or not the state file survived) and the state.
Status Down(const std::string& prefix);

}  // namespace kiriwake::lab

#endif  // KIRIWAKE_LAB_LAB_H_
