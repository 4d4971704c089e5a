#include "agent/agent.h"

#include <ctime>
#include <map>

#include <fmt/format.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "agent/agent_metrics.h"
#include "agent/http_endpoint.h"
#include "probe/clock.h"
#include "probe/datagram_socket.h"
#include "probe/icmp_socket.h"
#include "probe/probe_summary.h"
#include "probe/prober.h"
#include "probe/responder.h"
#include "report/probe_json.h"
#include "store/probe_store.h"
#include "timeline/instant.h"
#include "util/text.h"

namespace kiriwake::agent {

namespace {

// "At most the last second lost" (issue 6): commit twice a second.
constexpr int64_t kCommitEveryNs = 500'000'000;
constexpr int64_t kPruneEveryNs = 60'000'000'000;

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// One prober per (network, proto): its socket, its peers (as the prober's targets), its window
// collector.
struct Group {
  std::string network, proto;
  std::unique_ptr<probe::DatagramSocket> socket;
  std::unique_ptr<probe::Prober> prober;
  std::unique_ptr<probe::SummaryCollector> window;
  std::vector<uint64_t> fwd_prev, rev_prev;
};

struct Runtime {
  probe::ProbeKey key;
  std::string src;
  std::vector<std::unique_ptr<Group>> groups;
};

Result<std::vector<std::unique_ptr<Group>>> BuildGroups(const AgentConfig& c,
                                                        const probe::ProbeKey& key,
                                                        const std::string& src, AgentMetrics* metrics,
                                                        store::ProbeStore* db) {
  std::map<std::pair<std::string, std::string>, std::vector<AgentPeer>> by;
  for (const AgentPeer& p : c.peers) {
    if (p.proto == "tcp") {
      return Status::Usage(fmt::format(
          "peer '{}': tcp peers are probed by `kiriwake probe --proto tcp` only for now", p.name));
    }
    by[{p.network, p.proto}].push_back(p);
  }
  std::vector<std::unique_ptr<Group>> groups;
  std::vector<std::tuple<std::string, std::string, std::string>> series;
  probe::SystemClock* clock = probe::SystemClock::Get();
  for (auto& [k, peers] : by) {
    auto g = std::make_unique<Group>();
    g->network = k.first;
    g->proto = k.second;
    probe::Endpoint source;
    std::string device;
    for (const AgentNetwork& n : c.networks) {
      if (n.name == g->network) {
        source = n.source;
        device = n.device;
      }
    }
    probe::ProberOptions o;
    o.interval_ns = static_cast<int64_t>(c.interval_ms * 1e6);
    o.timeout_ns = static_cast<int64_t>(c.timeout_ms * 1e6);
    o.stagger_start = true;
    o.send_slack_ns = std::min<int64_t>(o.interval_ns / 50, 20'000'000);
    o.max_rate_total_pps = c.max_rate_pps;
    o.max_rate_per_target_pps = 100;
    if (g->proto == "udp") {
      o.key = key;
      probe::UdpSocketOptions so;
      so.bind = source;
      so.device = device;
      so.receive_buffer_bytes = 1 << 20;
      KW_ASSIGN_OR_RETURN(g->socket, probe::UdpSocket::Open(so));
    } else {
      o.mode = probe::ProbeMode::kEcho;
      KW_ASSIGN_OR_RETURN(g->socket, probe::IcmpSocket::Open(source, device));
    }
    std::vector<probe::ProbeTarget> targets;
    targets.reserve(peers.size());
    for (const AgentPeer& p : peers) {
      targets.push_back({p.name, p.address, p.network});
      series.emplace_back(p.name, p.network, p.proto);
    }
    g->window = std::make_unique<probe::SummaryCollector>(targets, g->proto, src,
                                                          clock->RealtimeNs());
    g->fwd_prev.assign(targets.size(), 0);
    g->rev_prev.assign(targets.size(), 0);
    Group* gp = g.get();
    g->prober = std::make_unique<probe::Prober>(
        o, std::move(targets), clock, g->socket.get(),
        [gp, metrics, db](const probe::ProbeEvent& e) {
          const probe::ProbeTarget& p = gp->prober->targets()[e.target];
          gp->window->Add(e);
          metrics->Record(p.name, p.network, gp->proto, e);
          store::ProbeRecord r;
          r.sent_realtime_ns = e.sent_realtime_ns;
          r.peer = p.name;
          r.network = p.network;
          r.proto = gp->proto;
          r.seq = e.seq;
          r.outcome = static_cast<uint8_t>(e.outcome);
          if (e.outcome == probe::ProbeOutcome::kAnswered ||
              e.outcome == probe::ProbeOutcome::kLate ||
              e.outcome == probe::ProbeOutcome::kDuplicate) {
            r.rtt_ms = e.rtt_ms;
          }
          db->Add(std::move(r));
        });
    groups.push_back(std::move(g));
  }
  metrics->SetPeers(series);
  return groups;
}

// Ends the current window of every group: one aggregate per peer into the store.
void FlushWindows(std::vector<std::unique_ptr<Group>>& groups, store::ProbeStore* db,
                  int64_t now_real) {
  for (auto& g : groups) {
    std::vector<probe::TargetSummary> sums = g->window->Finish(now_real);
    for (size_t i = 0; i < sums.size(); ++i) {
      const probe::TargetCounters& c = g->prober->target_counters(i);
      if (g->proto == "udp" && c.last_reply_seq > 0) {
        sums[i].lost_forward = c.ForwardLost() - std::min(c.ForwardLost(), g->fwd_prev[i]);
        sums[i].lost_reverse = c.ReverseLost() - std::min(c.ReverseLost(), g->rev_prev[i]);
        g->fwd_prev[i] = c.ForwardLost();
        g->rev_prev[i] = c.ReverseLost();
      }
      if (sums[i].series.transmitted > 0) db->AddAggregate(std::move(sums[i]));
    }
    g->window->Reset(now_real);
  }
}

Status DropPrivileges(const std::string& user, const std::string& db_path) {
  passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) return Status::NotFound(fmt::format("no such user '{}'", user));
  // The database was created as root; the HTTP thread reopens it (and its -shm) after the drop.
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::string f = db_path + suffix;
    if (::chown(f.c_str(), pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT) {
      return Status::FromErrno("chown " + f, errno);
    }
  }
  if (setgroups(0, nullptr) != 0) return Status::FromErrno("setgroups", errno);
  if (setgid(pw->pw_gid) != 0) return Status::FromErrno("setgid", errno);
  if (setuid(pw->pw_uid) != 0) return Status::FromErrno("setuid", errno);
  if (setuid(0) == 0) return Status::Internal("still able to regain root after dropping it");
  return Status::Ok();
}

}  // namespace

