// agent/agent_config.h: agent.yaml, the agent's whole configuration (README.md, "kiriwake agent", lists every
// key). Parsing is a pure function of the bytes (yaml-cpp is caught here and turned into a
// Status with file:line:col); unknown keys are errors so a typo never silently disables a
// setting. Value types; thread-compatible.
#ifndef KIRIWAKE_AGENT_AGENT_CONFIG_H_
#define KIRIWAKE_AGENT_AGENT_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "probe/endpoint.h"
#include "util/result.h"

namespace kiriwake::agent {

struct AgentPeer {
  std::string name;
  probe::Endpoint address;  // with the port for udp/tcp
  std::string network;      // "" = the default network
  std::string proto = "udp";  // udp | icmp | tcp
  int line = 0;             // where it was declared, for messages
};

struct AgentNetwork {
  std::string name;
  probe::Endpoint source;  // empty: the kernel picks the source
  std::string device;      // SO_BINDTODEVICE when not empty
};

struct AgentConfig {
  std::string name;                         // this host in observations (default: hostname)
  std::string listen = "0.0.0.0:8623";      // the responder; "" disables it
  std::string http = "127.0.0.1:9623";      // /metrics, /api/v1/observations, /healthz; "" off
  std::string db = "/var/lib/kiriwake/history.db";
  std::string key_file;                     // shared HMAC key for probes and the responder
  double interval_ms = 1000;
  double timeout_ms = 1000;
  double aggregate_seconds = 60;            // the per-minute aggregates' window
  double raw_retention_hours = 24;
  double aggregate_retention_days = 30;
  double max_rate_pps = 5000;               // overall cap across all peers
  std::vector<AgentNetwork> networks;
  std::vector<AgentPeer> peers;
};

// Parses agent.yaml text; `file` names it in errors.
Result<AgentConfig> ParseAgentConfig(std::string_view yaml, std::string_view file);
// Reads and parses a file.
Result<AgentConfig> LoadAgentConfig(const std::string& path);

// The hook for topology-derived peers (issue 6): every endpoint on every network that `self` is
// on, from a topology file. The topology model is another helper's; until the lead wires it this
// returns kUnavailable and the agent says so.
Result<AgentConfig> AgentConfigFromTopology(const std::string& topology_path,
                                            const std::string& self);

}  // namespace kiriwake::agent

#endif  // KIRIWAKE_AGENT_AGENT_CONFIG_H_
