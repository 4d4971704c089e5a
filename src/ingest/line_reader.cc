#include "ingest/line_reader.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <iconv.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/text.h"

namespace kiriwake::ingest {

std::string_view TextEncodingName(TextEncoding e) {
  switch (e) {
    case TextEncoding::kUtf8:
      return "utf-8";
    case TextEncoding::kUtf8Bom:
      return "utf-8-bom";
    case TextEncoding::kUtf16Le:
      return "utf-16le";
    case TextEncoding::kUtf16Be:
      return "utf-16be";
    case TextEncoding::kCp932:
      return "cp932";
  }
  return "unknown";
}

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kXz:
      return "xz";
  }
  return "unknown";
}

namespace {

constexpr size_t kChunk = 64 << 10;
constexpr size_t kSniffBytes = 64 << 10;
// Files from this size on are mapped (smaller ones are read whole while sniffing anyway), while
// FileWindow's budget lasts. Windows of 2 MiB cost 0.11 s of CPU per GB against 0.16-0.19 s for
// 256 KiB-1 MiB windows and 0.18 s for read() in 64 KiB chunks (the kernel's copy).
constexpr uint64_t kMapMinBytes = 2 * kSniffBytes;
constexpr size_t kMapWindow = 2 << 20;

// Owns a file descriptor; read() retries EINTR.
class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(std::move(name)) {}
  ~FdSource() override {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  Result<size_t> Read(char* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno == EINTR) continue;
      return Status::FromErrno(name_, errno);
    }
  }

 private:
  int fd_;
  bool owned_;
  std::string name_;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, bytes_.size() - pos_);
    std::memcpy(buf, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

// Replays bytes already read (while sniffing) before reading on from `inner`.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> inner)
      : prefix_(std::move(prefix)), inner_(std::move(inner)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return inner_->Read(buf, n);
  }

 private:
  std::string prefix_;
  size_t pos_ = 0;
  std::unique_ptr<ByteSource> inner_;
};

// gzip (and concatenated gzip members, as logrotate's delaycompress can leave).
class GzipSource final : public ByteSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> inner, std::string name)
      : inner_(std::move(inner)), name_(std::move(name)), in_(kChunk, '\0') {
    std::memset(&zs_, 0, sizeof(zs_));
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&zs_); }
  Result<size_t> Read(char* buf, size_t n) override {
    if (!ok_) return Status::IOError(fmt::format("{}: cannot start gzip decoder", name_));
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(n);
    while (zs_.avail_out == n) {
      if (zs_.avail_in == 0 && !in_eof_) {
        auto r = inner_->Read(in_.data(), in_.size());
        if (!r.ok()) return r.status();
        if (*r == 0) in_eof_ = true;
        zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
        zs_.avail_in = static_cast<uInt>(*r);
      }
      if (zs_.avail_in == 0 && in_eof_) {
        if (mid_member_) {
          return Status::At(StatusCode::kMalformed, SourceLoc{name_, 0, 0},
                            "gzip data ends before the end of its stream (cut file?)");
        }
        break;
      }
      int rc = inflate(&zs_, Z_NO_FLUSH);
      mid_member_ = true;
      if (rc == Z_STREAM_END) {
        mid_member_ = false;
        inflateReset(&zs_);
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::At(StatusCode::kMalformed, SourceLoc{name_, 0, 0},
                          fmt::format("gzip data is corrupt ({})", zs_.msg ? zs_.msg : "?"));
      }
    }
    return n - zs_.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string name_;
  std::string in_;
  z_stream zs_;
  bool ok_ = false;
  bool in_eof_ = false;
  bool mid_member_ = false;
};

