#include "infer/ceph_finding.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "ingest/ceph_log.h"
#include "ingest/ceph_osd_map.h"

namespace kiriwake::infer {

using ingest::CephEvent;
using ingest::CephEventKind;
using ingest::CephOsdInfo;

namespace {

// Checks that speak about OSD reachability, heartbeats, blocked ops or their consequences
// (src/mon/PGMap.cc, src/osd/OSDMap.cc, src/mon/HealthMonitor.cc, DaemonHealthMetricCollector).
constexpr std::array<std::string_view, 12> kAnalysed = {
    "OSD_SLOW_PING_TIME_BACK", "OSD_SLOW_PING_TIME_FRONT", "SLOW_OPS",   "OSD_DOWN",
    "OSD_HOST_DOWN",           "OSD_FLAPPING",             "PG_DEGRADED", "PG_AVAILABILITY",
    "MON_DOWN",                "OSD_RACK_DOWN",            "OSD_ROOT_DOWN", "OSD_DATACENTER_DOWN"};

// Real checks with nothing to say about the network: counted, not warned about.
constexpr std::array<std::string_view, 30> kKnownOther = {
    "AUTH_INSECURE_GLOBAL_ID_RECLAIM", "AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED",
    "OSD_BACKFILLFULL", "OSD_NEARFULL", "OSD_FULL", "OSD_FAILSAFE_FULL", "POOL_BACKFILLFULL",
    "POOL_NEARFULL", "POOL_FULL", "POOL_NO_REDUNDANCY", "POOL_APP_NOT_ENABLED", "MON_CLOCK_SKEW",
    "MON_DISK_LOW", "MON_DISK_CRIT", "MON_MSGR2_NOT_ENABLED", "PG_NOT_SCRUBBED",
    "PG_NOT_DEEP_SCRUBBED", "PG_RECOVERY_FULL", "PG_BACKFILL_FULL", "PG_DAMAGED",
    "OBJECT_MISPLACED", "OBJECT_UNFOUND", "OSDMAP_FLAGS", "OSD_FLAGS", "RECENT_CRASH",
    "TOO_FEW_PGS", "TOO_FEW_OSDS", "MGR_DOWN", "MGR_MODULE_ERROR", "LARGE_OMAP_OBJECTS"};

constexpr int kIfaceIndex(CephInterface i) { return static_cast<int>(i); }

bool Earlier(int64_t a, int64_t b) { return a != kNoTime && (b == kNoTime || a < b); }

void Fill(std::string* dst, const std::string& src) {
  if (dst->empty() && !src.empty()) *dst = src;
}

}  // namespace

bool IsAnalysedCephCheck(std::string_view code) {
  if (std::find(kAnalysed.begin(), kAnalysed.end(), code) != kAnalysed.end()) return true;
  // OSD_<CRUSH TYPE>_DOWN for any bucket type (src/osd/OSDMap.cc, check_health).
  return code.starts_with("OSD_") && code.ends_with("_DOWN");
}

bool IsKnownCephCheck(std::string_view code) {
  return IsAnalysedCephCheck(code) ||
         std::find(kKnownOther.begin(), kKnownOther.end(), code) != kKnownOther.end() ||
         code.starts_with("BLUESTORE_") || code.starts_with("MDS_") || code.starts_with("FS_") ||
         code.starts_with("CEPHADM_") || code.starts_with("DEVICE_HEALTH");
}

const CephOsdInfo* CephFinding::Osd(int id) const {
  for (const auto& o : osds) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

int CephFinding::SlowPairCount(CephInterface iface) const {
  int n = 0;
  for (const auto& p : pairs) n += (p.slow() && p.iface == iface) ? 1 : 0;
  return n;
}

void CephAccumulator::Time(int64_t ms) {
  if (ms == kNoTime) return;
  if (Earlier(ms, start_ms_)) start_ms_ = ms;
  if (end_ms_ == kNoTime || ms > end_ms_) end_ms_ = ms;
}

CephCheckSeen& CephAccumulator::Check(const std::string& code, const CephEvent& e) {
  auto [it, inserted] = checks_.try_emplace(code);
  CephCheckSeen& c = it->second;
  if (inserted) {
    c.code = code;
    c.analysed = IsAnalysedCephCheck(code);
    c.recognised = IsKnownCephCheck(code);
    c.first_loc = e.loc;
    if (!c.recognised) {
      warnings_.push_back({e.loc, "health check " + code +
                                      " is not one kiriwake knows; counted, not analysed"});
    }
  }
  if (e.kind != CephEventKind::kCheckCleared && Earlier(e.time_ms, c.first_ms)) {
    c.first_ms = e.time_ms;
    c.first_loc = e.loc;
  }
  if (e.time_ms != kNoTime && (c.last_ms == kNoTime || e.time_ms > c.last_ms)) {
    c.last_ms = e.time_ms;
  }
  return c;
}

void CephAccumulator::LearnOsd(int id, const std::string& public_addr, const std::string& host) {
  if (id < 0) return;
  CephOsdInfo& o = osds_[id];
  o.id = id;
  if (!public_addr.empty() && o.public_ip.empty()) {
    o.public_ip = ingest::CephAddrIp(public_addr);
    if (!o.public_ip.empty()) o.public_addr = public_addr;
  }
  Fill(&o.crush_host, host);
}

CephPairStat& CephAccumulator::Pair(CephInterface iface, int from, int to) {
  CephPairStat& p = pairs_[{kIfaceIndex(iface), from, to}];
  p.iface = iface;
  p.from_osd = from;
  p.to_osd = to;
  return p;
}

void CephAccumulator::OnWarning(const Diagnostic& d) { warnings_.push_back(d); }

std::vector<Diagnostic> CephAccumulator::TakeWarnings() {
  std::vector<Diagnostic> w;
  w.swap(warnings_);
  return w;
}

void CephAccumulator::OnOsdInfo(const CephOsdInfo& info) {
  if (info.id < 0) return;
  CephOsdInfo& o = osds_[info.id];
  o.id = info.id;
  // JSON maps are authoritative: they overwrite what log lines suggested.
  auto set = [](std::string* dst, const std::string& src) {
    if (!src.empty()) *dst = src;
  };
  set(&o.hostname, info.hostname);
  set(&o.crush_host, info.crush_host);
  set(&o.public_ip, info.public_ip);
  set(&o.cluster_ip, info.cluster_ip);
  set(&o.public_addr, info.public_addr);
  set(&o.cluster_addr, info.cluster_addr);
  set(&o.front_iface, info.front_iface);
  set(&o.back_iface, info.back_iface);
  if (info.up >= 0) o.up = info.up;
  if (o.loc.file.empty()) o.loc = info.loc;
}

void CephAccumulator::OnEvent(const CephEvent& e) {
  ++events_;
  Time(e.time_ms);
  switch (e.kind) {
    case CephEventKind::kCheckRaised:
    case CephEventKind::kCheckUpdated: {
      CephCheckSeen& c = Check(e.check, e);
      if (e.snapshot) {
        ++c.snapshots;
      } else {
        int which = e.kind == CephEventKind::kCheckRaised ? 0 : 1;
        int64_t& n = c.by_source[static_cast<int>(e.source)][which];
        ++n;
        int64_t& total = which == 0 ? c.raised : c.updated;
        total = std::max(total, n);
      }
      if (e.time_ms == kNoTime ? c.state_ms == kNoTime : e.time_ms >= c.state_ms) {
        c.active = true;
        c.state_ms = e.time_ms;
        // Logs say [WRN]/[ERR], listings HEALTH_WARN/HEALTH_ERR: keep the listings' words.
        if (e.severity == "WRN" || e.severity == "HEALTH_WARN") c.severity = "HEALTH_WARN";
        if (e.severity == "ERR" || e.severity == "HEALTH_ERR") c.severity = "HEALTH_ERR";
        c.last_summary = e.text;
      }
      c.max_ping_ms = std::max(c.max_ping_ms, e.ping_ms);
      if (e.check == "SLOW_OPS") {
        for (const auto& d : e.daemons) {
          CephSlowOpsOwner& o = slow_ops_[d];
          o.daemon = d;
          ++o.reports;
          o.max_blocked_sec = std::max(o.max_blocked_sec, e.blocked_sec);
          if (Earlier(e.time_ms, o.first_ms)) o.first_ms = e.time_ms;
        }
      }
      break;
    }
    case CephEventKind::kCheckCleared: {
      CephCheckSeen& c = Check(e.check, e);
      c.cleared = std::max(c.cleared, ++c.by_source[static_cast<int>(e.source)][2]);
      if (e.time_ms == kNoTime ? c.state_ms == kNoTime : e.time_ms >= c.state_ms) {
        c.active = false;
        c.state_ms = e.time_ms;
      }
      break;
    }
    case CephEventKind::kHealthy:
      for (auto& [code, c] : checks_) c.active = false;
      break;
    case CephEventKind::kSlowPing: {
      if (e.reporter_osd < 0 || e.osd < 0) break;
      CephPairStat& p = Pair(e.iface, e.reporter_osd, e.osd);
      ++p.samples;
      ++p.slow_samples;
      p.max_ms = std::max(p.max_ms, e.ping_ms);
      p.down = p.down || e.down;
      if (Earlier(e.time_ms, p.first_ms)) p.first_ms = e.time_ms;
      if (e.time_ms != kNoTime && (p.last_ms == kNoTime || e.time_ms > p.last_ms)) {
        p.last_ms = e.time_ms;
      }
      LearnOsd(e.reporter_osd, "", "");
      LearnOsd(e.osd, "", "");
      break;
    }
    case CephEventKind::kPingSample:
      if (e.reporter_osd < 0 || e.osd < 0) break;
      samples_[{kIfaceIndex(e.iface), e.reporter_osd, e.osd}].emplace_back(e.ping_ms,
                                                                           e.threshold_ms, e.stale);
      if (e.threshold_ms > 0 && (dump_threshold_ms_ < 0 || e.threshold_ms < dump_threshold_ms_)) {
        dump_threshold_ms_ = e.threshold_ms;
      }
      LearnOsd(e.reporter_osd, "", "");
      LearnOsd(e.osd, "", "");
      break;
    case CephEventKind::kOsdDown: {
      if (e.osd < 0) break;
      CephOsdState& s = osd_states_[e.osd];
      s.osd = e.osd;
      ++s.down;
      if (Earlier(e.time_ms, s.first_down_ms)) s.first_down_ms = e.time_ms;
      LearnOsd(e.osd, "", e.host);
      break;
    }
    case CephEventKind::kHostDown:
    case CephEventKind::kMonDown:
      break;
    case CephEventKind::kFailureReport:
    case CephEventKind::kFailureCanceled: {
      if (e.osd < 0 || e.reporter_osd < 0) break;
      CephFailureStat& f = failures_[{e.reporter_osd, e.osd}];
      f.reporter_osd = e.reporter_osd;
      f.target_osd = e.osd;
      int src = static_cast<int>(e.source);
      if (e.kind == CephEventKind::kFailureReport) {
        f.reports = std::max(f.reports, ++f.by_source[src][0]);
        if (Earlier(e.time_ms, f.first_ms)) f.first_ms = e.time_ms;
      } else {
        f.canceled = std::max(f.canceled, ++f.by_source[src][1]);
      }
      // The failed OSD's address in a failure report is its public address (entity_inst_t before
      // Nautilus, the public addrvec after); the reporter's only before Nautilus.
      LearnOsd(e.osd, e.addr, "");
      LearnOsd(e.reporter_osd, e.reporter_addr, "");
      break;
    }
    case CephEventKind::kWronglyMarkedDown: {
      if (e.osd < 0) break;
      CephOsdState& s = osd_states_[e.osd];
      s.osd = e.osd;
      ++s.wrongly_marked_down;
      break;
    }
    case CephEventKind::kBoot: {
      if (e.osd < 0) break;
      CephOsdState& s = osd_states_[e.osd];
      s.osd = e.osd;
      ++s.boots;
      LearnOsd(e.osd, e.addr, "");
      break;
    }
    case CephEventKind::kHeartbeatNoReply: {
      int reporter = ingest::CephOsdId(e.daemon);
      CephNoReplyStat& n = no_replies_[{reporter, e.osd}];
      n.reporter_osd = reporter;
      n.peer_osd = e.osd;
      if (n.peer_addr.empty()) n.peer_addr = e.addr;
      ++n.lines;
      if (e.iface == CephInterface::kBack) ++n.back_stale;
      if (e.iface == CephInterface::kFront) ++n.front_stale;
      if (Earlier(e.time_ms, n.first_ms)) n.first_ms = e.time_ms;
      if (e.time_ms != kNoTime && (n.last_ms == kNoTime || e.time_ms > n.last_ms)) {
        n.last_ms = e.time_ms;
      }
      // heartbeat_check prints the peer's front (public network) heartbeat sockaddr.
      LearnOsd(e.osd, e.addr, "");
      LearnOsd(reporter, "", "");
      break;
    }
    case CephEventKind::kSlowOps: {
      std::vector<std::string> owners = e.daemons;
      if (owners.empty() && !e.daemon.empty()) owners.push_back(e.daemon);
      for (const auto& d : owners) {
        CephSlowOpsOwner& o = slow_ops_[d];
        o.daemon = d;
        ++o.reports;
        o.max_ops = std::max(o.max_ops, e.count);
        o.max_blocked_sec = std::max(o.max_blocked_sec, e.blocked_sec);
        if (o.example.empty() && !e.text.empty()) o.example = e.text;
        if (e.osd >= 0) o.failure_targets.insert(e.osd);
        if (Earlier(e.time_ms, o.first_ms)) o.first_ms = e.time_ms;
      }
      if (e.osd >= 0) LearnOsd(e.osd, e.addr, "");
      break;
    }
  }
}

namespace {

struct Item {
  int category;  // 0 slow pair, 1 failure, 2 no reply, 3 slow-op owner, 4 down
  std::vector<int> osds;
  CephInterface iface = CephInterface::kUnknown;
};

}  // namespace

CephFinding CephAccumulator::Finish() const {
  CephFinding f;
  f.start_ms = start_ms_;
  f.end_ms = end_ms_;
  f.events = events_;
  f.slow_ping_threshold_ms =
      dump_threshold_ms_ > 0 ? dump_threshold_ms_ : options_.slow_ping_threshold_ms;

  auto pairs = pairs_;
  for (const auto& [key, list] : samples_) {
    CephPairStat& p = pairs[key];
    p.iface = static_cast<CephInterface>(std::get<0>(key));
    p.from_osd = std::get<1>(key);
    p.to_osd = std::get<2>(key);
    for (const auto& [ping, thr, stale] : list) {
      double eff = thr > 0 ? thr : f.slow_ping_threshold_ms;
      ++p.samples;
      if (ping >= eff) ++p.slow_samples;
      p.max_ms = std::max(p.max_ms, ping);
    }
  }
  for (const auto& [k, p] : pairs) f.pairs.push_back(p);
  std::sort(f.pairs.begin(), f.pairs.end(), [](const CephPairStat& a, const CephPairStat& b) {
    if (a.slow() != b.slow()) return a.slow();
    if (a.max_ms != b.max_ms) return a.max_ms > b.max_ms;
    return std::tie(a.iface, a.from_osd, a.to_osd) < std::tie(b.iface, b.from_osd, b.to_osd);
  });

  for (const auto& [k, c] : checks_) f.checks.push_back(c);
  std::sort(f.checks.begin(), f.checks.end(), [](const CephCheckSeen& a, const CephCheckSeen& b) {
    if (a.first_ms != b.first_ms) return Earlier(a.first_ms, b.first_ms);
    return a.code < b.code;
  });
  for (const auto& [k, v] : failures_) f.failures.push_back(v);
  std::stable_sort(f.failures.begin(), f.failures.end(),
                   [](const auto& a, const auto& b) { return a.reports > b.reports; });
  for (const auto& [k, v] : no_replies_) f.no_replies.push_back(v);
  for (const auto& [k, v] : slow_ops_) f.slow_ops.push_back(v);
  for (const auto& [k, v] : osd_states_) f.osd_states.push_back(v);
  for (const auto& [k, v] : osds_) f.osds.push_back(v);

  // Evidence items and the OSDs each one involves.
  std::vector<Item> items;
  for (const auto& p : f.pairs) {
    if (p.slow()) items.push_back({0, {p.from_osd, p.to_osd}, p.iface});
  }
  for (const auto& x : f.failures) {
    if (x.reports > 0) items.push_back({1, {x.reporter_osd, x.target_osd}});
  }
  for (const auto& x : f.no_replies) items.push_back({2, {x.reporter_osd, x.peer_osd}});
  for (const auto& x : f.slow_ops) {
    Item it{3, {}};
    int id = ingest::CephOsdId(x.daemon);
    if (id >= 0) it.osds.push_back(id);
    for (int t : x.failure_targets) it.osds.push_back(t);
    items.push_back(it);
  }
  for (const auto& x : f.osd_states) {
    if (x.down > 0) items.push_back({4, {x.osd}});
  }
  f.problem = !items.empty();
  for (const auto& c : f.checks) {
    if (c.analysed && (c.raised || c.updated || c.snapshots)) f.problem = true;
  }

  std::set<int> candidates;
  for (const auto& it : items) {
    for (int o : it.osds) {
      if (o >= 0) candidates.insert(o);
    }
  }
  for (int c : candidates) {
    CephEndpoint ep;
    ep.osd = c;
    double back_max = -1, front_max = -1;
    int back_n = 0, front_n = 0;
    for (const auto& it : items) {
      bool with = std::find(it.osds.begin(), it.osds.end(), c) != it.osds.end();
      switch (it.category) {
        case 0:
          ++ep.slow_pairs_total;
          ep.slow_pairs_with += with;
          break;
        case 1:
          ++ep.failure_reports_total;
          ep.failure_reports_with += with;
          ep.failure_reports_against += (with && it.osds[1] == c);
          break;
        case 2:
          ++ep.no_reply_total;
          ep.no_reply_with += with;
          break;
        case 3:
          ++ep.slow_op_owners_total;
          ep.slow_op_owners_with += with;
          break;
        case 4:
          ++ep.down_total;
          ep.down_with += with;
          break;
      }
    }
    for (const auto& p : f.pairs) {
      if (!p.slow() || (p.from_osd != c && p.to_osd != c)) continue;
      ep.max_ping_ms = std::max(ep.max_ping_ms, p.max_ms);
      if (p.iface == CephInterface::kBack) {
        ++back_n;
        back_max = std::max(back_max, p.max_ms);
      } else if (p.iface == CephInterface::kFront) {
        ++front_n;
        front_max = std::max(front_max, p.max_ms);
      }
    }
    int64_t back_votes = 0, front_votes = 0;
    for (const auto& n : f.no_replies) {
      if (n.peer_osd != c && n.reporter_osd != c) continue;
      back_votes += n.back_stale;
      front_votes += n.front_stale;
    }
    // The faulty side shows the longer pings: Ceph times a heartbeat only when both replies are
    // in, so loss on one interface inflates the other's figures too, but less
    // (ceph-formats.md section 10, seen on a real 16.2.15 cluster).
    char buf[160];
    if (back_n + front_n > 0 && back_max != front_max) {
      ep.iface = back_max > front_max ? CephInterface::kBack : CephInterface::kFront;
      std::snprintf(buf, sizeof buf, "longest slow ping on back %.3f ms vs front %.3f ms",
                    std::max(back_max, 0.0), std::max(front_max, 0.0));
      ep.iface_reason = buf;
    } else if (back_n != front_n) {
      ep.iface = back_n > front_n ? CephInterface::kBack : CephInterface::kFront;
      std::snprintf(buf, sizeof buf, "%d slow pairs on back vs %d on front", back_n, front_n);
      ep.iface_reason = buf;
    } else if (back_votes != front_votes) {
      ep.iface = back_votes > front_votes ? CephInterface::kBack : CephInterface::kFront;
      std::snprintf(buf, sizeof buf,
                    "heartbeat_check: %s silent longer in %lld of %lld no-reply lines",
                    back_votes > front_votes ? "back" : "front",
                    static_cast<long long>(std::max(back_votes, front_votes)),
                    static_cast<long long>(back_votes + front_votes));
      ep.iface_reason = buf;
    }
    ep.slow_iface_pairs_with = ep.iface == CephInterface::kBack ? back_n
                               : ep.iface == CephInterface::kFront ? front_n
                                                                   : 0;
    ep.slow_iface_pairs_total = ep.iface == CephInterface::kUnknown ? 0 : f.SlowPairCount(ep.iface);
    ep.explained = ep.slow_pairs_with + ep.failure_reports_with + ep.no_reply_with +
                   ep.slow_op_owners_with + ep.down_with;
    ep.evidence = ep.slow_pairs_total + ep.failure_reports_total + ep.no_reply_total +
                  ep.slow_op_owners_total + ep.down_total;
    if (const CephOsdInfo* o = f.Osd(c)) {
      ep.host = !o->hostname.empty() ? o->hostname : o->crush_host;
      bool back = ep.iface == CephInterface::kBack;
      if (back && !o->cluster_ip.empty()) {
        ep.address = o->cluster_ip;
        ep.address_network = "cluster";
      } else if (!o->public_ip.empty()) {
        ep.address = o->public_ip;
        ep.address_network = "public";
      } else if (!o->cluster_ip.empty()) {
        ep.address = o->cluster_ip;
        ep.address_network = "cluster";
      }
    }
    f.ranking.push_back(ep);
  }
  std::sort(f.ranking.begin(), f.ranking.end(), [](const CephEndpoint& a, const CephEndpoint& b) {
    if (a.explained != b.explained) return a.explained > b.explained;
    if (a.failure_reports_against != b.failure_reports_against) {
      return a.failure_reports_against > b.failure_reports_against;
    }
    if (a.down_with != b.down_with) return a.down_with > b.down_with;
    if (a.max_ping_ms != b.max_ping_ms) return a.max_ping_ms > b.max_ping_ms;
    return a.osd < b.osd;
  });
  return f;
}

std::vector<CephPairObservation> CephObservations(const CephFinding& f) {
  std::vector<CephPairObservation> out;
  for (const auto& p : f.pairs) {
    if (p.iface == CephInterface::kUnknown) continue;
    CephPairObservation o;
    o.iface = p.iface;
    o.network = p.iface == CephInterface::kBack ? "cluster" : "public";
    o.src_osd = p.from_osd;
    o.dst_osd = p.to_osd;
    auto ip = [&](int id) -> std::string {
      const CephOsdInfo* i = f.Osd(id);
      if (!i) return {};
      return p.iface == CephInterface::kBack ? i->cluster_ip : i->public_ip;
    };
    o.src = ip(p.from_osd);
    o.dst = ip(p.to_osd);
    o.sent = p.samples;
    o.lost = p.slow_samples;
    o.max_ping_ms = p.max_ms;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace kiriwake::infer
