// probe/responder.h: answers kiriwake probe requests (probe/probe_packet.h) with a reply carrying
// its receive and send timestamps and how many requests it has received from that sender id.
//
// Safety (issue 6): never an amplifier (a reply is never larger than its request, checked again
// before every send), a token bucket per source address, malformed, foreign, unauthenticated and
// reply-type packets ignored and counted, an optional HMAC key. Per-source and per-sender tables
// are bounded (entries idle for a minute are evicted first; when still full, new sources are
// refused and counted). Not thread-safe: one Responder per socket and thread.
#ifndef KIRIWAKE_PROBE_RESPONDER_H_
#define KIRIWAKE_PROBE_RESPONDER_H_

#include <atomic>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "probe/clock.h"
#include "probe/datagram_socket.h"
#include "probe/probe_packet.h"
#include "util/status.h"

namespace kiriwake::probe {

struct ResponderOptions {
  ProbeKey key;
  // 2,000 replies/s and a burst of 200 per source: 10× an agent probing 200 peers' worth of
  // networks at 1/s from one address, and far below what would make us useful for a flood.
  double per_source_rate_pps = 2000;
  double per_source_burst = 200;
  size_t max_sources = 65536;
  size_t max_senders = 65536;
};

struct ResponderCounters {
  uint64_t received = 0;
  uint64_t replied = 0;
  uint64_t malformed[8] = {};       // by DecodeError
  uint64_t not_request = 0;         // replies and other types: never answered (no reflection loops)
  uint64_t rate_limited = 0;
  uint64_t table_full = 0;
  uint64_t amplification_guard = 0; // replies that would have been larger than the request
  uint64_t send_errors = 0;
  uint64_t Malformed() const {
    uint64_t n = 0;
    for (uint64_t m : malformed) n += m;
    return n;
  }
};

class Responder {
 public:
  Responder(ResponderOptions options, Clock* clock, DatagramSocket* socket);

  // Answers the requests among `in` (one sendmmsg for the batch).
  void Handle(std::span<InDatagram> in);
  // Drains the socket into Handle().
  void Poll();
  // epoll loop until *stop.
  Status Run(const std::atomic<bool>* stop);

  const ResponderCounters& counters() const { return counters_; }
  void set_key(ProbeKey key) { opt_.key = std::move(key); }

 private:
  struct Bucket {
    double tokens;
    int64_t at_ns;
  };
  struct SenderCount {
    uint64_t count;
    int64_t at_ns;
  };
  bool Admit(const Endpoint& from, int64_t now);
  template <typename Map>
  void Evict(Map* map, int64_t now);

  ResponderOptions opt_;
  Clock* clock_;
  DatagramSocket* socket_;
  ResponderCounters counters_;
  std::unordered_map<uint64_t, Bucket> buckets_;
  std::unordered_map<uint64_t, SenderCount> senders_;
  std::vector<uint8_t> out_bytes_;
  std::vector<OutDatagram> out_;
  std::vector<InDatagram> in_buf_;
};

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_RESPONDER_H_
