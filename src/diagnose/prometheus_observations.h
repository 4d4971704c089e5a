// diagnose/prometheus_observations.h: the agents' loss counters, read from a Prometheus-compatible
// engine (ingest/prometheus_loss.h), as path observations on a topology, so `localize` and
// `diagnose` work the same from a query engine as from files. Pairs naming hosts or networks the
// topology does not know are reported as warnings, never silently dropped.
#ifndef KIRIWAKE_DIAGNOSE_PROMETHEUS_OBSERVATIONS_H_
#define KIRIWAKE_DIAGNOSE_PROMETHEUS_OBSERVATIONS_H_

#include <string>

#include "ingest/prometheus_loss.h"
#include "ingest/promql_client.h"
#include "model/observation.h"
#include "model/topology.h"
#include "util/result.h"

namespace kiriwake::diagnose {

// Rounds the extrapolated increase() values to whole probes.
Result<model::ObservationSet> ObservationsFromPrometheus(const model::Topology& topology,
                                                         const ingest::PromQLClient& client,
                                                         const ingest::LossMatrixOptions& options);

// The same from an already read matrix (tests, and callers that read once).
model::ObservationSet ObservationsFromMatrix(const model::Topology& topology,
                                             const ingest::LossMatrix& matrix,
                                             const std::string& source);

}  // namespace kiriwake::diagnose

#endif  // KIRIWAKE_DIAGNOSE_PROMETHEUS_OBSERVATIONS_H_
