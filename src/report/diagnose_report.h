// report/diagnose_report.h: the two renderers of a diagnose result. Text reads like a colleague's
// verdict — what was read, what was seen, the culprit and why, what was ruled out, the next test —
// and its last line names the culprit. JSON embeds each analysis's own documented contract (ping-log,
// ceph, localize) under one envelope (docs/json.md, "diagnose"). Pure functions.
#ifndef KIRIWAKE_REPORT_DIAGNOSE_REPORT_H_
#define KIRIWAKE_REPORT_DIAGNOSE_REPORT_H_

#include <string>

#include "diagnose/diagnose.h"
#include "report/ping_log_report.h"

namespace kiriwake::report {

std::string DiagnoseText(const diagnose::DiagnoseResult& r, const TextOptions& options);
std::string DiagnoseJson(const diagnose::DiagnoseResult& r);
// The self-contained HTML page (report/html_report.h) for a diagnose result.
std::string DiagnoseHtml(const diagnose::DiagnoseResult& r);
// One sentence: "dac-esxi2-allied (dac cable) is at fault, 100% likely", or what was found instead.
std::string DiagnoseVerdict(const diagnose::DiagnoseResult& r);

}  // namespace kiriwake::report

#endif  // KIRIWAKE_REPORT_DIAGNOSE_REPORT_H_
