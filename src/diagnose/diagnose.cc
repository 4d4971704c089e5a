#include "diagnose/diagnose.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "ingest/ceph_input.h"
#include "diagnose/prometheus_observations.h"
#include "diagnose/topology_component_map.h"
#include "ingest/line_reader.h"
#include "store/probe_store.h"
#include "util/text.h"

#include <httplib.h>
#include <chrono>
#include <fstream>
#include "timeline/inputs.h"
#include "timeline/merge.h"

namespace kiriwake::diagnose {

std::string_view InputKindName(InputKind k) {
  switch (k) {
    case InputKind::kTopology: return "topology";
    case InputKind::kObservations: return "observations";
    case InputKind::kPing: return "ping";
    case InputKind::kCeph: return "ceph";
    case InputKind::kLog: return "log";
    case InputKind::kAgentDb: return "agent-db";
    case InputKind::kAgent: return "agent";
    case InputKind::kDocumentation: return "documentation";
    case InputKind::kUnrecognised: return "unrecognised";
    case InputKind::kUnreadable: return "unreadable";
  }
  return "unknown";
}

bool DiagnoseResult::any_input_failed() const {
  for (const auto& in : inputs) {
    if (in.kind == InputKind::kUnreadable || in.kind == InputKind::kUnrecognised ||
        !in.status.ok()) {
      return true;
    }
  }
  return false;
}

bool DiagnoseResult::problem_found() const {
  if (localization && (localization->culprit_named() || localization->lossy_paths > 0)) {
    return true;
  }
  if (ceph && ceph->problem) return true;
  for (const auto& p : pings) {
    if (p.session.series.verdict == model::Verdict::kDegraded ||
        p.session.series.verdict == model::Verdict::kBroken) {
      return true;
    }
  }
  return false;
}

namespace {

namespace fs = std::filesystem;

// Files under each input, directories expanded (sorted, hidden entries skipped).
std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs,
                                      std::vector<InputFile>* unreadable) {
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (in != "-" && fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(in, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.starts_with(".")) {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file()) found.push_back(it->path().string());
      }
      if (ec) {
        InputFile f;
        f.path = in;
        f.kind = InputKind::kUnreadable;
        f.status = Status::IOError(fmt::format("{}: {}", in, ec.message()));
        unreadable->push_back(std::move(f));
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(in);
    }
  }
  return files;
}

// The first `max_lines` lines of a file (decoded), for recognising it.
Result<std::vector<std::string>> Head(const std::string& path, size_t max_lines) {
  KW_ASSIGN_OR_RETURN(auto reader, ingest::LineReader::Open(path));
  std::vector<std::string> lines;
  std::string_view line;
  while (lines.size() < max_lines && reader->Next(&line)) lines.emplace_back(line);
  KW_RETURN_IF_ERROR(reader->status());
  return lines;
}

bool LooksLikeTopology(const std::vector<std::string>& head) {
  for (const std::string& l : head) {
    if (l.starts_with("hosts:") || l.starts_with("switches:") || l.starts_with("networks:")) {
      return true;
    }
  }
  return false;
}

// First line that is not blank or a '#' comment.
std::string_view FirstContent(const std::vector<std::string>& head) {
  for (const std::string& l : head) {
    std::string_view t = l;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    if (t.empty() || t.front() == '#') continue;
    return t;
  }
  return {};
}

bool LooksLikeObservations(const std::vector<std::string>& head) {
  std::string_view first = FirstContent(head);
  if (!first.starts_with("{")) return false;
  if (first.find("\"sessions\"") != std::string_view::npos) return true;  // ping-log --json
  return first.find("\"src\"") != std::string_view::npos ||
         first.find("\"dst\"") != std::string_view::npos;
}

// The measuring endpoint of a ping file: --src, else the nearest parent folder named after an
// endpoint of the topology.
std::string SenderOf(const std::string& path, const DiagnoseOptions& o,
                       const model::Topology* topo) {
  if (!o.src.empty()) return o.src;
  if (topo == nullptr) return "";
  for (fs::path p = fs::path(path).parent_path(); !p.empty() && p != p.root_path();
       p = p.parent_path()) {
    std::string name = p.filename().string();
    if (topo->FindEndpoint(name)) return name;
    if (p == p.parent_path()) break;
  }
  // Or the file's own name starts with it: "ceph1-ping-ceph4.log", "esxi1_ping.txt".
  std::string base = fs::path(path).filename().string();
  size_t cut = base.find_first_of("-_.");
  if (cut != std::string::npos && topo->FindEndpoint(base.substr(0, cut))) {
    return base.substr(0, cut);
  }
  return "";
}

