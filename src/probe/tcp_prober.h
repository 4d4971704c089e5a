// probe/tcp_prober.h: TCP connect probes for service ports. Each probe is a non-blocking
// connect(); the handshake time is the RTT (a lost SYN shows up as the kernel's 1 s / 3 s
// retransmission when the timeout allows it), a refusal (RST) or an ICMP error ends it as errored,
// and the timeout as lost. The connection is then reset (SO_LINGER 0) so probes leave no
// TIME_WAIT behind. Events and schedules are those of probe/prober.h. Uses real sockets and the
// given Clock; not thread-safe.
#ifndef KIRIWAKE_PROBE_TCP_PROBER_H_
#define KIRIWAKE_PROBE_TCP_PROBER_H_

#include <atomic>
#include <functional>
#include <map>
#include <random>
#include <vector>

#include "probe/clock.h"
#include "probe/prober.h"
#include "util/status.h"

namespace kiriwake::probe {

class TcpProber {
 public:
  TcpProber(ProberOptions options, std::vector<ProbeTarget> targets, Endpoint source,
            Clock* clock, Prober::Sink sink);
  ~TcpProber();
  Status Run(const std::atomic<bool>* stop);
  const TargetCounters& target_counters(size_t i) const { return counters_[i]; }

 private:
  struct Attempt {
    size_t target;
    uint64_t seq;
    int64_t sent_mono_ns;
    int64_t sent_real_ns;
  };
  void Start(size_t target, int64_t now);
  void Finish(int fd, ProbeOutcome outcome, int err, int64_t now);

  ProberOptions opt_;
  std::vector<ProbeTarget> targets_;
  Endpoint source_;
  Clock* clock_;
  Prober::Sink sink_;
  std::vector<TargetCounters> counters_;
  std::vector<uint64_t> next_seq_;
  std::vector<int64_t> next_send_ns_;
  std::map<int, Attempt> open_;
  int ep_ = -1;
  std::mt19937_64 rng_;
};

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_TCP_PROBER_H_
