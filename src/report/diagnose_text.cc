#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "report/ceph_report.h"
#include "report/diagnose_report.h"
#include "report/html_report.h"
#include "report/localize_report.h"
#include "report/timeline_render.h"
#include "util/terminal_safe.h"

namespace kiriwake::report {

namespace {

// Text from the inputs (file names, targets, names from the topology, errors quoting lines) is
// escaped for the terminal (util/terminal_safe.h); DiagnoseVerdict stays raw for JSON and HTML.
std::string Safe(std::string_view s) { return text::TerminalSafe(s); }

std::string Base(const std::string& path) {
  std::string b = std::filesystem::path(path).filename().string();
  return b.empty() ? path : b;
}

std::string TargetLabel(const diagnose::DiagnoseResult& r, const ingest::PingSession& s) {
  std::string label = s.target_name;
  if (!s.target_address.empty() && s.target_address != s.target_name) {
    label = fmt::format("{} ({})", s.target_name, s.target_address);
  }
  if (r.topology && !s.target_address.empty()) {
    if (auto ep = r.topology->FindAddress(s.target_address)) {
      label = fmt::format("{} ({})", r.topology->EndpointName(ep->first), s.target_address);
    }
  }
  return Safe(label);
}

}  // namespace

std::string DiagnoseVerdict(const diagnose::DiagnoseResult& r) {
  if (r.localization && r.localization->culprit_named() && r.topology) {
    const infer::Suspect& s = r.localization->suspects.front();
    const model::Component& c = r.topology->component(s.components.front());
    std::string kind(model::ComponentKindName(c.kind));
    if (!c.medium.empty()) kind = c.medium + " " + kind;
    std::string beside, alike;
    for (size_t i = 1; i < s.components.size(); ++i) {
      std::string& to = i < s.identical_members() ? beside : alike;
      to += (to.empty() ? "" : ", ") + r.topology->component(s.components[i]).id;
    }
    std::string note;
    if (!beside.empty()) note = fmt::format("no measurement splits it from {}", beside);
    if (!alike.empty()) {
      note += fmt::format("{}given the other faults, {} fit{} as well", note.empty() ? "" : "; ",
                          alike, s.alike_given_others == 1 ? "s" : "");
    }
    return fmt::format("the {} {} is at fault, {:.0f}% likely{}", kind, c.id, s.probability * 100,
                       note.empty() ? "" : " (" + note + ")");
  }
  if (r.localization && r.localization->lossy_paths > 0) {
    return fmt::format("loss on {} of {} paths, but no single component explains it; run the "
                       "next tests above",
                       r.localization->lossy_paths, r.localization->paths);
  }
  if (r.ceph && !r.ceph->ranking.empty()) {
    return fmt::format("Ceph points at {}; add a topology and pairwise measurements to name the "
                       "component",
                       CephSuspectLine(r.ceph->ranking.front()));
  }
  if (r.problem_found()) return "loss found; add a topology to localize it";
  return "nothing wrong found";
}

std::string DiagnoseText(const diagnose::DiagnoseResult& r, const TextOptions& options) {
  std::string out;
  out += fmt::format("Read {} input{}\n", r.inputs.size(), r.inputs.size() == 1 ? "" : "s");
  size_t w = 0;
  for (const auto& in : r.inputs) w = std::max(w, Safe(Base(in.path)).size());
  for (const auto& in : r.inputs) {
    std::string what = in.status.ok() ? in.detail : "error: " + in.status.message();
    out += fmt::format("  {:<13} {:<{}}  {}\n", diagnose::InputKindName(in.kind),
                       Safe(Base(in.path)), w, Safe(what));
  }

  out += "\nWhat was seen\n";
  bool seen = false;
  if (!r.pings.empty()) {
    size_t lw = 0;
    for (const auto& p : r.pings) lw = std::max(lw, TargetLabel(r, p.session).size());
    for (const auto& p : r.pings) {
      SeriesText st;
      st.label = TargetLabel(r, p.session);
      st.series = &p.session.series;
      st.first_id = p.session.first_id;
      if (p.session.last_id >= p.session.first_id) st.last_id = p.session.last_id;
      st.tail_first_id = p.session.tail_first_id;
      st.summary_only = p.session.summary_only;
      st.note = fmt::format("ping from {} ({}){}", p.src.empty() ? "an unknown sender" : p.src,
                            Base(p.file),
                            p.used ? "" : "; not used for localization: " + p.not_used_why);
      std::string block = RenderSeriesText(st, lw, options);
      // Indent the block under "What was seen".
      std::string indented;
      size_t start = 0;
      while (start < block.size()) {
        size_t nl = block.find('\n', start);
        if (nl == std::string::npos) nl = block.size();
        indented += "  " + block.substr(start, nl - start) + "\n";
        start = nl + 1;
      }
      out += indented;
      seen = true;
    }
  }
  if (r.ceph && r.ceph->problem) {
    std::string checks;
    for (const auto& c : r.ceph->checks) checks += (checks.empty() ? "" : ", ") + Safe(c.code);
    out += fmt::format("  Ceph raised {} between {} and {}\n", checks.empty() ? "no checks" : checks,
                       FormatCephTime(r.ceph->start_ms), FormatCephTime(r.ceph->end_ms));
    if (!r.ceph->ranking.empty()) {
      out += fmt::format("  Ceph's common endpoint: {}\n",
                         Safe(CephSuspectLine(r.ceph->ranking.front())));
    }
    seen = true;
  }
  if (r.localization) {
    std::map<std::string, int> by_origin;
    for (const auto& o : r.origins) by_origin[o.what]++;
    std::string parts;
    for (const auto& [what, n] : by_origin) {
      parts += fmt::format("{}{} from {}", parts.empty() ? "" : ", ", n, Safe(what));
    }
    out += fmt::format("  {} measured paths ({}), {} lossy\n", r.localization->paths, parts,
                       r.localization->lossy_paths);
    seen = true;
  }
  if (!seen) out += "  nothing: no loss, no Ceph health checks, no measurements\n";

  if (r.localization && r.topology) {
    out += "\n";
    out += LocalizeText(LocalizeReport{*r.topology, r.observations, *r.localization});
  } else if (!r.topology) {
    out += "\nNo topology among the inputs (--topology T.yaml): the evidence cannot be placed on "
           "cables, ports and switches.\n";
  }
  if (r.story && (r.story->root_cause || !r.story->effects.empty())) {
    out += fmt::format("\nThe incident, from {} events on one clock (UTC)\n", r.timeline_events);
    out += TimelineStoryText(*r.story, nullptr);
  }
  out += "\nVerdict: " + Safe(DiagnoseVerdict(r)) + "\n";
  // The last line names the thing to replace, for people and for `tail -1`.
  if (r.localization && r.localization->culprit_named() && r.topology) {
    out += "Culprit: " +
           Safe(r.topology->component(r.localization->suspects.front().components.front()).id) +
           "\n";
  }
  return out;
}

}  // namespace kiriwake::report

