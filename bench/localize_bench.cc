// localize_bench: accuracy and speed of infer::Localize on simulated incidents.
//   build/release/localize_bench            full run (fat-tree up to k=48, 1M paths)
//   build/release/localize_bench --quick    small sizes only (a minute on 2 cores)
//   build/release/localize_bench [--quick] --only N   one scenario family (1-6, as numbered)
//   ... [--k K] [--reps N]   fat-tree rows of one k only, N runs each (e.g. --only 5 --k 48)
//   ... --only 2 [--labs N] [--seed S]   N random home labs (default 300) from seed S (default 42)
//   ... --default-malloc   glibc's default of returning freed memory (the CLI keeps it:
//                          util/batch_memory.h), to measure what that costs
// Prints, per scenario family: precision and recall of diagnosed groups (a group counts as
// correct when it holds an injected fault), mean ambiguity-group size against the minimum
// possible (the fault's equivalence class under the same measurements), localization time on
// one core and peak memory. Home-lab rows count the minimum group with what fits as well given
// the other faults (MinGroupSizesGivenOthers), print the path-identical minimum beside it, and
// rerun each lab with path-identical groups only, for comparison. They also say why faults were
// missed (ExplainMiss: a search miss, or the model's call, and whether the simulator's own
// generative model agrees with the answer; KW_BENCH_VERBOSE=1 prints each miss). The named peer,
// deTector (Peng et al., USENIX ATC 2017), is not run here: its published figure (~98.9% accuracy,
// < 1 s on a k=48 fat-tree's 82,944 links, with source-routed probes) is printed beside ours for
// the ratio.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "infer/localize.h"
#include "infer/simulate.h"
#include "model/observation.h"
#include "model/path.h"
#include "model/topology_gen.h"
#include "util/batch_memory.h"

namespace kw = kiriwake;
using kw::model::ComponentId;

