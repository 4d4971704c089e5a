// report/probe_text.h: the people's rendering of `kiriwake probe`: one line per loss as it
// happens, then per target a verdict line, a strip showing where the losses are, and the RTT
// numbers (style guide §5.8). Decisions (verdict, outliers) come from model::ProbeSeries; this
// only formats. Pure functions returning strings; thread-safe.
#ifndef KIRIWAKE_REPORT_PROBE_TEXT_H_
#define KIRIWAKE_REPORT_PROBE_TEXT_H_

#include <string>
#include <vector>

#include "model/probe_series.h"
#include "probe/probe_summary.h"
#include "probe/prober.h"

namespace kiriwake::report {

// Milliseconds with three significant digits, like fping's sprint_tm: 0.412, 1.23, 12.3, 248.
std::string FormatMs(double ms);

// "seq 1-4 ok · 5-6 LOST · 7-73 ok" (at most `max_segments` segments, then "· … N more").
std::string LossStrip(const model::ProbeSeries& s, size_t max_segments = 15);

// "NAME (ADDR)" or "NAME (ADDR) on NETWORK" when the network is named.
std::string TargetLabel(const probe::TargetSummary& t);

// The three (or four) lines of one target; `label_width` pads the label (names never truncated).
std::string RenderProbeSummary(const probe::TargetSummary& t, size_t label_width);
// Every target, padded to the longest label.
std::string RenderProbeSummaries(const std::vector<probe::TargetSummary>& targets);

// One line for an event worth printing as it happens (lost, late, errored, duplicate); empty for
// plain answers. `timeout_ms` is named in lost lines.
std::string RenderProbeEventLine(const probe::TargetSummary& target, const probe::ProbeEvent& e,
                                 double timeout_ms, size_t label_width);

}  // namespace kiriwake::report

#endif  // KIRIWAKE_REPORT_PROBE_TEXT_H_