class XzSource final : public ByteSource {
 public:
  XzSource(std::unique_ptr<ByteSource> inner, std::string name)
      : inner_(std::move(inner)), name_(std::move(name)), in_(kChunk, '\0') {
    ok_ = lzma_stream_decoder(&ls_, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
  }
  ~XzSource() override { lzma_end(&ls_); }
  Result<size_t> Read(char* buf, size_t n) override {
    if (!ok_) return Status::IOError(fmt::format("{}: cannot start xz decoder", name_));
    if (done_) return size_t{0};
    ls_.next_out = reinterpret_cast<uint8_t*>(buf);
    ls_.avail_out = n;
    while (ls_.avail_out == n) {
      lzma_action action = LZMA_RUN;
      if (ls_.avail_in == 0 && !in_eof_) {
        auto r = inner_->Read(in_.data(), in_.size());
        if (!r.ok()) return r.status();
        if (*r == 0) in_eof_ = true;
        ls_.next_in = reinterpret_cast<const uint8_t*>(in_.data());
        ls_.avail_in = *r;
      }
      if (in_eof_) action = LZMA_FINISH;
      lzma_ret rc = lzma_code(&ls_, action);
      if (rc == LZMA_STREAM_END) {
        done_ = true;
        break;
      }
      if (rc != LZMA_OK) {
        return Status::At(
            StatusCode::kMalformed, SourceLoc{name_, 0, 0},
            fmt::format("xz data is corrupt or cut (lzma error {})", static_cast<int>(rc)));
      }
    }
    return n - ls_.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string name_;
  std::string in_;
  lzma_stream ls_ = LZMA_STREAM_INIT;
  bool ok_ = false;
  bool in_eof_ = false;
  bool done_ = false;
};

}  // namespace

// Turns input bytes of one encoding into UTF-8, carrying partial sequences across chunks.
class LineReader::Decoder {
 public:
  explicit Decoder(TextEncoding enc) : enc_(enc) {
    const char* from = nullptr;
    switch (enc) {
      case TextEncoding::kUtf16Le:
        from = "UTF-16LE";
        break;
      case TextEncoding::kUtf16Be:
        from = "UTF-16BE";
        break;
      case TextEncoding::kCp932:
        from = "CP932";
        break;
      default:
        break;
    }
    if (from != nullptr) cd_ = iconv_open("UTF-8", from);
  }
  ~Decoder() {
    if (cd_ != reinterpret_cast<iconv_t>(-1)) iconv_close(cd_);
  }
  bool passthrough() const { return cd_ == reinterpret_cast<iconv_t>(-1); }
  size_t unit() const {
    return enc_ == TextEncoding::kUtf16Le || enc_ == TextEncoding::kUtf16Be ? 2 : 1;
  }

  // Appends the UTF-8 form of `in` (plus bytes held from the last call) to *out. Invalid
  // sequences become U+FFFD; at `last`, a dangling partial sequence does too.
  void Decode(std::string_view in, bool last, std::string* out) {
    if (passthrough()) {
      out->append(in);
      return;
    }
    held_.append(in);
    char* inp = held_.data();
    size_t inleft = held_.size();
    char outbuf[16384];
    while (inleft > 0) {
      char* outp = outbuf;
      size_t outleft = sizeof(outbuf);
      size_t rc = iconv(cd_, &inp, &inleft, &outp, &outleft);
      out->append(outbuf, static_cast<size_t>(outp - outbuf));
      if (rc != static_cast<size_t>(-1)) break;
      if (errno == E2BIG) continue;
      if (errno == EINVAL && !last) break;  // partial sequence: wait for more bytes
      // EILSEQ, or EINVAL at the end: replace one unit and go on.
      out->append("\xEF\xBF\xBD");
      size_t skip = std::min(unit(), inleft);
      inp += skip;
      inleft -= skip;
    }
    held_.erase(0, held_.size() - inleft);
  }

 private:
  TextEncoding enc_;
  iconv_t cd_ = reinterpret_cast<iconv_t>(-1);
  std::string held_;
};

LineReader::LineReader(std::unique_ptr<ByteSource> source, std::string name)
    : source_(std::move(source)), name_(std::move(name)) {}
LineReader::~LineReader() = default;

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  if (path == "-") {
    return FromSource(std::make_unique<FdSource>(0, false, "<stdin>"), "<stdin>");
  }
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(path, errno);
  auto reader = FromSource(std::make_unique<FdSource>(fd, true, path), path);
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) >= kMapMinBytes) {
    reader->map_fd_ = fd;
    reader->map_size_ = static_cast<uint64_t>(st.st_size);
  }
  return reader;
}

std::unique_ptr<LineReader> LineReader::FromString(std::string bytes, std::string name) {
  return FromSource(std::make_unique<MemorySource>(std::move(bytes)), std::move(name));
}

std::unique_ptr<LineReader> LineReader::FromSource(std::unique_ptr<ByteSource> source,
                                                   std::string name) {
  return std::unique_ptr<LineReader>(new LineReader(std::move(source), std::move(name)));
}

