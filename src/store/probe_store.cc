#include "store/probe_store.h"

#include <fmt/format.h>

namespace kiriwake::store {

namespace {

// Persisted in history.db: add columns, never rename or retype them.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS probes (
  sent_ns INTEGER NOT NULL, peer TEXT NOT NULL, network TEXT NOT NULL, proto TEXT NOT NULL,
  seq INTEGER NOT NULL, outcome INTEGER NOT NULL, rtt_ms REAL);
CREATE INDEX IF NOT EXISTS probes_by_time ON probes(sent_ns);
CREATE TABLE IF NOT EXISTS aggregates (
  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, peer TEXT NOT NULL, address TEXT NOT NULL,
  network TEXT NOT NULL, proto TEXT NOT NULL, sent INTEGER NOT NULL, lost INTEGER NOT NULL,
  errored INTEGER NOT NULL, late INTEGER NOT NULL, duplicates INTEGER NOT NULL,
  reordered INTEGER NOT NULL, lost_forward INTEGER, lost_reverse INTEGER,
  rtt_min REAL, rtt_median REAL, rtt_p95 REAL, rtt_p99 REAL, rtt_max REAL, rtt_mean REAL,
  rtt_mdev REAL, verdict TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS aggregates_by_time ON aggregates(end_ns);
)sql";

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

void BindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void BindOpt(sqlite3_stmt* s, int i, const std::optional<uint64_t>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, static_cast<int64_t>(*v));
  } else {
    sqlite3_bind_null(s, i);
  }
}
std::string Col(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

}  // namespace

Result<std::unique_ptr<ProbeStore>> ProbeStore::Open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IOError(fmt::format("{}: cannot open database: {}", path, msg));
  }
  std::unique_ptr<ProbeStore> store(new ProbeStore(db));
  sqlite3_busy_timeout(db, 2000);
  if (!read_only) {
    // WAL: readers (the HTTP thread) never block the writer; synchronous=NORMAL: a committed
    // transaction survives a process crash (kill -9), only power loss may cost the last commits.
    KW_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
    KW_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=NORMAL"));
    KW_RETURN_IF_ERROR(store->Exec(kSchema));
    // 512 KiB of page cache instead of 2 MiB: the agent appends and rarely reads (RSS budget).
    KW_RETURN_IF_ERROR(store->Exec("PRAGMA cache_size=-512"));
  }
  return store;
}

ProbeStore::~ProbeStore() { sqlite3_close(db_); }

Status ProbeStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return Status::IOError(fmt::format("sqlite: {}", msg));
  }
  return Status::Ok();
}

Status ProbeStore::Commit() {
  if (pending_.empty() && pending_aggregates_.empty()) return Status::Ok();
  KW_RETURN_IF_ERROR(Exec("BEGIN"));
  Stmt ins;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO probes(sent_ns,peer,network,proto,seq,outcome,rtt_ms) "
                     "VALUES(?,?,?,?,?,?,?)",
                     -1, &ins.s, nullptr);
  for (const ProbeRecord& r : pending_) {
    sqlite3_reset(ins.s);
    sqlite3_bind_int64(ins.s, 1, r.sent_realtime_ns);
    BindText(ins.s, 2, r.peer);
    BindText(ins.s, 3, r.network);
    BindText(ins.s, 4, r.proto);
    sqlite3_bind_int64(ins.s, 5, static_cast<int64_t>(r.seq));
    sqlite3_bind_int(ins.s, 6, r.outcome);
    if (r.rtt_ms) {
      sqlite3_bind_double(ins.s, 7, *r.rtt_ms);
    } else {
      sqlite3_bind_null(ins.s, 7);
    }
    if (sqlite3_step(ins.s) != SQLITE_DONE) {
      Exec("ROLLBACK").IgnoreError();
      return Status::IOError(fmt::format("sqlite insert: {}", sqlite3_errmsg(db_)));
    }
  }
  Stmt agg;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO aggregates VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     -1, &agg.s, nullptr);
  for (const probe::TargetSummary& t : pending_aggregates_) {
    const model::ProbeSeries& s = t.series;
    sqlite3_reset(agg.s);
    sqlite3_bind_int64(agg.s, 1, t.start_realtime_ns);
    sqlite3_bind_int64(agg.s, 2, t.end_realtime_ns);
    BindText(agg.s, 3, t.name);
    BindText(agg.s, 4, t.address);
    BindText(agg.s, 5, t.network);
    BindText(agg.s, 6, t.proto);
    sqlite3_bind_int64(agg.s, 7, static_cast<int64_t>(s.transmitted));
    sqlite3_bind_int64(agg.s, 8, static_cast<int64_t>(s.lost_count));
    sqlite3_bind_int64(agg.s, 9, static_cast<int64_t>(s.errored));
    sqlite3_bind_int64(agg.s, 10, static_cast<int64_t>(s.late));
    sqlite3_bind_int64(agg.s, 11, static_cast<int64_t>(s.duplicates.size()));
    sqlite3_bind_int64(agg.s, 12, static_cast<int64_t>(t.reordered));
    BindOpt(agg.s, 13, t.lost_forward);
    BindOpt(agg.s, 14, t.lost_reverse);
    if (s.rtt) {
      double v[] = {s.rtt->min_ms, s.rtt->median_ms, s.rtt->p95_ms, s.rtt->p99_ms,
                    s.rtt->max_ms, s.rtt->mean_ms,   s.rtt->mdev_ms};
      for (int i = 0; i < 7; ++i) sqlite3_bind_double(agg.s, 15 + i, v[i]);
    } else {
      for (int i = 0; i < 7; ++i) sqlite3_bind_null(agg.s, 15 + i);
    }
    BindText(agg.s, 22, model::VerdictName(s.verdict));
    if (sqlite3_step(agg.s) != SQLITE_DONE) {
      Exec("ROLLBACK").IgnoreError();
      return Status::IOError(fmt::format("sqlite insert: {}", sqlite3_errmsg(db_)));
    }
  }
  KW_RETURN_IF_ERROR(Exec("COMMIT"));
  pending_.clear();
  // Once a window (a minute): give the memory back instead of keeping 1,000 summaries' room
  // (a fresh vector: `= {}` would assign an empty initializer list and keep the capacity).
  pending_aggregates_ = std::vector<probe::TargetSummary>();
  return Status::Ok();
}

