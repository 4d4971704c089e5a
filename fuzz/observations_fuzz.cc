// libFuzzer entry for the observations parser (JSON Lines and ping-log --json documents),
// against the seed incident's lab; what parses is also localized.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "infer/localize.h"
#include "model/observation.h"
#include "model/topology.h"
#include "model/topology_gen.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kiriwake::model::Topology* topology = [] {
    auto t = kiriwake::model::Topology::Build(kiriwake::model::SeedHomeLab());
    return new kiriwake::model::Topology(std::move(t).value());
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kiriwake::model::ObservationOptions options;
  options.lenient = size % 2 == 1;
  options.src = size % 3 == 0 ? "esxi1" : "";
  auto obs = kiriwake::model::ParseObservations(text, "fuzz.jsonl", *topology, options);
  if (obs.ok() && !obs->observations.empty() && obs->observations.size() < 200) {
    auto r = kiriwake::infer::Localize(*topology, obs->observations, {});
    (void)r.ok();
  }
  return 0;
}
