// timeline/file_source.h: one input file as a stream of Events in (nearly) time order. It detects
// the file's format from its first lines (every LineFormat is tried; the one that reads the most
// wins), reads through ingest::LineReader (gz/xz/UTF-16/CP932), keeps every line (unknown and
// malformed ones become raw events that inherit the previous event's time, marked uncertain),
// and sorts small local disorder with a bounded reorder window. Memory: the window plus the
// detection lines, whatever the file size (kubectl's JSON document is the exception: read whole).
// Not thread-safe; one FileSource per input.
#ifndef KIRIWAKE_TIMELINE_FILE_SOURCE_H_
#define KIRIWAKE_TIMELINE_FILE_SOURCE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "ingest/line_reader.h"
#include "timeline/component_map.h"
#include "timeline/event.h"
#include "timeline/line_format.h"
#include "timeline/zone.h"
#include "util/result.h"

namespace kiriwake::timeline {

struct FileSourceOptions {
  uint32_t file_index = 0;
  const Zone* zone = nullptr;  // for local timestamps; must outlive the source. nullptr = UTC
  std::string zone_origin;     // why this zone: "--tz", "--tz FILE=ZONE", "hints", "machine zone"
  std::string host;            // overrides the host derived from the file's name or folder
  const ComponentMap* map = nullptr;
  // Events held back to sort local disorder (threads writing one log, ping gap events). 256 lines
  // covers the interleaving of a busy multi-threaded daemon; more only costs memory per file.
  size_t reorder_window = 256;
  size_t max_warnings = 20;
  // Keep each event's whole raw line (JSON output needs it; text output and the story do not).
  bool keep_raw = true;  // per file; the rest are counted in one summary line
  // Extract the subjects (addresses, osd.N, vmnicN) named in each message, and the components
  // they map to. The story and JSON need them; the text event list prints neither, and the scan
  // is a tenth of its cost. Subjects a format reads from its own fields are kept regardless.
  bool keep_subjects = true;
};

class FileSource {
 public:
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path, FileSourceOptions opt);
  static Result<std::unique_ptr<FileSource>> FromReader(std::unique_ptr<ingest::LineReader> reader,
                                                        FileSourceOptions opt);
  ~FileSource();

  SourceKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  const std::string& host() const { return ctx_.file_host; }
  // RFC 3164 syslog has no year; the caller sets one (SetAssumedYear) before the first Next().
  bool needs_year() const { return kind_ == SourceKind::kSyslog; }
  // Year (UTC) of the first dated event, for inferring other files' missing years.
  std::optional<int> first_year() const { return first_year_; }
  void SetAssumedYear(int year, std::string why);

  // Next event in time order (within the reorder window); nullptr at the end or on a read error.
  // The event lives in the source's pool and stays valid and unchanged until the next call: the
  // merge reads it in place, so no event is copied or swapped between pool and caller.
  const Event* Next();
  // The same, copied into *ev (tests, the fuzzer); false at the end.
  bool Next(Event* ev);

  const Status& status() const { return status_; }
  // kUnrecognized when no format read any of the first lines (kind() is then kRaw).
  const Status& unrecognized() const { return unrecognized_; }
  // Recoverable findings: malformed lines (file:line), raw-line and disorder summaries. The
  // summaries are added when the end is reached.
  const std::vector<Diagnostic>& warnings() const { return warnings_; }
  // The clock statement for this file: zone and its origin, year inference, uncertainty counts.
  std::string Assumption() const;

  uint64_t events() const { return events_; }
  uint64_t raw_lines() const { return raw_lines_; }
  uint64_t malformed_lines() const { return malformed_lines_; }
  uint64_t uncertain_events() const { return uncertain_; }
  uint64_t disorder_beyond_window() const { return disorder_; }

 private:
  FileSource() = default;
  Status Detect();
  bool ReadLine(std::string_view* line, int64_t* number);
  void ProcessLine(std::string_view line, int64_t number);
  uint32_t Acquire();          // a cleared slot
  void Commit(uint32_t slot);  // stamps and queues a filled slot
  void Finish();
  void PrefetchAhead() const;  // brings the next queued events back into the cache

  // The reorder window holds small keys over a pool of events, so ordering moves 24 bytes, not
  // whole Events. Keys that arrive in order (nearly all, in a log) queue in `run_` at O(1); only a
  // key earlier than the run's last goes to the heap. The next event is the smaller of the run's
  // front and the heap's top: the same order a single heap gives, without its log n per line.
  struct Key {
    TimePoint time;
    uint64_t seq;
    uint32_t slot;
  };
  struct Later {
    bool operator()(const Key& a, const Key& b) const {
      return a.time != b.time ? b.time < a.time : b.seq < a.seq;
    }
  };

  std::unique_ptr<ingest::LineReader> reader_;
  FileSourceOptions opt_;
  std::string name_;
  SourceKind kind_ = SourceKind::kRaw;
  const LineFormat* format_ = nullptr;
  LineContext ctx_;
  std::deque<std::pair<std::string, int64_t>> pending_;  // lines read while detecting
  std::string current_;  // the pending line being processed
  std::deque<Event> whole_;  // kubectl: the whole document's events
  std::deque<Event> slots_;  // a deque: references stay valid as it grows
  std::vector<uint32_t> free_;
  // The slot Next() last handed out: returned to free_ on the next call, not before, so the
  // caller's pointer stays valid. kNoSlot when none is held.
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  uint32_t held_ = kNoSlot;
  bool whole_held_ = false;  // whole_.front() was handed out
  std::vector<Key> heap_;
  // A ring of keys in (time, seq) order: run_[(run_head_ + i) & (run_.size() - 1)], i < run_size_.
  std::vector<Key> run_;
  size_t run_head_ = 0, run_size_ = 0;
  bool eof_ = false;
  bool finished_ = false;
  uint64_t seq_ = 0;
  TimePoint last_time_{};
  bool have_time_ = false;
  TimePoint last_emitted_{};
  std::optional<int> first_year_;
  std::string year_note_;
  Status status_;
  Status unrecognized_;
  std::vector<Diagnostic> warnings_;
  uint64_t events_ = 0, raw_lines_ = 0, malformed_lines_ = 0, uncertain_ = 0, disorder_ = 0;
  int64_t first_raw_line_ = 0;
  // Lines longer than LineReader::kMaxLineBytes, kept cut: said in a warning, never silently.
  uint64_t cut_lines_ = 0;
  int64_t first_cut_line_ = 0;
  void NoteIfCut();
};

// Host named by a file's path: the basename's first word when it holds a digit ("esxi2-vmkernel.log"
// -> "esxi2", "k8s1.syslog" -> "k8s1"), else the parent folder's name when it holds one, else "".
std::string HostFromPath(const std::string& path);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_FILE_SOURCE_H_
