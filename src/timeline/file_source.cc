#include "timeline/file_source.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "util/text.h"

namespace kiriwake::timeline {

namespace {
// Lines read to detect a format: enough to get past a header or a few continuation lines,
// small enough to keep the cost flat.
constexpr size_t kDetectLines = 48;
// A kubectl events document larger than this is refused rather than read whole into memory.
constexpr size_t kMaxDocumentBytes = size_t{512} << 20;

bool HasDigit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return text::IsDigit(c); });
}
}  // namespace

std::string HostFromPath(const std::string& path) {
  std::filesystem::path p(path);
  std::string base = p.filename().string();
  size_t cut = base.find_first_of("-._");
  std::string first = base.substr(0, cut);
  if (!first.empty() && HasDigit(first) && !text::IsDigit(first[0])) return first;
  std::string parent = p.parent_path().filename().string();
  if (!parent.empty() && HasDigit(parent) && !text::IsDigit(parent[0])) return parent;
  return "";
}

FileSource::~FileSource() = default;

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path,
                                                     FileSourceOptions opt) {
  KW_ASSIGN_OR_RETURN(auto reader, ingest::LineReader::Open(path));
  if (opt.host.empty()) opt.host = HostFromPath(path);
  return FromReader(std::move(reader), std::move(opt));
}

Result<std::unique_ptr<FileSource>> FileSource::FromReader(
    std::unique_ptr<ingest::LineReader> reader, FileSourceOptions opt) {
  std::unique_ptr<FileSource> s(new FileSource());
  s->name_ = reader->name();
  s->reader_ = std::move(reader);
  s->opt_ = std::move(opt);
  s->ctx_.zone = s->opt_.zone;
  s->ctx_.file_host = s->opt_.host;
  s->out_.file_index = s->opt_.file_index;
  s->window_ = s->opt_.reorder_window;
  s->out_.loc.file = s->name_;
  KW_RETURN_IF_ERROR(s->Detect());
  return s;
}

bool FileSource::ReadLine(std::string_view* line, int64_t* number) {
  if (!pending_.empty()) {
    current_ = std::move(pending_.front().first);
    *number = pending_.front().second;
    pending_.pop_front();
    *line = current_;
    return true;
  }
  // Straight from the reader's buffer: valid until the next read, and ProcessLine copies what
  // it keeps.
  if (eof_ || !reader_->Next(line)) {
    eof_ = true;
    return false;
  }
  *number = reader_->line_number();
  NoteIfCut();
  return true;
}

void FileSource::NoteIfCut() {
  if (reader_->last_line_unterminated()) unterminated_line_ = reader_->line_number();
  if (!reader_->last_line_truncated()) return;
  if (cut_lines_++ == 0) first_cut_line_ = reader_->line_number();
}

