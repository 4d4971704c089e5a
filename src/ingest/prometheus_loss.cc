#include "ingest/prometheus_loss.h"

#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>

namespace kiriwake::ingest {

namespace {

using Key = std::tuple<std::string, std::string, std::string>;

// Reads one `sum by (src, peer, network) (increase(metric[window]))` into `into`.
Status ReadCounter(const PromQLClient& client, const LossMatrixOptions& opt, const char* metric,
                   const std::string& selector, std::map<Key, double>* into, LossMatrix* out) {
  std::string q = fmt::format("sum by ({}, {}, {}) (increase({}{}[{}]))", kLabelSrc, kLabelPeer,
                              kLabelNetwork, metric, selector, opt.window);
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
        "{} series of {} lack a src, peer or network label and were not used", unlabelled,
        metric));
  }
  return Status::Ok();
}

}  // namespace

Result<LossMatrix> ReadLossMatrix(const PromQLClient& client, const LossMatrixOptions& opt) {
  LossMatrix out;
  std::vector<std::string> selectors;
  if (opt.page_by_network) {
    // Both counters: a series missing its network label must surface (as network ""), not vanish.
    std::string q = fmt::format("count by ({}) ({{__name__=~\"{}|{}\"}})", kLabelNetwork,
                                kMetricProbesSent, kMetricProbesLost);
    ++out.queries;
    KW_ASSIGN_OR_RETURN(PromVector nets, client.Instant(q, opt.time_s));
    for (auto& w : nets.warnings) out.warnings.push_back(std::move(w));
    for (const PromSample& s : nets.samples) {
      auto it = s.labels.find(kLabelNetwork);
      std::string value = it == s.labels.end() ? "" : it->second;
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
  std::map<Key, double> sent, lost;
  for (const std::string& sel : selectors) {
    KW_RETURN_IF_ERROR(ReadCounter(client, opt, kMetricProbesSent, sel, &sent, &out));
    KW_RETURN_IF_ERROR(ReadCounter(client, opt, kMetricProbesLost, sel, &lost, &out));
  }
  size_t lost_without_sent = 0;
  for (const auto& [key, n] : lost) {
    if (!sent.contains(key)) ++lost_without_sent;
  }
  if (lost_without_sent > 0) {
    out.warnings.push_back(fmt::format(
        "{} pairs report lost probes but no sent probes in the window (partial data?)",
        lost_without_sent));
  }
  for (const auto& [key, n] : sent) {
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
