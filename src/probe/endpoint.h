// probe/endpoint.h: an IPv4 or IPv6 socket address as a value, parsed from "ADDR", "ADDR:PORT"
// or "[V6]:PORT" without DNS (names are resolved by the CLI, never inside the prober).
// Value type; thread-compatible.
#ifndef KIRIWAKE_PROBE_ENDPOINT_H_
#define KIRIWAKE_PROBE_ENDPOINT_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace kiriwake::probe {

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;

  int family() const { return addr.ss_family; }
  uint16_t port() const;
  void set_port(uint16_t port);
  // Address only ("10.0.0.1", "fe80::1"), and with port ("10.0.0.1:862", "[fe80::1]:862").
  std::string AddressString() const;
  std::string ToString() const;
  // Same address (ignoring port).
  bool SameAddress(const Endpoint& other) const;
  // A hash of the address only, for per-source tables.
  uint64_t AddressHash() const;
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&addr); }
  sockaddr* sa() { return reinterpret_cast<sockaddr*>(&addr); }
};

// Parses a numeric address with an optional port; `default_port` when none is given.
Result<Endpoint> ParseEndpoint(std::string_view text, uint16_t default_port);
// Resolves a host name or numeric address (getaddrinfo, IPv4 first). For the CLI only.
Result<Endpoint> ResolveEndpoint(std::string_view text, uint16_t default_port);

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_ENDPOINT_H_
