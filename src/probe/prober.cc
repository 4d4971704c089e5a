#include "probe/prober.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>

#include <fmt/format.h>

namespace kiriwake::probe {

const char* ProbeOutcomeName(ProbeOutcome o) {
  switch (o) {
    case ProbeOutcome::kAnswered: return "answered";
    case ProbeOutcome::kLost: return "lost";
    case ProbeOutcome::kErrored: return "errored";
    case ProbeOutcome::kLate: return "late";
    case ProbeOutcome::kDuplicate: return "duplicate";
  }
  return "unknown";
}

namespace {
constexpr size_t kBatch = 64;
// Sender ids: a random session base with the target index in the low 24 bits.
constexpr uint64_t kTargetBits = 24;
}  // namespace

Status Prober::Validate(const ProberOptions& o) {
  if (o.interval_ns <= 0) return Status::Usage("the interval must be positive");
  if (o.timeout_ns <= 0) return Status::Usage("the timeout must be positive");
  if (o.jitter_ratio < 0 || o.jitter_ratio >= 1) {
    return Status::Usage("the jitter ratio must be in [0, 1)");
  }
  if (o.max_rate_per_target_pps > 0 &&
      static_cast<double>(o.interval_ns) < 1e9 / o.max_rate_per_target_pps - 1) {
    return Status::Usage(fmt::format(
        "an interval of {} ms exceeds the per-target cap of {} probes/s",
        static_cast<double>(o.interval_ns) / 1e6, o.max_rate_per_target_pps));
  }
  return Status::Ok();
}

Prober::Prober(ProberOptions options, std::vector<ProbeTarget> targets, Clock* clock,
               DatagramSocket* socket, Sink sink)
    : opt_(std::move(options)),
      targets_(std::move(targets)),
      clock_(clock),
      socket_(socket),
      sink_(std::move(sink)) {
  uint64_t seed = opt_.seed;
  if (seed == 0) seed = std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32);
  rng_.seed(seed);
  sender_base_ = rng_() << kTargetBits;
  // Slots for every probe that can be in flight (timeout / interval, doubled for jitter and for
  // late-reply detection), at least 16. One array for all targets, not a vector each (an agent's
  // 1,000 peers at 1/s: 384 KB of slots, no per-target allocation).
  uint64_t window = static_cast<uint64_t>(2 * opt_.timeout_ns / std::max<int64_t>(opt_.interval_ns, 1)) + 4;
  uint64_t ring = std::bit_ceil(std::max<uint64_t>(16, window));
  ring_mask_ = ring - 1;
  ring_shift_ = static_cast<unsigned>(std::countr_zero(ring));
  slots_.resize(targets_.size() << ring_shift_);
  state_.resize(targets_.size());
  int64_t now = clock_->MonotonicNs();
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t i = 0; i < targets_.size(); ++i) {
    int64_t offset = 0;
    if (opt_.stagger_start) {
      offset = static_cast<int64_t>(u(rng_) * static_cast<double>(opt_.interval_ns));
    } else if (!targets_.empty()) {
      // fping's -p/-i spread: consecutive targets a little apart, never all in one burst.
      offset = static_cast<int64_t>(i) * std::min<int64_t>(opt_.interval_ns / static_cast<int64_t>(targets_.size()), 1'000'000);
    }
    state_[i].next_send_ns = now + offset;
    due_.push({state_[i].next_send_ns, static_cast<uint32_t>(i)});
  }
  packet_size_ = EncodedSize(PacketType::kRequest, opt_.key, opt_.request_size);
  out_bytes_.resize(kBatch * packet_size_);
  out_.reserve(kBatch);
  out_ids_.reserve(kBatch);
  in_buf_.resize(kBatch);
  tokens_ = opt_.max_rate_total_pps > 0 ? std::max(1.0, opt_.max_rate_total_pps / 100) : 0;
  tokens_at_ns_ = now;
}

int64_t Prober::NextGap() {
  if (opt_.jitter_ratio <= 0) return opt_.interval_ns;
  std::uniform_real_distribution<double> u(-opt_.jitter_ratio, opt_.jitter_ratio);
  return static_cast<int64_t>(static_cast<double>(opt_.interval_ns) * (1.0 + u(rng_)));
}

Prober::Slot* Prober::Find(size_t target, uint64_t seq) {
  Slot& s = slots_[(target << ring_shift_) | (seq & ring_mask_)];
  return s.seq == seq && s.state != kEmpty ? &s : nullptr;
}

