// libFuzzer entry for every timeline reader: the bytes are one input file, detected and read by
// FileSource (so every LineFormat, the kubectl JSON adapter, the reorder window and raw-line
// handling run), then fed to the story builder and skew estimator. The first byte picks a zone and
// a reorder window so those paths vary too. Also feeds the bytes to the TZif parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/line_reader.h"
#include "timeline/file_source.h"
#include "timeline/story.h"
#include "timeline/zone.h"

using namespace kiriwake;
using namespace kiriwake::timeline;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const Zone kZones[] = {Zone::Fixed(0, "UTC"), Zone::Fixed(9 * 3600, "+09:00"),
                                Zone::Fixed(-5 * 3600, "-05:00")};
  uint8_t knob = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)ParseTzif(bytes, "fuzz");
  FileSourceOptions opt;
  opt.zone = &kZones[knob % 3];
  opt.reorder_window = 1 + (knob >> 4);
  opt.host = (knob & 8) ? "esxi2" : "";
  StaticComponentMap map;
  map.Add("192.168.100.114", {"vm:ceph4", "host:esxi2", "net:service"});
  opt.map = &map;
  auto src = FileSource::FromReader(ingest::LineReader::FromString(bytes, "fuzz"), opt);
  if (!src.ok()) return 0;
  if ((*src)->needs_year()) (*src)->SetAssumedYear(2020, "fuzz");
  StoryBuilder story;
  Event ev;
  int n = 0;
  while ((*src)->Next(&ev) && n++ < 100000) story.Add(ev);
  (void)(*src)->Assumption();
  (void)story.Build(StoryInput{std::nullopt, &map});
  return 0;
}
