// tests/cli/cli_runner.h: runs the built kiriwake binary through /bin/sh and captures exit
// status, stdout and stderr separately.
#ifndef KIRIWAKE_TESTS_CLI_CLI_RUNNER_H_
#define KIRIWAKE_TESTS_CLI_CLI_RUNNER_H_

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace kiriwake {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string SlurpFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `args` is appended to the binary's path in a shell command line (quote as needed).
inline CliRun RunKiriwake(const std::string& args, const std::string& stdin_path = "/dev/null") {
  static int counter = 0;
  std::string base = "/tmp/kw_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string cmd = std::string(KIRIWAKE_BIN) + " " + args + " <" + stdin_path + " >" + base +
                    ".out 2>" + base + ".err";
  int raw = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  r.out = SlurpFile(base + ".out");
  r.err = SlurpFile(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

}  // namespace kiriwake

#endif  // KIRIWAKE_TESTS_CLI_CLI_RUNNER_H_
