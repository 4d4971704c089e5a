// tests/probe/fake_network.h: a simulated wire for prober/responder unit tests. Every datagram's
// fate (dropped, delayed, duplicated, answered with an ICMP error) is decided by a policy the test
// sets; time is a FakeClock the test advances. No real sockets, no sleeps.
#ifndef KIRIWAKE_TESTS_PROBE_FAKE_NETWORK_H_
#define KIRIWAKE_TESTS_PROBE_FAKE_NETWORK_H_

#include <algorithm>
#include <cerrno>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "probe/clock.h"
#include "probe/datagram_socket.h"
#include "probe/probe_packet.h"

namespace kiriwake::probe {

struct Fate {
  bool drop = false;
  int64_t delay_ns = 100'000;  // 0.1 ms one way
  int copies = 1;
  int icmp_errno = 0;  // when set, the sender gets this error instead of delivery
};

class FakeWire;

class FakeSocket final : public DatagramSocket {
 public:
  FakeSocket(FakeWire* wire, Endpoint local) : wire_(wire), local_(local) {}
  int fd() const override { return -1; }
  size_t Send(std::span<const OutDatagram> out, int* err) override;
  size_t Receive(std::span<InDatagram> in) override {
    size_t n = 0;
    while (n < in.size() && !inbox.empty()) {
      in[n++] = inbox.front();
      inbox.pop_front();
    }
    return n;
  }
  size_t ReceiveErrors(std::span<InDatagram> in) override {
    size_t n = 0;
    while (n < in.size() && !errors.empty()) {
      in[n++] = errors.front();
      errors.pop_front();
    }
    return n;
  }
  Endpoint LocalAddress() const override { return local_; }

  std::deque<InDatagram> inbox, errors;
  std::vector<size_t> sent_sizes;
  int fail_sends_with = 0;  // errno for every send when set

 private:
  FakeWire* wire_;
  Endpoint local_;
};

class FakeWire {
 public:
  explicit FakeWire(FakeClock* clock) : clock_(clock) {}
  void Attach(FakeSocket* s) { sockets_[s->LocalAddress().ToString()] = s; }
  // Decides each datagram's fate: (from, to, decoded packet or nullptr) -> Fate.
  std::function<Fate(const Endpoint&, const Endpoint&, const ProbePacket*)> policy;

  void Transmit(FakeSocket* from, const OutDatagram& d) {
    ProbePacket p;
    DecodeError e;
    // Decode with MAC verification off by decoding the header fields only.
    bool ok = DecodeForPolicy(d, &p, &e);
    Fate f = policy ? policy(from->LocalAddress(), d.to, ok ? &p : nullptr) : Fate{};
    if (f.icmp_errno != 0) {
      InDatagram err;
      std::copy(d.data, d.data + d.len, err.data.begin());
      err.len = d.len;
      err.from = d.to;
      err.is_error = true;
      err.error_errno = f.icmp_errno;
      err.icmp_type = 3;
      err.icmp_code = 3;
      pending_.push_back({clock_->MonotonicNs() + f.delay_ns, from, err});
      return;
    }
    if (f.drop) return;
    auto it = sockets_.find(d.to.ToString());
    if (it == sockets_.end()) return;
    for (int c = 0; c < f.copies; ++c) {
      InDatagram in;
      std::copy(d.data, d.data + d.len, in.data.begin());
      in.len = d.len;
      in.from = from->LocalAddress();
      pending_.push_back({clock_->MonotonicNs() + f.delay_ns + c, it->second, in});
    }
  }

  // Moves every datagram whose time has come into its socket, in delivery-time order.
  void Deliver() {
    int64_t now = clock_->MonotonicNs();
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const Pending& a, const Pending& b) { return a.at_ns < b.at_ns; });
    size_t i = 0;
    for (; i < pending_.size() && pending_[i].at_ns <= now; ++i) {
      InDatagram d = pending_[i].d;
      d.rx_realtime_ns = clock_->RealtimeNs();
      if (d.is_error) {
        pending_[i].to->errors.push_back(d);
      } else {
        pending_[i].to->inbox.push_back(d);
      }
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(i));
  }

 private:
  static bool DecodeForPolicy(const OutDatagram& d, ProbePacket* p, DecodeError* e) {
    // The policy sees seq and type; a keyed packet is decoded as if unkeyed by clearing its flag.
    if (d.len < kHeaderSize) return false;
    std::array<uint8_t, kHeaderSize> copy{};
    std::copy(d.data, d.data + kHeaderSize, copy.begin());
    copy[6] = 0;
    return DecodePacket(copy, ProbeKey{}, p, e);
  }
  struct Pending {
    int64_t at_ns;
    FakeSocket* to;
    InDatagram d;
  };
  FakeClock* clock_;
  std::map<std::string, FakeSocket*> sockets_;
  std::vector<Pending> pending_;
};

inline size_t FakeSocket::Send(std::span<const OutDatagram> out, int* err) {
  *err = 0;
  if (fail_sends_with != 0) {
    *err = fail_sends_with;
    return 0;
  }
  for (const OutDatagram& d : out) {
    sent_sizes.push_back(d.len);
    wire_->Transmit(this, d);
  }
  return out.size();
}

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_TESTS_PROBE_FAKE_NETWORK_H_
