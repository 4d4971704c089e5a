// ingest/ceph_event.h: one fact that Ceph reported about its own health, whatever the artifact it
// came from (cluster log, daemon log, `ceph health detail` text or JSON, dump_osd_network). Every
// Ceph reader turns its input into a stream of these plus OSD address records (ceph_osd_map.h),
// handed to a CephSink one at a time so that memory does not grow with the input.
// Plain value types; they own their strings. Not synchronised.
#ifndef KIRIWAKE_INGEST_CEPH_EVENT_H_
#define KIRIWAKE_INGEST_CEPH_EVENT_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kiriwake::ingest {

// Which heartbeat interface: front = public network, back = cluster network.
// Persisted in --json as "front"/"back"/"unknown": DO NOT rename.
enum class CephInterface { kUnknown = 0, kFront, kBack };
std::string_view CephInterfaceName(CephInterface i);

// Persisted in --json (as the lowercase names of CephEventKindName): DO NOT rename.
enum class CephEventKind {
  kCheckRaised,        // "Health check failed: S (CODE)", "[WRN] CODE: S", a JSON check
  kCheckUpdated,       // "Health check update: S (CODE)"
  kCheckCleared,       // "Health check cleared: CODE (was: S)"
  kHealthy,            // "Cluster is now healthy", HEALTH_OK
  kSlowPing,           // one slow (from osd, to osd, interface) heartbeat pair, with its time
  kPingSample,         // a dump_osd_network entry: a pair's ping, slow or not (decided later)
  kOsdDown,            // "osd.N (...) is down", "osd.N failed (...)", "marked down"
  kHostDown,           // "host X (...) (N osds) is down"
  kMonDown,            // "mon.X (rank r) addr A is down (out of quorum)"
  kFailureReport,      // prepare_failure ... failure:1, "reported failed by", mon osd_failure op
  kFailureCanceled,    // prepare_failure ... failure:0, "failure report canceled by"
  kWronglyMarkedDown,  // "wrongly marked me down", "marked osd.N down, but it is still running"
  kBoot,               // "osd.N ADDRS boot"
  kHeartbeatNoReply,   // OSD heartbeat_check: no reply from ADDR osd.N since back T front T
  kSlowOps,            // SLOW_OPS summary or a daemon's get_health_metrics / slow requests
};
std::string_view CephEventKindName(CephEventKind k);

inline constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

// Which kind of record a line was. The mon writes each cluster-log entry to ceph.log and, as a
// `log_channel(cluster)` copy, to its own daemon log; it also logs a failure report as a dout
// line (`prepare_failure`) and as a cluster-log entry (`reported failed by`). Counting per source
// and taking the largest keeps one event read from two files from counting twice.
enum class CephSource { kOther = 0, kClusterLog, kDaemonClog, kDaemonDout };
inline constexpr int kCephSources = 4;

struct CephEvent {
  CephEventKind kind = CephEventKind::kCheckRaised;
  SourceLoc loc;              // file and line it came from
  int64_t time_ms = kNoTime;  // Unix ms (UTC, zone applied when printed); kNoTime if none
  std::string daemon;         // who logged it ("mon.eins", "osd.1"), "" if unknown
  std::string check;          // health check code ("OSD_SLOW_PING_TIME_BACK"), or ""
  std::string severity;       // "HEALTH_WARN"/"HEALTH_ERR"/"WRN"/"ERR"/"INF", or ""
  std::string text;           // the summary or the detail line, as Ceph wrote it
  int osd = -1;               // the subject: target, peer, "to" OSD, down or booted OSD
  int reporter_osd = -1;      // the reporter or "from" OSD
  std::string addr;           // the subject's address as printed (addrvec or sockaddr)
  std::string reporter_addr;  // the reporter's address (pre-Nautilus prepare_failure only)
  std::string host;           // the CRUSH host from a location "(root=default,host=ceph4)"
  CephInterface iface = CephInterface::kUnknown;
  double ping_ms = -1;       // slow ping / sample: the reported time in ms
  double threshold_ms = -1;  // kPingSample: the dump's threshold (0 = "all entries")
  bool down = false;         // kSlowPing: "(down)" after the subject
  bool stale = false;        // kPingSample: "stale": true
  bool snapshot = false;     // kCheckRaised from a health-detail listing, not a transition
  CephSource source = CephSource::kOther;
  int64_t count = -1;                // slow ops count, reporters, osds down...
  double blocked_sec = -1;           // SLOW_OPS "oldest one blocked for N sec"
  std::vector<std::string> daemons;  // SLOW_OPS owners ("osd.0", "mon.a")
};

// One OSD's identity and addresses, from `ceph osd dump/tree/metadata -f json` or from log lines
// (boot, prepare_failure, failed (...)). Empty strings mean unknown; a sink merges records.
struct CephOsdInfo {
  int id = -1;
  std::string hostname;     // `osd metadata` hostname (uname of the OSD)
  std::string crush_host;   // CRUSH host bucket (`osd tree`, a "host=" location)
  std::string public_ip;    // front (public network)
  std::string cluster_ip;   // back (cluster network)
  std::string public_addr;  // as printed, e.g. "[v2:ip:6800/1,v1:ip:6801/1]"
  std::string cluster_addr;
  std::string front_iface;  // NIC names from metadata (often "")
  std::string back_iface;
  int up = -1;  // 1 up, 0 down, -1 unknown
  SourceLoc loc;
};

// Receives everything a Ceph reader finds. Implemented by infer::CephAccumulator and by tests.
class CephSink {
 public:
  virtual ~CephSink() = default;
  virtual void OnEvent(const CephEvent& e) = 0;
  virtual void OnOsdInfo(const CephOsdInfo& info) = 0;
  // A recoverable problem: the read goes on.
  virtual void OnWarning(const Diagnostic& d) = 0;
};

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_CEPH_EVENT_H_