Status FileSource::Detect() {
  std::string_view v;
  size_t nonempty = 0;
  while (nonempty < kDetectLines && reader_->Next(&v)) {
    pending_.emplace_back(std::string(v), reader_->line_number());
    NoteIfCut();
    if (!text::Trim(v).empty()) ++nonempty;
  }
  if (!reader_->status().ok()) return reader_->status();
  if (reader_->saw_nul()) {
    return Status::At(StatusCode::kUnrecognized, SourceLoc{name_, 0, 0},
                      "binary data (a NUL byte): not a log file");
  }
  // kubectl get events -o json: a pretty-printed document starting "{" / "[" or one line.
  std::string_view first;
  for (const auto& [l, n] : pending_) {
    if (!text::Trim(l).empty()) {
      first = text::Trim(l);
      break;
    }
  }
  bool looks_doc = first == "{" || first == "[" ||
                   (first.starts_with("{\"apiVersion\"") &&
                    first.find("__REALTIME_TIMESTAMP") == std::string_view::npos);
  if (looks_doc) {
    std::string doc;
    for (const auto& [l, n] : pending_) {
      doc += l;
      doc += '\n';
    }
    pending_.clear();
    while (reader_->Next(&v)) {
      doc.append(v);
      doc += '\n';
      if (doc.size() > kMaxDocumentBytes) {
        return Status::At(StatusCode::kMalformed, SourceLoc{name_, reader_->line_number(), 0},
                          "JSON document larger than 512 MiB: split it (kubectl get events per "
                          "namespace)");
      }
    }
    if (!reader_->status().ok()) return reader_->status();
    eof_ = true;
    std::vector<Diagnostic> item_warnings;
    auto events = ParseKubeEventsDocument(doc, name_, &item_warnings);
    if (!events.ok()) return events.status();
    for (auto& w : item_warnings) {
      if (warnings_.size() < opt_.max_warnings) warnings_.push_back(std::move(w));
    }
    if (item_warnings.size() > opt_.max_warnings) {
      warnings_.push_back(
          Diagnostic{SourceLoc{name_, 0, 0},
                     fmt::format("{} warnings about kubectl items in all (the first {} above)",
                                 item_warnings.size(), opt_.max_warnings)});
    }
    kind_ = SourceKind::kKubeEvents;
    for (auto& e : *events) {
      e.file_index = opt_.file_index;
      e.loc.file = name_;
      if (opt_.map != nullptr) {
        for (const auto& s : e.subjects) {
          for (auto& id : opt_.map->Resolve(s.starts_with("pod:") ? s.substr(s.rfind('/') + 1) : s))
            if (std::find(e.components.begin(), e.components.end(), id) == e.components.end())
              e.components.push_back(id);
        }
      }
      if (!first_year_ && !e.time_uncertain) first_year_ = EpochSecondsToCivil(
          std::chrono::duration_cast<std::chrono::seconds>(e.time.time_since_epoch()).count()).year;
      whole_.push_back(std::move(e));
    }
    return Status::Ok();
  }
  // Try every line format on the first lines; the one that reads the most wins.
  size_t best = 0;
  for (const auto& f : LineFormats()) {
    LineContext scratch;
    scratch.zone = ctx_.zone;
    scratch.assumed_year = 2000;
    size_t score = 0;
    std::optional<int> year;
    for (const auto& [l, n] : pending_) {
      if (text::Trim(l).empty()) continue;
      Event e;
      std::string why;
      LineMatch m = f.parse(l, scratch, &e, &why);
      scratch.extra.clear();
      if (m == LineMatch::kYes || m == LineMatch::kConsumed) ++score;
      if (m == LineMatch::kYes && !year && !e.time_uncertain) {
        year = EpochSecondsToCivil(
            std::chrono::duration_cast<std::chrono::seconds>(e.time.time_since_epoch()).count()).year;
      }
    }
    if (score > best) {
      best = score;
      format_ = &f;
      kind_ = f.kind;
      first_year_ = f.kind == SourceKind::kSyslog ? std::nullopt : year;
    }
  }
  if (format_ == nullptr) {
    if (nonempty == 0) {
      // No events and nothing wrong to report, but an input that gave nothing (a log rotated
      // away, a collection that failed) must not pass unseen.
      warnings_.push_back(
          Diagnostic{SourceLoc{name_, 0, 0}, pending_.empty() ? "empty input: no lines in the file"
                                                              : "empty input: only blank lines"});
      return Status::Ok();
    }
    // Kept, never dropped: every line becomes a raw event; the caller reports the file as
    // unrecognised (exit 2) since nothing in it could be put on the clock.
    unrecognized_ = Status::At(
        StatusCode::kUnrecognized, SourceLoc{name_, pending_.front().second, 0},
        fmt::format("not a log format kiriwake timeline knows (saw \"{}\"); its lines are kept "
                    "as raw events without time",
                    EscapeForMessage(first)));
  }
  return Status::Ok();
}

void FileSource::SetAssumedYear(int year, std::string why) {
  ctx_.assumed_year = year;
  year_note_ = std::move(why);
}