namespace {

// CPU time of this thread: on a shared machine wall time also counts other processes' turns.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Minor page faults of this process so far: on the 2-core VM a first touch of a page costs
// 11-40 us, so fresh memory can weigh as much as the computation (docs/performance.md).
long MinorFaults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

// KW_PERF_CTL names a perf control FIFO (`perf record -D -1 --control=fifo:CTL,ACK`): the
// timed part of each scenario is then all that perf samples.
void PerfControl(const char* command) {
  static FILE* ctl = [] {
    const char* path = std::getenv("KW_PERF_CTL");
    return path != nullptr ? std::fopen(path, "w") : nullptr;
  }();
  if (ctl == nullptr) return;
  std::fputs(command, ctl);
  std::fflush(ctl);
}

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct Tally {
  int64_t groups = 0, correct_groups = 0, faults = 0, found_faults = 0;
  double group_size_sum = 0, min_size_sum = 0;
  double identical_size_sum = 0;  // min_size_sum's path-identical part (MinGroupSizes)
  int64_t sized = 0;
  double seconds = 0, max_seconds = 0;
  double path_seconds = 0;  // of `seconds`: finding (folding) the paths, when not given
  double cpu_seconds = 0, path_cpu_seconds = 0;  // the same, as this thread's CPU time
  int64_t minor_faults = 0;                       // in the timed part
  int runs = 0;
  void Add(const Tally& o) {
    groups += o.groups;
    correct_groups += o.correct_groups;
    faults += o.faults;
    found_faults += o.found_faults;
    group_size_sum += o.group_size_sum;
    min_size_sum += o.min_size_sum;
    identical_size_sum += o.identical_size_sum;
    sized += o.sized;
    seconds += o.seconds;
    path_seconds += o.path_seconds;
    cpu_seconds += o.cpu_seconds;
    path_cpu_seconds += o.path_cpu_seconds;
    minor_faults += o.minor_faults;
    max_seconds = std::max(max_seconds, o.max_seconds);
    runs += o.runs;
  }
  double Precision() const { return groups ? double(correct_groups) / groups : 1.0; }
  double Recall() const { return faults ? double(found_faults) / faults : 1.0; }
};

// The smallest group any method could name for component c: the components whose crossings
// (path, weight) over the measured paths are identical to c's.
// With folded paths, `rep` maps each component to the one whose crossings stand for it.
std::unordered_map<ComponentId, int64_t> MinGroupSizes(
    const kw::infer::ObservedPaths& paths, const std::vector<ComponentId>& of,
    size_t ncomp, const std::vector<ComponentId>* rep) {
  std::vector<uint64_t> h(ncomp, 1469598103934665603ULL);
  std::vector<uint32_t> n(ncomp, 0);
  for (uint32_t pi = 0; pi < paths.size(); ++pi) {
    for (const auto& e : paths.paths[pi]) {
      uint32_t wq = static_cast<uint32_t>(e.weight * 1e6f);
      h[e.component] = (h[e.component] ^ pi) * 1099511628211ULL;
      h[e.component] = (h[e.component] ^ wq) * 1099511628211ULL;
      ++n[e.component];
    }
  }
  auto carrier = [&](ComponentId x) { return rep ? (*rep)[x] : x; };
  std::unordered_map<ComponentId, int64_t> out;
  for (ComponentId c : of) {
    int64_t same = 0;
    ComponentId rc = carrier(c);
    for (size_t x = 0; x < ncomp && rc != kw::model::kNoComponent; ++x) {
      ComponentId rx = carrier(static_cast<ComponentId>(x));
      same += rx != kw::model::kNoComponent && n[rx] > 0 && h[rx] == h[rc] && n[rx] == n[rc];
    }
    out[c] = std::max<int64_t>(same, 1);
  }
  return out;
}

// With several faults, the smallest group is wider: a component that is not path-identical to
// fault f can still fit the measurements exactly as well in f's place given the other faults
// (a card for one of its two lossy cables: card + the other cable explain both cables' paths).
// Counted here as the components g for which the injected set with g in place of f has the
// injected set's own log-likelihood, every rate refitted (infer::FitFaultSet), to the
// tolerance Localize uses for such members (Suspect::alike_given_others). A refit per component
// on a path with f: home labs only.
std::unordered_map<ComponentId, int64_t> MinGroupSizesGivenOthers(
    const kw::model::Topology& topo, const kw::infer::ObservedPaths& paths,
    const std::vector<ComponentId>& truth) {
  kw::infer::LocalizeOptions lo;
  const double truth_ll = kw::infer::FitFaultSet(topo, paths, lo, truth).log_likelihood;
  std::unordered_map<ComponentId, int64_t> out;
  for (size_t i = 0; i < truth.size(); ++i) {
    std::unordered_set<ComponentId> near;  // on a measured path with the fault
    for (uint32_t pi = 0; pi < paths.size(); ++pi) {
      bool crosses = false;
      for (const auto& e : paths.paths[pi]) crosses = crosses || e.component == truth[i];
      if (!crosses) continue;
      for (const auto& e : paths.paths[pi]) near.insert(e.component);
    }
    int64_t same = 0;
    for (ComponentId g : near) {
      std::vector<ComponentId> set = truth;
      set[i] = g;
      auto fit = kw::infer::FitFaultSet(topo, paths, lo, set);
      // g must carry loss of its own: where f's class is another injected fault's too, f adds
      // nothing, and any g fitted at rate 0 would leave the likelihood as it was.
      bool carries = false;
      for (const auto& x : fit.faults) {
        carries = carries ||
                  (x.rate > 1e-4 && std::find(x.group.begin(), x.group.end(), g) != x.group.end());
      }
      same += carries && std::fabs(fit.log_likelihood - truth_ll) <= 1e-3;
    }
    out[truth[i]] = std::max<int64_t>(same, 1);
  }
  return out;
}

// `given_others`, when not null, is the minimum group of each fault (the default: path-identical
// components only, MinGroupSizes).
Tally Score(const kw::infer::LocalizeResult& r, const std::vector<kw::infer::InjectedFault>& truth,
            const kw::infer::ObservedPaths& paths, size_t ncomp,
            const std::vector<ComponentId>* rep = nullptr,
            const std::unordered_map<ComponentId, int64_t>* given_others = nullptr) {
  Tally t;
  std::unordered_set<ComponentId> faulty;
  std::vector<ComponentId> ids;
  for (const auto& f : truth) {
    faulty.insert(f.component);
    ids.push_back(f.component);
  }
  auto min_sizes = MinGroupSizes(paths, ids, ncomp, rep);
  auto identical = min_sizes;
  if (given_others) min_sizes = *given_others;
  std::unordered_set<ComponentId> found;
  for (const auto& s : r.suspects) {
    if (!s.diagnosed()) continue;
    ++t.groups;
    bool hit = false;
    for (ComponentId c : s.components) {
      if (faulty.count(c)) {
        hit = true;
        if (found.insert(c).second) {
          t.group_size_sum += static_cast<double>(s.components.size());
          t.min_size_sum += static_cast<double>(min_sizes[c]);
          t.identical_size_sum += static_cast<double>(identical[c]);
          ++t.sized;
        }
      }
    }
    t.correct_groups += hit;
  }
  t.faults = static_cast<int64_t>(truth.size());
  t.found_faults = static_cast<int64_t>(found.size());
  return t;
}

// ECMP routes unknown: the paths as `localize` builds them (PathFinder::FindFolded), timed with
// the inference since folding is part of the work.
kw::infer::ObservedPaths UnknownRoutes(const kw::model::Topology& t, const kw::infer::Scenario& sc,
                                       std::vector<ComponentId>* rep) {
  kw::model::PathFinder f(t);
  auto flow_at = [&](size_t i) {
    const auto& o = sc.observations[i];
    return kw::model::Flow{o.src, o.dst, o.network};
  };
  auto folded = f.FindFolded(kw::model::FlowSource(sc.observations.size(), flow_at), nullptr);
  kw::infer::ObservedPaths out;
  if (!folded.ok()) {
    fmt::print(stderr, "paths: {}\n", folded.status().ToString());
    return out;
  }
  out.paths = std::move(folded->paths);
  out.counts.reserve(sc.observations.size());
  for (size_t i = 0; i < sc.observations.size(); ++i) {
    const auto& o = sc.observations[i];
    out.counts.push_back({o.sent, o.lost, static_cast<uint32_t>(i)});
  }
  *rep = std::move(folded->representative);
  return out;
}

Tally RunOne(const kw::model::Topology& t, const kw::infer::SimOptions& so, bool known_routes,
             bool min_given_others = false, bool name_alike = true) {
  auto sc = kw::infer::Simulate(t, so);
  if (!sc.ok()) {
    fmt::print(stderr, "simulate: {}\n", sc.status().ToString());
    return {};
  }
  PerfControl("enable\n");
  auto start = std::chrono::steady_clock::now();
  double cpu_start = ThreadCpuSeconds();
  long faults_start = MinorFaults();
  std::vector<ComponentId> rep;
  auto paths = known_routes ? kw::infer::KnownRoutePaths(*sc) : UnknownRoutes(t, *sc, &rep);
  if (known_routes) {  // routes are given, not found
    start = std::chrono::steady_clock::now();
    cpu_start = ThreadCpuSeconds();
    faults_start = MinorFaults();
  }
  double path_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double path_cpu = ThreadCpuSeconds() - cpu_start;
  sc->routes.clear();
  sc->routes.shrink_to_fit();
  kw::infer::LocalizeOptions lo;
  lo.max_next_tests = 0;
  lo.name_alike_given_others = name_alike;
  auto r = kw::infer::LocalizePaths(t, paths, lo, nullptr, nullptr, known_routes ? nullptr : &rep);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = ThreadCpuSeconds() - cpu_start;
  long faults = MinorFaults() - faults_start;
  PerfControl("disable\n");
  std::unordered_map<ComponentId, int64_t> given_others;
  if (min_given_others) {
    std::vector<ComponentId> truth;
    for (const auto& f : sc->truth) truth.push_back(f.component);
    given_others = MinGroupSizesGivenOthers(t, paths, truth);
  }
  Tally tally = Score(r, sc->truth, paths, t.components().size(), known_routes ? nullptr : &rep,
                      min_given_others ? &given_others : nullptr);
  tally.seconds = secs;
  tally.path_seconds = known_routes ? 0.0 : path_secs;
  tally.cpu_seconds = cpu;
  tally.path_cpu_seconds = known_routes ? 0.0 : path_cpu;
  tally.max_seconds = secs;
  tally.minor_faults = faults;
  tally.runs = 1;
  return tally;
}

// Why a home lab's faults were missed, as two judges see it. The engine's own objective
// (infer::FitFaultSet) scores the injected faults and the answer: when the truth scores higher
// the search missed it, or found it but could not tell it from a rival as likely (two groups
// at p = 0.49 each, where the counts happen to fit either); otherwise the model itself prefers
// the answer, and no search would help.
// The simulator's generative model scores them again: the fault count uniform on 1-3, each fault
// drawn from the pool by prior (or uniformly) — so an ambiguity group weighs its pool members'
// share — and its rate uniform on [2%, 10%], integrated by Laplace's approximation at the fitted
// rate. When even that model prefers the answer, the truth is the less likely explanation of
// what was measured, for any method. Approximations: the fault count is this row's (1-3,
// uniform), and the likelihood is the engine's, which allows 0.1% background loss where the
// simulator draws 0.02%.
struct MissTally {
  int labs = 0;
  int64_t missed_faults = 0;
  int truth_scores_higher = 0;          // labs where the engine's objective prefers the truth
  int generator_prefers_answer = 0;     // labs where the simulator's own model prefers the answer
  int64_t generator_missed_faults = 0;  // the faults missed in those
};

void ExplainMiss(const kw::model::Topology& t, const kw::infer::SimOptions& so,
                 int64_t missed_faults, bool verbose, MissTally* tally) {
  auto sc = kw::infer::Simulate(t, so);
  if (!sc.ok()) return;
  auto paths = kw::infer::KnownRoutePaths(*sc);
  kw::infer::LocalizeOptions lo;
  lo.max_next_tests = 0;
  auto r = kw::infer::LocalizePaths(t, paths, lo);
  std::vector<ComponentId> truth, answer;
  for (const auto& f : sc->truth) truth.push_back(f.component);
  for (const auto& su : r.suspects) {
    if (su.diagnosed()) answer.push_back(su.components[0]);
  }
  auto fit_truth = kw::infer::FitFaultSet(t, paths, lo, truth);
  auto fit_answer = kw::infer::FitFaultSet(t, paths, lo, answer);
  auto in_pool = [&](ComponentId c) {
    return std::find(so.kinds.begin(), so.kinds.end(), t.component(c).kind) != so.kinds.end();
  };
  auto weight = [&](ComponentId c) {
    return !in_pool(c) ? 0.0 : so.draw_by_prior ? so.priors.For(t.component(c)) : 1.0;
  };
  double pool = 0;
  for (ComponentId c = 0; c < t.components().size(); ++c) pool += weight(c);
  const double rate_density = 1.0 / (so.max_loss_ratio - so.min_loss_ratio);
  constexpr double kImpossible = -50;  // log of a probability the simulator never produces
  auto generator_score = [&](const kw::infer::FaultSetFit& f) {
    double k = static_cast<double>(f.faults.size());
    double s = f.log_likelihood + std::lgamma(k + 1) +
               (k >= 1 && k <= 3 ? std::log(1.0 / 3) : kImpossible);
    for (const auto& x : f.faults) {
      double w = 0;
      for (ComponentId m : x.group) w += weight(m);
      s += w > 0 ? std::log(w / pool) : kImpossible;
      double rate = std::clamp(x.rate, 1e-4, 0.999);
      s += std::log(rate_density) +
           0.5 * std::log(2 * M_PI * rate * (1 - rate) / std::max(1.0, x.probes));
    }
    return s;
  };
  bool search = fit_truth.score > fit_answer.score + 1e-6;
  double gen_truth = generator_score(fit_truth), gen_answer = generator_score(fit_answer);
  ++tally->labs;
  tally->missed_faults += missed_faults;
  tally->truth_scores_higher += search;
  if (gen_answer >= gen_truth) {
    ++tally->generator_prefers_answer;
    tally->generator_missed_faults += missed_faults;
  }
  if (!verbose) return;
  fmt::print("  miss: {} components, seed {};", t.components().size(), so.seed);
  for (const auto& f : sc->truth) {
    fmt::print(" {}@{:.3f}", t.component(f.component).id, f.loss_ratio);
  }
  fmt::print(" ->");
  for (const auto& su : r.suspects) {
    fmt::print(" [{} +{} p={:.2f} r={:.3f}]", t.component(su.components[0]).id,
               su.components.size() - 1, su.probability, su.loss_ratio_estimate);
  }
  fmt::print(
      " | engine: truth {:.2f}, answer {:.2f} ({}) | simulator: truth {:.2f}, answer {:.2f}\n",
      fit_truth.score, fit_answer.score, search ? "truth scores higher" : "model's call", gen_truth,
      gen_answer);
}

void Row(const std::string& name, const std::string& detail, const Tally& t) {
  fmt::print("{:<34} {:<30} {:>9.4f} {:>7.4f} {:>5.2f}/{:<5.2f} {:>9.3f} {:>9.3f} {:>8.0f}\n", name,
             detail, t.Precision(), t.Recall(), t.sized ? t.group_size_sum / t.sized : 0.0,
             t.sized ? t.min_size_sum / t.sized : 0.0, t.runs ? t.seconds / t.runs : 0.0,
             t.max_seconds, PeakRssMiB());
  if (t.path_seconds > 0 && t.runs) {
    fmt::print("{:<34} {:<30} of the mean: folding the paths {:.3f} s, inference {:.3f} s\n", "",
               "", t.path_seconds / t.runs, (t.seconds - t.path_seconds) / t.runs);
  }
  if (t.runs) {
    fmt::print("{:<34} {:<30} CPU (this thread), mean: {:.3f} s", "", "", t.cpu_seconds / t.runs);
    if (t.path_cpu_seconds > 0) {
      fmt::print(" = folding {:.3f} s + inference {:.3f} s", t.path_cpu_seconds / t.runs,
                 (t.cpu_seconds - t.path_cpu_seconds) / t.runs);
    }
    fmt::print("; minor page faults {}\n", t.minor_faults / t.runs);
  }
  std::fflush(stdout);
}

void Header() {
  fmt::print("{:<34} {:<30} {:>9} {:>7} {:>11} {:>9} {:>9} {:>8}\n", "scenario", "setup",
             "precision", "recall", "group/min", "mean s", "max s", "rss MiB");
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int only = 0;
  int only_k = 0;         // --k K: fat-tree rows of that k only
  int reps_override = 0;  // --reps N: runs per fat-tree row
  int labs = 0;           // --labs N: random home labs per row
  uint64_t lab_seed = 42;  // --seed S: the home labs' random seed
  bool default_malloc = false;
  const bool verbose = std::getenv("KW_BENCH_VERBOSE") != nullptr;  // each home-lab miss
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--default-malloc") == 0) default_malloc = true;
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--k") == 0 && i + 1 < argc) only_k = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps_override = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--labs") == 0 && i + 1 < argc) labs = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
      lab_seed = std::strtoull(argv[++i], nullptr, 10);
  }
  // As `kiriwake` runs every batch verb; the simulator's freed memory stands in for the CLI's
  // freed YAML and observation parses.
  if (!default_malloc) kiriwake::KeepFreedMemory();
  auto want = [only](int section) { return only == 0 || only == section; };
  std::string cpu;
  std::ifstream ci("/proc/cpuinfo");
  for (std::string line; std::getline(ci, line);) {
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  fmt::print("localize_bench: kiriwake {}, {} cores, {}; freed memory {}\n", KIRIWAKE_VERSION,
             sysconf(_SC_NPROCESSORS_ONLN), cpu,
             default_malloc ? "returned (glibc default, --default-malloc)"
                            : "kept for reuse, as the CLI does");
#ifndef NDEBUG
  fmt::print("WARNING: assertions are enabled; build with scripts/build release for figures\n");
#endif
#if !defined(__OPTIMIZE__)
  fmt::print("WARNING: optimization is disabled: figures are unnecessarily slow\n");
#endif
  fmt::print(
      "single-threaded; time is localization (known routes: paths given) or folding the paths "
      "plus localization (ECMP unknown)\n\n");
  Header();

  // 1. The seed incident, from the example files.
  if (want(1)) {
    {
      auto t = kw::model::LoadTopology(std::string(KW_SOURCE_DIR) +
                                       "/examples/seed-incident/topology.yaml");
      auto obs = kw::model::LoadObservations(
          std::string(KW_SOURCE_DIR) + "/examples/seed-incident/observations.jsonl", *t, {});
      auto start = std::chrono::steady_clock::now();
      auto r = kw::infer::Localize(*t, obs->observations, {});
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::string group;
      for (ComponentId c : r->suspects.at(0).components) {
        group += (group.empty() ? "" : ", ") + t->component(c).id;
      }
      bool ok = r->suspects.size() == 1 && group == "dac-esxi2-allied, allied:2, esxi2:vmnic2";
      fmt::print("{:<34} {:<30} {} in {:.3f} ms: [{}] p={:.3f}\n", "seed home lab",
                 "examples/seed-incident", ok ? "PASS" : "FAIL", secs * 1e3, group,
                 r->suspects[0].probability);
    }
  }

  // 2. Random home labs: 3-8 hosts, 1-3 faults at 2-10%, 200 probes per pair, full mesh.
  //    Faulty components drawn by prior (mostly cables), then uniformly over kinds.
  if (want(2)) {
    for (bool by_prior : {true, false}) {
      std::mt19937_64 rng(lab_seed);
      Tally all, identical_only;
      MissTally misses;
      int runs = labs > 0 ? labs : quick ? 60 : 300;
      for (int i = 0; i < runs; ++i) {
        int hosts = 3 + static_cast<int>(rng() % 6);
        auto t = kw::model::Topology::Build(kw::model::HomeLab(hosts));
        kw::infer::SimOptions so;
        so.faults = 1 + static_cast<int>(rng() % 3);
        so.kinds = {kw::model::ComponentKind::kCable,      kw::model::ComponentKind::kHostPort,
                    kw::model::ComponentKind::kSwitchPort, kw::model::ComponentKind::kCard,
                    kw::model::ComponentKind::kDriver,     kw::model::ComponentKind::kSwitch};
        so.probes_per_pair = 200;
        so.draw_by_prior = by_prior;
        so.keep_routes = true;
        so.seed = rng();
        Tally one = RunOne(*t, so, true, /*min_given_others=*/true);
        // The same lab with path-identical groups only: what naming the members alike given
        // the others changes.
        identical_only.Add(RunOne(*t, so, true, true, /*name_alike=*/false));
        if (one.correct_groups != one.groups || one.found_faults != one.faults) {
          ExplainMiss(*t, so, one.faults - one.found_faults, verbose, &misses);
        }
        all.Add(one);
      }
      Row(by_prior ? "random home labs, faults by prior" : "random home labs, uniform kinds",
          fmt::format("{} runs, 3-8 hosts, 1-3 faults", runs), all);
      fmt::print(
          "{:<34} {:<30} group/min: min counts what fits as well given the other faults; the "
          "path-identical min alone: {:.2f}\n",
          "", "", all.sized ? all.identical_size_sum / all.sized : 0.0);
      fmt::print(
          "{:<34} {:<30} with path-identical groups only (name_alike_given_others off), same labs: "
          "precision {:.4f}, recall {:.4f}, group/min {:.2f}/{:.2f}\n",
          "", "", identical_only.Precision(), identical_only.Recall(),
          identical_only.sized ? identical_only.group_size_sum / identical_only.sized : 0.0,
          identical_only.sized ? identical_only.identical_size_sum / identical_only.sized : 0.0);
      fmt::print(
          "{:<34} {:<30} misses in {} labs ({} faults): the engine's objective prefers its answer "
          "in {}, the truth in {} (missed by the search, or found with p < 0.5 beside a rival)\n",
          "", "", misses.labs, misses.missed_faults, misses.labs - misses.truth_scores_higher,
          misses.truth_scores_higher);
      fmt::print(
          "{:<34} {:<30} the simulator's own model prefers the answer too in {} labs ({} faults); "
          "recall if all the others were found: {:.4f}\n",
          "", "", misses.generator_prefers_answer, misses.generator_missed_faults,
          all.faults ? 1.0 - double(misses.generator_missed_faults) / double(all.faults) : 1.0);
    }
  }

  // 3. Fat-trees, Pingmesh-like sampled pairs with known routes, 10 cable faults.
  if (want(3)) {
    std::vector<std::pair<int, int64_t>> sizes =
        quick ? std::vector<std::pair<int, int64_t>>{{8, 20000}, {16, 100000}}
              : std::vector<std::pair<int, int64_t>>{
                    {8, 50000}, {16, 200000}, {24, 500000}, {32, 1000000}, {48, 1000000}};
    for (auto [k, pairs] : sizes) {
      if (only_k != 0 && k != only_k) continue;
      auto build_start = std::chrono::steady_clock::now();
      auto t = kw::model::Topology::Build(kw::model::FatTree(k));
      double build_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
      Tally all;
      int reps = reps_override > 0 ? reps_override : quick ? 2 : (k >= 32 ? 2 : 3);
      for (int rep = 0; rep < reps; ++rep) {
        kw::infer::SimOptions so;
        so.faults = 10;
        so.sampled_pairs = pairs;
        so.keep_routes = true;
        so.seed = 1000 + static_cast<uint64_t>(k * 10 + rep);
        all.Add(RunOne(*t, so, true));
      }
      Row(fmt::format("fat-tree k={} known routes", k),
          fmt::format("{} paths, 10 faults (build {:.2f}s)", pairs, build_s), all);
    }
  }

  // 4. Scaling in the number of faults.
  if (want(4)) {
    {
      int k = quick ? 16 : 48;
      int64_t pairs = quick ? 100000 : 1000000;
      auto t = kw::model::Topology::Build(kw::model::FatTree(k));
      for (int faults : {1, 5, 10, 20, 50}) {
        kw::infer::SimOptions so;
        so.faults = faults;
        so.sampled_pairs = pairs;
        so.keep_routes = true;
        so.seed = 77 + static_cast<uint64_t>(faults);
        Tally tl = RunOne(*t, so, true);
        Row(fmt::format("fat-tree k={} known routes", k),
            fmt::format("{} paths, {} faults", pairs, faults), tl);
      }
    }
  }

  // 5. ECMP with unknown routes: each path's uncertain middle is a weight per component, folded
  // where every path crosses components alike (k=34: the Prometheus scale test's 10k agents).
  if (want(5)) {
    for (auto [k, pairs] :
         quick ? std::vector<std::pair<int, int64_t>>{{4, 5000}, {8, 20000}}
               : std::vector<std::pair<int, int64_t>>{
                     {4, 5000}, {8, 50000}, {16, 100000}, {34, 200000}, {48, 1000000}}) {
      if (only_k != 0 && k != only_k) continue;
      auto t = kw::model::Topology::Build(kw::model::FatTree(k));
      Tally all;
      for (int rep = 0; rep < (reps_override > 0 ? reps_override : 3); ++rep) {
        kw::infer::SimOptions so;
        so.faults = k == 4 ? 2 : (k == 48 ? 10 : 5);  // k=48: the 10 faults
        so.sampled_pairs = pairs;
        so.seed = 500 + static_cast<uint64_t>(rep);
        all.Add(RunOne(*t, so, false));
      }
      Row(fmt::format("fat-tree k={} ECMP unknown", k),
          fmt::format("{} paths, {} faults", pairs, k == 4 ? 2 : (k == 48 ? 10 : 5)), all);
    }
  }

  // 6. Loss everywhere: a leaf-spine fabric dropping 1% on every path against the default 0.1%
  //    background, with 5 real cable faults, routes unknown. Timed with the exchange search's work
  //    budget and without it (the engine before the budget, as the peer); then with the background
  //    the result suggests (widespread_loss_ratio), scored against the injected faults.
  if (want(6)) {
    auto t = kw::model::Topology::Build(quick ? kw::model::LeafSpine(10, 4, 30)
                                              : kw::model::LeafSpine(20, 4, 50));
    kw::infer::SimOptions so;
    so.faults = 5;
    so.sampled_pairs = quick ? 10000 : 30000;
    so.background_loss_ratio = 0.01;
    so.seed = 3;
    auto sc = kw::infer::Simulate(*t, so);
    if (!sc.ok()) {
      fmt::print(stderr, "simulate: {}\n", sc.status().ToString());
      return 1;
    }
    // Routes unknown (ECMP over the spines), as `kiriwake localize` reads such observations.
    std::vector<ComponentId> rep;
    auto paths = UnknownRoutes(*t, *sc, &rep);
    auto timed = [&](const kw::infer::LocalizeOptions& lo) {
      double cpu = ThreadCpuSeconds();
      auto r = kw::infer::LocalizePaths(*t, paths, lo, nullptr, nullptr, &rep);
      return std::make_pair(std::move(r), ThreadCpuSeconds() - cpu);
    };
    kw::infer::LocalizeOptions budget, unlimited;
    budget.max_next_tests = unlimited.max_next_tests = 0;
    unlimited.exchange_work_factor = 0;
    auto [with, with_s] = timed(budget);
    auto [without, without_s] = timed(unlimited);
    auto named = [](const kw::infer::LocalizeResult& r) {
      int n = 0;
      for (const auto& s : r.suspects) n += s.diagnosed();
      return n;
    };
    fmt::print(
        "{:<34} {:<30} {} paths: {:.2f} s CPU with the work budget, {:.2f} s without "
        "(peer: the same engine unbudgeted): {:.1f}x; {} and {} culprits named; "
        "widespread_loss_ratio {:.4f}\n",
        "loss everywhere (1%), leaf-spine", fmt::format("{} hosts, 5 faults", t->hosts().size()),
        paths.size(), with_s, without_s, with_s > 0 ? without_s / with_s : 0.0, named(with),
        named(without), with.widespread_loss_ratio);
    kw::infer::LocalizeOptions suggested = budget;
    suggested.background_loss_ratio = with.widespread_loss_ratio;
    if (suggested.background_loss_ratio > 0) {
      auto [again, again_s] = timed(suggested);
      Tally tally = Score(again, sc->truth, paths, t->components().size(), &rep);
      tally.seconds = tally.max_seconds = tally.cpu_seconds = again_s;
      tally.runs = 1;
      Row("  rerun at the suggested background",
          fmt::format("--background-loss {:.4f}", suggested.background_loss_ratio), tally);
    }
  }

  fmt::print(
      "\npeer: deTector (USENIX ATC'17), k=48 fat-tree, 82,944 links: ~98.9% accuracy in "
      "< 1 s with source-routed probes (published figure, not run here)\n");
  return 0;
}
