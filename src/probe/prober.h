// probe/prober.h: the probing engine. Sends kiriwake probes (or ICMP echoes through an echo
// socket) to many targets on one socket, each on its own jittered schedule, and ends every probe
// exactly once as answered (with RTT), lost (its timeout passed), or errored (an ICMP error came
// back). A reply after the timeout is reported as late and the probe stays lost; extra replies are
// duplicates; a reply older than a later answered one is marked reordered. Nothing is dropped
// silently: foreign and malformed datagrams are counted.
//
// Time and I/O come through Clock and DatagramSocket, so tests drive the engine with a fake clock
// and a lossy fake socket (Tick/Handle) while Run() is the real epoll loop. Memory is a ring of
// in-flight slots per target (sized from timeout/interval) plus one FIFO of deadlines.
// Not thread-safe: one Prober per thread.
#ifndef KIRIWAKE_PROBE_PROBER_H_
#define KIRIWAKE_PROBE_PROBER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "probe/clock.h"
#include "probe/datagram_socket.h"
#include "probe/endpoint.h"
#include "probe/probe_packet.h"
#include "util/status.h"

namespace kiriwake::probe {

struct ProbeTarget {
  std::string name;     // as the user wrote it (host name or address)
  Endpoint address;     // with the responder's port for UDP
  std::string network;  // which network this path is on ("" when not said)
};

// Persisted in history.db and --json (as names): DO NOT renumber.
enum class ProbeOutcome : uint8_t {
  kAnswered = 0,
  kLost = 1,
  kErrored = 2,
  kLate = 3,       // a reply to a probe already counted lost
  kDuplicate = 4,  // an extra reply; not a probe
};
const char* ProbeOutcomeName(ProbeOutcome o);

struct ProbeEvent {
  size_t target = 0;
  uint64_t seq = 0;  // 1-based per target
  ProbeOutcome outcome = ProbeOutcome::kAnswered;
  int64_t sent_realtime_ns = 0;
  // Round trip minus the responder's turnaround (t_tx - t_rx), for answered, late, duplicate.
  double rtt_ms = 0;
  bool reordered = false;  // answered after a higher seq was already answered
  int error_errno = 0;     // errored: ECONNREFUSED, EHOSTUNREACH, ...
  uint8_t icmp_type = 0, icmp_code = 0;
  bool has_responder_count = false;  // the reply carried the responder's receive count
  uint64_t responder_rx_count = 0;
};

struct TargetCounters {
  uint64_t sent = 0, answered = 0, lost = 0, late = 0, errored = 0, duplicates = 0, reordered = 0;
  // One-way split, from the last reply's responder receive count (see ForwardLost()).
  uint64_t last_reply_seq = 0, rx_count_at_last_reply = 0, answered_at_last_reply = 0;
  // Probes up to the last reply that never reached the responder.
  uint64_t ForwardLost() const {
    return last_reply_seq > rx_count_at_last_reply ? last_reply_seq - rx_count_at_last_reply : 0;
  }
  // Probes up to the last reply that reached the responder but whose reply never came back.
  uint64_t ReverseLost() const {
    return rx_count_at_last_reply > answered_at_last_reply
               ? rx_count_at_last_reply - answered_at_last_reply
               : 0;
  }
};

struct ProberCounters {
  uint64_t received = 0;        // datagrams read
  uint64_t foreign = 0;         // decoded, but not ours (unknown sender id or wrong source)
  uint64_t stale = 0;           // replies so old their slot was reused
  uint64_t malformed[8] = {};   // by DecodeError
  uint64_t send_errors = 0;     // sendmmsg refused a datagram (counted errored too)
  uint64_t rate_deferred = 0;   // sends postponed by the overall rate cap
};

enum class ProbeMode {
  kUdp,   // kiriwake responders: replies are type kReply with responder timestamps
  kEcho,  // an echo socket (ICMP): the request comes back unchanged
};

struct ProberOptions {
  int64_t interval_ns = 1'000'000'000;  // per target
  int64_t timeout_ns = 1'000'000'000;   // after this a probe is lost
  uint64_t count = 0;                   // probes per target; 0 = until stopped
  // Each gap is interval × (1 ± jitter_ratio), uniformly, so a mesh of agents never locks into
  // synchronised bursts (Floyd & Jacobson, "The Synchronization of Periodic Routing Messages").
  double jitter_ratio = 0.1;
  // First probes are spread over one interval (agents) instead of all at once.
  bool stagger_start = true;
  // Probes due within this much are sent now, in one batch: an agent with 1,000 peers at 1/s
  // then wakes ~50 times a second instead of 1,000 (the ±jitter dwarfs a 20 ms slack).
  int64_t send_slack_ns = 0;
  double max_rate_total_pps = 0;        // 0 = no overall cap
  double max_rate_per_target_pps = 1000;  // caps 1/interval
  size_t request_size = 0;              // pad requests to this size (clamped)
  ProbeKey key;
  ProbeMode mode = ProbeMode::kUdp;
  uint64_t seed = 0;                    // 0 = random; sender ids and jitter derive from it
};

class Prober {
 public:
  using Sink = std::function<void(const ProbeEvent&)>;