namespace {
// Clears an event for reuse, keeping its strings' and vectors' capacity: in the steady state a
// FileSource allocates nothing per line.
void ResetEvent(Event* e) {
  e->time = TimePoint{};
  e->time_uncertain = false;
  e->time_note.clear();
  e->host.clear();
  e->source = SourceKind::kRaw;
  e->layer = Layer::kApplication;
  e->severity = Severity::kInfo;
  e->tag.clear();
  e->subjects.clear();
  e->components.clear();
  e->operator_action = false;
  e->message.clear();
  e->raw.clear();
  e->loc.line = 0;
  e->loc.column = 0;
  e->file_index = 0;
  e->seq = 0;
}
}  // namespace

size_t FileSource::Pack(const Event& ev, Cell* c) {
  if (ev.loc.column != 0) return 0;
  size_t need = ev.host.size() + ev.tag.size() + ev.message.size() + ev.time_note.size() +
                ev.raw.size();
  if (need > sizeof c->bytes || ev.subjects.size() > 255 || ev.components.size() > 255)
    return 0;
  for (const auto* list : {&ev.subjects, &ev.components}) {
    for (const auto& item : *list) {
      if (item.size() > 255) return 0;
      need += 1 + item.size();
    }
  }
  if (need > sizeof c->bytes) return 0;
  c->time = ev.time;
  c->line = ev.loc.line;
  c->host_len = static_cast<uint16_t>(ev.host.size());
  c->tag_len = static_cast<uint16_t>(ev.tag.size());
  c->message_len = static_cast<uint16_t>(ev.message.size());
  c->note_len = static_cast<uint16_t>(ev.time_note.size());
  c->raw_len = static_cast<uint16_t>(ev.raw.size());
  c->subjects = static_cast<uint8_t>(ev.subjects.size());
  c->components = static_cast<uint8_t>(ev.components.size());
  c->source = static_cast<uint8_t>(ev.source);
  c->layer = static_cast<uint8_t>(ev.layer);
  c->severity = static_cast<uint8_t>(ev.severity);
  c->flags = static_cast<uint8_t>((ev.time_uncertain ? kUncertain : 0) |
                                  (ev.operator_action ? kOperatorAction : 0));
  char* p = c->bytes;
  for (const std::string* f : {&ev.host, &ev.tag, &ev.message, &ev.time_note, &ev.raw}) {
    std::memcpy(p, f->data(), f->size());
    p += f->size();
  }
  for (const auto* list : {&ev.subjects, &ev.components}) {
    for (const auto& item : *list) {
      *p++ = static_cast<char>(item.size());
      std::memcpy(p, item.data(), item.size());
      p += item.size();
    }
  }
  return static_cast<size_t>(p - reinterpret_cast<char*>(c));
}

void FileSource::Unpack(const Cell& c, uint64_t seq, Event* e) const {
  // file_index, loc.file and loc.column were set once: every cell shares them.
  e->time = c.time;
  e->seq = seq;
  e->loc.line = c.line;
  e->source = static_cast<SourceKind>(c.source);
  e->layer = static_cast<Layer>(c.layer);
  e->severity = static_cast<Severity>(c.severity);
  e->time_uncertain = (c.flags & kUncertain) != 0;
  e->operator_action = (c.flags & kOperatorAction) != 0;
  const char* p = c.bytes;
  auto take = [&p](std::string* s, size_t n) {
    s->assign(p, n);
    p += n;
  };
  take(&e->host, c.host_len);
  take(&e->tag, c.tag_len);
  take(&e->message, c.message_len);
  take(&e->time_note, c.note_len);
  take(&e->raw, c.raw_len);
  auto take_list = [&](std::vector<std::string>* list, size_t count) {
    list->resize(count);
    for (auto& item : *list) take(&item, static_cast<unsigned char>(*p++));
  };
  take_list(&e->subjects, c.subjects);
  take_list(&e->components, c.components);
}

namespace {
// A free slot of `pool` (most recently freed first), or a new one at its end.
template <typename Pool>
uint32_t TakeSlot(Pool* pool, std::vector<uint32_t>* free) {
  if (free->empty()) {
    pool->emplace_back();
    return static_cast<uint32_t>(pool->size() - 1);
  }
  uint32_t slot = free->back();
  free->pop_back();
  return slot;
}
}  // namespace

