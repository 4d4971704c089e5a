// timeline/event.h: one thing that happened, as read from one line of one log, on the UTC clock.
// Every timeline source (syslog, journald, kernel, ESXi, IPMI SEL / iLO IML, kubectl events,
// PostgreSQL, ping/fping -D, Ceph) turns lines into Events; the merge orders them, the story
// (timeline/story.h) chains them. An Event owns its strings; value type, not synchronised.
#ifndef KIRIWAKE_TIMELINE_EVENT_H_
#define KIRIWAKE_TIMELINE_EVENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kiriwake::timeline {

// Microseconds since the Unix epoch, UTC. Sources give at most microseconds (ping -D, journald).
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

// Persisted in --json as lowercase strings: DO NOT rename without bumping the schema.
enum class Layer { kHardware, kHypervisor, kNetwork, kStorage, kOrchestration, kApplication };
enum class Severity { kDebug, kInfo, kNotice, kWarning, kError, kCritical };
enum class SourceKind {
  kSyslog,          // RFC 3164 "Mar 15 10:59:32 host prog[pid]: msg" (no year, local time)
  kSyslog5424,      // RFC 5424 "<34>1 2020-03-15T10:59:32.003+09:00 host app pid msgid - msg"
  kJournalJson,     // journalctl -o json (one object per line)
  kJournalShortIso, // journalctl -o short-iso "2020-03-15T10:59:32+0900 host prog[pid]: msg"
  kDmesg,           // dmesg -T "[Sun Mar 15 10:59:32 2020] msg"
  kEsxi,            // vmkernel.log / vobd.log / hostd.log / fdm.log "2020-03-15T01:02:03.456Z ..."
  kIpmiSel,         // ipmitool sel elist "1 | 03/15/2020 | 02:10:45 | Memory #0x01 | ... | Asserted"
  kIloIml,          // HPE iLO Integrated Management Log export (key: value blocks)
  kKubeEvents,      // kubectl get events -o json
  kContainerLog,    // kubectl logs --timestamps "2020-03-14T21:30:01.123456789Z msg"
  kPostgres,        // "2020-03-15 06:30:12.345 JST [123] LOG:  msg"
  kPing,            // iputils ping -D "[1584237572.123456] 64 bytes from ...: icmp_seq=1 ..."
  kFping,           // fping -D "[1584237572.12345] host : [0], 84 bytes, 0.53 ms (...)"
  kCeph,            // Ceph daemon log (Nautilus) and cluster log
  kRaw,             // a file in no known format: every line kept as a raw event
};

std::string_view LayerName(Layer l);
std::string_view SeverityName(Severity s);
std::string_view SourceKindName(SourceKind k);
std::optional<Severity> ParseSeverityName(std::string_view s);

// Fields are ordered by use: what the merge and the text output read for every event comes
// first, so an event read back from a cold reorder window costs three cache lines, not six.
struct Event {
  TimePoint time{};
  uint64_t seq = 0;         // position in its file, for stable ordering of equal times
  uint32_t file_index = 0;  // which input, for stable ordering of equal times
  SourceKind source = SourceKind::kRaw;
  Layer layer = Layer::kApplication;
  Severity severity = Severity::kInfo;
  // True when the time is not the line's own full timestamp: inherited from the previous event
  // (an unknown or continuation line), or the year was inferred. `time_note` says which.
  bool time_uncertain = false;
  bool operator_action = false;  // a change a person made (swapoff, vSwitch move, upgrade)
  std::string host;              // the machine whose clock and log this is ("" when unknown)
  // What kind of happening this is, for the story: "dimm_failure", "nic_link_down", "ceph_slow_ops",
  // "probe_lost", ... ("" for an ordinary line, "raw" for a line in no known format). Listed in
  // docs/json.md; persisted in --json.
  std::string tag;
  std::string message;  // the line's message part, valid UTF-8
  SourceLoc loc;        // file:line
  std::string time_note;
  // Things the line names that the topology may know: IPv4 addresses, "osd.3", "vmnic2", "dimm:..".
  std::vector<std::string> subjects;
  // Topology component ids the subjects map to (ComponentMap), e.g. "vm:ceph4", "host:esxi2".
  std::vector<std::string> components;
  std::string raw;  // the whole line, valid UTF-8
};

// Merge order: time, then input order, then file order.
inline bool EventBefore(const Event& a, const Event& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.file_index != b.file_index) return a.file_index < b.file_index;
  return a.seq < b.seq;
}

// "2020-03-15T01:58:39.035Z" (milliseconds; microseconds when not whole ms).
std::string FormatUtc(TimePoint t);

// FormatUtc for a stream of times, such as every event printed: it keeps the last day's date
// part, so times on the same day as the one before skip the calendar arithmetic. Not
// thread-safe; one per stream.
class UtcFormatter {
 public:
  static constexpr size_t kMaxBytes = 27;  // "YYYY-MM-DDTHH:MM:SS.ffffffZ"
  // Writes FormatUtc(t) at p (at most kMaxBytes) and returns the end.
  char* Write(char* p, TimePoint t);

 private:
  int64_t day_ = INT64_MIN;  // days since the epoch of date_; none yet
  char date_[11] = {};       // "YYYY-MM-DDT"
};
// The same instant shown at a fixed UTC offset: "2020-03-15 10:58:39.035 +09:00".
std::string FormatAtOffset(TimePoint t, int32_t offset_s);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_EVENT_H_
