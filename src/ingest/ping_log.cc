#include "ingest/ping_log.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "ingest/ping_log_internal.h"
#include "util/text.h"

namespace kiriwake::ingest {

const char* PingFormatName(PingFormat f) {
  switch (f) {
    case PingFormat::kIputils:
      return "iputils";
    case PingFormat::kBusybox:
      return "busybox";
    case PingFormat::kBsd:
      return "bsd";
    case PingFormat::kWindows:
      return "windows";
    case PingFormat::kFping:
      return "fping";
    case PingFormat::kMtr:
      return "mtr";
  }
  return "unknown";
}

namespace ping_internal {

bool LooksLikeAddress(std::string_view s) {
  if (s.empty()) return false;
  bool colon = false, dot = false;
  for (char c : s) {
    if (c == ':')
      colon = true;
    else if (c == '.')
      dot = true;
    else if (!(text::IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '%'))
      return false;
  }
  if (colon) return true;
  if (!dot) return false;
  for (char c : s) {
    if (!(text::IsDigit(c) || c == '.')) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// SessionBuilder

SessionBuilder::SessionBuilder(PingFormat format, SourceLoc source, uint64_t first_id, bool seq16,
                               const PingLogOptions& options)
    : options_(options),
      builder_(options.thresholds),
      seq16_(seq16),
      base_(first_id),
      hi_(first_id),
      slots_(std::make_unique<std::array<Slot, kReorderWindow>>()),
      rtts_(std::make_unique<std::array<double, kReorderWindow>>()) {
  info_.format = format;
  info_.source = std::move(source);
  info_.first_id = first_id;
  slots_->fill(Slot::kNone);
}

void SessionBuilder::Warn(int64_t line, std::string message) {
  if (info_.warnings.size() >= options_.max_warnings) {
    ++warnings_dropped_;
    return;
  }
  info_.warnings.push_back({SourceLoc{info_.source.file, line, 0}, std::move(message)});
}

uint64_t SessionBuilder::Unwrap(uint64_t raw) {
  if (!seq16_ || !placed_) return raw;
  // ICMP sequence numbers are 16 bits: pick the id nearest to the newest one placed.
  uint64_t ref = hi_ - 1;
  uint64_t epoch = ref & ~uint64_t{0xFFFF};
  uint64_t best = epoch + (raw & 0xFFFF);
  auto dist = [&](uint64_t a) { return a > ref ? a - ref : ref - a; };
  uint64_t up = best + 0x10000;
  if (dist(up) < dist(best)) best = up;
  if (best >= 0x10000) {
    uint64_t down = best - 0x10000;
    if (dist(down) < dist(best)) best = down;
  }
  // Nearest would be below id 0 (3 -> 65533 before any wrap): no probe of this run had that id,
  // and reading it as 65530 ids ahead would make them all lost. Out of range: not placed, warned.
  if (dist(best) > 0x8000) return kMaxProbeId + 1;
  return best;
}

bool SessionBuilder::IsNewRunSlow(uint64_t raw_id) const {
  if (!seq16_ || !placed_ || raw_id > 0xFFFF) return false;
  uint64_t ref = hi_ - 1;
  uint64_t back = 0x10000 - ((raw_id - ref) & 0xFFFF);
  if (back > ref) return true;  // below id 0: backwards across 0 before any wrap
  uint64_t id = ref - back;
  if (id < base_) return true;  // older than the window: no reply comes that late
  return (*slots_)[id % kReorderWindow] == Slot::kAnswered;
}

void SessionBuilder::LostRunTo(uint64_t id) {
  uint64_t new_base = id - kReorderWindow + 1;
  builder_.LostRun(base_, new_base - base_);
  base_ = hi_ = new_base;
}

bool SessionBuilder::Reach(uint64_t id) {
  if (id > kMaxProbeId) return false;
  if (!placed_) {
    placed_ = true;
    // A header told us the first id; without one (a log cut at the start) begin here.
    if (headerless_ || id < base_) {
      base_ = id;
      hi_ = id;
      info_.first_id = id;
    }
  }
  if (id < base_) return false;
  while (id >= base_ + kReorderWindow) {
    if (base_ < hi_) {
      FlushOne();
    } else {
      LostRunTo(id);  // nothing placed in between: one run of losses, not one call per id
    }
  }
  if (id >= hi_) hi_ = id + 1;
  return true;
}

void SessionBuilder::Reply(uint64_t raw_id, double rtt_ms, bool marked_duplicate, int64_t line) {
  uint64_t id = Unwrap(raw_id);
  if (marked_duplicate) {
    ++duplicates_;
    builder_.Duplicate(id, rtt_ms);
    return;
  }
  if (!Reach(id)) {
    Warn(line, fmt::format("reply for id {} is older than the last {} probes or out of range; "
                           "not placed",
                           raw_id, kReorderWindow));
    return;
  }
  size_t k = id % kReorderWindow;
  if ((*slots_)[k] == Slot::kAnswered) {
    // A second reply without the tool's (DUP!) mark (fping, Windows never mark them).
    ++duplicates_;
    builder_.Duplicate(id, rtt_ms);
    return;
  }
  if ((*slots_)[k] == Slot::kLost && info_.format == PingFormat::kFping) {
    Warn(line,
         fmt::format("reply for [{}] after fping reported it timed out; kept as lost", raw_id));
    return;
  }
  (*slots_)[k] = Slot::kAnswered;
  (*rtts_)[k] = rtt_ms;
}

void SessionBuilder::Error(uint64_t raw_id, int64_t line) {
  uint64_t id = Unwrap(raw_id);
  ++errored_;
  if (!Reach(id)) {
    Warn(line, fmt::format("ICMP error for id {} is older than the last {} probes or out of "
                           "range; not placed",
                           raw_id, kReorderWindow));
    return;
  }
  Slot& s = (*slots_)[id % kReorderWindow];
  if (s == Slot::kNone || s == Slot::kLost) s = Slot::kErrored;
}

void SessionBuilder::Timeout(uint64_t raw_id, int64_t line) {
  uint64_t id = Unwrap(raw_id);
  if (!Reach(id)) {
    Warn(line, fmt::format("timeout for id {} is older than the last {} probes or out of range; "
                           "not placed",
                           raw_id, kReorderWindow));
    return;
  }
  Slot& s = (*slots_)[id % kReorderWindow];
  if (s == Slot::kNone) s = Slot::kLost;
}

void SessionBuilder::Unknown(uint64_t raw_id, int64_t line) {
  uint64_t id = Unwrap(raw_id);
  if (!Reach(id)) {
    Warn(line, fmt::format("probe {} is older than the last {} probes or out of range; not placed",
                           raw_id, kReorderWindow));
    return;
  }
  Slot& s = (*slots_)[id % kReorderWindow];
  if (s == Slot::kNone) s = Slot::kUnknown;
}

PingSession SessionBuilder::Finish() {
  PingSession& out = info_;  // moved out at the end: Warn() below still appends to it
  const std::optional<PingToolTotals>& totals = out.totals;
  if (!placed_) {
    if (totals && totals->transmitted > kMaxProbeId) {
      Warn(totals->loc.line, fmt::format("statistics say {} transmitted: not a real run; ignored",
                                         totals->transmitted));
      out.last_id = out.first_id - 1;
    } else if (totals && totals->transmitted > 0) {
      if (totals->received == 0) {
        // Nothing answered: every id is known to be lost even without per-probe lines.
        builder_.LostRun(out.first_id, totals->transmitted);
        out.last_id = out.first_id + totals->transmitted - 1;
      } else {
        // ping -q, fping -q, mtr: counts only.
        out.summary_only = true;
        uint64_t rx = std::min(totals->received, totals->transmitted);
        builder_.AnsweredWithoutDetail(rx);
        builder_.LostWithoutId(totals->transmitted - rx);
        out.last_id = out.first_id + totals->transmitted - 1;
      }
    } else {
      out.last_id = out.first_id - 1;  // empty: last < first
      if (!totals && !totals_unknown) {
        Warn(out.source.line, "no probes and no statistics: file cut after the header?");
      }
    }
  } else {
    uint64_t last_printed = hi_ - 1;
    uint64_t last = last_printed;
    if (totals) {
      uint64_t by_totals = out.first_id + totals->transmitted - 1;
      if (totals->transmitted > kMaxProbeId) {
        Warn(totals->loc.line, fmt::format("statistics say {} transmitted: not a real run; ignored",
                                           totals->transmitted));
      } else if (totals->transmitted == 0 || by_totals < last_printed) {
        Warn(totals->loc.line,
             fmt::format("statistics say {} transmitted, but lines show probes up to id {}",
                         totals->transmitted, last_printed));
      } else {
        last = by_totals;
      }
    } else {
      Warn(out.source.line,
           "no statistics at the end of this session (file cut?): losses after the last printed "
           "probe cannot be known");
    }
    while (base_ < hi_) FlushOne();
    if (last > last_printed) {
      // Losses after the last printed line appear only in the totals (ping prints nothing).
      out.tail_first_id = last_printed + 1;
      builder_.LostRun(last_printed + 1, last - last_printed);
    }
    out.last_id = last;
  }
  out.series = builder_.Finish();
  if (placed_ && totals) {
    uint64_t ours_rx = out.series.received;
    if (out.format == PingFormat::kWindows) ours_rx += out.windows_error_replies;
    if (ours_rx != totals->received) {
      Warn(totals->loc.line,
           fmt::format("statistics say {} received, the reply lines show {} (file cut or edited?)",
                       totals->received, ours_rx));
    }
    if (totals->duplicates && *totals->duplicates != duplicates_) {
      Warn(totals->loc.line, fmt::format("statistics say {} duplicates, the reply lines show {}",
                                         *totals->duplicates, duplicates_));
    }
  }
  if (out.windows_error_replies > 0) {
    out.warnings.insert(
        out.warnings.begin(),
        Diagnostic{out.source,
                   fmt::format("{} reply(ies) were ICMP errors (e.g. \"Destination host "
                               "unreachable\"); Windows counts them as received, kiriwake as lost",
                               out.windows_error_replies)});
  }
  if (out.rounding_bug_corrections > 0) {
    out.warnings.push_back(Diagnostic{
        out.source, fmt::format("{} RTT(s) were printed with iputils s20180629's rounding bug "
                                "(e.g. \"12.10 ms\" means 13.0 ms) and were corrected",
                                out.rounding_bug_corrections)});
  }
  if (warnings_dropped_ > 0) {
    out.warnings.push_back(
        Diagnostic{out.source, fmt::format("{} more warnings not shown", warnings_dropped_)});
  }
  return std::move(info_);
}

// ---------------------------------------------------------------------------------------------
// PingParser

PingParser::PingParser(LineReader& reader, const PingLogOptions& options)
    : reader_(reader), options_(options) {
  reader_.DeferNulScan();  // saw_nul() is read at the end only
}

SessionBuilder& PingParser::StartSession(PingFormat format, std::string name, std::string address,
                                         uint64_t first_id, bool seq16, bool headerless) {
  CloseCurrent();
  current_ = std::make_unique<SessionBuilder>(format, Here(), first_id, seq16, options_);
  if (headerless) current_->set_headerless();
  current_->info().target_name = std::move(name);
  current_->info().target_address = std::move(address);
  recognized_any_ = true;
  return *current_;
}

void PingParser::CloseCurrent() {
  reply_prefix.clear();
  if (current_) {
    done_.push_back(current_->Finish());
    current_.reset();
  }
}

SessionBuilder& PingParser::FpingSession(std::string_view host) {
  for (auto& [name, s] : fping_) {
    if (name == host) return *s;
  }
  auto s = std::make_unique<SessionBuilder>(PingFormat::kFping, Here(), 0, false, options_);
  s->info().target_name = std::string(host);
  if (LooksLikeAddress(host)) s->info().target_address = std::string(host);
  fping_.emplace_back(std::string(host), std::move(s));
  recognized_any_ = true;
  return *fping_.back().second;
}

void PingParser::CloseFping(std::string_view host) {
  for (size_t i = 0; i < fping_.size(); ++i) {
    if (fping_[i].first == host) {
      done_.push_back(fping_[i].second->Finish());
      fping_.erase(fping_.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}

void PingParser::FinishFping() {
  for (auto& [name, s] : fping_) done_.push_back(s->Finish());
  fping_.clear();
}

void PingParser::FileWarn(std::string message) {
  if (log_.warnings.size() >= options_.max_warnings) {
    ++file_warnings_dropped_;
    return;
  }
  log_.warnings.push_back({Here(), std::move(message)});
}

void PingParser::FileWarnAt(int64_t line, std::string message) {
  if (log_.warnings.size() >= options_.max_warnings) {
    ++file_warnings_dropped_;
    return;
  }
  log_.warnings.push_back({SourceLoc{reader_.name(), line, 0}, std::move(message)});
}

void PingParser::Warn(std::string message) {
  if (current_) {
    current_->Warn(line_no_, std::move(message));
  } else if (fping_.size() == 1) {
    fping_.front().second->Warn(line_no_, std::move(message));
  } else {
    FileWarn(std::move(message));
  }
}

void PingParser::Dispatch(std::string_view line) {
  // Wrappers and terminals leave bytes around a tool's line: a SIGQUIT status starts with '\r',
  // ping -a rings '\a', Windows lines end in '\r' (LineReader strips one).
  while (!line.empty() && static_cast<unsigned char>(line.front()) < 0x20 &&
         (line.front() == '\r' || line.front() == '\a')) {
    line.remove_prefix(1);
  }
  while (!line.empty() && static_cast<unsigned char>(line.back()) <= 0x20 &&
         (line.back() == '\r' || line.back() == '\a' || line.back() == ' ')) {
    line.remove_suffix(1);
  }
  if (in_mtr_json) {
    ParseMtrLine(*this, line);
    return;
  }
  // -D timestamps: iputils "[1584237572.123456] ", fping 5 "[1710494521.12345] ".
  if (!line.empty() && line.front() == '[') {
    const void* close = std::memchr(line.data(), ']', std::min<size_t>(line.size(), 40));
    if (close != nullptr) {
      size_t i = static_cast<size_t>(static_cast<const char*>(close) - line.data());
      bool stamp = i > 1 && i + 1 < line.size() && line[i + 1] == ' ';
      for (size_t k = 1; stamp && k < i; ++k) stamp = text::IsDigit(line[k]) || line[k] == '.';
      if (stamp) line.remove_prefix(i + 2);
    }
  }
  if (line.empty()) return;
  if (ParseIputilsFamilyLine(*this, line) || ParseFpingLine(*this, line) ||
      ParseWindowsLine(*this, line) || ParseMtrLine(*this, line)) {
    recognized_any_ = true;
    return;
  }
  ++log_.skipped_lines;
  if (current_ || !fping_.empty()) {
    Warn(fmt::format("not a line this tool prints, skipped: \"{}\"", EscapeForMessage(line)));
  } else if (first_unrecognized_line_ == 0) {
    first_unrecognized_ = EscapeForMessage(line);
    first_unrecognized_line_ = line_no_;
  } else if (recognized_any_) {
    FileWarn(fmt::format("not ping output, skipped: \"{}\"", EscapeForMessage(line)));
  }
}

Result<PingLog> PingParser::Run() {
  std::string_view line;
  for (;;) {
    if (!reply_prefix.empty()) {
      int64_t n = 0;
      size_t used = ParseReplyRun(*this, reader_.Buffered(), reader_.line_number() + 1, &n);
      if (n > 0) {
        reader_.SkipLines(used, n, /*nul_free=*/true);  // ParseReplyRun matched every byte
        log_.lines += static_cast<uint64_t>(n);
      }
    }
    if (!reader_.Next(&line)) break;
    line_no_ = reader_.line_number();
    ++log_.lines;
    if (reader_.last_line_truncated()) {
      Warn(fmt::format("line longer than {} bytes was cut", LineReader::kMaxLineBytes));
    }
    Dispatch(line);
  }
  // A read error (a .gz cut short) ends the input, not what was read before it: the sessions so
  // far are finished and returned with the error, as the timeline does, unless nothing was
  // recognised at all (then the error is the whole answer).
  if (!reader_.status().ok() && !recognized_any_) return reader_.status();
  log_.read_error = reader_.status();
  if (in_mtr_json) FinishMtrJson(*this);
  FinishMtrHops(*this);
  if (reader_.last_line_unterminated() && recognized_any_) {
    Warn("input ends in the middle of a line (file cut?)");
  }
  CloseCurrent();
  FinishFping();
  if (done_.empty() && !log_.read_error.ok()) return log_.read_error;
  if (done_.empty() && !log_.warnings.empty()) {
    // Something looked like ping output (an mtr --json document) and the warnings say why it
    // gave nothing: that is the diagnosis, not the lines we did not recognise.
    std::string why;
    if (first_unrecognized_line_ > 0) {
      why = fmt::format("line {}: not ping output: \"{}\"; ", first_unrecognized_line_,
                        first_unrecognized_);
    }
    size_t shown = std::min<size_t>(log_.warnings.size(), 3);
    for (size_t i = 0; i < shown; ++i) {
      if (i > 0) why += "; ";
      why += log_.warnings[i].ToString();
    }
    size_t more = log_.warnings.size() - shown + file_warnings_dropped_;
    if (more > 0) why += fmt::format("; and {} more warning(s)", more);
    return Status::Unrecognized(
        fmt::format("{}: no ping output could be read: {}", reader_.name(), why));
  }
  if (done_.empty()) {
    std::string seen;
    if (reader_.saw_nul()) {
      seen = "binary data (NUL bytes)";
    } else if (log_.lines == 0) {
      seen = "an empty input";
    } else if (first_unrecognized_line_ > 0) {
      seen = fmt::format("line {}: \"{}\"", first_unrecognized_line_, first_unrecognized_);
    } else {
      seen = fmt::format("{} blank lines", log_.lines);
    }
    return Status::Unrecognized(
        fmt::format("{}: not recognised as ping output (saw {}; expected the output of iputils, "
                    "BusyBox, BSD or Windows ping, fping or mtr)",
                    reader_.name(), seen));
  }
  if (first_unrecognized_line_ > 0) {
    log_.warnings.insert(
        log_.warnings.begin(),
        Diagnostic{SourceLoc{reader_.name(), first_unrecognized_line_, 0},
                   fmt::format("not ping output, skipped: \"{}\"", first_unrecognized_)});
  }
  if (file_warnings_dropped_ > 0) {
    log_.warnings.push_back(
        Diagnostic{SourceLoc{reader_.name(), 0, 0},
                   fmt::format("{} more warnings not shown", file_warnings_dropped_)});
  }
  if (log_.skipped_lines > 0) {
    log_.warnings.push_back(
        Diagnostic{SourceLoc{reader_.name(), 0, 0},
                   fmt::format("{} of {} lines were skipped", log_.skipped_lines, log_.lines)});
  }
  std::stable_sort(done_.begin(), done_.end(), [](const PingSession& a, const PingSession& b) {
    return a.source.line < b.source.line;
  });
  log_.sessions = std::move(done_);
  return std::move(log_);
}

}  // namespace ping_internal

Result<PingLog> ParsePingLog(LineReader& reader, const PingLogOptions& options) {
  ping_internal::PingParser parser(reader, options);
  return parser.Run();
}

}  // namespace kiriwake::ingest
