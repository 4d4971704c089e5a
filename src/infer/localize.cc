#include "infer/localize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <optional>
#include <queue>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include <boost/math/special_functions/beta.hpp>
#include <fmt/format.h>

namespace kiriwake::infer {

using model::ComponentId;
using model::ComponentKind;
using model::kNoComponent;

double ComponentPriors::For(const model::Component& c) const {
  if (c.prior) return *c.prior;
  switch (c.kind) {
    case ComponentKind::kCable:
      if (c.medium == "dac" || c.medium == "twinax") return cable_dac;
      if (c.medium == "fiber" || c.medium == "fibre" || c.medium == "optic" || c.medium == "aoc") {
        return cable_fiber;
      }
      if (c.medium == "copper" || c.medium == "utp" || c.medium == "rj45") return cable_copper;
      return cable_other;
    case ComponentKind::kHostPort:
      return host_port;
    case ComponentKind::kSwitchPort:
      return switch_port;
    case ComponentKind::kCard:
      return card;
    case ComponentKind::kDriver:
      return driver;
    case ComponentKind::kVswitch:
      return vswitch;
    case ComponentKind::kHost:
      return host;
    case ComponentKind::kVm:
      return vm;
    case ComponentKind::kSwitch:
      return switch_;
  }
  return cable_other;
}

bool ComponentPriors::Set(std::string_view name, double value) {
  double* slot = nullptr;
  if (name == "dac") slot = &cable_dac;
  if (name == "fiber" || name == "fibre") slot = &cable_fiber;
  if (name == "copper") slot = &cable_copper;
  if (name == "cable") slot = &cable_other;
  if (name == "host_port") slot = &host_port;
  if (name == "switch_port") slot = &switch_port;
  if (name == "card") slot = &card;
  if (name == "driver") slot = &driver;
  if (name == "vswitch") slot = &vswitch;
  if (name == "host") slot = &host;
  if (name == "vm") slot = &vm;
  if (name == "switch") slot = &switch_;
  if (!slot) return false;
  *slot = value;
  return true;
}

std::string_view NextTestKindName(NextTestKind k) {
  switch (k) {
    case NextTestKind::kProbe:
      return "probe";
    case NextTestKind::kMoveUplink:
      return "move_uplink";
    case NextTestKind::kSwapCable:
      return "swap_cable";
  }
  return "unknown";
}

namespace {

// A path whose loss background alone gives with at most this probability makes the components
// on it candidates: weaker than the lossy test (opt_.lossy_p_value), since several such paths
// through one component convict it together.
constexpr double kCandidateTail = 0.05;

// One-sided binomial tail P(X >= m) for X ~ Bin(n, p): the regularized incomplete beta
// I_p(m, n - m + 1). A sum of terms from m upward (what this was) must run to the mode and beyond;
// capped at a few thousand terms it called 5,000 lost of 10M sent at a 0.1% background (mean
// 10,000) "lossy", with a tail of ~0 where the truth is ~1.
double BinomialUpperTail(uint64_t n, uint64_t m, double p) {
  if (m == 0) return 1.0;
  if (m > n || p <= 0) return 0.0;
  if (p >= 1) return 1.0;
  using namespace boost::math::policies;
  using Quiet = policy<domain_error<errno_on_error>, overflow_error<errno_on_error>,
                       evaluation_error<errno_on_error>, promote_double<false>>;
  double tail =
      boost::math::ibeta(static_cast<double>(m), static_cast<double>(n - m) + 1.0, p, Quiet());
  if (std::isfinite(tail)) return std::clamp(tail, 0.0, 1.0);
  // Not expected; should boost give up, the normal approximation with continuity correction.
  double nn = static_cast<double>(n), mean = nn * p;
  double z = (static_cast<double>(m) - 0.5 - mean) / std::sqrt(mean * (1 - p));
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// Binomial log-likelihood kernel of m lost of n with survival s (constant term dropped).
inline double Kernel(double n, double m, double s) {
  double loss = std::clamp(1.0 - s, 1e-12, 1.0 - 1e-12);
  return m * std::log(loss) + (n - m) * std::log1p(-loss);
}

struct Uncertain {
  float weight;
  double rate;
};

// The current explanation of one path: survival through certain faults, and the uncertain
// faults it may cross.
struct PathState {
  double certain_survival = 1.0;
  std::vector<Uncertain> uncertain;
};

// A hash of a state's exact contents (the same doubles and floats give the same hash).
uint64_t StateHash(const PathState& st) {
  auto bits = [](double x) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  };
  uint64_t h = bits(st.certain_survival) * 0x9e3779b97f4a7c15ULL;
  for (const Uncertain& u : st.uncertain) {
    uint32_t wb;
    std::memcpy(&wb, &u.weight, sizeof wb);
    h = (h ^ wb ^ (bits(u.rate) * 0xbf58476d1ce4e5b9ULL)) * 0x94d049bb133111ebULL;
  }
  return h;
}

// The uncertain faults PathLL enumerates (the first 4, into list; returns how many), and into
// *cert the certain survival with the others folded in at their expected survival.
int SplitUncertain(double base, const PathState& st, Uncertain* list, double* cert) {
  *cert = base * st.certain_survival;
  int k = 0;
  for (const Uncertain& u : st.uncertain) {
    if (k < 4) {
      list[k++] = u;
    } else {
      *cert *= 1.0 - u.weight * u.rate;
    }
  }
  return k;
}

// One subset `mask` of list[0..k) crossed: its log-probability and the path's survival.
void Subset(const Uncertain* list, int k, int mask, double cert, double* logw, double* s) {
  *logw = 0;
  *s = cert;
  for (int i = 0; i < k; ++i) {
    if (mask & (1 << i)) {
      *logw += std::log(list[i].weight);
      *s *= 1.0 - list[i].rate;
    } else {
      *logw += std::log1p(-static_cast<double>(list[i].weight));
    }
  }
}

// Log-likelihood of a path's counts given its state, plus optionally one more fault (w, r).
// Uncertain faults are mixtures: enumerated exactly up to 4 (16 terms), beyond that each
// contributes its expected survival — an approximation only paths crossing many faulty ECMP
// members need.
double PathLL(double n, double m, double base, const PathState& st, float extra_w, double extra_r) {
  Uncertain list[5];
  double cert = 0;
  int k = SplitUncertain(base, st, list, &cert);
  if (extra_w > 0) {
    if (extra_w >= model::Path::kCertainWeight) {
      cert *= 1.0 - extra_r;
    } else {
      list[k++] = {extra_w, extra_r};
    }
  }
  if (k == 0) return Kernel(n, m, cert);
  // log-sum-exp over the 2^k subsets of uncertain faults actually crossed.
  double terms[32];
  double best = -INFINITY;
  for (int mask = 0; mask < (1 << k); ++mask) {
    double logw = 0, s = 0;
    Subset(list, k, mask, cert, &logw, &s);
    terms[mask] = logw + Kernel(n, m, s);
    best = std::max(best, terms[mask]);
  }
  double sum = 0;
  for (int mask = 0; mask < (1 << k); ++mask) sum += std::exp(terms[mask] - best);
  return best + std::log(sum);
}

// The equivalence classes treat weights equal to a millionth as one: a fold's weights are sums
// of products, and equal ones may differ in the last bits.
uint32_t QuantizedWeight(float w) { return static_cast<uint32_t>(std::lround(w * 1e6)); }

// PathLL(n, m, base, st, w, r) as a function of r alone, for one more fault crossed uncertainly
// (w < 1): the subsets of the path's own uncertain faults that leave it out do not depend on r,
// so they are computed once for a golden-section search's 25 rates instead of at each (at k=48
// that search was a third of the inference). The same operations in the same order as PathLL,
// so the same values: the extra fault is its last uncertain one, the highest bit of the mask.
class MixtureInRate {
 public:
  MixtureInRate(double n, double m, double base, const PathState& st, float w) : n_(n), m_(m) {
    Uncertain list[4];
    double cert = 0;
    int k = SplitUncertain(base, st, list, &cert);
    half_ = 1 << k;
    for (int mask = 0; mask < half_; ++mask) {
      double logw = 0, s = 0;
      Subset(list, k, mask, cert, &logw, &s);
      fixed_[mask] = logw + std::log1p(-static_cast<double>(w)) + Kernel(n, m, s);
      cross_logw_[mask] = logw + std::log(w);
      cross_s_[mask] = s;
    }
  }
  double At(double r) const {
    double terms[32];
    double best = -INFINITY;
    for (int mask = 0; mask < half_; ++mask) {
      terms[mask] = fixed_[mask];
      best = std::max(best, terms[mask]);
    }
    for (int mask = 0; mask < half_; ++mask) {
      terms[half_ + mask] = cross_logw_[mask] + Kernel(n_, m_, cross_s_[mask] * (1.0 - r));
      best = std::max(best, terms[half_ + mask]);
    }
    double sum = 0;
    for (int mask = 0; mask < 2 * half_; ++mask) sum += std::exp(terms[mask] - best);
    return best + std::log(sum);
  }

 private:
  double n_, m_;
  int half_ = 1;
  double fixed_[16], cross_logw_[16], cross_s_[16];
};

struct Incidence {
  uint32_t path;
  float weight;
};

class Engine {
 public:
  Engine(const model::Topology& t, const ObservedPaths& paths,
         const LocalizeOptions& o, const std::vector<ComponentId>* representative)
      : topo_(t), paths_(paths), opt_(o), representative_(representative) {}

  LocalizeResult Run(model::PathFinder* finder, const std::vector<model::Observation>* obs);
  FaultSetFit Fit(const std::vector<ComponentId>& faults);

