#include "probe/tcp_prober.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace kiriwake::probe {

TcpProber::TcpProber(ProberOptions options, std::vector<ProbeTarget> targets, Endpoint source,
                     Clock* clock, Prober::Sink sink)
    : opt_(std::move(options)),
      targets_(std::move(targets)),
      source_(source),
      clock_(clock),
      sink_(std::move(sink)),
      counters_(targets_.size()),
      next_seq_(targets_.size(), 1),
      next_send_ns_(targets_.size()) {
  rng_.seed(opt_.seed ? opt_.seed : std::random_device{}());
  int64_t now = clock_->MonotonicNs();
  for (size_t i = 0; i < targets_.size(); ++i) {
    next_send_ns_[i] = now + static_cast<int64_t>(i) * 1'000'000;
  }
}

TcpProber::~TcpProber() {
  for (auto& [fd, a] : open_) ::close(fd);
  if (ep_ >= 0) ::close(ep_);
}

void TcpProber::Start(size_t t, int64_t now) {
  Attempt a{t, next_seq_[t]++, now, clock_->RealtimeNs()};
  ++counters_[t].sent;
  const Endpoint& to = targets_[t].address;
  int fd = ::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  auto errored = [&](int err) {
    ++counters_[t].errored;
    ProbeEvent e;
    e.target = t;
    e.seq = a.seq;
    e.outcome = ProbeOutcome::kErrored;
    e.sent_realtime_ns = a.sent_real_ns;
    e.error_errno = err;
    sink_(e);
  };
  if (fd < 0) return errored(errno);
  linger lg{1, 0};  // reset on close: no TIME_WAIT per probe
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  if (source_.len != 0) {
    Endpoint s = source_;
    s.set_port(0);
    if (::bind(fd, s.sa(), s.len) != 0) {
      int e = errno;
      ::close(fd);
      return errored(e);
    }
  }
  int rc = ::connect(fd, to.sa(), to.len);
  if (rc != 0 && errno != EINPROGRESS) {
    int e = errno;
    ::close(fd);
    return errored(e);
  }
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.fd = fd;
  epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
  open_[fd] = a;
}

void TcpProber::Finish(int fd, ProbeOutcome outcome, int err, int64_t now) {
  auto it = open_.find(fd);
  if (it == open_.end()) return;
  Attempt a = it->second;
  open_.erase(it);
  epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  ProbeEvent e;
  e.target = a.target;
  e.seq = a.seq;
  e.outcome = outcome;
  e.sent_realtime_ns = a.sent_real_ns;
  e.error_errno = err;
  TargetCounters& c = counters_[a.target];
  if (outcome == ProbeOutcome::kAnswered) {
    ++c.answered;
    e.rtt_ms = static_cast<double>(now - a.sent_mono_ns) / 1e6;
  } else if (outcome == ProbeOutcome::kLost) {
    ++c.lost;
  } else {
    ++c.errored;
  }
  sink_(e);
}

Status TcpProber::Run(const std::atomic<bool>* stop) {
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  if (ep_ < 0) return Status::FromErrno("epoll_create1", errno);
  while (!(stop && stop->load(std::memory_order_relaxed))) {
    int64_t now = clock_->MonotonicNs();
    bool sending = false;
    int64_t next = now + 100'000'000;
    for (size_t t = 0; t < targets_.size(); ++t) {
      if (opt_.count != 0 && next_seq_[t] > opt_.count) continue;
      sending = true;
      if (next_send_ns_[t] <= now) {
        Start(t, now);
        std::uniform_real_distribution<double> u(-opt_.jitter_ratio, opt_.jitter_ratio);
        next_send_ns_[t] += static_cast<int64_t>(static_cast<double>(opt_.interval_ns) * (1 + u(rng_)));
        if (next_send_ns_[t] < now) next_send_ns_[t] = now;
      }
      if (opt_.count == 0 || next_seq_[t] <= opt_.count) next = std::min(next, next_send_ns_[t]);
    }
    std::vector<int> expired;
    for (auto& [fd, a] : open_) {
      if (now - a.sent_mono_ns >= opt_.timeout_ns) {
        expired.push_back(fd);
      } else {
        next = std::min(next, a.sent_mono_ns + opt_.timeout_ns);
      }
    }
    for (int fd : expired) Finish(fd, ProbeOutcome::kLost, 0, now);
    if (!sending && open_.empty()) break;
    int64_t wait_ns = std::max<int64_t>(0, next - clock_->MonotonicNs());
    timespec ts{wait_ns / 1'000'000'000, wait_ns % 1'000'000'000};
    epoll_event got[64];
    int rc = epoll_pwait2(ep_, got, 64, &ts, nullptr);
    if (rc < 0 && errno != EINTR) return Status::FromErrno("epoll_pwait2", errno);
    int64_t at = clock_->MonotonicNs();
    for (int i = 0; i < rc; ++i) {
      int fd = got[i].data.fd;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      Finish(fd, err == 0 ? ProbeOutcome::kAnswered : ProbeOutcome::kErrored, err, at);
    }
  }
  return Status::Ok();
}

}  // namespace kiriwake::probe
