// tests/free_port.h: a port for a server a test starts, as the kernel hands one out.
#ifndef KIRIWAKE_TESTS_FREE_PORT_H_
#define KIRIWAKE_TESTS_FREE_PORT_H_

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kiriwake::testing {

// A port nothing listens on for both UDP and TCP on any address, as the kernel hands one out,
// for a daemon the test starts: a fixed port collides with a second test run on the same
// machine (a developer's ctest while CI runs). The port is free when this returns; another
// process could take it before the daemon binds, which the kernel's ephemeral-port rotation
// makes unlikely. 0 when no socket could be bound.
inline int FreePort() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t len = sizeof a;
    int port = 0;
    if (udp >= 0 && tcp >= 0 && ::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len) == 0 &&
        ::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      port = ntohs(a.sin_port);
    }
    if (udp >= 0) ::close(udp);
    if (tcp >= 0) ::close(tcp);
    if (port != 0) return port;
  }
  return 0;
}

// Waits, at most `limit`, until a UDP socket is bound to `port` on IPv4 (/proc/net/udp): a
// responder the test started is ready for probes. A fixed sleep was not enough under ASan on a
// loaded machine (the first probe refused). Reading /proc rather than trying to bind the port
// never takes it from the daemon in the moment it binds.
inline bool WaitUntilUdpBound(int port,
                              std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  char needle[16];
  std::snprintf(needle, sizeof needle, ":%04X ", port);
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    std::ifstream f("/proc/net/udp");
    for (std::string line; std::getline(f, line);) {
      // "  sl  local_address rem_address ...": the local address is the second field.
      size_t local = line.find(':');
      if (local == std::string::npos) continue;
      size_t start = line.find_first_not_of(' ', local + 1);
      size_t end = line.find(' ', start);
      if (start == std::string::npos || end == std::string::npos) continue;
      if ((line.substr(start, end - start) + " ").find(needle) != std::string::npos) return true;
    }
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace kiriwake::testing

#endif  // KIRIWAKE_TESTS_FREE_PORT_H_