 private:
  // Coordinate ascent on the loss rates of the faults set[j], j in `which`, all of `set`
  // applied at `*rate`: each refitted given the rest, until none moves by 1e-7 (at most 50
  // rounds). The state is left with the refitted rates applied.
  void RefitRates(const std::vector<uint32_t>& set, std::vector<double>* rate,
                  const std::vector<size_t>& which);
  // Incidences, classes, and each path's starting state: lossy or not, and for a path with loss
  // its log-likelihood with nothing faulty. Returns the number of lossy paths.
  int64_t Prepare();
  // A path's background tail and starting log-likelihood depend on its counts only, and a
  // million paths have a few dozen distinct counts (most: all sent, none lost), so each is
  // computed once per distinct pair, the last pair asked for tried first.
  struct ByCounts {
    double tail, ll;
  };
  const ByCounts& CountsOf(const PathCounts& p);
  double WidespreadLossRatio(const LocalizeResult& r) const;
  struct CountsHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& k) const {
      return k.first * 0x9e3779b97f4a7c15ULL ^ k.second;
    }
  };
  std::unordered_map<std::pair<uint64_t, uint64_t>, ByCounts, CountsHash> by_counts_;
  const ByCounts* last_counts_ = nullptr;
  std::pair<uint64_t, uint64_t> last_counts_key_;
  void BuildIncidence();
  void BuildClasses();
  // Best gain of adding class c (rate optimised) given current states; sets *rate.
  double Gain(uint32_t cls, double* rate) const;
  // A fault's prior log-odds less the price of its own loss-rate parameter (BIC: half the log of
  // the probes it is fitted to). Without it, two faults with two free rates out-fit one wide
  // fault with one rate on sampling noise alone: a card dropping 10% on both its ports would be
  // named as two cables. Real faults gain hundreds of nats; the price is a few.
  double FaultLogOdds(uint32_t cls) const;
  // The state-dependent incidences of a class as terms: those on paths no chosen fault touches
  // are grouped by (weight, sent, lost), since their likelihood terms are equal — in an ECMP
  // fabric the thousands of paths crossing a tier with a background loss or two collapse into a
  // handful of terms. The rest stay one term per path.
  struct Term {
    float weight;
    uint32_t path;  // the group's first path
    double count;
    uint32_t slot;  // that path's
  };
  std::vector<Term> Terms(uint32_t cls) const;
  // `curves`, when given, stands for PathLL on the terms crossed uncertainly (Gain's search).
  double GainAt(uint32_t cls, const std::vector<Term>& terms, double rate,
                const std::vector<std::optional<MixtureInRate>>* curves = nullptr) const;
  // The log-likelihood a fault at `rate` adds on the loss-free paths it crosses. Exact whatever
  // else is faulty: with no loss a path's likelihood factorises over its faults ((1-r)^n for a
  // certain crossing, w(1-r)^n + 1-w for an uncertain one), so those paths keep no state and
  // Apply skips them — in an ECMP fabric a tier's fault crosses a million of them.
  double LossFreeLL(uint32_t cls, double rate) const;
  void Apply(uint32_t cls, double rate, int sign);
  void FillEvidence(uint32_t cls, Evidence* ev) const;
  void NextTests(LocalizeResult* r, model::PathFinder* finder,
                 const std::vector<model::Observation>* obs) const;

  const model::Topology& topo_;
  const ObservedPaths& paths_;
  const LocalizeOptions& opt_;
  // Folded paths: component -> the component whose incidences stand for it (null: unfolded).
  const std::vector<ComponentId>* representative_;
  ComponentId Carrier(ComponentId c) const { return representative_ ? (*representative_)[c] : c; }
  double base_survival_ = 1.0;

  // CSR: component -> its incidences on paths with loss. The loss-free crossings — nearly all
  // of them in a large healthy fabric, certain or over an ECMP tier — are only summarised per
  // component: their count, one example, two hashes of which paths they are (for the
  // equivalence classes), the certain ones' sent total and the uncertain ones' counts by
  // (weight, sent), all their likelihood needs (LossFreeLL). That keeps memory and time
  // proportional to the paths that matter: at k=48 the 7M loss-free ECMP crossings were 56 MiB
  // of incidences written, hashed and read back once per class, a third of the inference.
  std::vector<uint32_t> inc_start_;
  std::vector<Incidence> inc_;
  // One record per component, not separate arrays: BuildIncidence updates all of it for each
  // of millions of crossings, and five arrays were five cache misses each time. 32 bytes: with
  // routes known (no folding) a k=48 fabric's 334k components are all touched at random.
  struct ZeroSummary {
    double sent = 0;  // certain crossings'
    uint64_t h1 = 1469598103934665603ULL, h2 = 0x9e3779b97f4a7c15ULL;
    uint32_t count = 0;  // every loss-free crossing
    uint32_t example = UINT32_MAX;
  };
  std::vector<ZeroSummary> zero_;
  // Uncertain loss-free crossings come in runs of one (weight, sent) (a component sits at one
  // depth of most paths' DAGs): per component its current run, made only once an uncertain
  // crossing is seen; `next` heads the list of its finished runs in zero_runs_.
  struct ZeroRun {
    float weight = 0;
    uint32_t count = 0;
    uint64_t sent = 0;
    uint32_t next = UINT32_MAX;
  };
  std::vector<ZeroRun> zero_run_;
  std::vector<ZeroRun> zero_runs_;
  // Classes of components with identical incidence.
  std::vector<uint32_t> class_of_;  // component -> class (UINT32_MAX: unobserved)
  std::vector<std::vector<ComponentId>> classes_;
  std::vector<ComponentId> class_carrier_;  // a member that has the class's incidences
  std::vector<double> class_prior_;
  std::vector<char> path_lossy_;
  std::vector<char> path_weak_;  // some loss, a candidate's, but not significant alone
  int64_t weak_paths_ = 0;
  // More than half of 20 or more paths lost packets, over twice as many as the background would
  // make lose any (Prepare): loss is everywhere, not at a few components.
  bool loss_on_most_paths_ = false;
  // Per class, the incidences whose likelihood depends on the state (some loss, or an uncertain
  // route); the rest are loss-free certain crossings whose gain is exactly sent * log(1 - r),
  // whatever else is faulty, so they are summed once into zero_sent.
  struct EvalData {
    double zero_sent = 0;
    double probes = 0;  // on every path the class crosses (FaultLogOdds' N)
    std::vector<Incidence> eval;
    // The eval incidences' (weight, sent, lost) kinds and each incidence's kind: clean paths of
    // one kind have equal likelihood terms, so Terms groups them without reading the paths.
    struct Kind {
      float weight;
      uint64_t sent, lost;
      bool operator==(const Kind&) const = default;
      struct Hash {
        size_t operator()(const Kind& k) const {
          uint32_t wb;
          std::memcpy(&wb, &k.weight, sizeof wb);
          return (k.sent * 0x9e3779b97f4a7c15ULL) ^ (k.lost * 0xbf58476d1ce4e5b9ULL) ^ wb;
        }
      };
    };
    std::vector<Kind> kinds;
    std::vector<uint32_t> kind_of;
    std::vector<uint32_t> slot;  // per eval incidence: its path's slot
    // Loss-free uncertain crossings, by (weight, sent): their gain is
    // log(w (1-r)^n + 1 - w) each — exact when no other uncertain fault shares the path, and
    // the approximation that keeps ECMP-heavy inputs tractable otherwise.
    std::vector<std::pair<std::pair<float, uint64_t>, double>> zero_uncertain;
  };
  mutable std::vector<int32_t> eval_index_;
  mutable std::vector<EvalData> eval_data_;
  // Terms' grouping of dirty incidences: an open-addressing table reused across calls (Terms runs
  // thousands of times per diagnosis; a node-based map allocated per group). A slot is in use
  // when its stamp is the current call's, so nothing is cleared between calls.
  struct TermSlot {
    float weight;
    uint32_t stamp;
    uint64_t sent, lost, state;
    uint32_t term;
  };
  mutable std::vector<TermSlot> term_table_;
  mutable uint32_t term_stamp_ = 0;
  // Work done by Gain so far: one per call and one per state-dependent incidence it weighs (each
  // a term of the rate search). The exchange search is budgeted in it, not in trials alone.
  mutable int64_t gain_work_ = 0;
  const EvalData& Eval(uint32_t cls) const;
  // Only paths with loss have a state and a log-likelihood that faults change (the rest are
  // LossFreeLL's), so those live in slots numbered over the lossy paths alone: at k=48 a few
  // MiB that stay in cache, where a slot per path was 40 MiB read at random.
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  std::vector<uint32_t> slot_of_;  // path -> slot (kNoSlot: no loss); BuildIncidence numbers them
  std::vector<PathState> state_;   // per slot
  // Per slot, StateHash of its state, kept by MarkState: Terms groups paths by state thousands of
  // times per diagnosis, and walking each state's list of uncertain faults was most of its time.
  std::vector<uint64_t> state_hash_;
  std::vector<double> path_ll_;    // per slot
  // A bit per slot: its state is not the default (a chosen fault is on it). Terms tests this
  // instead of reading the state and counts.
  std::vector<uint64_t> dirty_;
  bool Dirty(uint32_t slot) const { return (dirty_[slot / 64] >> (slot % 64)) & 1; }
  void MarkState(uint32_t slot) {
    const PathState& st = state_[slot];
    state_hash_[slot] = StateHash(st);
    uint64_t bit = uint64_t{1} << (slot % 64);
    if (st.certain_survival == 1.0 && st.uncertain.empty()) {
      dirty_[slot / 64] &= ~bit;
    } else {
      dirty_[slot / 64] |= bit;
    }
  }
  // Undo log for trial moves in the local search: each change to a slot's state as its inverse
  // (a copy of the state was an allocation per path per change), and the log-likelihood before.
  // Undone newest first, each inverse meets the state its change left, so states come back
  // exactly.
  struct Undo {
    enum class Op : uint8_t { kCertain, kPushed, kErased, kNothing };
    uint32_t slot;
    Op op;
    uint32_t index;   // kErased: where the entry was
    double certain;   // kCertain: the certain survival before
    Uncertain entry;  // kErased: the entry taken out
    double ll;
  };
  bool undo_on_ = false;
  std::vector<Undo> undo_;
  void Rollback() {
    for (size_t i = undo_.size(); i-- > 0;) {
      const Undo& u = undo_[i];
      PathState& st = state_[u.slot];
      switch (u.op) {
        case Undo::Op::kCertain: st.certain_survival = u.certain; break;
        case Undo::Op::kPushed: st.uncertain.pop_back(); break;
        case Undo::Op::kErased:
          st.uncertain.insert(st.uncertain.begin() + static_cast<long>(u.index), u.entry);
          break;
        case Undo::Op::kNothing: break;
      }
      MarkState(u.slot);
      path_ll_[u.slot] = u.ll;
    }
    undo_.clear();
  }

  std::span<const Incidence> Inc(ComponentId c) const {
    return {inc_.data() + inc_start_[c], inc_.data() + inc_start_[c + 1]};
  }
  std::span<const Incidence> ClassInc(uint32_t cls) const { return Inc(class_carrier_[cls]); }
};

