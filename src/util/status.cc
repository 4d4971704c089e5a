#include "util/status.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace kiriwake {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kUsage: return "usage";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kUnrecognized: return "unrecognised input";
    case StatusCode::kMalformed: return "malformed input";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

SourceLoc SourceLoc::OfOffset(std::string_view text, size_t offset, std::string file) {
  return OffsetLocator(text, std::move(file)).At(offset);
}

SourceLoc OffsetLocator::At(size_t offset) {
  if (offset < offset_) {
    offset_ = 0;
    loc_.line = 1;
    loc_.column = 1;
  }
  for (; offset_ < offset && offset_ < text_.size(); ++offset_) {
    if (text_[offset_] == '\n') {
      ++loc_.line;
      loc_.column = 1;
    } else {
      ++loc_.column;
    }
  }
  return loc_;
}

std::string SourceLoc::ToString() const {
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

Status Status::Malformed(SourceLoc loc, std::string_view expected, std::string_view seen) {
  Status s(StatusCode::kMalformed,
           fmt::format("expected {}, saw \"{}\"", expected, EscapeForMessage(seen)));
  s.loc_ = std::move(loc);
  return s;
}

Status Status::At(StatusCode code, SourceLoc loc, std::string msg) {
  Status s(code, std::move(msg));
  s.loc_ = std::move(loc);
  return s;
}

Status Status::FromErrno(std::string_view context, int err) {
  StatusCode code = err == ENOENT ? StatusCode::kNotFound : StatusCode::kIOError;
  return Status(code, fmt::format("{}: {}", context, std::strerror(err)));
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  if (loc_.file.empty()) return message_;
  return fmt::format("{}: {}", loc_.ToString(), message_);
}

std::string Diagnostic::ToString() const {
  if (loc.file.empty()) return message;
  return fmt::format("{}: {}", loc.ToString(), message);
}

std::string EscapeForMessage(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  for (; i < text.size() && out.size() < max_bytes; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c >= 0x80) {
      // Keep valid UTF-8 sequences whole; escape stray bytes.
      size_t len = (c >= 0xF0 && c < 0xF8) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC2 && c < 0xE0) ? 2 : 0;
      bool valid = len > 0 && i + len <= text.size();
      for (size_t k = 1; valid && k < len; ++k) {
        valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      }
      // C1 controls (U+0080-U+009F, 0xc2 0x80-0x9f) are valid UTF-8 but drive terminals.
      if (valid && !(len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0)) {
        out.append(text.substr(i, len));
        i += len - 1;
      } else {
        out += fmt::format("\\x{:02x}", c);
      }
    } else {
      out += static_cast<char>(c);
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace kiriwake
