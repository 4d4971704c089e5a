// probe/icmp_socket.h: ICMP echo as a DatagramSocket, for targets that run no responder
// (switches, appliances, VMs you cannot touch). Each kiriwake probe request (probe_packet.h) is
// sent as the payload of an ICMP echo request; the echo reply brings it back unchanged, so the
// Prober runs in ProbeMode::kEcho with the same timeouts, late/duplicate/reorder rules. ICMP
// errors quoting our echo (unreachable, time exceeded) become error entries.
//
// Opens a "ping socket" (SOCK_DGRAM/IPPROTO_ICMP, no privilege needed when
// net.ipv4.ping_group_range allows our group) and falls back to a raw socket (CAP_NET_RAW).
// IPv4 only for now. Owns its fd; not synchronised.
#ifndef KIRIWAKE_PROBE_ICMP_SOCKET_H_
#define KIRIWAKE_PROBE_ICMP_SOCKET_H_

#include <memory>
#include <string>
#include <vector>

#include "probe/datagram_socket.h"
#include "util/result.h"

namespace kiriwake::probe {

class IcmpSocket final : public DatagramSocket {
 public:
  // bind: source address (port ignored); device: SO_BINDTODEVICE when not empty.
  static Result<std::unique_ptr<IcmpSocket>> Open(const Endpoint& bind, const std::string& device);
  ~IcmpSocket() override;
  IcmpSocket(const IcmpSocket&) = delete;
  IcmpSocket& operator=(const IcmpSocket&) = delete;

  int fd() const override { return fd_; }
  size_t Send(std::span<const OutDatagram> out, int* err) override;
  size_t Receive(std::span<InDatagram> in) override;
  size_t ReceiveErrors(std::span<InDatagram> in) override;
  Endpoint LocalAddress() const override { return local_; }
  bool raw() const { return raw_; }

 private:
  IcmpSocket(int fd, bool raw, uint16_t id, Endpoint local)
      : fd_(fd), raw_(raw), id_(id), local_(local) {}
  int fd_;
  bool raw_;
  uint16_t id_;
  uint16_t next_seq_ = 0;
  Endpoint local_;
  // Receive()'s buffers (100 KB), allocated at its first call. Not a thread_local: that would be
  // zeroed, so resident, in every thread of every kiriwake process (the agent's HTTP threads).
  std::vector<uint8_t> receive_buf_;
};

// RFC 1071 Internet checksum.
uint16_t InternetChecksum(const uint8_t* data, size_t len);

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_ICMP_SOCKET_H_
