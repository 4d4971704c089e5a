// infer/ceph_finding.h: what Ceph's own artifacts say about one incident, and which endpoint
// explains it. CephAccumulator is the CephSink every Ceph reader feeds; it keeps aggregates only
// (per check, per OSD pair and interface, per reporter/target, per daemon), never lines, so memory
// is bounded by the number of OSDs and check codes, not by the size of the logs. Finish() makes a
// CephFinding: time span, checks fired and when, slow-heartbeat pairs per interface (front/back),
// failure reporters -> reported, slow-op owners, and a ranking of the OSDs that the evidence
// has in common, with the interface, host and address to suspect.
// All inputs read in one run are taken as one incident. Not thread-safe.
#ifndef KIRIWAKE_INFER_CEPH_FINDING_H_
#define KIRIWAKE_INFER_CEPH_FINDING_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ingest/ceph_event.h"

namespace kiriwake::infer {

using ingest::CephInterface;
using ingest::kNoTime;

struct CephCheckSeen {
  std::string code;
  bool analysed = false;        // a check kiriwake reasons about (network/OSD/op checks)
  bool recognised = false;      // a Ceph check kiriwake knows, analysed or not
  int64_t first_ms = kNoTime;   // earliest time it was seen raised or updated
  int64_t last_ms = kNoTime;    // latest time it was seen (raised, updated or cleared)
  // Transitions seen, counted per CephSource and reported as the largest (one event appears in
  // ceph.log and again in the mon's daemon log). snapshots: health-detail listings.
  int64_t raised = 0, updated = 0, cleared = 0, snapshots = 0;
  int64_t by_source[ingest::kCephSources][3] = {};  // [source][raised, updated, cleared]
  bool active = false;          // latest-stamped state is raised (untimed listings only count
                                // when nothing stamped was seen)
  int64_t state_ms = kNoTime;   // time of the event that set `active` and `last_summary`
  std::string severity;         // last seen
  std::string last_summary;
  double max_ping_ms = -1;      // OSD_SLOW_PING_TIME_*: the longest "longest" seen
  SourceLoc first_loc;
};

struct CephPairStat {
  CephInterface iface = CephInterface::kUnknown;
  int from_osd = -1;            // the OSD that sent the ping and measured it
  int to_osd = -1;
  int64_t samples = 0;          // health-detail lines + dump_osd_network entries about the pair
  int64_t slow_samples = 0;     // of which reported it slow
  double max_ms = -1;           // largest reported ping (ms)
  bool down = false;            // "(down)" after the "to" OSD
  int64_t first_ms = kNoTime, last_ms = kNoTime;
  bool slow() const { return slow_samples > 0; }
};

struct CephFailureStat {
  int reporter_osd = -1;
  int target_osd = -1;
  int64_t reports = 0;          // prepare_failure failure:1, "reported failed by"
  int64_t canceled = 0;         // failure:0, "failure report canceled by"
  int64_t by_source[ingest::kCephSources][2] = {};  // [source][reports, canceled]; max is kept
  int64_t first_ms = kNoTime;
};

struct CephNoReplyStat {
  int reporter_osd = -1;        // the OSD that logged heartbeat_check
  int peer_osd = -1;            // the OSD that did not answer
  std::string peer_addr;        // its front heartbeat address as logged
  int64_t lines = 0;
  int64_t back_stale = 0;       // lines where back had been silent longer than front
  int64_t front_stale = 0;
  int64_t first_ms = kNoTime, last_ms = kNoTime;
};

struct CephSlowOpsOwner {
  std::string daemon;           // "mon.eins", "osd.0"
  int64_t reports = 0;          // lines/checks naming it
  int64_t max_ops = 0;          // largest "N slow ops"/"N slow requests" it reported
  double max_blocked_sec = -1;
  std::set<int> failure_targets;  // mon: OSDs of its osd_failure ops
  std::string example;          // one oldest-op description
  int64_t first_ms = kNoTime;
};

struct CephOsdState {
  int osd = -1;
  int64_t down = 0;             // failed / marked down / "is down"
  int64_t wrongly_marked_down = 0;
  int64_t boots = 0;
  int64_t first_down_ms = kNoTime;
};

// One OSD as a suspect: how much of the evidence has it as an endpoint.
struct CephEndpoint {
  int osd = -1;
  std::string host;             // metadata hostname, else CRUSH host, else ""
  std::string address;          // the IP on the suspected interface's network, else any known
  std::string address_network;  // "cluster", "public" or "" (which network `address` is on)
  CephInterface iface = CephInterface::kUnknown;
  std::string iface_reason;     // why this interface (longest ping, stale heartbeat side)
  int slow_pairs_with = 0, slow_pairs_total = 0;      // distinct slow pairs, both interfaces
  int slow_iface_pairs_with = 0, slow_iface_pairs_total = 0;  // on `iface` only
  int failure_reports_with = 0, failure_reports_total = 0;    // distinct reporter->target pairs
  int failure_reports_against = 0;                    // of which this OSD is the target
  int no_reply_with = 0, no_reply_total = 0;          // distinct heartbeat_check pairs
  int slow_op_owners_with = 0, slow_op_owners_total = 0;
  int down_with = 0, down_total = 0;                  // OSDs marked down (this one or not)
  double max_ping_ms = -1;      // longest slow ping of a pair with it
  int explained = 0, evidence = 0;  // sums of the *_with and *_total above
  double explained_ratio() const { return evidence ? double(explained) / evidence : 0; }
  bool in_every_slow_pair() const {
    return slow_pairs_total > 0 && slow_pairs_with == slow_pairs_total;
  }
};

// A slow pair turned into one observation for `localize` (see docs/design.md, "Ceph heartbeat
// evidence as observations"): sent = samples about the pair, lost = samples that called it slow.
struct CephPairObservation {
  std::string src;              // reporter's IP on the pair's network, "" if unknown
  std::string dst;              // the other OSD's IP on that network, "" if unknown
  std::string network;          // "public" (front) or "cluster" (back)
  int src_osd = -1, dst_osd = -1;
  CephInterface iface = CephInterface::kUnknown;
  int64_t sent = 0, lost = 0;
  double max_ping_ms = -1;
};

struct CephFinding {
  int64_t start_ms = kNoTime, end_ms = kNoTime;
  double slow_ping_threshold_ms = 1000;
  std::vector<CephCheckSeen> checks;          // by first time, then code
  std::vector<CephPairStat> pairs;            // every pair seen (slow or not), slowest first
  std::vector<CephFailureStat> failures;      // by reports, descending
  std::vector<CephNoReplyStat> no_replies;
  std::vector<CephSlowOpsOwner> slow_ops;
  std::vector<CephOsdState> osd_states;       // OSDs that went down, were wrongly marked, booted
  std::vector<ingest::CephOsdInfo> osds;      // merged identities, by id
  std::vector<CephEndpoint> ranking;          // most explaining first; empty if no evidence
  bool problem = false;                       // any analysed evidence at all
  int64_t events = 0;

