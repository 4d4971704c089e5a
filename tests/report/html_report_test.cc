#include "report/html_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "infer/localize.h"
#include "model/topology.h"
#include "util/text.h"

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

TEST(HtmlReport, MembersAlikeOnlyGivenTheOtherCulpritsAreSetApartInTheirGroup) {
  auto t = LeafSpine(2, 2);
  std::vector<model::Observation> obs = {Obs(t, "h0-0", "h1-1", 100, 5)};
  infer::LocalizeResult L;
  infer::Suspect s;
  s.components = {*t.FindComponent("c0-0"), *t.FindComponent("leaf0:1"),
                  *t.FindComponent("h0-0/nic")};
  s.alike_given_others = 1;
  s.probability = 0.97;
  L.suspects.push_back(s);
  HtmlReport r;
  r.title = "t";
  r.verdict = "x";
  r.topology = &t;
  r.observations = &obs;
  r.localization = &L;
  std::string html = RenderHtmlReport(r);
  EXPECT_NE(html.find("<td>c0-0, leaf0:1; as well given the other culprits: h0-0/nic</td>"),
            std::string::npos)
      << html;
}

// Two hosts named `a` and `b` on one switch, one network.
model::Topology TwoHosts(const std::string& a, const std::string& b) {
  model::TopologySpec spec;
  spec.source_name = "gen";
  spec.switches.push_back({"sw", 2, {}});
  model::NetworkSpec net;
  net.name = "fabric";
  int i = 0;
  for (const std::string& name : {a, b}) {
    ++i;
    model::HostSpec host;
    host.name = name;
    host.addresses.push_back({"fabric", fmt::format("10.0.0.{}", i), {}});
    model::NicSpec nic;
    nic.name = "nic";
    nic.driver = "mlx5";
    nic.ports = {"eth0"};
    host.nics.push_back(nic);
    spec.hosts.push_back(host);
    model::CableSpec c;
    c.name = fmt::format("c{}", i);
    c.a = {name, "eth0", {}};
    c.b = {"sw", std::to_string(i), {}};
    spec.cables.push_back(c);
    net.uplinks.push_back({name, {"eth0"}, {}});
  }
  spec.networks.push_back(net);
  auto t = model::Topology::Build(spec);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(*t);
}

// The part of the page Graphviz drew; empty (and the test skipped, said) without dot.
std::string TopoDiv(const std::string& html) {
  size_t at = html.find("<div class=\"topo\">");
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</div>", at) - at);
}

// A name that is not UTF-8 cannot reach the drawing: the topology refuses it where it is written
// (TopologyYamlErrors.NamesThatAreNotUtf8AreRejectedWhereTheyAreWritten). The drawing still goes
// through ToValidUtf8, for whatever Graphviz itself might write.

TEST(HtmlReport, TopologyNamesWithEntitiesAreDrawnAsWritten) {
  auto t = TwoHosts("a&lt;b&#x41;", "ok");
  HtmlReport r;
  r.topology = &t;
  std::string topo = TopoDiv(RenderHtmlReport(r));
  if (topo.empty()) GTEST_SKIP() << "Graphviz (dot) is not installed: no drawing to check";
  // The SVG text holds the name's '&' escaped, so a browser shows "a&lt;b&#x41;".
  EXPECT_NE(topo.find(">a&amp;lt;b&amp;#x41;</text>"), std::string::npos) << topo;
  EXPECT_EQ(topo.find("a&lt;bA"), std::string::npos) << topo;
  EXPECT_EQ(topo.find("a&lt;b&#x41;"), std::string::npos) << topo;
}

TEST(HtmlReport, ControlCharactersNeverReachThePage) {
  HtmlReport r;
  r.title = "t\x01itle";
  r.verdict = "v";
  r.events.push_back({1584269972510, "ceph", "warning",
                      "a\x01"
                      "b\x1b[31mc\x7f"
                      "d\xc2\x85"
                      "e\tf",
                      "f:1"});
  std::string html = RenderHtmlReport(r);
  for (char c : html) {
    auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 || c == '\t' || c == '\n' || c == '\r') << "byte " << int(u);
    EXPECT_NE(u, 0x7f);
  }
  EXPECT_EQ(html.find("\xc2\x85"), std::string::npos);
  EXPECT_NE(html.find("a\xEF\xBF\xBD"
                      "b\xEF\xBF\xBD[31mc\xEF\xBF\xBD"
                      "d\xEF\xBF\xBD"
                      "e\tf"),
            std::string::npos);
  EXPECT_NE(html.find("t\xEF\xBF\xBDitle"), std::string::npos);
}

}  // namespace
}  // namespace kiriwake::report
