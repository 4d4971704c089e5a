// Text renderer for `kiriwake timeline` and its --story.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/timeline_render.h"
#include "util/terminal_safe.h"

namespace kiriwake::report {

using timeline::Event;
using timeline::FormatUtc;
using timeline::Story;
using timeline::TimePoint;
using timeline::Zone;

namespace {

// " [10:58:39 +09:00]": the local wall time at UTC offset `off`; writes kLocalBytes at p.
constexpr size_t kLocalBytes = 18;
char* WriteLocal(char* p, int64_t s, int32_t off) {
  int64_t local = s + off;
  int64_t day_s = ((local % 86400) + 86400) % 86400;
  int32_t a = off < 0 ? -off : off;
  auto put2 = [&](int pos, int64_t v) {
    p[pos] = static_cast<char>('0' + v / 10 % 10);
    p[pos + 1] = static_cast<char>('0' + v % 10);
  };
  p[0] = ' ';
  p[1] = '[';
  put2(2, day_s / 3600);
  p[4] = ':';
  put2(5, day_s / 60 % 60);
  p[7] = ':';
  put2(8, day_s % 60);
  p[10] = ' ';
  p[11] = off < 0 ? '-' : '+';
  put2(12, a / 3600);
  p[14] = ':';
  put2(15, a / 60 % 60);
  p[17] = ']';
  return p + kLocalBytes;
}

// No local time column without a display zone or in UTC itself.
bool ShowsLocal(const Zone* z) { return z != nullptr && !(z->fixed() && z->OffsetAt(0) == 0); }

int64_t FloorSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

// " [10:58:39 +09:00]": the local wall time in the display zone; "" without one or in UTC.
std::string Local(TimePoint t, const Zone* z) {
  if (!ShowsLocal(z)) return "";
  char buf[kLocalBytes];
  int64_t s = FloorSeconds(t);
  return std::string(buf, WriteLocal(buf, s, z->OffsetAt(s)));
}

std::string When(TimePoint t, const Zone* z) { return FormatUtc(t) + Local(t, z); }

// Text from the inputs (messages, hosts, tags, file names) goes to a terminal: escaped
// (util/terminal_safe.h) so a log line cannot drive the reader's terminal or forge a line.
std::string Safe(std::string_view s) { return text::TerminalSafe(s); }

std::string Where(const SourceLoc& loc) { return Safe(loc.ToString()); }

std::string DurText(std::chrono::seconds s) {
  int64_t v = s.count();
  std::string sign = v < 0 ? "-" : "";
  if (v < 0) v = -v;
  if (v < 120) return fmt::format("{}{} s", sign, v);
  if (v < 7200) return fmt::format("{}{} min", sign, v / 60);
  return fmt::format("{}{} h {:02} min", sign, v / 3600, v / 60 % 60);
}

}  // namespace

namespace {

char* Write(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Text from the input: controls escaped (util/terminal_safe.h); at most 4 bytes per byte.
char* WriteSafe(char* p, std::string_view s) { return text::WriteTerminalSafe(p, s); }

constexpr size_t kHostWidth = 10, kLayerWidth = 13, kSeverityWidth = 8, kTagWidth = 20;
constexpr size_t kMaxWidth = 20;
constexpr char kSpaces[kMaxWidth + 1] = "                    ";

// fmt's "{:<N}": fmt pads by display width, which for ASCII is the byte count; other text still
// goes through fmt so wide characters keep their columns exactly, after escaping controls
// (util/terminal_safe.h). Writes at most 4 * size + width, and may scribble spaces up to
// kMaxWidth bytes past the end (overwritten by what follows).
char* WritePadded(char* p, std::string_view s, size_t width) {
  if (text::PlainAsciiPrefix(s) != s.size()) {
    if (!text::NeedsTerminalEscape(s)) return fmt::format_to(p, "{:<{}}", s, width);
    return fmt::format_to(p, "{:<{}}", text::TerminalSafe(s), width);
  }
  p = Write(p, s);
  if (s.size() < width) {
    std::memcpy(p, kSpaces, kMaxWidth);  // a fixed-size copy: two stores, no call
    p += width - s.size();
  }
  return p;
}

// "storage       " ("{:<13} "), and the same for severities: each a fixed 16-byte copy. The
// names are at most 13 bytes ("orchestration"), so name, padding and separator fit.
struct Cell {
  char text[16];
  size_t size;  // bytes of text that belong to the line
};
template <typename Enum, size_t N>
std::array<Cell, N> Cells(std::string_view (*name)(Enum), size_t width) {
  std::array<Cell, N> cells{};
  for (size_t i = 0; i < N; ++i) {
    std::string_view n = name(static_cast<Enum>(i));
    Cell& c = cells[i];
    std::memset(c.text, ' ', sizeof c.text);
    std::memcpy(c.text, n.data(), std::min(n.size(), sizeof c.text));
    c.size = std::max(n.size(), width) + 1;
  }
  return cells;
}
constexpr size_t kLayers = static_cast<size_t>(timeline::Layer::kApplication) + 1;
constexpr size_t kSeverities = static_cast<size_t>(timeline::Severity::kCritical) + 1;
const auto kLayerCells = Cells<timeline::Layer, kLayers>(timeline::LayerName, kLayerWidth);
const auto kSeverityCells =
    Cells<timeline::Severity, kSeverities>(timeline::SeverityName, kSeverityWidth);

template <size_t N, typename Enum>
char* WriteCell(char* p, const std::array<Cell, N>& cells, Enum v, std::string_view (*name)(Enum),
                size_t width) {
  auto i = static_cast<size_t>(v);
  if (i >= N || cells[i].size > sizeof cells[i].text) {  // not in the table: format it
    p = WritePadded(p, name(v), width);
    *p++ = ' ';
    return p;
  }
  std::memcpy(p, cells[i].text, sizeof cells[i].text);
  return p + cells[i].size;
}

// Bytes WriteEventLine may write for `ev`: the variable fields (each escaped byte takes 4),
// plus everything fixed, plus WritePadded's and WriteCell's overrun.
size_t MaxLineBytes(const Event& ev) {
  return timeline::UtcFormatter::kMaxBytes + kLocalBytes +
         text::kTerminalSafeMaxExpansion *
             (ev.host.size() + ev.tag.size() + ev.message.size() + ev.loc.file.size()) +
         kHostWidth + kLayerWidth + kSeverityWidth + kTagWidth + 2 * 20 /* line, column */ +
         32 /* separators, "-" */ + 32 /* overrun */;
}

// One event's line at p, in TimelineEventLine's format ("{} {:<10} {:<13} {:<8} {:<20} {}  ({})");
// returns the end. `utc` formats the time; `offset_at` gives the display zone's offset.
template <typename OffsetAt>
char* WriteEventLine(char* p, const Event& ev, timeline::UtcFormatter& utc, bool show_local,
                     OffsetAt offset_at) {
  p = utc.Write(p, ev.time);
  *p++ = ev.time_uncertain ? '~' : ' ';
  if (show_local) {
    int64_t s = FloorSeconds(ev.time);
    p = WriteLocal(p, s, offset_at(s));
  }
  *p++ = ' ';
  *p++ = ' ';
  p = WritePadded(p, ev.host.empty() ? std::string_view("-") : std::string_view(ev.host),
                  kHostWidth);
  *p++ = ' ';
  p = WriteCell(p, kLayerCells, ev.layer, timeline::LayerName, kLayerWidth);
  p = WriteCell(p, kSeverityCells, ev.severity, timeline::SeverityName, kSeverityWidth);
  p = WritePadded(p, ev.tag.empty() ? std::string_view("-") : std::string_view(ev.tag), kTagWidth);
  *p++ = ' ';
  p = WriteSafe(p, ev.message);
  p = Write(p, "  (");
  // SourceLoc::ToString: "file", "file:line" or "file:line:column".
  p = WriteSafe(p, ev.loc.file);
  if (ev.loc.line > 0) {
    *p++ = ':';
    p = std::to_chars(p, p + 20, ev.loc.line).ptr;
    if (ev.loc.column > 0) {
      *p++ = ':';
      p = std::to_chars(p, p + 20, ev.loc.column).ptr;
    }
  }
  *p++ = ')';
  *p++ = '\n';
  return p;
}

// Writes are about this size: large enough that write calls cost nothing per line.
constexpr size_t kFlushBytes = size_t{64} << 10;

}  // namespace

std::string TimelineEventLine(const Event& ev, const Zone* display) {
  std::string out(MaxLineBytes(ev), '\0');
  timeline::UtcFormatter utc;
  char* end = WriteEventLine(out.data(), ev, utc, ShowsLocal(display),
                             [&](int64_t s) { return display->OffsetAt(s); });
  out.resize(static_cast<size_t>(end - out.data()));
  return out;
}

TimelineTextWriter::TimelineTextWriter(std::FILE* out, const Zone* display)
    : out_(out), display_(display), show_local_(ShowsLocal(display)) {}

TimelineTextWriter::~TimelineTextWriter() { Flush(); }

bool TimelineTextWriter::Add(const Event& ev) {
  if (failed_) return false;
  size_t need = MaxLineBytes(ev);
  if (len_ + need > cap_) {
    if (!Flush()) return false;
    if (need > cap_) {  // the first line, or one longer than the buffer (up to 1 MiB each)
      cap_ = std::max(2 * kFlushBytes, need);
      buf_ = std::make_unique<char[]>(cap_);
    }
  }
  char* start = buf_.get() + len_;
  char* end = WriteEventLine(start, ev, utc_, show_local_, [this](int64_t s) {
    // The display zone's offset changes a few times a year: search only on leaving the span.
    if (s < offset_from_ || s >= offset_until_)
      offset_ = display_->OffsetSpan(s, &offset_from_, &offset_until_);
    return offset_;
  });
  len_ += static_cast<size_t>(end - start);
  return len_ < kFlushBytes || Flush();
}

bool TimelineTextWriter::Flush() {
  if (failed_) return false;
  if (len_ > 0 && std::fwrite(buf_.get(), 1, len_, out_) != len_) failed_ = true;
  len_ = 0;
  return !failed_;
}

std::string TimelineSourcesText(const std::vector<std::string>& assumptions) {
  std::string out = "Sources and clocks:\n";
  for (const auto& a : assumptions) out += "  " + Safe(a) + "\n";
  return out;
}

namespace {

std::string SafeJoin(const std::vector<std::string>& v) {
  return Safe(fmt::format("{}", fmt::join(v, ", ")));
}

}  // namespace

std::string TimelineStoryText(const Story& s, const Zone* z) {
  std::string o;
  o += z != nullptr ? fmt::format("Incident story (times UTC; [local {}])\n\n", Safe(z->name()))
                    : "Incident story (times UTC)\n\n";
  if (s.root_cause) {
    const auto& rc = *s.root_cause;
    o += fmt::format("Root cause: {}\n", Safe(rc.summary));
    o += fmt::format("  basis: {}\n", Safe(rc.basis));
    for (const auto& e : rc.evidence) {
      o += fmt::format("  evidence: {} {}: {}  ({})\n", When(e.time, z), Safe(e.host), Safe(e.text),
                       Where(e.loc));
    }
  } else {
    o += "Root cause: none named: no network-loss events and no localization verdict.\n";
  }
  if (s.first_symptom) {
    o += fmt::format("\nFirst symptom: {} {}: {}  ({})\n", When(s.first_symptom->time, z),
                     Safe(s.first_symptom->host), Safe(s.first_symptom->text),
                     Where(s.first_symptom->loc));
  }
  if (!s.effects.empty()) {
    o += "\nEffects, in order:\n";
    int i = 1;
    for (const auto& st : s.effects) {
      o += fmt::format("  {}. {} ({}): {} event(s) on {}, {} .. {}\n", i++, Safe(st.stage),
                       timeline::LayerName(st.layer), st.count, SafeJoin(st.hosts),
                       When(st.first, z), When(st.last, z));
      o += fmt::format("     e.g. {}: {}  ({})\n", Safe(st.example.host), Safe(st.example.text),
                       Where(st.example.loc));
    }
  }
  if (!s.side_chains.empty()) {
    o += "\nSide chains (hardware fault -> reboot):\n";
    for (const auto& c : s.side_chains) {
      o += fmt::format("  on {}:\n", Safe(c.host));
      for (const auto& st : c.steps)
        o += fmt::format("    {} {}  ({})\n", When(st.time, z), Safe(st.text), Where(st.loc));
    }
  }
  if (!s.coincident.empty()) {
    o += "\nCoincident (co-located, not explained by the chain):\n";
    for (const auto& c : s.coincident) {
      o += fmt::format("  - {} on {} at {}: {}  ({})\n", Safe(c.tag), Safe(c.event.host),
                       When(c.event.time, z), Safe(c.event.text), Where(c.event.loc));
      o += fmt::format("    not the cause: {}\n", Safe(c.why_not_cause));
      o += fmt::format("    would link them: {}\n", Safe(c.would_link));
    }
  }
  if (!s.tried.empty()) {
    o += "\nTried:\n";
    for (const auto& t : s.tried) {
      o += fmt::format("  - {} on {} at {}  ({}): {}{}\n", Safe(t.what), SafeJoin(t.hosts),
                       When(t.time, z), Where(t.loc), t.ruled_out ? "ruled out, " : "",
                       Safe(t.outcome));
    }
  }
  if (s.time_to_detect && s.detected) {
    o += fmt::format(
        "\nTime to detect: {} from the first symptom to the first event accusing {} "
        "({} {}: {}  ({}))\n",
        DurText(*s.time_to_detect), s.root_cause ? Safe(s.root_cause->target) : "it",
        When(s.detected->time, z), Safe(s.detected->host), Safe(s.detected->text),
        Where(s.detected->loc));
    if (s.first_hint && s.first_hint->time < s.detected->time) {
      o += fmt::format("  it was named in the logs already at {} ({}: {}  ({}))\n",
                       When(s.first_hint->time, z), Safe(s.first_hint->host),
                       Safe(s.first_hint->text), Where(s.first_hint->loc));
    }
  }
  if (s.resolved) {
    o += fmt::format("\nResolved: {} {}: {}  ({})\n", When(s.resolved->time, z),
                     Safe(s.resolved->host), Safe(s.resolved->text), Where(s.resolved->loc));
  }
  if (!s.skew.empty()) {
    o += "\nClock skew:\n";
    for (const auto& k : s.skew) {
      o += fmt::format("  {} is {:+.1f} s from {} ({}; {} pair(s): {}; e.g. {} vs {})\n",
                       Safe(k.host), k.offset_s, Safe(k.reference_host),
                       k.skewed ? "SKEWED" : "within 1 s", k.pairs, Safe(k.basis),
                       Where(k.cause_loc), Where(k.effect_loc));
    }
  }
  if (!s.episodes.empty()) {
    o += "\nEpisodes:\n";
    for (const auto& e : s.episodes) {
      o += fmt::format("  {} .. {}  {} event(s), worst {}, on {}: {}\n", When(e.start, z),
                       When(e.end, z), e.events, timeline::SeverityName(e.worst), SafeJoin(e.hosts),
                       SafeJoin(e.tags));
    }
  }
  if (s.notable_dropped > 0) {
    o += fmt::format("\n({} notable events beyond the story's limit were counted but not kept)\n",
                     s.notable_dropped);
  }
  return o;
}

}  // namespace kiriwake::report
