// libFuzzer: agent.yaml parsing (agent/agent_config.h) must return a config or a located error,
// never throw or crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/agent_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = kiriwake::agent::ParseAgentConfig(text, "fuzz.yaml");
  if (!c.ok() && c.status().loc().file != "fuzz.yaml") __builtin_trap();
  return 0;
}
