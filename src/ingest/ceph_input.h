// ingest/ceph_input.h: reads one Ceph artifact of any supported kind, found by its content, and
// streams what it finds to a CephSink: cluster/daemon logs and `ceph health detail` text line by
// line (constant memory), JSON documents (`health detail -f json`, `dump_osd_network`,
// `ceph log last -f json`,
// `osd dump/tree/metadata -f json`) whole, up to kMaxJsonBytes. Every input goes through
// LineReader (files, "-", .gz/.xz). Unknown lines are counted, the first few per input warned
// about with file:line; the read never stops for them.
#ifndef KIRIWAKE_INGEST_CEPH_INPUT_H_
#define KIRIWAKE_INGEST_CEPH_INPUT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/ceph_event.h"
#include "ingest/line_reader.h"

namespace kiriwake::ingest {

enum class CephInputKind {
  kEmpty,
  kLog,
  kHealthText,
  kHealthJson,
  kOsdNetwork,
  kOsdDump,
  kOsdTree,
  kOsdMetadata,
  kLogJson,  // `ceph log last -f json`
  kJson,     // a JSON document no reader took: it did not parse, or is no Ceph document (error)
};
std::string_view CephInputKindName(CephInputKind k);

struct CephInputStats {
  CephInputKind kind = CephInputKind::kEmpty;
  int64_t lines = 0;
  int64_t events = 0;
  int64_t other_lines = 0;         // well-formed Ceph lines with nothing we use
  int64_t continuation_lines = 0;  // bare lines inside a log: rest of a multi-line entry
  int64_t unknown_lines = 0;       // lines in no Ceph form we know (warned: the first kMaxWarnings)
  int64_t malformed_lines = 0;     // lines that start as a message we use but do not parse (warned)
  uint64_t bytes = 0;
};

// A JSON document larger than this is refused (a JSON dump of a big cluster is a few MB).
inline constexpr size_t kMaxCephJsonBytes = 256u << 20;
// Per input, the number of unknown lines reported one by one; the rest are only counted.
inline constexpr int kMaxCephLineWarnings = 5;

// Reads `reader` to its end. Errors: the reader's I/O error (the lines read before it have been
// given to the sink), malformed or unrecognised JSON (with file:line:col), an empty input or one
// in no Ceph form at all (Unrecognized). Stats are filled even then.
Status ReadCephInput(LineReader* reader, CephSink* sink, CephInputStats* stats);

}  // namespace kiriwake::ingest

#endif  // KIRIWAKE_INGEST_CEPH_INPUT_H_
