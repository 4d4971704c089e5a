// deploy/grafana/kiriwake-dashboard.json must load in Grafana: valid JSON, unique panel ids,
// panels inside the 24-column grid, every query with a refId and an expression, and every
// $variable it uses defined. (prometheus_e2e_test.cc also runs each expression on Prometheus.)
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

json LoadDashboard() {
  std::ifstream in(std::string(KW_SOURCE_DIR) + "/deploy/grafana/kiriwake-dashboard.json");
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

TEST(GrafanaDashboard, LoadsAndIsWellFormed) {
  json d = LoadDashboard();
  ASSERT_FALSE(d.is_discarded()) << "not valid JSON";
  ASSERT_TRUE(d["panels"].is_array());
  EXPECT_FALSE(d.value("uid", "").empty());
  std::set<std::string> vars = {"__rate_interval", "__interval", "__range"};
  for (const auto& v : d["templating"]["list"]) vars.insert(v["name"].get<std::string>());
  std::set<int> ids;
  std::regex var_re(R"(\$\{?([A-Za-z_][A-Za-z0-9_]*))");
  for (const auto& p : d["panels"]) {
    SCOPED_TRACE(p.value("title", "?"));
    int id = p["id"].get<int>();
    EXPECT_TRUE(ids.insert(id).second) << "duplicate panel id " << id;
    const auto& g = p["gridPos"];
    EXPECT_GE(g["x"].get<int>(), 0);
    EXPECT_LE(g["x"].get<int>() + g["w"].get<int>(), 24);
    EXPECT_GT(g["h"].get<int>(), 0);
    ASSERT_TRUE(p["targets"].is_array());
    ASSERT_FALSE(p["targets"].empty());
    std::set<std::string> refs;
    for (const auto& t : p["targets"]) {
      EXPECT_TRUE(refs.insert(t["refId"].get<std::string>()).second);
      std::string expr = t["expr"].get<std::string>();
      EXPECT_FALSE(expr.empty());
      for (auto it = std::sregex_iterator(expr.begin(), expr.end(), var_re);
           it != std::sregex_iterator(); ++it) {
        EXPECT_TRUE(vars.count((*it)[1].str())) << "undefined variable $" << (*it)[1].str();
      }
    }
  }
  EXPECT_GE(ids.size(), 4u);
}

}  // namespace
