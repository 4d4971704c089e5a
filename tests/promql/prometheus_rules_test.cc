// The shipped rules must load in Prometheus's own checker and pass their promtool unit tests
// (deploy/prometheus/kiriwake-rules.test.yml: an alert that must fire, one that must not).
#include <sys/wait.h>

#include <cstdlib>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace {

int Shell(const std::string& cmd) {
  int raw = std::system(cmd.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128;
}

TEST(PrometheusRules, PromtoolChecksAndUnitTestsPass) {
  if (Shell("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (package prometheus; scripts/setup installs it)";
  }
  std::string dir = std::string(KW_SOURCE_DIR) + "/deploy/prometheus";
  EXPECT_EQ(Shell(fmt::format("promtool check rules {}/kiriwake-rules.yml >/dev/null", dir)), 0);
  EXPECT_EQ(Shell(fmt::format("cd {} && promtool test rules kiriwake-rules.test.yml", dir)), 0);
  EXPECT_EQ(Shell(fmt::format("promtool check config {}/prometheus.yml >/dev/null 2>&1", dir)), 0);
}

}  // namespace
