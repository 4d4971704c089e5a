// `kiriwake sim-exporter`: serve the Prometheus exposition of every source of a `kiriwake sim`
// run, as if each were an agent — the load generator of the Prometheus scale test
// (bench/prom_scale.sh), and a way to try dashboards and alert rules without a fleet.
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include "agent/simulated_agents.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "cli/verb.h"
#include "model/observation.h"
#include "model/topology.h"
#include "probe/endpoint.h"

namespace kiriwake::cli {
namespace {

struct ExporterArgs {
  std::string dir;
  std::string listen = "127.0.0.1:9700";
  double period = 300;
  std::string file_sd;
  int threads = 4;
};

constexpr const char* kExporterHelp =
    "Serve the Prometheus exposition of every source in a `kiriwake sim` directory as if each "
    "were an agent: GET /agents/NAME/metrics. Counters start at zero and grow so that over "
    "--period seconds they increase by the observation's sent and lost counts, so increase() "
    "over that window reads back what the simulator measured and `localize --prometheus` can be "
    "checked against DIR/truth.json. --file-sd writes the Prometheus targets (one per agent, "
    "with its metrics path and instance label). Runs until SIGINT or SIGTERM.\n\n"
    "Exit status: 0 stopped by a signal; 2 an error.";

ExitStatus Run(const ExporterArgs& a) {
  auto topo = model::LoadTopology(a.dir + "/topology.yaml");
  if (!topo.ok()) {
    PrintError(topo.status());
    return ExitStatus::kError;
  }
  auto obs = model::LoadObservations(a.dir + "/observations.jsonl", *topo, {});
  if (!obs.ok()) {
    PrintError(obs.status());
    return ExitStatus::kError;
  }
  if (!(a.period > 0) || a.threads < 1) {
    PrintError("--period expects seconds > 0; --threads at least 1");
    return ExitStatus::kError;
  }
  auto ep = probe::ParseEndpoint(a.listen, 9700);
  if (!ep.ok()) {
    PrintError(fmt::format("--listen: {}", ep.status().ToString()));
    return ExitStatus::kError;
  }
  auto agents = std::make_shared<const agent::SimulatedAgents>(*topo, obs->observations, a.period);
  if (!a.file_sd.empty()) {
    nlohmann::json doc = nlohmann::json::array();
    std::string target = ep->ToString();
    for (const std::string& name : agents->names()) {
      doc.push_back(
          {{"targets", {target}},
           {"labels",
            {{"__metrics_path__", fmt::format("/agents/{}/metrics", name)}, {"instance", name}}}});
    }
    std::ofstream f(a.file_sd, std::ios::trunc);
    f << doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    f.close();
    if (!f) {
      PrintError(fmt::format("{}: cannot write", a.file_sd));
      return ExitStatus::kError;
    }
  }
  SignalFlags* flags = InstallSignalHandlers();
  httplib::Server http;
  int threads = a.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // One request per connection: thousands of targets each holding a kept-alive connection would
  // hold every worker between scrapes.
  http.set_keep_alive_max_count(1);
  // cpp-httplib listens with a backlog of 5 (a build-time constant of Debian's shared library);
  // thousands of targets connecting each scrape interval overflow it ("SYN flooding" in the
  // kernel log, scrapes failing). Keep the listening socket and widen its backlog after bind.
  int listen_fd = -1;
  http.set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  auto start = std::chrono::steady_clock::now();
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  http.Get(R"(/agents/([^/]+)/metrics)",
           [agents, start](const httplib::Request& req, httplib::Response& res) {
             double elapsed =
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
             std::string body;
             if (!agents->Render(req.matches[1].str(), elapsed, &body)) {
               res.status = 404;
               res.set_content("no such agent\n", "text/plain");
               return;
             }
             res.set_content(std::move(body), "text/plain; version=0.0.4; charset=utf-8");
           });
  if (!http.bind_to_port(ep->AddressString(), ep->port())) {
    PrintError(fmt::format("--listen {}: cannot bind", a.listen));
    return ExitStatus::kError;
  }
  if (listen_fd >= 0) ::listen(listen_fd, 4096);
  std::thread server([&http] { http.listen_after_bind(); });
  fmt::print("serving {} simulated agents ({} paths) on http://{}/agents/NAME/metrics\n",
             agents->names().size(), agents->paths(), ep->ToString());
  std::fflush(stdout);
  while (!flags->stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  http.stop();
  server.join();
  return ExitStatus::kOk;
}

}  // namespace

void AddSimExporterCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto a = std::make_shared<ExporterArgs>();
  CLI::App* sub = app.add_subcommand("sim-exporter", kExporterHelp);
  sub->add_option("dir", a->dir, "A directory written by `kiriwake sim`")->required();
  sub->add_option("--listen", a->listen, "HOST:PORT to serve on (default 127.0.0.1:9700)");
  sub->add_option("--period", a->period,
                  "Seconds over which counters grow by one observation's counts (default 300)");
  sub->add_option("--file-sd", a->file_sd, "Write Prometheus file_sd targets (JSON) here");
  sub->add_option("--threads", a->threads, "HTTP worker threads (default 4)");
  verbs->push_back({sub, [a] { return Run(*a); }});
}

}  // namespace kiriwake::cli
