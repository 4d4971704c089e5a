// tests/free_port.h: a port for a server a test starts, as the kernel hands one out.
#ifndef KIRIWAKE_TESTS_FREE_PORT_H_
#define KIRIWAKE_TESTS_FREE_PORT_H_

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

}  // namespace kiriwake::testing

#endif  // KIRIWAKE_TESTS_FREE_PORT_H_