namespace {
// Reads from `src` into *out until `want` bytes or the end.
Status ReadUpTo(ByteSource* src, size_t want, std::string* out) {
  out->assign(want, '\0');
  size_t got = 0;
  while (got < want) {
    auto r = src->Read(out->data() + got, want - got);
    if (!r.ok()) return r.status();
    if (*r == 0) break;
    got += *r;
  }
  out->resize(got);
  return Status::Ok();
}

// Valid UTF-8 apart from a sequence cut by the end of the sample.
bool LooksUtf8(std::string_view s, bool at_eof) {
  if (!at_eof) {
    size_t cut = s.size();
    // Back off at most 3 bytes of an incomplete trailing sequence.
    for (size_t k = 0; k < 3 && cut > 0; ++k) {
      unsigned char c = static_cast<unsigned char>(s[cut - 1]);
      if ((c & 0xC0) == 0x80) {
        --cut;
        continue;
      }
      if (c >= 0xC0) --cut;
      break;
    }
    s = s.substr(0, cut);
  }
  return text::IsValidUtf8(s);
}

bool DecodesAsCp932(std::string_view s) {
  iconv_t cd = iconv_open("UTF-8", "CP932");
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  std::string in(s);
  char* inp = in.data();
  size_t inleft = in.size();
  bool ok = true;
  char outbuf[16384];
  while (inleft > 0) {
    char* outp = outbuf;
    size_t outleft = sizeof(outbuf);
    if (iconv(cd, &inp, &inleft, &outp, &outleft) != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) continue;
    ok = errno == EINVAL;  // a lead byte cut by the end of the sample is fine
    break;
  }
  iconv_close(cd);
  return ok;
}
}  // namespace

Status LineReader::Sniff() {
  sniffed_ = true;
  std::string raw;
  KW_RETURN_IF_ERROR(ReadUpTo(source_.get(), kSniffBytes, &raw));
  std::string_view head_view(raw);
  if (head_view.starts_with("\x1f\x8b")) {
    compression_ = Compression::kGzip;
    source_ = std::make_unique<GzipSource>(
        std::make_unique<PrefixedSource>(std::move(raw), std::move(source_)), name_);
  } else if (head_view.starts_with(std::string_view("\xFD"
                                                    "7zXZ\0",
                                                    6))) {
    compression_ = Compression::kXz;
    source_ = std::make_unique<XzSource>(
        std::make_unique<PrefixedSource>(std::move(raw), std::move(source_)), name_);
  }
  file_read_ = raw.size();
  std::string sample;
  bool at_eof;
  if (compression_ == Compression::kNone) {
    sample = std::move(raw);
    at_eof = sample.size() < kSniffBytes;
  } else {
    KW_RETURN_IF_ERROR(ReadUpTo(source_.get(), kSniffBytes, &sample));
    at_eof = sample.size() < kSniffBytes;
  }
  std::string_view sv(sample);
  size_t skip = 0;
  if (sv.starts_with("\xEF\xBB\xBF")) {
    encoding_ = TextEncoding::kUtf8Bom;
    skip = 3;
  } else if (sv.starts_with("\xFF\xFE")) {
    encoding_ = TextEncoding::kUtf16Le;
    skip = 2;
  } else if (sv.starts_with("\xFE\xFF")) {
    encoding_ = TextEncoding::kUtf16Be;
    skip = 2;
  } else if (!LooksUtf8(sample, at_eof) && DecodesAsCp932(sample)) {
    encoding_ = TextEncoding::kCp932;
  }
  decoder_ = std::make_unique<Decoder>(encoding_);
  std::string_view rest(sample);
  rest.remove_prefix(skip);
  scratch_.clear();
  decoder_->Decode(rest, at_eof, &scratch_);
  decoded_bytes_ += scratch_.size();
  if (std::memchr(scratch_.data(), '\0', scratch_.size()) != nullptr) saw_nul_ = true;
  Append(scratch_);
  if (at_eof) {
    eof_ = true;
    source_.reset();
  } else if (map_fd_ >= 0 && compression_ == Compression::kNone && decoder_->passthrough()) {
    map_mode_ = true;
    base_off_ = file_read_ - buf_len_;  // buf_ ends where reading stopped
    nul_off_ = file_read_;              // buf_ was scanned above
  }
  return Status::Ok();
}

