#include "ingest/prometheus_loss.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <thread>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

namespace kiriwake::ingest {

namespace {

using Key = std::tuple<std::string, std::string, std::string>;
struct KeyHash {
  size_t operator()(const Key& k) const {
    std::hash<std::string> h;
    return h(std::get<0>(k)) * 0x9e3779b97f4a7c15ULL ^ h(std::get<1>(k)) * 31 ^ h(std::get<2>(k));
  }
};
// Hashed, not ordered: 200,000 pairs of three strings each compare slowly in a tree. The
// matrix is sorted once at the end.
using Counts = std::unordered_map<Key, double, KeyHash>;

// The recording rule holding `metric`'s per-pair increase over `window`
// (deploy/prometheus/kiriwake-rules.yml), or "" when the rules record none for that window.
std::string RecordedName(const char* metric, const std::string& window) {
  if (window != "5m" && window != "1h") return "";
  const char* what = std::string_view(metric) == kMetricProbesSent ? "sent" : "lost";
  return fmt::format("kiriwake:pair_probes_{}:increase{}", what, window);
}

// Reads one counter's per-pair increase into `into`: the recorded series when `recorded`,
// else `sum by (src, peer, network) (increase(metric[window]))` over the raw counters.
Status ReadCounter(const PromQLClient& client, const LossMatrixOptions& opt, const char* metric,
                   bool recorded, const std::string& selector, Counts* into,
                   LossMatrix* out) {
  std::string q = recorded ? RecordedName(metric, opt.window) + selector
                           : fmt::format("sum by ({}, {}, {}) (increase({}{}[{}]))", kLabelSrc,
                                         kLabelPeer, kLabelNetwork, metric, selector, opt.window);
  // Only the pairs that lost probes: a pair missing from the answer lost none, which is what the
  // matrix assumed of a pair with no lost series anyway. On a healthy fabric that is a few
  // kilobytes instead of a second answer as large as the sent counts (30 MB for 196,520 pairs),
  // which the server had to encode and the client to parse while the sent counts were coming.
  if (std::string_view(metric) == kMetricProbesLost) q += " > 0";
  ++out->queries;
  KW_ASSIGN_OR_RETURN(PromVector v, client.Instant(q, opt.time_s));
  for (auto& w : v.warnings) out->warnings.push_back(std::move(w));
  size_t unlabelled = 0;
  for (const PromSample& s : v.samples) {
    auto src = s.labels.find(kLabelSrc);
    auto peer = s.labels.find(kLabelPeer);
    auto net = s.labels.find(kLabelNetwork);
    if (src == s.labels.end() || peer == s.labels.end() || net == s.labels.end() ||
        src->second.empty() || peer->second.empty()) {
      ++unlabelled;
      continue;
    }
    if (!std::isfinite(s.value) || s.value < 0) continue;
    (*into)[Key{src->second, peer->second, net->second}] += s.value;
  }
  if (unlabelled > 0) {
    out->warnings.push_back(fmt::format(
        "{} series of {} lack a src, peer or network label and were not used", unlabelled, metric));
  }
  return Status::Ok();
}

}  // namespace

Result<LossMatrix> ReadLossMatrix(const PromQLClient& client, const LossMatrixOptions& opt) {
  LossMatrix out;
  std::vector<std::string> selectors;
  // One evaluation instant for every query, so the pages and the two counters are one snapshot.
  LossMatrixOptions at = opt;
  if (!at.time_s) {
    // The server's "now", not ours: a client clock ahead by more than the window would see
    // nothing.
    ++out.queries;
    KW_ASSIGN_OR_RETURN(PromVector now, client.Instant("vector(time())"));
    if (now.samples.size() != 1 || !std::isfinite(now.samples[0].value)) {
      return Status::Malformed(SourceLoc{client.options().url + " query vector(time())", 0, 0},
                               "one sample", fmt::format("{} samples", now.samples.size()));
    }
    at.time_s = now.samples[0].value;
  }
  if (opt.page_by_network) {
    // The networks come from the index (label values), not from reading every series' samples;
    // one more page for series without a network label, so they surface (as network "") rather
    // than vanish.
    ++out.queries;
    KW_ASSIGN_OR_RETURN(PromStrings nets,
                        client.LabelValues(kLabelNetwork, {kMetricProbesSent, kMetricProbesLost}));
    for (auto& w : nets.warnings) out.warnings.push_back(std::move(w));
    nets.values.push_back("");
    for (const std::string& value : nets.values) {
      // Label values are quoted with Go's escaping rules: backslash and double quote.
      std::string escaped;
      for (char c : value) {
        if (c == '\\' || c == '"') escaped += '\\';
        escaped += c;
      }
      selectors.push_back(fmt::format("{{{}=\"{}\"}}", kLabelNetwork, escaped));
    }
  } else {
    selectors.push_back("");
  }
  // Recorded counts when the rules keep them for this window: one lookup per pair instead of
  // increase() over every raw series. Whether they exist is learnt from the answer itself: a
  // count() beforehand costs as much as reading them (1.5 s of Prometheus's time for 196,520
  // pairs). No recorded sample at that instant (rules not loaded, or a window they do not keep)
  // falls back to the raw counters.
  Counts sent, lost;
  auto read_pages = [&](bool recorded) -> Status {
    for (const std::string& sel : selectors) {
      // The two counters are independent queries: ask both at once (the engine evaluates them
      // in parallel, and each answer is parsed while the other is still coming).
      LossMatrix lost_side;
      Status lost_status;
      std::thread lost_reader([&] {
        lost_status = ReadCounter(client, at, kMetricProbesLost, recorded, sel, &lost, &lost_side);
      });
      Status sent_status = ReadCounter(client, at, kMetricProbesSent, recorded, sel, &sent, &out);
      lost_reader.join();
      KW_RETURN_IF_ERROR(sent_status);
      KW_RETURN_IF_ERROR(lost_status);
      out.queries += lost_side.queries;
      for (auto& w : lost_side.warnings) out.warnings.push_back(std::move(w));
    }
    return Status::Ok();
  };
  out.recorded = opt.use_recorded && !RecordedName(kMetricProbesSent, at.window).empty();
  KW_RETURN_IF_ERROR(read_pages(out.recorded));
  if (out.recorded && sent.empty()) {
    out.recorded = false;
    lost.clear();
    KW_RETURN_IF_ERROR(read_pages(false));
  }
  size_t lost_without_sent = 0;
  for (const auto& [key, n] : lost) {
    if (!sent.contains(key)) ++lost_without_sent;
  }
  if (lost_without_sent > 0) {
    out.warnings.push_back(
        fmt::format("{} pairs report lost probes but no sent probes in the window (partial data?)",
                    lost_without_sent));
  }
  std::vector<const std::pair<const Key, double>*> order;
  order.reserve(sent.size());
  for (const auto& entry : sent) order.push_back(&entry);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
  out.pairs.reserve(order.size());
  for (const auto* entry : order) {
    const auto& [key, n] = *entry;
    PairLoss p;
    std::tie(p.src, p.peer, p.network) = key;
    p.sent = n;
    auto it = lost.find(key);
    p.lost = it == lost.end() ? 0.0 : std::min(it->second, n);
    out.pairs.push_back(std::move(p));
  }
  return out;
}

}  // namespace kiriwake::ingest
