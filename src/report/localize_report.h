// report/localize_report.h: the two renderers of a localize result — text for people (a
// colleague's verdict: the culprit, why, what was ruled out, what to do next) and the --json
// document (contract in docs/json.md). Both read the same LocalizeReport, so they cannot
// disagree. Pure functions; the report borrows its parts, which must outlive the call.
#ifndef KIRIWAKE_REPORT_LOCALIZE_REPORT_H_
#define KIRIWAKE_REPORT_LOCALIZE_REPORT_H_

#include <string>
#include <vector>

#include "infer/localize.h"
#include "model/observation.h"
#include "model/topology.h"

namespace kiriwake::report {

struct LocalizeReport {
  const model::Topology& topology;
  const std::vector<model::Observation>& observations;
  const infer::LocalizeResult& result;
};

std::string LocalizeText(const LocalizeReport& report);
// The JSON document, dumped with invalid UTF-8 replaced, ending in a newline.
std::string LocalizeJson(const LocalizeReport& report);

}  // namespace kiriwake::report

#endif  // KIRIWAKE_REPORT_LOCALIZE_REPORT_H_