uint32_t FileSource::Store(Event* ev, uint16_t* bytes) {
  uint32_t cell = TakeSlot(&cells_, &free_cells_);
  if (size_t n = Pack(*ev, &cells_[cell])) {
    *bytes = static_cast<uint16_t>(n);
    return cell;
  }
  free_cells_.push_back(cell);
  if (ev->loc.file != name_) ev->loc.file = name_;  // a cell's file is implied; an Event's is not
  uint32_t x = TakeSlot(&overflow_, &free_overflow_);
  std::swap(overflow_[x], *ev);  // keeps the pool event's capacity for the next parse
  return kOverflowBit | x;
}

namespace {
// Appends to a ring kept in a power-of-two vector, ring[(head + i) & (size - 1)] for i < count,
// doubling it (and unrolling it to start at 0) when full; `first_capacity` when empty.
template <typename T>
inline void RingPush(std::vector<T>* ring, size_t* head, size_t* count, const T& item,
                     size_t first_capacity) {
  if (*count == ring->size()) {
    size_t mask = ring->size() - 1;
    std::vector<T> bigger(std::max(first_capacity, ring->size() * 2));
    for (size_t i = 0; i < *count; ++i) bigger[i] = (*ring)[(*head + i) & mask];
    ring->swap(bigger);
    *head = 0;
  }
  (*ring)[(*head + *count) & (ring->size() - 1)] = item;
  ++*count;
}
}  // namespace

void FileSource::Commit(Event* ev) {
  ev->file_index = opt_.file_index;
  ev->seq = seq_++;
  if (opt_.map != nullptr) {
    auto add = [&](std::string_view key) {
      for (auto& id : opt_.map->Resolve(key)) {
        if (std::find(ev->components.begin(), ev->components.end(), id) == ev->components.end())
          ev->components.push_back(std::move(id));
      }
    };
    for (const auto& s : ev->subjects) add(s);
    if (!ev->host.empty()) add(ev->host);
  }
  if (ev->time_uncertain) ++uncertain_;
  if (!opt_.keep_raw) ev->raw.clear();
  Key key{ev->time, ev->seq, 0, 0, false};
  key.slot = Store(ev, &key.bytes);  // last: an overflow event is moved out of *ev
  RingPush(&pend_, &pend_head_, &pend_size_, key, 64);
}

bool FileSource::ParseAhead() {
  std::string_view line;
  int64_t number = 0;
  size_t lines = 0;
  while (lines < kParseBatch && ReadLine(&line, &number)) {
    size_t before = pend_size_;
    ProcessLine(line, number);
    if (pend_size_ == before) continue;  // blank or consumed: nothing enters the window
    pend_[(pend_head_ + pend_size_ - 1) & (pend_.size() - 1)].line_end = true;
    ++lines;
  }
  return pend_size_ > 0;
}

void FileSource::Admit() {
  size_t pmask = pend_.size() - 1;
  for (bool end = false; !end;) {
    Key key = pend_[pend_head_];
    pend_head_ = (pend_head_ + 1) & pmask;
    --pend_size_;
    end = key.line_end;
    size_t mask = run_.size() - 1;
    if (run_size_ > 0 && key.time < run_[(run_head_ + run_size_ - 1) & mask].time) {
      heap_.push_back(key);
      std::push_heap(heap_.begin(), heap_.end(), Later());
      continue;
    }
    RingPush(&run_, &run_head_, &run_size_, key, 16);
  }
}