// Holds what a Ceph reader finds in one input until we know the input is Ceph's, so a file that
// turns out not to be (a syslog, an ESXi log) leaves no events or warnings in the analysis.
// Past kMaxHeld events the input is plainly Ceph's and events flow straight through.
class BufferingCephSink final : public ingest::CephSink {
 public:
  explicit BufferingCephSink(ingest::CephSink* to) : to_(to) {}
  void OnEvent(const ingest::CephEvent& e) override {
    if (passing_) {
      to_->OnEvent(e);
      return;
    }
    events_.push_back(e);
    if (events_.size() > kMaxHeld) Commit();
  }
  void OnOsdInfo(const ingest::CephOsdInfo& i) override {
    if (passing_) {
      to_->OnOsdInfo(i);
    } else {
      infos_.push_back(i);
    }
  }
  void OnWarning(const Diagnostic& d) override {
    if (passing_) {
      to_->OnWarning(d);
    } else if (warnings_.size() < 1000) {
      warnings_.push_back(d);
    }
  }
  void Commit() {
    for (const auto& e : events_) to_->OnEvent(e);
    for (const auto& i : infos_) to_->OnOsdInfo(i);
    for (const auto& w : warnings_) to_->OnWarning(w);
    events_.clear();
    infos_.clear();
    warnings_.clear();
    passing_ = true;
  }

 private:
  static constexpr size_t kMaxHeld = 10000;
  ingest::CephSink* to_;
  bool passing_ = false;
  std::vector<ingest::CephEvent> events_;
  std::vector<ingest::CephOsdInfo> infos_;
  std::vector<Diagnostic> warnings_;
};

}  // namespace

// Every timed input on one clock, then the incident as one chain, with the localization's culprit
// (if any) as its root cause. Inputs nothing else recognised become "log" inputs here when the
// timeline reads them, and stay unrecognised (an error) when it does not.
static Status TellTheStory(const DiagnoseOptions& options, const std::vector<std::string>& files,
                    const model::Topology* topo, DiagnoseResult* r) {
  std::unique_ptr<TopologyComponentMap> map;
  if (topo != nullptr) map = std::make_unique<TopologyComponentMap>(*topo);
  timeline::InputRequest req;
  req.paths = files;
  req.tz = options.tz;
  req.tz_per_file = options.tz_per_file;
  req.keep_raw = false;
  req.extra_map = map.get();
  KW_ASSIGN_OR_RETURN(auto in, timeline::OpenInputs(req));
  for (const auto& w : in->warnings) r->warnings.push_back(w);
  std::set<std::string> hints(in->hints_files.begin(), in->hints_files.end());
  std::map<std::string, const timeline::FileSource*> by_name;
  for (const auto& src : in->sources) by_name[src->name()] = src.get();
  for (InputFile& f : r->inputs) {
    if (hints.count(f.path)) {
      f.kind = InputKind::kLog;
      f.status = Status::Ok();
      f.detail = "timeline hints (zones, hosts, names)";
      continue;
    }
    auto it = by_name.find(f.path);
    if (it == by_name.end() || f.kind != InputKind::kUnrecognised) continue;
    if (it->second->unrecognized().ok()) {
      f.kind = InputKind::kLog;
      f.status = Status::Ok();
      f.detail = std::string(timeline::SourceKindName(it->second->kind()));
    }
  }
  for (const auto& e : in->errors) r->warnings.push_back(Diagnostic{e.loc(), e.message()});
  // A file no format recognised is listed as unrecognised (an error); its lines have no time of
  // their own, so merged they would enter the story at 1970 as its "first symptom".
  std::vector<std::unique_ptr<timeline::FileSource>> timed;
  for (auto& src : in->sources) {
    if (src->unrecognized().ok()) timed.push_back(std::move(src));
  }
  std::vector<const timeline::FileSource*> srcs;
  for (const auto& src : timed) srcs.push_back(src.get());
  timeline::Merger merger(std::move(timed), {});
  timeline::StoryBuilder story;
  timeline::Event ev;
  while (merger.Next(&ev)) {
    ++r->timeline_events;
    if (timeline::IsNotable(ev) && r->events.size() < options.max_events) r->events.push_back(ev);
    story.Add(ev);
  }
  // A log only the timeline reads has nobody else to report its damaged or cut lines; files other
  // analyses read (ping, Ceph) have theirs reported there already.
  std::set<std::string> logs;
  for (const InputFile& f : r->inputs) {
    if (f.kind == InputKind::kLog) logs.insert(f.path);
  }
  for (const auto* src : srcs) {
    r->clock_assumptions.push_back(src->Assumption());
    if (!src->status().ok()) r->warnings.push_back(Diagnostic{src->status().loc(), src->status().message()});
    if (logs.count(src->name())) {
      for (const Diagnostic& w : src->warnings()) r->warnings.push_back(w);
    }
  }
  timeline::StoryInput si;
  si.map = map ? static_cast<const timeline::ComponentMap*>(map.get()) : in->hints_map.get();
  if (r->localization && r->localization->culprit_named() && topo != nullptr) {
    const infer::Suspect& s = r->localization->suspects.front();
    timeline::LocalizationVerdict v;
    v.component = topo->component(s.components.front()).id;
    v.probability = s.probability;
    v.keys = ComponentKeys(*topo, s.components.front());
    si.verdict = v;
  }
  r->story = story.Build(si);
  return Status::Ok();
}