void Engine::BuildIncidence() {
  size_t n = topo_.components().size();
  inc_start_.assign(n + 1, 0);
  zero_.assign(n, ZeroSummary{});
  zero_run_.clear();
  zero_runs_.clear();
  slot_of_.assign(paths_.size(), kNoSlot);
  std::vector<uint32_t> with_loss;  // in slot order
  // Memory-bound: a path's entries and each component's summary are a cache miss each (the
  // paths were made in the order their flows finished, not this one). Prefetched a few paths
  // ahead — the entries first, their summaries once the entries are in.
  constexpr uint32_t kAhead = 4;
  auto total = static_cast<uint32_t>(paths_.size());
  for (uint32_t pi = 0; pi < total; ++pi) {
    if (pi + 2 * kAhead < total) __builtin_prefetch(paths_.paths[pi + 2 * kAhead].data());
    if (pi + kAhead < total) {
      for (const model::PathEntry& e : paths_.paths[pi + kAhead]) {
        __builtin_prefetch(&zero_[e.component], 1);
      }
    }
    const PathCounts& p = paths_.counts[pi];
    if (p.lost > 0) {
      slot_of_[pi] = static_cast<uint32_t>(with_loss.size());
      with_loss.push_back(pi);
      for (const model::PathEntry& e : paths_.paths[pi]) ++inc_start_[e.component + 1];
      continue;
    }
    for (const model::PathEntry& e : paths_.paths[pi]) {
      ZeroSummary& z = zero_[e.component];
      if (z.count++ == 0) z.example = pi;
      uint64_t key = pi;
      if (e.weight >= model::Path::kCertainWeight) {
        z.sent += static_cast<double>(p.sent);
      } else {
        if (zero_run_.empty()) zero_run_.assign(n, ZeroRun{});
        ZeroRun& run = zero_run_[e.component];
        if (run.count > 0 && (run.weight != e.weight || run.sent != p.sent)) {
          zero_runs_.push_back(run);
          run.next = static_cast<uint32_t>(zero_runs_.size() - 1);
          run.count = 0;
        }
        run.weight = e.weight;
        run.sent = p.sent;
        ++run.count;
        key |= uint64_t{QuantizedWeight(e.weight)} << 32;
      }
      z.h1 = (z.h1 ^ key) * 1099511628211ULL;
      z.h2 = (z.h2 + (key + 1) * 0xbf58476d1ce4e5b9ULL) * 0x94d049bb133111ebULL;
    }
  }
  state_.assign(with_loss.size(), PathState{});
  state_hash_.assign(with_loss.size(), StateHash(PathState{}));
  dirty_.assign((with_loss.size() + 63) / 64, 0);
  path_ll_.assign(with_loss.size(), 0.0);
  for (size_t i = 0; i < n; ++i) inc_start_[i + 1] += inc_start_[i];
  inc_.resize(inc_start_[n]);
  std::vector<uint32_t> fill(inc_start_.begin(), inc_start_.end() - 1);
  for (uint32_t pi : with_loss) {
    for (const model::PathEntry& e : paths_.paths[pi]) {
      inc_[fill[e.component]++] = {pi, e.weight};
    }
  }
}

void Engine::BuildClasses() {
  size_t n = topo_.components().size();
  class_of_.assign(n, UINT32_MAX);
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_hash;  // hash -> class ids
  for (ComponentId c = 0; c < n; ++c) {
    auto inc = Inc(c);
    const ZeroSummary& zc = zero_[c];
    if (inc.empty() && zc.count == 0) continue;
    uint64_t h = zc.h1 ^ (zc.h2 * 31) ^ zc.count;
    for (const Incidence& x : inc) {
      h = (h ^ x.path) * 1099511628211ULL;
      h = (h ^ QuantizedWeight(x.weight)) * 1099511628211ULL;
    }
    auto& cands = by_hash[h];
    uint32_t found = UINT32_MAX;
    for (uint32_t cls : cands) {
      auto other = ClassInc(cls);
      ComponentId o = class_carrier_[cls];
      const ZeroSummary& zo = zero_[o];
      if (other.size() != inc.size() || zo.count != zc.count || zo.h1 != zc.h1 || zo.h2 != zc.h2 ||
          zo.sent != zc.sent) {
        continue;
      }
      bool same = true;
      for (size_t i = 0; i < inc.size() && same; ++i) {
        same = other[i].path == inc[i].path && std::fabs(other[i].weight - inc[i].weight) < 1e-6f;
      }
      if (same) {
        found = cls;
        break;
      }
    }
    if (found == UINT32_MAX) {
      found = static_cast<uint32_t>(classes_.size());
      classes_.emplace_back();
      class_carrier_.push_back(c);
      cands.push_back(found);
    }
    classes_[found].push_back(c);
    class_of_[c] = found;
  }
  // Folded components join their representative's class.
  if (representative_) {
    for (ComponentId c = 0; c < n; ++c) {
      ComponentId rep = (*representative_)[c];
      if (rep == c || rep == model::kNoComponent || class_of_[rep] == UINT32_MAX) continue;
      class_of_[c] = class_of_[rep];
      classes_[class_of_[c]].push_back(c);
    }
  }
  class_prior_.resize(classes_.size());
  // Looked up once per member, not per comparison: a cable's prior compares media by name, and
  // a fabric's tier is a class of a thousand cables.
  std::vector<double> prior(n, 0.0);
  for (const auto& members : classes_) {
    for (ComponentId c : members) prior[c] = opt_.priors.For(topo_.component(c));
  }
  for (size_t k = 0; k < classes_.size(); ++k) {
    auto& members = classes_[k];
    // Most likely first: by prior, then by name for a stable order.
    std::sort(members.begin(), members.end(), [&](ComponentId a, ComponentId b) {
      if (prior[a] != prior[b]) return prior[a] > prior[b];
      return topo_.component(a).id < topo_.component(b).id;
    });
    double none = 1.0;
    for (ComponentId c : members) none *= 1.0 - prior[c];
    class_prior_[k] = std::clamp(1.0 - none, 1e-12, 0.5);
  }
}

const Engine::EvalData& Engine::Eval(uint32_t cls) const {
  if (eval_index_[cls] < 0) {
    EvalData d;
    const ZeroSummary& z = zero_[class_carrier_[cls]];
    d.zero_sent = z.sent;
    // The loss-free uncertain crossings' runs, merged by (weight, sent).
    std::vector<std::pair<std::pair<float, uint64_t>, double>>& zu = d.zero_uncertain;
    auto add_zu = [&](float weight, uint64_t sent, uint32_t count) {
      std::pair<float, uint64_t> key{weight, sent};
      auto it = std::find_if(zu.begin(), zu.end(), [&](const auto& x) { return x.first == key; });
      if (it == zu.end()) {
        zu.push_back({key, count});
      } else {
        it->second += count;
      }
    };
    if (!zero_run_.empty()) {
      const ZeroRun& run = zero_run_[class_carrier_[cls]];
      if (run.count > 0) add_zu(run.weight, run.sent, run.count);
      for (uint32_t r = run.next; r != UINT32_MAX; r = zero_runs_[r].next) {
        add_zu(zero_runs_[r].weight, zero_runs_[r].sent, zero_runs_[r].count);
      }
    }
    std::sort(zu.begin(), zu.end());
    double eval_probes = 0;
    std::unordered_map<EvalData::Kind, uint32_t, EvalData::Kind::Hash> kind_index;
    for (const Incidence& x : ClassInc(cls)) {  // all on paths with loss
      const PathCounts& p = paths_.counts[x.path];
      d.eval.push_back(x);
      d.slot.push_back(slot_of_[x.path]);
      eval_probes += static_cast<double>(p.sent);
      EvalData::Kind kind{x.weight, p.sent, p.lost};
      auto [it, fresh] = kind_index.try_emplace(kind, static_cast<uint32_t>(d.kinds.size()));
      if (fresh) d.kinds.push_back(kind);
      d.kind_of.push_back(it->second);
    }
    d.probes = d.zero_sent + eval_probes;
    eval_index_[cls] = static_cast<int32_t>(eval_data_.size());
    eval_data_.push_back(std::move(d));
  }
  return eval_data_[eval_index_[cls]];
}

