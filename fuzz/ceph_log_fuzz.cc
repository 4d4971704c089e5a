// libFuzzer entry for Ceph text: the line parser and the whole-input reader (log, health detail
// text) feeding the analysis and every renderer. Seeds: fuzz/corpus/ceph_log/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "infer/ceph_finding.h"
#include "ingest/ceph_input.h"
#include "ingest/ceph_log.h"
#include "ingest/line_reader.h"
#include "report/ceph_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  kiriwake::ingest::CephLineParser parser("ceph-osd.1.log");
  kiriwake::ingest::CephEvent e;
  (void)parser.Parse(bytes, 1, &e);
  kiriwake::infer::CephAccumulator acc;
  auto reader = kiriwake::ingest::LineReader::FromString(bytes, "fuzz.log");
  kiriwake::ingest::CephInputStats stats;
  kiriwake::ingest::ReadCephInput(reader.get(), &acc, &stats).IgnoreError();
  kiriwake::infer::CephFinding f = acc.Finish();
  std::vector<kiriwake::report::CephInputSummary> in{{"fuzz.log", stats, false}};
  (void)kiriwake::report::RenderCephText(f, in);
  (void)kiriwake::report::RenderCephJson(f, in);
  (void)kiriwake::report::RenderCephObservations(f);
  return 0;
}
