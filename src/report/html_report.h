// report/html_report.h: one self-contained HTML page (no network access, no CDN) with the verdict
// at the top, a src x dst loss heatmap per network, the topology drawn by Graphviz with suspects
// and exonerated components marked, the timeline of events, and the evidence table with each
// measurement's source (file:line). Everything is server-side SVG, so the page reads the same with
// JavaScript disabled; a few lines of script only add zoom to the timeline. Large meshes are
// aggregated (endpoints -> hosts -> leaf switches) so no heatmap has more than kMaxHeatmapKeys
// rows. Pure apart from running `dot` (Graphviz) for the layout, when it is installed.
#ifndef KIRIWAKE_REPORT_HTML_REPORT_H_
#define KIRIWAKE_REPORT_HTML_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "infer/localize.h"
#include "model/observation.h"
#include "model/topology.h"

namespace kiriwake::report {

inline constexpr size_t kMaxHeatmapKeys = 64;

struct HtmlEvent {
  int64_t time_ms = 0;      // Unix ms, UTC
  std::string source;       // "ceph", "ping", "esxi2 vmkernel", ...
  std::string severity;     // "info", "warning", "error"
  std::string text;
  std::string where;        // file:line of the raw line
};

struct HtmlInput {
  std::string path;
  std::string kind;
  std::string detail;
};

struct HtmlReport {
  std::string title = "kiriwake report";
  std::string verdict;           // one sentence
  std::string culprit;           // component id, empty when none
  std::vector<HtmlInput> inputs;
  const model::Topology* topology = nullptr;
  const std::vector<model::Observation>* observations = nullptr;
  std::vector<std::string> observation_origins;  // parallel to *observations: "file:line"
  const infer::LocalizeResult* localization = nullptr;
  std::vector<HtmlEvent> events;
  std::string story;             // preformatted text (the incident told as one chain)
  std::string generated_at;      // "2026-11-26 21:40 UTC"
};

std::string RenderHtmlReport(const HtmlReport& report);

// Exposed for tests: the heatmap cells of one network after aggregation.
struct HeatCell {
  std::string src, dst;
  uint64_t sent = 0, lost = 0;
};
struct Heatmap {
  std::string network;
  std::string level;  // "endpoint", "host" or "switch": what a row stands for
  std::vector<std::string> keys;
  std::vector<HeatCell> cells;
};
std::vector<Heatmap> BuildHeatmaps(const model::Topology& topology,
                                   const std::vector<model::Observation>& observations);

}  // namespace kiriwake::report

#endif  // KIRIWAKE_REPORT_HTML_REPORT_H_
