#include "lab/lab.h"

#include <gtest/gtest.h>

#include "model/topology.h"

namespace kiriwake::lab {
namespace {

constexpr const char* kTwoHosts = R"(hosts:
  - name: a
    addresses: {service: 192.168.100.1}
    nics: [{name: x520, driver: ixgbe, ports: [p1, p2]}]
  - name: b
    addresses: {service: 192.168.100.2}
    nics: [{name: x520, driver: ixgbe, ports: [p1, p2]}]
switches:
  - {name: sw, ports: 8}
cables:
  - {name: dac-a, a: a:p1, b: sw:1, medium: dac}
  - {name: dac-b, a: b:p1, b: sw:2, medium: dac}
networks:
  - {name: service, uplinks: {a: p1, b: p1}}
vms:
  - {name: vm1, on: a, addresses: {service: 192.168.100.11}}
)";

LabPlan Plan(const char* yaml, LabOptions o = {}) {
  auto spec = model::ParseTopologySpec(yaml, "t.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  auto plan = PlanLab(*spec, o);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return *plan;
}

TEST(LabPlan, EveryHostVmAndSwitchIsANamespace) {
  LabPlan p = Plan(kTwoHosts);
  EXPECT_EQ(p.namespaces, (std::vector<std::string>{"kw-a", "kw-b", "kw-vm1", "kw-sw"}));
  EXPECT_EQ(p.endpoint_ns.at("vm1"), "kw-vm1");
}

TEST(LabPlan, AddressesAreRemappedIntoTheLabRangeKeepingTheHostPart) {
  LabPlan p = Plan(kTwoHosts);
  EXPECT_EQ(p.address_map.at("192.168.100.2"), "10.77.100.2");
  EXPECT_EQ(p.address_map.at("192.168.100.11"), "10.77.100.11");
  EXPECT_EQ(p.lab_spec.vms[0].addresses[0].address, "10.77.100.11");
}

TEST(LabPlan, NoRemapKeepsAddresses) {
  LabOptions o;
  o.remap = false;
  LabPlan p = Plan(kTwoHosts, o);
  EXPECT_TRUE(p.address_map.empty());
  EXPECT_EQ(p.lab_spec.hosts[1].addresses[0].address, "192.168.100.2");
}

TEST(LabPlan, CableOwnsBothEndsAndCardOwnsItsCabledPorts) {
  LabPlan p = Plan(kTwoHosts);
  const auto& cable = p.component_devices.at("dac-a");
  ASSERT_EQ(cable.size(), 2u);
  EXPECT_EQ(cable[0], (Device{"kw-a", "p1", "kw-sw", "p1"}));
  EXPECT_EQ(cable[1], (Device{"kw-sw", "p1", "kw-a", "p1"}));
  EXPECT_EQ(p.component_devices.at("sw:2").size(), 1u);
  EXPECT_EQ(p.component_devices.at("b/x520").size(), 1u);  // p2 has no cable
  EXPECT_TRUE(p.transit_components.count("sw"));
  EXPECT_TRUE(p.transit_components.count("a/vswitch"));
}

TEST(LabFault, CableLossHooksIngressOnBothEnds) {
  LabPlan p = Plan(kTwoHosts);
  auto s = FaultScripts(p, "dac-b", 0.07, FaultDirection::kBoth);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_NE(s->at("kw-b").find("hook ingress device \"p1\""), std::string::npos);
  EXPECT_NE(s->at("kw-sw").find("hook ingress device \"p2\""), std::string::npos);
  EXPECT_NE(s->at("kw-sw").find("numgen random mod 10000 < 700 counter drop"), std::string::npos);
}

TEST(LabFault, SwitchLossDropsOncePerCrossing) {
  LabPlan p = Plan(kTwoHosts);
  auto s = FaultScripts(p, "sw", 0.1, FaultDirection::kBoth);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);  // only the switch's own ports, not the hosts' ends
  EXPECT_NE(s->at("kw-sw").find("device \"p1\""), std::string::npos);
  EXPECT_NE(s->at("kw-sw").find("device \"p2\""), std::string::npos);
}

TEST(LabFault, OutDirectionHooksThePeer) {
  LabPlan p = Plan(kTwoHosts);
  auto s = FaultScripts(p, "b:p1", 0.5, FaultDirection::kOut);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);
  EXPECT_NE(s->at("kw-sw").find("device \"p2\""), std::string::npos);
}

TEST(LabFault, UnknownComponentAndBadLossAreErrors) {
  LabPlan p = Plan(kTwoHosts);
  EXPECT_EQ(FaultScripts(p, "nope", 0.1, FaultDirection::kBoth).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(FaultScripts(p, "dac-a", 1.5, FaultDirection::kBoth).status().code(),
            StatusCode::kUsage);
}

TEST(LabPlan, BadPrefixIsAUsageError) {
  auto spec = model::ParseTopologySpec(kTwoHosts, "t.yaml");
  LabOptions o;
  o.prefix = "bad prefix";
  EXPECT_EQ(PlanLab(*spec, o).status().code(), StatusCode::kUsage);
}

}  // namespace
}  // namespace kiriwake::lab