void FileSource::ProcessLine(std::string_view line, int64_t number) {
  if (text::Trim(line).empty()) return;  // blank lines carry nothing to keep
  Event& ev = scratch_;
  ResetEvent(&ev);
  ev.host = ctx_.file_host;
  ev.loc.line = number;
  ev.source = kind_;
  LineMatch m = LineMatch::kNo;
  std::string why;
  if (format_ != nullptr) {
    ev.layer = format_->default_layer;
    m = format_->parse(line, ctx_, &ev, &why);
  }
  for (auto& extra : ctx_.extra) {
    extra.loc = SourceLoc{name_, number, 0};
    if (opt_.keep_raw) AssignUtf8(&extra.raw, line);
    Commit(&extra);
  }
  ctx_.extra.clear();
  if (m == LineMatch::kConsumed) return;
  if (m == LineMatch::kMalformed) {
    ++malformed_lines_;
    if (warnings_.size() < opt_.max_warnings) {
      warnings_.push_back(Diagnostic{
          SourceLoc{name_, number, 0},
          fmt::format("expected {}, saw \"{}\"; kept as a raw event", why, EscapeForMessage(line))});
    }
  }
  if (m != LineMatch::kYes) {
    // Unknown, continuation or malformed: keep it, at the previous event's time.
    ResetEvent(&ev);
    ev.host = ctx_.file_host;
    ev.loc.line = number;
    ev.source = kind_;
    ev.layer = format_ != nullptr ? format_->default_layer : Layer::kApplication;
    ev.time = last_time_;
    ev.time_uncertain = true;
    ev.time_note = have_time_ ? "no timestamp of its own: time of the previous line"
                              : "no timestamp before it in the file";
    AssignUtf8(&ev.message, line);
    Classify(&ev, opt_.keep_subjects);
    if (ev.tag.empty()) ev.tag = "raw";
    if (opt_.keep_raw) ev.raw = ev.message;
    // An indented line continues the one before (PostgreSQL DETAIL, kernel stack traces): kept,
    // not worth a warning.
    bool continuation = line[0] == ' ' || line[0] == '\t';
    if (m == LineMatch::kNo && !continuation) {
      ++raw_lines_;
      if (first_raw_line_ == 0) first_raw_line_ = number;
    }
    Commit(&ev);
    return;
  }
  if (opt_.keep_raw) AssignUtf8(&ev.raw, line);
  Classify(&ev, opt_.keep_subjects);
  if (!ev.time_uncertain || ev.time_note.starts_with("year")) {
    last_time_ = ev.time;
    have_time_ = true;
  }
  Commit(&ev);
}

void FileSource::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!reader_->status().ok()) status_ = reader_->status();
  if (malformed_lines_ > opt_.max_warnings) {
    warnings_.push_back(Diagnostic{SourceLoc{name_, 0, 0},
                                   fmt::format("{} malformed lines in all, kept as raw events",
                                               malformed_lines_)});
  }
  if (raw_lines_ > 0 && kind_ != SourceKind::kRaw) {  // an unrecognised file has its own error
    warnings_.push_back(Diagnostic{
        SourceLoc{name_, first_raw_line_, 0},
        fmt::format("{} line(s) not in {} format kept as raw events (first here)", raw_lines_,
                    SourceKindName(kind_))});
  }
  if (cut_lines_ > 0) {
    warnings_.push_back(Diagnostic{
        SourceLoc{name_, first_cut_line_, 0},
        fmt::format("{} line(s) longer than {} bytes kept cut to their first {} bytes (first here)",
                    cut_lines_, ingest::LineReader::kMaxLineBytes,
                    ingest::LineReader::kMaxLineBytes)});
  }
  if (unterminated_line_ > 0) {
    // A file cut mid-line (a copy taken while it was written, head -c): the last line may be a
    // fragment whose missing words would have classified it differently. Kept, and said.
    warnings_.push_back(Diagnostic{
        SourceLoc{name_, unterminated_line_, 0},
        "the last line of the file has no line end: possibly cut mid-line; kept as read"});
  }
  if (disorder_ > 0) {
    warnings_.push_back(Diagnostic{
        SourceLoc{name_, 0, 0},
        fmt::format("{} event(s) out of order by more than the reorder window of {} lines: "
                    "emitted late",
                    disorder_, opt_.reorder_window)});
  }
}

