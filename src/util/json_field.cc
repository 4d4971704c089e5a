#include "util/json_field.h"

#include <cstdint>
#include <optional>

#include "util/text.h"

namespace kiriwake {

using nlohmann::json;

namespace {

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

}  // namespace kiriwake