Status ProbeStore::Prune(int64_t raw_before_ns, int64_t aggregate_before_ns) {
  KW_RETURN_IF_ERROR(Exec(fmt::format("DELETE FROM probes WHERE sent_ns < {}", raw_before_ns).c_str()));
  return Exec(fmt::format("DELETE FROM aggregates WHERE end_ns < {}", aggregate_before_ns).c_str());
}

Result<std::vector<probe::TargetSummary>> ProbeStore::AggregatesSince(int64_t since_ns,
                                                                       std::string_view src) {
  Stmt q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT start_ns,end_ns,peer,address,network,proto,sent,lost,errored,"
                         "late,duplicates,reordered,lost_forward,lost_reverse,rtt_min,rtt_median,"
                         "rtt_p95,rtt_p99,rtt_max,rtt_mean,rtt_mdev,verdict FROM aggregates "
                         "WHERE end_ns > ? ORDER BY end_ns, peer, network",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return Status::IOError(fmt::format("sqlite: {}", sqlite3_errmsg(db_)));
  }
  sqlite3_bind_int64(q.s, 1, since_ns);
  std::vector<probe::TargetSummary> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
    probe::TargetSummary t;
    t.src = std::string(src);
    t.start_realtime_ns = sqlite3_column_int64(q.s, 0);
    t.end_realtime_ns = sqlite3_column_int64(q.s, 1);
    t.name = Col(q.s, 2);
    t.address = Col(q.s, 3);
    t.network = Col(q.s, 4);
    t.proto = Col(q.s, 5);
    model::ProbeSeries& s = t.series;
    s.transmitted = static_cast<uint64_t>(sqlite3_column_int64(q.s, 6));
    s.lost_count = static_cast<uint64_t>(sqlite3_column_int64(q.s, 7));
    s.errored = static_cast<uint64_t>(sqlite3_column_int64(q.s, 8));
    s.late = static_cast<uint64_t>(sqlite3_column_int64(q.s, 9));
    s.duplicates.resize(static_cast<size_t>(sqlite3_column_int64(q.s, 10)));
    s.received = s.transmitted - std::min(s.transmitted, s.lost_count);
    t.reordered = static_cast<uint64_t>(sqlite3_column_int64(q.s, 11));
    if (sqlite3_column_type(q.s, 12) != SQLITE_NULL) t.lost_forward = sqlite3_column_int64(q.s, 12);
    if (sqlite3_column_type(q.s, 13) != SQLITE_NULL) t.lost_reverse = sqlite3_column_int64(q.s, 13);
    if (sqlite3_column_type(q.s, 14) != SQLITE_NULL) {
      model::RttSummary r;
      r.min_ms = sqlite3_column_double(q.s, 14);
      r.median_ms = sqlite3_column_double(q.s, 15);
      r.p95_ms = sqlite3_column_double(q.s, 16);
      r.p99_ms = sqlite3_column_double(q.s, 17);
      r.max_ms = sqlite3_column_double(q.s, 18);
      r.mean_ms = sqlite3_column_double(q.s, 19);
      r.mdev_ms = sqlite3_column_double(q.s, 20);
      s.rtt = r;
    }
    std::string verdict = Col(q.s, 21);
    for (auto v : {model::Verdict::kHealthy, model::Verdict::kDegraded, model::Verdict::kBroken}) {
      if (verdict == model::VerdictName(v)) s.verdict = v;
    }
    out.push_back(std::move(t));
  }
  if (rc != SQLITE_DONE) return Status::IOError(fmt::format("sqlite: {}", sqlite3_errmsg(db_)));
  return out;
}

Result<std::vector<ProbeRecord>> ProbeStore::ProbesSince(int64_t since_ns) {
  Stmt q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT sent_ns,peer,network,proto,seq,outcome,rtt_ms FROM probes "
                         "WHERE sent_ns >= ? ORDER BY sent_ns",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return Status::IOError(fmt::format("sqlite: {}", sqlite3_errmsg(db_)));
  }
  sqlite3_bind_int64(q.s, 1, since_ns);
  std::vector<ProbeRecord> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    ProbeRecord r;
    r.sent_realtime_ns = sqlite3_column_int64(q.s, 0);
    r.peer = Col(q.s, 1);
    r.network = Col(q.s, 2);
    r.proto = Col(q.s, 3);
    r.seq = static_cast<uint64_t>(sqlite3_column_int64(q.s, 4));
    r.outcome = static_cast<uint8_t>(sqlite3_column_int(q.s, 5));
    if (sqlite3_column_type(q.s, 6) != SQLITE_NULL) r.rtt_ms = sqlite3_column_double(q.s, 6);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kiriwake::store
