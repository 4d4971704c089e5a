// util/exit_status.h: what a verb tells the shell, like diff and ripgrep: 0 nothing wrong found,
// 1 a problem found (loss, degradation, a culprit named), 2 an error (usage, unreadable or
// unrecognised input, internal). An error wins over a finding. Only cli/main.cc turns this into
// the process status; interrupted runs exit 128 + the signal.
#ifndef KIRIWAKE_UTIL_EXIT_STATUS_H_
#define KIRIWAKE_UTIL_EXIT_STATUS_H_

namespace kiriwake {

enum class ExitStatus { kOk = 0, kProblemFound = 1, kError = 2 };

// Combines two outcomes: an error wins, then a finding, then OK.
inline ExitStatus Worst(ExitStatus a, ExitStatus b) {
  return static_cast<int>(a) > static_cast<int>(b) ? a : b;
}

}  // namespace kiriwake

#endif  // KIRIWAKE_UTIL_EXIT_STATUS_H_
