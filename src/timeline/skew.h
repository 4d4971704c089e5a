// timeline/skew.h: estimates how far one host's clock is off another's, from pairs of events that
// must happen in order on different hosts. Used now: a Ceph OSD logs "heartbeat_check: no reply
// from ... osd.N" and sends its failure report at once; the mon logs "prepare_failure osd.N ...
// from osd.M" on receipt, milliseconds later. So (OSD line time - mon line time) estimates the OSD
// host's clock offset from the mon host's, to within the report's network delay. (A ping reply is
// timed on the sender's own clock, so ping -D alone gives no cross-host pair.) Feed events in any
// order; not thread-safe.
#ifndef KIRIWAKE_TIMELINE_SKEW_H_
#define KIRIWAKE_TIMELINE_SKEW_H_

#include <map>
#include <string>
#include <vector>

#include "timeline/event.h"

namespace kiriwake::timeline {

struct SkewEstimate {
  std::string host;            // the host whose clock is estimated
  std::string reference_host;  // against this host's clock
  double offset_s = 0;         // host clock minus reference clock (positive: host ahead)
  int pairs = 0;               // ordered pairs the estimate rests on
  bool skewed = false;         // |offset_s| above kSkewThresholdS
  std::string basis;           // "osd.1 heartbeat_check -> mon prepare_failure"
  SourceLoc cause_loc, effect_loc;  // one example pair
};

// Below this, an offset is within the report's delay plus the logs' millisecond stamps: NTP-synced
// hosts on one LAN agree to a few ms, and a failure report crosses the LAN in under a second even
// under the loss that triggers it.
inline constexpr double kSkewThresholdS = 1.0;

class SkewEstimator {
 public:
  void Add(const Event& ev);
  std::vector<SkewEstimate> Estimates() const;

 private:
  struct Seen {
    TimePoint time;
    std::string host;
    SourceLoc loc;
  };
  // key "reporter>target" -> first OSD heartbeat_check line, first mon prepare_failure line
  std::map<std::string, Seen> osd_first_;
  std::map<std::string, Seen> mon_first_;
};

}  // namespace kiriwake::timeline

#endif  // KIRIWAKE_TIMELINE_SKEW_H_
