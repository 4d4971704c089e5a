// Runs the real binary and checks exit status, stdout and stderr separately (fping's ci/).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace kiriwake {
namespace {

TEST(Cli, HelpGoesToStdoutWithStatusZero) {
  auto r = RunKiriwake("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Exit status"), std::string::npos);
  EXPECT_EQ(r.err, "");
}

TEST(Cli, VersionPrintsTheVersion) {
  auto r = RunKiriwake("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, std::string("kiriwake ") + KIRIWAKE_VERSION + "\n");
}

TEST(Cli, NoVerbIsAUsageErrorWithStatusTwo) {
  auto r = RunKiriwake("");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err, "");
}

TEST(Cli, UnknownFlagIsAUsageErrorWithStatusTwo) {
  auto r = RunKiriwake("--no-such-flag");
  EXPECT_EQ(r.status, 2);
}

}  // namespace
}  // namespace kiriwake
