#include "diagnose/prometheus_observations.h"

#include <cmath>

#include <fmt/format.h>

namespace kiriwake::diagnose {

model::ObservationSet ObservationsFromMatrix(const model::Topology& topology,
                                             const ingest::LossMatrix& matrix,
                                             const std::string& source) {
  model::ObservationSet out;
  for (const std::string& w : matrix.warnings) {
    out.warnings.push_back(Diagnostic{SourceLoc{source, 0, 0}, w});
  }
  int64_t unknown = 0;
  std::string example;
  for (const ingest::PairLoss& p : matrix.pairs) {
    auto src = topology.FindEndpoint(p.src);
    auto dst = topology.FindEndpoint(p.peer);
    if (!dst) {
      if (auto a = topology.FindAddress(p.peer)) dst = a->first;
    }
    auto net = topology.FindNetwork(p.network);
    if (!src || !dst || !net) {
      ++unknown;
      if (example.empty()) {
        example = fmt::format("{} -> {} on {}", p.src, p.peer, p.network);
      }
      continue;
    }
    model::Observation o;
    o.src = *src;
    o.dst = *dst;
    o.network = *net;
    o.sent = static_cast<uint64_t>(std::llround(std::max(0.0, p.sent)));
    o.lost = std::min(o.sent, static_cast<uint64_t>(std::llround(std::max(0.0, p.lost))));
    o.loc = SourceLoc{source, 0, 0};
    if (o.sent == 0) continue;
    out.observations.push_back(o);
  }
  if (unknown > 0) {
    out.skipped_lines = unknown;
    out.warnings.push_back(Diagnostic{
        SourceLoc{source, 0, 0},
        fmt::format("{} pairs name a host, peer or network the topology does not have (e.g. {}); "
                    "not used",
                    unknown, example)});
  }
  return out;
}

Result<model::ObservationSet> ObservationsFromPrometheus(const model::Topology& topology,
                                                         const ingest::PromQLClient& client,
                                                         const ingest::LossMatrixOptions& options) {
  KW_ASSIGN_OR_RETURN(ingest::LossMatrix m, ingest::ReadLossMatrix(client, options));
  return ObservationsFromMatrix(topology, m, client.options().url);
}

}  // namespace kiriwake::diagnose