Result<int64_t> ParseSince(std::string_view since) {
  if (since.empty()) return int64_t{0};
  if (auto ns = timeline::ParseInstantNs(since)) return *ns;
  return Status::Usage(fmt::format(
      "since: expected unix seconds or RFC 3339 like 2026-11-26T20:31:58Z, from 1970 to 2262, "
      "saw \"{}\"",
      EscapeForMessage(since)));
}

Status RunAgent(AgentConfig config, const AgentControl& control) {
  auto log = [&control](std::string_view level, std::string fields) {
    if (control.log) control.log(level, fields);
  };
  Runtime rt;
  rt.src = config.name.empty() ? HostName() : config.name;
  if (!config.key_file.empty()) { KW_ASSIGN_OR_RETURN(rt.key, probe::LoadProbeKey(config.key_file)); }
  KW_ASSIGN_OR_RETURN(auto db, store::ProbeStore::Open(config.db));
  AgentMetrics metrics(rt.src);
  probe::SystemClock* clock = probe::SystemClock::Get();

  std::unique_ptr<probe::UdpSocket> rsock;
  std::unique_ptr<probe::Responder> responder;
  if (!config.listen.empty()) {
    KW_ASSIGN_OR_RETURN(probe::Endpoint listen, probe::ParseEndpoint(config.listen, 8623));
    probe::UdpSocketOptions so;
    so.bind = listen;
    KW_ASSIGN_OR_RETURN(rsock, probe::UdpSocket::Open(so));
    probe::ResponderOptions ro;
    ro.key = rt.key;
    responder = std::make_unique<probe::Responder>(ro, clock, rsock.get());
  }
  KW_ASSIGN_OR_RETURN(rt.groups, BuildGroups(config, rt.key, rt.src, &metrics, db.get()));

  std::unique_ptr<HttpEndpoint> http;
  std::string db_path = config.db;
  std::string src = rt.src;
  if (!config.http.empty()) {
    KW_ASSIGN_OR_RETURN(probe::Endpoint hep, probe::ParseEndpoint(config.http, 9623));
    constexpr const char* kText = "text/plain; charset=utf-8";
    std::map<std::string, HttpHandler> routes;
    routes["/metrics"] = [&metrics](const UrlQuery&) {
      return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics.Render()};
    };
    routes["/healthz"] = [](const UrlQuery&) { return HttpResponse{200, kText, "ok\n"}; };
    routes["/api/v1/observations"] = [db_path, src](const UrlQuery& query) {
      auto since = ParseSince(query.Get("since").value_or(""));
      if (!since.ok()) return HttpResponse{400, kText, since.status().ToString() + "\n"};
      auto reader = store::ProbeStore::Open(db_path, /*read_only=*/true);
      if (!reader.ok()) return HttpResponse{503, kText, reader.status().ToString() + "\n"};
      auto rows = (*reader)->AggregatesSince(*since, src);
      if (!rows.ok()) return HttpResponse{503, kText, rows.status().ToString() + "\n"};
      std::string body;
      for (const auto& t : *rows) body += report::JsonLine(report::ObservationJson(t));
      return HttpResponse{200, "application/x-ndjson", std::move(body)};
    };
    KW_ASSIGN_OR_RETURN(http, HttpEndpoint::Listen(hep, std::move(routes)));
    http->Start();
  }
  // From here on an early return stops the server in http's destructor: it is declared after
  // everything its routes use (metrics), so it goes first.

  if (!control.user.empty()) {
    if (Status s = DropPrivileges(control.user, config.db); !s.ok()) return s;
  }
  // The probers hold what they need of the peers; the config's copy would only cost memory
  // (~240 bytes a peer). A fresh vector frees it (`= {}` would keep the capacity).
  size_t peer_count = config.peers.size();
  config.peers = std::vector<AgentPeer>();
  log("info", fmt::format("msg=\"agent started\" src={} peers={} groups={} listen={} http={} db={}",
                          Quote(rt.src), peer_count, rt.groups.size(), Quote(config.listen),
                          Quote(config.http), Quote(config.db)));

  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return Status::FromErrno("epoll_create1", errno);
  // epoll data: a Group* for probers, nullptr for the responder.
  auto watch = [ep](int fd, void* what) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = what;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  };
  for (auto& g : rt.groups) watch(g->socket->fd(), g.get());
  if (rsock) watch(rsock->fd(), nullptr);
  // Probers replaced by a reload: they send nothing more but stay until every probe they sent
  // has ended, so a reload never drops a probe silently; then their last window is stored.
  std::vector<std::unique_ptr<Group>> draining;
  int64_t now = clock->MonotonicNs();
  int64_t next_commit = now + kCommitEveryNs;
  int64_t window_ns = static_cast<int64_t>(config.aggregate_seconds * 1e9);
  int64_t next_window = now + window_ns;
  int64_t next_prune = now;
  // Start-up, each window's summaries and each reload leave freed memory in the heap; after the
  // commit that follows them it goes back to the system (RSS stays flat).
  bool trim = true;
  Status result;
  while (!control.stop->load()) {
    if (control.reload && control.reload->exchange(false) && control.load_config) {
      auto next = control.load_config();
      auto groups = next.ok() ? BuildGroups(*next, rt.key, rt.src, &metrics, db.get())
                              : Result<std::vector<std::unique_ptr<Group>>>(next.status());
      if (!groups.ok()) {
        log("error", fmt::format("msg=\"reload failed; keeping the running config\" error={}",
                                 Quote(groups.status().ToString())));
      } else {
        for (auto& g : rt.groups) {
          g->prober->StopSending();
          draining.push_back(std::move(g));
        }
        rt.groups = std::move(*groups);
        for (auto& g : rt.groups) watch(g->socket->fd(), g.get());
        config = std::move(*next);
        peer_count = config.peers.size();
        config.peers = std::vector<AgentPeer>();
        trim = true;
        log("info", fmt::format("msg=\"reloaded\" peers={} groups={} draining={}", peer_count,
                                rt.groups.size(), draining.size()));
      }
    }
    for (auto it = draining.begin(); it != draining.end();) {
      (*it)->prober->Tick();  // expires what is overdue
      if ((*it)->prober->Drained()) {
        std::vector<std::unique_ptr<Group>> one;
        one.push_back(std::move(*it));
        FlushWindows(one, db.get(), clock->RealtimeNs());
        epoll_ctl(ep, EPOLL_CTL_DEL, one.front()->socket->fd(), nullptr);
        it = draining.erase(it);
      } else {
        ++it;
      }
    }
    int64_t next = INT64_MAX;
    for (auto& g : rt.groups) next = std::min(next, g->prober->Tick());
    if (!draining.empty()) next = std::min(next, clock->MonotonicNs() + 10'000'000);
    now = clock->MonotonicNs();
    if (now >= next_window) {
      FlushWindows(rt.groups, db.get(), clock->RealtimeNs());
      trim = true;
      next_window += window_ns;
      if (next_window <= now) next_window = now + window_ns;
    }
    if (now >= next_commit) {
      if (Status s = db->Commit(); !s.ok()) {
        log("error", fmt::format("msg=\"commit failed\" error={}", Quote(s.ToString())));
      }
      next_commit = now + kCommitEveryNs;
      if (responder) metrics.SetResponder(responder->counters());
      if (trim) {
        malloc_trim(0);
        trim = false;
      }
    }
    if (now >= next_prune) {
      int64_t real = clock->RealtimeNs();
      Status s = db->Prune(real - static_cast<int64_t>(config.raw_retention_hours * 3600e9),
                           real - static_cast<int64_t>(config.aggregate_retention_days * 86400e9));
      if (!s.ok()) log("error", fmt::format("msg=\"prune failed\" error={}", Quote(s.ToString())));
      next_prune = now + kPruneEveryNs;
    }
    int64_t wake = std::min({next, next_commit, next_window, now + 100'000'000});
    int64_t wait_ns = std::max<int64_t>(0, wake - clock->MonotonicNs());
    timespec ts{wait_ns / 1'000'000'000, wait_ns % 1'000'000'000};
    epoll_event got[16];
    int rc = epoll_pwait2(ep, got, 16, &ts, nullptr);
    if (rc < 0 && errno != EINTR) {
      result = Status::FromErrno("epoll_pwait2", errno);
      break;
    }
    for (int i = 0; i < rc; ++i) {
      if (got[i].data.ptr == nullptr) {
        responder->Poll();
      } else {
        static_cast<Group*>(got[i].data.ptr)->prober->Poll();
      }
    }
  }
  ::close(ep);
  FlushWindows(rt.groups, db.get(), clock->RealtimeNs());
  FlushWindows(draining, db.get(), clock->RealtimeNs());
  Status s = db->Commit();
  if (http) http->Stop();  // no scrape is answered after the log says "stopped"
  log("info", fmt::format("msg=\"agent stopped\" commit={}", Quote(s.ok() ? "ok" : s.ToString())));
  if (!result.ok()) return result;
  return s;
}

}  // namespace kiriwake::agent
