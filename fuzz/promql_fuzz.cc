// libFuzzer target: the Prometheus HTTP API answer parsers (vector, matrix, label values).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/promql_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)kiriwake::ingest::ParsePromVector(body, "fuzz");
  (void)kiriwake::ingest::ParsePromMatrix(body, "fuzz");
  (void)kiriwake::ingest::ParsePromStrings(body, "fuzz");
  return 0;
}