Result<DiagnoseResult> Diagnose(const DiagnoseOptions& options) {
  DiagnoseResult r;
  if (options.inputs.empty() && options.topology_path.empty() && options.agents.empty()) {
    return Status::Usage("diagnose: give at least one file or directory");
  }
  std::vector<InputFile> unreadable;
  std::vector<std::string> files = ExpandInputs(options.inputs, &unreadable);
  for (auto& u : unreadable) r.inputs.push_back(std::move(u));

  // Pass 1: recognise every input; parse the ones that need no topology.
  infer::CephAccumulator ceph;
  bool have_ceph = false;
  std::vector<size_t> observation_inputs;
  std::vector<size_t> agent_db_inputs;
  std::vector<std::string> timed_files;  // inputs whose lines carry times: the timeline's
  std::vector<std::string> topology_candidates;
  for (const std::string& path : files) {
    InputFile f;
    f.path = path;
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower.ends_with(".md") || lower.ends_with("readme")) {
      f.kind = InputKind::kDocumentation;
      f.detail = "documentation, not read";
      r.inputs.push_back(std::move(f));
      continue;
    }
    {
      // An agent's history database (store/probe_store.h) is SQLite: "SQLite format 3\0".
      std::ifstream magic(path, std::ios::binary);
      char m[16] = {};
      if (magic.read(m, sizeof(m)) && std::string_view(m, 16) == std::string_view("SQLite format 3\0", 16)) {
        f.kind = InputKind::kAgentDb;
        agent_db_inputs.push_back(r.inputs.size());
        r.inputs.push_back(std::move(f));
        continue;
      }
    }
    auto head = Head(path, 200);
    if (!head.ok()) {
      f.kind = InputKind::kUnreadable;
      f.status = head.status();
      r.inputs.push_back(std::move(f));
      continue;
    }
    if (LooksLikeTopology(*head)) {
      f.kind = InputKind::kTopology;
      topology_candidates.push_back(path);
      r.inputs.push_back(std::move(f));
      continue;
    }
    if (LooksLikeObservations(*head)) {
      f.kind = InputKind::kObservations;
      observation_inputs.push_back(r.inputs.size());
      r.inputs.push_back(std::move(f));
      continue;
    }
    // Ping output, then Ceph: each parser says "not mine" with kUnrecognized.
    Status ping_status, ceph_status;
    {
      auto reader = ingest::LineReader::Open(path);
      if (!reader.ok()) {
        f.kind = InputKind::kUnreadable;
        f.status = reader.status();
        r.inputs.push_back(std::move(f));
        continue;
      }
      auto log = ingest::ParsePingLog(**reader);
      if (log.ok() && !log->sessions.empty()) {
        f.kind = InputKind::kPing;
        f.detail = fmt::format("{} session{}", log->sessions.size(),
                               log->sessions.size() == 1 ? "" : "s");
        f.warnings = log->warnings;
        if (!log->read_error.ok()) {
          // A cut .gz: the sessions read before the damage are used; the damage is said.
          f.warnings.push_back(Diagnostic{SourceLoc{path, 0, 0},
                                          "input damaged, only the part before the damage was "
                                          "read: " +
                                              log->read_error.ToString()});
        }
        timed_files.push_back(path);
        for (auto& s : log->sessions) {
          for (auto& w : s.warnings) f.warnings.push_back(w);
          PingEvidence e;
          e.file = path;
          e.session = std::move(s);
          r.pings.push_back(std::move(e));
        }
        r.inputs.push_back(std::move(f));
        continue;
      }
      ping_status = log.ok() ? Status::Unrecognized("no sessions") : log.status();
    }
    {
      auto reader = ingest::LineReader::Open(path);
      ingest::CephInputStats stats;
      BufferingCephSink probe(&ceph);
      Status s = reader.ok() ? ingest::ReadCephInput(reader->get(), &probe, &stats)
                             : reader.status();
      bool ceph_json = stats.kind != ingest::CephInputKind::kEmpty &&
                       stats.kind != ingest::CephInputKind::kLog &&
                       stats.kind != ingest::CephInputKind::kHealthText &&
                       stats.kind != ingest::CephInputKind::kJson;
      // A log counts as Ceph's only when it holds Ceph events; JSON documents (osd tree,
      // metadata) carry identities instead.
      // A Ceph log cut short (a damaged .gz) still holds the events read before the damage.
      bool cut_log = !s.ok() && stats.events > 0 && !ceph_json;
      if ((s.ok() && (stats.events > 0 || ceph_json)) || cut_log) {
        probe.Commit();
        if (cut_log) {
          f.warnings.push_back(Diagnostic{SourceLoc{path, 0, 0},
                                          "input damaged, only the part before the damage was "
                                          "read: " +
                                              s.ToString()});
        }
        f.kind = InputKind::kCeph;
        f.detail = stats.events > 0 ? fmt::format("{}, {} events",
                                                  ingest::CephInputKindName(stats.kind),
                                                  stats.events)
                                    : std::string(ingest::CephInputKindName(stats.kind));
        have_ceph = true;
        timed_files.push_back(path);
        r.inputs.push_back(std::move(f));
        continue;
      }
      ceph_status = s;
    }
    // Anything else may be a log the timeline reads (syslog, ESXi, iLO, kubectl, PostgreSQL,
    // a hints file); the timeline pass below decides, and says so when nothing does.
    f.kind = InputKind::kUnrecognised;
    if (ceph_status.code() == StatusCode::kMalformed) {
      // JSON that does not parse: its parse error (file:line:col, what was expected) says more
      // than "not recognised" — unless the timeline reads it below (JSON Lines, one per line).
      f.status = ceph_status;
    } else {
      f.status = Status::Unrecognized(fmt::format(
          "{}: not recognised as a topology, observations, ping output, a Ceph artifact or a log",
          path));
    }
    timed_files.push_back(path);
    r.inputs.push_back(std::move(f));
  }
  for (auto& w : ceph.TakeWarnings()) r.warnings.push_back(std::move(w));
  if (have_ceph) r.ceph = ceph.Finish();

  // The topology: --topology wins; else the one found among the inputs.
  std::string topo_path = options.topology_path;
  if (topo_path.empty() && !topology_candidates.empty()) {
    topo_path = topology_candidates.front();
    for (size_t i = 1; i < topology_candidates.size(); ++i) {
      r.warnings.push_back(Diagnostic{SourceLoc{topology_candidates[i], 0, 0},
                                      fmt::format("a second topology; using {}", topo_path)});
    }
  }
  if (!topo_path.empty()) {
    auto topo = model::LoadTopology(topo_path);
    if (!topo.ok()) {
      if (!options.topology_path.empty()) return topo.status();
      for (auto& in : r.inputs) {
        if (in.path == topo_path) in.status = topo.status();
      }
    } else {
      r.topology = std::move(*topo);
      r.topology_path = topo_path;
      for (auto& in : r.inputs) {
        if (in.path == topo_path) {
          in.detail = fmt::format("{} hosts, {} VMs, {} switches, {} networks",
                                  r.topology->hosts().size(), r.topology->vms().size(),
                                  r.topology->switches().size(), r.topology->networks().size());
        }
      }
    }
  }
  const model::Topology* topo = r.topology ? &*r.topology : nullptr;

  // Pass 2: everything that needs the topology becomes path observations.
  for (size_t idx : observation_inputs) {
    InputFile& in = r.inputs[idx];
    if (topo == nullptr) {
      in.status = Status::Usage("observations need a topology (--topology, or a topology file "
                                "among the inputs)");
      continue;
    }
    model::ObservationOptions oo;
    oo.src = options.src;
    oo.lenient = true;  // one bad line must not hide the rest; it is reported as a warning
    auto set = model::LoadObservations(in.path, *topo, oo);
    if (!set.ok()) {
      in.status = set.status();
      continue;
    }
    in.detail = fmt::format("{} measurements", set->observations.size());
    in.warnings = set->warnings;
    for (auto& o : set->observations) {
      r.origins.push_back({"observations", o.loc});
      r.observations.push_back(std::move(o));
    }
  }
  int64_t since_ns = 0;
  if (options.last_seconds > 0) {
    since_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() -
               options.last_seconds * 1'000'000'000;
  }
  for (size_t idx : agent_db_inputs) {
    InputFile& in = r.inputs[idx];
    if (topo == nullptr) {
      in.status = Status::Usage("an agent database needs a topology to place its pairs on");
      continue;
    }
    std::string src = SenderOf(in.path, options, topo);
    if (src.empty()) {
      in.status = Status::Usage(fmt::format(
          "{}: whose history is this? Name the file or its folder after the agent (esxi1.db)",
          in.path));
      continue;
    }
    auto store = store::ProbeStore::Open(in.path, /*read_only=*/true);
    if (!store.ok()) {
      in.status = store.status();
      continue;
    }
    auto rows = (*store)->AggregatesSince(since_ns, src);
    if (!rows.ok()) {
      in.status = rows.status();
      continue;
    }
    // One observation per (peer, network) over the whole window: the sum of its aggregates.
    std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> sums;
    std::map<std::pair<std::string, std::string>, std::string> address;
    for (const auto& t : *rows) {
      auto& s = sums[{t.name, t.network}];
      s.first += t.series.transmitted;
      s.second += std::min(t.series.lost_count, t.series.transmitted);
      address[{t.name, t.network}] = t.address;
    }
    auto self = topo->FindEndpoint(src);
    size_t used = 0, unknown = 0;
    for (const auto& [key, counts] : sums) {
      auto dst = topo->FindEndpoint(key.first);
      if (!dst) {
        auto hp = text::SplitHostPort(address[key], 0);
        if (auto fa = hp ? topo->FindAddress(hp->host) : std::nullopt) dst = fa->first;
      }
      auto net = topo->FindNetwork(key.second);
      if (!self || !dst || !net || counts.first == 0) {
        ++unknown;
        continue;
      }
      model::Observation o;
      o.src = *self;
      o.dst = *dst;
      o.network = *net;
      o.sent = counts.first;
      o.lost = counts.second;
      o.loc = SourceLoc{in.path, 0, 0};
      r.origins.push_back({"agent-db", o.loc});
      r.observations.push_back(o);
      ++used;
    }
    in.detail = fmt::format("history of {}: {} pairs", src, used);
    if (unknown > 0) {
      in.warnings.push_back(Diagnostic{SourceLoc{in.path, 0, 0},
                                       fmt::format("{} pairs name peers or networks the topology "
                                                   "does not have; not used",
                                                   unknown)});
    }
  }
  for (const std::string& agent : options.agents) {
    InputFile f;
    f.path = agent;
    f.kind = InputKind::kAgent;
    if (topo == nullptr) {
      f.status = Status::Usage("--agents needs a topology to place the pairs on");
      r.inputs.push_back(std::move(f));
      continue;
    }
    auto hp = text::SplitHostPort(agent, 9623);
    if (!hp) {
      f.status = Status::Usage(fmt::format("--agents: expected HOST[:PORT], saw \"{}\"", agent));
      r.inputs.push_back(std::move(f));
      continue;
    }
    httplib::Client cli(hp->host, hp->port);
    cli.set_connection_timeout(10, 0);
    cli.set_read_timeout(30, 0);
    std::string path = "/api/v1/observations";
    if (since_ns > 0) path += fmt::format("?since={}", since_ns / 1'000'000'000);
    auto res = cli.Get(path);
    if (!res || res->status != 200) {
      f.status = Status::Unavailable(fmt::format(
          "agent {}: {}", agent,
          res ? fmt::format("HTTP {}", res->status) : httplib::to_string(res.error())));
      r.inputs.push_back(std::move(f));
      continue;
    }
    model::ObservationOptions oo;
    oo.lenient = true;
    auto set = model::ParseObservations(res->body, fmt::format("http://{}{}", agent, path), *topo, oo);
    if (!set.ok()) {
      f.status = set.status();
    } else {
      f.detail = fmt::format("{} measurements", set->observations.size());
      f.warnings = set->warnings;
      for (auto& o : set->observations) {
        r.origins.push_back({"agent", o.loc});
        r.observations.push_back(std::move(o));
      }
    }
    r.inputs.push_back(std::move(f));
  }
  if (options.prometheus) {
    InputFile f;
    f.path = options.prometheus->url;
    f.kind = InputKind::kObservations;
    if (topo == nullptr) {
      f.status = Status::Usage("--prometheus needs a topology to place the pairs on");
    } else {
      auto client = ingest::PromQLClient::Create(*options.prometheus);
      Result<model::ObservationSet> set = client.ok()
          ? ObservationsFromPrometheus(*topo, *client, options.prometheus_matrix)
          : Result<model::ObservationSet>(client.status());
      if (!set.ok()) {
        f.status = set.status();
      } else {
        f.detail = fmt::format("{} pairs from Prometheus over {}", set->observations.size(),
                               options.prometheus_matrix.window);
        f.warnings = set->warnings;
        for (auto& o : set->observations) {
          r.origins.push_back({"prometheus", o.loc});
          r.observations.push_back(std::move(o));
        }
      }
    }
    r.inputs.push_back(std::move(f));
  }
  for (PingEvidence& p : r.pings) {
    p.src = SenderOf(p.file, options, topo);
    if (topo == nullptr) {
      p.not_used_why = "no topology";
      continue;
    }
    if (p.session.hop) {
      p.not_used_why = "an mtr hop, not an end-to-end path";
      continue;
    }
    auto src = topo->FindEndpoint(p.src);
    if (p.src.empty() || !src) {
      p.not_used_why = p.src.empty()
                           ? "sender unknown (name the file or its folder after the sender, "
                             "or pass --src)"
                           : fmt::format("sender {} is not in the topology", p.src);
      continue;
    }
    const std::string& target =
        p.session.target_address.empty() ? p.session.target_name : p.session.target_address;
    auto dst = topo->FindAddress(target);
    if (!dst) {
      p.not_used_why = fmt::format("target {} is no address in the topology", target);
      continue;
    }
    model::Observation o;
    o.src = *src;
    o.dst = dst->first;
    o.network = dst->second;
    o.sent = p.session.series.transmitted;
    o.lost = std::min(p.session.series.lost_count, o.sent);
    o.loc = SourceLoc{p.file, 0, 0};
    r.observations.push_back(o);
    r.origins.push_back({"ping", o.loc});
    p.used = true;
  }
  // Ceph's heartbeat evidence is a proxy (slow, not lost): it localizes only when nothing
  // measured loss directly, and then only its slow pairs count (a pair that was not slow says
  // little about loss).
  if (r.ceph && topo != nullptr && r.observations.empty()) {
    int unmapped = 0;
    for (const infer::CephPairObservation& c : infer::CephObservations(*r.ceph)) {
      auto a = topo->FindAddress(c.src);
      auto b = topo->FindAddress(c.dst);
      if (c.lost <= 0) continue;
      if (!a || !b || a->second != b->second || c.sent <= 0) {
        ++unmapped;
        continue;
      }
      model::Observation o;
      o.src = a->first;
      o.dst = b->first;
      o.network = a->second;
      o.sent = static_cast<uint64_t>(c.sent);
      o.lost = static_cast<uint64_t>(std::clamp<int64_t>(c.lost, 0, c.sent));
      o.loc = SourceLoc{fmt::format("ceph osd.{}->osd.{}", c.src_osd, c.dst_osd), 0, 0};
      r.observations.push_back(o);
      r.origins.push_back({"ceph", o.loc});
      r.ceph_used = true;
    }
    if (unmapped > 0) {
      r.warnings.push_back(Diagnostic{
          SourceLoc{}, fmt::format("{} Ceph OSD pairs have addresses the topology does not "
                                   "place on one network; not used for localization",
                                   unmapped)});
    }
  }
  if (topo != nullptr && !r.observations.empty()) {
    KW_ASSIGN_OR_RETURN(infer::LocalizeResult lr,
                        infer::Localize(*topo, r.observations, options.localize));
    r.localization = std::move(lr);
  }
  if (!timed_files.empty()) KW_RETURN_IF_ERROR(TellTheStory(options, timed_files, topo, &r));
  return r;
}

}  // namespace kiriwake::diagnose
