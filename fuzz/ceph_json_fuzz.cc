// libFuzzer entry for Ceph JSON documents (health detail, dump_osd_network, osd dump/tree/metadata)
// through ReadCephInput, the analysis and the JSON renderers. Seeds: fuzz/corpus/ceph_json/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "infer/ceph_finding.h"
#include "ingest/ceph_input.h"
#include "ingest/line_reader.h"
#include "report/ceph_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Always a JSON document to the detector, so the fuzzer spends its time inside the readers.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size == 0 || (data[0] != '{' && data[0] != '[')) bytes = "{" + bytes;
  kiriwake::infer::CephAccumulator acc;
  auto reader = kiriwake::ingest::LineReader::FromString(bytes, "fuzz.json");
  kiriwake::ingest::CephInputStats stats;
  kiriwake::ingest::ReadCephInput(reader.get(), &acc, &stats).IgnoreError();
  kiriwake::infer::CephFinding f = acc.Finish();
  std::vector<kiriwake::report::CephInputSummary> in{{"fuzz.json", stats, false}};
  (void)kiriwake::report::RenderCephJson(f, in);
  (void)kiriwake::report::RenderCephObservations(f);
  return 0;
}
