// agent/agent.h: the `kiriwake agent` daemon: a responder, one prober per (network, proto)
// bound to that network's source address, history in SQLite (store/probe_store.h, committed
// every 500 ms), per-window aggregates, and an HTTP endpoint (/metrics, /api/v1/observations,
// /healthz) on its own thread. SIGHUP-style reloads rebuild the probers from a fresh config
// while the database, responder and HTTP server stay up. Logs go through a callback as logfmt
// fields; the library never prints. Run() is single-threaded apart from the HTTP thread.
#ifndef KIRIWAKE_AGENT_AGENT_H_
#define KIRIWAKE_AGENT_AGENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "agent/agent_config.h"
#include "util/result.h"

namespace kiriwake::agent {

// level: "info", "warn", "error"; fields: logfmt ("msg=\"...\" peer=...").
using LogFn = std::function<void(std::string_view level, std::string_view fields)>;

struct AgentControl {
  const std::atomic<bool>* stop = nullptr;
  std::atomic<bool>* reload = nullptr;
  // Called on reload; an error keeps the running config (and is logged).
  std::function<Result<AgentConfig>()> load_config;
  // When not empty: after every socket, the database and the HTTP port are open, switch to this
  // user (and its group) so the long-running process holds no root privileges.
  std::string user;
  LogFn log;
};

// Runs until *control.stop. Returns an error when startup fails (bad address, cannot bind,
// cannot open the database, unknown user); a clean stop flushes and commits, then returns OK.
Status RunAgent(AgentConfig config, const AgentControl& control);

// Parses `since` for /api/v1/observations: unix seconds ("1732650000.5") or RFC 3339 UTC
// ("2026-11-26T20:31:58Z", fractional seconds allowed). Returns realtime nanoseconds.
Result<int64_t> ParseSince(std::string_view since);

}  // namespace kiriwake::agent

#endif  // KIRIWAKE_AGENT_AGENT_H_