std::vector<Engine::Term> Engine::Terms(uint32_t cls) const {
  const EvalData& d = Eval(cls);
  std::vector<Term> terms;
  // Paths with the same counts, weight and state (the same faults crossed alike) have the same
  // likelihood terms. The key carries a hash of the state; a hit is confirmed against the
  // group's first path, and a collision just starts a term of its own.
  auto same_state = [](const PathState& a, const PathState& b) {
    if (a.certain_survival != b.certain_survival || a.uncertain.size() != b.uncertain.size()) {
      return false;
    }
    for (size_t i = 0; i < a.uncertain.size(); ++i) {
      if (a.uncertain[i].weight != b.uncertain[i].weight ||
          a.uncertain[i].rate != b.uncertain[i].rate) {
        return false;
      }
    }
    return true;
  };
  // Clean paths are grouped by their kind (known from Eval), the rest by kind and state. Terms
  // come in the order of their first incidence either way, so the sums over them are the same.
  std::vector<uint32_t> kind_first(d.kinds.size(), UINT32_MAX);
  std::vector<double> kind_count(d.kinds.size(), 0);
  std::vector<uint32_t> dirty_first;  // per dirty term: its first incidence
  size_t dirty = 0;
  for (uint32_t i = 0; i < d.eval.size(); ++i) dirty += Dirty(d.slot[i]);
  size_t cap = 16;
  while (cap < 2 * dirty) cap *= 2;
  if (term_table_.size() < cap) term_table_.resize(cap, TermSlot{0, 0, 0, 0, 0, 0});
  if (++term_stamp_ == 0) {  // wrapped: every old stamp could look current
    for (TermSlot& t : term_table_) t.stamp = 0;
    term_stamp_ = 1;
  }
  const uint32_t stamp = term_stamp_;
  for (uint32_t i = 0; i < d.eval.size(); ++i) {
    const Incidence& x = d.eval[i];
    const uint32_t slot = d.slot[i];
    if (!Dirty(slot)) {
      uint32_t k = d.kind_of[i];
      if (kind_count[k]++ == 0) kind_first[k] = i;
      continue;
    }
    const PathCounts& p = paths_.counts[x.path];
    const PathState& st = state_[slot];
    const uint64_t sh = state_hash_[slot];
    const EvalData::Kind kind{x.weight, p.sent, p.lost};
    size_t at = (EvalData::Kind::Hash()(kind) ^ (sh * 0x94d049bb133111ebULL)) & (cap - 1);
    while (term_table_[at].stamp == stamp) {
      const TermSlot& t = term_table_[at];
      if (t.weight == x.weight && t.sent == p.sent && t.lost == p.lost && t.state == sh) break;
      at = (at + 1) & (cap - 1);
    }
    TermSlot& t = term_table_[at];
    if (t.stamp == stamp) {
      if (same_state(state_[terms[t.term].slot], st)) {
        terms[t.term].count += 1;
        continue;
      }
    } else {
      t = {x.weight, stamp, p.sent, p.lost, sh, static_cast<uint32_t>(terms.size())};
    }
    terms.push_back({x.weight, x.path, 1, slot});
    dirty_first.push_back(i);
  }
  if (std::all_of(kind_count.begin(), kind_count.end(), [](double c) { return c == 0; })) {
    return terms;
  }
  std::vector<std::pair<uint32_t, Term>> ordered;
  ordered.reserve(terms.size() + d.kinds.size());
  for (size_t t = 0; t < terms.size(); ++t) ordered.push_back({dirty_first[t], terms[t]});
  for (size_t k = 0; k < d.kinds.size(); ++k) {
    if (kind_count[k] == 0) continue;
    ordered.push_back(
        {kind_first[k],
         {d.kinds[k].weight, d.eval[kind_first[k]].path, kind_count[k], d.slot[kind_first[k]]}});
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  terms.clear();
  for (const auto& [first, term] : ordered) terms.push_back(term);
  return terms;
}

double Engine::LossFreeLL(uint32_t cls, double rate) const {
  const EvalData& d = Eval(cls);
  double log_survival = std::log1p(-std::min(rate, 1.0 - 1e-12));
  double ll = d.zero_sent * log_survival;
  for (const auto& [wn, count] : d.zero_uncertain) {
    double w = wn.first, n = static_cast<double>(wn.second);
    ll += count * std::log(w * std::exp(n * log_survival) + 1.0 - w);
  }
  return ll;
}

double Engine::GainAt(uint32_t cls, const std::vector<Term>& terms, double rate,
                      const std::vector<std::optional<MixtureInRate>>* curves) const {
  const EvalData& d = Eval(cls);
  if (rate >= 1.0 && d.zero_sent > 0) return -INFINITY;
  double g = LossFreeLL(cls, rate);
  for (size_t i = 0; i < terms.size(); ++i) {
    const Term& t = terms[i];
    double ll = 0;
    if (curves != nullptr && (*curves)[i]) {
      ll = (*curves)[i]->At(rate);
    } else {
      const PathCounts& p = paths_.counts[t.path];
      ll = PathLL(static_cast<double>(p.sent), static_cast<double>(p.lost), base_survival_,
                  state_[t.slot], t.weight, rate);
    }
    g += t.count * (ll - path_ll_[t.slot]);
  }
  return g;
}

// BIC prices a parameter at 0.5 ln N; 0.15 ln N is enough to prefer one wide fault over two
// narrow ones that fit only by sampling noise (the lab test's card fault), while a 2% cable fault
// seen by a few hundred probes still gets through. localize_bench, random home labs, 2,000 per
// seed, seeds 1-3, precision/recall: 0.980/0.973 by prior and 0.947/0.956 uniform with 0.15;
// 0.15 stays the best of 0 / 0.1 / 0.15 / 0.2 / 0.25 / 0.35 on the 300-lab row after the
// exchange search learnt to try a card against its two cables.
constexpr double kRatePrice = 0.15;

double Engine::FaultLogOdds(uint32_t cls) const {
  double prior = class_prior_[cls];
  return std::log(prior / (1.0 - prior)) - kRatePrice * std::log(std::max(2.0, Eval(cls).probes));
}

double Engine::Gain(uint32_t cls, double* rate) const {
  double log_odds = FaultLogOdds(cls);
  const EvalData& d = Eval(cls);
  gain_work_ += 1 + static_cast<int64_t>(d.eval.size());
  bool certain = d.zero_uncertain.empty();
  for (size_t i = 0; i < d.eval.size() && certain; ++i) {
    certain =
        d.eval[i].weight >= model::Path::kCertainWeight && state_[d.slot[i]].uncertain.empty();
  }
  if (certain) {
    // Newton's method on the concave log-likelihood f(r) = Z log(1-r) + sum m log(1 - s(1-r))
    // + (n-m) log(s(1-r)), safeguarded by bisection on the bracket where f' changes sign.
    auto derivs = [&](double r, double* f1, double* f2) {
      double one_minus = 1.0 - r;
      double a = d.zero_sent, b = 0;
      double g1 = 0, g2 = 0;
      for (size_t i = 0; i < d.eval.size(); ++i) {
        const PathCounts& p = paths_.counts[d.eval[i].path];
        double sp = base_survival_ * state_[d.slot[i]].certain_survival;
        double m = static_cast<double>(p.lost), n = static_cast<double>(p.sent);
        double q = std::max(1e-12, 1.0 - sp * one_minus);
        g1 += m * sp / q;
        g2 -= m * sp * sp / (q * q);
        b += n - m;
      }
      a += b;
      *f1 = g1 - a / one_minus;
      *f2 = g2 - a / (one_minus * one_minus);
    };
    double lo = 0, hi = 1.0 - 1e-9, f1 = 0, f2 = 0;
    derivs(0, &f1, &f2);
    double r = 0;
    if (f1 > 0) {
      r = 0.05;
      for (int it = 0; it < 40; ++it) {
        derivs(r, &f1, &f2);
        if (f1 > 0) {
          lo = r;
        } else {
          hi = r;
        }
        double next = f2 < 0 ? r - f1 / f2 : (lo + hi) / 2;
        if (!(next > lo && next < hi)) next = (lo + hi) / 2;
        if (std::fabs(next - r) < 1e-7) {
          r = next;
          break;
        }
        r = next;
      }
    }
    *rate = r;
    return GainAt(cls, Terms(cls), r) + log_odds;
  }
  const std::vector<Term> terms = Terms(cls);
  // Per term crossed uncertainly, its likelihood as a function of the rate (none for a certain
  // crossing: GainAt asks PathLL).
  std::vector<std::optional<MixtureInRate>> curve_list(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    const Term& t = terms[i];
    if (t.weight >= model::Path::kCertainWeight) continue;
    const PathCounts& p = paths_.counts[t.path];
    curve_list[i].emplace(static_cast<double>(p.sent), static_cast<double>(p.lost), base_survival_,
                          state_[t.slot], t.weight);
  }
  // Golden-section search over the loss rate: the log-likelihood is unimodal in r for certain
  // paths (binomial in a linear function of r) and close to it for mixtures.
  double lo = 0.0, hi = 1.0;
  const double phi = 0.6180339887498949;
  double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  double fa = GainAt(cls, terms, a, &curve_list), fb = GainAt(cls, terms, b, &curve_list);
  for (int it = 0; it < 22; ++it) {
    if (fa < fb) {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = GainAt(cls, terms, b, &curve_list);
    } else {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = GainAt(cls, terms, a, &curve_list);
    }
  }
  double r = fa > fb ? a : b;
  double best = std::max(fa, fb);
  // A fault that destroys everything is worth checking too: golden search cannot reach r = 1.
  double full = GainAt(cls, terms, 1.0, &curve_list);
  if (full > best) {
    best = full;
    r = 1.0;
  }
  *rate = r;
  return best + log_odds;
}

void Engine::Apply(uint32_t cls, double rate, int sign) {
  // Only paths with loss keep state (the rest are LossFreeLL's share): the class's incidences
  // on those are exactly its `eval` list, in the same order.
  const EvalData& d = Eval(cls);
  for (size_t j = 0; j < d.eval.size(); ++j) {
    const Incidence& x = d.eval[j];
    const uint32_t slot = d.slot[j];
    PathState& st = state_[slot];
    Undo u{slot, Undo::Op::kNothing, 0, st.certain_survival, {}, path_ll_[slot]};
    if (x.weight >= model::Path::kCertainWeight) {
      u.op = Undo::Op::kCertain;
      if (sign > 0) {
        st.certain_survival *= 1.0 - rate;
      } else {
        st.certain_survival = rate < 1.0 ? st.certain_survival / (1.0 - rate) : 1.0;
      }
    } else if (sign > 0) {
      u.op = Undo::Op::kPushed;
      st.uncertain.push_back({x.weight, rate});
    } else {
      for (size_t i = 0; i < st.uncertain.size(); ++i) {
        if (st.uncertain[i].weight == x.weight && st.uncertain[i].rate == rate) {
          u.op = Undo::Op::kErased;
          u.index = static_cast<uint32_t>(i);
          u.entry = st.uncertain[i];
          st.uncertain.erase(st.uncertain.begin() + static_cast<long>(i));
          break;
        }
      }
    }
    if (undo_on_) undo_.push_back(u);
    MarkState(slot);
    const PathCounts& p = paths_.counts[x.path];
    path_ll_[slot] =
        PathLL(static_cast<double>(p.sent), static_cast<double>(p.lost), base_survival_, st, 0, 0);
  }
}

void Engine::FillEvidence(uint32_t cls, Evidence* ev) const {
  std::vector<uint32_t> lossy, weak, clean;
  for (const Incidence& x : ClassInc(cls)) {
    if (path_lossy_[x.path]) {
      ++ev->lossy_paths;
      lossy.push_back(x.path);
    } else if (path_weak_[x.path]) {
      ++ev->weak_paths;
      weak.push_back(x.path);
    } else {
      ++ev->clean_paths;
      clean.push_back(x.path);
    }
  }
  const ZeroSummary& z = zero_[class_carrier_[cls]];
  ev->clean_paths += z.count;
  if (z.example != UINT32_MAX) clean.push_back(z.example);
  for (auto* list : {&lossy, &weak, &clean}) {
    for (uint32_t pi : *list) {
      if (static_cast<int>(ev->examples.size()) >= opt_.max_examples) return;
      uint32_t o = paths_.counts[pi].first_observation;
      if (o != PathCounts::kNoObservation) ev->examples.push_back(o);
    }
  }
}

const Engine::ByCounts& Engine::CountsOf(const PathCounts& p) {
  std::pair<uint64_t, uint64_t> key{p.sent, p.lost};
  if (last_counts_ && key == last_counts_key_) return *last_counts_;
  auto [it, fresh] = by_counts_.try_emplace(key);
  if (fresh) {
    it->second.tail = BinomialUpperTail(p.sent, p.lost, opt_.background_loss_ratio);
    it->second.ll = PathLL(static_cast<double>(p.sent), static_cast<double>(p.lost), base_survival_,
                           PathState{}, 0, 0);
  }
  last_counts_key_ = key;
  last_counts_ = &it->second;
  return *last_counts_;
}

// Loss on most paths (loss_on_most_paths_), read as many culprits each dropping little: that is
// what a fabric losing 1% everywhere looks like against a 0.1% background (every leaf switch
// named, at 0.45% each). The answer is then the median path's loss ratio, for the report to say
// so; else 0. Five culprits at least: one bad cable in a three-host lab with one network is on
// most of its paths too.
double Engine::WidespreadLossRatio(const LocalizeResult& r) const {
  constexpr int kMinCulprits = 5;
  int named = 0;
  for (const Suspect& s : r.suspects) named += s.diagnosed();
  if (named < kMinCulprits || !loss_on_most_paths_) return 0;
  std::vector<double> ratio;
  ratio.reserve(paths_.size());
  for (size_t i = 0; i < paths_.size(); ++i) {
    const PathCounts& p = paths_.counts[i];
    ratio.push_back(p.sent ? static_cast<double>(p.lost) / static_cast<double>(p.sent) : 0.0);
  }
  auto mid = ratio.begin() + static_cast<long>(ratio.size() / 2);
  std::nth_element(ratio.begin(), mid, ratio.end());
  return *mid > opt_.background_loss_ratio ? *mid : 0;
}

int64_t Engine::Prepare() {
  base_survival_ = 1.0 - opt_.background_loss_ratio;
  BuildIncidence();
  BuildClasses();
  eval_index_.assign(classes_.size(), -1);
  path_lossy_.resize(paths_.size());
  path_weak_.resize(paths_.size());
  int64_t lossy = 0;
  int64_t with_loss = 0;
  double expected = 0;  // paths the background alone would make lose a probe or more
  uint64_t last_sent = UINT64_MAX;
  double last_any = 0;
  for (size_t i = 0; i < paths_.size(); ++i) {
    const PathCounts& p = paths_.counts[i];
    const ByCounts& c = CountsOf(p);
    path_lossy_[i] = p.lost > 0 && c.tail < opt_.lossy_p_value;
    path_weak_[i] = p.lost > 0 && !path_lossy_[i] && c.tail <= kCandidateTail;
    lossy += path_lossy_[i];
    weak_paths_ += path_weak_[i];
    if (slot_of_[i] != kNoSlot) path_ll_[slot_of_[i]] = c.ll;
    with_loss += p.lost > 0;
    if (p.sent != last_sent) {  // flows mostly send alike: one pow per run of them
      last_sent = p.sent;
      last_any = -std::expm1(static_cast<double>(p.sent) * std::log1p(-opt_.background_loss_ratio));
    }
    expected += last_any;
  }
  constexpr int64_t kMinPaths = 20;
  const auto n = static_cast<int64_t>(paths_.size());
  loss_on_most_paths_ = n >= kMinPaths && 2 * with_loss > n && with_loss > 2 * expected;
  return lossy;
}

LocalizeResult Engine::Run(model::PathFinder* finder, const std::vector<model::Observation>* obs) {
  LocalizeResult r;
  r.background_loss_ratio = opt_.background_loss_ratio;
  r.paths = static_cast<int64_t>(paths_.size());
  r.lossy_paths = Prepare();
  r.weak_paths = weak_paths_;

  // Candidates: classes on at least one path with more loss than background alone explains.
  std::vector<char> candidate(classes_.size(), 0);
  for (size_t i = 0; i < paths_.size(); ++i) {
    const PathCounts& p = paths_.counts[i];
    if (p.lost == 0) continue;
    if (CountsOf(p).tail > kCandidateTail) continue;
    for (const model::PathEntry& e : paths_.paths[i]) candidate[class_of_[e.component]] = 1;
  }
  std::vector<uint32_t> cands;
  for (uint32_t k = 0; k < classes_.size(); ++k) {
    if (candidate[k]) cands.push_back(k);
  }

  // Greedy forward selection with lazy re-evaluation (CELF). A class's gain only changes when a
  // chosen fault shares one of its paths, and another fault only explains loss away, so a gain
  // computed before an addition is an upper bound after it, and the first-round gain is one
  // whatever is chosen. Only a class whose bound tops the list is refitted; in a large fabric
  // that is a handful of refits per pick instead of every class on a lossy path.
  std::vector<double> gain(classes_.size(), -INFINITY), rate(classes_.size(), 0);
  std::vector<char> fresh(classes_.size(), 1);
  for (uint32_t k : cands) gain[k] = Gain(k, &rate[k]);
  // First-round gains bound later ones from above, so a rival far below a chosen fault's gain
  // cannot matter: e^-25 is nothing.
  const std::vector<double> first_gain = gain;
  constexpr double kNegligibleLogOdds = 25;
  std::vector<uint32_t> chosen;
  std::vector<double> chosen_rate;
  std::vector<char> in_f(classes_.size(), 0);
  // After an addition a neighbour's last gain still bounds it; after a removal or a refitted
  // rate only its first-round gain does.
  enum class Change { kAdded, kRemovedOrRefitted };
  // A class's neighbours (the classes on the paths its state-dependent incidences lie on) never
  // change, and only the few classes ever chosen or tried are asked, so each one's list is made
  // once: walking an ECMP tier fault's thousands of paths after every addition, removal and
  // refit was a seventh of the inference at k=48.
  std::unordered_map<uint32_t, std::vector<uint32_t>> neighbours_of;
  std::vector<uint32_t> listed_for(classes_.size(), UINT32_MAX);
  auto neighbours = [&](uint32_t cls) -> const std::vector<uint32_t>& {
    auto [it, fresh_list] = neighbours_of.try_emplace(cls);
    if (fresh_list) {
      for (const Incidence& x : Eval(cls).eval) {
        for (const model::PathEntry& e : paths_.paths[x.path]) {
          uint32_t k = class_of_[e.component];
          if (listed_for[k] != cls) {
            listed_for[k] = cls;
            it->second.push_back(k);
          }
        }
      }
    }
    return it->second;
  };
  auto mark_neighbours = [&](uint32_t cls, Change change) {
    for (uint32_t k : neighbours(cls)) {
      fresh[k] = 0;
      if (change == Change::kRemovedOrRefitted) gain[k] = first_gain[k];
    }
  };
  auto log_odds = [&](uint32_t cls) { return FaultLogOdds(cls); };
  std::vector<char> holds_cable(classes_.size(), 0);
  for (uint32_t k = 0; k < classes_.size(); ++k) {
    for (ComponentId m : classes_[k]) {
      holds_cable[k] = holds_cable[k] || topo_.component(m).kind == ComponentKind::kCable;
    }
  }
  // Forward selection: add the best class while its gain (likelihood + prior log-odds) is > 0;
  // `cables_only` restricts it to classes holding a cable.
  // The classes forward selection may pick, best gain on top (ties: the lowest class, as a scan
  // in class order would pick). Within one forward() gains only fall (a refit of a stale bound),
  // so a popped stale entry is refitted and pushed back; a scan of every candidate per refit was
  // half of the time with 50 faults in a k=16 fabric, where most classes neighbour a fault.
  struct Ranked {
    double gain;
    uint32_t cls;
  };
  auto ranked_below = [](const Ranked& a, const Ranked& b) {
    return a.gain < b.gain || (a.gain == b.gain && a.cls > b.cls);
  };
  std::vector<Ranked> heap;
  auto forward = [&](uint32_t excluded, bool cables_only = false) {
    bool added = false;
    heap.clear();
    for (uint32_t k : cands) {
      if (in_f[k] || k == excluded || (cables_only && !holds_cable[k])) continue;
      heap.push_back({gain[k], k});
    }
    std::make_heap(heap.begin(), heap.end(), ranked_below);
    while (static_cast<int>(chosen.size()) < opt_.max_faults) {
      uint32_t best = UINT32_MAX;
      while (best == UINT32_MAX && !heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), ranked_below);
        uint32_t top = heap.back().cls;
        if (fresh[top]) {
          best = top;
          heap.pop_back();
        } else {
          gain[top] = Gain(top, &rate[top]);
          fresh[top] = 1;
          heap.back().gain = gain[top];
          std::push_heap(heap.begin(), heap.end(), ranked_below);
        }
      }
      if (best == UINT32_MAX || !(gain[best] > 0)) break;
      chosen.push_back(best);
      chosen_rate.push_back(rate[best]);
      in_f[best] = 1;
      Apply(best, rate[best], +1);
      mark_neighbours(best, Change::kAdded);
      added = true;
    }
    return added;
  };
  // Backward elimination: a fault chosen early may be made redundant by later ones.
  auto backward = [&]() {
    bool removed = false;
    for (size_t i = 0; i < chosen.size();) {
      uint32_t c = chosen[i];
      Apply(c, chosen_rate[i], -1);
      double rc = 0;
      double gc = Gain(c, &rc);
      if (gc > 0) {
        if (std::fabs(rc - chosen_rate[i]) > 1e-9) mark_neighbours(c, Change::kRemovedOrRefitted);
        chosen_rate[i] = rc;
        Apply(c, rc, +1);
        ++i;
        continue;
      }
      in_f[c] = 0;
      mark_neighbours(c, Change::kRemovedOrRefitted);
      chosen.erase(chosen.begin() + static_cast<long>(i));
      chosen_rate.erase(chosen_rate.begin() + static_cast<long>(i));
      removed = true;
    }
    return removed;
  };
  // The objective the moves climb: log-likelihood of every path plus the chosen faults' prior
  // log-odds. Only paths a fault touches change, so differences are summed over those.
  std::vector<char> path_mark(path_ll_.size(), 0);
  auto objective_delta_paths = [&](const std::vector<Undo>& log) {
    double before = 0, after = 0;
    for (const Undo& u : log) {
      if (!path_mark[u.slot]) {
        path_mark[u.slot] = 1;
        before += u.ll;
        after += path_ll_[u.slot];
      }
    }
    for (const Undo& u : log) path_mark[u.slot] = 0;
    return after - before;
  };
  for (int pass = 0; pass < 4; ++pass) {
    bool changed = forward(UINT32_MAX);
    changed = backward() || changed;
    if (!changed) break;
  }
  // Exchange search: replace one fault by a rival class (or by nothing), refit the rates and
  // let forward selection fill any gap; keep the new set when it scores better. Greedy alone
  // prefers wide components (a card, a host) that explain many paths at once; this undoes that
  // when two cables fit as well and are likelier (their prior is higher).
  // `partner`: another chosen fault the replacement also stands for, removed with c (two cables
  // for their card in one move).
  auto trial = [&](size_t i, uint32_t replacement, bool cables_only = false,
                   uint32_t partner = UINT32_MAX) -> bool {
    uint32_t c = chosen[i];
    auto saved_chosen = chosen;
    auto saved_rate = chosen_rate;
    auto saved_gain = gain;
    auto saved_grate = rate;
    auto saved_fresh = fresh;
    // Loss-free paths are not in the undo log; their log-likelihood is exactly the sum over
    // faults of LossFreeLL.
    auto zero_term = [&]() {
      double z = 0;
      for (size_t j = 0; j < chosen.size(); ++j) z += LossFreeLL(chosen[j], chosen_rate[j]);
      return z;
    };
    double prior_before = zero_term();
    for (uint32_t k : chosen) prior_before += log_odds(k);
    undo_on_ = true;
    undo_.clear();
    Apply(c, chosen_rate[i], -1);
    in_f[c] = 0;
    chosen.erase(chosen.begin() + static_cast<long>(i));
    chosen_rate.erase(chosen_rate.begin() + static_cast<long>(i));
    mark_neighbours(c, Change::kRemovedOrRefitted);
    if (auto at = std::find(chosen.begin(), chosen.end(), partner); at != chosen.end()) {
      size_t j = static_cast<size_t>(at - chosen.begin());
      Apply(partner, chosen_rate[j], -1);
      in_f[partner] = 0;
      chosen.erase(at);
      chosen_rate.erase(chosen_rate.begin() + static_cast<long>(j));
      mark_neighbours(partner, Change::kRemovedOrRefitted);
    }
    if (replacement != UINT32_MAX) {
      double rr = 0;
      Gain(replacement, &rr);
      chosen.push_back(replacement);
      chosen_rate.push_back(rr);
      in_f[replacement] = 1;
      Apply(replacement, rr, +1);
      mark_neighbours(replacement, Change::kAdded);
    }
    for (int round = 0; round < 3; ++round) {
      bool changed = backward();  // refits every kept fault's rate
      changed = forward(c, cables_only) || changed;
      if (!changed) break;
    }
    double prior_after = zero_term();
    for (uint32_t k : chosen) prior_after += log_odds(k);
    double delta = objective_delta_paths(undo_) + prior_after - prior_before;
    undo_on_ = false;
    if (delta > 1e-6) {
      undo_.clear();
      return true;
    }
    Rollback();
    for (uint32_t k : chosen) in_f[k] = 0;
    chosen = std::move(saved_chosen);
    chosen_rate = std::move(saved_rate);
    for (uint32_t k : chosen) in_f[k] = 1;
    gain = std::move(saved_gain);
    rate = std::move(saved_grate);
    fresh = std::move(saved_fresh);
    return false;
  };
  // Trials cost a refit each; the budget keeps large fabrics with many faults near-linear.
  constexpr int kRivalsPerFault = 4;
  int accepted = 0;
  int64_t trial_budget = 40 + 6 * static_cast<int64_t>(chosen.size());
  // A trial refits every kept fault and the classes around it, so its cost grows with the
  // paths each fault is on. Where loss is everywhere (a fabric dropping 1% against the 0.1%
  // background allowed) every switch of a tier is named, each on thousands of lossy paths,
  // and 190 trials took 45 s for 1,000 hosts and 5 minutes for 5,000: 64 times the work of the
  // forward and backward passes. So the trials also share a budget of work, twenty times that
  // of those passes (opt_.exchange_work_factor). 50 faults in a k=16 fabric, the most any
  // benchmark asks, use 15 times; home labs stay under the floor. When loss is on most paths
  // the verdict will say so and suggest a background to rerun with (WidespreadLossRatio), so
  // the exchanges among its many small culprits get twice the greedy work, no more.
  constexpr int64_t kExchangeWorkFloor = 1'000'000;
  constexpr int64_t kLossEverywhereWorkFactor = 2;
  const int64_t work_factor =
      loss_on_most_paths_ ? std::min<int64_t>(opt_.exchange_work_factor, kLossEverywhereWorkFactor)
                          : opt_.exchange_work_factor;
  const int64_t greedy_work = gain_work_;
  const int64_t exchange_work_end =
      opt_.exchange_work_factor <= 0
          ? INT64_MAX
          : gain_work_ + std::max(kExchangeWorkFloor, work_factor * gain_work_);
  auto budget_left = [&] { return trial_budget > 0 && gain_work_ < exchange_work_end; };
  // Greedy errs towards wide devices (card, driver, host, switch) that explain many paths at
  // once, so every device-only class gets exchange trials against its best rivals. It errs the
  // other way too: the cable on the lossier network is picked first, then the same card's other
  // cable, and the card — tried only alone, against the first cable — loses (the card's two
  // ports at 3.5% named as two cables). So a chosen cable is also tried against a device that
  // could stand for it and another chosen fault: one certainly on at least half the lossy paths
  // of each. In a fabric such a device is rare (the switches of an ECMP tier are crossed with
  // weights, not certainly), so this costs little there.
  // A class's lossy paths never change; stands_for_two asks for each chosen fault's count once
  // per candidate device, so they are counted once.
  std::vector<int64_t> lossy_count(classes_.size(), -1);
  auto lossy_paths_of = [&](uint32_t cls) {
    if (lossy_count[cls] < 0) {
      int64_t n = 0;
      for (const Incidence& x : Eval(cls).eval) n += path_lossy_[x.path];
      lossy_count[cls] = n;
    }
    return lossy_count[cls];
  };
  // For each class certainly on `cls`'s lossy paths that `take` accepts: on how many of them.
  // `cover_where` counts only the lossy paths whose slot `keep` accepts.
  auto cover_where = [&](uint32_t cls, auto take, auto keep) {
    std::unordered_map<uint32_t, std::pair<int64_t, uint32_t>> n;  // class -> (paths, last path)
    const EvalData& d = Eval(cls);
    for (size_t j = 0; j < d.eval.size(); ++j) {
      const Incidence& x = d.eval[j];
      if (!path_lossy_[x.path] || !keep(d.slot[j])) continue;
      for (const model::PathEntry& e : paths_.paths[x.path]) {
        if (e.weight < model::Path::kCertainWeight) continue;
        uint32_t k = class_of_[e.component];
        if (k == cls || !take(k)) continue;
        auto [it, first] = n.try_emplace(k, 0, UINT32_MAX);
        if (it->second.second != x.path) {
          it->second = {it->second.first + 1, x.path};
        }
      }
    }
    return n;
  };
  auto cover = [&](uint32_t cls, auto take) {
    return cover_where(cls, take, [](uint32_t) { return true; });
  };
  // The other chosen fault `device` stands for (the lowest such class), or UINT32_MAX.
  auto stands_for_two = [&](uint32_t c, uint32_t device) {
    uint32_t partner = UINT32_MAX;
    for (const auto& [j, n] : cover(device, [&](uint32_t k) { return in_f[k] && k != c; })) {
      if (2 * n.first >= lossy_paths_of(j)) partner = std::min(partner, j);
    }
    return partner;
  };
  for (size_t i = 0; i < chosen.size() && accepted < 2 * opt_.max_faults && budget_left(); ++i) {
    uint32_t c = chosen[i];
    std::vector<uint32_t> rivals;
    std::unordered_map<uint32_t, uint32_t> partner_of;  // rival -> the other fault it replaces
    if (holds_cable[c]) {
      int64_t lossy = lossy_paths_of(c);
      for (const auto& [k, n] : cover(c, [&](uint32_t k) {
             return !in_f[k] && !holds_cable[k] && first_gain[k] > -INFINITY;
           })) {
        if (2 * n.first < lossy) continue;
        if (uint32_t j = stands_for_two(c, k); j != UINT32_MAX) {
          rivals.push_back(k);
          // In place of both only where the device's own paths are mostly lossy (a card whose
          // two cables both lose): one rate on every path of a switch with two lossy hosts out
          // of eight cannot beat them, and in a fabric with 50 faults those trials tripled the
          // time.
          if (2 * lossy_paths_of(k) >=
              static_cast<int64_t>(ClassInc(k).size()) + zero_[class_carrier_[k]].count) {
            partner_of[k] = j;
          }
        }
      }
      if (rivals.empty()) continue;
    } else {
      // Rivals: the classes with the best first-round gains among those on c's lossy paths.
      std::unordered_set<uint32_t> seen_r;
      for (const Incidence& x : Eval(c).eval) {
        if (!path_lossy_[x.path]) continue;
        for (const model::PathEntry& e : paths_.paths[x.path]) {
          uint32_t k = class_of_[e.component];
          if (!in_f[k] && first_gain[k] > -INFINITY && seen_r.insert(k).second) {
            rivals.push_back(k);
          }
        }
      }
    }
    std::sort(rivals.begin(), rivals.end(), [&](uint32_t a, uint32_t b) {
      return first_gain[a] > first_gain[b] || (first_gain[a] == first_gain[b] && a < b);
    });
    if (rivals.size() > kRivalsPerFault) rivals.resize(kRivalsPerFault);
    bool improved = false;
    if (!holds_cable[c]) {  // a cable alone is the likeliest kind: dropping it is backward's job
      --trial_budget;
      improved = trial(i, UINT32_MAX);
      // Greedy refilling the gap can take a wide device again (the host, at a third of the
      // rate) and stop in its local optimum; cables alone are the likeliest refill: a driver
      // read where its card's two cables lose at 2.5% and 4.4%.
      if (!improved && budget_left()) {
        --trial_budget;
        improved = trial(i, UINT32_MAX, /*cables_only=*/true);
      }
    }
    for (size_t j = 0; !improved && j < rivals.size() && budget_left(); ++j) {
      --trial_budget;
      improved = trial(i, rivals[j]);
      // The device in place of c alone is refitted against the partner still explaining its
      // share, and coordinate refits rarely walk the partner down to nothing in a few rounds:
      // two cables at 3.7% each stayed named though their card fits as well with one rate.
      // So the device is also tried in place of both.
      if (auto pj = partner_of.find(rivals[j]);
          !improved && pj != partner_of.end() && budget_left()) {
        --trial_budget;
        improved = trial(i, rivals[j], false, pj->second);
      }
    }
    if (improved) {
      ++accepted;
      i = static_cast<size_t>(-1);  // the set changed: look at every fault again
    }
  }

  // Refit each chosen fault given the others, then weigh it against its competitors: the other
  // classes that could explain the same lossy paths. P(group) = e^g / (1 + sum of e^g').
  struct Scored {
    uint32_t cls;
    double prob;
    double rate;
  };
  std::vector<Scored> scored;
  std::unordered_set<uint32_t> reported;
  for (size_t i = 0; i < chosen.size(); ++i) {
    uint32_t c = chosen[i];
    Apply(c, chosen_rate[i], -1);
    double rc = 0;
    double gc = Gain(c, &rc);
    chosen_rate[i] = rc;
    std::unordered_set<uint32_t> comp;
    for (const Incidence& x : Eval(c).eval) {
      if (!path_lossy_[x.path]) continue;
      for (const model::PathEntry& e : paths_.paths[x.path]) {
        uint32_t k = class_of_[e.component];
        if (k != c && !in_f[k]) comp.insert(k);
      }
    }
    std::vector<std::pair<uint32_t, std::pair<double, double>>> comp_gain;
    double top = std::max(0.0, gc);
    for (uint32_t k : comp) {
      if (first_gain[k] < gc - kNegligibleLogOdds) continue;
      double rk = 0;
      double gk = Gain(k, &rk);
      comp_gain.push_back({k, {gk, rk}});
      top = std::max(top, gk);
    }
    double denom = std::exp(-top) + std::exp(gc - top);
    for (auto& [k, gr] : comp_gain) denom += std::exp(gr.first - top);
    scored.push_back({c, std::exp(gc - top) / denom, rc});
    for (auto& [k, gr] : comp_gain) {
      double p = std::exp(gr.first - top) / denom;
      if (p >= opt_.report_probability && !reported.count(k)) {
        scored.push_back({k, p, gr.second});
        reported.insert(k);
      }
    }
    Apply(c, rc, +1);
  }

  // Alike given the others: a class that is not path-identical to a chosen fault, yet fits the
  // measurements exactly as well in its place once every rate is refitted. A card under two
  // cables that both lose is the common case: card + cable A explains A's paths and B's exactly
  // as cables A + B do (A's rate takes the difference), so which of B and the card is faulty no
  // measurement says, only the priors. Naming B alone at p = 1 hid that; the card joins B's
  // group, after B's own members, and the next tests then split them (swap B). The engine's
  // answer is unchanged.
  // Whatever stands in c's place must certainly cross each of c's lossy paths that no other
  // fault lies on (else their loss goes unexplained), and must share a lossy path with another
  // fault (else it would differ from c on its own account, a competitor weighed above). Each
  // candidate left costs a refit of the faults around it, so a fabric with dozens of
  // overlapping faults gets a budget, a quarter of the greedy passes' work.
  std::unordered_map<uint32_t, std::vector<uint32_t>> alike;  // chosen class -> classes alike
  if (chosen.size() >= 2 && opt_.name_alike_given_others) {
    constexpr size_t kAlikeCandidatesPerFault = 8;
    // Log-likelihoods equal to this: the refits converge to 1e-7 in the rates.
    constexpr double kAlikeLogLikelihood = 1e-3;
    const int64_t alike_work_end = gain_work_ + std::max(kExchangeWorkFloor, greedy_work / 4);
    std::vector<int32_t> faults_on(path_ll_.size(), 0);  // per slot: chosen faults on it
    auto count_on = [&](uint32_t cls, int by) {
      for (uint32_t slot : Eval(cls).slot) faults_on[slot] += by;
    };
    for (uint32_t c : chosen) count_on(c, +1);
    std::vector<uint32_t> slot_stamp(path_ll_.size(), UINT32_MAX);
    uint32_t stamp = 0;
    int64_t faults_loss_free = 0;  // the chosen faults' loss-free crossings
    for (uint32_t f : chosen) faults_loss_free += zero_[class_carrier_[f]].count;
    for (size_t i = 0; i < chosen.size() && gain_work_ < alike_work_end; ++i) {
      uint32_t c = chosen[i];
      count_on(c, -1);
      auto exclusive_slot = [&](uint32_t slot) { return faults_on[slot] == 0; };
      int64_t exclusive = 0;
      const EvalData& dc = Eval(c);
      for (size_t j = 0; j < dc.eval.size(); ++j) {
        exclusive += path_lossy_[dc.eval[j].path] && exclusive_slot(dc.slot[j]);
      }
      // And it must add loss nowhere the faults did not: each path it crosses is one of theirs.
      // Exact for the paths with loss; for the loss-free ones, which are only counted, the
      // count of its crossings cannot exceed all of theirs.
      ++stamp;
      for (uint32_t slot : dc.slot) slot_stamp[slot] = stamp;
      auto covered = cover_where(
          c, [&](uint32_t k) { return !in_f[k] && first_gain[k] > -INFINITY; }, exclusive_slot);
      std::vector<uint32_t> cands_i;
      for (const auto& [k, n] : covered) {
        if (n.first < exclusive || zero_[class_carrier_[k]].count > faults_loss_free) continue;
        const EvalData& d = Eval(k);
        bool shares = false, inside = true;
        for (size_t j = 0; j < d.eval.size() && inside; ++j) {
          bool others = faults_on[d.slot[j]] > 0;
          shares = shares || (others && path_lossy_[d.eval[j].path]);
          inside = others || slot_stamp[d.slot[j]] == stamp;
        }
        if (shares && inside) cands_i.push_back(k);
      }
      count_on(c, +1);
      if (exclusive == 0) continue;  // all of c's loss is shared: nothing certain to stand in for
      std::sort(cands_i.begin(), cands_i.end(), [&](uint32_t a, uint32_t b) {
        return first_gain[a] > first_gain[b] || (first_gain[a] == first_gain[b] && a < b);
      });
      if (cands_i.size() > kAlikeCandidatesPerFault) cands_i.resize(kAlikeCandidatesPerFault);
      for (uint32_t k : cands_i) {
        if (gain_work_ >= alike_work_end) break;
        // The faults whose best rates can move: k and those sharing a path with c or k.
        ++stamp;
        for (uint32_t slot : Eval(c).slot) slot_stamp[slot] = stamp;
        for (uint32_t slot : Eval(k).slot) slot_stamp[slot] = stamp;
        std::vector<size_t> refit = {i};
        for (size_t j = 0; j < chosen.size(); ++j) {
          if (j == i) continue;
          for (uint32_t slot : Eval(chosen[j]).slot) {
            if (slot_stamp[slot] == stamp) {
              refit.push_back(j);
              break;
            }
          }
        }
        // k in c's place, those rates refitted by coordinate ascent (as Fit does); then back.
        std::vector<uint32_t> set = chosen;
        std::vector<double> rt = chosen_rate;
        double loss_free_before = 0;
        for (size_t j : refit) loss_free_before += LossFreeLL(set[j], rt[j]);
        undo_on_ = true;
        undo_.clear();
        Apply(c, rt[i], -1);
        set[i] = k;
        Gain(k, &rt[i]);
        Apply(k, rt[i], +1);
        RefitRates(set, &rt, refit);
        double loss_free_after = 0;
        for (size_t j : refit) loss_free_after += LossFreeLL(set[j], rt[j]);
        double delta = objective_delta_paths(undo_) + loss_free_after - loss_free_before;
        Rollback();
        undo_on_ = false;
        // k must carry loss of its own, not sit at rate 0 beside faults that explain it all.
        if (std::fabs(delta) <= kAlikeLogLikelihood && rt[i] > 1e-4) alike[c].push_back(k);
      }
    }
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.prob > b.prob; });
  std::unordered_set<uint32_t> seen;
  for (const Scored& s : scored) {
    if (s.prob < opt_.report_probability || !seen.insert(s.cls).second) continue;
    Suspect sus;
    sus.components = classes_[s.cls];
    if (auto it = alike.find(s.cls); it != alike.end()) {
      for (uint32_t k : it->second) {
        if (!seen.insert(k).second) continue;
        sus.components.insert(sus.components.end(), classes_[k].begin(), classes_[k].end());
        sus.alike_given_others += classes_[k].size();
      }
    }
    sus.probability = s.prob;
    sus.loss_ratio_estimate = s.rate;
    FillEvidence(s.cls, &sus.evidence);
    r.suspects.push_back(std::move(sus));
  }

  r.widespread_loss_ratio = WidespreadLossRatio(r);

  // Lossy paths no reported suspect explains.
  std::vector<char> explained(paths_.size(), 0);
  for (uint32_t k : seen) {
    for (const Incidence& x : ClassInc(k)) explained[x.path] = 1;
  }
  for (size_t i = 0; i < paths_.size(); ++i) {
    r.unexplained_lossy_paths += path_lossy_[i] && !explained[i];
  }

  // Exonerated: observed, not in a reported group; those that sat on lossy paths first.
  std::unordered_map<ComponentId, std::pair<int64_t, int64_t>> counted;  // lossy, clean
  for (ComponentId c = 0; c < topo_.components().size(); ++c) {
    uint32_t k = class_of_[c];
    if (k == UINT32_MAX) {
      r.unobserved.push_back(c);
      continue;
    }
    if (seen.count(k)) continue;
    Exonerated ex;
    ex.component = c;
    // Folded members share their carrier's incidences (a fabric tier: a million of them), so
    // the counts are made once per carrier.
    ComponentId carrier = Carrier(c);
    auto [it, first] = counted.try_emplace(carrier, 0, 0);
    if (first) {
      for (const Incidence& x : Inc(carrier)) {
        (path_lossy_[x.path] ? it->second.first : it->second.second)++;
      }
      it->second.second += zero_[carrier].count;
    }
    ex.lossy_paths = it->second.first;
    ex.clean_paths = it->second.second;
    r.exonerated.push_back(ex);
  }
  std::stable_sort(r.exonerated.begin(), r.exonerated.end(),
                   [](const Exonerated& a, const Exonerated& b) {
                     return (a.lossy_paths > 0) > (b.lossy_paths > 0);
                   });
  NextTests(&r, finder, obs);
  return r;
}

