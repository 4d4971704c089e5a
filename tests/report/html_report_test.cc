#include "report/html_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "model/topology.h"

namespace kiriwake::report {
namespace {

// A leaf-spine of `leaves` leaf switches with `per_leaf` hosts each, one network.
model::Topology LeafSpine(int leaves, int per_leaf) {
  model::TopologySpec spec;
  spec.source_name = "gen";
  spec.switches.push_back({"spine", leaves + 1, {}});
  model::NetworkSpec net;
  net.name = "fabric";
  for (int l = 0; l < leaves; ++l) {
    std::string leaf = fmt::format("leaf{}", l);
    spec.switches.push_back({leaf, per_leaf + 1, {}});
    model::CableSpec up;
    up.name = fmt::format("up{}", l);
    up.a = {leaf, std::to_string(per_leaf + 1), {}};
    up.b = {"spine", std::to_string(l + 1), {}};
    spec.cables.push_back(up);
    for (int h = 0; h < per_leaf; ++h) {
      model::HostSpec host;
      host.name = fmt::format("h{}-{}", l, h);
      host.addresses.push_back({"fabric", fmt::format("10.{}.{}.{}", l / 250, l % 250, h + 1), {}});
      model::NicSpec nic;
      nic.name = "nic";
      nic.driver = "mlx5";
      nic.ports = {"eth0"};
      host.nics.push_back(nic);
      spec.hosts.push_back(host);
      model::CableSpec c;
      c.name = fmt::format("c{}-{}", l, h);
      c.a = {host.name, "eth0", {}};
      c.b = {leaf, std::to_string(h + 1), {}};
      spec.cables.push_back(c);
      net.uplinks.push_back({host.name, {"eth0"}, {}});
    }
  }
  spec.networks.push_back(net);
  auto t = model::Topology::Build(spec);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(*t);
}

model::Observation Obs(const model::Topology& t, const std::string& a, const std::string& b,
                       uint64_t sent, uint64_t lost) {
  model::Observation o;
  o.src = *t.FindEndpoint(a);
  o.dst = *t.FindEndpoint(b);
  o.network = 0;
  o.sent = sent;
  o.lost = lost;
  return o;
}

TEST(HtmlHeatmap, SmallMeshIsOneRowPerEndpoint) {
  auto t = LeafSpine(2, 2);
  std::vector<model::Observation> obs = {Obs(t, "h0-0", "h1-1", 100, 5),
                                         Obs(t, "h1-1", "h0-0", 100, 0)};
  auto maps = BuildHeatmaps(t, obs);
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(maps[0].level, "endpoint");
  EXPECT_EQ(maps[0].keys, (std::vector<std::string>{"h0-0", "h1-1"}));
  ASSERT_EQ(maps[0].cells.size(), 2u);
}

TEST(HtmlHeatmap, ThousandHostsAreFoldedIntoTheirLeafSwitches) {
  auto t = LeafSpine(40, 25);  // 1,000 hosts
  std::vector<model::Observation> obs;
  for (int l = 0; l < 40; ++l) {
    for (int m = 0; m < 40; ++m) {
      obs.push_back(Obs(t, fmt::format("h{}-0", l), fmt::format("h{}-1", m), 100, l == 7 ? 6 : 0));
    }
  }
  auto maps = BuildHeatmaps(t, obs);
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(maps[0].level, "switch");
  EXPECT_EQ(maps[0].keys.size(), 40u);
  EXPECT_EQ(maps[0].keys[2], "leaf2");  // natural order: leaf2 before leaf10
  EXPECT_LE(maps[0].keys.size(), kMaxHeatmapKeys);
  uint64_t lost = 0;
  for (const auto& c : maps[0].cells) {
    lost += c.lost;
    if (c.lost > 0) {
      EXPECT_EQ(c.src, "leaf7");
    }
  }
  EXPECT_EQ(lost, 40u * 6u);  // aggregation keeps every lost probe
}

TEST(HtmlReport, SelfContainedAndEscaped) {
  auto t = LeafSpine(2, 2);
  std::vector<model::Observation> obs = {Obs(t, "h0-0", "h1-1", 100, 5)};
  HtmlReport r;
  r.title = "a <b> & c";
  r.verdict = "x";
  r.topology = &t;
  r.observations = &obs;
  r.events.push_back({1584269972510, "ceph", "warning", "<script>alert(1)</script>", "f:1"});
  std::string html = RenderHtmlReport(r);
  EXPECT_NE(html.find("a &lt;b&gt; &amp; c"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("class=\"cell lossy\""), std::string::npos);
  EXPECT_NE(html.find("id=\"timeline-svg\""), std::string::npos);
}

}  // namespace
}  // namespace kiriwake::report