  const ingest::CephOsdInfo* Osd(int id) const;
  int SlowPairCount(CephInterface iface) const;
};

// Options for the analysis.
struct CephAnalysisOptions {
  // A dump_osd_network entry counts as slow at or above this, when its dump says "threshold": 0
  // and no other dump gave one. Ceph's own default: osd_heartbeat_grace (20 s) x
  // mon_warn_on_slow_ping_ratio (0.05) = 1000 ms (src/mon/PGMap.cc).
  double slow_ping_threshold_ms = 1000;
};

class CephAccumulator : public ingest::CephSink {
 public:
  explicit CephAccumulator(CephAnalysisOptions options = {}) : options_(options) {}

  void OnEvent(const ingest::CephEvent& e) override;
  void OnOsdInfo(const ingest::CephOsdInfo& info) override;
  void OnWarning(const Diagnostic& d) override;

  // Warnings gathered so far (from readers and from the analysis: unknown check codes).
  const std::vector<Diagnostic>& warnings() const { return warnings_; }
  std::vector<Diagnostic> TakeWarnings();

  CephFinding Finish() const;

 private:
  void Time(int64_t ms);
  CephCheckSeen& Check(const std::string& code, const ingest::CephEvent& e);
  void LearnOsd(int id, const std::string& public_addr, const std::string& host);
  CephPairStat& Pair(CephInterface iface, int from, int to);

  CephAnalysisOptions options_;
  int64_t start_ms_ = kNoTime, end_ms_ = kNoTime;
  int64_t events_ = 0;
  std::map<std::string, CephCheckSeen> checks_;
  std::map<std::tuple<int, int, int>, CephPairStat> pairs_;
  // dump_osd_network samples, decided at Finish: (iface, from, to) -> (ping, threshold, stale)
  std::map<std::tuple<int, int, int>, std::vector<std::tuple<double, double, bool>>> samples_;
  double dump_threshold_ms_ = -1;  // smallest positive "threshold" of any dump
  std::map<std::pair<int, int>, CephFailureStat> failures_;
  std::map<std::pair<int, int>, CephNoReplyStat> no_replies_;
  std::map<std::string, CephSlowOpsOwner> slow_ops_;
  std::map<int, CephOsdState> osd_states_;
  std::map<int, ingest::CephOsdInfo> osds_;
  std::vector<Diagnostic> warnings_;
};

// The slow and healthy pairs of `f` as observations (one per pair and interface).
std::vector<CephPairObservation> CephObservations(const CephFinding& f);

// Whether kiriwake analyses this check code / knows it at all.
bool IsAnalysedCephCheck(std::string_view code);
bool IsKnownCephCheck(std::string_view code);

}  // namespace kiriwake::infer

#endif  // KIRIWAKE_INFER_CEPH_FINDING_H_
