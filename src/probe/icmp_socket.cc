#include "probe/icmp_socket.h"

#include <netinet/ip.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace kiriwake::probe {

namespace {
constexpr size_t kIcmpHeader = 8;

int ErrnoForIcmp(uint8_t type, uint8_t code) {
  if (type == ICMP_TIME_EXCEEDED) return EHOSTUNREACH;
  if (type != ICMP_DEST_UNREACH) return EPROTO;
  switch (code) {
    case ICMP_NET_UNREACH: return ENETUNREACH;
    case ICMP_HOST_UNREACH: return EHOSTUNREACH;
    case ICMP_PORT_UNREACH: return ECONNREFUSED;
    case ICMP_FRAG_NEEDED: return EMSGSIZE;
    default: return EHOSTUNREACH;
  }
}
}  // namespace

uint16_t InternetChecksum(const uint8_t* data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
  if (len & 1) sum += uint32_t{data[len - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Result<std::unique_ptr<IcmpSocket>> IcmpSocket::Open(const Endpoint& bind,
                                                     const std::string& device) {
  bool raw = false;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0) {
    fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) {
      return Status::FromErrno(
          "ICMP socket (needs CAP_NET_RAW, or your group in net.ipv4.ping_group_range)", errno);
    }
    raw = true;
  }
  auto fail = [fd](std::string_view what) {
    int e = errno;
    ::close(fd);
    return Status::FromErrno(what, e);
  };
  int one = 1;
  if (!device.empty() &&
      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.data(), device.size()) != 0) {
    return fail("SO_BINDTODEVICE " + device);
  }
  if (!raw) setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
  if (raw) {
    // Only echo replies and the errors that quote our echoes reach us (as ping does): a raw
    // socket otherwise also reads every echo request this host receives.
    // <linux/icmp.h>'s ICMP_FILTER (1) and struct icmp_filter clash with <netinet/ip_icmp.h>.
    constexpr int kIcmpFilter = 1;
    uint32_t blocked = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED));
    setsockopt(fd, SOL_RAW, kIcmpFilter, &blocked, sizeof blocked);
  }
  int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  }
  int rcvbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  Endpoint b = bind;
  if (b.len == 0) {
    b.addr.ss_family = AF_INET;
    b.len = sizeof(sockaddr_in);
  }
  if (b.family() != AF_INET) {
    ::close(fd);
    return Status::Usage("ICMP probes are IPv4 only for now");
  }
  b.set_port(0);
  if (::bind(fd, b.sa(), b.len) != 0) return fail("bind " + b.AddressString());
  Endpoint local;
  local.len = sizeof local.addr;
  getsockname(fd, local.sa(), &local.len);
  uint16_t id = static_cast<uint16_t>(std::random_device{}());
  return std::unique_ptr<IcmpSocket>(new IcmpSocket(fd, raw, id, local));
}

IcmpSocket::~IcmpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