char* LineReader::Reserve(size_t n) {
  if (buf_len_ + n > buf_cap_) {
    size_t cap = std::max(buf_cap_ * 2, buf_len_ + n);
    auto grown = std::make_unique<char[]>(cap);  // value-initialised once per growth only
    if (buf_len_ > 0) std::memcpy(grown.get(), buf_.get(), buf_len_);
    buf_ = std::move(grown);
    buf_cap_ = cap;
  }
  return buf_.get() + buf_len_;
}

void LineReader::Append(std::string_view bytes) {
  if (bytes.empty()) return;
  std::memcpy(Reserve(bytes.size()), bytes.data(), bytes.size());
  buf_len_ += bytes.size();
}

bool LineReader::FillMapped() {
  if (window_.shrunk()) {
    status_ = Status::IOError(fmt::format(
        "{}: the file shrank while it was being read (truncated or rotated?): the analysis "
        "would be incomplete",
        name_));
    return false;
  }
  uint64_t at = base_off_ + pos_;  // the first byte not handed out
  uint64_t old_end = base_off_ + buf_len_;
  // Past the size the file had when opened: go on with read() after the bytes buffered (a
  // growing log keeps being read).
  auto read_on = [&]() {
    std::string tail(Data() + pos_, buf_len_ - pos_);  // at most one unfinished line
    if (nul_off_ < old_end && std::memchr(Data() + (nul_off_ - base_off_), '\0',
                                          static_cast<size_t>(old_end - nul_off_)) != nullptr) {
      saw_nul_ = true;  // the rest of the window was not scanned yet (DeferNulScan)
    }
    window_.Unmap();
    map_mode_ = in_window_ = false;
    buf_len_ = pos_ = 0;
    Append(tail);
    if (::lseek(map_fd_, static_cast<off_t>(old_end), SEEK_SET) < 0) {
      status_ = Status::FromErrno(name_, errno);
      return false;
    }
    return Fill();
  };
  if (old_end >= map_size_) return read_on();
  // The window starts at the page holding `at`, so an unfinished line is whole in it (it is
  // shorter than kMaxLineBytes: Next() cuts longer ones before it asks for more).
  uint64_t start = at - at % FileWindow::PageSize();
  size_t len = static_cast<size_t>(std::min<uint64_t>(kMapWindow, map_size_ - start));
  if (!window_.Map(map_fd_, start, len)) {
    // The old window is gone with it: read on from the first byte not handed out.
    map_mode_ = in_window_ = false;
    buf_len_ = pos_ = 0;
    if (::lseek(map_fd_, static_cast<off_t>(at), SEEK_SET) < 0) {
      status_ = Status::FromErrno(name_, errno);
      return false;
    }
    return Fill();
  }
  in_window_ = true;
  base_off_ = start;
  pos_ = static_cast<size_t>(at - start);
  buf_len_ = len;
  size_t fresh_from = static_cast<size_t>(old_end - start);
  decoded_bytes_ += len - fresh_from;
  if (!defer_nul_) {
    if (!saw_nul_ && std::memchr(Data() + fresh_from, '\0', len - fresh_from) != nullptr) {
      saw_nul_ = true;
    }
    nul_off_ = start + len;
  }
  return true;
}

void LineReader::ScanNulAhead() {
  // A few KiB at a time: one memchr call per many lines for a reader of lines, and little
  // scanned twice when SkipLines takes the bytes after a line (the window's bytes are hot now).
  constexpr size_t kAhead = 8 << 10;
  size_t from = static_cast<size_t>(nul_off_ - base_off_);
  size_t to = std::min(buf_len_, std::max(pos_, from + kAhead));
  if (!saw_nul_ && std::memchr(Data() + from, '\0', to - from) != nullptr) saw_nul_ = true;
  nul_off_ = base_off_ + to;
}

bool LineReader::Fill() {
  if (eof_ || !status_.ok()) return false;
  if (map_mode_) return FillMapped();
  // Compact: drop consumed bytes so memory stays bounded by the longest kept line plus a chunk.
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, buf_len_ - pos_);
    buf_len_ -= pos_;
    pos_ = 0;
  }
  size_t before = buf_len_;
  bool last;
  if (decoder_->passthrough()) {
    char* dst = Reserve(kChunk);
    auto r = source_->Read(dst, kChunk);
    if (!r.ok()) {
      status_ = r.status();
      return false;
    }
    buf_len_ += *r;
    file_read_ += *r;
    last = *r == 0;
  } else {
    raw_.resize(kChunk);
    auto r = source_->Read(raw_.data(), raw_.size());
    if (!r.ok()) {
      status_ = r.status();
      return false;
    }
    last = *r == 0;
    scratch_.clear();
    decoder_->Decode(std::string_view(raw_.data(), *r), last, &scratch_);
    Append(scratch_);
  }
  decoded_bytes_ += buf_len_ - before;
  if (!saw_nul_ && std::memchr(buf_.get() + before, '\0', buf_len_ - before) != nullptr) {
    saw_nul_ = true;
  }
  if (last) {
    eof_ = true;
    source_.reset();
  }
  return buf_len_ > before || !last;
}