void Prober::Flush() {
  size_t start = 0;
  while (start < out_.size()) {
    int err = 0;
    size_t sent = socket_->Send(std::span(out_).subspan(start), &err);
    start += sent;
    if (start < out_.size()) {
      // The kernel refused this one (e.g. no route, a pending ICMP error): it ends as errored.
      auto [t, seq] = out_ids_[start];
      ++counters_.send_errors;
      if (Slot* s = Find(t, seq); s && s->state == kInFlight) {
        s->state = kErrState;
        --in_flight_;
        ++state_[t].counters.errored;
        ProbeEvent e;
        e.target = t;
        e.seq = seq;
        e.outcome = ProbeOutcome::kErrored;
        e.sent_realtime_ns = s->sent_real_ns;
        e.error_errno = err == 0 ? EIO : err;
        sink_(e);
      }
      ++start;
    }
  }
  out_.clear();
  out_ids_.clear();
}

void Prober::ExpireDue(int64_t now) {
  while (!deadlines_.empty() && deadlines_.front().at_ns <= now) {
    Deadline d = deadlines_.front();
    deadlines_.pop_front();
    Slot* s = Find(d.target, d.seq);
    if (s == nullptr || s->state != kInFlight) continue;
    s->state = kLostState;
    --in_flight_;
    ++state_[d.target].counters.lost;
    ProbeEvent e;
    e.target = d.target;
    e.seq = d.seq;
    e.outcome = ProbeOutcome::kLost;
    e.sent_realtime_ns = s->sent_real_ns;
    sink_(e);
  }
}

int64_t Prober::Tick() {
  int64_t now = clock_->MonotonicNs();
  ExpireDue(now);
  if (opt_.max_rate_total_pps > 0) {
    double burst = std::max(1.0, opt_.max_rate_total_pps / 100);  // 10 ms worth
    tokens_ = std::min(burst, tokens_ + static_cast<double>(now - tokens_at_ns_) * 1e-9 *
                                            opt_.max_rate_total_pps);
    tokens_at_ns_ = now;
  }
  while (!due_.empty() && due_.top().at_ns <= now + opt_.send_slack_ns) {
    Due d = due_.top();
    if (opt_.max_rate_total_pps > 0) {
      if (tokens_ < 1) {
        // Postpone everything due until a token exists.
        ++counters_.rate_deferred;
        int64_t wait = static_cast<int64_t>((1 - tokens_) / opt_.max_rate_total_pps * 1e9) + 1;
        due_.pop();
        due_.push({now + wait, d.target});
        break;
      }
      tokens_ -= 1;
    }
    due_.pop();
    TargetState& ts = state_[d.target];
    uint64_t seq = ts.next_seq++;
    Slot& slot = slots_[(size_t{d.target} << ring_shift_) | (seq & ring_mask_)];
    if (slot.state == kInFlight) {
      // Only when the ring is too small for the timeout; end the old probe honestly as lost.
      slot.state = kLostState;
      --in_flight_;
      ++ts.counters.lost;
      ProbeEvent e;
      e.target = d.target;
      e.seq = slot.seq;
      e.outcome = ProbeOutcome::kLost;
      e.sent_realtime_ns = slot.sent_real_ns;
      sink_(e);
    }
    ProbePacket p;
    p.type = PacketType::kRequest;
    p.sender_id = sender_base_ | d.target;
    p.seq = seq;
    slot.seq = seq;
    slot.sent_real_ns = clock_->RealtimeNs();
    slot.state = kInFlight;
    ++in_flight_;
    p.t_send_ns = static_cast<uint64_t>(slot.sent_real_ns);
    uint8_t* buf = out_bytes_.data() + out_.size() * packet_size_;
    size_t len = EncodePacket(p, opt_.key, std::span(buf, packet_size_), opt_.request_size);
    out_.push_back({targets_[d.target].address, buf, len, {}});
    out_ids_.emplace_back(d.target, seq);
    ++ts.counters.sent;
    deadlines_.push_back({now + opt_.timeout_ns, d.target, seq});
    if (opt_.count == 0 || ts.next_seq <= opt_.count) {
      int64_t next = ts.next_send_ns + NextGap();
      // Never catch up in a burst after a stall (a suspended laptop, a slow disk): resume now.
      if (next < now - opt_.interval_ns) next = now;
      ts.next_send_ns = next;
      due_.push({next, d.target});
    }
    if (out_.size() == kBatch) Flush();
  }
  Flush();
  int64_t next = INT64_MAX;
  if (!due_.empty()) next = due_.top().at_ns;
  if (!deadlines_.empty()) next = std::min(next, deadlines_.front().at_ns);
  return next;
}

