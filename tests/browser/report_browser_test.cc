// The HTML report in a real browser: Debian's chromium, headless, loads the report of the seed's
// incident and of a simulated 1,000-host fabric, and we check what a user would see (the culprit
// in the verdict, lossy heatmap cells, the timeline's events), that the page's script ran, and
// that the console stayed empty. Screenshots are kept in build/<mode>/artifacts/.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "diagnose/diagnose.h"
#include "infer/localize.h"
#include "model/topology.h"
#include "report/diagnose_report.h"
#include "report/html_report.h"
#include "util/subprocess.h"

namespace kiriwake {
namespace {

namespace fs = std::filesystem;

bool HaveChromium() {
  SubprocessResult r;
  return RunSubprocess({"sh", "-c", "command -v chromium"}, "", &r).ok() && r.exit_code == 0;
}

struct BrowserRun {
  std::string dom;
  std::vector<std::string> console;  // console messages and uncaught errors
};

BrowserRun Load(const std::string& html_path, const std::string& screenshot) {
  std::string profile = fmt::format("/tmp/kw-chromium-{}", ::getpid());
  std::vector<std::string> base = {
      "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"};
  BrowserRun run;
  auto dom_cmd = base;
  dom_cmd.push_back("--dump-dom");
  dom_cmd.push_back("file://" + html_path);
  std::vector<std::string> with_timeout = {"timeout", "120"};
  with_timeout.insert(with_timeout.end(), dom_cmd.begin(), dom_cmd.end());
  SubprocessResult d;
  EXPECT_TRUE(RunSubprocess(with_timeout, "", &d).ok());
  run.dom = d.out;
  std::regex console_re(R"(:CONSOLE[^\]]*\] (.*))");
  std::string err = d.err;
  for (auto it = std::sregex_iterator(err.begin(), err.end(), console_re);
       it != std::sregex_iterator(); ++it) {
    run.console.push_back((*it)[1]);
  }
  auto shot = base;
  shot.insert(shot.begin(), {"timeout", "120"});
  shot.push_back("--window-size=1280,2400");
  shot.push_back("--screenshot=" + screenshot);
  shot.push_back("file://" + html_path);
  SubprocessResult s;
  EXPECT_TRUE(RunSubprocess(shot, "", &s).ok());
  fs::remove_all(profile);
  return run;
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

std::string ArtifactDir() {
  std::string dir = fs::path(KIRIWAKE_BIN).parent_path() / "artifacts";
  fs::create_directories(dir);
  return dir;
}

TEST(ReportBrowser, SeedIncidentShowsTheCulpritHeatmapAndTimeline) {
  if (!HaveChromium()) GTEST_SKIP() << "chromium not installed (scripts/setup installs it)";
  diagnose::DiagnoseOptions o;
  o.inputs = {std::string(KW_SOURCE_DIR) + "/examples/seed-incident"};
  auto r = diagnose::Diagnose(o);
  ASSERT_TRUE(r.ok());
  std::string path = ArtifactDir() + "/seed-report.html";
  std::ofstream(path) << report::DiagnoseHtml(*r);
  BrowserRun run = Load(path, ArtifactDir() + "/seed-report.png");
  ASSERT_FALSE(run.dom.empty()) << "chromium rendered nothing";
  EXPECT_TRUE(run.console.empty()) << "console: " << run.console.front();
  EXPECT_NE(run.dom.find("class=\"has-js\""), std::string::npos) << "the page's script did not run";
  std::smatch m;
  ASSERT_TRUE(std::regex_search(run.dom, m, std::regex(R"(<span class="culprit">([^<]*)</span>)")));
  EXPECT_EQ(m[1], "dac-esxi2-allied");
  EXPECT_GE(Count(run.dom, "class=\"cell lossy\""), 4u);
  EXPECT_GE(Count(run.dom, "<circle class=\"event\""), 3u);
  EXPECT_NE(run.dom.find("OSD_SLOW_PING_TIME_BACK"), std::string::npos);
  EXPECT_NE(run.dom.find("dac-esxi2-allied"), std::string::npos);
  EXPECT_TRUE(fs::exists(ArtifactDir() + "/seed-report.png"));
}

TEST(ReportBrowser, ThousandHostFabricStaysReadable) {
  if (!HaveChromium()) GTEST_SKIP() << "chromium not installed (scripts/setup installs it)";
  // 40 leaves x 25 hosts, every host probes one host under every leaf; one host cable is lossy.
  model::TopologySpec spec;
  spec.switches.push_back({"spine", 41, {}});
  model::NetworkSpec net;
  net.name = "fabric";
  for (int l = 0; l < 40; ++l) {
    std::string leaf = fmt::format("leaf{}", l);
    spec.switches.push_back({leaf, 26, {}});
    model::CableSpec up;
    up.name = fmt::format("up{}", l);
    up.a = {leaf, "26", {}};
    up.b = {"spine", std::to_string(l + 1), {}};
    spec.cables.push_back(up);
    for (int h = 0; h < 25; ++h) {
      model::HostSpec host;
      host.name = fmt::format("h{}-{}", l, h);
      host.addresses.push_back({"fabric", fmt::format("10.77.{}.{}", l, h + 1), {}});
      host.nics.push_back({"nic", "mlx5", {"eth0"}, {}, {}});
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
  auto topo = model::Topology::Build(spec);
  ASSERT_TRUE(topo.ok()) << topo.status().ToString();
  std::vector<model::Observation> obs;
  for (int l = 0; l < 40; ++l) {
    for (int h = 0; h < 25; ++h) {
      std::string a = fmt::format("h{}-{}", l, h);
      for (int m = 0; m < 40; ++m) {
        std::string b = fmt::format("h{}-{}", m, (h + m) % 25);
        if (a == b) continue;
        model::Observation o;
        o.src = *topo->FindEndpoint(a);
        o.dst = *topo->FindEndpoint(b);
        o.network = 0;
        o.sent = 200;
        o.lost = (a == "h7-3" || b == "h7-3") ? 12 : 0;
        obs.push_back(o);
      }
    }
  }
  auto loc = infer::Localize(*topo, obs, {});
  ASSERT_TRUE(loc.ok());
  report::HtmlReport h;
  h.title = "simulated fabric";
  h.verdict = "simulated";
  h.topology = &*topo;
  h.observations = &obs;
  h.localization = &*loc;
  if (loc->culprit_named()) h.culprit = topo->component(loc->suspects[0].components[0]).id;
  std::string path = ArtifactDir() + "/fabric-report.html";
  std::ofstream(path) << report::RenderHtmlReport(h);
  EXPECT_LT(fs::file_size(path), 8u << 20) << "the page must aggregate, not draw every pair";
  BrowserRun run = Load(path, ArtifactDir() + "/fabric-report.png");
  ASSERT_FALSE(run.dom.empty());
  EXPECT_TRUE(run.console.empty()) << "console: " << run.console.front();
  EXPECT_LE(Count(run.dom, "<rect class=\"cell"), report::kMaxHeatmapKeys * report::kMaxHeatmapKeys);
  EXPECT_GE(Count(run.dom, "class=\"cell lossy\""), 1u);
  EXPECT_NE(run.dom.find("one row per switch"), std::string::npos);
  EXPECT_NE(run.dom.find("c7-3"), std::string::npos) << "the culprit cable must be named";
}

}  // namespace
}  // namespace kiriwake
