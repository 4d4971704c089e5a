// probe/datagram_socket.h: the socket seam of the prober and responder (style guide §5.6).
// DatagramSocket moves batches of datagrams; UdpSocket is the real one (non-blocking, sendmmsg/
// recvmmsg, SO_TIMESTAMPING software RX timestamps with an SO_TIMESTAMPNS fallback, IP_RECVERR so
// ICMP unreachables arrive on the error queue). Tests substitute a fake that drops, delays,
// duplicates and reorders. A socket owns its fd and closes it; not synchronised.
#ifndef KIRIWAKE_PROBE_DATAGRAM_SOCKET_H_
#define KIRIWAKE_PROBE_DATAGRAM_SOCKET_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "probe/endpoint.h"
#include "probe/probe_packet.h"
#include "util/result.h"

namespace kiriwake::probe {

struct OutDatagram {
  Endpoint to;
  const uint8_t* data = nullptr;
  size_t len = 0;
  // Source address to send from (IP_PKTINFO) when the socket is bound to a wildcard; empty =
  // the kernel's choice. A responder answers from the address the probe was sent to, or a
  // prober probing 127.0.1.5 (or one of several addresses of a multi-homed peer) would see the
  // reply come from somewhere else.
  Endpoint from;
};

struct InDatagram {
  Endpoint from;
  std::array<uint8_t, kMaxPacketSize> data{};
  size_t len = 0;
  // CLOCK_REALTIME receive time from the kernel; 0 when the kernel gave none (the caller then
  // reads its clock).
  int64_t rx_realtime_ns = 0;
  // Error-queue entries (IP_RECVERR): the datagram we sent came back with an ICMP error.
  bool is_error = false;
  int error_errno = 0;      // e.g. ECONNREFUSED, EHOSTUNREACH
  uint8_t icmp_type = 0, icmp_code = 0;
  Endpoint offender;        // the router or host that sent the ICMP error
  Endpoint local;           // the address the datagram was sent to (IP_PKTINFO); may be empty
};

class DatagramSocket {
 public:
  virtual ~DatagramSocket() = default;
  // The fd to wait on (epoll), or -1 for fakes.
  virtual int fd() const = 0;
  // Sends from the front; returns how many were sent. When fewer than all, *err is the errno of
  // the first one that failed (the caller decides whether to skip it and retry the rest).
  virtual size_t Send(std::span<const OutDatagram> out, int* err) = 0;
  // Fills from the front; returns how many were received (0 when nothing is waiting).
  virtual size_t Receive(std::span<InDatagram> in) = 0;
  // Reads the error queue (ICMP errors for datagrams we sent); 0 when empty.
  virtual size_t ReceiveErrors(std::span<InDatagram> in) = 0;
  // The local address the socket is bound to.
  virtual Endpoint LocalAddress() const = 0;
};

struct UdpSocketOptions {
  Endpoint bind;           // address and port (0 = any port)
  std::string device;      // SO_BINDTODEVICE when not empty (needs CAP_NET_RAW)
  int receive_buffer_bytes = 4 << 20;  // room for a 200k probes/s burst between polls
  bool reuse_port = false;
};

// How RX timestamps are obtained: kernel software timestamps, the older SO_TIMESTAMPNS, or none.
enum class TimestampMode { kTimestamping, kTimestampNs, kUserSpace };
const char* TimestampModeName(TimestampMode m);

class UdpSocket final : public DatagramSocket {
 public:
  static Result<std::unique_ptr<UdpSocket>> Open(const UdpSocketOptions& options);
  ~UdpSocket() override;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  int fd() const override { return fd_; }
  size_t Send(std::span<const OutDatagram> out, int* err) override;
  size_t Receive(std::span<InDatagram> in) override;
  size_t ReceiveErrors(std::span<InDatagram> in) override;
  Endpoint LocalAddress() const override { return local_; }
  TimestampMode timestamp_mode() const { return ts_mode_; }

 private:
  UdpSocket(int fd, Endpoint local, TimestampMode mode) : fd_(fd), local_(local), ts_mode_(mode) {}
  int fd_;
  Endpoint local_;
  TimestampMode ts_mode_;
};

// Reads the CLOCK_REALTIME timestamp from a received message's control data; 0 when none.
int64_t ControlTimestampNs(const void* msghdr_ptr);

// Reads one entry of `fd`'s error queue (IP_RECVERR / IPV6_RECVERR) into `buf`, and sets d's
// sender (`from`), is_error, error_errno, ICMP type and code and offender (the rest of d is left
// to the caller, which knows what the bytes are). Returns the bytes read; nothing when the queue
// is empty or reading failed. Shared by the UDP and ICMP sockets.
std::optional<size_t> ReceiveQueuedError(int fd, std::span<uint8_t> buf, InDatagram* d);

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_DATAGRAM_SOCKET_H_
