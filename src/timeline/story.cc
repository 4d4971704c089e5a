#include "timeline/story.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "timeline/line_format.h"
#include "util/text.h"

namespace kiriwake::timeline {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

bool IsIpv4(std::string_view s) {
  if (s.empty() || !text::IsDigit(s[0])) return false;
  std::vector<std::string> subj;
  ExtractSubjects(s, &subj);
  return subj.size() == 1 && subj[0] == s;
}

StoryRef Ref(const Event& e) {
  return StoryRef{e.time, e.host, e.message.size() > 200 ? e.message.substr(0, 200) + "..." : e.message,
                  e.loc};
}

bool HasTag(const Event& e, std::initializer_list<std::string_view> tags) {
  for (auto t : tags) {
    if (e.tag == t) return true;
  }
  return false;
}

bool NamesAny(const Event& e, const std::set<std::string>& keys) {
  for (const auto& s : e.subjects) {
    if (keys.count(s)) return true;
  }
  for (const auto& c : e.components) {
    if (keys.count(c)) return true;
  }
  return false;
}

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (!s.empty() && std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

struct StageDef {
  std::string_view name;
  Layer layer;
  std::vector<std::string_view> tags;
  bool root_host_only;
};

const std::vector<StageDef>& Stages() {
  // The order is the causal order of the seed incident: loss on the path -> the OSDs' heartbeats
  // -> failure reports -> slow ops -> kernel clients -> tasks that wait -> the applications.
  static const std::vector<StageDef> kStages = {
      {"Ceph heartbeats slow or missed", Layer::kStorage, {"ceph_slow_ping", "ceph_heartbeat_miss"}, false},
      {"OSD failure reports", Layer::kStorage, {"ceph_failure_report", "ceph_osd_down"}, false},
      {"Ceph slow ops", Layer::kStorage, {"ceph_slow_ops"}, false},
      {"kernel Ceph clients lose OSD/mon sessions", Layer::kStorage, {"libceph_timeout"}, false},
      {"tasks hung waiting on I/O", Layer::kApplication, {"hung_task"}, false},
      {"vSphere HA agent errors on the host", Layer::kHypervisor, {"ha_agent_error"}, true},
      {"Kubernetes warnings", Layer::kOrchestration, {"k8s_warning"}, false},
      {"application start delayed", Layer::kApplication, {"app_slow_start"}, false},
  };
  return kStages;
}

std::string Dur(std::chrono::seconds s) {
  int64_t v = s.count();
  if (v < 0) v = -v;
  if (v < 120) return fmt::format("{} s", v);
  if (v < 7200) return fmt::format("{} min", v / 60);
  return fmt::format("{} h {:02} min", v / 3600, v / 60 % 60);
}

}  // namespace

bool IsNotable(const Event& ev) {
  if (ev.severity >= Severity::kWarning) return true;
  return !ev.tag.empty() && ev.tag != "raw" && ev.tag != "probe_reply";
}

void StoryBuilder::Add(const Event& ev) {
  skew_.Add(ev);
  if (ev.tag == "probe_reply") {
    if (!ev.subjects.empty()) ++replies_[{ev.host, ev.subjects.front()}];
    return;
  }
  if (!IsNotable(ev)) return;
  if (notable_.size() >= kMaxNotable) {
    ++dropped_;
    return;
  }
  notable_.push_back(ev);
  notable_.back().raw.clear();  // the story points at file:line; the raw text is not needed
}

Story StoryBuilder::Build(const StoryInput& input) const {
  Story story;
  story.notable_events = notable_.size();
  story.notable_dropped = dropped_;
  story.skew = skew_.Estimates();
  std::vector<const Event*> ev;
  ev.reserve(notable_.size());
  for (const auto& e : notable_) ev.push_back(&e);
  std::stable_sort(ev.begin(), ev.end(), [](const Event* a, const Event* b) { return EventBefore(*a, *b); });

  // Learn which OSD sits at which address from Ceph lines ("osd.3 192.168.100.114:6802").
  std::map<std::string, std::string> osd_addr;
  for (const Event* e : ev) {
    for (size_t i = 0; i + 1 < e->subjects.size(); ++i) {
      if (e->subjects[i].starts_with("osd.") && IsIpv4(e->subjects[i + 1]))
        osd_addr.emplace(e->subjects[i], e->subjects[i + 1]);
    }
  }

  // Synthesised stage events: Kubernetes warnings, and pods whose start took long.
  std::vector<Event> synth;
  {
    std::map<std::string, const Event*> scheduled, started;
    for (const Event* e : ev) {
      if (e->source != SourceKind::kKubeEvents) continue;
      std::string pod;
      for (const auto& s : e->subjects) if (s.starts_with("pod:")) pod = s;
      if (e->tag == "k8s_Scheduled" && !scheduled.count(pod)) scheduled[pod] = e;
      if (e->tag == "k8s_Started") started[pod] = e;
      if (e->severity >= Severity::kWarning) {
        Event w = *e;
        w.tag = "k8s_warning";
        synth.push_back(std::move(w));
      }
    }
    // 10 min: a pod that pulls its image and mounts a Ceph volume starts in well under a minute
    // on a healthy cluster; ten times that is a stall, not a slow pull.
    for (const auto& [pod, st] : started) {
      auto sc = scheduled.find(pod);
      if (sc == scheduled.end() || st->time - sc->second->time < minutes(10)) continue;
      Event w = *st;
      w.tag = "app_slow_start";
      w.severity = Severity::kWarning;
      w.layer = Layer::kApplication;
      w.message = fmt::format("{} took {} from Scheduled to its last container Started", pod.substr(4),
                              Dur(std::chrono::duration_cast<std::chrono::seconds>(st->time - sc->second->time)));
      synth.push_back(std::move(w));
    }
  }
  std::vector<const Event*> all = ev;
  for (const auto& s : synth) all.push_back(&s);
  std::stable_sort(all.begin(), all.end(), [](const Event* a, const Event* b) { return EventBefore(*a, *b); });

  // ---- Root cause ----
  std::set<std::string> root_keys;
  if (input.verdict) {
    RootCause rc;
    rc.basis = "localization verdict";
    rc.target = input.verdict->component;
    rc.probability = input.verdict->probability;
    root_keys.insert(rc.target);
    for (const auto& k : input.verdict->keys) root_keys.insert(k);
    rc.components.push_back(rc.target);
    for (const auto& k : input.verdict->keys) {
      if (input.map == nullptr) break;
      for (const auto& id : input.map->Resolve(k)) AddUnique(&rc.components, id);
    }
    for (const auto& c : rc.components) {
      if (c.starts_with("host:") && rc.host.empty()) rc.host = c.substr(5);
    }
    rc.summary = fmt::format("{} (localization verdict, p={:.2f})", rc.target, *rc.probability);
    story.root_cause = rc;
  } else {
    struct Cand {
      uint64_t lost = 0, failure = 0, hb = 0, libceph = 0;
      std::set<std::string> observers;
    };
    std::map<std::string, Cand> cands;
    auto first_ip = [](const Event& e) -> std::string {
      for (const auto& s : e.subjects) if (IsIpv4(s)) return s;
      return {};
    };
    for (const Event* e : ev) {
      if (e->tag == "probe_lost" && !e->subjects.empty()) {
        auto& c = cands[e->subjects.front()];
        ++c.lost;
        c.observers.insert(e->host);
      } else if (e->tag == "ceph_failure_report" || e->tag == "ceph_osd_down") {
        // prepare_failure names the failed OSD's address first, the reporter's after "from".
        std::string ip = first_ip(*e);
        if (!ip.empty()) ++cands[ip].failure;
      } else if (e->tag == "ceph_heartbeat_miss") {
        size_t at = e->message.find("no reply from");
        std::vector<std::string> s;
        if (at != std::string::npos) ExtractSubjects(std::string_view(e->message).substr(at), &s);
        for (const auto& x : s) if (IsIpv4(x)) { ++cands[x].hb; break; }
      } else if (e->tag == "libceph_timeout") {
        std::string ip = first_ip(*e);
        if (!ip.empty()) ++cands[ip].libceph;
      }
    }
    // Weights: a lost probe is direct evidence of loss on the path; a failure report is a peer's
    // verdict after 20 s of missed heartbeats; a libceph reset is indirect (the OSD may be slow).
    std::string best;
    uint64_t best_score = 0;
    for (const auto& [t, c] : cands) {
      uint64_t score = c.lost * 3 + c.failure * 5 + c.hb * 2 + c.libceph;
      if ((c.lost > 0 || c.failure > 0 || c.hb > 0) && score > best_score) {
        best_score = score;
        best = t;
      }
    }
    if (!best.empty()) {
      RootCause rc;
      rc.basis = "network-loss events (no localization verdict given)";
      rc.target = best;
      const Cand& c = cands[best];
      rc.probes_lost = c.lost;
      rc.failure_reports = c.failure;
      for (const auto& [k, n] : replies_) {
        if (k.second == best) rc.probes_answered += n;
      }
      if (input.map != nullptr) rc.components = input.map->Resolve(best);
      for (const auto& comp : rc.components) {
        if (comp.starts_with("host:") && rc.host.empty()) rc.host = comp.substr(5);
      }
      root_keys.insert(best);
      for (const auto& [osd, addr] : osd_addr) {
        if (addr == best) root_keys.insert(osd);
      }
      if (!rc.components.empty()) root_keys.insert(rc.components.front());
      std::string where;
      if (!rc.components.empty()) where = fmt::format(" ({})", fmt::join(rc.components, ", "));
      std::string path;
      for (const auto& comp : rc.components) {
        if (comp.starts_with("net:") && !rc.host.empty())
          path = fmt::format(": the {} {} path", rc.host, comp.substr(4));
      }
      rc.summary = fmt::format("network loss toward {}{}{}", best, where, path);
      story.root_cause = rc;
    }
  }
  RootCause* rc = story.root_cause ? &*story.root_cause : nullptr;
  if (rc != nullptr) {
    for (const Event* e : all) {
      if (e->tag == "nic_link_down" && !rc->host.empty() && e->host == rc->host) ++rc->link_downs;
      if ((e->tag == "probe_lost" || e->tag == "ceph_failure_report" ||
           (input.verdict && NamesAny(*e, root_keys))) &&
          NamesAny(*e, root_keys) && rc->evidence.size() < 5)
        rc->evidence.push_back(Ref(*e));
    }
    std::string counts;
    if (rc->probes_lost > 0) {
      uint64_t sent = rc->probes_lost + rc->probes_answered;
      counts += fmt::format("; {} of {} probes lost ({:.1f}%)", rc->probes_lost, sent,
                            100.0 * static_cast<double>(rc->probes_lost) / static_cast<double>(sent));
    }
    if (rc->failure_reports > 0) counts += fmt::format("; {} OSD failure report(s) name it", rc->failure_reports);
    if (rc->link_downs > 0) counts += fmt::format("; {} NIC link-down event(s) on {}", rc->link_downs, rc->host);
    rc->summary += counts;
  }

  // ---- Effects ----
  TimePoint root_first{}, root_last{};
  bool have_root_time = false;
  for (const Event* e : all) {
    if (rc != nullptr && NamesAny(*e, root_keys) &&
        (e->tag == "probe_lost" || e->tag == "ceph_failure_report" || e->tag == "ceph_heartbeat_miss")) {
      if (!have_root_time) root_first = e->time;
      root_last = e->time;
      have_root_time = true;
    }
  }
  bool storage_linked = false;
  for (const Event* e : all) {
    if (rc != nullptr && (e->layer == Layer::kStorage) && NamesAny(*e, root_keys)) storage_linked = true;
  }
  std::set<std::string> effect_tags;
  if (rc != nullptr) {
    bool storage_seen = false;
    TimePoint storage_first{};
    for (const auto& st : Stages()) {
      bool app = st.layer == Layer::kApplication || st.layer == Layer::kOrchestration;
      if (st.layer == Layer::kStorage && !storage_linked) continue;
      if (app && !storage_linked) continue;
      StoryStep step;
      step.stage = std::string(st.name);
      step.layer = st.layer;
      for (const Event* e : all) {
        if (std::find(st.tags.begin(), st.tags.end(), e->tag) == st.tags.end()) continue;
        if (st.root_host_only && (rc->host.empty() || e->host != rc->host)) continue;
        // Times must allow it: an effect does not start long after the cause was last seen, and
        // applications wait only once storage is in trouble (10 min slack for skewed clocks).
        if (have_root_time && e->time > root_last + hours(1)) continue;
        if (app && storage_seen && e->time < storage_first - minutes(10)) continue;
        if (step.count == 0) {
          step.first = e->time;
          step.example = Ref(*e);
        }
        step.last = e->time;
        ++step.count;
        AddUnique(&step.hosts, e->host);
      }
      if (step.count == 0) continue;
      if (st.layer == Layer::kStorage && (!storage_seen || step.first < storage_first)) {
        storage_first = step.first;
        storage_seen = true;
      }
      for (auto t : st.tags) effect_tags.insert(std::string(t));
      story.effects.push_back(std::move(step));
    }
    std::stable_sort(story.effects.begin(), story.effects.end(),
                     [](const StoryStep& a, const StoryStep& b) { return a.first < b.first; });
    // First symptom: the earliest effect or root evidence.
    std::optional<StoryRef> first;
    for (const auto& s : story.effects) {
      if (!first || s.first < first->time) first = s.example;
    }
    if (have_root_time && (!first || root_first < first->time)) {
      for (const Event* e : all) {
        if (e->time == root_first && NamesAny(*e, root_keys)) { first = Ref(*e); break; }
      }
    }
    story.first_symptom = first;
    for (const Event* e : all) {
      if (!NamesAny(*e, root_keys)) continue;
      if (!story.first_hint) story.first_hint = Ref(*e);
      if (!story.detected && (e->tag == "probe_lost" || e->tag == "ceph_failure_report" ||
                              (input.verdict && e->severity >= Severity::kWarning))) {
        story.detected = Ref(*e);
      }
    }
    if (story.first_symptom && story.detected) {
      story.time_to_detect = std::chrono::duration_cast<std::chrono::seconds>(
          story.detected->time - story.first_symptom->time);
    }
  }

  // ---- Side chains: hardware fault -> crash -> reboot, per host ----
  std::set<const Event*> in_chain;
  {
    std::map<std::string, std::vector<const Event*>> by_host;
    for (const Event* e : all) {
      if (HasTag(*e, {"dimm_failure", "memory_error", "mce", "panic", "reset", "boot"}))
        by_host[e->host].push_back(e);
    }
    for (const auto& [host, es] : by_host) {
      SideChain chain;
      chain.host = host;
      const Event* fault = nullptr;
      bool crashed = false;
      std::vector<const Event*> members;
      for (const Event* e : es) {
        bool is_fault = HasTag(*e, {"dimm_failure", "memory_error", "mce"});
        // 3 h: a failing DIMM takes the host down within hours of its first uncorrectable error
        // or is mapped out and the host runs on (the seed: 35 min from POST to the panic).
        bool fresh = fault == nullptr || e->time - fault->time > hours(3);
        if (is_fault) {
          if (fresh) {
            if (crashed) break;
            members.clear();
            fault = e;
          }
          members.push_back(e);
        } else if (HasTag(*e, {"panic", "reset"})) {
          if (fault == nullptr || fresh) continue;
          members.push_back(e);
          crashed = true;
        } else if (e->tag == "boot" && crashed) {
          members.push_back(e);
          break;
        }
      }
      for (const Event* e : members) {
        if (chain.steps.empty() || chain.steps.back().text != e->message) chain.steps.push_back(Ref(*e));
        in_chain.insert(e);
      }
      if (chain.steps.size() >= 2 && crashed) story.side_chains.push_back(std::move(chain));
    }
  }

  // ---- Coincident: co-located events the chain does not explain ----
  if (rc != nullptr && !rc->host.empty()) {
    std::set<std::string> done;
    for (const Event* e : all) {
      if (e->host != rc->host) continue;
      if (!HasTag(*e, {"dimm_failure", "memory_error", "mce", "panic", "reset", "esxi_upgrade"})) continue;
      if (done.count(e->tag)) continue;
      done.insert(e->tag);
      Coincidence c;
      c.event = Ref(*e);
      c.tag = e->tag;
      bool nic_near = false;
      for (const Event* n : all) {
        if (n->host == rc->host && n->tag == "nic_link_down" &&
            (n->time - e->time < minutes(10) && e->time - n->time < minutes(10)))
          nic_near = true;
      }
      std::string after;
      if (have_root_time && root_last > e->time + hours(1)) {
        after = fmt::format(" and the loss was still seen {} later",
                            Dur(std::chrono::duration_cast<std::chrono::seconds>(root_last - e->time)));
      }
      c.why_not_cause = fmt::format(
          "same host ({}) as the lossy path, but no event links it to the loss: {}{}", rc->host,
          nic_near ? "a NIC link event is near it (check it)" : "no NIC link or driver error near it",
          after);
      if (HasTag(*e, {"dimm_failure", "memory_error", "mce"})) {
        c.would_link = "NIC or PCIe errors logged with the memory errors (vmnic resets, PCIe AER), "
                       "or loss that starts at the fault and stops once the DIMM is replaced";
      } else if (HasTag(*e, {"panic", "reset"})) {
        c.would_link = "loss only between the crash and a reboot; loss that outlasts the reboot "
                       "has another cause";
      } else {
        c.would_link = "loss absent before the upgrade and present right after it (a NIC driver "
                       "change: compare the vmnic driver lines in vmkernel.log before and after), "
                       "or the same loss on other hosts upgraded alike";
      }
      story.coincident.push_back(std::move(c));
    }
  }

  // ---- Resolved: a healthy report after which no symptom follows ("Cluster is now healthy"
  // first; else the first cleared health check with nothing after it) ----
  for (std::string_view want : {"ceph_healthy", "ceph_check_cleared"}) {
    if (story.resolved || story.effects.empty()) break;
    for (const Event* e : all) {
      if (e->tag != want) continue;
      bool after = false;
      for (const Event* x : all) {
        if (x->time > e->time && effect_tags.count(x->tag) && x->severity >= Severity::kWarning) after = true;
      }
      if (!after) {
        story.resolved = Ref(*e);
        break;
      }
    }
  }

  // ---- Tried and ruled out: operator actions, and whether the symptoms went on ----
  {
    std::map<std::string, TriedAction> by_tag;
    std::vector<std::string> order;
    for (const Event* e : all) {
      if (!e->operator_action || e->tag == "esxi_upgrade") continue;
      auto [it, fresh] = by_tag.try_emplace(e->tag);
      TriedAction& a = it->second;
      if (fresh) {
        order.push_back(e->tag);
        a.what = e->tag == "swap_off"          ? "swap turned off"
               : e->tag == "net_path_change"
                   ? "network path changed (" +
                         e->message.substr(std::min(e->message.size(), e->message.find("UpdatePortGroup")), 100) + ")"
                                             : e->tag;
        a.time = e->time;
        a.loc = e->loc;
      }
      AddUnique(&a.hosts, e->host);
    }
    for (const auto& tag : order) {
      TriedAction a = by_tag[tag];
      const Event* later = nullptr;
      // 5 min: long enough for a change to take effect, short of the next health report.
      for (const Event* e : all) {
        if (e->time > a.time + minutes(5) && effect_tags.count(e->tag) && e->severity >= Severity::kWarning) {
          later = e;
          break;
        }
      }
      if (later != nullptr) {
        a.ruled_out = true;
        a.outcome = fmt::format("symptoms went on: {} at {} ({})", later->tag, FormatUtc(later->time),
                                later->loc.ToString());
      } else if (story.resolved && story.resolved->time >= a.time) {
        a.outcome = fmt::format("followed by recovery at {} ({})", FormatUtc(story.resolved->time),
                                story.resolved->loc.ToString());
      } else {
        a.outcome = "no symptom after it in these logs";
      }
      story.tried.push_back(std::move(a));
    }
  }

  // ---- Episodes ----
  Episode cur;
  std::map<std::string, uint64_t> tag_counts;
  auto close = [&] {
    if (cur.events == 0) return;
    std::vector<std::pair<uint64_t, std::string>> tc;
    for (const auto& [t, n] : tag_counts) tc.emplace_back(n, t);
    std::sort(tc.begin(), tc.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    for (size_t i = 0; i < tc.size() && i < 6; ++i) cur.tags.push_back(tc[i].second);
    story.episodes.push_back(std::move(cur));
    cur = Episode{};
    tag_counts.clear();
  };
  for (const Event* e : ev) {
    if (e->time_uncertain && e->tag == "raw") continue;
    if (cur.events > 0 && e->time - cur.end > kEpisodeGap) close();
    if (cur.events == 0) cur.start = e->time;
    cur.end = std::max(cur.end, e->time);
    ++cur.events;
    cur.worst = std::max(cur.worst, e->severity);
    AddUnique(&cur.hosts, e->host);
    ++tag_counts[e->tag.empty() ? std::string(SeverityName(e->severity)) : e->tag];
  }
  close();
  return story;
}

}  // namespace kiriwake::timeline
