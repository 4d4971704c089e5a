// util/subprocess.h: runs a program (argv, no shell) to completion with bytes on its stdin and
// its stdout and stderr captured. For the few external tools kiriwake drives (ip, nft, dot).
// Thread-compatible; blocks the caller until the child exits.
#ifndef KIRIWAKE_UTIL_SUBPROCESS_H_
#define KIRIWAKE_UTIL_SUBPROCESS_H_

#include <string>
#include <vector>

#include "util/status.h"

namespace kiriwake {

struct SubprocessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// NotFound when the program cannot be run; otherwise OK with the exit code in *result.
Status RunSubprocess(const std::vector<std::string>& argv, const std::string& input,
                     SubprocessResult* result);

// Convenience: OK only when the program exits 0; the error quotes the command and its stderr.
Status RunChecked(const std::vector<std::string>& argv, const std::string& input = "",
                  std::string* out = nullptr);

}  // namespace kiriwake

#endif  // KIRIWAKE_UTIL_SUBPROCESS_H_
