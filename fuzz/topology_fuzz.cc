// libFuzzer entry for the topology YAML parser and validator (model::ParseTopology).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/path.h"
#include "model/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = kiriwake::model::ParseTopology(text, "fuzz.yaml");
  if (t.ok() && t->hosts().size() >= 2 && !t->networks().empty()) {
    // Whatever loads must also yield paths (or a clean error) for its first pair.
    kiriwake::model::PathFinder f(*t);
    auto p = f.Find({kiriwake::model::Endpoint::Kind::kHost, 0},
                    {kiriwake::model::Endpoint::Kind::kHost, 1}, 0);
    (void)p.ok();
  }
  return 0;
}
