// util/status.h: an error as a value. A Status is OK or carries a code, a message and, for
// input errors, where in which file it happened (SourceLoc) and what was expected there.
// Library functions return Status or Result<T> (util/result.h) and never throw or print;
// only cli/ turns a Status into a message on stderr and an exit code.
// Value type; copying is cheap for OK statuses. Not synchronised: do not share one across threads.
#ifndef KIRIWAKE_UTIL_STATUS_H_
#define KIRIWAKE_UTIL_STATUS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace kiriwake {

// Persisted nowhere, but tests and exit codes depend on the distinction: keep codes specific.
enum class StatusCode {
  kOk = 0,
  kUsage,         // the caller asked for something contradictory or impossible
  kNotFound,      // a file, host or component that does not exist
  kIOError,       // the system refused a read, write or socket call
  kUnrecognized,  // the input is not in any format this reader knows
  kMalformed,     // the right format, but broken at a known place
  kUnavailable,   // a remote service did not answer (Prometheus, an agent)
  kInternal,      // a bug in kiriwake
};

std::string_view StatusCodeName(StatusCode code);

// Where in an input something was found. line and column are 1-based; 0 means "unknown".
struct SourceLoc {
  std::string file;
  int64_t line = 0;
  int64_t column = 0;

  // "file:line:column", "file:line" or "file", in compiler form so editors can jump to it.
  std::string ToString() const;
  friend bool operator==(const SourceLoc&, const SourceLoc&) = default;

  // The 1-based line and column of byte `offset` (0-based) of `text`, e.g. where a JSON parser
  // stopped in a document read whole.
  static SourceLoc OfOffset(std::string_view text, size_t offset, std::string file);
};

// Line and column of many byte offsets into one text, in increasing order: the line count is
// carried forward from the last one asked for, so warnings about every element of a long array
// cost one pass over the text, not one each. A smaller offset than the last starts again.
class OffsetLocator {
 public:
  OffsetLocator(std::string_view text, std::string file)
      : text_(text), loc_{std::move(file), 1, 1} {}
  SourceLoc At(size_t offset);

 private:
  std::string_view text_;
  SourceLoc loc_;
  size_t offset_ = 0;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status Usage(std::string msg) { return Status(StatusCode::kUsage, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
  static Status Unrecognized(std::string msg) {
    return Status(StatusCode::kUnrecognized, std::move(msg));
  }
  static Status Unavailable(std::string msg) {
    return Status(StatusCode::kUnavailable, std::move(msg));
  }
  static Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }
  // A broken input at `loc`: "expected X, saw "Y"". `seen` is escaped and cut to 60 bytes.
  static Status Malformed(SourceLoc loc, std::string_view expected, std::string_view seen);
  // Any code with a location; message is free text.
  static Status At(StatusCode code, SourceLoc loc, std::string msg);
  // errno-based I/O error: "context: strerror(err)"; ENOENT becomes kNotFound.
  static Status FromErrno(std::string_view context, int err);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const SourceLoc& loc() const { return loc_; }

  // Human text, "file:line:col: message" when located. Not load-bearing: decide on code().
  std::string ToString() const;

  // Explicitly discards an error where dropping it is the right thing (Abseil's IgnoreError).
  void IgnoreError() const {}

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  SourceLoc loc_;
};

// A recoverable finding in an input: the read went on. Reported as "warning: file:line: msg".
struct Diagnostic {
  SourceLoc loc;
  std::string message;
  std::string ToString() const;
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// Escapes control and non-printable bytes and cuts to `max_bytes`, for quoting input in messages.
std::string EscapeForMessage(std::string_view text, size_t max_bytes = 60);

}  // namespace kiriwake

// Returns early from the enclosing function when `expr` is not OK.
#define KW_RETURN_IF_ERROR(expr)                  \
  do {                                            \
    ::kiriwake::Status kw_status_ = (expr);       \
    if (!kw_status_.ok()) return kw_status_;      \
  } while (false)

#endif  // KIRIWAKE_UTIL_STATUS_H_