void Engine::RefitRates(const std::vector<uint32_t>& set, std::vector<double>* rate,
                        const std::vector<size_t>& which) {
  std::vector<double>& rt = *rate;
  for (int round = 0; round < 50; ++round) {
    double moved = 0;
    for (size_t j : which) {
      Apply(set[j], rt[j], -1);
      double r = 0;
      Gain(set[j], &r);
      moved = std::max(moved, std::fabs(r - rt[j]));
      rt[j] = r;
      Apply(set[j], rt[j], +1);
    }
    if (moved < 1e-7) break;
  }
}

FaultSetFit Engine::Fit(const std::vector<ComponentId>& faults) {
  Prepare();
  const std::vector<double> start_ll = path_ll_;
  std::vector<uint32_t> chosen;
  for (ComponentId c : faults) {
    if (c >= class_of_.size() || class_of_[c] == UINT32_MAX) continue;  // unobserved: no effect
    uint32_t k = class_of_[c];
    if (std::find(chosen.begin(), chosen.end(), k) == chosen.end()) chosen.push_back(k);
  }
  std::vector<double> rate(chosen.size(), 0);
  for (size_t i = 0; i < chosen.size(); ++i) {
    Gain(chosen[i], &rate[i]);
    Apply(chosen[i], rate[i], +1);
  }
  // Coordinate ascent on the rates, as backward selection refits them.
  std::vector<size_t> all(chosen.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  RefitRates(chosen, &rate, all);
  FaultSetFit fit;
  for (size_t i = 0; i < chosen.size(); ++i) {
    fit.log_likelihood += LossFreeLL(chosen[i], rate[i]);
    double log_odds = FaultLogOdds(chosen[i]);
    fit.score += log_odds;
    fit.faults.push_back({classes_[chosen[i]], rate[i], Eval(chosen[i]).probes, log_odds});
  }
  for (size_t s = 0; s < path_ll_.size(); ++s) fit.log_likelihood += path_ll_[s] - start_ll[s];
  fit.score += fit.log_likelihood;
  return fit;
}

double Entropy2(double q) {
  if (q <= 0 || q >= 1) return 0;
  return -(q * std::log2(q) + (1 - q) * std::log2(1 - q));
}

void Engine::NextTests(LocalizeResult* r, model::PathFinder* finder,
                       const std::vector<model::Observation>* obs) const {
  if (opt_.max_next_tests <= 0) return;  // none asked for (the benchmark)
  std::vector<NextTest> tests;
  std::unordered_map<std::string, std::string> free_port_of;  // switch -> a free port, or ""
  const auto& comps = topo_.components();
  auto prior = [&](ComponentId c) { return opt_.priors.For(comps[c]); };
  // Which component lies where: map host ports and switch ports to their cable and hosts.
  std::unordered_map<ComponentId, std::pair<int32_t, int32_t>> host_port_of;  // port -> (host, idx)
  std::unordered_map<ComponentId, std::pair<int32_t, int32_t>> cable_host_end;
  for (size_t h = 0; h < topo_.hosts().size(); ++h) {
    const auto& ports = topo_.hosts()[h].ports;
    for (size_t i = 0; i < ports.size(); ++i) {
      host_port_of[ports[i].port] = {static_cast<int32_t>(h), static_cast<int32_t>(i)};
      if (ports[i].cable != kNoComponent) {
        cable_host_end[ports[i].cable] = {static_cast<int32_t>(h), static_cast<int32_t>(i)};
      }
    }
  }
  for (const Suspect& s : r->suspects) {
    if (s.components.size() < 2) continue;
    double mass = 0;
    for (ComponentId c : s.components) mass += prior(c);
    auto gain_for = [&](const std::vector<ComponentId>& part) {
      double q = 0;
      for (ComponentId c : part) q += prior(c);
      return s.probability * Entropy2(q / mass);
    };
    for (ComponentId c : s.components) {
      const model::Component& comp = comps[c];
      if (comp.kind == ComponentKind::kCable) {
        std::string where;
        if (auto it = cable_host_end.find(c); it != cable_host_end.end()) {
          const model::HostPort& hp = topo_.hosts()[it->second.first].ports[it->second.second];
          where = fmt::format(" ({} <-> {})", comps[hp.port].id, comps[hp.peer_port].id);
        }
        NextTest t;
        t.kind = NextTestKind::kSwapCable;
        t.action = fmt::format(
            "swap cable {}{} for a known-good one and measure again: if the "
            "loss stays, the cable is cleared",
            comp.id, where);
        t.splits = {c};
        t.expected_gain_bits = gain_for(t.splits);
        tests.push_back(std::move(t));
      } else if (comp.kind == ComponentKind::kSwitchPort) {
        // Move the cable to a free port on the same switch. A fabric's group holds a tier's
        // ports, dozens per switch, so each switch's free port is looked up once.
        size_t colon = comp.id.rfind(':');
        std::string sw = comp.id.substr(0, colon);
        auto [cached, fresh] = free_port_of.try_emplace(sw);
        if (fresh) {
          if (auto swi = topo_.FindComponent(sw)) {
            for (size_t si = 0; si < topo_.switches().size(); ++si) {
              if (topo_.switches()[si].component != *swi) continue;
              for (int p = 1; p <= topo_.switches()[si].ports && cached->second.empty(); ++p) {
                if (!topo_.SwitchPortInUse(static_cast<int32_t>(si), p)) {
                  cached->second = fmt::format("{}:{}", sw, p);
                }
              }
            }
          }
        }
        const std::string& free_port = cached->second;
        NextTest t;
        t.kind = NextTestKind::kMoveUplink;
        t.action = free_port.empty()
                       ? fmt::format(
                             "move the cable from {} to another port of {} and measure "
                             "again",
                             comp.id, sw)
                       : fmt::format(
                             "move the cable from {} to the free port {} and measure "
                             "again",
                             comp.id, free_port);
        t.splits = {c};
        t.expected_gain_bits = gain_for(t.splits);
        tests.push_back(std::move(t));
      } else if (comp.kind == ComponentKind::kHostPort) {
        auto it = host_port_of.find(c);
        if (it == host_port_of.end()) continue;
        const model::Host& h = topo_.hosts()[it->second.first];
        const model::HostPort& hp = h.ports[it->second.second];
        // The port to move to must lead somewhere: a cabled one, best on the same switch (the
        // network surely reaches it) and on another card (the test then clears the card too).
        std::string other;
        int best = 0;
        for (const model::HostPort& o : h.ports) {
          if (o.port == hp.port || o.cable == model::kNoComponent) continue;
          int score = 1 + 2 * (o.peer_switch == hp.peer_switch) + (o.card != hp.card);
          if (score > best) best = score, other = o.name;
        }
        NextTest t;
        t.kind = NextTestKind::kMoveUplink;
        t.action = other.empty()
                       ? fmt::format(
                             "move {}'s uplink off port {} to another port (none other is "
                             "cabled) and measure again",
                             h.name, hp.name)
                       : fmt::format(
                             "move {}'s traffic from port {} to {} (another path to the "
                             "network) and measure again",
                             h.name, hp.name, other);
        t.splits = {c};
        t.expected_gain_bits = gain_for(t.splits);
        tests.push_back(std::move(t));
      }
    }
  }

  // Probes: an unmeasured pair whose path crosses part of a group, or one suspect but not a
  // rival, splits what the measured paths could not.
  if (finder && !r->suspects.empty()) {
    std::unordered_set<uint64_t> measured;
    auto key = [](int32_t a_kind, int32_t a, int32_t b_kind, int32_t b, int32_t net) {
      return (static_cast<uint64_t>(a_kind) << 62) ^ (static_cast<uint64_t>(a) << 40) ^
             (static_cast<uint64_t>(b_kind) << 39) ^ (static_cast<uint64_t>(b) << 16) ^
             static_cast<uint64_t>(net);
    };
    if (obs) {
      for (const model::Observation& o : *obs) {
        measured.insert(key(static_cast<int>(o.src.kind), o.src.index, static_cast<int>(o.dst.kind),
                            o.dst.index, o.network));
      }
    }
    // Suspect components to split, with the suspect they belong to. Not the members alike only
    // given the other culprits: any path through them crosses one of those culprits, which
    // explains its loss either way (a card's every path crosses one of its cables).
    std::unordered_map<ComponentId, size_t> member_of;
    for (size_t i = 0; i < r->suspects.size(); ++i) {
      const Suspect& s = r->suspects[i];
      for (size_t j = 0; j < s.identical_members(); ++j) member_of[s.components[j]] = i;
    }
    std::vector<model::Endpoint> endpoints;
    for (size_t h = 0; h < topo_.hosts().size(); ++h) {
      endpoints.push_back({model::Endpoint::Kind::kHost, static_cast<int32_t>(h)});
    }
    for (size_t v = 0; v < topo_.vms().size(); ++v) {
      endpoints.push_back({model::Endpoint::Kind::kVm, static_cast<int32_t>(v)});
    }
    int budget = opt_.max_probe_candidates;
    std::unordered_set<std::string> seen_split;
    for (size_t net = 0; net < topo_.networks().size() && budget > 0; ++net) {
      int32_t n = static_cast<int32_t>(net);
      for (const model::Endpoint& a : endpoints) {
        if (topo_.EndpointAddress(a, n).empty()) continue;
        for (const model::Endpoint& b : endpoints) {
          if (budget <= 0) break;
          if (a == b || topo_.EndpointAddress(b, n).empty()) continue;
          if (measured.count(
                  key(static_cast<int>(a.kind), a.index, static_cast<int>(b.kind), b.index, n))) {
            continue;
          }
          --budget;
          auto path = finder->FindCertain(a, b, n);
          if (!path.ok()) continue;
          // For each suspect: which of its members this path crosses for sure.
          std::unordered_map<size_t, std::vector<ComponentId>> crossed;
          for (const model::PathEntry& e : path->entries) {
            if (e.weight < model::Path::kCertainWeight) continue;
            if (auto it = member_of.find(e.component); it != member_of.end()) {
              crossed[it->second].push_back(e.component);
            }
          }
          for (auto& [si, part] : crossed) {
            const Suspect& s = r->suspects[si];
            if (part.size() == s.identical_members()) {
              // Crosses the whole group: splits it from rival suspects on its lossy paths only
              // if a rival exists and is not crossed.
              if (r->suspects.size() < 2 || s.probability > 0.99) continue;
            }
            std::string sig = fmt::format("{}:{}", si, part.size());
            for (ComponentId c : part) sig += "," + std::to_string(c);
            if (!seen_split.insert(sig).second) continue;
            double mass = 0, q = 0;
            for (ComponentId c : s.components) mass += prior(c);
            for (ComponentId c : part) q += prior(c);
            double gain = part.size() == s.identical_members() ? Entropy2(s.probability)
                                                               : s.probability * Entropy2(q / mass);
            NextTest t;
            t.kind = NextTestKind::kProbe;
            t.src = a;
            t.dst = b;
            t.network = n;
            std::string sa(topo_.EndpointAddress(a, n)), sb(topo_.EndpointAddress(b, n));
            t.action = fmt::format("measure {} ({}) -> {} ({}) on {}", topo_.EndpointName(a), sa,
                                   topo_.EndpointName(b), sb, topo_.networks()[net].name);
            t.splits = part;
            t.expected_gain_bits = gain;
            tests.push_back(std::move(t));
          }
        }
      }
    }
  }
  // Highest gain first; among equals the cheapest: a probe, then moving, then swapping hardware.
  std::stable_sort(tests.begin(), tests.end(), [](const NextTest& a, const NextTest& b) {
    if (std::fabs(a.expected_gain_bits - b.expected_gain_bits) > 1e-9) {
      return a.expected_gain_bits > b.expected_gain_bits;
    }
    return static_cast<int>(a.kind) < static_cast<int>(b.kind);
  });
  tests.erase(std::remove_if(tests.begin(), tests.end(),
                             [](const NextTest& t) { return !(t.expected_gain_bits > 1e-6); }),
              tests.end());
  if (static_cast<int>(tests.size()) > opt_.max_next_tests) tests.resize(opt_.max_next_tests);
  r->next_tests = std::move(tests);
}

}  // namespace