std::string_view LineReader::Buffered() const {
  if (!sniffed_ || skipping_ || Data() == nullptr) return {};
  return std::string_view(Data() + pos_, buf_len_ - pos_);
}

void LineReader::SkipLines(size_t bytes, int64_t lines, bool nul_free) {
  pos_ += std::min(bytes, buf_len_ - pos_);
  if (!nul_free) {
    ScanNulToPos();
  } else if (map_mode_) {
    nul_off_ = std::max(nul_off_, base_off_ + pos_);  // the bytes before were scanned
  }
  line_number_ += lines;
  last_truncated_ = false;
  last_unterminated_ = false;
}

bool LineReader::Next(std::string_view* line) {
  if (!sniffed_) {
    Status s = Sniff();
    if (!s.ok()) {
      status_ = s;
      return false;
    }
  }
  for (;;) {
    const char* start = Data() + pos_;
    size_t avail = buf_len_ - pos_;
    const void* nl = avail > 0 ? std::memchr(start, '\n', avail) : nullptr;
    if (nl != nullptr) {
      size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      pos_ += len + 1;
      if (skipping_) {  // end of an over-long line's cut tail
        skipping_ = false;
        continue;
      }
      if (len > 0 && start[len - 1] == '\r') --len;
      // Cut every over-long line the same way, whether or not its end happens to be buffered.
      last_truncated_ = len > kMaxLineBytes;
      if (last_truncated_) len = kMaxLineBytes;
      *line = std::string_view(start, len);
      ++line_number_;
      last_unterminated_ = false;
      // Readers that are read in turn (the timeline merges dozens of files a line at a time)
      // come back long after their buffer has left the cache: start fetching the next line.
      __builtin_prefetch(Data() + pos_);
      __builtin_prefetch(Data() + pos_ + 64);
      __builtin_prefetch(Data() + pos_ + 128);
      ScanNulToPos();
      return true;
    }
    if (skipping_) {
      pos_ = buf_len_;
    } else if (avail >= kMaxLineBytes) {
      // Over-long line: hand out the first kMaxLineBytes, skip the rest up to its newline.
      *line = std::string_view(start, kMaxLineBytes);
      pos_ += avail;  // everything buffered belongs to this line
      skipping_ = true;
      last_truncated_ = true;
      last_unterminated_ = false;
      ++line_number_;
      // The view must stay valid: keep the bytes by not compacting until the next call.
      ScanNulToPos();
      return true;
    }
    ScanNulToPos();  // Fill may drop the bytes before pos_
    if (!Fill()) {
      if (!status_.ok()) return false;
      if (eof_ && pos_ < buf_len_ && !skipping_) {
        size_t len = buf_len_ - pos_;
        const char* s = Data() + pos_;
        pos_ = buf_len_;
        if (len > 0 && s[len - 1] == '\r') --len;
        *line = std::string_view(s, len);
        ++line_number_;
        last_truncated_ = false;
        last_unterminated_ = true;
        return true;
      }
      return false;
    }
  }
}

Result<std::string> ReadTextFile(const std::string& path, std::string_view what) {
  KW_ASSIGN_OR_RETURN(auto reader, LineReader::Open(path));
  std::string text;
  std::string_view line;
  while (reader->Next(&line)) {
    if (reader->last_line_truncated()) {
      return Status::At(StatusCode::kMalformed, SourceLoc{path, reader->line_number(), 0},
                        fmt::format("a line of at most {} bytes in {}, saw a longer one",
                                    LineReader::kMaxLineBytes, what));
    }
    text.append(line);
    text.push_back('\n');
  }
  if (!reader->status().ok()) return reader->status();
  if (reader->saw_nul()) {
    return Status::At(StatusCode::kUnrecognized, SourceLoc{path, 0, 0},
                      fmt::format("binary data (NUL bytes), not {}", what));
  }
  return text;
}

}  // namespace kiriwake::ingest