namespace kiriwake::report {

std::string DiagnoseHtml(const diagnose::DiagnoseResult& r) {
  HtmlReport h;
  h.title = "kiriwake diagnose";
  h.verdict = DiagnoseVerdict(r);
  if (r.localization && r.localization->culprit_named() && r.topology) {
    h.culprit = r.topology->component(r.localization->suspects.front().components.front()).id;
  }
  for (const auto& in : r.inputs) {
    h.inputs.push_back({in.path, std::string(diagnose::InputKindName(in.kind)),
                        in.status.ok() ? in.detail : in.status.ToString()});
  }
  if (r.topology) h.topology = &*r.topology;
  h.observations = &r.observations;
  for (const auto& o : r.origins) h.observation_origins.push_back(o.what + " " + o.loc.ToString());
  if (r.localization) h.localization = &*r.localization;
  if (r.story) h.story = TimelineStoryText(*r.story, nullptr);
  for (const auto& e : r.events) {
    int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     e.time.time_since_epoch()).count();
    std::string source = e.host.empty() ? std::string(timeline::SourceKindName(e.source))
                                        : fmt::format("{} {}", e.host,
                                                      timeline::SourceKindName(e.source));
    h.events.push_back({ms, source,
                        e.severity >= timeline::Severity::kError     ? "error"
                        : e.severity >= timeline::Severity::kWarning ? "warning"
                                                                     : "info",
                        e.message, e.loc.ToString()});
  }
  if (r.ceph && r.events.empty()) {
    for (const auto& c : r.ceph->checks) {
      if (c.first_ms == infer::kNoTime) continue;
      h.events.push_back({c.first_ms, "ceph", c.severity == "ERR" ? "error" : "warning",
                          c.code + ": " + c.last_summary, c.first_loc.ToString()});
    }
    for (const auto& f : r.ceph->failures) {
      if (f.first_ms == infer::kNoTime) continue;
      h.events.push_back({f.first_ms, "ceph", "warning",
                          fmt::format("osd.{} reports osd.{} failed ({} reports)", f.reporter_osd,
                                      f.target_osd, f.reports),
                          ""});
    }
    for (const auto& o : r.ceph->slow_ops) {
      if (o.first_ms == infer::kNoTime) continue;
      h.events.push_back({o.first_ms, "ceph", "warning",
                          fmt::format("{} has slow ops ({})", o.daemon, o.example), ""});
    }
  }
  return RenderHtmlReport(h);
}

}  // namespace kiriwake::report
