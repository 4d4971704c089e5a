// ingest/line_reader.h: streams one input (a file, or "-" for stdin) as numbered UTF-8 lines.
// It undoes what lies between a tool and its saved output: gzip and xz compression (by magic
// number), UTF-16 with a BOM (Windows PowerShell's Out-File), CP932/Shift_JIS (cmd.exe's `>` on
// a Japanese Windows, found by trying UTF-8 first), a UTF-8 BOM and CRLF line ends.
// Memory is bounded: a line longer than kMaxLineBytes is cut (and flagged), never buffered whole.
// Every parser reads through this type. Not thread-safe; one reader per input.
#ifndef KIRIWAKE_INGEST_LINE_READER_H_
#define KIRIWAKE_INGEST_LINE_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ingest/file_window.h"
#include "util/result.h"
#include "util/status.h"

namespace kiriwake::ingest {

enum class TextEncoding { kUtf8, kUtf8Bom, kUtf16Le, kUtf16Be, kCp932 };
enum class Compression { kNone, kGzip, kXz };

std::string_view TextEncodingName(TextEncoding e);
std::string_view CompressionName(Compression c);

// A source of raw bytes (file, memory, decompressor). Read returns 0 at end.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

class LineReader {
 public:
  // Longest line kept; the rest of a longer line is skipped and last_line_truncated() is set.
  static constexpr size_t kMaxLineBytes = 1 << 20;

  // Opens `path` ("-" is stdin). NotFound/IOError if it cannot be opened.
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path);
  // Reads from memory (tests, fuzzing). `name` is used in diagnostics.
  static std::unique_ptr<LineReader> FromString(std::string bytes, std::string name);
  static std::unique_ptr<LineReader> FromSource(std::unique_ptr<ByteSource> source,
                                                std::string name);

  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets *line to the next line without its '\n' and trailing '\r'; the view is valid until the
  // next call. Returns false at the end of input or on a read error (then status() says why).
  bool Next(std::string_view* line);

  // For hot loops that parse whole lines in place (a multi-GB log of identical replies): the
  // decoded bytes buffered after the last line returned, possibly empty, and SkipLines to consume
  // `bytes` of them that hold exactly `lines` complete, '\n'-terminated lines. Next() goes on
  // after them. Both are optional: Next() alone sees every line.
  // `nul_free`: the caller saw every one of those bytes and none is NUL (see DeferNulScan).
  std::string_view Buffered() const;
  void SkipLines(size_t bytes, int64_t lines, bool nul_free = false);
  // For a caller that asks saw_nul() only once the input is done (ping-log): the NUL scan of
  // each mapped window is put off until Next() hands its bytes out, and left out for bytes
  // SkipLines is told are NUL-free (a parser that matched them already knows). That scan was a
  // separate pass over every byte of a large file. saw_nul() is then exact at the end of input
  // only; before it, it may miss a NUL not yet reached.
  void DeferNulScan() { defer_nul_ = true; }

  int64_t line_number() const { return line_number_; }  // 1-based, of the last line returned
  const std::string& name() const { return name_; }
  const Status& status() const { return status_; }
  TextEncoding encoding() const { return encoding_; }
  Compression compression() const { return compression_; }
  bool last_line_truncated() const { return last_truncated_; }
  // True when the last line returned had no '\n' at the end of input: a file cut mid-line.
  bool last_line_unterminated() const { return last_unterminated_; }
  bool saw_nul() const { return saw_nul_; }  // a NUL byte: probably a binary file
  uint64_t decoded_bytes() const { return decoded_bytes_; }

 private:
  LineReader(std::unique_ptr<ByteSource> source, std::string name);
  bool Fill();        // appends decoded bytes to buf_; false at end or error
  bool FillMapped();  // Fill for a large plain file: maps the next window instead
  Status Sniff();
  // The buffered bytes: buf_, or the mapped window.
  const char* Data() const { return in_window_ ? window_.data() : buf_.get(); }
  // While map_mode_, every byte before nul_off_ was scanned for NUL (or known NUL-free), and
  // nul_off_ >= base_off_ + pos_ between calls; outside it every buffered byte was scanned.
  void ScanNulToPos() {
    if (map_mode_ && base_off_ + pos_ > nul_off_) ScanNulAhead();
  }
  void ScanNulAhead();

  std::unique_ptr<ByteSource> source_;
  class Decoder;
  std::unique_ptr<Decoder> decoder_;
  std::string name_;
  Status status_;
  // The decoded bytes not yet handed out. Managed by hand so plain UTF-8 is read straight into
  // it (no copy, no zero-fill): the hot path of every parser's throughput.
  char* Reserve(size_t n);  // room for n more bytes at buf_[buf_len_]
  void Append(std::string_view bytes);
  std::unique_ptr<char[]> buf_;
  size_t buf_len_ = 0, buf_cap_ = 0;
  size_t pos_ = 0;       // start of the unread part of buf_
  std::string scratch_;  // decoder output before it is appended
  bool eof_ = false;
  bool sniffed_ = false;
  bool skipping_ = false;  // inside the cut tail of an over-long line
  int64_t line_number_ = 0;
  TextEncoding encoding_ = TextEncoding::kUtf8;
  Compression compression_ = Compression::kNone;
  bool last_truncated_ = false;
  bool last_unterminated_ = false;
  bool saw_nul_ = false;
  uint64_t decoded_bytes_ = 0;
  std::string raw_;  // read-ahead used while sniffing
  // A plain (uncompressed UTF-8) regular file of at least kMapMinBytes is read through windows
  // mapped in turn (FileWindow): no copy out of the page cache. Bytes the file gains after it
  // was opened are read with read() once the mapped part is done.
  FileWindow window_;
  int map_fd_ = -1;         // the file, owned by source_; -1: never mapped
  uint64_t map_size_ = 0;   // its size when opened: windows stop there
  uint64_t file_read_ = 0;  // raw bytes read() from it so far
  uint64_t base_off_ = 0;   // file offset of Data()[0] while map_mode_
  bool map_mode_ = false;   // fills map windows
  bool in_window_ = false;  // Data() is window_
  bool defer_nul_ = false;  // DeferNulScan()
  uint64_t nul_off_ = 0;    // file offset the NUL scan reached while map_mode_
};

// The whole of `path` ("-" is stdin) as text, read through a LineReader (so decompressed and
// decoded alike), each line ended by '\n': for inputs parsed as one document (a topology, an
// observation file). Besides Open's and reading's errors, a NUL byte ("binary data ..., not
// <what>") and a line longer than LineReader::kMaxLineBytes are errors: cutting one would lose
// data without a word.
Result<std::string> ReadTextFile(const std::string& path, std::string_view what);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_LINE_READER_H_
