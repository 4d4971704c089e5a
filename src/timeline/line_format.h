// timeline/line_format.h: the contract every timeline source format implements. A format is a
// pure function from one line (plus a small per-file LineContext) to an Event, so detection can
// try every format on a file's first lines and the FileSource (timeline/file_source.h) owns all
// I/O. Each format lives in its own .cc (syslog_format.cc, esxi_format.cc, ...). Not thread-safe
// per context; formats themselves hold no state.
#ifndef KIRIWAKE_TIMELINE_LINE_FORMAT_H_
#define KIRIWAKE_TIMELINE_LINE_FORMAT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "timeline/event.h"
#include "timeline/zone.h"

namespace kiriwake::timeline {

// State a format may keep between lines of one file, and what the file tells the formats.
struct LineContext {
  const Zone* zone = nullptr;  // for timestamps written in local time without an offset
  int assumed_year = 0;        // for RFC 3164 syslog and IPMI-less formats without a year
  std::string file_host;       // host named by the file's name or folder, for formats without one
  // RFC 3164: month of the previous line, to step the year across a December -> January rollover.
  int last_month = 0;
  int year_bump = 0;
  bool used_assumed_year = false;
  // ESXi: the last "VMware ESXi X.Y.Z build-N" seen, to tag an upgrade when it changes.
  std::string esxi_version;
  // iLO IML: fields of the record being read ("Severity", "Class", "Last Update", ...).
  std::map<std::string, std::string, std::less<>> block;
  // ping -D: target and the last icmp_seq, to report gaps (Linux ping prints nothing for a loss).
  std::string ping_target;
  int64_t ping_last_seq = -1;
  TimePoint ping_last_time{};
  // Events a line produced besides its own (ping gaps), emitted before it in file order.
  std::vector<Event> extra;

  // Local wall time -> UTC through `zone`; *ambiguous when in a DST fold or gap.
  TimePoint FromLocal(const Civil& c, bool* ambiguous = nullptr);
  LocalToUtcCache local_to_utc;  // FromLocal's: most lines share their neighbours' offset
};

enum class LineMatch {
  kNo,         // not this format's line (a continuation, or another format)
  kYes,        // parsed into *ev
  kConsumed,   // this format's line, folded into a later event (an iLO IML record's fields)
  kMalformed,  // this format's shape but broken (bad date...): *why says what was expected
};

using LineParseFn = LineMatch (*)(std::string_view line, LineContext& ctx, Event* ev,
                                  std::string* why);

struct LineFormat {
  SourceKind kind;
  LineParseFn parse;
  Layer default_layer;  // for the file's raw lines
};

// Every line-oriented format, in detection priority order (kubectl's JSON document is not one:
// FileSource reads it whole).
const std::vector<LineFormat>& LineFormats();
const LineFormat* FindLineFormat(SourceKind kind);

// The per-format parse functions, for tests and fuzzing.
LineMatch ParseSyslogLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseSyslog5424Line(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseJournalJsonLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseJournalShortIsoLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseDmesgLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseEsxiLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseIpmiSelLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseIloImlLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseContainerLogLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParsePostgresLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParsePingLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseFpingLine(std::string_view, LineContext&, Event*, std::string*);
LineMatch ParseCephLine(std::string_view, LineContext&, Event*, std::string*);

// kubectl get events -o json: the whole document -> events sorted by time. Malformed on bad JSON
// (with line:column) or a document that is not an event list. An item that is not an object, or
// whose times are all unreadable, is left out with a warning naming it in *warnings (when given);
// an unreadable time another field stands in for is warned about too.
Result<std::vector<Event>> ParseKubeEventsDocument(std::string_view doc, const std::string& file,
                                                   std::vector<Diagnostic>* warnings = nullptr);

// --- shared helpers (parse_util.cc) ---
// "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+hh:mm|+hhmm]" at the start of *s; advances past it.
// *has_offset tells whether a zone was written; *offset_s is then its offset.
bool ConsumeIsoTimestamp(std::string_view* s, Civil* c, bool* has_offset, int32_t* offset_s,
                         bool allow_space_sep);
bool ParseMonthAbbrev(std::string_view s, int* month);  // "Jan".."Dec"
TimePoint FromUtcCivil(const Civil& c, int32_t offset_s = 0);
// "[1584237572.123456]" -> time; advances past "] ".
bool ConsumeEpochBracket(std::string_view* s, TimePoint* t);
// Fills tag, layer, severity (raising only), subjects (unless `subjects` is false) and
// operator_action from the message words, where the format did not set them. Keyword rules and
// their sources are in classify.cc.
void Classify(Event* ev, bool subjects = true);
// The keyword rule Classify applies to a message: the index of the first rule, in rule order,
// whose words occur anywhere in it; -1 for none. A vector scan where the CPU has one (SSSE3);
// the scalar scan is kept for other CPUs and to check the vector scan against.
int KeywordRuleIndex(std::string_view message);
int KeywordRuleIndexScalar(std::string_view message);
// `s` as valid UTF-8: a copy when it already is (the common, ASCII case, checked fast), else
// with invalid bytes replaced by U+FFFD (util/text.h's ToValidUtf8).
std::string Utf8(std::string_view s);
// *out = Utf8(s), reusing out's storage: parsers fill a reused Event, so once warm no line
// allocates.
void AssignUtf8(std::string* out, std::string_view s);
// *out = Utf8(a + sep + b) ("prog: message"), built in place without a temporary.
void AssignUtf8(std::string* out, std::string_view a, std::string_view sep, std::string_view b);
// Up to `max` first words of `s` split like text::SplitWords (runs of spaces and tabs) into
// out[0..max); returns how many. No vector: it runs on every line.
size_t FirstWords(std::string_view s, std::string_view* out, size_t max);
// IPv4 addresses, "osd.N" (also libceph's "osdN"), "vmnicN" in text.
void ExtractSubjects(std::string_view text, std::vector<std::string>* out);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_LINE_FORMAT_H_
