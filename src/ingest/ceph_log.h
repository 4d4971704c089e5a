// ingest/ceph_log.h: one line of Ceph text -> at most one CephEvent.
// Understands, per line, whichever of these it is (formats: ../shared/reference/ceph-formats.md):
//  * daemon log, Nautilus  `2020-03-15 10:59:32.510 7fc405cf9700  0 <body>`
//    and Octopus+         `2023-03-15T10:59:32.510+0900 7fc405cf9700 -1 <body>` (optional
//    container prefix `debug `); <body> is `log_channel(cluster) log [WRN] : msg` or a dout
//    prefix (`mon.eins@0(leader).osd e1157 `, `osd.0 27 `) and a message;
//  * cluster log `STAMP mon.a (mon.0) 123 : cluster [WRN] msg` (Nautilus space stamp or Octopus+
//    ISO stamp; pre-Nautilus `STAMP mon.a mon.0 IP:port/0 123 : ...`; container `cluster ` prefix);
//  * `ceph -w` lines `STAMP mon.a [WRN] msg`;
//  * `ceph health detail` text: `HEALTH_WARN ...`, `[WRN] CODE: summary` (Octopus+),
//    `CODE summary` (Nautilus), and 4-space-indented detail lines.
// The parser keeps only the file's name and daemon (from `ceph-osd.3.log`), so it streams in
// constant memory. Not thread-safe; one parser per input.
#ifndef KIRIWAKE_INGEST_CEPH_LOG_H_
#define KIRIWAKE_INGEST_CEPH_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/ceph_event.h"

namespace kiriwake::ingest {

// Parses a Ceph timestamp at the start of *s ("2020-03-15 10:59:32.510",
// "2023-03-15T10:59:32.510123+0900", "...Z"), advancing *s past it. Unix ms, the zone applied;
// a stamp without a zone is taken as UTC. nullopt (and *s untouched) if there is none.
std::optional<int64_t> ConsumeCephTime(std::string_view* s);

// Classifies the message part of a log line (after the prefix) or a health-detail line.
// True and fills *e (kind and its fields, not loc/time/daemon) when it is an event we use.
// False otherwise; then, when the message clearly starts as one we use (a slow-heartbeat detail,
// a failure report) but the rest does not parse, *malformed (if given) says what was expected.
bool ClassifyCephMessage(std::string_view msg, CephEvent* e, std::string* malformed = nullptr);

enum class CephLineClass {
  kEvent,         // *event was filled
  kOther,         // a well-formed Ceph line that carries nothing we use
  kContinuation,  // an unprefixed line after a daemon-log line: the rest of a multi-line entry
                  // (monmap and config dumps); counted, not warned about. The cluster log has
                  // no such lines (the mon splits multi-line messages into one entry per line).
  kUnknown,       // not a Ceph line in any form we know: counted and warned about
  kBlank,         // empty or only spaces: recognises nothing
  kMalformed,     // starts as a message we use, but the rest does not parse: malformed() says how
};

class CephLineParser {
 public:
  // `file` is used in locations; a name like "ceph-osd.3.log" gives the default daemon "osd.3".
  explicit CephLineParser(std::string file);

  CephLineClass Parse(std::string_view line, int64_t line_number, CephEvent* event);

  // After kMalformed: what the line looked like and what was not valid in it.
  const std::string& malformed() const { return malformed_; }

  const std::string& file() const { return file_; }
  const std::string& file_daemon() const { return file_daemon_; }

 private:
  std::string file_;
  std::string file_daemon_;
  std::string malformed_;
  bool seen_prefixed_ = false;  // a daemon-log line was seen: later bare lines continue it
};

// "osd.3" -> 3 for "osd.<digits>", else -1.
int CephOsdId(std::string_view name);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_CEPH_LOG_H_
