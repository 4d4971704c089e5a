// libFuzzer: a request target's query (util/url_query.h), as the agent's HTTP server reads it,
// must decode or name the column of a bad escape, never crash; decoding never grows the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/url_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto q = kiriwake::ParseUrlQuery(text, "fuzz");
  if (!q.ok()) {
    const auto& loc = q.status().loc();
    if (loc.file != "fuzz" || loc.column < 1 || static_cast<size_t>(loc.column) > size) {
      __builtin_trap();
    }
    if (text[static_cast<size_t>(loc.column - 1)] != '%') __builtin_trap();
    return 0;
  }
  size_t decoded = 0;
  for (const auto& [name, value] : q->params) decoded += name.size() + value.size();
  if (decoded > size) __builtin_trap();
  return 0;
}
