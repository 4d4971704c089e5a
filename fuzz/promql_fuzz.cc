// libFuzzer target: the Prometheus HTTP API answer parsers (vector, matrix, label values), and
// the streamed vector reader against the document reader: they must agree on every input.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/promql_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto fast = kiriwake::ingest::ParsePromVector(body, "fuzz");
  auto doc = kiriwake::ingest::ParsePromVectorDocument(body, "fuzz");
  if (fast.ok() != doc.ok()) __builtin_trap();
  if (fast.ok()) {
    if (fast->samples.size() != doc->samples.size() || fast->warnings != doc->warnings) {
      __builtin_trap();
    }
    for (size_t i = 0; i < fast->samples.size(); ++i) {
      const auto& a = fast->samples[i];
      const auto& b = doc->samples[i];
      bool same_value = a.value == b.value || (std::isnan(a.value) && std::isnan(b.value));
      if (a.labels != b.labels || a.time_s != b.time_s || !same_value) __builtin_trap();
    }
  } else if (fast.status().ToString() != doc.status().ToString()) {
    __builtin_trap();
  }
  (void)kiriwake::ingest::ParsePromMatrix(body, "fuzz");
  (void)kiriwake::ingest::ParsePromStrings(body, "fuzz");
  return 0;
}
