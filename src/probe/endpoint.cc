#include "probe/endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "util/text.h"

namespace kiriwake::probe {

uint16_t Endpoint::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

void Endpoint::set_port(uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(port);
}

std::string Endpoint::AddressString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, buf, sizeof buf);
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, buf, sizeof buf);
  } else {
    return "?";
  }
  return buf;
}

std::string Endpoint::ToString() const {
  if (family() == AF_INET6) return fmt::format("[{}]:{}", AddressString(), port());
  return fmt::format("{}:{}", AddressString(), port());
}

bool Endpoint::SameAddress(const Endpoint& o) const {
  if (family() != o.family()) return false;
  if (family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in*>(&o.addr)->sin_addr.s_addr;
  }
  if (family() == AF_INET6) {
    return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr,
                       &reinterpret_cast<const sockaddr_in6*>(&o.addr)->sin6_addr, 16) == 0;
  }
  return false;
}

uint64_t Endpoint::AddressHash() const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  if (family() == AF_INET) mix(&reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, 4);
  if (family() == AF_INET6) mix(&reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, 16);
  return h;
}

Result<Endpoint> ParseEndpoint(std::string_view text, uint16_t default_port) {
  std::string host(text);
  uint16_t port = default_port;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Status::Usage(fmt::format("expected ']' in address \"{}\"", text));
    }
    host = std::string(text.substr(1, close - 1));
    std::string_view rest = text::Clipped(text, close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Status::Usage(fmt::format("bad address \"{}\"", text));
      port_text = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    size_t colon = text.find(':');
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (!port_text.empty() || (text.size() > 0 && text.back() == ':')) {
    auto p = text::ParseUint(port_text);
    if (!p || *p == 0 || *p > 65535) {
      return Status::Usage(fmt::format("expected a port 1-65535 in \"{}\"", text));
    }
    port = static_cast<uint16_t>(*p);
  }
  Endpoint e;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&e.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&e.addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    e.len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    e.len = sizeof(sockaddr_in6);
  } else {
    return Status::Usage(fmt::format("expected a numeric IPv4 or IPv6 address, saw \"{}\"", host));
  }
  e.set_port(port);
  return e;
}

Result<Endpoint> ResolveEndpoint(std::string_view text, uint16_t default_port) {
  auto numeric = ParseEndpoint(text, default_port);
  if (numeric.ok()) return numeric;
  std::string host(text);
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    return Status::NotFound(fmt::format("cannot resolve \"{}\": {}", host, gai_strerror(rc)));
  }
  Endpoint e;
  const addrinfo* pick = res;
  for (const addrinfo* a = res; a; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  }
  std::memcpy(&e.addr, pick->ai_addr, pick->ai_addrlen);
  e.len = pick->ai_addrlen;
  freeaddrinfo(res);
  e.set_port(default_port);
  return e;
}

}  // namespace kiriwake::probe
