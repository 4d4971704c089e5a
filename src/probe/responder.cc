#include "probe/responder.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace kiriwake::probe {

namespace {
constexpr size_t kBatch = 64;
constexpr int64_t kIdleNs = 60'000'000'000;  // a source silent for a minute is forgotten
}  // namespace

Responder::Responder(ResponderOptions options, Clock* clock, DatagramSocket* socket)
    : opt_(std::move(options)), clock_(clock), socket_(socket) {
  out_bytes_.resize(kBatch * (kHeaderSize + kMacSize));
  out_.reserve(kBatch);
  in_buf_.resize(kBatch);
}

template <typename Map>
void Responder::Evict(Map* map, int64_t now) {
  for (auto it = map->begin(); it != map->end();) {
    if (now - it->second.at_ns > kIdleNs) {
      it = map->erase(it);
    } else {
      ++it;
    }
  }
}

bool Responder::Admit(const Endpoint& from, int64_t now) {
  uint64_t key = from.AddressHash();
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= opt_.max_sources) Evict(&buckets_, now);
    if (buckets_.size() >= opt_.max_sources) {
      ++counters_.table_full;
      return false;
    }
    it = buckets_.emplace(key, Bucket{opt_.per_source_burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = std::min(opt_.per_source_burst,
                      b.tokens + static_cast<double>(now - b.at_ns) * 1e-9 * opt_.per_source_rate_pps);
  b.at_ns = now;
  if (b.tokens < 1) {
    ++counters_.rate_limited;
    return false;
  }
  b.tokens -= 1;
  return true;
}

void Responder::Handle(std::span<InDatagram> in) {
  int64_t now = clock_->MonotonicNs();
  size_t reply_size = EncodedSize(PacketType::kReply, opt_.key);
  out_.clear();
  for (InDatagram& d : in) {
    if (d.is_error) continue;
    ++counters_.received;
    ProbePacket p;
    DecodeError err = DecodeError::kNone;
    if (!DecodePacket(std::span<const uint8_t>(d.data.data(), d.len), opt_.key, &p, &err)) {
      ++counters_.malformed[static_cast<size_t>(err)];
      continue;
    }
    if (p.type != PacketType::kRequest) {
      ++counters_.not_request;
      continue;
    }
    if (reply_size > d.len) {  // unreachable by the decoder's rules; kept as the last guard
      ++counters_.amplification_guard;
      continue;
    }
    if (!Admit(d.from, now)) continue;
    uint64_t sender_key = d.from.AddressHash() ^ (p.sender_id * 0x9E3779B97F4A7C15ull);
    auto it = senders_.find(sender_key);
    if (it == senders_.end()) {
      if (senders_.size() >= opt_.max_senders) Evict(&senders_, now);
      if (senders_.size() >= opt_.max_senders) senders_.clear();  // counts restart; still answer
      it = senders_.emplace(sender_key, SenderCount{0, now}).first;
    }
    ++it->second.count;
    it->second.at_ns = now;
    ProbePacket r = p;
    r.type = PacketType::kReply;
    r.t_rx_ns = static_cast<uint64_t>(d.rx_realtime_ns != 0 ? d.rx_realtime_ns
                                                            : clock_->RealtimeNs());
    r.rx_count = it->second.count;
    r.t_tx_ns = static_cast<uint64_t>(clock_->RealtimeNs());
    uint8_t* buf = out_bytes_.data() + out_.size() * (kHeaderSize + kMacSize);
    size_t len = EncodePacket(r, opt_.key, std::span(buf, kHeaderSize + kMacSize));
    out_.push_back({d.from, buf, len, d.local});
    if (out_.size() == kBatch) {
      // Cannot happen with batches from Poll (≤ kBatch); keeps the buffer bounded regardless.
      break;
    }
  }
  size_t start = 0, failed = 0;
  while (start < out_.size()) {
    int err = 0;
    start += socket_->Send(std::span(out_).subspan(start), &err);
    if (start < out_.size()) {
      ++failed;
      ++start;
    }
  }
  counters_.send_errors += failed;
  counters_.replied += out_.size() - failed;
}

void Responder::Poll() {
  for (int round = 0; round < 1024; ++round) {
    size_t n = socket_->Receive(in_buf_);
    if (n == 0) break;
    Handle(std::span(in_buf_).first(n));
  }
  // Errors for our replies (the prober went away): read and drop so the queue never fills.
  while (socket_->ReceiveErrors(in_buf_) > 0) {
  }
}

Status Responder::Run(const std::atomic<bool>* stop) {
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
    epoll_event got[4];
    int rc = epoll_wait(ep, got, 4, 100);  // notice *stop within 100 ms
    if (rc < 0 && errno != EINTR) {
      int e = errno;
      ::close(ep);
      return Status::FromErrno("epoll_wait", e);
    }
    if (rc > 0) Poll();
  }
  ::close(ep);
  return Status::Ok();
}

}  // namespace kiriwake::probe
