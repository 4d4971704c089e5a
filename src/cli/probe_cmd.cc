// cli/probe_cmd.cc: `kiriwake probe` (fping-like one-shot) and `kiriwake responder`.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/signals.h"
#include "probe/datagram_socket.h"
#include "probe/icmp_socket.h"
#include "probe/probe_summary.h"
#include "probe/prober.h"
#include "probe/responder.h"
#include "probe/tcp_prober.h"
#include "report/probe_json.h"
#include "report/probe_text.h"

namespace kiriwake::cli {

namespace {

// The UDP port kiriwake responders listen on unless told otherwise (unassigned by IANA).
constexpr uint16_t kDefaultProbePort = 8623;

struct ProbeArgs {
  uint64_t count = 10;
  double interval_ms = 1000;
  double timeout_ms = 1000;
  std::string proto = "udp";
  int port = 0;
  std::string source;
  std::string device;
  std::string key_file;
  std::string network;
  double rate_pps = 0;
  size_t size = 0;
  bool json = false;
  std::string observations;
  std::string src;
  std::vector<std::string> targets;
};

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

int64_t MsToNs(double ms) { return static_cast<int64_t>(ms * 1e6); }

ExitStatus RunProbe(const ProbeArgs& a) {
  ExitStatus status = ExitStatus::kOk;
  probe::ProberOptions o;
  o.count = a.count;
  o.interval_ns = MsToNs(a.interval_ms);
  o.timeout_ns = MsToNs(a.timeout_ms);
  o.stagger_start = false;
  o.max_rate_total_pps = a.rate_pps;
  o.request_size = a.size;
  if (a.count == 0) {
    PrintError("--count must be at least 1 (use `kiriwake agent` to probe continuously)");
    return ExitStatus::kError;
  }
  if (Status s = probe::Prober::Validate(o); !s.ok()) {
    PrintError(s);
    return ExitStatus::kError;
  }
  if (!a.key_file.empty()) {
    if (a.proto != "udp") {
      PrintError("--key-file applies to --proto udp only");
      return ExitStatus::kError;
    }
    auto key = probe::LoadProbeKey(a.key_file);
    if (!key.ok()) {
      PrintError(key.status());
      return ExitStatus::kError;
    }
    o.key = *key;
  }
  uint16_t port = static_cast<uint16_t>(a.port);
  if (a.proto == "udp" && port == 0) port = kDefaultProbePort;
  if (a.proto == "tcp" && port == 0) {
    PrintError("--proto tcp needs --port (the service port to connect to)");
    return ExitStatus::kError;
  }
  std::vector<probe::ProbeTarget> targets;
  for (const std::string& t : a.targets) {
    auto ep = probe::ResolveEndpoint(t, port);
    if (!ep.ok()) {
      PrintError(ep.status());
      status = ExitStatus::kError;  // the other targets are still probed; the error wins
      continue;
    }
    targets.push_back({t, *ep, a.network});
  }
  if (targets.empty()) return ExitStatus::kError;
  probe::Endpoint source;
  if (!a.source.empty()) {
    auto s = probe::ParseEndpoint(a.source, 0);
    if (!s.ok()) {
      PrintError(s.status());
      return ExitStatus::kError;
    }
    source = *s;
  }
  std::string src = a.src.empty() ? HostName() : a.src;
  probe::SystemClock* clock = probe::SystemClock::Get();
  probe::SummaryCollector collector(targets, a.proto, src, clock->RealtimeNs());
  std::vector<probe::TargetSummary> labels = collector.Finish(0);
  size_t width = 0;
  for (const auto& t : labels) width = std::max(width, report::TargetLabel(t).size());
  // A streaming verb: each loss line must reach a pipe as it happens (fping 4.3, #179).
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  SignalFlags* flags = InstallSignalHandlers();
  auto sink = [&](const probe::ProbeEvent& e) {
    collector.Add(e);
    if (e.outcome == probe::ProbeOutcome::kAnswered) return;
    std::string line = a.json ? report::JsonLine(report::ProbeEventJson(labels[e.target], e))
                              : report::RenderProbeEventLine(labels[e.target], e, a.timeout_ms,
                                                             width);
    if (std::fputs(line.c_str(), stdout) == EOF && errno == EPIPE) {
      flags->stop.store(true);  // the reader went away (`| head`): stop quietly (ripgrep #200)
    }
  };
  std::unique_ptr<probe::DatagramSocket> socket;
  std::unique_ptr<probe::Prober> prober;
  Status run;
  if (a.proto == "tcp") {
    probe::TcpProber tcp(o, targets, source, clock, sink);
    run = tcp.Run(&flags->stop);
  } else {
    if (a.proto == "udp") {
      probe::UdpSocketOptions so;
      so.bind = source;
      so.device = a.device;
      auto s = probe::UdpSocket::Open(so);
      if (!s.ok()) {
        PrintError(s.status());
        return ExitStatus::kError;
      }
      socket = std::move(*s);
    } else {
      o.mode = probe::ProbeMode::kEcho;
      auto s = probe::IcmpSocket::Open(source, a.device);
      if (!s.ok()) {
        PrintError(s.status());
        return ExitStatus::kError;
      }
      socket = std::move(*s);
    }
    prober = std::make_unique<probe::Prober>(o, targets, clock, socket.get(), sink);
    run = prober->Run(&flags->stop);
    if (a.proto == "udp") {
      for (size_t i = 0; i < targets.size(); ++i) {
        collector.SetDirections(i, prober->target_counters(i));
      }
    }
  }
  if (!run.ok()) {
    PrintError(run);
    status = ExitStatus::kError;
  }
  std::vector<probe::TargetSummary> summaries = collector.Finish(clock->RealtimeNs());
  if (a.json) {
    for (const auto& t : summaries) std::fputs(report::JsonLine(report::SummaryJson(t)).c_str(), stdout);
  } else {
    std::fputs(report::RenderProbeSummaries(summaries).c_str(), stdout);
  }
  if (a.observations == "-") {
    for (const auto& t : summaries) {
      std::fputs(report::JsonLine(report::ObservationJson(t)).c_str(), stdout);
    }
  } else if (!a.observations.empty()) {
    std::ofstream out(a.observations, std::ios::trunc);
    for (const auto& t : summaries) out << report::JsonLine(report::ObservationJson(t));
    out.flush();
    if (!out) {
      PrintError(fmt::format("cannot write {}", a.observations));
      status = ExitStatus::kError;
    }
  }
  for (const auto& t : summaries) {
    if (t.series.verdict != model::Verdict::kHealthy) status = Worst(status, ExitStatus::kProblemFound);
  }
  if (flags->stop_signal.load() != 0) {
    std::fflush(stdout);
    std::_Exit(128 + flags->stop_signal.load());
  }
  return status;
}

struct ResponderArgs {
  std::string listen = "0.0.0.0:8623";
  std::string key_file;
  std::string device;
  double per_source_rate_pps = 2000;
};

ExitStatus RunResponder(const ResponderArgs& a) {
  auto ep = probe::ParseEndpoint(a.listen, kDefaultProbePort);
  if (!ep.ok()) {
    PrintError(ep.status());
    return ExitStatus::kError;
  }
  probe::ResponderOptions ro;
  ro.per_source_rate_pps = a.per_source_rate_pps;
  ro.per_source_burst = std::max(10.0, a.per_source_rate_pps / 10);
  if (!a.key_file.empty()) {
    auto key = probe::LoadProbeKey(a.key_file);
    if (!key.ok()) {
      PrintError(key.status());
      return ExitStatus::kError;
    }
    ro.key = *key;
  }
  probe::UdpSocketOptions so;
  so.bind = *ep;
  so.device = a.device;
  auto sock = probe::UdpSocket::Open(so);
  if (!sock.ok()) {
    PrintError(sock.status());
    return ExitStatus::kError;
  }
  SignalFlags* flags = InstallSignalHandlers();
  probe::Responder r(ro, probe::SystemClock::Get(), sock->get());
  fmt::print(stderr, "kiriwake: responder listening on {} (timestamps: {}, key: {})\n",
             (*sock)->LocalAddress().ToString(), probe::TimestampModeName((*sock)->timestamp_mode()),
             ro.key.enabled() ? "yes" : "no");
  Status s = r.Run(&flags->stop);
  const auto& c = r.counters();
  fmt::print(stderr,
             "kiriwake: responder stopped: received={} replied={} malformed={} not_request={} "
             "rate_limited={} send_errors={}\n",
             c.received, c.replied, c.Malformed(), c.not_request, c.rate_limited, c.send_errors);
  if (!s.ok()) {
    PrintError(s);
    return ExitStatus::kError;
  }
  return ExitStatus::kOk;
}

}  // namespace

void AddProbeCommand(CLI::App& app, std::vector<Verb>* verbs) {
  auto args = std::make_shared<ProbeArgs>();
  CLI::App* sub = app.add_subcommand(
      "probe",
      "Probe targets like fping: print each loss as it happens, then per target a verdict, "
      "where the losses are, and RTT percentiles.\n"
      "UDP probes need `kiriwake responder` (or an agent) on the target and tell one-way losses "
      "apart; --proto icmp needs no software on the target; --proto tcp times a connect().\n"
      "Exit status: 0 every target healthy; 1 loss or degradation on some target; 2 an error "
      "(usage, unresolvable target, socket failure); 128+N when interrupted by signal N.");
  sub->add_option("-c,--count", args->count, "probes per target")->capture_default_str();
  sub->add_option("-i,--interval", args->interval_ms, "milliseconds between probes to one target")
      ->capture_default_str();
  sub->add_option("-t,--timeout", args->timeout_ms,
                  "milliseconds after which a probe is LOST (a later reply is reported late)")
      ->capture_default_str();
  sub->add_option("--proto", args->proto, "udp (kiriwake responder), icmp (echo) or tcp (connect)")
      ->check(CLI::IsMember({"udp", "icmp", "tcp"}))
      ->capture_default_str();
  sub->add_option("-p,--port", args->port, "destination port (udp: 8623; tcp: required)")
      ->check(CLI::Range(1, 65535));
  sub->add_option("-S,--source", args->source, "source address to bind (picks the network)");
  sub->add_option("-I,--device", args->device, "interface to bind (SO_BINDTODEVICE)");
  sub->add_option("--key-file", args->key_file, "shared HMAC key (udp; must match the responder)");
  sub->add_option("--network", args->network, "network name recorded in observations");
  sub->add_option("--rate", args->rate_pps, "overall cap in probes per second (0: none)");
  sub->add_option("--size", args->size, "pad UDP/ICMP probes to this many bytes");
  sub->add_flag("--json", args->json,
                "JSON Lines on stdout: one record per loss as it happens, then one summary per "
                "target (docs/json.md)");
  sub->add_option("--observations", args->observations,
                  "also write the observations JSON Lines (for `kiriwake localize`) to this file");
  sub->add_option("--src", args->src, "name of this host in observations (default: hostname)");
  sub->add_option("targets", args->targets, "host names or addresses")->required();
  verbs->push_back({sub, [args] { return RunProbe(*args); }});

  auto rargs = std::make_shared<ResponderArgs>();
  CLI::App* rsub = app.add_subcommand(
      "responder",
      "Answer kiriwake UDP probes until SIGTERM/SIGINT. Replies are never larger than requests; "
      "each source is rate-limited; malformed, foreign and unauthenticated packets are counted "
      "and ignored.\nExit status: 0 stopped by a signal; 2 an error (bad address, cannot bind).");
  rsub->add_option("--listen", rargs->listen, "ADDR:PORT to listen on")->capture_default_str();
  rsub->add_option("--key-file", rargs->key_file, "shared HMAC key; unkeyed probes are rejected");
  rsub->add_option("-I,--device", rargs->device, "interface to bind (SO_BINDTODEVICE)");
  rsub->add_option("--rate", rargs->per_source_rate_pps, "replies per second per source address")
      ->capture_default_str();
  verbs->push_back({rsub, [rargs] { return RunResponder(*rargs); }});
}

}  // namespace kiriwake::cli
