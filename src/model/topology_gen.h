// model/topology_gen.h: synthetic topologies for the simulator, tests and benchmarks — the seed
// incident's home lab, home labs of N hosts built the same way, leaf-spine fabrics and 3-tier
// fat-trees of parameter k (k^3/4 hosts, 3k^3/4 links: k=48 gives 27,648 hosts, 82,944 links).
// Pure functions returning a TopologySpec (build it with Topology::Build); names follow the
// component-id rules (no ':' or '/').
#ifndef KIRIWAKE_MODEL_TOPOLOGY_GEN_H_
#define KIRIWAKE_MODEL_TOPOLOGY_GEN_H_

#include <string>

#include "model/topology.h"

namespace kiriwake::model {

// The seed incident's lab, identical to examples/seed-incident/topology.yaml.
TopologySpec SeedHomeLab();
// `hosts` ESXi-like hosts (2..250), each with a dual-port 10GbE card (service, storage) and a
// dual-port onboard 1GbE (mgmt); switches svc, sto and gbe; one VM per host with service and
// storage addresses.
TopologySpec HomeLab(int hosts);
// `leaves` leaf switches each with `hosts_per_leaf` hosts, every leaf joined to every spine.
TopologySpec LeafSpine(int leaves, int spines, int hosts_per_leaf);
// The classic 3-tier fat-tree (Al-Fares et al., SIGCOMM 2008) for even k >= 4: k pods of k/2
// edge and k/2 aggregation switches, (k/2)^2 core switches, k/2 hosts per edge switch; one
// network "fabric" with host addresses 10.pod.edge.(host+2).
TopologySpec FatTree(int k);

// Parses "seed", "homelab:N", "leafspine:L,S,H" or "fattree:K".
Result<TopologySpec> GenerateTopology(std::string_view shape);

}  // namespace kiriwake::model

#endif  // KIRIWAKE_MODEL_TOPOLOGY_GEN_H_
