#include "agent/agent_metrics.h"

#include <iterator>

#include <fmt/format.h>

namespace kiriwake::agent {

namespace {
// Prometheus label values escape backslash, double quote and newline.
std::string Esc(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

void AgentMetrics::SetPeers(const std::vector<Key>& peers) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<Key, Series> next;
  for (const Key& k : peers) {
    auto it = series_.find(k);
    next[k] = it == series_.end() ? Series{} : it->second;
  }
  series_ = std::move(next);
}

void AgentMetrics::Record(const std::string& peer, const std::string& network,
                          const std::string& proto, const probe::ProbeEvent& e) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(Key{peer, network, proto});
  if (it == series_.end()) return;  // not configured: never grow cardinality
  Series& s = it->second;
  switch (e.outcome) {
    case probe::ProbeOutcome::kAnswered: {
      ++s.sent;
      ++s.answered;
      double sec = e.rtt_ms / 1e3;
      for (size_t i = 0; i < kRttBucketsSeconds.size(); ++i) {
        if (sec <= kRttBucketsSeconds[i]) ++s.buckets[i];
      }
      ++s.rtt_count;
      s.rtt_sum_s += sec;
      break;
    }
    case probe::ProbeOutcome::kLost:
      ++s.sent;
      ++s.lost;
      break;
    case probe::ProbeOutcome::kErrored:
      ++s.sent;
      ++s.errored;
      break;
    case probe::ProbeOutcome::kLate:
      ++s.late;
      break;
    case probe::ProbeOutcome::kDuplicate:
      ++s.duplicates;
      break;
  }
}

void AgentMetrics::SetResponder(const probe::ResponderCounters& c) {
  std::lock_guard<std::mutex> lock(mu_);
  responder_ = c;
}

std::string AgentMetrics::Render() const {
  std::vector<std::pair<PathKey, PathCounters>> paths;
  probe::ResponderCounters responder;
  {
    std::lock_guard<std::mutex> lock(mu_);
    paths.assign(series_.begin(), series_.end());
    responder = responder_;
  }
  return RenderExposition(src_, paths, responder);
}

std::string RenderExposition(const std::string& src,
                             const std::vector<std::pair<PathKey, PathCounters>>& paths,
                             const probe::ResponderCounters& responder) {
  using Series = PathCounters;
  std::string out;
  out.reserve(512 + paths.size() * 4096);
  auto counter = [&](const char* name, const char* help, auto get) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} counter\n", name, help, name);
    for (const auto& [k, s] : paths) {
      fmt::format_to(
          std::back_inserter(out), "{}{{src=\"{}\",peer=\"{}\",network=\"{}\",proto=\"{}\"}} {}\n",
          name, Esc(src), Esc(std::get<0>(k)), Esc(std::get<1>(k)), Esc(std::get<2>(k)), get(s));
    }
  };
  counter("kiriwake_probe_sent_total", "Probes that have ended (answered, lost or errored).",
          [](const Series& s) { return s.sent; });
  counter("kiriwake_probe_answered_total", "Probes answered before their timeout.",
          [](const Series& s) { return s.answered; });
  counter("kiriwake_probe_lost_total", "Probes with no reply by their timeout.",
          [](const Series& s) { return s.lost; });
  counter("kiriwake_probe_late_total", "Replies that came after their probe was counted lost.",
          [](const Series& s) { return s.late; });
  counter("kiriwake_probe_errored_total", "Probes ended by an ICMP error or a refused send.",
          [](const Series& s) { return s.errored; });
  counter("kiriwake_probe_duplicate_total", "Extra replies to an already answered probe.",
          [](const Series& s) { return s.duplicates; });
  const char* h = "kiriwake_probe_rtt_seconds";
  fmt::format_to(std::back_inserter(out),
                 "# HELP {} Round-trip time of answered probes, responder turnaround "
                 "excluded.\n# TYPE {} histogram\n",
                 h, h);
  for (const auto& [k, s] : paths) {
    std::string labels = fmt::format("src=\"{}\",peer=\"{}\",network=\"{}\",proto=\"{}\"", Esc(src),
                                     Esc(std::get<0>(k)), Esc(std::get<1>(k)), Esc(std::get<2>(k)));
    for (size_t i = 0; i < kRttBucketsSeconds.size(); ++i) {
      fmt::format_to(std::back_inserter(out), "{}_bucket{{{},le=\"{}\"}} {}\n", h, labels,
                     kRttBucketsSeconds[i], s.buckets[i]);
    }
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{},le=\"+Inf\"}} {}\n", h, labels,
                   s.rtt_count);
    fmt::format_to(std::back_inserter(out), "{}_sum{{{}}} {}\n", h, labels, s.rtt_sum_s);
    fmt::format_to(std::back_inserter(out), "{}_count{{{}}} {}\n", h, labels, s.rtt_count);
  }
  out +=
      "# HELP kiriwake_agent_peers Configured (peer, network, proto) paths.\n"
      "# TYPE kiriwake_agent_peers gauge\n";
  fmt::format_to(std::back_inserter(out), "kiriwake_agent_peers{{src=\"{}\"}} {}\n", Esc(src),
                 paths.size());
  const probe::ResponderCounters& r = responder;
  out +=
      "# HELP kiriwake_responder_received_total Datagrams read by the responder.\n"
      "# TYPE kiriwake_responder_received_total counter\n";
  fmt::format_to(std::back_inserter(out), "kiriwake_responder_received_total{{src=\"{}\"}} {}\n",
                 Esc(src), r.received);
  out +=
      "# HELP kiriwake_responder_replied_total Replies sent by the responder.\n"
      "# TYPE kiriwake_responder_replied_total counter\n";
  fmt::format_to(std::back_inserter(out), "kiriwake_responder_replied_total{{src=\"{}\"}} {}\n",
                 Esc(src), r.replied);
  out +=
      "# HELP kiriwake_responder_dropped_total Datagrams the responder ignored, by reason.\n"
      "# TYPE kiriwake_responder_dropped_total counter\n";
  auto drop = [&](const char* reason, uint64_t v) {
    fmt::format_to(std::back_inserter(out),
                   "kiriwake_responder_dropped_total{{src=\"{}\",reason=\"{}\"}} {}\n", Esc(src),
                   reason, v);
  };
  for (size_t i = 1; i < 8; ++i) {
    drop(probe::DecodeErrorName(static_cast<probe::DecodeError>(i)), r.malformed[i]);
  }
  drop("not_request", r.not_request);
  drop("rate_limited", r.rate_limited);
  drop("table_full", r.table_full);
  drop("send_error", r.send_errors);
  return out;
}

}  // namespace kiriwake::agent