LocalizeResult LocalizePaths(const model::Topology& topology,
                             const ObservedPaths& paths,
                             const LocalizeOptions& options, model::PathFinder* finder,
                             const std::vector<model::Observation>* observations,
                             const std::vector<ComponentId>* representative) {
  Engine engine(topology, paths, options, representative);
  return engine.Run(finder, observations);
}

FaultSetFit FitFaultSet(const model::Topology& topology, const ObservedPaths& paths,
                        const LocalizeOptions& options, const std::vector<ComponentId>& faults,
                        const std::vector<ComponentId>* representative) {
  Engine engine(topology, paths, options, representative);
  return engine.Fit(faults);
}

Result<LocalizeResult> Localize(const model::Topology& topology,
                                const std::vector<model::Observation>& observations,
                                const LocalizeOptions& options) {
  model::PathFinder finder(topology);
  ObservedPaths paths;
  std::vector<size_t> first_observation;  // per flow
  // Repeated measurements of one flow share its path: merge their counts. The key is the flow
  // itself (endpoints, network, traced route), hashed but compared exactly, so two flows whose
  // hashes collide stay apart.
  auto same_flow = [](const model::Observation* a, const model::Observation* b) {
    return a->src == b->src && a->dst == b->dst && a->network == b->network && a->route == b->route;
  };
  auto flow_hash = [](const model::Observation* o) {
    uint64_t h = 14695981039346656037ULL;
    auto mix = [&h](uint64_t v) { h = (h ^ v) * 1099511628211ULL; };
    mix(static_cast<uint64_t>(o->src.kind) << 32 | static_cast<uint32_t>(o->src.index));
    mix(static_cast<uint64_t>(o->dst.kind) << 32 | static_cast<uint32_t>(o->dst.index));
    mix(static_cast<uint32_t>(o->network));
    for (ComponentId c : o->route) mix(c);
    return static_cast<size_t>(h ^ (h >> 29));
  };
  std::unordered_map<const model::Observation*, size_t, decltype(flow_hash), decltype(same_flow)>
      by_flow(observations.size() / 4 + 16, flow_hash, same_flow);
  for (size_t i = 0; i < observations.size(); ++i) {
    const model::Observation& o = observations[i];
    auto [it, fresh] = by_flow.emplace(&o, paths.counts.size());
    if (fresh) {
      first_observation.push_back(i);
      paths.counts.push_back({0, 0, static_cast<uint32_t>(i)});
    }
    PathCounts& p = paths.counts[it->second];
    // Each count is at most 10^15 (model::LoadObservations); this many repeats of one flow would
    // take 18,000 of them, but a sum that wraps would invent a verdict, so it is checked.
    if (__builtin_add_overflow(p.sent, o.sent, &p.sent) ||
        __builtin_add_overflow(p.lost, o.lost, &p.lost)) {
      return Status::At(StatusCode::kMalformed, o.loc,
                        "the probes counted for this flow, added over its lines, overflow 64 bits");
    }
  }
  // A flow is its first observation's endpoints; a traced route is certain: each component
  // once, weight 1.
  auto flow_at = [&](size_t f) {
    const model::Observation& o = observations[first_observation[f]];
    return model::Flow{o.src, o.dst, o.network, o.route.empty() ? nullptr : &o.route};
  };
  size_t failed = 0;
  auto folded = finder.FindFolded(model::FlowSource(first_observation.size(), flow_at), &failed);
  if (!folded.ok()) {
    const model::Observation& o = observations[first_observation[failed]];
    return Status::At(folded.status().code(), o.loc, folded.status().message());
  }
  paths.paths = std::move(folded->paths);
  Engine engine(topology, paths, options, &folded->representative);
  return engine.Run(&finder, &observations);
}

}  // namespace kiriwake::infer