void Prober::HandleOne(InDatagram& d) {
  ++counters_.received;
  ProbePacket p;
  DecodeError err = DecodeError::kNone;
  if (!DecodePacket(std::span<const uint8_t>(d.data.data(), d.len), opt_.key, &p, &err)) {
    ++counters_.malformed[static_cast<size_t>(err)];
    return;
  }
  uint64_t index = p.sender_id - sender_base_;
  if ((p.sender_id & ~((uint64_t{1} << kTargetBits) - 1)) != sender_base_ ||
      index >= targets_.size()) {
    ++counters_.foreign;
    return;
  }
  size_t t = static_cast<size_t>(index);
  PacketType want = d.is_error || opt_.mode == ProbeMode::kEcho ? PacketType::kRequest
                                                                : PacketType::kReply;
  if (p.type != want) {
    ++counters_.foreign;
    return;
  }
  if (!d.is_error && !d.from.SameAddress(targets_[t].address)) {
    ++counters_.foreign;
    return;
  }
  Slot* s = Find(t, p.seq);
  if (s == nullptr) {
    ++counters_.stale;
    return;
  }
  TargetState& ts = state_[t];
  ProbeEvent e;
  e.target = t;
  e.seq = p.seq;
  e.sent_realtime_ns = s->sent_real_ns;
  if (d.is_error) {
    if (s->state != kInFlight) return;  // already ended; an error after a reply changes nothing
    s->state = kErrState;
    --in_flight_;
    ++ts.counters.errored;
    e.outcome = ProbeOutcome::kErrored;
    e.error_errno = d.error_errno;
    e.icmp_type = d.icmp_type;
    e.icmp_code = d.icmp_code;
    sink_(e);
    return;
  }
  int64_t rx = d.rx_realtime_ns != 0 ? d.rx_realtime_ns : clock_->RealtimeNs();
  int64_t rtt_ns = rx - s->sent_real_ns;
  if (p.type == PacketType::kReply && p.t_tx_ns >= p.t_rx_ns) {
    int64_t turnaround = static_cast<int64_t>(p.t_tx_ns - p.t_rx_ns);
    // Subtract the responder's own delay only when it is plausible (clocks are its own).
    if (turnaround >= 0 && turnaround < rtt_ns) rtt_ns -= turnaround;
  }
  e.rtt_ms = static_cast<double>(std::max<int64_t>(rtt_ns, 0)) / 1e6;
  if (p.type == PacketType::kReply) {
    e.has_responder_count = true;
    e.responder_rx_count = p.rx_count;
  }
  switch (s->state) {
    case kInFlight:
      s->state = kAnsweredState;
      --in_flight_;
      ++ts.counters.answered;
      e.outcome = ProbeOutcome::kAnswered;
      if (p.seq < ts.max_answered_seq) {
        e.reordered = true;
        ++ts.counters.reordered;
      }
      ts.max_answered_seq = std::max(ts.max_answered_seq, p.seq);
      break;
    case kLostState:
      s->state = kLateState;
      ++ts.counters.late;
      e.outcome = ProbeOutcome::kLate;
      break;
    case kAnsweredState:
    case kLateState:
      ++ts.counters.duplicates;
      e.outcome = ProbeOutcome::kDuplicate;
      break;
    default:
      return;  // errored, then a reply: keep the first ending
  }
  if (e.has_responder_count && p.seq > ts.counters.last_reply_seq &&
      e.outcome != ProbeOutcome::kDuplicate) {
    ts.counters.last_reply_seq = p.seq;
    ts.counters.rx_count_at_last_reply = p.rx_count;
    ts.counters.answered_at_last_reply = ts.counters.answered + ts.counters.late;
  }
  sink_(e);
}

void Prober::Handle(std::span<InDatagram> in) {
  for (InDatagram& d : in) HandleOne(d);
}

void Prober::Poll() {
  for (int round = 0; round < 1024; ++round) {  // bounded: never starve the send schedule
    size_t n = socket_->Receive(in_buf_);
    if (n == 0) break;
    Handle(std::span(in_buf_).first(n));
  }
  size_t n;
  while ((n = socket_->ReceiveErrors(in_buf_)) > 0) Handle(std::span(in_buf_).first(n));
}

// Every probe has ended (answered, lost or errored): no need to wait out the remaining
// deadlines, so a clean run ends as soon as its last reply arrives (as fping does).
bool Prober::Done() const { return opt_.count != 0 && due_.empty() && in_flight_ == 0; }

Status Prober::Run(const std::atomic<bool>* stop) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return Status::FromErrno("epoll_create1", errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, socket_->fd(), &ev) != 0) {
    int e = errno;
    ::close(ep);
    return Status::FromErrno("epoll_ctl", e);
  }
  while (!(stop && stop->load(std::memory_order_relaxed))) {
    int64_t next = Tick();
    if (Done()) break;
    int64_t wait_ns = next == INT64_MAX ? 100'000'000
                                        : std::max<int64_t>(0, next - clock_->MonotonicNs());
    wait_ns = std::min<int64_t>(wait_ns, 100'000'000);  // notice *stop within 100 ms
    timespec ts{wait_ns / 1'000'000'000, wait_ns % 1'000'000'000};
    epoll_event got[4];
    int rc = epoll_pwait2(ep, got, 4, &ts, nullptr);
    if (rc < 0 && errno != EINTR) {
      int e = errno;
      ::close(ep);
      return Status::FromErrno("epoll_pwait2", e);
    }
    if (rc > 0) Poll();
  }
  ::close(ep);
  return Status::Ok();
}

}  // namespace kiriwake::probe
