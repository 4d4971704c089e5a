// cli/signals.h: SIGINT/SIGTERM set a stop flag that loops poll (they end within 100 ms), SIGHUP
// sets a reload flag for the agent. The handlers only store to lock-free atomics.
#ifndef KIRIWAKE_CLI_SIGNALS_H_
#define KIRIWAKE_CLI_SIGNALS_H_

#include <atomic>

namespace kiriwake::cli {

struct SignalFlags {
  std::atomic<bool> stop{false};
  std::atomic<int> stop_signal{0};
  std::atomic<bool> reload{false};
};

// Installs the handlers (once) and returns the flags they set.
SignalFlags* InstallSignalHandlers();

}  // namespace kiriwake::cli

#endif  // KIRIWAKE_CLI_SIGNALS_H_
