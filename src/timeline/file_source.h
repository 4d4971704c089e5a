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
#include "util/prefetch.h"
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
  // The event stays valid and unchanged until the next call: it is unpacked from its window cell
  // into one Event the source keeps for this (or, when too large for a cell, is the overflow
  // pool's Event itself), and the merge reads it in place.
  const Event* Next();
  // Brings in the state the following Next() reads first (the merge calls this for the source it
  // will call next). Touches nothing itself.
  void PrefetchState() const {
    const char* from = reinterpret_cast<const char*>(&run_);
    PrefetchLines(from, static_cast<size_t>(reinterpret_cast<const char*>(&out_ + 1) - from));
  }
  // Where the event the following Next() most likely returns is stored (its cell), and how many
  // bytes of it that call reads: the merge knows which source it will call next, and prefetches
  // this just before. nullptr when unknown.
  const void* next_storage() const { return next_storage_; }
  uint32_t next_storage_bytes() const { return next_storage_bytes_; }
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
  void Commit(Event* ev);  // stamps a parsed event and queues it in the window
  void Finish();
  // Records where the next event is stored (next_storage_) for the merge to prefetch just before
  // the next call; prefetches only an overflow event's strings, whose addresses need its struct.
  void NoteNextStorage();
  bool ParseAhead();     // parses up to kParseBatch lines into pend_; false at the end
  void Admit();          // moves the next line's keys from pend_ into the window
  static constexpr size_t kParseBatch = 32;

  // The reorder window keeps each event packed into one 256-byte cell: its fixed fields, then
  // host, tag, message, time note, raw line, subjects and components back to back. With many
  // files an event is emitted tens of thousands of events after it was parsed, long after it left
  // the cache; a cell is read back in four cache lines at most, where an Event in the window was
  // five lines of struct plus its strings' separate buffers. Events too large for a cell (or with
  // a column) keep their whole Event in `overflow_`. Next() unpacks a cell into `out_`.
  static constexpr size_t kCellBytes = 256;
  struct alignas(64) Cell {
    TimePoint time;
    int64_t line;
    uint16_t host_len, tag_len, message_len, note_len, raw_len;
    uint8_t subjects, components;  // counts; each item is a length byte and its bytes
    uint8_t source, layer, severity;
    uint8_t flags;  // kUncertain | kOperatorAction
    char bytes[kCellBytes - 32];
  };
  static_assert(sizeof(Cell) == kCellBytes);
  static constexpr uint8_t kUncertain = 1, kOperatorAction = 2;
  // A key's slot: a cell index, or kOverflowBit | an index into overflow_.
  static constexpr uint32_t kOverflowBit = 0x80000000u;
  // Packs ev into a cell (*bytes: how much of it is used), or moves it into overflow_.
  uint32_t Store(Event* ev, uint16_t* bytes);
  static size_t Pack(const Event& ev, Cell* c);  // bytes of the cell used; 0 when it does not fit
  void Unpack(const Cell& c, uint64_t seq, Event* e) const;

  // The window holds small keys over the stored events, so ordering moves 24 bytes. Keys that
  // arrive in order (nearly all, in a log) queue in `run_` at O(1); only a key earlier than the
  // run's last goes to the heap. The next event is the smaller of the run's front and the heap's
  // top: the same order a single heap gives, without its log n per line.
  //
  // What Next() touches for every event it hands out, first and together: with many files a
  // source is called again only after the merge has passed an event of every other file, by when
  // this state has left the cache, and the merge prefetches these lines (PrefetchState) just
  // before the call. The parsing state below is touched once per batch of lines.
  struct Key {
    TimePoint time;
    uint64_t seq;
    uint32_t slot;
    uint16_t bytes;  // of the cell in use, for the prefetch
    bool line_end;  // the last key of its line: a line's keys enter the window together
  };
  struct Later {
    bool operator()(const Key& a, const Key& b) const {
      return a.time != b.time ? b.time < a.time : b.seq < a.seq;
    }
  };
  // A ring of keys in (time, seq) order: run_[(run_head_ + i) & (run_.size() - 1)], i < run_size_.
  alignas(64) std::vector<Key> run_;
  size_t run_head_ = 0, run_size_ = 0;
  std::vector<Key> heap_;
  // Keys of lines parsed ahead, in line order, not yet in the window: pend_[(pend_head_ + i) &
  // (pend_.size() - 1)], i < pend_size_. Lines are parsed kParseBatch at a time; keys enter the
  // window line by line exactly as if each line were read when it is admitted.
  std::vector<Key> pend_;
  size_t pend_head_ = 0, pend_size_ = 0;
  std::vector<Cell> cells_;
  std::vector<uint32_t> free_cells_;  // LIFO: the cell just emitted is refilled while it is warm
  size_t window_ = 256;                // opt_.reorder_window
  SourceKind kind_ = SourceKind::kRaw;
  // The overflow event Next() last handed out: freed on the next call, not before, so the
  // caller's pointer stays valid. kNoSlot when none is held.
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  uint32_t held_overflow_ = kNoSlot;
  uint32_t next_storage_bytes_ = 0;
  bool eof_ = false;
  bool whole_held_ = false;  // whole_.front() was handed out
  const void* next_storage_ = nullptr;
  uint64_t events_ = 0, disorder_ = 0;
  TimePoint last_emitted_{};
  Event out_;  // the event Next() last unpacked and handed out
  // End of the state Next() touches per event.

  std::unique_ptr<ingest::LineReader> reader_;
  FileSourceOptions opt_;
  std::string name_;
  const LineFormat* format_ = nullptr;
  LineContext ctx_;
  std::deque<std::pair<std::string, int64_t>> pending_;  // lines read while detecting
  std::string current_;  // the pending line being processed
  std::deque<Event> whole_;  // kubectl: the whole document's events
  Event scratch_;  // the line being parsed (hot: every line is parsed here, then packed)
  std::deque<Event> overflow_;        // a deque: handed-out pointers stay valid as it grows
  std::vector<uint32_t> free_overflow_;
  bool finished_ = false;
  uint64_t seq_ = 0;
  TimePoint last_time_{};
  bool have_time_ = false;
  std::optional<int> first_year_;
  std::string year_note_;
  Status status_;
  Status unrecognized_;
  std::vector<Diagnostic> warnings_;
  uint64_t raw_lines_ = 0, malformed_lines_ = 0, uncertain_ = 0;
  int64_t first_raw_line_ = 0;
  // Lines longer than LineReader::kMaxLineBytes, kept cut: said in a warning, never silently.
  uint64_t cut_lines_ = 0;
  int64_t first_cut_line_ = 0;
  // The last line when it had no '\n' at the end of input (a file cut mid-line); 0 otherwise.
  int64_t unterminated_line_ = 0;
  void NoteIfCut();
};

// Host named by a file's path: the basename's first word when it holds a digit ("esxi2-vmkernel.log"
// -> "esxi2", "k8s1.syslog" -> "k8s1"), else the parent folder's name when it holds one, else "".
std::string HostFromPath(const std::string& path);

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_FILE_SOURCE_H_
