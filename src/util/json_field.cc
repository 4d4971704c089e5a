#include "util/json_field.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "util/text.h"

namespace kiriwake {

using nlohmann::json;

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view doc, size_t i) {
  while (i < doc.size() && IsJsonSpace(doc[i])) ++i;
  return i;
}

// `i` at a '"': one past the closing quote (doc.size() when there is none).
size_t SkipString(std::string_view doc, size_t i) {
  for (++i; i < doc.size(); ++i) {
    if (doc[i] == '\\') {
      ++i;
    } else if (doc[i] == '"') {
      return i + 1;
    }
  }
  return doc.size();
}

// `i` at the first byte of a value: one past its last byte.
size_t SkipValue(std::string_view doc, size_t i) {
  if (i >= doc.size()) return i;
  if (doc[i] == '"') return SkipString(doc, i);
  if (doc[i] != '[' && doc[i] != '{') {
    while (i < doc.size() && !IsJsonSpace(doc[i]) && doc[i] != ',' && doc[i] != ']' &&
           doc[i] != '}') {
      ++i;
    }
    return i;
  }
  size_t depth = 0;
  while (i < doc.size()) {
    char c = doc[i];
    if (c == '"') {
      i = SkipString(doc, i);
      continue;
    }
    ++i;
    if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && --depth == 0) {
      break;
    }
  }
  return i;
}

// `i` at a '[': where each element starts.
std::vector<size_t> ElementOffsets(std::string_view doc, size_t i) {
  std::vector<size_t> out;
  i = SkipSpace(doc, i + 1);
  if (i >= doc.size() || doc[i] == ']') return out;
  while (i < doc.size()) {
    out.push_back(i);
    i = SkipSpace(doc, SkipValue(doc, i));
    if (i >= doc.size() || doc[i] != ',') break;
    i = SkipSpace(doc, i + 1);
  }
  return out;
}

const json* Field(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

}  // namespace

std::string JsonString(const json& o, const char* key) {
  const json* f = Field(o, key);
  return f != nullptr && f->is_string() ? f->get<std::string>() : std::string();
}

int JsonInt(const json& o, const char* key, int fallback) {
  const json* f = Field(o, key);
  if (f == nullptr) return fallback;
  std::optional<int64_t> v;
  if (f->is_number_unsigned()) {
    uint64_t u = f->get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT32_MAX)) v = static_cast<int64_t>(u);
  } else if (f->is_number_integer()) {
    v = f->get<int64_t>();
  } else if (f->is_string()) {
    v = text::ParseInt(f->get_ref<const std::string&>());
  }
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return fallback;
  return static_cast<int>(*v);
}

double JsonNumber(const json& o, const char* key, double fallback) {
  const json* f = Field(o, key);
  return f != nullptr && f->is_number() ? f->get<double>() : fallback;
}

std::vector<size_t> JsonArrayElementOffsets(std::string_view doc, std::string_view key) {
  size_t i = 0;
  if (doc.starts_with("\xEF\xBB\xBF")) i = 3;  // a UTF-8 BOM, which nlohmann skips
  i = SkipSpace(doc, i);
  if (i >= doc.size()) return {};
  if (key.empty()) return doc[i] == '[' ? ElementOffsets(doc, i) : std::vector<size_t>{};
  if (doc[i] != '{') return {};
  std::vector<size_t> out;
  i = SkipSpace(doc, i + 1);
  while (i < doc.size() && doc[i] == '"') {
    size_t end = SkipString(doc, i);
    std::string_view name = doc.substr(i + 1, end >= i + 2 ? end - i - 2 : 0);
    bool match = name == key;
    if (!match && name.find('\\') != std::string_view::npos) {
      // A key spelled with escapes ("\u0069tems"): decoded as nlohmann decodes it.
      json decoded = json::parse(doc.substr(i, end - i), nullptr, /*allow_exceptions=*/false);
      match = decoded.is_string() && decoded.get_ref<const std::string&>() == key;
    }
    i = SkipSpace(doc, end);
    if (i >= doc.size() || doc[i] != ':') break;
    i = SkipSpace(doc, i + 1);
    if (match)
      out = i < doc.size() && doc[i] == '[' ? ElementOffsets(doc, i) : std::vector<size_t>{};
    i = SkipSpace(doc, SkipValue(doc, i));
    if (i >= doc.size() || doc[i] != ',') break;
    i = SkipSpace(doc, i + 1);
  }
  return out;
}

}  // namespace kiriwake
