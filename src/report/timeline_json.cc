// JSON renderer for `kiriwake timeline --json` (contract in docs/json.md, "## timeline").
#include "report/timeline_render.h"

namespace kiriwake::report {

using nlohmann::json;
using timeline::FormatUtc;

namespace {
json Loc(const SourceLoc& l) {
  return json{{"file", l.file}, {"line", l.line > 0 ? json(l.line) : json(nullptr)}};
}
json Ref(const timeline::StoryRef& r) {
  return json{{"time", FormatUtc(r.time)}, {"host", r.host}, {"text", r.text}, {"source", Loc(r.loc)}};
}
json OptRef(const std::optional<timeline::StoryRef>& r) { return r ? Ref(*r) : json(nullptr); }
}  // namespace

std::string Dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

json TimelineEventJson(const timeline::Event& ev) {
  return json{{"time", FormatUtc(ev.time)},
              {"time_uncertain", ev.time_uncertain},
              {"time_note", ev.time_note.empty() ? json(nullptr) : json(ev.time_note)},
              {"host", ev.host.empty() ? json(nullptr) : json(ev.host)},
              {"source_kind", timeline::SourceKindName(ev.source)},
              {"layer", timeline::LayerName(ev.layer)},
              {"severity", timeline::SeverityName(ev.severity)},
              {"tag", ev.tag.empty() ? json(nullptr) : json(ev.tag)},
              {"subjects", ev.subjects},
              {"components", ev.components},
              {"operator_action", ev.operator_action},
              {"message", ev.message},
              {"raw", ev.raw},
              {"source", Loc(ev.loc)}};
}

json TimelineSkewJson(const std::vector<timeline::SkewEstimate>& skew) {
  json a = json::array();
  for (const auto& k : skew) {
    a.push_back(json{{"host", k.host},
                     {"reference_host", k.reference_host},
                     {"offset_s", k.offset_s},
                     {"pairs", k.pairs},
                     {"skewed", k.skewed},
                     {"basis", k.basis},
                     {"cause", Loc(k.cause_loc)},
                     {"effect", Loc(k.effect_loc)}});
  }
  return a;
}

json TimelineStoryJson(const timeline::Story& s) {
  json j;
  if (s.root_cause) {
    const auto& rc = *s.root_cause;
    json ev = json::array();
    for (const auto& e : rc.evidence) ev.push_back(Ref(e));
    j["root_cause"] = json{{"summary", rc.summary},
                           {"basis", rc.basis},
                           {"target", rc.target},
                           {"components", rc.components},
                           {"host", rc.host.empty() ? json(nullptr) : json(rc.host)},
                           {"probability", rc.probability ? json(*rc.probability) : json(nullptr)},
                           {"probes_lost", rc.probes_lost},
                           {"probes_answered", rc.probes_answered},
                           {"failure_reports", rc.failure_reports},
                           {"link_downs", rc.link_downs},
                           {"evidence", ev}};
  } else {
    j["root_cause"] = nullptr;
  }
  j["first_symptom"] = OptRef(s.first_symptom);
  json effects = json::array();
  for (const auto& st : s.effects) {
    effects.push_back(json{{"stage", st.stage},
                           {"layer", timeline::LayerName(st.layer)},
                           {"first", FormatUtc(st.first)},
                           {"last", FormatUtc(st.last)},
                           {"count", st.count},
                           {"hosts", st.hosts},
                           {"example", Ref(st.example)}});
  }
  j["effects"] = effects;
  json chains = json::array();
  for (const auto& c : s.side_chains) {
    json steps = json::array();
    for (const auto& st : c.steps) steps.push_back(Ref(st));
    chains.push_back(json{{"host", c.host}, {"steps", steps}});
  }
  j["side_chains"] = chains;
  json co = json::array();
  for (const auto& c : s.coincident) {
    co.push_back(json{{"tag", c.tag}, {"event", Ref(c.event)}, {"why_not_cause", c.why_not_cause},
                      {"would_link", c.would_link}});
  }
  j["coincident"] = co;
  json tried = json::array();
  for (const auto& t : s.tried) {
    tried.push_back(json{{"what", t.what}, {"time", FormatUtc(t.time)}, {"hosts", t.hosts},
                         {"source", Loc(t.loc)}, {"ruled_out", t.ruled_out}, {"outcome", t.outcome}});
  }
  j["tried"] = tried;
  j["detected"] = OptRef(s.detected);
  j["first_hint"] = OptRef(s.first_hint);
  j["time_to_detect_s"] = s.time_to_detect ? json(s.time_to_detect->count()) : json(nullptr);
  j["resolved"] = OptRef(s.resolved);
  j["skew"] = TimelineSkewJson(s.skew);
  json eps = json::array();
  for (const auto& e : s.episodes) {
    eps.push_back(json{{"start", FormatUtc(e.start)}, {"end", FormatUtc(e.end)}, {"events", e.events},
                       {"worst", timeline::SeverityName(e.worst)}, {"hosts", e.hosts}, {"tags", e.tags}});
  }
  j["episodes"] = eps;
  j["notable_events"] = s.notable_events;
  j["notable_dropped"] = s.notable_dropped;
  return j;
}

json TimelineSourceJson(const timeline::FileSource& src) {
  return json{{"file", src.name()},
              {"kind", timeline::SourceKindName(src.kind())},
              {"host", src.host().empty() ? json(nullptr) : json(src.host())},
              {"assumption", src.Assumption()},
              {"events", src.events()},
              {"raw_lines", src.raw_lines()},
              {"malformed_lines", src.malformed_lines()},
              {"uncertain_events", src.uncertain_events()}};
}

void TimelineJsonWriter::Begin() { std::fputs("{\n\"schema\": 1,\n\"events\": [", out_); }

void TimelineJsonWriter::Add(const timeline::Event& ev) {
  std::fputs(first_ ? "\n" : ",\n", out_);
  first_ = false;
  std::string s = Dump(TimelineEventJson(ev), -1);
  std::fwrite(s.data(), 1, s.size(), out_);
}

void TimelineJsonWriter::End(const json& sources, const json& warnings, const json& skew,
                             const json& story, uint64_t events_total) {
  std::string tail = "\n],\n\"events_total\": " + Dump(json(events_total), -1) +
                     ",\n\"sources\": " + Dump(sources, 2) + ",\n\"warnings\": " + Dump(warnings, 2) +
                     ",\n\"skew\": " + Dump(skew, 2) + ",\n\"story\": " + Dump(story, 2) + "\n}\n";
  std::fwrite(tail.data(), 1, tail.size(), out_);
}

}  // namespace kiriwake::report
