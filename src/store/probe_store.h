// store/probe_store.h: the agent's history in SQLite (WAL). Two tables:
//   probes      every probe's ending (raw; kept for `raw_retention`), for exact loss ids;
//   aggregates  one row per (peer, network, proto) per aggregation window (kept longer), in the
//               observations format's terms (sent, lost, rtt percentiles).
// Writes are buffered and committed by Commit(), which the agent calls at least once a second:
// with WAL and synchronous=NORMAL a committed transaction survives kill -9 of the process, so a
// crash loses at most the last second of probes. One writer object per database; not
// thread-safe (the HTTP thread opens its own read-only ProbeStore).
#ifndef KIRIWAKE_STORE_PROBE_STORE_H_
#define KIRIWAKE_STORE_PROBE_STORE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/probe_summary.h"
#include "util/result.h"

namespace kiriwake::store {

struct ProbeRecord {
  int64_t sent_realtime_ns = 0;
  std::string peer, network, proto;
  uint64_t seq = 0;
  uint8_t outcome = 0;  // probe::ProbeOutcome, persisted: DO NOT renumber
  std::optional<double> rtt_ms;
};

class ProbeStore {
 public:
  static Result<std::unique_ptr<ProbeStore>> Open(const std::string& path, bool read_only = false);
  ~ProbeStore();
  ProbeStore(const ProbeStore&) = delete;
  ProbeStore& operator=(const ProbeStore&) = delete;

  // Buffers; nothing is durable until Commit().
  void Add(ProbeRecord r) { pending_.push_back(std::move(r)); }
  void AddAggregate(probe::TargetSummary s) { pending_aggregates_.push_back(std::move(s)); }
  // One transaction for everything buffered.
  Status Commit();
  // Deletes raw probes older than `raw_before_ns` and aggregates older than `aggregate_before_ns`.
  Status Prune(int64_t raw_before_ns, int64_t aggregate_before_ns);

  // Aggregates whose window ends after `since_ns`, oldest first, as observations.
  Result<std::vector<probe::TargetSummary>> AggregatesSince(int64_t since_ns, std::string_view src);
  // Raw counts for checks and tests: probes per outcome for one peer/network since a time.
  Result<std::vector<ProbeRecord>> ProbesSince(int64_t since_ns);
  size_t pending() const { return pending_.size() + pending_aggregates_.size(); }

 private:
  explicit ProbeStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  sqlite3* db_;
  std::vector<ProbeRecord> pending_;
  std::vector<probe::TargetSummary> pending_aggregates_;
};

}  // namespace kiriwake::store

#endif  // KIRIWAKE_STORE_PROBE_STORE_H_