size_t IcmpSocket::Send(std::span<const OutDatagram> out, int* err) {
  *err = 0;
  // Batches of 64 through sendmmsg, like UdpSocket: one syscall per batch, not per echo.
  constexpr size_t kBatch = 64;
  constexpr size_t kMax = kIcmpHeader + kHeaderSize + kMacSize + 64;
  size_t done = 0;
  while (done < out.size()) {
    size_t n = std::min(kBatch, out.size() - done);
    uint8_t bufs[kBatch][kMax];
    Endpoint to[kBatch];
    iovec iov[kBatch];
    mmsghdr msgs[kBatch];
    for (size_t i = 0; i < n; ++i) {
      const OutDatagram& d = out[done + i];
      uint8_t* buf = bufs[i];
      size_t len = std::min(d.len, kMax - kIcmpHeader);  // the probe header is all we need back
      buf[0] = ICMP_ECHO;
      buf[1] = 0;
      buf[2] = buf[3] = 0;
      buf[4] = static_cast<uint8_t>(id_ >> 8);
      buf[5] = static_cast<uint8_t>(id_);
      uint16_t seq = next_seq_++;
      buf[6] = static_cast<uint8_t>(seq >> 8);
      buf[7] = static_cast<uint8_t>(seq);
      std::memcpy(buf + kIcmpHeader, d.data, len);
      uint16_t sum = InternetChecksum(buf, kIcmpHeader + len);  // ping sockets recompute it
      buf[2] = static_cast<uint8_t>(sum >> 8);
      buf[3] = static_cast<uint8_t>(sum);
      to[i] = d.to;
      to[i].set_port(0);
      iov[i] = {buf, kIcmpHeader + len};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = to[i].sa();
      msgs[i].msg_hdr.msg_namelen = to[i].len;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int rc;
    do {
      rc = ::sendmmsg(fd_, msgs, static_cast<unsigned>(n), 0);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
      *err = errno;
      return done;
    }
    done += static_cast<size_t>(rc);
  }
  return done;
}

size_t IcmpSocket::Receive(std::span<InDatagram> in) {
  constexpr size_t kBatch = 64;
  constexpr size_t kBuf = 1600;
  size_t got = 0;
  for (int rounds = 0; got < in.size() && rounds < 8; ++rounds) {
    size_t n = std::min(kBatch, in.size() - got);
    if (receive_buf_.empty()) receive_buf_.resize(kBatch * kBuf);
    auto bufs = reinterpret_cast<uint8_t(*)[kBuf]>(receive_buf_.data());
    alignas(cmsghdr) char control[kBatch][256];
    Endpoint from[kBatch];
    iovec iov[kBatch];
    mmsghdr msgs[kBatch];
    for (size_t i = 0; i < n; ++i) {
      iov[i] = {bufs[i], kBuf};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = from[i].sa();
      msgs[i].msg_hdr.msg_namelen = sizeof from[i].addr;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    int rc;
    do {
      rc = ::recvmmsg(fd_, msgs, static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
    } while (rc < 0 && errno == EINTR);
    if (rc <= 0) break;
    for (int k = 0; k < rc && got < in.size(); ++k) {
      InDatagram& d = in[got];
      d.from = from[k];
      d.from.len = msgs[k].msg_hdr.msg_namelen;
      const uint8_t* p = bufs[k];
      size_t len = msgs[k].msg_len;
      if (raw_) {  // raw sockets deliver the IP header
        if (len < 20) continue;
        size_t ihl = size_t{static_cast<uint8_t>(p[0] & 0x0f)} * 4;
        if (len < ihl + kIcmpHeader) continue;
        p += ihl;
        len -= ihl;
      }
      if (len < kIcmpHeader) continue;
      uint8_t type = p[0];
      d.is_error = false;
      d.rx_realtime_ns = ControlTimestampNs(&msgs[k].msg_hdr);
      if (type == ICMP_ECHOREPLY) {
        uint16_t id = static_cast<uint16_t>((p[4] << 8) | p[5]);
        if (raw_ && id != id_) continue;  // someone else's ping
        d.len = std::min(len - kIcmpHeader, d.data.size());
        std::memcpy(d.data.data(), p + kIcmpHeader, d.len);
        ++got;
      } else if (raw_ && (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED)) {
        // Quoted: inner IP header, our ICMP echo header, and (Linux quotes up to 576 bytes) our
        // probe payload.
        const uint8_t* q = p + kIcmpHeader;
        size_t qn = len - kIcmpHeader;
        if (qn < 20) continue;
        size_t ihl = size_t{static_cast<uint8_t>(q[0] & 0x0f)} * 4;
        if (qn < ihl + kIcmpHeader || q[ihl] != ICMP_ECHO) continue;
        uint16_t id = static_cast<uint16_t>((q[ihl + 4] << 8) | q[ihl + 5]);
        if (id != id_) continue;
        d.offender = d.from;
        d.is_error = true;
        d.icmp_type = type;
        d.icmp_code = p[1];
        d.error_errno = ErrnoForIcmp(type, p[1]);
        d.len = std::min(qn - ihl - kIcmpHeader, d.data.size());
        std::memcpy(d.data.data(), q + ihl + kIcmpHeader, d.len);
        ++got;
      }
    }
    if (static_cast<size_t>(rc) < n) break;  // drained
  }
  return got;
}

size_t IcmpSocket::ReceiveErrors(std::span<InDatagram> in) {
  if (raw_) return 0;  // raw sockets see ICMP errors as ordinary messages (Receive)
  size_t got = 0;
  while (got < in.size()) {
    uint8_t buf[2048];
    InDatagram& d = in[got];
    std::optional<size_t> n = ReceiveQueuedError(fd_, buf, &d);
    if (!n) break;
    if (*n < kIcmpHeader) continue;  // ping sockets return our echo from its ICMP header
    d.len = std::min(*n - kIcmpHeader, d.data.size());
    std::memcpy(d.data.data(), buf + kIcmpHeader, d.len);
    d.rx_realtime_ns = 0;
    ++got;
  }
  return got;
}

}  // namespace kiriwake::probe
