#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "cli_runner.h"

namespace kiriwake {
namespace {

const std::string kSeed = std::string(KW_SOURCE_DIR) + "/examples/seed-incident";

TEST(DiagnoseCmd, SeedIncidentExitsOneAndEndsInTheCulprit) {
  auto r = RunKiriwake("diagnose " + kSeed);
  EXPECT_EQ(r.status, 1) << r.err;
  ASSERT_FALSE(r.out.empty());
  std::string last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
  EXPECT_EQ(last, "Culprit: dac-esxi2-allied\n");
  EXPECT_NE(r.out.find("Ceph's common endpoint: osd.3 on ceph4"), std::string::npos);
}

TEST(DiagnoseCmd, JsonNamesTheCulprit) {
  auto r = RunKiriwake("diagnose --json " + kSeed);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("\"culprit\": \"dac-esxi2-allied\""), std::string::npos);
}

TEST(DiagnoseCmd, MissingInputIsExitTwoAndNamed) {
  auto r = RunKiriwake("diagnose /nonexistent/kw-input.txt");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/nonexistent/kw-input.txt"), std::string::npos);
}

TEST(DiagnoseCmd, JsonThatDoesNotParseIsExitTwoNamingLineAndColumn) {
  std::string path = "/tmp/kw_diag_badjson_" + std::to_string(::getpid()) + ".json";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{\n  \"checks\": {,\n}\n", f);
  std::fclose(f);
  auto r = RunKiriwake("diagnose " + path);
  std::remove(path.c_str());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(path + ":2:14: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid JSON"), std::string::npos) << r.err;
}

TEST(DiagnoseCmd, NoInputsIsAUsageError) {
  auto r = RunKiriwake("diagnose");
  EXPECT_EQ(r.status, 2);
}

}  // namespace
}  // namespace kiriwake