  // Usage error when the options contradict each other (interval below the per-target cap).
  static Status Validate(const ProberOptions& options);

  Prober(ProberOptions options, std::vector<ProbeTarget> targets, Clock* clock,
         DatagramSocket* socket, Sink sink);

  // Sends what is due and expires what is overdue. Returns the monotonic time of the next thing
  // to do (a send or a deadline).
  int64_t Tick();
  // Processes received datagrams (replies and error-queue entries).
  void Handle(std::span<InDatagram> in);
  // Drains the socket (data and error queue) into Handle().
  void Poll();
  // True when every target has sent `count` probes and every probe has ended.
  bool Done() const;
  // Sends nothing more (a reload replaced this prober); probes in flight still end normally.
  void StopSending() {
    while (!due_.empty()) due_.pop();
  }
  // After StopSending(): true once every probe sent has ended.
  bool Drained() const { return due_.empty() && in_flight_ == 0; }
  // The epoll loop: Tick, wait, Poll, until Done() or *stop. Returns an I/O error only.
  Status Run(const std::atomic<bool>* stop);

  const std::vector<ProbeTarget>& targets() const { return targets_; }
  const TargetCounters& target_counters(size_t i) const { return state_[i].counters; }
  const ProberCounters& counters() const { return counters_; }
  size_t in_flight() const { return in_flight_; }

 private:
  enum SlotState : uint8_t { kEmpty, kInFlight, kAnsweredState, kLostState, kLateState, kErrState };
  struct Slot {
    uint64_t seq = 0;
    int64_t sent_real_ns = 0;
    SlotState state = kEmpty;
  };
  struct TargetState {
    uint64_t next_seq = 1;
    int64_t next_send_ns = 0;
    uint64_t max_answered_seq = 0;
    TargetCounters counters;
  };
  struct Deadline {
    int64_t at_ns;
    uint32_t target;
    uint64_t seq;
  };
  struct Due {
    int64_t at_ns;
    uint32_t target;
    bool operator>(const Due& o) const { return at_ns > o.at_ns; }
  };

  int64_t NextGap();
  void Flush();
  void ExpireDue(int64_t now);
  void HandleOne(InDatagram& d);
  Slot* Find(size_t target, uint64_t seq);

  ProberOptions opt_;
  std::vector<ProbeTarget> targets_;
  Clock* clock_;
  DatagramSocket* socket_;
  Sink sink_;
  std::vector<TargetState> state_;
  uint64_t sender_base_ = 0;
  uint64_t ring_mask_ = 0;
  unsigned ring_shift_ = 0;  // target t's slots are slots_[t << ring_shift_ ...]
  std::vector<Slot> slots_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;
  std::deque<Deadline> deadlines_;
  std::mt19937_64 rng_;
  double tokens_ = 0;
  int64_t tokens_at_ns_ = 0;
  // One batch of encoded requests waiting for sendmmsg.
  std::vector<uint8_t> out_bytes_;
  std::vector<OutDatagram> out_;
  std::vector<std::pair<uint32_t, uint64_t>> out_ids_;
  size_t packet_size_ = 0;
  ProberCounters counters_;
  size_t in_flight_ = 0;
  std::vector<InDatagram> in_buf_;
};

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_PROBER_H_
