// Text renderer for `kiriwake timeline` and its --story.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/timeline_render.h"

namespace kiriwake::report {

using timeline::Event;
using timeline::FormatUtc;
using timeline::Story;
using timeline::TimePoint;
using timeline::Zone;

namespace {

// " [10:58:39 +09:00]": the local wall time in the display zone; "" without one or in UTC.
std::string Local(TimePoint t, const Zone* z) {
  if (z == nullptr || (z->fixed() && z->OffsetAt(0) == 0)) return "";
  int64_t s = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  int32_t off = z->OffsetAt(s);
  int64_t local = s + off;
  int64_t day_s = ((local % 86400) + 86400) % 86400;
  int32_t a = off < 0 ? -off : off;
  char buf[24];
  auto put2 = [&](int pos, int64_t v) {
    buf[pos] = static_cast<char>('0' + v / 10 % 10);
    buf[pos + 1] = static_cast<char>('0' + v % 10);
  };
  buf[0] = ' ';
  buf[1] = '[';
  put2(2, day_s / 3600);
  buf[4] = ':';
  put2(5, day_s / 60 % 60);
  buf[7] = ':';
  put2(8, day_s % 60);
  buf[10] = ' ';
  buf[11] = off < 0 ? '-' : '+';
  put2(12, a / 3600);
  buf[14] = ':';
  put2(15, a / 60 % 60);
  buf[17] = ']';
  return std::string(buf, 18);
}

std::string When(TimePoint t, const Zone* z) { return FormatUtc(t) + Local(t, z); }

std::string Where(const SourceLoc& loc) { return loc.ToString(); }

std::string DurText(std::chrono::seconds s) {
  int64_t v = s.count();
  std::string sign = v < 0 ? "-" : "";
  if (v < 0) v = -v;
  if (v < 120) return fmt::format("{}{} s", sign, v);
  if (v < 7200) return fmt::format("{}{} min", sign, v / 60);
  return fmt::format("{}{} h {:02} min", sign, v / 3600, v / 60 % 60);
}

}  // namespace

std::string TimelineEventLine(const Event& ev, const Zone* display) {
  return fmt::format("{}{}{}  {:<10} {:<13} {:<8} {:<20} {}  ({})\n", FormatUtc(ev.time),
                     ev.time_uncertain ? "~" : " ", Local(ev.time, display),
                     ev.host.empty() ? "-" : ev.host, timeline::LayerName(ev.layer),
                     timeline::SeverityName(ev.severity), ev.tag.empty() ? "-" : ev.tag, ev.message,
                     Where(ev.loc));
}

std::string TimelineSourcesText(const std::vector<std::string>& assumptions) {
  std::string out = "Sources and clocks:\n";
  for (const auto& a : assumptions) out += "  " + a + "\n";
  return out;
}

std::string TimelineStoryText(const Story& s, const Zone* z) {
  std::string o;
  o += z != nullptr ? fmt::format("Incident story (times UTC; [local {}])\n\n", z->name())
                    : "Incident story (times UTC)\n\n";
  if (s.root_cause) {
    const auto& rc = *s.root_cause;
    o += fmt::format("Root cause: {}\n", rc.summary);
    o += fmt::format("  basis: {}\n", rc.basis);
    for (const auto& e : rc.evidence) {
      o += fmt::format("  evidence: {} {}: {}  ({})\n", When(e.time, z), e.host, e.text, Where(e.loc));
    }
  } else {
    o += "Root cause: none named: no network-loss events and no localization verdict.\n";
  }
  if (s.first_symptom) {
    o += fmt::format("\nFirst symptom: {} {}: {}  ({})\n", When(s.first_symptom->time, z),
                     s.first_symptom->host, s.first_symptom->text, Where(s.first_symptom->loc));
  }
  if (!s.effects.empty()) {
    o += "\nEffects, in order:\n";
    int i = 1;
    for (const auto& st : s.effects) {
      o += fmt::format("  {}. {} ({}): {} event(s) on {}, {} .. {}\n", i++, st.stage,
                       timeline::LayerName(st.layer), st.count, fmt::join(st.hosts, ", "),
                       When(st.first, z), When(st.last, z));
      o += fmt::format("     e.g. {}: {}  ({})\n", st.example.host, st.example.text, Where(st.example.loc));
    }
  }
  if (!s.side_chains.empty()) {
    o += "\nSide chains (hardware fault -> reboot):\n";
    for (const auto& c : s.side_chains) {
      o += fmt::format("  on {}:\n", c.host);
      for (const auto& st : c.steps)
        o += fmt::format("    {} {}  ({})\n", When(st.time, z), st.text, Where(st.loc));
    }
  }
  if (!s.coincident.empty()) {
    o += "\nCoincident (co-located, not explained by the chain):\n";
    for (const auto& c : s.coincident) {
      o += fmt::format("  - {} on {} at {}: {}  ({})\n", c.tag, c.event.host, When(c.event.time, z),
                       c.event.text, Where(c.event.loc));
      o += fmt::format("    not the cause: {}\n", c.why_not_cause);
      o += fmt::format("    would link them: {}\n", c.would_link);
    }
  }
  if (!s.tried.empty()) {
    o += "\nTried:\n";
    for (const auto& t : s.tried) {
      o += fmt::format("  - {} on {} at {}  ({}): {}{}\n", t.what, fmt::join(t.hosts, ", "),
                       When(t.time, z), Where(t.loc), t.ruled_out ? "ruled out, " : "", t.outcome);
    }
  }
  if (s.time_to_detect && s.detected) {
    o += fmt::format("\nTime to detect: {} from the first symptom to the first event accusing {} "
                     "({} {}: {}  ({}))\n",
                     DurText(*s.time_to_detect), s.root_cause ? s.root_cause->target : "it",
                     When(s.detected->time, z), s.detected->host, s.detected->text,
                     Where(s.detected->loc));
    if (s.first_hint && s.first_hint->time < s.detected->time) {
      o += fmt::format("  it was named in the logs already at {} ({}: {}  ({}))\n",
                       When(s.first_hint->time, z), s.first_hint->host, s.first_hint->text,
                       Where(s.first_hint->loc));
    }
  }
  if (s.resolved) {
    o += fmt::format("\nResolved: {} {}: {}  ({})\n", When(s.resolved->time, z), s.resolved->host,
                     s.resolved->text, Where(s.resolved->loc));
  }
  if (!s.skew.empty()) {
    o += "\nClock skew:\n";
    for (const auto& k : s.skew) {
      o += fmt::format("  {} is {:+.1f} s from {} ({}; {} pair(s): {}; e.g. {} vs {})\n", k.host,
                       k.offset_s, k.reference_host, k.skewed ? "SKEWED" : "within 1 s", k.pairs,
                       k.basis, Where(k.cause_loc), Where(k.effect_loc));
    }
  }
  if (!s.episodes.empty()) {
    o += "\nEpisodes:\n";
    for (const auto& e : s.episodes) {
      o += fmt::format("  {} .. {}  {} event(s), worst {}, on {}: {}\n", When(e.start, z), When(e.end, z),
                       e.events, timeline::SeverityName(e.worst), fmt::join(e.hosts, ", "),
                       fmt::join(e.tags, ", "));
    }
  }
  if (s.notable_dropped > 0) {
    o += fmt::format("\n({} notable events beyond the story's limit were counted but not kept)\n",
                     s.notable_dropped);
  }
  return o;
}

}  // namespace kiriwake::report
