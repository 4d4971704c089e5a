// cli/agent_cmd.cc: `kiriwake agent`, the daemon (run by kiriwake-agent, see
// kiriwake_agent_main.cc).
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <malloc.h>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "util/terminal_safe.h"

namespace kiriwake::cli {

namespace {

struct AgentArgs {
  std::string config;
  std::string topology;
  std::string self;
  std::string user;
  // Overrides for --topology mode (agent.yaml sets these itself).
  std::string db, http, listen;
  double interval_ms = 0, aggregate_seconds = 0;
};

// Structured logs to stderr, one logfmt line each: ts=... level=... msg="..." key=value. Fields
// quote peers' names and errors: controls are escaped (util/terminal_safe.h).
void LogLine(std::string_view level, std::string_view fields) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  fmt::print(stderr, "ts={:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z level={} {}\n",
             t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
             ts.tv_nsec / 1'000'000, level, text::TerminalSafe(fields));
  std::fflush(stderr);
}

ExitStatus RunAgentVerb(const AgentArgs& a) {
  if (a.config.empty() == a.topology.empty()) {
    PrintError("give either --config agent.yaml or --topology T.yaml --self NAME");
    return ExitStatus::kError;
  }
  if (!a.config.empty() && (!a.db.empty() || !a.http.empty() || !a.listen.empty() ||
                            a.interval_ms > 0 || a.aggregate_seconds > 0)) {
    PrintError("--db, --http, --listen, --interval-ms and --aggregate-seconds go with --topology; "
               "agent.yaml sets them itself");
    return ExitStatus::kError;
  }
  if (!a.topology.empty() && a.self.empty()) {
    PrintError("--topology needs --self NAME (which host of the topology this agent runs on)");
    return ExitStatus::kError;
  }
  auto load = [a]() -> Result<agent::AgentConfig> {
    if (!a.config.empty()) return agent::LoadAgentConfig(a.config);
    auto c = agent::AgentConfigFromTopology(a.topology, a.self);
    if (!c.ok()) return c;
    if (!a.db.empty()) c->db = a.db;
    if (!a.http.empty()) c->http = a.http;
    if (!a.listen.empty()) c->listen = a.listen;
    if (a.interval_ms > 0) c->interval_ms = a.interval_ms;
    if (a.aggregate_seconds > 0) c->aggregate_seconds = a.aggregate_seconds;
    return c;
  };
  // A daemon's memory should stay flat: one malloc arena for every thread (an HTTP thread's own
  // arena would keep what a scrape freed resident, out of reach of malloc_trim's timing), and big
  // temporaries (a /metrics page for 1,000 peers is ~2 MB) mmapped and returned when freed, not
  // left in the heap (glibc otherwise raises its mmap threshold after the first such free).
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);
  auto config = load();
  if (!config.ok()) {
    PrintError(config.status());
    return ExitStatus::kError;
  }
  SignalFlags* flags = InstallSignalHandlers();
  agent::AgentControl control;
  control.stop = &flags->stop;
  control.reload = &flags->reload;
  control.load_config = load;
  control.user = a.user;
  control.log = LogLine;
  Status s = agent::RunAgent(std::move(*config), control);
  if (!s.ok()) {
    PrintError(s);
    return ExitStatus::kError;
  }
  return ExitStatus::kOk;  // stopped by SIGTERM/SIGINT: a graceful stop is a success
}

}  // namespace

void AddAgentCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<AgentArgs>();
  CLI::App* sub = app.add_subcommand(
      "agent",
      "Run the probing agent: answer probes, probe every configured peer on every network, keep "
      "history in SQLite and serve /metrics, /api/v1/observations?since= and /healthz.\n"
      "SIGHUP reloads the config; SIGTERM/SIGINT stop gracefully (the last window is flushed).\n"
      "Exit status: 0 stopped by a signal; 2 an error (bad config, cannot bind or open the db).");
  sub->add_option("--config", args->config, "agent.yaml (peers, networks, listen, http, db, ...)");
  sub->add_option("--topology", args->topology, "derive peers from a topology file (with --self)");
  sub->add_option("--self", args->self, "this host's name in the topology");
  sub->add_option("--db", args->db, "with --topology: history database path");
  sub->add_option("--http", args->http, "with --topology: HTTP ADDR:PORT (\"\" disables)");
  sub->add_option("--listen", args->listen, "with --topology: responder ADDR:PORT");
  sub->add_option("--interval-ms", args->interval_ms, "with --topology: probe interval per peer");
  sub->add_option("--aggregate-seconds", args->aggregate_seconds,
                  "with --topology: aggregation window of the history");
  sub->add_option("--user", args->user,
                  "drop to this user after opening sockets, the database and the HTTP port");
  verbs->push_back({sub, [args] { return RunAgentVerb(*args); }});
}

}  // namespace kiriwake::cli
