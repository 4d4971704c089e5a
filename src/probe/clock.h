// probe/clock.h: the time seam of the prober and responder (style guide §5.6). Monotonic time
// drives schedules and deadlines; wall time (CLOCK_REALTIME) stamps packets, because kernel RX
// timestamps are CLOCK_REALTIME. Tests use a FakeClock they advance by hand. SystemClock is
// stateless and thread-safe; a FakeClock is not synchronised.
#ifndef KIRIWAKE_PROBE_CLOCK_H_
#define KIRIWAKE_PROBE_CLOCK_H_

#include <cstdint>
#include <ctime>

namespace kiriwake::probe {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t MonotonicNs() = 0;
  virtual int64_t RealtimeNs() = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t MonotonicNs() override { return Read(CLOCK_MONOTONIC); }
  int64_t RealtimeNs() override { return Read(CLOCK_REALTIME); }
  static SystemClock* Get() {
    static SystemClock clock;
    return &clock;
  }

 private:
  static int64_t Read(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  }
};

// Both clocks advance together; starts at a fixed, arbitrary instant.
class FakeClock final : public Clock {
 public:
  int64_t MonotonicNs() override { return mono_ns_; }
  int64_t RealtimeNs() override { return mono_ns_ + kRealtimeOffsetNs; }
  void AdvanceNs(int64_t ns) { mono_ns_ += ns; }
  void AdvanceMs(double ms) { mono_ns_ += static_cast<int64_t>(ms * 1e6); }
  static constexpr int64_t kRealtimeOffsetNs = 1'700'000'000'000'000'000;

 private:
  int64_t mono_ns_ = 1'000'000'000;
};

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_CLOCK_H_