const Event* FileSource::Next() {
  if (held_overflow_ != kNoSlot) {
    free_overflow_.push_back(held_overflow_);
    held_overflow_ = kNoSlot;
  }
  if (kind_ == SourceKind::kKubeEvents) {  // the whole document was read by Detect()
    if (whole_held_) {
      whole_.pop_front();
      whole_held_ = false;
    }
    if (whole_.empty()) return nullptr;
    whole_held_ = true;
    ++events_;
    if (whole_.front().time_uncertain) ++uncertain_;
    return &whole_.front();
  }
  while (heap_.size() + run_size_ <= window_ && (pend_size_ > 0 || ParseAhead())) Admit();
  if (heap_.empty() && run_size_ == 0) {
    Finish();
    return nullptr;
  }
  Key key;
  const Key* front = run_size_ > 0 ? &run_[run_head_] : nullptr;
  if (front != nullptr && (heap_.empty() || Later()(heap_.front(), *front))) {
    key = *front;
    run_head_ = (run_head_ + 1) & (run_.size() - 1);
    --run_size_;
  } else {
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    key = heap_.back();
    heap_.pop_back();
  }
  NoteNextStorage();
  const Event* ev;
  if ((key.slot & kOverflowBit) != 0) {
    held_overflow_ = key.slot & ~kOverflowBit;
    ev = &overflow_[held_overflow_];
  } else {
    Unpack(cells_[key.slot], key.seq, &out_);
    free_cells_.push_back(key.slot);  // refilled by the next line, while it is in the cache
    ev = &out_;
  }
  if (events_ > 0 && ev->time < last_emitted_)
    ++disorder_;
  else
    last_emitted_ = ev->time;
  ++events_;
  return ev;
}

void FileSource::NoteNextStorage() {
  // Says where the event the next call most likely returns is stored (the run's front), for the
  // merge to prefetch just before that call: fetched now, with many files, it would have left the
  // cache again by then. An overflow event's strings are fetched now: their addresses are in its
  // struct, which would have to be read first.
  next_storage_ = nullptr;
  if (run_size_ == 0) return;
  const Key& k = run_[run_head_];
  if ((k.slot & kOverflowBit) == 0) {
    next_storage_ = &cells_[k.slot];
    next_storage_bytes_ = k.bytes;
    return;
  }
  const Event& e = overflow_[k.slot & ~kOverflowBit];
  next_storage_ = &e;
  next_storage_bytes_ = sizeof(Event);
  PrefetchLines(e.message.data(), e.message.size());
  PrefetchLines(e.loc.file.data(), e.loc.file.size());
  PrefetchLines(e.subjects.data(), e.subjects.size() * sizeof(std::string));
}

bool FileSource::Next(Event* ev) {
  const Event* e = Next();
  if (e == nullptr) return false;
  *ev = *e;
  return true;
}

std::string FileSource::Assumption() const {
  std::string s = fmt::format("{}: {}", name_, SourceKindName(kind_));
  if (!ctx_.file_host.empty()) s += fmt::format(", host {}", ctx_.file_host);
  switch (kind_) {
    case SourceKind::kEsxi:
    case SourceKind::kJournalJson:
    case SourceKind::kJournalShortIso:
    case SourceKind::kSyslog5424:
    case SourceKind::kContainerLog:
    case SourceKind::kKubeEvents:
    case SourceKind::kPing:
    case SourceKind::kFping:
      s += "; times carry their zone (UTC, an offset or epoch seconds)";
      break;
    case SourceKind::kPostgres:
      s += "; times carry a zone abbreviation";
      break;
    default:
      s += fmt::format("; local times read in {} ({})",
                       opt_.zone != nullptr ? opt_.zone->name() : std::string("UTC"),
                       opt_.zone_origin.empty() ? "default" : opt_.zone_origin);
  }
  if (kind_ == SourceKind::kCeph) s += "; Octopus+ lines with an offset use it";
  if (needs_year()) s += fmt::format("; no year in the lines: {} assumed ({})", ctx_.assumed_year, year_note_);
  if (uncertain_ > 0) s += fmt::format("; {} event(s) with uncertain time", uncertain_);
  return s;
}

}  // namespace kiriwake::timeline
