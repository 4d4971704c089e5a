// report/ceph_report.h: renders a CephFinding for people (text) and machines (--json, and the
// --observations JSON Lines for `localize`). Both renderers read the same CephFinding, so text
// and JSON cannot disagree; every decision (suspect, interface, verdict) was made in infer/.
// Pure functions returning strings; thread-compatible.
#ifndef KIRIWAKE_REPORT_CEPH_REPORT_H_
#define KIRIWAKE_REPORT_CEPH_REPORT_H_

#include <string>
#include <vector>

#include "infer/ceph_finding.h"
#include "ingest/ceph_input.h"

namespace kiriwake::report {

struct CephInputSummary {
  std::string file;
  ingest::CephInputStats stats;
  bool failed = false;  // the input could not be read (its error went to stderr)
};

// "2020-03-15 10:59:32.510Z"; "-" for kNoTime.
std::string FormatCephTime(int64_t ms);

// The one-line suspect sentence: "osd.3 on ceph4 (192.168.100.114), back interface: in 11/11
// slow pairs, 3/3 failure reports; no slow pair without it".
std::string CephSuspectLine(const infer::CephEndpoint& ep);

std::string RenderCephText(const infer::CephFinding& f, const std::vector<CephInputSummary>& in);
// One JSON document (docs/json.md, "## ceph"), dumped with invalid UTF-8 replaced.
std::string RenderCephJson(const infer::CephFinding& f, const std::vector<CephInputSummary>& in);
// JSON Lines, one observation per pair and interface (docs/json.md, "ceph --observations").
std::string RenderCephObservations(const infer::CephFinding& f);

}  // namespace kiriwake::report

#endif  // KIRIWAKE_REPORT_CEPH_REPORT_H_
