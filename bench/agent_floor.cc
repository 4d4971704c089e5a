// bench/agent_floor.cc: the kernel floor under bench/probe.sh section 2. Does only the datagram
// traffic of `kiriwake agent` with PEERS peers at 1 probe/s each, answered by itself: one prober
// socket and one responder socket (0.0.0.0:PORT) with the agent's socket options (SO_TIMESTAMPING
// software RX stamps, IP_PKTINFO so replies leave from the probed address, IP_RECVERR, 1 MiB
// receive buffer), 56-byte requests and replies, due probes sent in one sendmmsg per wake with
// the agent's 20 ms slack, everything waiting drained with recvmmsg in the same wake. No
// bookkeeping, no storage, no metrics: what is left is the kernel's cost of the traffic plus the
// fewest syscalls that can carry it, the part of the agent's CPU no user-space change removes.
//   build/release/agent_floor [PEERS=1000] [PORT=18792] [SECONDS=0 (until SIGTERM)]
// Peers are 127.0.1.1 upwards (250 per /24 from 127.0.1.x), as bench/probe.sh's agent peers.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include <arpa/inet.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr size_t kBatch = 64;
constexpr size_t kPacket = 56;  // probe/probe_packet.h kHeaderSize: an unkeyed request or reply
constexpr int64_t kSlackNs = 20'000'000;
constexpr int64_t kIntervalNs = 1'000'000'000;

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int64_t Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int OpenSocket(uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) {
    perror("socket");
    std::exit(2);
  }
  int one = 1, rcvbuf = 1 << 20;
  int stamp = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
  setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &stamp, sizeof stamp);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    perror("bind");
    std::exit(2);
  }
  return fd;
}

// Receive buffers for one recvmmsg batch, with room for the timestamp and pktinfo controls.
struct RecvBatch {
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  sockaddr_in from[kBatch];
  uint8_t data[kBatch][1500];
  alignas(cmsghdr) char control[kBatch][256];
  int Receive(int fd) {
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = {data[i], sizeof data[i]};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    int n = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
    return n < 0 ? 0 : n;
  }
};

// Answers every request waiting on the responder socket from the address it was sent to.
uint64_t Respond(int fd, RecvBatch* in) {
  uint64_t replied = 0;
  int n;
  while ((n = in->Receive(fd)) > 0) {
    mmsghdr out[kBatch];
    alignas(cmsghdr) char control[kBatch][CMSG_SPACE(sizeof(in_pktinfo))];
    for (int i = 0; i < n; ++i) {
      in_pktinfo dst{};
      for (cmsghdr* c = CMSG_FIRSTHDR(&in->msgs[i].msg_hdr); c != nullptr;
           c = CMSG_NXTHDR(&in->msgs[i].msg_hdr, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          std::memcpy(&dst, CMSG_DATA(c), sizeof dst);
        }
      }
      in->iov[i].iov_len = std::min<size_t>(in->msgs[i].msg_len, kPacket);
      out[i] = {};
      out[i].msg_hdr.msg_name = &in->from[i];
      out[i].msg_hdr.msg_namelen = sizeof in->from[i];
      out[i].msg_hdr.msg_iov = &in->iov[i];
      out[i].msg_hdr.msg_iovlen = 1;
      out[i].msg_hdr.msg_control = control[i];
      out[i].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
      cmsghdr* c = CMSG_FIRSTHDR(&out[i].msg_hdr);
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
      in_pktinfo pi{};
      pi.ipi_spec_dst = dst.ipi_addr;
      std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    }
    int sent = sendmmsg(fd, out, static_cast<unsigned>(n), 0);
    if (sent > 0) replied += static_cast<uint64_t>(sent);
    if (n < static_cast<int>(kBatch)) break;
  }
  return replied;
}

}  // namespace

int main(int argc, char** argv) {
  size_t peers = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
  uint16_t port = static_cast<uint16_t>(argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 18792);
  double seconds = argc > 3 ? std::strtod(argv[3], nullptr) : 0;
  if (peers == 0 || peers > 250 * 250) {
    std::fprintf(stderr, "usage: agent_floor [PEERS=1000] [PORT=18792] [SECONDS=0]\n");
    return 2;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  int responder = OpenSocket(port);
  int prober = OpenSocket(0);
  std::vector<sockaddr_in> targets(peers);
  for (size_t i = 0; i < peers; ++i) {
    targets[i] = {};
    targets[i].sin_family = AF_INET;
    targets[i].sin_port = htons(port);
    uint32_t host = (127u << 24) | ((1 + static_cast<uint32_t>(i / 250)) << 8) |
                    (1 + static_cast<uint32_t>(i % 250));
    targets[i].sin_addr.s_addr = htonl(host);
  }
  // Target i is due at start + i/peers of an interval, then every interval: the agent's
  // staggered schedule without its jitter (jitter moves sends, it does not add any).
  int64_t start = Now();
  uint64_t next = 0;  // index of the next probe overall (target = next % peers)
  uint64_t sent = 0, received = 0, replied = 0;
  RecvBatch in;
  uint8_t request[kPacket] = {'K', 'W'};
  while (!g_stop) {
    int64_t now = Now();
    if (seconds > 0 && now - start > static_cast<int64_t>(seconds * 1e9)) break;
    replied += Respond(responder, &in);
    int n;
    while ((n = in.Receive(prober)) > 0) {
      received += static_cast<uint64_t>(n);
      if (n < static_cast<int>(kBatch)) break;
    }
    auto due_at = [&](uint64_t k) {
      return start + static_cast<int64_t>(k / peers) * kIntervalNs +
             static_cast<int64_t>(k % peers) * kIntervalNs / static_cast<int64_t>(peers);
    };
    while (due_at(next) <= now + kSlackNs) {
      mmsghdr out[kBatch];
      iovec iov{request, sizeof request};
      unsigned m = 0;
      for (; m < kBatch && due_at(next) <= now + kSlackNs; ++m, ++next) {
        out[m] = {};
        out[m].msg_hdr.msg_name = &targets[next % peers];
        out[m].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        out[m].msg_hdr.msg_iov = &iov;
        out[m].msg_hdr.msg_iovlen = 1;
      }
      int rc = sendmmsg(prober, out, m, 0);
      if (rc > 0) sent += static_cast<uint64_t>(rc);
    }
    int64_t wait = std::max<int64_t>(0, due_at(next) - Now());
    timespec ts{wait / 1'000'000'000, wait % 1'000'000'000};
    nanosleep(&ts, nullptr);
  }
  std::printf("agent_floor: %zu peers, %llu probes sent, %llu replies sent, %llu replies read\n",
              peers, static_cast<unsigned long long>(sent),
              static_cast<unsigned long long>(replied), static_cast<unsigned long long>(received));
  close(responder);
  close(prober);
  return 0;
}
