#include "cli/signals.h"

#include <csignal>
#include <cstring>

namespace kiriwake::cli {

namespace {
SignalFlags g_flags;

void OnSignal(int sig) {
  if (sig == SIGHUP) {
    g_flags.reload.store(true);
    return;
  }
  g_flags.stop_signal.store(sig);
  g_flags.stop.store(true);
}
}  // namespace

SignalFlags* InstallSignalHandlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  return &g_flags;
}

}  // namespace kiriwake::cli
